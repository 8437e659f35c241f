import { describe, expect, it } from 'vitest';
import { migrate } from '../src/adapters/postgres/migrate.js';
import { useTestDb } from './helpers/hooks.js';

describe('migrations', () => {
  const db = useTestDb('migrate');

  it('creates every table and is a no-op the second time', async () => {
    const tables = await db.pool.query<{ table_name: string }>(
      'SELECT table_name FROM information_schema.tables WHERE table_schema = $1',
      [db.schema],
    );
    const names = tables.rows.map((r) => r.table_name);
    for (const t of [
      'users',
      'teams',
      'campaigns',
      'lists',
      'leads',
      'dnc',
      'call_log',
      'agent_log',
      'lead_log',
    ]) {
      expect(names).toContain(t);
    }
    expect(await migrate(db.pool)).toEqual([]);
  });

  it('refuses campaign settings outside the legal limits', async () => {
    await expect(
      db.pool.query("INSERT INTO campaigns (name, drop_wait_ms) VALUES ('x', 2500)"),
    ).rejects.toThrow(/check/i);
    await expect(
      db.pool.query("INSERT INTO campaigns (name, ring_timeout_s) VALUES ('y', 10)"),
    ).rejects.toThrow(/check/i);
  });
});
