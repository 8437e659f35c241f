import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Redis } from 'ioredis';
import WebSocket from 'ws';
import { chromium } from 'playwright-core';
import { AriRestClient } from '../../src/adapters/asterisk/ari-client.js';
import { telephonyHealth } from '../../src/adapters/asterisk/telephony-health.js';
import { loadConfig, type AriServerConfig, type Config } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { systemClock } from '../../src/ports/clock.js';
import type { RoleContext, RunningRole } from '../../src/roles/context.js';
import type { SeedDemoResult } from '../../src/adapters/postgres/demo-seed.js';
import { TEST_DATABASE_URL, type TestDb } from '../helpers/db.js';
import { TEST_REDIS_URL, testRedisPrefix } from '../helpers/redis.js';
import {
  CHROMIUM_FLAGS,
  chromiumPath,
  ensureWebBuild,
  freePort,
  seedSystem,
  startAllRoles,
  startFront,
  type FrontServer,
} from '../e2e/system.js';

/**
 * The whole system against the real Asterisk named by ARI_URL (npm run test:asterisk): every
 * server role in this process, on a fresh schema and Redis prefix, customers dialed as
 * Local/<digits>@<customerContext> (deploy/asterisk/extensions.conf), and the front server that
 * serves the built agent panel. Nothing here is simulated: Asterisk rings every line.
 */

export interface RealSystemOptions {
  agents?: number;
  leads?: number;
  /** Campaign columns to set after the seed (SQL column = value). */
  campaign?: Record<string, string | number | boolean>;
  /** Dialplan context of the test customers. Default sim-customers. */
  customerContext?: string;
  /** Extra environment for the roles' configuration. */
  env?: Record<string, string>;
  /** Start of the schema's and the Redis prefix's names. Default real. */
  name?: string;
}

export interface RealSystem {
  db: TestDb;
  seed: SeedDemoResult;
  config: Config;
  ari: AriRestClient;
  server: AriServerConfig;
  apiUrl: string;
  front: FrontServer;
  redisPrefix: string;
  /** Stops one role by name (ari-worker, scheduler, dialer, api). */
  stopRole(name: string): Promise<void>;
  /** Stops the roles (in reverse order of start); stop() also drops the schema. */
  stopRoles(): Promise<void>;
  stop(): Promise<void>;
}

/** The ARI server the suite runs against (ARI_URL, ARI_USER, ARI_PASSWORD, ARI_APP). */
export function realAriServer(): AriServerConfig {
  const server = loadConfig().ari[0];
  if (!server) throw new Error('ARI_URL is not set: the real-telephony suite needs an Asterisk');
  return server;
}

export async function startRealSystem(opts: RealSystemOptions = {}): Promise<RealSystem> {
  const server = realAriServer();
  const { db, seed } = await seedSystem(opts.name ?? 'real', opts);
  const apiPort = await freePort();
  const redisPrefix = testRedisPrefix(opts.name ?? 'real');
  const host = new URL(server.baseUrl).hostname;
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATABASE_URL: TEST_DATABASE_URL,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: redisPrefix,
    HTTP_PORT: String(apiPort),
    ARI_URL: server.baseUrl,
    ARI_USER: server.user,
    ARI_PASSWORD: server.password,
    ARI_APP: server.app,
    ARI_DIAL_TEMPLATE: `Local/{digits}@${opts.customerContext ?? 'sim-customers'}`,
    SIP_WSS_URL: process.env.SIP_WSS_URL ?? `wss://${host}:8089/ws`,
    ...opts.env,
  });
  const logger = createLogger(config.logLevel);
  const ctx: RoleContext = {
    config,
    logger,
    pool: db.pool,
    clock: systemClock,
    ariServers: config.ari,
  };
  const running: RunningRole[] = [];
  const stopRoles = async () => {
    for (const r of running.splice(0).reverse()) await r.stop().catch(() => undefined);
  };
  try {
    await startAllRoles(ctx, running);
  } catch (err) {
    await stopRoles();
    await db.drop();
    throw err;
  }
  ensureWebBuild();
  const front = await startFront(apiPort);
  return {
    db,
    seed,
    config,
    server,
    ari: new AriRestClient(server),
    apiUrl: `http://127.0.0.1:${apiPort}`,
    front,
    redisPrefix,
    stopRoles,
    async stopRole(name: string) {
      const i = running.findIndex((r) => r.name === name);
      const [role] = i >= 0 ? running.splice(i, 1) : [];
      await role?.stop();
    },
    async stop() {
      await front.close();
      for (const s of config.ari) await hangUpOwnLines(s, redisPrefix);
      await stopRoles();
      await db.drop();
    },
  };
}

