import type { SimPbx } from '@ringside/sim';
import type pg from 'pg';
import { loadConfig, type AriServerConfig, type Config } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { systemClock } from '../../src/ports/clock.js';
import { startAriWorker, type AriWorkerDeps } from '../../src/roles/ari-worker.js';
import type { RunningRole } from '../../src/roles/context.js';
import { TEST_DATABASE_URL } from './db.js';
import { TEST_REDIS_URL, testRedisPrefix } from './redis.js';
import { expect } from 'vitest';
import { waitFor } from './wait.js';

export interface SimWorkerSetup {
  /** This test file's Redis key prefix. */
  prefix: string;
  config: Config;
  /** The simulated PBX as the worker's one ARI server (Stasis app `server.app`). */
  server: AriServerConfig;
}

/** Test config (silent logs, the test database and Redis, a fresh prefix) for a simulated PBX. */
export function simWorkerSetup(label: string, pbx: SimPbx, app?: string): SimWorkerSetup {
  const prefix = testRedisPrefix(label);
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: TEST_DATABASE_URL,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: prefix,
  });
  const server = {
    id: 'sim',
    baseUrl: pbx.ariUrl,
    user: config.ariUser,
    password: config.ariPassword,
    app: app ?? config.ariApp,
  };
  return { prefix, config, server };
}

/** Starts the ari-worker role on the simulated PBX and waits until its Stasis app is connected. */
export async function startSimWorker(
  pool: pg.Pool,
  pbx: SimPbx,
  setup: SimWorkerSetup,
  deps?: AriWorkerDeps,
): Promise<RunningRole> {
  const worker = await startAriWorker(
    {
      config: setup.config,
      logger: createLogger('silent'),
      pool,
      clock: systemClock,
      ariServers: [setup.server],
    },
    deps,
  );
  await waitFor('the worker to connect', async () => {
    const r = await fetch(`${pbx.url}/_sim/stats`);
    return ((await r.json()) as { connectedApps: string[] }).connectedApps.includes(
      setup.server.app,
    );
  });
  return worker;
}

/** An agent's phone on the simulated PBX (its control API): dial `login`, hang up. */
export function simPhones(pbx: Pick<SimPbx, 'url'>): {
  /** The phone dials `login`; returns its channel id. */
  login(endpoint: string): Promise<string>;
  hangsUp(endpoint: string): Promise<void>;
} {
  return {
    async login(endpoint) {
      const r = await fetch(`${pbx.url}/_sim/phones/${endpoint}/login`, { method: 'POST' });
      expect(r.status).toBe(200);
      return ((await r.json()) as { channelId: string }).channelId;
    },
    async hangsUp(endpoint) {
      const r = await fetch(`${pbx.url}/_sim/phones/${endpoint}/hangup`, { method: 'POST' });
      expect(r.status).toBe(204);
    },
  };
}

/** Whether ARI still knows the channel. */
export const channelExists = (
  ari: { getChannel(id: string): Promise<unknown> },
  id: string,
): Promise<boolean> =>
  ari.getChannel(id).then(
    () => true,
    () => false,
  );
