import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import pg from 'pg';
import { createPool } from '../../apps/server/src/adapters/postgres/pool.js';
import { migrate } from '../../apps/server/src/adapters/postgres/migrate.js';
import { PgLeadImportStore } from '../../apps/server/src/adapters/postgres/lead-import.js';
import { importLeads } from '../../apps/server/src/services/import/import-leads.js';

/**
 * `npm run bench:import [-- --rows 1000000 --json]`: writes a CSV of N leads in a temp dir
 * (about 1% invalid phones, 1% repeated phones, 1% on DNC, half with a ZIP code), imports it into
 * a fresh schema of the `ringside_bench` database, and prints rows/s, seconds and memory. The RSS
 * is sampled every 100 ms during the import: a flat line while the file is far larger than the
 * RSS is what "bounded memory" means.
 */
const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    batch: { type: 'string' },
    json: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});
const ROWS = Number(values.rows);
if (!Number.isInteger(ROWS) || ROWS < 1) throw new Error('--rows must be a positive integer');
const BENCH_DB =
  process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/ringside_bench';

const AREA_CODES = [
  '212',
  '312',
  '415',
  '713',
  '303',
  '602',
  '206',
  '305',
  '404',
  '617',
  '850',
  '208',
  '907',
  '808',
  '214',
  '702',
  '503',
  '615',
  '704',
  '612',
];
const ZIPS = [
  '10001',
  '60601',
  '94103',
  '77002',
  '80202',
  '85004',
  '98101',
  '33130',
  '30303',
  '02108',
];
const FIRST = ['Ann', 'Bob', 'Cara', 'Dan', 'Eve', 'Finn', 'Gus', 'Hana'];
const LAST = ['Lee', 'Smith', 'Garcia', 'Nguyen', 'Brown', 'Khan', 'Rossi', 'Meyer'];

/** A distinct valid US number for each i < 20 * 800 * 10000. */
function phoneOf(i: number): string {
  const ac = AREA_CODES[i % AREA_CODES.length] ?? '212';
  const j = Math.floor(i / AREA_CODES.length);
  const exchange = 200 + (Math.floor(j / 10000) % 800);
  const line = String(j % 10000).padStart(4, '0');
  return `(${ac}) ${exchange}-${line}`;
}

async function writeCsv(file: string, rows: number): Promise<void> {
  const out = createWriteStream(file);
  const write = async (s: string) => {
    if (!out.write(s)) await once(out, 'drain');
  };
  await write('Phone,First Name,Last Name,Zip,Account,Notes\n');
  for (let i = 0; i < rows; i++) {
    let phone = phoneOf(i);
    if (i % 100 === 17)
      phone = 'n/a'; // invalid: rejected with a row error
    else if (i % 100 === 42 && i > 0) phone = phoneOf(i - 1); // repeats the previous row
    const zip = i % 2 === 0 ? (ZIPS[i % ZIPS.length] ?? '') : '';
    await write(
      `${phone},${FIRST[i % 8]},${LAST[(i >> 3) % 8]},${zip},A-${i},"note, with comma ${i % 7}"\n`,
    );
  }
  out.end();
  await once(out, 'finish');
}

function e164Of(i: number): string {
  const p = phoneOf(i).replace(/\D/g, '');
  return `+1${p}`;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'ringside-bench-import-'));
  const file = path.join(dir, 'leads.csv');
  const schema = `bench_import_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: BENCH_DB.replace(/\/[^/]*$/, '/postgres') });
  await admin.connect();
  const exists = await admin.query("SELECT 1 FROM pg_database WHERE datname = 'ringside_bench'");
  if (exists.rowCount === 0) await admin.query('CREATE DATABASE ringside_bench');
  await admin.end();
  const setup = createPool(BENCH_DB, { max: 1 });
  await setup.query(`CREATE SCHEMA ${schema}`);
  await setup.end();
  const pool = createPool(BENCH_DB, { schema, max: 4 });
  try {
    await migrate(pool);
    const camp = await pool.query<{ id: string }>(
      "INSERT INTO campaigns (name) VALUES ('bench') RETURNING id",
    );
    const campaignId = camp.rows[0]?.id ?? '';
    const list = await pool.query<{ id: string }>(
      "INSERT INTO lists (campaign_id, name) VALUES ($1, 'bench') RETURNING id",
      [campaignId],
    );
    const listId = list.rows[0]?.id ?? '';
    // 1% of the numbers on DNC: half system-wide, half for the campaign.
    const dnc: string[] = [];
    for (let i = 5; i < ROWS; i += 100) dnc.push(e164Of(i));
    await pool.query(
      `INSERT INTO dnc (phone, campaign_id) SELECT p, CASE WHEN n % 2 = 0 THEN NULL ELSE $2::bigint END
         FROM unnest($1::text[]) WITH ORDINALITY AS t(p, n)`,
      [dnc, campaignId],
    );

    const genStart = performance.now();
    await writeCsv(file, ROWS);
    const genS = (performance.now() - genStart) / 1000;
    const fileMb = (await stat(file)).size / 1e6;

    global.gc?.();
    const baseRssMb = process.memoryUsage().rss / 1e6;
    let peakRssMb = baseRssMb;
    const samples: number[] = [];
    const timer = setInterval(() => {
      const rss = process.memoryUsage().rss / 1e6;
      samples.push(rss);
      if (rss > peakRssMb) peakRssMb = rss;
    }, 100);
    const t0 = performance.now();
    const report = await importLeads(
      { store: new PgLeadImportStore(pool), logger: pino({ level: 'silent' }) },
      {
        listId,
        input: createReadStream(file),
        fileName: 'leads.csv',
        ...(values.batch ? { batchRows: Number(values.batch) } : {}),
      },
    );
    const seconds = (performance.now() - t0) / 1000;
    clearInterval(timer);
    const quartile = (q: number) =>
      samples[Math.min(samples.length - 1, Math.floor(samples.length * q))] ?? 0;
    const result = {
      bench: 'import',
      rows: ROWS,
      fileMb: round(fileMb),
      generateS: round(genS),
      seconds: round(seconds),
      rowsPerS: Math.round(ROWS / seconds),
      imported: report.imported,
      rejected: report.rejected,
      duplicates: report.duplicates,
      dnc: report.dnc,
      baseRssMb: round(baseRssMb),
      peakRssMb: round(peakRssMb),
      rssAt25pctMb: round(quartile(0.25)),
      rssAt50pctMb: round(quartile(0.5)),
      rssAt75pctMb: round(quartile(0.75)),
      rssAtEndMb: round(quartile(1)),
    };
    if (values.json) {
      console.log(JSON.stringify(result));
    } else {
      console.log('import benchmark');
      console.log('| metric | value |\n| --- | --- |');
      for (const [k, v] of Object.entries(result))
        if (k !== 'bench') console.log(`| ${k} | ${v} |`);
      console.log(
        `memory bounded: peak RSS ${round(peakRssMb)} MB for a ${round(fileMb)} MB file (RSS over the run: ${round(quartile(0.25))} / ${round(quartile(0.5))} / ${round(quartile(0.75))} / ${round(quartile(1))} MB)`,
      );
    }
  } finally {
    await pool.end();
    const drop = createPool(BENCH_DB, { max: 1 });
    await drop.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await drop.end();
    if (!values.keep) await rm(dir, { recursive: true, force: true });
  }
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

await main();