/**
 * Chromium with a fake microphone that plays `audioFile` (a WAV) when given, and that accepts
 * the test Asterisk's self-signed certificate for its WSS phone server unless `trustCert` is
 * false (a browser that refuses it, as an agent's would without a proper certificate).
 */
export async function launchRealChromium(
  audioFile?: string,
  opts: { trustCert?: boolean } = {},
): Promise<Browser> {
  const args = [...CHROMIUM_FLAGS, '--autoplay-policy=no-user-gesture-required'];
  if (opts.trustCert !== false) args.push('--ignore-certificate-errors');
  if (audioFile) args.push(`--use-file-for-fake-audio-capture=${audioFile}`);
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args });
}

/**
 * Hangs up the phone lines this system's agents still have on Asterisk server `server` and
 * destroys their bridges: bridges are named after agent ids (agent-3), which the next run's fresh
 * schema gives out again, and a browser closed without a BYE leaves its channel up until Asterisk
 * notices. Run for each server of a fleet (a line or bridge the server does not have: ignored).
 */
async function hangUpOwnLines(server: AriServerConfig, prefix: string): Promise<void> {
  const redis = new Redis(TEST_REDIS_URL);
  const ari = new AriRestClient(server);
  try {
    for (const id of await redis.smembers(`${prefix}:{agents}:all`)) {
      const s = await redis.hgetall(`${prefix}:{agents}:status:${id}`);
      if (s.legChannelId) await ari.hangup(s.legChannelId).catch(() => undefined);
      if (s.bridgeId) await ari.destroyBridge(s.bridgeId).catch(() => undefined);
    }
  } finally {
    redis.disconnect();
    ari.close();
  }
}

/** Channels Asterisk has now (ids and names). */
export async function asteriskChannels(
  ari: AriRestClient,
): Promise<Array<{ id: string; name: string }>> {
  return (await ari.listChannels()).map((c) => ({ id: c.id, name: c.name }));
}

/** Parsed 16-bit PCM WAV: its sample rate and samples. */
export function readWav(buf: Buffer): { rate: number; samples: Int16Array } {
  let off = 12;
  let rate = 8000;
  while (off + 8 <= buf.length) {
    const id = buf.toString('ascii', off, off + 4);
    const size = buf.readUInt32LE(off + 4);
    if (id === 'fmt ') rate = buf.readUInt32LE(off + 12);
    if (id === 'data') {
      const n = Math.floor(Math.min(size, buf.length - off - 8) / 2);
      const samples = new Int16Array(n);
      for (let i = 0; i < n; i++) samples[i] = buf.readInt16LE(off + 8 + i * 2);
      return { rate, samples };
    }
    off += 8 + size + (size % 2);
  }
  throw new Error('not a PCM WAV file');
}

/**
 * The amplitude (16-bit units) of the component at `freqHz` in `samples` (Goertzel): about A for
 * a tone A·sin(2πft) present all the time, about 0.6·A for one on 300 ms of every 500 ms.
 */
