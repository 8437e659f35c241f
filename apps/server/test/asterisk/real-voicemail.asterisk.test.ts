import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AriEvent } from '@ringside/ari';
import type { CallId, CampaignId, DomainEvent, LeadId, VoicemailOutcome } from '@ringside/protocol';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AriRestClient } from '../../src/adapters/asterisk/ari-client.js';
import { AriEventStream } from '../../src/adapters/asterisk/ari-events.js';
import { scaledTimers } from '../../src/ports/dialer.js';
import { systemClock } from '../../src/ports/clock.js';
import { DEFAULT_QUIET_MS } from '../../src/services/voicemail/drop-rules.js';
import { TALK_DETECT_VALUE, VoicemailDrops } from '../../src/services/voicemail/drop.js';
import { realAriServer } from './real-system.js';

/**
 * The voicemail drop on the real Asterisk (npm run test:asterisk; docs/recording.md, "Voicemail
 * drop"): a call to an answering machine of sim-customers (last digit 5: rings 12 s, greets with
 * vm-intro, vm-theperson, vm-isunavail, vm-intro, then 10 s of silence) runs dialer-outbound's
 * AMD() and enters Stasis with MACHINE. The drop (services/voicemail/drop.ts, on the real ARI
 * client) sets TALK_DETECT: Asterisk must send ChannelTalkingStarted for the rest of the greeting
 * and ChannelTalkingFinished after it; the message, a 3 s WAV served over HTTP, must be fetched
 * by res_http_media_cache and play for its length; then the call is hung up: VM_LEFT.
 */

const MESSAGE_MS = 3_000;
const server = realAriServer();
const callId = `vmreal-${Date.now().toString(36)}` as CallId;
let ari: AriRestClient;
let stream: AriEventStream;
let media: http.Server;
let dir: string;
const fetched: string[] = [];
const events: { e: AriEvent; atMs: number }[] = [];
const published: DomainEvent[] = [];
let outcome: VoicemailOutcome | null = null;

async function until(what: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const ofCall = (type: string) =>
  events.filter(({ e }) => {
    if (e.type !== type) return false;
    const ch = (e as { channel?: { id?: string } }).channel?.id;
    const target = (e as { playback?: { target_uri?: string } }).playback?.target_uri;
    return ch === callId || target === `channel:${callId}`;
  });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vm-real-'));
  const wav = join(dir, 'message.wav');
  execFileSync('sox', [
    '-n',
    '-r',
    '8000',
    '-b',
    '16',
    '-c',
    '1',
    wav,
    'synth',
    '3',
    'sine',
    '440',
  ]);
  const bytes = readFileSync(wav);
  media = http.createServer((req, res) => {
    fetched.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'audio/wav', 'content-length': bytes.length });
    res.end(bytes);
  });
  // Asterisk runs on this machine: it reaches the test's server on the loopback.
  await new Promise<void>((r) => media.listen(0, '127.0.0.1', r));
  ari = new AriRestClient(server);
  let up = false;
  stream = new AriEventStream({
    ...server,
    logger: pino({ level: 'silent' }),
    onEvent: (e) => void events.push({ e, atMs: Date.now() }),
    onUp: () => void (up = true),
  });
  stream.start();
  await until(() => up, 10_000);
}, 30_000);

