import type { BusEnvelope } from '@ringside/protocol';
import type { Browser, Page } from 'playwright-core';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AriRestClient } from '../../src/adapters/asterisk/ari-client.js';
import { RedisEventBus } from '../../src/adapters/redis/event-bus.js';
import type { AriServerConfig } from '../../src/config.js';
import { systemClock } from '../../src/ports/clock.js';
import { signIn } from '../e2e/system.js';
import { TEST_REDIS_URL } from '../helpers/redis.js';
import {
  AGENT_HZ,
  CUSTOMER_HZ,
  SUPERVISOR_HZ,
  inboundAudio,
  launchRealChromium,
  pageHears,
  realAriServer,
  recordPeerConnections,
  startRealSystem,
  toneWav,
  until,
  whatChannelHears,
  type RealSystem,
  untilServersUp,
} from './real-system.js';

/**
 * Browser agents taking calls in an Asterisk fleet of two REAL servers (npm run test:asterisk
 * with ARI_URL_2 and SIP_WSS_URL_2; docs/telephony.md, "Asterisk fleet"). Two agents whose
 * browser (Chromium, WebRTC: DTLS-SRTP, ICE) is their phone, each with a fake microphone playing
 * its own tone (agent1 440 Hz, agent2 1000 Hz), are homed one on each server; customers keep
 * talking (sim-customers-talking, 1400 Hz). Each agent takes a call on its own server, then a
 * call answered on the OTHER server, which crosses the PJSIP trunk (pjsip-fleet.conf): the
 * browser <-> its home <-> trunk <-> the customer's server <-> customer. For each call, audio
 * both ways: on the customer's server the customer hears its agent's tone (and not the other
 * agent's), on the agent's server its WebRTC channel is sent the customer's tone, the browser
 * plays the customer's tone (Web Audio on the received track) and Asterisk counts the browser's
 * RTP; the codecs of the agent's channel and of both trunk channels, and each bridge's
 * technology, are printed and checked. Run under `flock /tmp/ringside-e2e.lock`.
 */

const HEARD = 200;
const SILENT = 100;
const VOICE: Record<string, number> = { agent1: AGENT_HZ, agent2: SUPERVISOR_HZ };
const FREQS = [AGENT_HZ, SUPERVISOR_HZ, CUSTOMER_HZ];

let sys: RealSystem;
let redis: Redis;
let S1: AriServerConfig;
let S2: AriServerConfig;
const ari = new Map<string, AriRestClient>();
const browsers: Browser[] = [];
const pages: Record<string, Page> = {};
const ids: Record<string, string> = {};
const seen: BusEnvelope[] = [];
let closeFeed: (() => Promise<void>) | null = null;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const events = <T extends BusEnvelope['event']['type']>(type: T) =>
  seen
    .map((e) => e.event)
    .filter((e): e is Extract<BusEnvelope['event'], { type: T }> => e.type === type);

const client = (s: AriServerConfig) => ari.get(s.id) as AriRestClient;

async function status(user: string): Promise<Record<string, string>> {
  return redis.hgetall(`${sys.redisPrefix}:{agents}:status:${ids[user]}`);
}

async function homeOf(user: string): Promise<string | null> {
  return redis.hget(`${sys.redisPrefix}:{agents}:homes`, ids[user] ?? '');
}

/** An agent's request sent by its own browser (session cookie, same origin): the status. */
async function pageApi(user: string, method: string, path: string, body?: unknown) {
  return (pages[user] as Page).evaluate(
    async ([m, p, b]) => {
      const r = await fetch(p, {
        method: m,
        headers: b === null ? {} : { 'content-type': 'application/json' },
        body: b === null ? undefined : b,
        credentials: 'same-origin',
      });
      return r.status;
    },
    [method, path, body === undefined ? null : JSON.stringify(body)] as const,
  );
}

/**
 * Ends the agent's current call (if any), submits its disposition, and leaves it READY or PAUSED;
 * made ready, a call it is handed meanwhile (another call id) is left alone.
 */
