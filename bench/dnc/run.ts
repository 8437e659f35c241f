import { randomFillSync } from 'node:crypto';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import pg from 'pg';
import { RedisKeys } from '../../apps/server/src/adapters/redis/keys.js';
import { RedisNationalDnc } from '../../apps/server/src/adapters/redis/national-dnc.js';
import { NPA_BITSET_BYTES } from '../../apps/server/src/ports/national-dnc.js';
import { createDncCache } from '../../apps/server/src/roles/dialer-parts.js';
import { importRegistryFile } from '../../apps/server/src/services/compliance/dnc-registry/import-registry.js';
import { floorIndexRank } from '../common/stats.js';
import { formatMetricTable, type MetricRow } from '../common/table.js';

/**
 * `npm run bench:dnc [-- --json --area-codes 400 --checks 200000 --keep]`
 *
 * The national DNC registry at full size (docs/dnc.md): generates a registry of `--area-codes`
 * area codes with every number registered with probability 1/16 (about 625,000 per area code,
 * 250 million for 400), writes it as the text of the registry's full files (one 10-digit number
 * a line) and streams it through the real importer (`npm run dnc:registry`'s code) into Redis,
 * then measures:
 *  - import: numbers/s and seconds of the full files, and of a change file of 100,000 lines;
 *  - memory: Redis used_memory added by the registry, this process's peak RSS;
 *  - check: the dial-time DNC check (DncCache.isBlocked: internal and campaign sets + national
 *    GETBIT), one at a time, p50/p99/max over `--checks` random numbers, half of them registered.
 * Goals: import fits in 2 GiB (Redis + importer), check p99 < 1 ms. Prints a table, or one JSON
 * object per row with --json. The registry's keys (prefix bench_dnc) are deleted at the end
 * unless --keep.
 */
const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    'area-codes': { type: 'string', default: '400' },
    checks: { type: 'string', default: '200000' },
    keep: { type: 'boolean', default: false },
  },
});
const AREA_CODES = Number(values['area-codes']);
const CHECKS = Number(values.checks);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = 'bench_dnc';
const GIB = 1024 ** 3;

const startedMs = performance.now();
const progress = (msg: string) => {
  if (!values.json) {
    process.stderr.write(`[${((performance.now() - startedMs) / 1000).toFixed(0)} s] ${msg}\n`);
  }
};

/** 400 distinct area codes 201.. (valid NANP form: 2-9 first). */
function areaCodes(n: number): string[] {
  const out: string[] = [];
  for (let a = 201; out.length < n && a <= 999; a++) if (a % 100 !== 11) out.push(String(a));
  return out;
}

/** A random bitset with each bit set with probability 1/16 (AND of four random buffers). */
function randomBitset(): Buffer {
  const b = randomFillSync(Buffer.alloc(NPA_BITSET_BYTES));
  const t = Buffer.alloc(NPA_BITSET_BYTES);
  for (let k = 0; k < 3; k++) {
    randomFillSync(t);
    for (let i = 0; i < b.length; i++) b[i]! &= t[i]!;
  }
  return b;
}

const DIGITS = Buffer.from('0123456789');

/**
 * The registry's full files as text, one area code after another, in chunks of about 1 MB;
 * `onArea` gets each generated bitset (the truth the checks sample from).
 */
function* registryText(
  npas: string[],
  onArea: (npa: string, bits: Buffer) => void,
): Generator<Buffer> {
  const CHUNK = 1 << 20;
  let out = Buffer.allocUnsafe(CHUNK + 16);
  let pos = 0;
  for (const npa of npas) {
    const bits = randomBitset();
    onArea(npa, bits);
    const p0 = npa.charCodeAt(0);
    const p1 = npa.charCodeAt(1);
    const p2 = npa.charCodeAt(2);
    for (let i = 0; i < bits.length; i++) {
      const byte = bits[i]!;
      if (byte === 0) continue;
      for (let bit = 0; bit < 8; bit++) {
        if ((byte & (0x80 >> bit)) === 0) continue;
        let line = i * 8 + bit;
        out[pos] = p0;
        out[pos + 1] = p1;
        out[pos + 2] = p2;
        for (let d = 9; d >= 3; d--) {
          out[pos + d] = DIGITS[line % 10]!;
          line = Math.floor(line / 10);
        }
        out[pos + 10] = 10;
        pos += 11;
        if (pos >= CHUNK) {
          yield out.subarray(0, pos);
          out = Buffer.allocUnsafe(CHUNK + 16);
          pos = 0;
        }
      }
    }
  }
  if (pos > 0) yield out.subarray(0, pos);
}