afterAll(async () => {
  await ari?.hangup(callId).catch(() => undefined);
  await stream?.stop();
  await new Promise((r) => media?.close(r));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('voicemail drop on the real Asterisk', () => {
  it('hears the greeting end with TALK_DETECT and leaves the message fetched over HTTP: VM_LEFT', async () => {
    const drops = new VoicemailDrops({
      ari: () => ari,
      sink: {
        publish: async (e) => void published.push(e),
        recordOutcome: async (_c, o) => void (outcome = o),
      },
      clock: systemClock,
      timers: scaledTimers(1),
      logger: pino({ level: 'silent' }),
      hangup: (id) => ari.hangup(id),
    });
    const token = 'ab'.repeat(16);
    const port = (media.address() as AddressInfo).port;
    await ari.originate({
      endpoint: 'Local/5551239995@sim-customers',
      channelId: callId,
      otherChannelId: `${callId}-2`,
      context: 'dialer-outbound',
      extension: 's',
      priority: 1,
      timeoutS: 30,
    });
    // 12 s of ringing, then AMD() on the greeting.
    await until(() => ofCall('StasisStart').length > 0, 30_000);
    const start = ofCall('StasisStart')[0]!.e as AriEvent & { args: string[] };
    expect(start.args.slice(0, 2)).toEqual(['amd', 'MACHINE']);
    // What the worker publishes as call.talking, fed to the drop as the dialer does.
    let fed = 0;
    const feeder = setInterval(() => {
      const talk = events.filter(
        ({ e }) =>
          (e.type === 'ChannelTalkingStarted' || e.type === 'ChannelTalkingFinished') &&
          e.channel.id === callId,
      );
      for (const { e, atMs } of talk.slice(fed))
        void drops.talking(callId, e.type === 'ChannelTalkingStarted', atMs);
      fed = talk.length;
    }, 50);
    try {
      const started = await drops.start(
        { callId, campaignId: '1' as CampaignId, leadId: '1' as LeadId, serverId: 'real' },
        {
          settings: {
            wait: 'greeting_end',
            maxWaitMs: 30_000,
            quietMs: DEFAULT_QUIET_MS,
            noBeepAction: 'leave',
          },
          media: `sound:http://127.0.0.1:${port}/media/vm/${token}.wav`,
          messageId: '1',
          messageMs: MESSAGE_MS,
        },
      );
      expect(started).toBe(true);
      await until(() => ofCall('ChannelDestroyed').length > 0, 60_000);
      await until(() => outcome !== null, 5_000);
    } finally {
      clearInterval(feeder);
    }
    const talkStart = ofCall('ChannelTalkingStarted');
    const talkEnd = ofCall('ChannelTalkingFinished');
    const pbStart = ofCall('PlaybackStarted');
    const pbEnd = ofCall('PlaybackFinished');
    console.log(
      `AMD ${start.args.join(',')}; TALK_DETECT ${TALK_DETECT_VALUE}: talking ${talkStart.length}x, ` +
        `finished ${talkEnd.length}x (duration ${talkEnd.map(({ e }) => (e as { duration?: number }).duration).join(',')} ms); ` +
        `message ${pbEnd.length ? pbEnd[0]!.atMs - pbStart[0]!.atMs : NaN} ms; fetched ${fetched.join(',')}`,
    );
    // Talk detection heard the rest of the greeting and its end.
    expect(talkStart.length).toBeGreaterThanOrEqual(1);
    expect(talkEnd.length).toBeGreaterThanOrEqual(1);
    expect(talkEnd[0]!.atMs).toBeGreaterThan(talkStart[0]!.atMs);
    // The message came over HTTP (res_http_media_cache) and played after the greeting, for its length.
    expect(fetched).toContain(`/media/vm/${token}.wav`);
    expect(pbStart).toHaveLength(1);
    expect(pbStart[0]!.atMs).toBeGreaterThanOrEqual(talkEnd[0]!.atMs);
    expect((pbEnd[0]!.e as { playback: { state: string } }).playback.state).toBe('done');
    const playedMs = pbEnd[0]!.atMs - pbStart[0]!.atMs;
    expect(playedMs).toBeGreaterThan(MESSAGE_MS - 300);
    expect(playedMs).toBeLessThan(MESSAGE_MS + 1_000);
    expect(outcome).toBe('VM_LEFT');
    expect(published).toEqual([
      expect.objectContaining({ type: 'call.voicemail', callId, outcome: 'VM_LEFT', played: true }),
    ]);
  });
});
