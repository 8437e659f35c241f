import { execSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import type { BusEnvelope } from '@ringside/protocol';
import { Redis } from 'ioredis';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AriRestClient } from '../../src/adapters/asterisk/ari-client.js';
import { RedisEventBus } from '../../src/adapters/redis/event-bus.js';
import { RedisStateStore } from '../../src/adapters/redis/state-store.js';
import type { AriServerConfig } from '../../src/config.js';
import { systemClock } from '../../src/ports/clock.js';
import { DEMO_PASSWORD } from '../e2e/system.js';
import { TEST_REDIS_URL } from '../helpers/redis.js';
import {
  AGENT_HZ,
  CUSTOMER_HZ,
  agentApi,
  realAriServer,
  startRealSystem,
  until,
  whatChannelHears,
  type RealSystem,
  untilServersUp,
} from './real-system.js';

/**
 * The Asterisk fleet (docs/telephony.md, "Asterisk fleet"; issue 16 point 1) on TWO REAL Asterisk
 * servers (npm run test:asterisk with ARI_URL and ARI_URL_2): every production role in this
 * process with ARI_URL listing both, the agents' external phones (Local/<user>@sim-agent-phones,
 * answering at once and "speaking" 440 Hz) really rung by their home server, customers who keep
 * talking (sim-customers-talking, 1400 Hz). It proves, in order: homes by load on both servers;
 * calls placed on both and each answer handed to an agent on the same server; an answer on one
 * server whose only free agent is on the other crossing the PJSIP trunk (deploy/asterisk/
 * pjsip-fleet.conf) with audio both ways, measured on each server; the second server killed
 * (SIGKILL): its calls ended in state, its agents re-homed and their phones called from the first,
 * dialing on the first only; the second started again and used again.
 */

const HEARD = 200;
const AGENTS = 5;

interface FleetEnv {
  url2: string;
  killCmd: string;
  startCmd: string;
}

/** The second server and how to kill and start it; a clear failure when not given. */
function fleetEnv(): FleetEnv {
  const url2 = process.env.ARI_URL_2;
  const killCmd = process.env.ASTERISK_2_KILL_CMD;
  const startCmd = process.env.ASTERISK_2_START_CMD;
  if (!url2 || !killCmd || !startCmd) {
    throw new Error(
      'real-fleet.asterisk.test.ts needs a SECOND Asterisk 22 with deploy/asterisk/ and ' +
        'pjsip-fleet.conf trunks between the two (docs/telephony.md, "Asterisk fleet"): set ' +
        'ARI_URL_2 (its ARI, e.g. http://127.0.0.1:7180/ari, same ARI_USER/ARI_PASSWORD), ' +
        "ASTERISK_2_KILL_CMD (kills it with SIGKILL, e.g. 'kill -9 $(cat .../asterisk.pid)') and " +
        'ASTERISK_2_START_CMD (starts it again and returns once its ARI answers). Missing: ' +
        [
          !url2 && 'ARI_URL_2',
          !killCmd && 'ASTERISK_2_KILL_CMD',
          !startCmd && 'ASTERISK_2_START_CMD',
        ]
          .filter(Boolean)
          .join(', '),
    );
  }
  return { url2, killCmd, startCmd };
}