async function settle(user: string, to: 'ready' | 'pause'): Promise<void> {
  const old = (await status(user)).callId ?? '';
  await until(
    `${user} settled ${to}`,
    async () => {
      const s = await status(user);
      const fresh = (s.callId ?? '') !== old;
      if (to === 'ready' && (s.state === 'READY' || s.state === 'RESERVED')) return true;
      if (to === 'ready' && fresh && (s.state === 'INCALL' || s.state === 'DEAD')) return true;
      if (to === 'pause' && s.state === 'PAUSED') return true;
      if ((s.state === 'INCALL' || s.state === 'DEAD') && s.callId) {
        await pageApi(user, 'POST', `/api/agent/calls/${s.callId}/hangup`);
      } else if (s.state === 'WRAPUP' && s.callId) {
        await pageApi(user, 'POST', '/api/agent/session/disposition', {
          callId: s.callId,
          code: 'NI',
        });
      } else if (to === 'ready' && s.state === 'PAUSED' && s.legChannelId) {
        await pageApi(user, 'POST', '/api/agent/session/ready');
      } else if (to === 'pause' && s.state === 'READY') {
        await pageApi(user, 'POST', '/api/agent/session/pause', { code: 'BREAK' });
      }
      return false;
    },
    60_000,
  );
}

/** Milliseconds from the AMD verdict to call.bridged. */
function handoffMs(callId: string): number | null {
  const amd = events('call.amd').find((e) => e.callId === callId);
  const bridged = events('call.bridged').find((e) => e.callId === callId);
  return amd && bridged ? bridged.atMs - amd.atMs : null;
}

/**
 * Makes `user` ready until it is handed a call of the kind wanted (placed on its home, or on the
 * other server: crossed); a call of the other kind is hung up and the agent made ready again
 * (the placement spreads calls over the servers by the agents taking calls on each).
 */
async function takeCall(user: string, crossed: boolean): Promise<string> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const before = new Set(events('call.bridged').map((e) => e.callId));
    await settle(user, 'ready');
    await until(
      `${user} handed a call`,
      async () =>
        events('call.bridged').some((e) => !before.has(e.callId) && e.agentId === ids[user]),
      90_000,
    );
    const e = events('call.bridged').find((x) => !before.has(x.callId) && x.agentId === ids[user]);
    const isCrossed = e?.bridgeId.startsWith('x-') ?? false;
    console.log(`${user}: call ${e?.callId} ${isCrossed ? 'crossed' : 'on its own server'}`);
    if (e && isCrossed === crossed) return e.callId;
    await settle(user, 'pause');
  }
  throw new Error(`${user} was never handed a ${crossed ? 'crossed' : 'same-server'} call`);
}

/** A channel's codecs on its server: native, and what Asterisk reads from and writes to it. */
async function codecs(s: AriServerConfig, channelId: string): Promise<string> {
  const v = async (name: string) =>
    (
      await client(s)
        .getVariable(channelId, `CHANNEL(${name})`)
        .catch(() => ({ value: '?' }))
    ).value;
  return `${await v('audionativeformat')} (read ${await v('audioreadformat')}, write ${await v('audiowriteformat')})`;
}

interface Measured {
  customerHears: Record<number, number>;
  agentSent: Record<number, number>;
  browserPlays: { levels: Record<number, number>; floor: number };
  browserPackets: number;
  browserCodec: string;
  fromBrowser: number;
  legCodec: string;
}

/**
 * Audio both ways for `user`'s call `callId` (customer on `cs`, agent homed on `as`): what the
 * customer hears and what the agent's WebRTC channel is sent (snoops on each server), what the
 * browser plays, the RTP Asterisk received from the browser, and the codecs.
 */
