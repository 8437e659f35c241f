import { afterAll, beforeAll } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/http/app.js';
import type { ListAdminDeps } from '../../src/http/deps.js';
import { createListAdminDeps } from '../../src/roles/api-admin.js';
import { DncCache } from '../../src/services/dialer/dnc-cache.js';
import { RedisKeys } from '../../src/adapters/redis/keys.js';
import { createDncCache } from '../../src/roles/dialer-parts.js';
import { bearer, createHarness, type Harness } from '../http/harness.js';

/**
 * The HTTP test harness (real PostgreSQL schema, real Redis prefix) plus the list-admin
 * dependencies, and the dialer's own DNC check over the same Redis sets.
 */
export interface ListAdminHarness {
  h: Harness;
  app: FastifyInstance;
  deps: ListAdminDeps;
  /** The dialer's dial-time question, answered from the Redis sets the routes write. */
  dialer: DncCache;
  tokens: Record<'admin' | 'supervisor' | 'agent', string>;
  as(who: 'admin' | 'supervisor' | 'agent'): Record<string, string>;
  audits(
    action: string,
  ): Promise<Array<{ target: string; user_id: string; detail: Record<string, unknown> }>>;
  count(sql: string): Promise<number>;
  close(): Promise<void>;
}

export async function createListAdminHarness(): Promise<ListAdminHarness> {
  const h = await createHarness();
  const deps = createListAdminDeps({
    pool: h.db.pool,
    redis: h.redis,
    prefix: h.keys.prefix,
    logger: h.deps.logger,
  });
  const app = await buildApp({ ...h.deps, listAdmin: deps });
  await app.ready();
  const tokens = {
    admin: await h.login('admin'),
    supervisor: await h.login('super'),
    agent: await h.login('agent1'),
  };
  return {
    h,
    app,
    deps,
    dialer: createDncCache(h.redis, new RedisKeys(h.keys.prefix), h.db.pool),
    tokens,
    as: (who) => bearer(tokens[who]),
    async audits(action) {
      const r = await h.db.pool.query<{
        target: string;
        user_id: string;
        detail: Record<string, unknown>;
      }>(
        'SELECT target, user_id::text AS user_id, detail FROM audit_log WHERE action = $1 ORDER BY id',
        [action],
      );
      return r.rows;
    },
    async count(sql) {
      const r = await h.db.pool.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${sql}`);
      return Number(r.rows[0]?.n ?? 0);
    },
    async close() {
      await app.close();
      await h.close();
    },
  };
}

/** The calling test file's harness: created before its tests, closed after (useListAdmin()). */
export let listAdmin: ListAdminHarness;

export function useListAdmin(): void {
  beforeAll(async () => {
    listAdmin = await createListAdminHarness();
  });
  afterAll(async () => listAdmin?.close());
}
