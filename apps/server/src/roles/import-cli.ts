import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { createPool } from '../adapters/postgres/pool.js';
import { ensureDatabase, migrate } from '../adapters/postgres/migrate.js';
import { RingsideError } from '../errors.js';
import { PgLeadImportStore } from '../adapters/postgres/lead-import.js';
import { importLeads, type ImportReport } from '../services/import/import-leads.js';
import type { ColumnMapping } from '../services/import/mapping.js';
import { runIfMain } from './cli.js';

/**
 * `npm run import -- file.csv --list N [--map phone=Phone,first_name=First] [--country US] [--json]`
 * Imports a CSV file into list N and prints the report. Exit code 0 when the file was imported
 * (even with rejected rows), 1 when nothing was imported.
 */
const USAGE =
  'usage: npm run import -- <file.csv> --list <listId> [--map field=Header,...] [--country US] [--json]';

/** Parses `phone=Phone,alt_phones=Cell,alt_phones=Work` into a mapping. */
export function parseMapArg(values: string[]): ColumnMapping {
  const mapping: Record<string, string | string[]> = {};
  for (const pair of values.flatMap((v) => v.split(','))) {
    if (pair.trim() === '') continue;
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`--map: "${pair}" is not field=Header`);
    const field = pair.slice(0, eq).trim();
    const header = pair.slice(eq + 1).trim();
    const prev = mapping[field];
    if (field === 'alt_phones')
      mapping[field] = [...(Array.isArray(prev) ? prev : prev ? [prev] : []), header];
    else mapping[field] = header;
  }
  return mapping as ColumnMapping;
}

export function formatReport(r: ImportReport): string {
  const lines = [
    `import job ${r.jobId} into list ${r.listId}${r.fileName ? ` (${r.fileName})` : ''}`,
    `  rows        ${r.rowsTotal}`,
    `  imported    ${r.imported}`,
    `  rejected    ${r.rejected}`,
    `  duplicates  ${r.duplicates}`,
    `  dnc         ${r.dnc}`,
    `  time zones  postal_code ${r.timeZones.postal_code}, area_code ${r.timeZones.area_code}, manual ${r.timeZones.manual}, unknown ${r.timeZones.unknown}`,
    `  mapping     ${Object.entries(r.mapping)
      .map(([f, h]) => `${f}=${Array.isArray(h) ? h.join('+') : h}`)
      .join(', ')}`,
    `  seconds     ${(r.durationMs / 1000).toFixed(2)}`,
  ];
  if (r.errors.length > 0) {
    lines.push(`rejected rows${r.errorsTruncated ? ` (first ${r.errors.length})` : ''}:`);
    for (const e of r.errors)
      lines.push(`  row ${e.row}${e.column ? `, column ${e.column}` : ''}: ${e.reason}`);
  }
  if (r.warnings.length > 0) {
    lines.push('warnings:');
    for (const w of r.warnings)
      lines.push(`  row ${w.row}${w.column ? `, column ${w.column}` : ''}: ${w.reason}`);
  }
  return lines.join('\n');
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      list: { type: 'string' },
      map: { type: 'string', multiple: true },
      country: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  const file = positionals[0];
  if (values.help || !file || !values.list) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  await stat(file); // a missing file is a plain error before any database work
  const config = loadConfig();
  const logger = createLogger('error', 'import');
  await ensureDatabase(config.databaseUrl);
  const pool = createPool(config.databaseUrl, { max: 2 });
  try {
    await migrate(pool);
    const report = await importLeads(
      { store: new PgLeadImportStore(pool), logger },
      {
        listId: values.list,
        input: createReadStream(file),
        fileName: path.basename(file),
        mapping: parseMapArg(values.map ?? []),
        defaultCountry: values.country ?? 'US',
      },
    );
    console.log(values.json ? JSON.stringify(report) : formatReport(report));
    return 0;
  } catch (err) {
    if (err instanceof RingsideError) {
      console.error(`import failed: ${err.message}`);
      return 1;
    }
    throw err;
  } finally {
    await pool.end();
  }
}

runIfMain(import.meta.url, 'import', main);