let env: FleetEnv;
let sys: RealSystem;
let redis: Redis;
let store: RedisStateStore;
let S1: AriServerConfig;
let S2: AriServerConfig;
const ari = new Map<string, AriRestClient>();
const seen: BusEnvelope[] = [];
let closeFeed: (() => Promise<void>) | null = null;
/** S2's bridge entries (ChannelEnteredBridge, any app), seen by a probe subscribed to all. */
let probe: WebSocket | null = null;
/** Listens to S1's channels (all apps): the hang-up cause of the crossing's trunk leg. */
let probe1: WebSocket | null = null;
/** S2's calls when it was killed: each must end exactly once, also after S2 is back. */
let s2LostCalls: string[] = [];
const destroyedOnS1: Array<{ channelId: string; cause: number; atMs: number }> = [];
const entered: Array<{ bridgeId: string; channelId: string; atMs: number }> = [];
const tokens: Record<string, string> = {};
const ids: Record<string, string> = {};
const users = Array.from({ length: AGENTS }, (_, i) => `agent${i + 1}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const events = <T extends BusEnvelope['event']['type']>(type: T) =>
  seen
    .map((e) => e.event)
    .filter((e): e is Extract<BusEnvelope['event'], { type: T }> => e.type === type);

const api = (user: string, method: string, path: string, body?: unknown) =>
  agentApi(sys.apiUrl, tokens[user] ?? '', method, path, body);

async function status(user: string): Promise<Record<string, string>> {
  return redis.hgetall(`${sys.redisPrefix}:{agents}:status:${ids[user]}`);
}

async function homeOf(user: string): Promise<string | null> {
  return redis.hget(`${sys.redisPrefix}:{agents}:homes`, ids[user] ?? '');
}

async function channelIds(server: AriServerConfig): Promise<Set<string>> {
  const list = await (ari.get(server.id) as AriRestClient).listChannels();
  return new Set(list.map((c) => c.id));
}

async function up(server: AriServerConfig): Promise<boolean> {
  try {
    await (ari.get(server.id) as AriRestClient).asteriskInfo();
    return true;
  } catch {
    return false;
  }
}

async function signInAndConnect(user: string): Promise<void> {
  const r = await fetch(`${sys.apiUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: user, password: DEMO_PASSWORD }),
  });
  const body = (await r.json()) as { token: string; user: { id: string } };
  tokens[user] = body.token;
  ids[user] = body.user.id;
  const login = await api(user, 'POST', '/api/agent/session/login', {
    campaignId: sys.seed.campaignId,
  });
  expect(login.status, `${user} login`).toBe(200);
  const phone = await api(user, 'POST', '/api/agent/phone/connect');
  expect(phone.body, `${user} phone`).toEqual({ leg: 'up' });
}

/** Ends the agent's call (if any), submits its disposition, and leaves it READY or PAUSED. */
async function settle(user: string, to: 'ready' | 'pause'): Promise<void> {
  await until(
    `${user} settled ${to}`,
    async () => {
      const s = await status(user);
      if ((s.state === 'INCALL' || s.state === 'DEAD') && s.callId) {
        await api(user, 'POST', `/api/agent/calls/${s.callId}/hangup`);
      } else if (s.state === 'WRAPUP' && s.callId) {
        await api(user, 'POST', '/api/agent/session/disposition', { callId: s.callId, code: 'NI' });
      } else if (to === 'ready' && s.state === 'PAUSED' && s.legChannelId) {
        await api(user, 'POST', '/api/agent/session/ready');
      } else if (to === 'pause' && s.state === 'READY') {
        await api(user, 'POST', '/api/agent/session/pause', { code: 'BREAK' });
      }
      const now = (await status(user)).state;
      return to === 'ready'
        ? now === 'READY' || now === 'RESERVED' || now === 'INCALL'
        : now === 'PAUSED';
    },
    60_000,
  );
}

/** Milliseconds from the AMD verdict to call.bridged, per call. */
function handoffMs(callId: string): number | null {
  const amd = events('call.amd').find((e) => e.callId === callId);
  const bridged = events('call.bridged').find((e) => e.callId === callId);
  return amd && bridged ? bridged.atMs - amd.atMs : null;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s[Math.floor((s.length - 1) / 2)] as number) : NaN;
};

