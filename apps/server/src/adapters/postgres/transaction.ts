import type pg from 'pg';

/**
 * Runs `work` on one pooled connection inside a transaction (`begin` opens it, e.g. 'BEGIN READ
 * ONLY'): COMMIT when it returns, ROLLBACK when it throws, the connection released either way.
 * Written once so no adapter forgets the rollback or the release.
 */
export async function inTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
  begin = 'BEGIN',
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query(begin);
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