async function measure(user: string, callId: string, cs: AriServerConfig, as: AriServerConfig) {
  const leg = (await status(user)).legChannelId ?? '';
  // The customer's "hello" and AMD are over (call.bridged); let the talking settle in.
  await sleep(1_500);
  const customerHears = await whatChannelHears(cs, callId, FREQS);
  const agentSent = await whatChannelHears(as, leg, FREQS);
  const browserPlays = await pageHears(pages[user] as Page, FREQS);
  const inbound = (await inboundAudio(pages[user] as Page))[0];
  const rtcp = (await client(as).getVariable(leg, 'CHANNEL(rtcp,all)')).value;
  const m: Measured = {
    customerHears,
    agentSent,
    browserPlays,
    browserPackets: inbound?.packetsReceived ?? 0,
    browserCodec: inbound?.codec ?? '',
    fromBrowser: Number(/rxcount=(\d+)/.exec(rtcp)?.[1] ?? 0),
    legCodec: await codecs(as, leg),
  };
  console.log(`${user} ${callId}: ${JSON.stringify(m)}`);
  const other = user === 'agent1' ? VOICE.agent2 : VOICE.agent1;
  const mine = VOICE[user] as number;
  // The customer hears this agent's browser, and not the other agent's.
  expect(customerHears[mine], 'the customer hears the agent').toBeGreaterThan(HEARD);
  expect(customerHears[other as number]).toBeLessThan(SILENT);
  // The agent's channel is sent the customer, and the browser plays it.
  expect(agentSent[CUSTOMER_HZ], "the agent's channel is sent the customer").toBeGreaterThan(HEARD);
  expect(browserPlays.levels[CUSTOMER_HZ], 'the browser plays the customer').toBeGreaterThan(
    browserPlays.floor + 20,
  );
  expect(m.browserPackets).toBeGreaterThan(100);
  expect(m.fromBrowser, "Asterisk receives the browser's RTP").toBeGreaterThan(100);
  // The browser and Asterisk agree on the codec: G.711 (the accounts allow ulaw,alaw).
  const g711 = /ulaw/.test(m.legCodec) ? 'audio/PCMU' : /alaw/.test(m.legCodec) ? 'audio/PCMA' : '';
  expect(m.browserCodec).toBe(g711);
  return m;
}

beforeAll(async () => {
  const url2 = process.env.ARI_URL_2;
  const wss2 = process.env.SIP_WSS_URL_2;
  if (!url2 || !wss2)
    throw new Error(
      'real-fleet-browser-calls.asterisk.test.ts needs a second Asterisk with the fleet trunk ' +
        '(docs/telephony.md, "Asterisk fleet"): ARI_URL_2 and SIP_WSS_URL_2 (its phones\' ' +
        'WebSocket, e.g. wss://127.0.0.1:7181/ws)',
    );
  const first = realAriServer();
  const wss1 = process.env.SIP_WSS_URL ?? `wss://${new URL(first.baseUrl).hostname}:8089/ws`;
  sys = await startRealSystem({
    name: 'fbrowser',
    agents: 2,
    leads: 200,
    customerContext: 'sim-customers-talking',
    campaign: { dial_method: 'progressive', dial_level: 1, drop_wait_ms: 2_000 },
    env: { ARI_URL: `${first.baseUrl},${url2}`, SIP_WSS_URLS: `${wss1},${wss2}` },
  });
  [S1, S2] = sys.config.ari as [AriServerConfig, AriServerConfig];
  for (const s of [S1, S2]) ari.set(s.id, new AriRestClient(s));
  redis = new Redis(TEST_REDIS_URL);
  const bus = new RedisEventBus(new Redis(TEST_REDIS_URL), {
    prefix: sys.redisPrefix,
    clock: systemClock,
  });
  const sub = await bus.subscribe({ from: 'latest', onEvent: (e) => void seen.push(e) });
  closeFeed = () => sub.close();
  for (const user of ['agent1', 'agent2']) {
    const r = await sys.db.pool.query<{ id: string }>(
      `SELECT id::text FROM users WHERE username = $1`,
      [user],
    );
    ids[user] = r.rows[0]?.id ?? '';
    const b = await launchRealChromium(toneWav(VOICE[user] as number, 120));
    browsers.push(b);
    const ctx = await b.newContext({ baseURL: sys.front.url });
    await recordPeerConnections(ctx);
    pages[user] = await ctx.newPage();
  }
  await untilServersUp('both servers up for the worker', [S1.id, S2.id], 30_000);
}, 150_000);