beforeAll(async () => {
  env = fleetEnv();
  const first = realAriServer();
  sys = await startRealSystem({
    name: 'realfleet',
    agents: AGENTS,
    leads: 400,
    customerContext: 'sim-customers-talking',
    campaign: { dial_method: 'progressive', dial_level: 1, drop_wait_ms: 2_000 },
    env: { ARI_URL: `${first.baseUrl},${env.url2}` },
  });
  [S1, S2] = sys.config.ari as [AriServerConfig, AriServerConfig];
  for (const s of [S1, S2]) ari.set(s.id, new AriRestClient(s));
  redis = new Redis(TEST_REDIS_URL);
  store = new RedisStateStore(redis, { prefix: sys.redisPrefix, clock: systemClock });
  const bus = new RedisEventBus(new Redis(TEST_REDIS_URL), {
    prefix: sys.redisPrefix,
    clock: systemClock,
  });
  const sub = await bus.subscribe({ from: 'latest', onEvent: (e) => void seen.push(e) });
  closeFeed = () => sub.close();
  await sys.db.pool.query(
    `UPDATE users SET phone_type = 'sip', sip_endpoint = 'Local/' || username || '@sim-agent-phones'
      WHERE role = 'agent'`,
  );
  probe = new WebSocket(
    `${S2.baseUrl.replace(/^http/, 'ws')}/events?app=ringside-probe-fleet&subscribeAll=true&api_key=${encodeURIComponent(`${S2.user}:${S2.password}`)}`,
  );
  probe.on('message', (d: Buffer) => {
    const e = JSON.parse(d.toString('utf8')) as {
      type: string;
      timestamp?: string;
      bridge?: { id: string };
      channel?: { id: string };
    };
    if (e.type === 'ChannelEnteredBridge' && e.bridge && e.channel)
      entered.push({
        bridgeId: e.bridge.id,
        channelId: e.channel.id,
        // Asterisk writes the offset as +0000.
        atMs: Date.parse((e.timestamp ?? '').replace(/([+-]\d\d)(\d\d)$/, '$1:$2')),
      });
  });
  await new Promise((r) => probe?.once('open', r));
  probe1 = new WebSocket(
    `${S1.baseUrl.replace(/^http/, 'ws')}/events?app=ringside-probe-fleet1&subscribeAll=true&api_key=${encodeURIComponent(`${S1.user}:${S1.password}`)}`,
  );
  probe1.on('message', (d: Buffer) => {
    const e = JSON.parse(d.toString('utf8')) as {
      type: string;
      cause?: number;
      channel?: { id: string };
    };
    if (e.type === 'ChannelDestroyed' && e.channel)
      destroyedOnS1.push({ channelId: e.channel.id, cause: e.cause ?? -1, atMs: Date.now() });
  });
  await new Promise((r) => probe1?.once('open', r));
  await untilServersUp('both servers up for the worker', [S1.id, S2.id], 30_000);
}, 150_000);

afterAll(async () => {
  await closeFeed?.();
  probe?.close();
  probe1?.close();
  // REAL_FLEET_DUMP=<file>: the run's domain events, to read after a failure.
  if (process.env.REAL_FLEET_DUMP)
    writeFileSync(process.env.REAL_FLEET_DUMP, seen.map((e) => JSON.stringify(e.event)).join('\n'));
  if (env && S2 && !(await up(S2))) execSync(env.startCmd, { stdio: 'ignore' });
  // Hang up what this run left on either server: its calls, trunk legs and agents' phones.
  if (sys) {
    const calls = new Set(
      (await sys.db.pool.query<{ id: string }>('SELECT id FROM call_log')).rows.map((r) => r.id),
    );
    for (const client of ari.values()) {
      const list = await client.listChannels().catch(() => []);
      for (const c of list) {
        const ours =
          calls.has(c.id) ||
          calls.has(c.id.replace(/-x$/, '')) ||
          /^Local\/agent\d+@sim-agent-phones/.test(c.name) ||
          /^PJSIP\/fleet-/.test(c.name);
        if (ours) await client.hangup(c.id).catch(() => undefined);
      }
    }
  }
  for (const c of ari.values()) c.close();
  redis?.disconnect();
  await sys?.stop();
}, 120_000);

