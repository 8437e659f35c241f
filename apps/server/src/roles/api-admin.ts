import type { Redis } from 'ioredis';
import type pg from 'pg';
import { createDb } from '../adapters/postgres/database.js';
import { createDispositionsRepo, createPauseCodesRepo } from '../adapters/postgres/dispositions.js';
import { createDncRepo } from '../adapters/postgres/dnc.js';
import { createListsRepo } from '../adapters/postgres/lists.js';
import { PgLeadImportStore } from '../adapters/postgres/lead-import.js';
import { RedisKeys } from '../adapters/redis/keys.js';
import type { ListAdminDeps } from '../http/deps.js';
import type { Logger } from '../logger.js';
import type { DncMirror } from '../ports/dnc.js';
import { previewImport } from '../services/import/index.js';
import { createDncCache } from './dialer-parts.js';

/**
 * The api role's list administration (AppDeps.listAdmin): PostgreSQL repositories and the
 * dialer's DNC cache under REDIS_PREFIX.
 */
export function createListAdminDeps(d: {
  pool: pg.Pool;
  redis: Redis;
  /** REDIS_PREFIX. */
  prefix: string;
  logger: Logger;
  /** The process's DNC cache when another part of the role already built one. */
  dncCache?: DncMirror;
}): ListAdminDeps {
  const db = createDb(d.pool);
  const importStore = new PgLeadImportStore(d.pool);
  return {
    lists: createListsRepo(db),
    dispositions: createDispositionsRepo(db),
    pauseCodes: createPauseCodesRepo(db),
    dnc: createDncRepo(db),
    dncCache: d.dncCache ?? createDncCache(d.redis, new RedisKeys(d.prefix), d.pool, d.logger),
    previewImport: (opts) => previewImport({ store: importStore }, opts),
  };
}
