import type pg from 'pg';
import { countPostgresErrors } from '../adapters/metrics/instrument.js';
import { createPool } from '../adapters/postgres/pool.js';
import {
  ReplicaReportsDatabase,
  reportsOnPrimary,
} from '../adapters/postgres/reports/reports-database.js';
import { ReportsRepository } from '../adapters/postgres/reports/reports-repository.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { Clock } from '../ports/clock.js';
import type { MetricsRegistry } from '../ports/metrics.js';
import { ReportsService } from '../services/reports/reports-service.js';

/** Connections of the reports' own pool on a replica (a report is one statement at a time). */
const REPLICA_POOL_MAX = 4;

/**
 * The api's reports: on the primary's pool, or, with REPORTS_DATABASE_URL, on a pool of their
 * own on the replica (docs/reports.md, "Reading from a replica"). close() ends that pool.
 */
export function createReportsService(args: {
  config: Pick<Config, 'reports'>;
  pool: pg.Pool;
  clock: Clock;
  logger: Logger;
  metrics?: MetricsRegistry | undefined;
}): { service: ReportsService; close(): Promise<void> } {
  const { config, pool, clock, logger } = args;
  const primary = new ReportsRepository(pool);
  const url = config.reports.databaseUrl;
  if (url === null) return { service: new ReportsService(reportsOnPrimary(primary), clock), close };
  const replicaPool = createPool(url, {
    max: REPLICA_POOL_MAX,
    applicationName: 'ringside-reports',
  });
  if (args.metrics) countPostgresErrors(args.metrics, replicaPool);
  let warned = false;
  const database = new ReplicaReportsDatabase({
    pool: replicaPool,
    queries: new ReportsRepository(replicaPool),
    fallback: config.reports.fallbackToPrimary ? primary : null,
    onUnavailable: (err, fellBack) => {
      // Once until the replica answers again, not once per report.
      if (warned) return;
      warned = true;
      logger.warn(
        { err, fellBack },
        fellBack
          ? 'reports database (REPORTS_DATABASE_URL) unavailable: reports read the primary'
          : 'reports database (REPORTS_DATABASE_URL) unavailable: reports answer 503',
      );
    },
    onAvailable: () => {
      if (warned) logger.info('reports database (REPORTS_DATABASE_URL) answers again');
      warned = false;
    },
  });
  logger.info('reports read REPORTS_DATABASE_URL');
  return {
    service: new ReportsService(database, clock),
    close: () => replicaPool.end(),
  };
}

function close(): Promise<void> {
  return Promise.resolve();
}
