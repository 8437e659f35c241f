/**
 * npm run bench:recording-asterisk [-- --calls 200 --seconds 60 --json]
 *
 * Issue 15, "Speed and scale": N concurrent recorded conversations on one real Asterisk (ARI_URL,
 * as `npm run test:asterisk` uses it; the deploy/asterisk configuration). Each conversation is two
 * talking test customers (Local/<n>@sim-customers-talking: a "hello", then a tone 300 ms on and
 * 200 ms off) in a mixing bridge of their own, recorded as Ringside records an agent's call
 * (POST /bridges/{id}/record, wav). For `--seconds` it samples Asterisk's CPU (/proc/<pid>/stat)
 * and the bytes it writes (/proc/<pid>/io), then stops every recording and checks each file:
 * RecordingFinished arrived, the stored file is a WAV whose length is the time recorded (within
 * 0.5 s). The files, channels and bridges are removed at the end (and on SIGINT).
 *
 * Asterisk must run on this machine (its pid is looked up by name). Prints a table, or with
 * --json one JSON object per row.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { AriRestClient } from '../../apps/server/src/adapters/asterisk/ari-client.js';
import { procCpuMs, procRssMb } from '../common/processes.js';
import { formatMetricTable, type MetricRow } from '../common/table.js';

const APP = 'ringside-rec-bench';
/** The tolerance of the length check (file against the call's bridged time), ms. */
const LENGTH_TOLERANCE_MS = 500;

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '60' },
    json: { type: 'boolean', default: false },
  },
});
const calls = Number(values.calls);
const seconds = Number(values.seconds);
if (!Number.isInteger(calls) || calls < 1 || calls > 1000) {
  console.error('bench:recording-asterisk: --calls must be a whole number from 1 to 1000');
  process.exit(2);
}
if (!Number.isFinite(seconds) || seconds < 5 || seconds > 3600) {
  console.error('bench:recording-asterisk: --seconds must be from 5 to 3600');
  process.exit(2);
}
const ariUrl = process.env.ARI_URL;
if (!ariUrl) {
  console.error(
    'bench:recording-asterisk: set ARI_URL (a real Asterisk, e.g. http://127.0.0.1:8088/ari)',
  );
  process.exit(2);
}
const user = process.env.ARI_USER ?? 'ringside';
const password = process.env.ARI_PASSWORD ?? 'ringside';
const log = (s: string) => process.stderr.write(`bench:recording-asterisk: ${s}\n`);

function asteriskPid(): number {
  const out = execFileSync('pgrep', ['-o', '-x', 'asterisk'], { encoding: 'utf8' }).trim();
  const pid = Number(out.split('\n')[0]);
  if (!Number.isInteger(pid)) throw new Error('no asterisk process on this machine');
  return pid;
}

