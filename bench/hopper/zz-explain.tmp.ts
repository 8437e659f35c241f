import { createPool } from '../../apps/server/src/adapters/postgres/pool.js';
import { TAKE_LEADS_SQL } from '../../apps/server/src/adapters/postgres/hopper-source.js';
const pool = createPool('postgres://postgres@127.0.0.1:5432/ringside_bench_hopper', { max: 1 });
const c = await pool.connect();
const keys = [
  'America/Anchorage',
  'America/Chicago',
  'America/Chicago,America/New_York',
  'America/Denver',
  'America/Denver,America/Los_Angeles',
  'America/Los_Angeles',
  'America/New_York',
  'America/Phoenix',
  'America/Puerto_Rico',
  'Pacific/Honolulu',
];
for (let i = 0; i < 3; i++) {
  await c.query('BEGIN');
  const r = await c.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT TEXT) ${TAKE_LEADS_SQL}`, [
    '2',
    ['2'],
    keys,
    500,
    6,
    ['NA', 'B'],
    [5, 4],
    new Date('2026-01-14T20:00:00Z'),
  ]);
  if (i === 2) console.log(r.rows.map((x) => x['QUERY PLAN']).join('\n'));
  await c.query('ROLLBACK');
}
c.release();
await pool.end();
