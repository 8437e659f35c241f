import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createGunzip } from 'node:zlib';
import { connectRedis } from '../adapters/redis/connect.js';
import { loadConfig } from '../config.js';
import { RedisKeys } from '../adapters/redis/keys.js';
import { RedisNationalDnc } from '../adapters/redis/national-dnc.js';
import { runIfMain } from './cli.js';
import {
  importRegistryFile,
  type RegistryFileKind,
  type RegistryImportReport,
} from '../services/compliance/dnc-registry/import-registry.js';

/**
 * `npm run dnc:registry -- [--full F]... [--delta F]... [--add F]... [--delete F]...
 *   [--area-codes 212,646] [--max-invalid N] [--json]`, or `npm run dnc:registry -- status`.
 * Imports national DNC registry files into Redis (docs/dnc.md): full files first, then the change
 * files in the order given. `.gz` files are read through gunzip. Exit code 0 when every file was
 * applied with no invalid line, 1 otherwise, 2 on a usage error.
 */
const USAGE =
  'usage: npm run dnc:registry -- [--full FILE]... [--delta FILE]... [--add FILE]... [--delete FILE]... [--area-codes 212,646] [--max-invalid N] [--json]\n' +
  '       npm run dnc:registry -- status [--json]';

export function formatRegistryReport(file: string, r: RegistryImportReport): string {
  const lines = [
    `${r.kind} ${file}: ${r.numbers} numbers in ${r.areaCodes.length} area codes, ${r.invalid} invalid lines, ${(r.durationMs / 1000).toFixed(1)} s${r.committed ? '' : ' - NOT applied (too many invalid lines; the registry is unchanged)'}`,
  ];
  for (const e of r.errors) lines.push(`  line ${e.line}: ${e.reason}`);
  return lines.join('\n');
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      full: { type: 'string', multiple: true },
      delta: { type: 'string', multiple: true },
      add: { type: 'string', multiple: true },
      delete: { type: 'string', multiple: true },
      'area-codes': { type: 'string' },
      'max-invalid': { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  const files: { kind: RegistryFileKind; file: string }[] = [
    ...(values.full ?? []).map((file) => ({ kind: 'full' as const, file })),
    ...(values.delta ?? []).map((file) => ({ kind: 'delta' as const, file })),
    ...(values.add ?? []).map((file) => ({ kind: 'add' as const, file })),
    ...(values.delete ?? []).map((file) => ({ kind: 'delete' as const, file })),
  ];
  const status = positionals[0] === 'status';
  if (values.help || (!status && (files.length === 0 || positionals.length > 0))) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  const maxInvalid = Number(values['max-invalid'] ?? '0');
  if (!Number.isInteger(maxInvalid) || maxInvalid < 0) {
    console.error('--max-invalid must be a whole number >= 0');
    return 2;
  }
  const areaCodes = values['area-codes']
    ?.split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const a of areaCodes ?? []) {
    if (!/^[2-9][0-9]{2}$/.test(a)) {
      console.error(`--area-codes: "${a}" is not an area code (3 digits, 2-9 first)`);
      return 2;
    }
  }
  for (const f of files) await stat(f.file); // a missing file fails before any write

  const config = loadConfig();
  const redis = connectRedis(config, {
    connectionName: `${config.redisPrefix}:dnc-registry`,
  });
  const store = new RedisNationalDnc(redis, new RedisKeys(config.redisPrefix));
  try {
    if (status) {
      const areas = await store.areaCodes();
      let total = 0;
      for (const [npa, a] of areas) {
        total += a.numbers;
        if (values.json) console.log(JSON.stringify({ areaCode: npa, ...a }));
        else console.log(`${npa}  ${a.numbers}  ${new Date(a.importedAtMs).toISOString()}`);
      }
      if (!values.json) console.log(`${areas.size} area codes, ${total} numbers`);
      return 0;
    }
    let ok = true;
    for (const f of files) {
      const raw = createReadStream(f.file);
      const input = f.file.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
      const report = await importRegistryFile(store, input, {
        kind: f.kind,
        ...(f.kind === 'full' && areaCodes ? { areaCodes } : {}),
        maxInvalid,
        nowMs: () => Date.now(),
      });
      if (report.invalid > 0 || !report.committed) ok = false;
      console.log(
        values.json
          ? JSON.stringify({ file: path.basename(f.file), ...report })
          : formatRegistryReport(path.basename(f.file), report),
      );
    }
    return ok ? 0 : 1;
  } finally {
    redis.disconnect();
  }
}

runIfMain(import.meta.url, 'dnc registry import', main);