/** Bytes the process has written to storage so far (/proc/<pid>/io write_bytes). */
function writeBytes(pid: number): number {
  const m = /write_bytes:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/io`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

/** The length of a PCM WAV, ms, from its fmt and data chunks; null when it is not one. */
function wavMs(b: Buffer): number | null {
  if (
    b.length < 12 ||
    b.toString('ascii', 0, 4) !== 'RIFF' ||
    b.toString('ascii', 8, 12) !== 'WAVE'
  )
    return null;
  let off = 12;
  let byteRate = 0;
  while (off + 8 <= b.length) {
    const id = b.toString('ascii', off, off + 4);
    const size = b.readUInt32LE(off + 4);
    if (id === 'fmt ') byteRate = b.readUInt32LE(off + 16);
    if (id === 'data') {
      if (!byteRate) return null;
      const bytes = Math.min(size, b.length - off - 8);
      return (bytes / byteRate) * 1000;
    }
    off += 8 + size + (size % 2);
  }
  return null;
}

const ari = new AriRestClient({ baseUrl: ariUrl, user, password, maxInFlight: 32 });
const finished = new Map<string, number>();
const started = new Map<string, number>();
const inStasis = new Set<string>();
const wsUrl = new URL(`${ariUrl.replace(/^http/, 'ws')}/events`);
wsUrl.searchParams.set('app', APP);
wsUrl.searchParams.set('api_key', `${user}:${password}`);
const ws = new WebSocket(wsUrl);
ws.on('message', (data: Buffer) => {
  const e = JSON.parse(data.toString('utf8')) as {
    type: string;
    channel?: { id: string };
    recording?: { name: string; duration?: number };
  };
  if (e.type === 'StasisStart' && e.channel) inStasis.add(e.channel.id);
  if (e.type === 'RecordingStarted' && e.recording) started.set(e.recording.name, Date.now());
  if (e.type === 'RecordingFinished' && e.recording)
    finished.set(e.recording.name, e.recording.duration ?? -1);
});
await new Promise<void>((res, rej) => {
  ws.once('open', () => res());
  ws.once('error', rej);
});

const tag = Math.random().toString(36).slice(2, 8);
const chan = (i: number, side: 'a' | 'b') => `rb-${tag}-${i}-${side}`;
const bridge = (i: number) => `rb-${tag}-${i}`;
const rec = (i: number) => `rb-${tag}-${i}`;

async function cleanUp(): Promise<void> {
  const quiet = () => undefined;
  for (let i = 0; i < calls; i++) {
    await Promise.all([
      ari.hangup(chan(i, 'a')).catch(quiet),
      ari.hangup(chan(i, 'b')).catch(quiet),
    ]);
    await ari.destroyBridge(bridge(i)).catch(quiet);
    await ari.deleteStoredRecording(rec(i)).catch(quiet);
  }
  ws.close();
}
process.on('SIGINT', () => {
  void cleanUp().then(() => process.exit(130));
});

const pid = asteriskPid();
try {
  log(`placing ${calls} conversations (${calls * 2} talking customers) on ${ariUrl}...`);
  for (let i = 0; i < calls; i++) {
    for (const side of ['a', 'b'] as const) {
      await ari.originate({
        endpoint: `Local/${5_550_000 + i * 2 + (side === 'a' ? 0 : 1)}@sim-customers-talking`,
        app: APP,
        channelId: chan(i, side),
      });
    }
    await ari.createBridge(bridge(i), 'mixing');
  }
  const until = Date.now() + 30_000;
  while (inStasis.size < calls * 2 && Date.now() < until)
    await new Promise((r) => setTimeout(r, 200));
  if (inStasis.size < calls * 2)
    throw new Error(`only ${inStasis.size} of ${calls * 2} customers answered`);
  for (let i = 0; i < calls; i++) {
    await ari.addChannel(bridge(i), [chan(i, 'a'), chan(i, 'b')]);
    await ari.recordBridge(bridge(i), { name: rec(i), format: 'wav', ifExists: 'overwrite' });
  }
  const startedUntil = Date.now() + 15_000;
  while (started.size < calls && Date.now() < startedUntil)
    await new Promise((r) => setTimeout(r, 100));
  log(`${started.size} recordings running; measuring ${seconds} s...`);
  const cpu0 = procCpuMs(pid);
  const wb0 = writeBytes(pid);
  const t0 = Date.now();
  let rssMax = 0;
  while (Date.now() - t0 < seconds * 1000) {
    await new Promise((r) => setTimeout(r, 1000));
    rssMax = Math.max(rssMax, procRssMb(pid));
  }
  const wallS = (Date.now() - t0) / 1000;
  const cores = (procCpuMs(pid) - cpu0) / 1000 / wallS;
  const writeMBs = (writeBytes(pid) - wb0) / 1e6 / wallS;
  const stoppedAt = new Map<string, number>();
  for (let i = 0; i < calls; i++) {
    await ari.stopRecording(rec(i));
    stoppedAt.set(rec(i), Date.now());
  }
  const finUntil = Date.now() + 20_000;
  while (finished.size < calls && Date.now() < finUntil)
    await new Promise((r) => setTimeout(r, 200));
  let bad = 0;
  let worstMs = 0;
  let bytes = 0;
  for (let i = 0; i < calls; i++) {
    const name = rec(i);
    const file = await ari.getStoredRecordingFile(name).catch(() => null);
    const ms = file ? wavMs(file) : null;
    const expected = (stoppedAt.get(name) ?? 0) - (started.get(name) ?? 0);
    if (file) bytes += file.length;
    if (ms === null || !started.has(name)) {
      bad++;
      continue;
    }
    const off = Math.abs(ms - expected);
    worstMs = Math.max(worstMs, off);
    if (off > LENGTH_TOLERANCE_MS) bad++;
  }
  const loadAvg = readFileSync('/proc/loadavg', 'utf8').split(' ')[0] ?? '';
  const rows: MetricRow[] = [
    {
      metric: 'recordings started',
      value: started.size,
      unit: 'count',
      goal: `= ${calls}`,
      ok: started.size === calls,
    },
    {
      metric: 'recordings finished',
      value: finished.size,
      unit: 'count',
      goal: `= ${calls}`,
      ok: finished.size === calls,
    },
    {
      metric: 'files wrong or off by > 0.5 s',
      value: bad,
      unit: 'count',
      goal: '= 0',
      ok: bad === 0,
    },
    { metric: 'worst length difference', value: worstMs, unit: 'ms' },
    { metric: 'asterisk CPU', value: cores, unit: 'cores' },
    { metric: 'asterisk writes', value: writeMBs, unit: 'MB/s' },
    { metric: 'asterisk RSS, max', value: rssMax, unit: 'MiB' },
    { metric: 'recorded, all files', value: bytes / 1e6, unit: 'MB' },
  ];
  if (values.json) {
    for (const r of rows)
      process.stdout.write(
        `${JSON.stringify({ bench: 'recording-asterisk', calls, seconds, load1: Number(loadAvg), ...r })}\n`,
      );
  } else {
    process.stdout.write(
      `${calls} concurrent recorded conversations for ${seconds} s (load ${loadAvg} at the end)\n`,
    );
    process.stdout.write(
      `${formatMetricTable(rows, { valueWidth: 10, unitWidth: 6, format: (v) => (Number.isInteger(v) ? String(v) : v.toFixed(2)) })}\n`,
    );
  }
  process.exitCode = rows.every((r) => r.ok !== false) ? 0 : 1;
} finally {
  await cleanUp();
  ari.close();
}
