/**
 * npm run bench:recording-asterisk [-- --calls 200 --seconds 60 --source sip --no-record --json]
 *
 * Issue 15, "Speed and scale": N concurrent recorded conversations on one real Asterisk (ARI_URL,
 * as `npm run test:asterisk` uses it; the deploy/asterisk configuration). Each conversation is two
 * talking parties in a mixing bridge of their own, recorded as Ringside records an agent's call
 * (POST /bridges/{id}/record, wav). Where the parties come from (`--source`):
 * - `local` (default): test customers inside Asterisk (Local/<n>@sim-customers-talking: a "hello",
 *   then a tone 300 ms on and 200 ms off): Asterisk also pays for making the audio.
 * - `sip`: SIP phones outside Asterisk, as on a floor: one sipp process (Debian's sip-tester)
 *   answers every call Asterisk places over a PJSIP endpoint the bench writes through ARI's
 *   dynamic configuration, and streams a 1400 Hz G.711 tone as RTP (bench/recording-asterisk/
 *   customer-uas.xml). Asterisk's cost is then what a floor costs it: RTP in and out, bridging and
 *   the recordings. sipp's own CPU is measured apart.
 * `--no-record` places the same conversations without recording them: the difference between a
 * run with and one without is what recording alone costs. For `--seconds` it samples Asterisk's CPU (/proc/<pid>/stat)
 * and the bytes it writes (/proc/<pid>/io), then stops every recording and checks each file:
 * RecordingFinished arrived, the stored file is a WAV whose length is the time recorded (within
 * 0.5 s). The files, channels and bridges are removed at the end (and on SIGINT).
 *
 * Asterisk must run on this machine (its pid is looked up by name). Prints a table, or with
 * --json one JSON object per row.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { AriRestClient } from '../../apps/server/src/adapters/asterisk/ari-client.js';
import { procCpuMs, procRssMb } from '../common/processes.js';
import { formatMetricTable, type MetricRow } from '../common/table.js';

const APP = 'ringside-rec-bench';
/** The tolerance of the issue's length check (file against the call's bridged time), ms. */
const LENGTH_TOLERANCE_MS = 500;

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '60' },
    source: { type: 'string', default: 'local' },
    'no-record': { type: 'boolean', default: false },
    'sip-port': { type: 'string', default: '7660' },
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
const source = values.source;
if (source !== 'local' && source !== 'sip') {
  console.error('bench:recording-asterisk: --source must be local or sip');
  process.exit(2);
}
const record = !values['no-record'];
const sipPort = Number(values['sip-port']);
if (!Number.isInteger(sipPort) || sipPort < 1024 || sipPort > 65000) {
  console.error('bench:recording-asterisk: --sip-port must be a port from 1024 to 65000');
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

/**
 * The 20 ms frames of a 16-bit PCM WAV, and how many are silent (RMS under 1 % of full scale);
 * null when it is not one.
 */
function wavQuietFrames(b: Buffer): { frames: number; silent: number } | null {
  let off = 12;
  let rate = 0;
  let bits = 0;
  while (off + 8 <= b.length) {
    const id = b.toString('ascii', off, off + 4);
    const size = b.readUInt32LE(off + 4);
    if (id === 'fmt ') {
      rate = b.readUInt32LE(off + 12);
      bits = b.readUInt16LE(off + 22);
    }
    if (id === 'data') {
      if (bits !== 16 || !rate) return null;
      const end = Math.min(b.length, off + 8 + size);
      const per = (rate / 50) * 2;
      let frames = 0;
      let silent = 0;
      for (let p = off + 8; p + per <= end; p += per) {
        let sum = 0;
        for (let q = p; q < p + per; q += 2) sum += b.readInt16LE(q) ** 2;
        frames++;
        if (Math.sqrt(sum / (per / 2)) < 327) silent++;
      }
      return { frames, silent };
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

/** The sipp customers (`--source sip`): its process, its work folder, the endpoint's name. */
const sip: { proc?: ChildProcess; dir?: string; endpoint: string } = { endpoint: `rb-${tag}` };

/**
 * Starts sipp answering on 127.0.0.1:<sip-port> (RTP from port 30000, outside Asterisk's
 * rtp.conf range), and writes the PJSIP aor and endpoint that reach it through ARI.
 */
async function startSipCustomers(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ringside-rec-bench-'));
  sip.dir = dir;
  const tone = join(dir, 'customer.wav');
  execFileSync('sox', [
    '-n',
    '-r',
    '8000',
    '-c',
    '1',
    '-e',
    'u-law',
    tone,
    'synth',
    '30',
    'sine',
    '1400',
  ]);
  const scenario = readFileSync(new URL('./customer-uas.xml', import.meta.url), 'utf8').replaceAll(
    '@TONE@',
    tone,
  );
  writeFileSync(join(dir, 'uas.xml'), scenario);
  const args = ['-sf', join(dir, 'uas.xml'), '-i', '127.0.0.1', '-p', String(sipPort)];
  args.push('-mi', '127.0.0.1', '-mp', '30000', '-nostdin', '-trace_err');
  args.push('-error_file', join(dir, 'errors.log'));
  const proc = spawn('sipp', args, { cwd: dir, stdio: 'ignore' });
  sip.proc = proc;
  await new Promise<void>((res, rej) => {
    proc.once('error', (e) =>
      rej(new Error(`sipp did not start (apt install sip-tester): ${e.message}`)),
    );
    setTimeout(res, 500);
  });
  if (proc.exitCode !== null) throw new Error(`sipp exited with ${proc.exitCode}`);
  await ari.putConfigObject('res_pjsip', 'aor', sip.endpoint, [
    { attribute: 'contact', value: `sip:127.0.0.1:${sipPort}` },
  ]);
  await ari.putConfigObject('res_pjsip', 'endpoint', sip.endpoint, [
    { attribute: 'transport', value: 'transport-udp' },
    { attribute: 'aors', value: sip.endpoint },
    { attribute: 'context', value: 'from-trunk' },
    { attribute: 'disallow', value: 'all' },
    { attribute: 'allow', value: 'ulaw' },
    { attribute: 'direct_media', value: 'no' },
    { attribute: 'rtp_symmetric', value: 'yes' },
  ]);
}

async function cleanUp(): Promise<void> {
  const quiet = () => undefined;
  for (let i = 0; i < calls; i++) {
    await Promise.all([
      ari.hangup(chan(i, 'a')).catch(quiet),
      ari.hangup(chan(i, 'b')).catch(quiet),
    ]);
    await ari.destroyBridge(bridge(i)).catch(quiet);
    if (record) await ari.deleteStoredRecording(rec(i)).catch(quiet);
  }
  if (sip.proc) {
    await ari.deleteConfigObject('res_pjsip', 'endpoint', sip.endpoint).catch(quiet);
    await ari.deleteConfigObject('res_pjsip', 'aor', sip.endpoint).catch(quiet);
    sip.proc.kill('SIGKILL');
  }
  if (sip.dir) rmSync(sip.dir, { recursive: true, force: true });
  ws.close();
}
process.on('SIGINT', () => {
  void cleanUp().then(() => process.exit(130));
});

const pid = asteriskPid();
try {
  if (source === 'sip') await startSipCustomers();
  log(
    `placing ${calls} conversations (${calls * 2} talking ${source === 'sip' ? 'SIP phones' : 'local customers'}) on ${ariUrl}${record ? '' : ', not recorded'}...`,
  );
  for (let i = 0; i < calls; i++) {
    for (const side of ['a', 'b'] as const) {
      const number = 5_550_000 + i * 2 + (side === 'a' ? 0 : 1);
      await ari.originate({
        endpoint:
          source === 'sip'
            ? `PJSIP/${number}@${sip.endpoint}`
            : `Local/${number}@sim-customers-talking`,
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
    if (record)
      await ari.recordBridge(bridge(i), { name: rec(i), format: 'wav', ifExists: 'overwrite' });
  }
  const startedUntil = Date.now() + 15_000;
  while (record && started.size < calls && Date.now() < startedUntil)
    await new Promise((r) => setTimeout(r, 100));
  log(
    `${record ? `${started.size} recordings running` : 'not recording'}; measuring ${seconds} s...`,
  );
  const cpu0 = procCpuMs(pid);
  const sipCpu0 = procCpuMs(sip.proc?.pid);
  const wb0 = writeBytes(pid);
  const t0 = Date.now();
  let rssMax = 0;
  while (Date.now() - t0 < seconds * 1000) {
    await new Promise((r) => setTimeout(r, 1000));
    rssMax = Math.max(rssMax, procRssMb(pid));
  }
  const wallS = (Date.now() - t0) / 1000;
  const cores = (procCpuMs(pid) - cpu0) / 1000 / wallS;
  const sipCores = (procCpuMs(sip.proc?.pid) - sipCpu0) / 1000 / wallS;
  const writeMBs = (writeBytes(pid) - wb0) / 1e6 / wallS;
  const stoppedAt = new Map<string, number>();
  for (let i = 0; i < calls && record; i++) {
    await ari.stopRecording(rec(i));
    stoppedAt.set(rec(i), Date.now());
  }
  const finUntil = Date.now() + 20_000;
  while (record && finished.size < calls && Date.now() < finUntil)
    await new Promise((r) => setTimeout(r, 200));
  let bad = 0;
  let worstMs = 0;
  let bytes = 0;
  let frames = 0;
  let silentFrames = 0;
  for (let i = 0; i < calls && record; i++) {
    const name = rec(i);
    const file = await ari.getStoredRecordingFile(name).catch(() => null);
    const ms = file ? wavMs(file) : null;
    const quiet = file ? wavQuietFrames(file) : null;
    if (quiet) {
      frames += quiet.frames;
      silentFrames += quiet.silent;
    }
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
  const audioRows: MetricRow[] = [
    { metric: 'asterisk CPU', value: cores, unit: 'cores' },
    { metric: 'asterisk writes', value: writeMBs, unit: 'MB/s' },
    { metric: 'asterisk RSS, max', value: rssMax, unit: 'MiB' },
    ...(source === 'sip'
      ? [{ metric: 'sipp CPU (the phones)', value: sipCores, unit: 'cores' }]
      : []),
  ];
  const rows: MetricRow[] = !record
    ? audioRows
    : [
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
        // With SIP phones both parties stream a steady tone: a silent 20 ms frame in a file is audio
        // Asterisk lost (an overloaded server drops frames first). Local customers pause by design.
        ...(source === 'sip'
          ? [
              {
                metric: 'silent 20 ms frames in the files',
                value: frames ? (100 * silentFrames) / frames : NaN,
                unit: '%',
                goal: '< 1',
                ok: frames > 0 && silentFrames / frames < 0.01,
              },
            ]
          : []),
        ...audioRows,
        { metric: 'recorded, all files', value: bytes / 1e6, unit: 'MB' },
      ];
  if (values.json) {
    for (const r of rows)
      process.stdout.write(
        `${JSON.stringify({ bench: 'recording-asterisk', calls, seconds, source, record, load1: Number(loadAvg), ...r })}\n`,
      );
  } else {
    process.stdout.write(
      `${calls} concurrent ${record ? 'recorded' : 'unrecorded'} conversations (${source}) for ${seconds} s (load ${loadAvg} at the end)\n`,
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
