import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { AriRestClient } from '../../apps/server/src/adapters/asterisk/ari-client.js';
import { createPool } from '../../apps/server/src/adapters/postgres/pool.js';
import { ensureDatabase, migrate } from '../../apps/server/src/adapters/postgres/migrate.js';
import {
  createVault,
  PgRecordingRows,
  VaultKeyring,
  type EncryptedVault,
} from '../../apps/server/src/adapters/storage/index.js';
import { seal } from '../../apps/server/src/adapters/storage/sealed.js';
import { ManualClock } from '../../apps/server/src/ports/clock.js';
import { MemoryEventBus } from '../../apps/server/src/ports/fakes/memory-event-bus.js';
import { storedSegmentsOverAri } from '../../apps/server/src/roles/scheduler.js';
import { RecordingMover } from '../../apps/server/src/services/recordings/store/mover.js';
import {
  joinWavs,
  makeWav,
  parseWav,
} from '../../apps/server/src/services/recordings/store/wav.js';
import { floorIndexRank } from '../common/stats.js';
import { stopChild, waitHttp } from '../common/processes.js';
import { formatMetricTable, type MetricRow } from '../common/table.js';

/**
 * `npm run bench:recording [-- --json --runs 5 --seconds 300]`
 *
 * Moving a finished call off Asterisk (issue 15, "Speed and scale"; docs/recording.md "Storage
 * and retention"): the real mover (services/recordings/store/mover.ts) on one recording of one
 * `--seconds`-long 8 kHz 16-bit segment (300 s: 4.8 MB), end to end: claim the row, fetch the
 * file over ARI from a stand-in Asterisk, check and join it, encrypt it (AES-256-GCM, 64 KiB
 * chunks), write it to a local directory or to S3 (s3rver), mark the row, delete the segment.
 * The stand-in Asterisk and s3rver run in a child process, so the CPU measured
 * (process.cpuUsage, user + system) is the mover's alone. Also the encryption alone, in memory.
 * Goal: under 1 s of one core per call. Median of `--runs`; prints a table, or one JSON object
 * per row with --json. Uses its own database (BENCH_RECORDING_DATABASE_URL, default
 * ringside_bench_recording), ports 4574 (ARI) and 4575 (S3).
 */
const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    runs: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '300' },
  },
});
const RUNS = Math.max(1, Number(values.runs));
const SECONDS = Math.max(1, Number(values.seconds));
const GOAL_CPU_MS = 1_000;
const ARI_PORT = 4574;
const S3_PORT = 4575;
const DB_URL =
  process.env.BENCH_RECORDING_DATABASE_URL ??
  'postgres://postgres@127.0.0.1:5432/ringside_bench_recording';
const SERVER = 'bench-pbx';

const progress = (msg: string) => {
  if (!values.json) process.stderr.write(`${msg}\n`);
};

const median = (xs: number[]) => {
  return (
    floorIndexRank(
      [...xs].sort((a, b) => a - b),
      50,
    ) ?? 0
  );
};

function cpuMs(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
}