afterAll(async () => {
  await closeFeed?.();
  for (const b of browsers) await b.close().catch(() => undefined);
  // Hang up what this run left on either server: its customers and the trunk legs.
  if (sys) {
    const calls = new Set(
      (await sys.db.pool.query<{ id: string }>('SELECT id FROM call_log')).rows.map((r) => r.id),
    );
    for (const c of ari.values()) {
      for (const ch of await c.listChannels().catch(() => [])) {
        if (
          calls.has(ch.id) ||
          calls.has(ch.id.replace(/-x$/, '')) ||
          /^PJSIP\/fleet-/.test(ch.name)
        )
          await c.hangup(ch.id).catch(() => undefined);
      }
    }
  }
  for (const c of ari.values()) c.close();
  redis?.disconnect();
  await sys?.stop();
}, 120_000);

describe('browser agents taking calls in a fleet of two real Asterisk servers', () => {
  const results: Array<{ label: string; ms: number | null; m: Measured }> = [];

  it("homes the two browser agents one on each server; each phone's line is up at its home", async () => {
    for (const user of ['agent1', 'agent2']) {
      const p = pages[user] as Page;
      await signIn(p, user);
      await p.getByRole('button', { name: 'Log in to campaign' }).click();
      await p.locator('[aria-label="Phone"][data-phone="leg_up"]').waitFor({ timeout: 30_000 });
    }
    expect(await homeOf('agent1')).toBe(S1.id);
    expect(await homeOf('agent2')).toBe(S2.id);
    for (const [user, home, other] of [
      ['agent1', S1, S2],
      ['agent2', S2, S1],
    ] as const) {
      const on = async (s: AriServerConfig, leg: string) =>
        (await client(s).listChannels()).some((c) => c.id === leg);
      const first = (await status(user)).legChannelId ?? '';
      const firstOnHome = await on(home, first);
      // The status's line, once it is on a server (the panel may show the line up a moment
      // before the worker's status has it).
      let leg = first;
      await until(
        `${user}'s line on a server`,
        async () => {
          leg = (await status(user)).legChannelId ?? '';
          return leg !== '' && ((await on(home, leg)) || (await on(other, leg)));
        },
        10_000,
      );
      console.log(
        `${user}: line ${first} on its home at the panel's leg_up: ${firstOnHome}; then ${leg}`,
      );
      expect(await on(home, leg), `${user}'s line on its home`).toBe(true);
      expect(await on(other, leg)).toBe(false);
    }
  }, 90_000);

  it('agent1 (S1) takes a call placed on S1 in its own bridge: audio both ways', async () => {
    const callId = await takeCall('agent1', false);
    expect(events('call.originated').find((e) => e.callId === callId)?.serverId).toBe(S1.id);
    const a1 = await status('agent1');
    const b = await client(S1).getBridge(a1.bridgeId ?? '');
    expect(b.channels).toEqual(expect.arrayContaining([callId, a1.legChannelId]));
    const m = await measure('agent1', callId, S1, S1);
    console.log(`agent1 same-server: bridge ${b.id} technology ${b.technology}`);
    results.push({ label: 'agent1 same server (S1)', ms: handoffMs(callId), m });
    await settle('agent1', 'pause');
  }, 240_000);

  it('agent2 (S2) takes a call placed on S2 in its own bridge: audio both ways', async () => {
    const callId = await takeCall('agent2', false);
    expect(events('call.originated').find((e) => e.callId === callId)?.serverId).toBe(S2.id);
    const a2 = await status('agent2');
    const b = await client(S2).getBridge(a2.bridgeId ?? '');
    expect(b.channels).toEqual(expect.arrayContaining([callId, a2.legChannelId]));
    const m = await measure('agent2', callId, S2, S2);
    console.log(`agent2 same-server: bridge ${b.id} technology ${b.technology}`);
    results.push({ label: 'agent2 same server (S2)', ms: handoffMs(callId), m });
    // agent2 stays on this call: S2 keeps an agent taking calls, so calls are placed there too.
  }, 240_000);

  /** The crossed call `callId` to `user` (homed on `as`, customer on `cs`): bridges and audio. */
  async function crossing(user: string, callId: string, cs: AriServerConfig, as: AriServerConfig) {
    expect(events('call.originated').find((e) => e.callId === callId)?.serverId).toBe(cs.id);
    const x = await client(cs).getBridge(`x-${callId}`);
    expect(x.channels).toContain(callId);
    expect(x.channels).toHaveLength(2);
    const trunkIn = x.channels.find((c) => c !== callId) ?? '';
    const st = await status(user);
    const ab = await client(as).getBridge(st.bridgeId ?? '');
    expect(ab.channels).toEqual(expect.arrayContaining([`${callId}-x`, st.legChannelId]));
    const trunkLegCodec = await codecs(as, `${callId}-x`);
    const trunkInCodec = await codecs(cs, trunkIn);
    console.log(
      `${user} crossed ${callId}: agent bridge on ${as.id} technology ${ab.technology}, crossing ` +
        `bridge on ${cs.id} technology ${x.technology}; trunk leg codec ${trunkLegCodec}, trunk ` +
        `inbound codec ${trunkInCodec}`,
    );
    // The trunk is G.711 only (pjsip-fleet.conf).
    expect(trunkLegCodec).toMatch(/^\((ulaw|alaw)\)/);
    expect(trunkInCodec).toMatch(/^\((ulaw|alaw)\)/);
    return measure(user, callId, cs, as);
  }

  it('agent1 (S1) takes a call answered on S2 while agent2 talks: it crosses the trunk, audio both ways', async () => {
    expect((await status('agent2')).state).toBe('INCALL');
    const callId = await takeCall('agent1', true);
    const m = await crossing('agent1', callId, S2, S1);
    results.push({ label: 'agent1 crossed (customer on S2)', ms: handoffMs(callId), m });
  }, 300_000);

  it('agent2 (S2) takes a call answered on S1 while agent1 talks: it crosses the other way, audio both ways', async () => {
    expect((await status('agent1')).state).toBe('INCALL');
    await settle('agent2', 'pause');
    const callId = await takeCall('agent2', true);
    const m = await crossing('agent2', callId, S1, S2);
    results.push({ label: 'agent2 crossed (customer on S1)', ms: handoffMs(callId), m });
    for (const r of results)
      console.log(
        `${r.label}: hand-off ${r.ms} ms (AMD verdict to call.bridged); customer hears the agent ` +
          `${r.m.customerHears[AGENT_HZ]}/${r.m.customerHears[SUPERVISOR_HZ]} (440/1000 Hz), ` +
          `agent's channel sent the customer ${r.m.agentSent[CUSTOMER_HZ]}, browser plays ` +
          `${r.m.browserPlays.levels[CUSTOMER_HZ]} dB (floor ${r.m.browserPlays.floor}), ` +
          `codec ${r.m.browserCodec} / ${r.m.legCodec}`,
      );
    const all = events('call.bridged');
    const ms = (crossed: boolean) =>
      all
        .filter((e) => e.bridgeId.startsWith('x-') === crossed)
        .map((e) => handoffMs(e.callId))
        .filter((v): v is number => v !== null);
    console.log(
      `hand-offs: same server ${JSON.stringify(ms(false))} ms, crossed ${JSON.stringify(ms(true))} ms`,
    );
  }, 300_000);
});
