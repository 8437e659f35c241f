import { execSync } from 'node:child_process';
import pg from 'pg';

/**
 * Runs once before integration and e2e tests: the real PostgreSQL and Redis must answer, and the
 * test database exists. Each test file then makes its own schema and Redis key prefix.
 */
export default async function setup(): Promise<void> {
  const base = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const client = new pg.Client({ connectionString: base });
  await client.connect();
  const r = await client.query("SELECT 1 FROM pg_database WHERE datname = 'ringside_test'");
  if (r.rowCount === 0) await client.query('CREATE DATABASE ringside_test').catch(() => undefined);
  await client.end();
  execSync(`redis-cli -u ${process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'} ping`, {
    stdio: 'ignore',
  });
}
