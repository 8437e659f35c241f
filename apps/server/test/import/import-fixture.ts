import { beforeAll } from 'vitest';
import { useTestDb } from '../helpers/hooks.js';
import type { TestDb } from '../helpers/db.js';

export interface ImportFixture {
  db: TestDb;
  /** The ids of the campaigns made before the tests, in the order of their names. */
  campaignIds: string[];
  /** A fresh list in the first campaign, so tests do not see each other's leads. */
  newList(): Promise<string>;
}

/** The database every import test file starts from: a fresh schema holding the named campaigns. */
export function useImportFixture(label: string, campaigns: readonly string[]): ImportFixture {
  const db = useTestDb(label);
  const campaignIds: string[] = [];
  let n = 0;
  beforeAll(async () => {
    for (const name of campaigns) {
      const c = await db.pool.query<{ id: string }>(
        'INSERT INTO campaigns (name) VALUES ($1) RETURNING id',
        [name],
      );
      campaignIds.push(c.rows[0]?.id ?? '');
    }
  });
  return {
    db,
    campaignIds,
    async newList() {
      n++;
      const r = await db.pool.query<{ id: string }>(
        'INSERT INTO lists (campaign_id, name) VALUES ($1, $2) RETURNING id',
        [campaignIds[0], `list ${n}`],
      );
      return r.rows[0]?.id ?? '';
    },
  };
}
