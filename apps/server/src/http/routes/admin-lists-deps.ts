import type { Redis } from 'ioredis';
import type pg from 'pg';
import { createDb } from '../../adapters/postgres/database.js';
import {
  createDispositionsRepo,
  createPauseCodesRepo,
  type DispositionsRepo,
  type PauseCodesRepo,
} from '../../adapters/postgres/dispositions.js';
import { createDncRepo } from '../../adapters/postgres/dnc.js';
import { type DncRepo } from '../../ports/dnc.js';
import { createListsRepo } from '../../adapters/postgres/lists.js';
import { type ListsRepo } from '../../ports/lists.js';
import { DncCache } from '../../services/dialer/dnc-cache.js';
import { RedisKeys } from '../../adapters/redis/keys.js';
import { createDncCache } from '../../roles/dialer-parts.js';
import {
  previewImport,
  type ImportPreviewResult,
  type PreviewOptions,
} from '../../services/import/index.js';
import type { Logger } from '../../logger.js';
import { UnavailableError } from '../../errors.js';
import type { AppDeps } from '../deps.js';

/**
 * What the admin routes for lists, imports, dispositions, pause codes and DNC need
 * (AppDeps.listAdmin). Absent: those routes answer 503.
 */
export interface ListAdminDeps {
  lists: ListsRepo;
  dispositions: DispositionsRepo;
  pauseCodes: PauseCodesRepo;
  dnc: DncRepo;
  /**
   * The dialer's Redis DNC sets (services/dialer/dnc-cache.ts), told right after each write to
   * the dnc table, as the disposition service does: a number added here is refused at the very
   * next dial attempt, even when its lead already sits in a hopper.
   */
  dncCache: Pick<DncCache, 'add' | 'remove'>;
  /** The import's dry run (services/import/preview.ts): reads, never writes. */
  previewImport(opts: PreviewOptions): Promise<ImportPreviewResult>;
}

/** The real adapters: PostgreSQL repositories and the dialer's DNC cache under REDIS_PREFIX. */
export function createListAdminDeps(d: {
  pool: pg.Pool;
  redis: Redis;
  /** REDIS_PREFIX. */
  prefix: string;
  logger: Logger;
}): ListAdminDeps {
  const db = createDb(d.pool);
  return {
    lists: createListsRepo(db),
    dispositions: createDispositionsRepo(db),
    pauseCodes: createPauseCodesRepo(db),
    dnc: createDncRepo(db),
    dncCache: createDncCache(d.redis, new RedisKeys(d.prefix), d.pool, d.logger),
    previewImport: (opts) => previewImport({ pool: d.pool }, opts),
  };
}

/** The admin dependencies, or 503 when this server was started without them. */
export function listAdmin(deps: AppDeps): ListAdminDeps {
  if (!deps.listAdmin) throw new UnavailableError('list administration is not configured');
  return deps.listAdmin;
}
