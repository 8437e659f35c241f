import { afterAll, beforeAll } from 'vitest';
import { redisTestContext, type RedisTestContext } from '../redis/redis-harness.js';
import { createTestDb, type TestDb } from './db.js';

/**
 * Registers the beforeAll/afterAll pair every PostgreSQL test file used to write by hand: a fresh,
 * migrated schema (createTestDb) made before the tests of the enclosing describe (or file) and dropped
 * after them. Returns a handle whose fields read the live TestDb, so it can be declared with `const`
 * where the hooks are registered and used inside tests and later hooks.
 */
export function useTestDb(label: string): TestDb {
  let db: TestDb | undefined;
  beforeAll(async () => {
    db = await createTestDb(label);
  });
  afterAll(async () => {
    await db?.drop();
  });
  const live = (): TestDb => {
    if (!db) throw new Error(`test database '${label}' used before its beforeAll ran`);
    return db;
  };
  return {
    get pool() {
      return live().pool;
    },
    get schema() {
      return live().schema;
    },
    get url() {
      return live().url;
    },
    drop: () => live().drop(),
  };
}

/**
 * The same for Redis: a connection and a key prefix unique to this file (redisTestContext) made
 * before the tests and cleaned up (keys deleted, connection closed) after them.
 */
export function useRedisTestContext(label: string): RedisTestContext {
  let rc: RedisTestContext | undefined;
  beforeAll(async () => {
    rc = await redisTestContext(label);
  });
  afterAll(async () => {
    await rc?.cleanup();
  });
  const live = (): RedisTestContext => {
    if (!rc) throw new Error(`Redis context '${label}' used before its beforeAll ran`);
    return rc;
  };
  return {
    get redis() {
      return live().redis;
    },
    get prefix() {
      return live().prefix;
    },
    cleanup: () => live().cleanup(),
  };
}

/**
 * Polls `pred` every 50 ms until it holds; throws after `ms` (a liveness bound, not a speed goal).
 */
export async function until(pred: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
