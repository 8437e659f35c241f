import type pg from 'pg';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { Clock } from '../ports/clock.js';
import type { MetricsRegistry } from '../ports/metrics.js';

/** What every role gets from main.ts: configuration, logger, the database pool and a clock. */
export interface RoleContext {
  config: Config;
  logger: Logger;
  pool: pg.Pool;
  clock: Clock;
  /** ARI servers to use; main.ts fills it with the simulated PBX when ARI_URL is unset. */
  ariServers: Config['ari'];
  /** This process's Prometheus metrics (main.ts: one registry per process); absent: none kept. */
  metrics?: MetricsRegistry;
}

/** A started role; stop() finishes in-flight work and closes connections. */
export interface RunningRole {
  name: string;
  stop(): Promise<void>;
}

export type RoleStarter = (ctx: RoleContext) => Promise<RunningRole>;
