import { loadConfig } from '../../config.js';
import { createPool } from './pool.js';
import { ensureDatabase, migrate } from './migrate.js';

/** `npm run db:migrate`: creates the database if needed and applies pending migrations. */
const config = loadConfig();
await ensureDatabase(config.databaseUrl);
const pool = createPool(config.databaseUrl, { max: 1 });
try {
  const applied = await migrate(pool);
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
} finally {
  await pool.end();
}
