import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { createPool } from '../../src/adapters/postgres/pool.js';
import { migrate } from '../../src/adapters/postgres/migrate.js';

export const TEST_DATABASE_URL =
  process.env.TEST_DATABASE_URL?.replace(/\/[^/]*$/, '/ringside_test') ??
  'postgres://postgres@127.0.0.1:5432/ringside_test';

export interface TestDb {
  pool: pg.Pool;
  schema: string;
  url: string;
  drop(): Promise<void>;
}

/**
 * A fresh, migrated schema in the real test database, unique to the caller (STYLE.md §10).
 * Call drop() in afterAll.
 */
export async function createTestDb(label = 't'): Promise<TestDb> {
  const schema = `${label.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  const admin = createPool(TEST_DATABASE_URL, { max: 1 });
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const pool = createPool(TEST_DATABASE_URL, { schema, max: 10 });
  await migrate(pool);
  return {
    pool,
    schema,
    url: TEST_DATABASE_URL,
    async drop() {
      await pool.end();
      const a = createPool(TEST_DATABASE_URL, { max: 1 });
      await a.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await a.end();
    },
  };
}