async function main(): Promise<void> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      new URL('./servers.ts', import.meta.url).pathname,
      String(ARI_PORT),
      String(S3_PORT),
      String(SECONDS),
    ],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  const dir = await mkdtemp(join(tmpdir(), 'ringside-bench-rec-'));
  await ensureDatabase(DB_URL);
  const pool = createPool(DB_URL, { max: 2 });
  const rows: MetricRow[] = [];
  try {
    await migrate(pool);
    await waitHttp(`http://127.0.0.1:${ARI_PORT}/ready`, child, 'bench servers');
    const c = await pool.query<{ id: string }>(
      `INSERT INTO campaigns (name) VALUES ($1) RETURNING id::text`,
      [`bench-rec-${randomBytes(4).toString('hex')}`],
    );
    const campaignId = c.rows[0]?.id ?? '';
    const keys = new VaultKeyring([{ id: 'bench', key: randomBytes(32) }]);
    const ari = new AriRestClient({
      baseUrl: `http://127.0.0.1:${ARI_PORT}/ari`,
      user: 'bench',
      password: 'bench',
      requestTimeoutMs: 60_000,
    });
    const targets: Array<[string, EncryptedVault]> = [
      ['local', createVault({ url: pathToFileURL(join(dir, 'local')).href, keys })],
      [
        's3',
        createVault({
          url: `s3://rec/bench?endpoint=http://127.0.0.1:${S3_PORT}`,
          keys,
          s3Credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
        }),
      ],
    ];
    const bytes = parseWav(makeWav(SECONDS * 1000)).data.length + 44;
    progress(`one ${SECONDS} s call, ${(bytes / 1e6).toFixed(1)} MB WAV, ${RUNS} runs per target`);
    for (const [name, vault] of targets) {
      const mover = new RecordingMover({
        rows: new PgRecordingRows(pool),
        segments: storedSegmentsOverAri(new Map([[SERVER, ari]])),
        vault,
        bus: new MemoryEventBus(),
        clock: new ManualClock(Date.now()),
        logger: pino({ level: 'silent' }),
      });
      const cpu: number[] = [];
      const wall: number[] = [];
      // One warm-up move (JIT, connections), then the measured ones.
      for (let i = 0; i <= RUNS; i++) {
        const callId = `bench-${randomBytes(6).toString('hex')}`;
        const r = await pool.query<{ id: string }>(
          `INSERT INTO recordings (call_id, campaign_id, server_id, state, started_at, ended_at, bridged_ms)
           VALUES ($1, $2, $3, 'pending', now() - make_interval(secs => $4), now(), $5) RETURNING id::text`,
          [callId, campaignId, SERVER, SECONDS, SECONDS * 1000],
        );
        await pool.query(
          `INSERT INTO recording_segments (recording_id, seq, bridge_id, asterisk_name, started_at, ended_at, duration_ms, state)
           VALUES ($1, 1, 'b', $2, now(), now(), $3, 'finished')`,
          [r.rows[0]?.id, `rec-${callId}-1`, SECONDS * 1000],
        );
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        const out = await mover.runOnce(1);
        const w = performance.now() - t0;
        const cp = cpuMs(c0);
        if (out[0] !== 'stored')
          throw new Error(`${name}: the move ended ${out[0] ?? 'with nothing'}`);
        if (i > 0) {
          cpu.push(cp);
          wall.push(w);
        }
      }
      const m = median(cpu);
      rows.push(
        {
          metric: `move ${SECONDS} s call to ${name}: CPU`,
          value: m,
          unit: 'ms',
          goal: `< ${GOAL_CPU_MS} ms`,
          ok: m < GOAL_CPU_MS,
        },
        { metric: `move ${SECONDS} s call to ${name}: wall`, value: median(wall), unit: 'ms' },
        {
          metric: `move ${SECONDS} s call to ${name}: CPU max`,
          value: Math.max(...cpu),
          unit: 'ms',
        },
      );
      vault.close();
    }
    // The encryption alone (join + seal, in memory).
    const wavInfo = parseWav(makeWav(SECONDS * 1000));
    const enc: number[] = [];
    for (let i = 0; i <= RUNS; i++) {
      const c0 = process.cpuUsage();
      seal(joinWavs([wavInfo]).file, keys.current);
      if (i > 0) enc.push(cpuMs(c0));
    }
    rows.push({
      metric: `join + encrypt ${SECONDS} s in memory: CPU`,
      value: median(enc),
      unit: 'ms',
    });
    rows.push({ metric: 'WAV size', value: bytes / 1e6, unit: 'MB' });
  } finally {
    await pool.query(`DELETE FROM recordings WHERE call_id LIKE 'bench-%'`).catch(() => undefined);
    await pool.end();
    await stopChild(child);
    await rm(dir, { recursive: true, force: true });
  }
  if (values.json) for (const r of rows) console.log(JSON.stringify(r));
  else
    console.log(
      formatMetricTable(rows, { valueWidth: 8, unitWidth: 3, format: (v) => v.toFixed(1) }),
    );
}

await main();
