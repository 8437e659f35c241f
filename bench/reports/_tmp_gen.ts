import { createPool } from '/work/main/apps/server/src/adapters/postgres/pool.js';
import { ensureDatabase, migrate } from '/work/main/apps/server/src/adapters/postgres/migrate.js';
import { existing, generate } from '/work/main/bench/reports/generate.js';
const url = process.argv[2]!; const calls = Number(process.argv[3]); const logs = Number(process.argv[4]);
await ensureDatabase(url);
const pool = createPool(url, { max: 2 });
await migrate(pool);
if (!(await existing(pool, calls, logs))) await generate(pool, calls, logs, (m) => console.log(new Date().toISOString(), m));
await pool.end();