export function toneAmplitude(samples: Int16Array, rate: number, freqHz: number): number {
  const w = (2 * Math.PI * freqHz) / rate;
  const coeff = 2 * Math.cos(w);
  let s1 = 0;
  let s2 = 0;
  for (const x of samples) {
    const s0 = x + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  return (2 * Math.sqrt(Math.max(power, 0))) / Math.max(samples.length, 1);
}

const basic = (s: AriServerConfig) =>
  `Basic ${Buffer.from(`${s.user}:${s.password}`).toString('base64')}`;

/**
 * What a channel hears on the real Asterisk: a snoop on the audio Asterisk sends to it
 * (spy=out), recorded for `seconds` under a probe ARI application of its own (Ringside's
 * application never sees it), fetched as WAV, and the amplitude at each frequency returned.
 */
export async function whatChannelHears(
  server: AriServerConfig,
  channelId: string,
  freqsHz: number[],
  seconds = 3,
): Promise<Record<number, number>> {
  const app = 'ringside-probe';
  const ws = new WebSocket(
    `${server.baseUrl.replace(/^http/, 'ws')}/events?app=${app}&api_key=${encodeURIComponent(
      `${server.user}:${server.password}`,
    )}`,
  );
  const events: Array<{ type: string; recording?: { name?: string }; channel?: { id?: string } }> =
    [];
  ws.on('message', (d: Buffer) => events.push(JSON.parse(d.toString('utf8')) as never));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const id = `probe-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6)}`;
  const req = async (method: string, p: string, query: Record<string, string> = {}) => {
    const u = new URL(`${server.baseUrl}${p}`);
    for (const [k, v] of Object.entries(query)) u.searchParams.set(k, v);
    const r = await fetch(u, { method, headers: { authorization: basic(server) } });
    if (r.status >= 400) throw new Error(`${method} ${p}: HTTP ${r.status} ${await r.text()}`);
    return r;
  };
  try {
    await req('POST', `/channels/${encodeURIComponent(channelId)}/snoop`, {
      spy: 'out',
      app,
      snoopId: id,
    });
    // The snoop enters the probe's application a moment after the POST answers: recording
    // before its StasisStart is a 409 "Channel not in Stasis application".
    const entered = Date.now() + 5_000;
    while (
      !events.some((e) => e.type === 'StasisStart' && e.channel?.id === id) &&
      Date.now() < entered
    )
      await new Promise((r) => setTimeout(r, 20));
    await req('POST', `/channels/${id}/record`, {
      name: id,
      format: 'wav',
      maxDurationSeconds: String(seconds),
      ifExists: 'overwrite',
    });
    const until = Date.now() + (seconds + 5) * 1000;
    while (
      !events.some((e) => e.type === 'RecordingFinished' && e.recording?.name === id) &&
      Date.now() < until
    )
      await new Promise((r) => setTimeout(r, 100));
    await req('DELETE', `/channels/${id}`).catch(() => undefined);
    const file = Buffer.from(
      await (await req('GET', `/recordings/stored/${id}/file`)).arrayBuffer(),
    );
    await req('DELETE', `/recordings/stored/${id}`).catch(() => undefined);
    const { rate, samples } = readWav(file);
    const out: Record<number, number> = {};
    for (const f of freqsHz) out[f] = Math.round(toneAmplitude(samples, rate, f));
    return out;
  } finally {
    ws.close();
  }
}

/** The voices of the audio tests: tones that a Goertzel filter tells apart. */
export const AGENT_HZ = 440;
export const SUPERVISOR_HZ = 1000;
/** sim-customers-talking's tone (deploy/asterisk/extensions.conf). */
export const CUSTOMER_HZ = 1400;

/**
 * A mono 16-bit WAV of a tone, 300 ms on and 200 ms off (a steady tone would be taken for noise
 * by the browser's noise suppression): a fake microphone for Chromium.
 */
export function toneWav(freqHz: number, seconds: number): string {
  const rate = 48_000;
  const n = rate * seconds;
  const buf = Buffer.alloc(44 + n * 2);
  buf.write('RIFF', 0);
  buf.writeUInt32LE(36 + n * 2, 4);
  buf.write('WAVEfmt ', 8);
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20);
  buf.writeUInt16LE(1, 22);
  buf.writeUInt32LE(rate, 24);
  buf.writeUInt32LE(rate * 2, 28);
  buf.writeUInt16LE(2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36);
  buf.writeUInt32LE(n * 2, 40);
  for (let i = 0; i < n; i++) {
    const on = i % (rate / 2) < (rate * 3) / 10;
    const v = on ? Math.round(8_000 * Math.sin((2 * Math.PI * freqHz * i) / rate)) : 0;
    buf.writeInt16LE(v, 44 + i * 2);
  }
  const file = path.join(os.tmpdir(), `ringside-tone-${freqHz}-${process.pid}.wav`);
  writeFileSync(file, buf);
  return file;
}

/**
 * The parts of the browser's WebRTC and Web Audio objects these helpers use (the server's
 * TypeScript project has no DOM library; these functions run in the page).
 */
interface PeerConnectionLike {
  connectionState: string;
  getStats(): Promise<Map<string, Record<string, unknown>>>;
  getReceivers(): Array<{ track: { kind: string } }>;
}
interface AnalyserLike {
  fftSize: number;
  smoothingTimeConstant: number;
  frequencyBinCount: number;
  getFloatFrequencyData(bins: Float32Array): void;
}
interface AudioContextLike {
  sampleRate: number;
  resume(): Promise<void>;
  close(): Promise<void>;
  createMediaStreamSource(stream: unknown): { connect(node: AnalyserLike): void };
  createAnalyser(): AnalyserLike;
}
interface PageGlobals {
  __pcs: PeerConnectionLike[];
  RTCPeerConnection: new (cfg?: unknown) => PeerConnectionLike;
  AudioContext: new () => AudioContextLike;
  MediaStream: new (tracks: unknown[]) => unknown;
  performance: { now(): number };
}

/** Makes every page of the context keep its RTCPeerConnections in `__pcs` (for inboundAudio). */
export async function recordPeerConnections(ctx: BrowserContext): Promise<void> {
  await ctx.addInitScript(() => {
    const w = globalThis as unknown as PageGlobals;
    w.__pcs = [];
    const Original = w.RTCPeerConnection;
    w.RTCPeerConnection = class extends Original {
      constructor(cfg?: unknown) {
        super(cfg);
        w.__pcs.push(this);
      }
    };
  });
}

