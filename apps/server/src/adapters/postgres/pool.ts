import pg from 'pg';

export type Pool = pg.Pool;

/**
 * Opens a PostgreSQL pool. `schema` (tests use one per file) sets the search_path of every
 * connection, so the same SQL runs in an isolated schema.
 */
export function createPool(
  databaseUrl: string,
  opts: { schema?: string; max?: number; applicationName?: string } = {},
): pg.Pool {
  const options = opts.schema ? `-c search_path=${opts.schema}` : undefined;
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: opts.max ?? 10,
    options,
    application_name: opts.applicationName ?? 'ringside',
  });
  // An idle client's error (server restart) must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  return pool;
}
