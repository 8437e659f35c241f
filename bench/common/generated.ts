import type pg from 'pg';

/**
 * Generated benchmark data kept between runs: `bench_meta` in the bench's own database says
 * what each generator (by key) last loaded, so that a run can reuse it instead of loading again.
 */
const META = `CREATE TABLE IF NOT EXISTS bench_meta (key text PRIMARY KEY, value jsonb NOT NULL)`;

/** What generator `key` last loaded into this database, or null. */
export async function generatedData<T>(pool: pg.Pool, key: string): Promise<T | null> {
  await pool.query(META);
  const r = await pool.query<{ value: T }>(`SELECT value FROM bench_meta WHERE key = $1`, [key]);
  return r.rows[0]?.value ?? null;
}

/**
 * Starts generator `key`'s bulk load on `client`: what it loaded before is forgotten, and the
 * session trades durability for speed (no synchronous commit; `maintenanceWorkMem` and
 * `parallelWorkers` for the index builds).
 */
export async function beginBulkLoad(
  client: pg.PoolClient,
  key: string,
  maintenanceWorkMem: string,
  parallelWorkers: number,
): Promise<void> {
  await client.query(META);
  await client.query(`DELETE FROM bench_meta WHERE key = $1`, [key]);
  await client.query(`SET synchronous_commit = off`);
  await client.query(`SET maintenance_work_mem = '${maintenanceWorkMem}'`);
  await client.query(`SET max_parallel_maintenance_workers = ${parallelWorkers}`);
}

/** Records what generator `key` loaded (after the load succeeded). */
export async function recordGenerated(
  client: pg.PoolClient,
  key: string,
  data: unknown,
): Promise<void> {
  await client.query(`INSERT INTO bench_meta (key, value) VALUES ($1, $2)`, [key, data]);
}

/** An index as the migrations created it: its name and CREATE INDEX statement. */
export interface IndexDef {
  name: string;
  def: string;
}

/**
 * Drops `table`'s indexes that back no constraint (the primary key and unique constraints
 * stay) and returns their definitions, to rebuild them after a bulk load.
 */
export async function dropSecondaryIndexes(
  client: pg.PoolClient,
  table: string,
): Promise<IndexDef[]> {
  const idx = await client.query<IndexDef>(
    `SELECT indexname AS name, indexdef AS def FROM pg_indexes
      WHERE tablename = $1 AND schemaname = current_schema()
        AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = $1::regclass)`,
    [table],
  );
  for (const i of idx.rows) await client.query(`DROP INDEX ${i.name}`);
  return idx.rows;
}