export interface InboundAudio {
  packetsReceived: number;
  totalAudioEnergy: number;
  codec: string;
}

/** The inbound audio of every RTCPeerConnection the page made, most packets first. */
export async function inboundAudio(p: Page): Promise<InboundAudio[]> {
  const all = await p.evaluate(async () => {
    const w = globalThis as unknown as PageGlobals;
    const out: Array<{ packetsReceived: number; totalAudioEnergy: number; codec: string }> = [];
    for (const pc of w.__pcs) {
      if (pc.connectionState === 'closed') continue;
      const stats = await pc.getStats();
      stats.forEach((s) => {
        if (s.type !== 'inbound-rtp' || s.kind !== 'audio') return;
        const codec = stats.get(String(s.codecId)) as { mimeType?: string } | undefined;
        out.push({
          packetsReceived: Number(s.packetsReceived ?? 0),
          totalAudioEnergy: Number(s.totalAudioEnergy ?? 0),
          codec: codec?.mimeType ?? '',
        });
      });
    }
    return out;
  });
  return all.sort((a, b) => b.packetsReceived - a.packetsReceived);
}

/**
 * What the page's phone plays, by frequency: the remote audio of its newest open
 * RTCPeerConnection through a Web Audio analyser for `ms`, the level in dB (full scale 0) at each
 * frequency (the loudest bin within ±10 Hz, averaged over the frames), and a reference band far
 * from every tone (`floor`). Whispered audio can only be checked here: Asterisk mixes a whisper
 * into the channel after its own spies have read the frame.
 */
export async function pageHears(
  p: Page,
  freqsHz: number[],
  ms = 2_000,
): Promise<{ levels: Record<number, number>; floor: number }> {
  return p.evaluate(
    async ([freqs, duration]) => {
      const w = globalThis as unknown as PageGlobals;
      const pc = [...w.__pcs].reverse().find((x) => x.connectionState !== 'closed');
      const track = pc?.getReceivers().find((r) => r.track.kind === 'audio')?.track;
      if (!track) return { levels: {}, floor: 0 };
      const ctx = new w.AudioContext();
      await ctx.resume();
      const src = ctx.createMediaStreamSource(new w.MediaStream([track]));
      const an = ctx.createAnalyser();
      an.fftSize = 8192;
      an.smoothingTimeConstant = 0;
      src.connect(an);
      const bins = new Float32Array(an.frequencyBinCount);
      const hz = ctx.sampleRate / an.fftSize;
      const sums: number[] = freqs.map(() => 0);
      let floorSum = 0;
      let frames = 0;
      const peak = (f: number) => {
        let best = -Infinity;
        for (let b = Math.floor((f - 10) / hz); b <= Math.ceil((f + 10) / hz); b++)
          best = Math.max(best, bins[b] ?? -Infinity);
        return Number.isFinite(best) ? best : -200;
      };
      const end = w.performance.now() + duration;
      while (w.performance.now() < end) {
        await new Promise<void>((r) => setTimeout(r, 50));
        an.getFloatFrequencyData(bins);
        freqs.forEach((f, i) => (sums[i] = (sums[i] ?? 0) + peak(f)));
        floorSum += peak(2_700);
        frames++;
      }
      await ctx.close();
      const levels: Record<number, number> = {};
      freqs.forEach((f, i) => (levels[f] = Math.round((sums[i] ?? 0) / Math.max(frames, 1))));
      return { levels, floor: Math.round(floorSum / Math.max(frames, 1)) };
    },
    [freqsHz, ms] as const,
  );
}

/** Polls `ok` until it holds, or fails naming `what` after `ms`. */
export async function until(what: string, ok: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await ok()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Waits until this process's ari-worker reports every one of `serverIds` up (telephony health). */
export async function untilServersUp(
  what: string,
  serverIds: readonly string[],
  ms: number,
): Promise<void> {
  await until(
    what,
    async () =>
      serverIds.every((id) => telephonyHealth.snapshot().some((x) => x.serverId === id && x.up)),
    ms,
  );
}

/** Whether Asterisk has `channelId` in bridge `bridgeId` now (false for a bridge that is gone). */
export async function bridgeHas(
  ari: AriRestClient,
  bridgeId: string,
  channelId: string,
): Promise<boolean> {
  const b = await ari.getBridge(bridgeId).catch(() => ({ channels: [] as string[] }));
  return b.channels.includes(channelId);
}

/** An agent's HTTP request with its bearer token, as the bots send them: status and JSON body. */
export async function agentApi(
  apiUrl: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await fetch(`${apiUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}