function popcount(b: Buffer): number {
  let n = 0;
  for (let i = 0; i < b.length; i++) {
    let x = b[i]!;
    while (x) {
      x &= x - 1;
      n++;
    }
  }
  return n;
}

const pct = (sorted: number[], p: number) => floorIndexRank(sorted, p) ?? 0;

async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0);
}

async function main(): Promise<void> {
  const redis = new Redis(REDIS_URL, { connectionName: 'bench-dnc' });
  const keys = new RedisKeys(PREFIX);
  const store = new RedisNationalDnc(redis, keys);
  const npas = areaCodes(AREA_CODES);
  const rows: MetricRow[] = [];
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 100);

  const cleanup = async () => {
    for (const npa of npas) {
      const k = keys.dncNational(npa);
      await redis.del(k.bits, k.tmp, k.part);
    }
    await redis.del(keys.dncNationalAreas);
  };
  await cleanup();
  // Interrupted (Ctrl-C, a timeout): the 500 MB registry is not left behind in Redis.
  const onSignal = () => {
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const memBefore = await usedMemory(redis);

  // 1. Full files, streamed through the importer. Keep a few bitsets for the checks' truth.
  const truth = new Map<string, Buffer>();
  let generated = 0;
  progress(`generating and importing ${npas.length} area codes ...`);
  const t0 = performance.now();
  const report = await importRegistryFile(
    store,
    registryText(npas, (npa, bits) => {
      generated += popcount(bits);
      if (truth.size < 16) truth.set(npa, bits);
      if (truth.size % 50 === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }),
    { kind: 'full', nowMs: () => Date.now() },
  );
  const fullS = (performance.now() - t0) / 1000;
  progress(`imported ${report.numbers} numbers in ${fullS.toFixed(1)} s`);
  if (!report.committed || report.numbers !== generated) {
    throw new Error(`import mismatch: ${report.numbers} imported, ${generated} generated`);
  }
  const memAfter = await usedMemory(redis);
  const registryBytes = memAfter - memBefore;
  rows.push(
    { metric: 'area codes', value: npas.length, unit: '' },
    { metric: 'numbers imported (full files)', value: report.numbers, unit: 'numbers' },
    {
      metric: 'full import (generate + parse + write), wall',
      value: Number(fullS.toFixed(1)),
      unit: 's',
    },
    {
      metric: 'full import rate',
      value: Math.round(report.numbers / fullS),
      unit: 'numbers/s',
    },
  );

  // 2. A change file: 100,000 lines, half additions, half deletions.
  const CHANGES = 100_000;
  const lines: string[] = [];
  for (let i = 0; i < CHANGES; i++) {
    const npa = npas[i % npas.length]!;
    const line = String(Math.floor(Math.random() * 1e7)).padStart(7, '0');
    lines.push(`${npa}${line},${i % 2 === 0 ? 'A' : 'D'}`);
  }
  const t1 = performance.now();
  const delta = await importRegistryFile(store, [Buffer.from(lines.join('\n') + '\n')], {
    kind: 'delta',
    nowMs: () => Date.now(),
  });
  const deltaS = (performance.now() - t1) / 1000;
  rows.push({
    metric: 'change file rate (100,000 lines)',
    value: Math.round(delta.numbers / deltaS),
    unit: 'numbers/s',
  });

  // The change file moved a few bits; the truth sample re-reads its area codes from Redis.
  for (const npa of truth.keys()) {
    const b = await redis.getBuffer(keys.dncNational(npa).bits);
    if (b) truth.set(npa, b);
  }

  // 3. Dial-time checks through the dialer's own DncCache (the pool is never used by isBlocked).
  const statsBefore = await redis.info('commandstats');
  const pool = new pg.Pool({ max: 1 });
  const dnc = createDncCache(redis, new RedisKeys(PREFIX), pool);
  const sample = [...truth.entries()];
  const lat: number[] = [];
  let wrong = 0;
  progress(`checking ${CHECKS} numbers ...`);
  for (let i = 0; i < CHECKS; i++) {
    const [npa, bits] = sample[i % sample.length]!;
    let line = Math.floor(Math.random() * 1e7);
    if (i % 2 === 0) {
      // A registered number: the next set bit from a random place.
      while ((bits[line >> 3]! & (0x80 >> (line & 7))) === 0) line = (line + 1) % 10_000_000;
    }
    const expected = (bits[line >> 3]! & (0x80 >> (line & 7))) !== 0;
    const phone = `+1${npa}${String(line).padStart(7, '0')}`;
    const s = performance.now();
    const got = await dnc.isBlocked(phone, '1');
    lat.push(performance.now() - s);
    if (got !== expected) wrong++;
  }
  lat.sort((a, b) => a - b);
  // Redis's own time per command (commandstats, the change over the checks; the Redis may be
  // shared, so no RESETSTAT): what a check costs without the client and the network.
  const statsAfter = await redis.info('commandstats');
  const usec = (cmd: string) => {
    const read = (text: string) => {
      const m = new RegExp(`cmdstat_${cmd}:calls=(\\d+),usec=(\\d+)`).exec(text);
      return { calls: Number(m?.[1] ?? 0), usec: Number(m?.[2] ?? 0) };
    };
    const a = read(statsBefore);
    const b = read(statsAfter);
    return b.calls > a.calls ? Number(((b.usec - a.usec) / (b.calls - a.calls)).toFixed(2)) : 0;
  };
  if (wrong > 0) throw new Error(`${wrong} checks answered wrong`);
  clearInterval(sampler);
  const redisTotal = await usedMemory(redis);
  rows.push(
    {
      metric: 'Redis memory of the registry',
      value: Number((registryBytes / 1024 ** 2).toFixed(0)),
      unit: 'MiB',
    },
    {
      metric: 'importer peak RSS',
      value: Number((peakRss / 1024 ** 2).toFixed(0)),
      unit: 'MiB',
    },
    {
      metric: 'registry + importer memory',
      value: Number(((registryBytes + peakRss) / GIB).toFixed(2)),
      unit: 'GiB',
      goal: '< 2 GiB',
      ok: registryBytes + peakRss < 2 * GIB,
    },
    {
      metric: 'Redis used_memory (all)',
      value: Number((redisTotal / GIB).toFixed(2)),
      unit: 'GiB',
    },
    {
      metric: `dial-time check p50 (${CHECKS})`,
      value: Number(pct(lat, 50).toFixed(3)),
      unit: 'ms',
    },
    {
      metric: 'dial-time check p99',
      value: Number(pct(lat, 99).toFixed(3)),
      unit: 'ms',
      goal: '< 1 ms',
      ok: pct(lat, 99) < 1,
    },
    { metric: 'dial-time check max', value: Number((lat.at(-1) ?? 0).toFixed(3)), unit: 'ms' },
    { metric: 'wrong answers', value: wrong, unit: '', goal: '0', ok: wrong === 0 },
    { metric: 'Redis time per GETBIT (commandstats)', value: usec('getbit'), unit: 'us' },
    { metric: 'Redis time per SISMEMBER (commandstats)', value: usec('sismember'), unit: 'us' },
    {
      metric: 'load average (1 min) at the end',
      value: Number(loadavg()[0]?.toFixed(1)),
      unit: '',
    },
  );

  if (!values.keep) await cleanup();
  await pool.end();
  redis.disconnect();

  if (values.json) {
    for (const r of rows) console.log(JSON.stringify(r));
    return;
  }
  console.log(
    formatMetricTable(rows, {
      valueWidth: 14,
      unitWidth: 9,
      format: (v) => v.toLocaleString('en-US'),
    }),
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