describe('an Asterisk fleet of two real Asterisk servers', () => {
  it('homes the agents on both servers by load; each phone is rung by its home', async () => {
    for (const u of users.slice(0, 4)) await signInAndConnect(u);
    const homes = await Promise.all(users.slice(0, 4).map(homeOf));
    console.log(`homes: ${JSON.stringify(homes)}`);
    // One after the other: the server with fewer agents, ties to the first (S1, S2, S1, S2).
    expect(homes).toEqual([S1.id, S2.id, S1.id, S2.id]);
    expect(events('agent.homed').filter((e) => e.reason === 'login')).toHaveLength(4);
    for (const [i, u] of users.slice(0, 4).entries()) {
      const leg = (await status(u)).legChannelId ?? '';
      const home = i % 2 === 0 ? S1 : S2;
      const other = i % 2 === 0 ? S2 : S1;
      expect((await channelIds(home)).has(leg), `${u}'s phone on its home`).toBe(true);
      expect((await channelIds(other)).has(leg)).toBe(false);
    }
  }, 90_000);

  it('places calls on both servers and hands each answer to an agent on the same server', async () => {
    const agentHome = new Map<string, string | null>();
    for (const u of users.slice(0, 4)) agentHome.set(ids[u] ?? '', await homeOf(u));
    const serverOf = () => new Map(events('call.originated').map((e) => [e.callId, e.serverId]));
    const sameOn = (id: string) =>
      events('call.bridged').filter(
        (e) => e.bridgeId.startsWith('agent-') && serverOf().get(e.callId) === id,
      ).length;
    // Rounds of four calls (every agent ready, each round's calls hung up by the agents) until
    // each server has handed a call to one of its own agents: the placement reads the agents
    // taking calls at most every 250 ms, so a round's first calls may all go to one server.
    for (let round = 0; round < 4 && !(sameOn(S1.id) > 0 && sameOn(S2.id) > 0); round++) {
      for (const u of users.slice(0, 4)) await settle(u, 'ready');
      await until(
        'the four agents on calls',
        async () =>
          (await Promise.all(users.slice(0, 4).map(status))).every((x) => x.state === 'INCALL'),
        90_000,
      );
    }
    const placed = [...serverOf().values()];
    const bridged = events('call.bridged');
    console.log(
      `placed: S1 ${placed.filter((x) => x === S1.id).length}, S2 ${placed.filter((x) => x === S2.id).length}; ` +
        `handed off on the same server: S1 ${sameOn(S1.id)}, S2 ${sameOn(S2.id)}; crossed ${bridged.filter((e) => e.bridgeId.startsWith('x-')).length}`,
    );
    expect(placed.filter((x) => x === S1.id).length).toBeGreaterThan(0);
    expect(placed.filter((x) => x === S2.id).length).toBeGreaterThan(0);
    // Every hand-off into an agent's own bridge is on the agent's home; every crossing is not.
    for (const e of bridged.filter((x) => x.bridgeId.startsWith('agent-')))
      expect(agentHome.get(e.agentId), e.callId).toBe(serverOf().get(e.callId));
    for (const e of bridged.filter((x) => x.bridgeId.startsWith('x-')))
      expect(agentHome.get(e.agentId)).not.toBe(serverOf().get(e.callId));
    expect(sameOn(S1.id), S1.id).toBeGreaterThan(0);
    expect(sameOn(S2.id), S2.id).toBeGreaterThan(0);
    const same = bridged.filter((e) => e.bridgeId.startsWith('agent-'));
    // The customer really is in the agent's bridge on the same server.
    let checked = 0;
    for (const u of users.slice(0, 4)) {
      const st = await status(u);
      if (!same.some((e) => e.callId === st.callId)) continue;
      const home = (await homeOf(u)) ?? '';
      const b = await (ari.get(home) as AriRestClient).getBridge(st.bridgeId ?? '');
      expect(b.channels, u).toEqual(expect.arrayContaining([st.callId, st.legChannelId]));
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
    const times = same.map((e) => handoffMs(e.callId)).filter((x): x is number => x !== null);
    console.log(`same-server hand-off (AMD verdict to call.bridged): ${JSON.stringify(times)} ms`);
  }, 400_000);

  let crossCall = '';

  it('crosses the trunk to the only free agent, on the other server, with audio both ways', async () => {
    // agent2 and agent4 (S2) keep talking, agent3 (S1) pauses: agent1 (S1) is the only agent
    // free, and a call placed on S2 (weighed by its two agents on calls) crosses when answered.
    await settle('agent3', 'pause');
    await settle('agent1', 'pause');
    for (let attempt = 0; attempt < 10 && !crossCall; attempt++) {
      const before = new Set(events('call.bridged').map((e) => e.callId));
      await settle('agent1', 'ready');
      await until(
        'agent1 handed a call',
        async () =>
          events('call.bridged').some((e) => !before.has(e.callId) && e.agentId === ids.agent1),
        60_000,
      );
      const e = events('call.bridged').find(
        (x) => !before.has(x.callId) && x.agentId === ids.agent1,
      );
      if (e?.bridgeId.startsWith('x-')) crossCall = e.callId;
      else await settle('agent1', 'pause');
    }
    expect(crossCall, 'a call answered on S2 crossed to agent1 on S1').not.toBe('');
    const origin = events('call.originated').find((e) => e.callId === crossCall);
    expect(origin?.serverId).toBe(S2.id);
    // The customer on S2 in the crossing bridge with the trunk's inbound channel; the trunk leg on
    // S1 in agent1's bridge with its phone.
    const x = await (ari.get(S2.id) as AriRestClient).getBridge(`x-${crossCall}`);
    expect(x.channels).toContain(crossCall);
    expect(x.channels).toHaveLength(2);
    const a1 = await status('agent1');
    const ab = await (ari.get(S1.id) as AriRestClient).getBridge(a1.bridgeId ?? '');
    expect(ab.channels).toEqual(expect.arrayContaining([`${crossCall}-x`, a1.legChannelId]));
    // On S2 the trunk's channel was in the crossing bridge before the customer joined it: when
    // call.bridged says the agent is connected, the audio path is complete (with Answer() in
    // fleet-in it joined about 500 ms after the customer, who talked to nobody meanwhile).
    const inX = entered.filter((e) => e.bridgeId === `x-${crossCall}`);
    const customerIn = inX.find((e) => e.channelId === crossCall)?.atMs ?? NaN;
    const trunkIn = inX.find((e) => e.channelId !== crossCall)?.atMs ?? NaN;
    console.log(
      `S2: the trunk's channel entered x-<callId> ${customerIn - trunkIn} ms before the customer`,
    );
    expect(trunkIn).toBeLessThanOrEqual(customerIn);
    await sleep(1_500);
    // What each side hears, on its own server: the customer the agent's 440 Hz (crossed S1 -> S2),
    // the agent's phone the customer's 1400 Hz (crossed S2 -> S1).
    const customerHears = await whatChannelHears(S2, crossCall, [AGENT_HZ, CUSTOMER_HZ]);
    const agentHears = await whatChannelHears(S1, a1.legChannelId ?? '', [AGENT_HZ, CUSTOMER_HZ]);
    console.log(
      `crossed call: customer (S2) hears ${JSON.stringify(customerHears)}, agent (S1) hears ${JSON.stringify(agentHears)}; ` +
        `hand-off ${handoffMs(crossCall)} ms (AMD verdict to call.bridged)`,
    );
    expect(customerHears[AGENT_HZ]).toBeGreaterThan(HEARD);
    expect(agentHears[CUSTOMER_HZ]).toBeGreaterThan(HEARD);
    const crossed = events('call.bridged').filter((e) => e.bridgeId.startsWith('x-'));
    const sameS = events('call.bridged').filter((e) => e.bridgeId.startsWith('agent-'));
    const ms = (l: typeof crossed) =>
      l.map((e) => handoffMs(e.callId)).filter((v): v is number => v !== null);
    console.log(
      `hand-off median: same server ${median(ms(sameS))} ms (${ms(sameS).length}), crossed ${median(ms(crossed))} ms (${ms(crossed).length}): ${JSON.stringify(ms(crossed))}`,
    );
  }, 240_000);

  it('loses S2 (kill -9): the crossed call ends TRUNK_LOST within the trunk timeout, its other calls end in state when its agents are re-homed to S1 and rung from there, dialing goes on on S1 only', async () => {
    const s2Calls = (await store.listCalls())
      .filter((c) => c.serverId === S2.id)
      .map((c) => c.callId);
    expect(s2Calls).toContain(crossCall);
    s2LostCalls = s2Calls;
    expect((await status('agent1')).callId).toBe(crossCall);
    const homedBefore = events('agent.homed').length;
    const killedAt = Date.now();
    execSync(env.killCmd, { stdio: 'ignore' });
    // S2 sends no BYE: S1 hangs the trunk leg up for want of RTP (rtp_timeout = 5 in
    // pjsip-fleet.conf) and the worker ends the call, TRUNK_LOST; agent1 is freed.
    await until(
      'the crossed call ended',
      async () => events('call.ended').some((e) => e.callId === crossCall),
      60_000,
    );
    const crossedEndedMs = Date.now() - killedAt;
    expect(events('call.ended').find((e) => e.callId === crossCall)?.reason).toBe('TRUNK_LOST');
    // The agent goes on as after any customer hang-up: DEAD (the disposition owed), not INCALL.
    await until(
      'agent1 no longer talking on the crossed call',
      async () => {
        const a1 = await status('agent1');
        return a1.callId !== crossCall || a1.state === 'DEAD' || a1.state === 'WRAPUP';
      },
      30_000,
    );
    const agent1FreeMs = Date.now() - killedAt;
    const trunkLeg = destroyedOnS1.find((d) => d.channelId === `${crossCall}-x`);
    console.log(
      `S2 killed: the crossing's trunk leg on S1 hung up after ${trunkLeg ? trunkLeg.atMs - killedAt : NaN} ms ` +
        `(cause ${trunkLeg?.cause ?? '?'}), the crossed call ended (TRUNK_LOST) after ${crossedEndedMs} ms, ` +
        `agent1 off it after ${agent1FreeMs} ms`,
    );
    await until(
      "S2's agents re-homed",
      async () =>
        events('agent.homed')
          .slice(homedBefore)
          .filter((e) => e.reason === 'server_lost' && e.serverId === S1.id).length >= 2,
      60_000,
    );
    const rehomedMs = Date.now() - killedAt;
    expect(await homeOf('agent2')).toBe(S1.id);
    expect(await homeOf('agent4')).toBe(S1.id);
    await until(
      "agent2's and agent4's phones rung from S1",
      async () => {
        const on1 = await channelIds(S1);
        const legs = await Promise.all(
          ['agent2', 'agent4'].map(async (u) => (await status(u)).legChannelId ?? ''),
        );
        return legs.every((l) => l !== '' && on1.has(l));
      },
      60_000,
    );
    const phonesBackMs = Date.now() - killedAt;
    await until(
      "S2's calls ended in state",
      async () => (await store.listCalls()).every((c) => c.serverId !== S2.id),
      120_000,
    );
    const endedMs = Date.now() - killedAt;
    // Once each; the others at the decision that re-homed the agents, SERVER_LOST.
    const ended = events('call.ended').filter((e) => s2Calls.includes(e.callId));
    expect(ended.map((e) => e.callId).sort()).toEqual([...s2Calls].sort());
    const declaredAt = events('agent.homed')
      .slice(homedBefore)
      .find((e) => e.reason === 'server_lost')?.atMs;
    const lostEnds = ended.filter((e) => e.callId !== crossCall);
    for (const e of lostEnds) expect(e.reason).toBe('SERVER_LOST');
    const spread = lostEnds.map((e) => e.atMs - (declaredAt ?? NaN));
    console.log(
      `S2's ${lostEnds.length} other calls ended in state (SERVER_LOST) after ` +
        `${JSON.stringify(lostEnds.map((e) => e.atMs - killedAt))} ms, ${JSON.stringify(spread)} ms from the re-homing`,
    );
    // At the one decision (FLEET_REHOME_AFTER_MS, 10 s), not lostCallsAfterMs (60 s).
    for (const e of lostEnds) expect(e.atMs - killedAt).toBeLessThan(40_000);
    const logged = await sys.db.pool.query<{ id: string; end_reason: string | null }>(
      'SELECT id, end_reason FROM call_log WHERE id = ANY($1)',
      [s2Calls],
    );
    for (const r of logged.rows)
      expect(r.end_reason).toBe(r.id === crossCall ? 'TRUNK_LOST' : 'SERVER_LOST');
    // The crossing's trunk leg on S1 went with its call.
    await until(
      'the trunk leg gone from S1',
      async () => !(await channelIds(S1)).has(`${crossCall}-x`),
      30_000,
    );
    console.log(
      `S2 killed: agents re-homed after ${rehomedMs} ms, their phones up on S1 after ${phonesBackMs} ms, ` +
        `none of its ${s2Calls.length} calls live in state when checked after ${endedMs} ms`,
    );
    const placedBefore = events('call.originated').length;
    const bridgedBefore = events('call.bridged').length;
    for (const u of users.slice(0, 4)) await settle(u, 'ready');
    await until(
      'three hand-offs on S1',
      async () => events('call.bridged').length >= bridgedBefore + 3,
      90_000,
    );
    const after = events('call.originated').slice(placedBefore);
    expect(after.length).toBeGreaterThan(0);
    expect(after.filter((e) => e.serverId !== S1.id)).toEqual([]);
    for (const e of events('call.bridged').slice(bridgedBefore))
      expect(e.bridgeId.startsWith('agent-')).toBe(true);
  }, 300_000);

  it('S2 back: a new agent is homed there and its calls are placed and handed off there', async () => {
    const startedAt = Date.now();
    execSync(env.startCmd, { stdio: 'ignore' });
    await untilServersUp('S2 up for the worker', [S2.id], 60_000);
    console.log(`S2 back for the worker ${Date.now() - startedAt} ms after its start command`);
    for (const u of users.slice(0, 4)) await settle(u, 'pause');
    const placedBefore = events('call.originated').length;
    await signInAndConnect('agent5');
    expect(await homeOf('agent5')).toBe(S2.id);
    expect((await api('agent5', 'POST', '/api/agent/session/ready')).status).toBe(200);
    // A call placed on S1 just before the others paused may reach agent5 first (it crosses,
    // S1 -> S2): agent5 hangs it up and takes the next, placed on S2 for agent5.
    let own = '';
    for (let attempt = 0; attempt < 5 && !own; attempt++) {
      if (attempt > 0) await settle('agent5', 'ready');
      await until(
        'agent5 on a call',
        async () => (await status('agent5')).state === 'INCALL',
        90_000,
      );
      const callId = (await status('agent5')).callId ?? '';
      await until(
        'agent5 bridged',
        async () => events('call.bridged').some((e) => e.callId === callId),
        20_000,
      );
      const placedOn = events('call.originated').find((e) => e.callId === callId)?.serverId;
      const bridge = events('call.bridged').find((e) => e.callId === callId)?.bridgeId;
      console.log(`agent5's call: placed on ${placedOn}, bridged in ${bridge?.slice(0, 6)}...`);
      if (placedOn === S2.id) {
        expect(bridge).toBe(`agent-${ids.agent5}`);
        own = callId;
      } else {
        expect(bridge).toBe(`x-${callId}`);
      }
    }
    expect(own, 'a call placed on S2 and handed to agent5 there').not.toBe('');
    // S2's resync on its return ended none of the calls it lost again.
    for (const id of s2LostCalls)
      expect(events('call.ended').filter((e) => e.callId === id)).toHaveLength(1);
    expect(
      events('call.originated')
        .slice(placedBefore)
        .some((e) => e.serverId === S2.id),
    ).toBe(true);
    await settle('agent5', 'pause');
  }, 240_000);
});
