import { afterAll, beforeAll } from 'vitest';
import { redisTestContext, type RedisTestContext } from '../redis/redis-harness.js';
import { createTestDb, type TestDb } from './db.js';

/**
 * Registers a beforeAll that makes a resource and an afterAll that closes it; returns a stand-in
 * whose fields read the live resource, so it can be declared with `const` where the hooks are
 * registered and used inside tests and later hooks (before its beforeAll ran it throws).
 */
function useResource<T extends object>(
  what: string,
  make: () => Promise<T>,
  close: (value: T) => Promise<void>,
): T {
  let value: T | undefined;
  beforeAll(async () => {
    value = await make();
  });
  afterAll(async () => {
    if (value) await close(value);
  });
  return new Proxy({} as T, {
    get(_, key) {
      if (!value) throw new Error(`${what} used before its beforeAll ran`);
      return Reflect.get(value, key) as unknown;
    },
  });
}

/**
 * The beforeAll/afterAll pair every PostgreSQL test file used to write by hand: a fresh, migrated
 * schema (createTestDb) made before the tests of the enclosing describe (or file), dropped after.
 */
export function useTestDb(label: string): TestDb {
  return useResource(
    `test database '${label}'`,
    () => createTestDb(label),
    (db) => db.drop(),
  );
}

/**
 * The same for Redis: a connection and a key prefix unique to this file (redisTestContext), its
 * keys deleted and connection closed after the tests.
 */
export function useRedisTestContext(label: string): RedisTestContext {
  return useResource(
    `Redis context '${label}'`,
    () => redisTestContext(label),
    (rc) => rc.cleanup(),
  );
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
