import type { AgentId, BusEnvelope, CampaignId, E164, LeadId, ListId } from '@ringside/protocol';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// apps/sim has no package exports yet; the source is imported directly.
import { linkSimPbxes, RealScheduler, startSimPbx, type SimPbx } from '../../../sim/src/index.js';
import { AriRestClient } from '../../src/adapters/asterisk/ari-client.js';
import { telephonyHealth } from '../../src/adapters/asterisk/telephony-health.js';
import { AgentLogRepository } from '../../src/adapters/postgres/agent-log.js';
import { createCampaignsRepo } from '../../src/adapters/postgres/campaigns.js';
import { createDb } from '../../src/adapters/postgres/database.js';
import { RedisAgentLegIndex } from '../../src/adapters/redis/agent-leg-index.js';
import { RedisEventBus } from '../../src/adapters/redis/event-bus.js';
import { RedisHopper } from '../../src/adapters/redis/hopper.js';
import { RedisStateStore } from '../../src/adapters/redis/state-store.js';
import { loadConfig, type AriServerConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { seededRng, type Clock } from '../../src/ports/clock.js';
import { scaledTimers } from '../../src/ports/dialer.js';
import type { HopperEntry } from '../../src/ports/hopper.js';
import { startAriWorker } from '../../src/roles/ari-worker.js';
import { startDialer, type RunningDialer } from '../../src/roles/dialer.js';
import type { RunningRole } from '../../src/roles/context.js';
import { fleetHomingOf } from '../../src/roles/fleet.js';
import { AgentSessionService } from '../../src/services/agents/agent-session.js';
import { AgentLegService } from '../../src/services/telephony/agent-leg.js';
import type { FleetHoming } from '../../src/services/telephony/fleet-homing.js';
import { BotAgent } from '../dialer/bots.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { TEST_REDIS_URL, testRedisPrefix } from '../helpers/redis.js';
import { SIM_CAMPAIGN } from '../helpers/sim-campaign.js';

/**
 * The Asterisk fleet (docs/telephony.md, "Asterisk fleet") on two simulated PBXes linked by a
 * trunk with 40 ms of latency, with the production ari-worker and dialer roles: agents homed on
 * both, calls placed in proportion to the agents homed on each, hand-offs on the same server
 * first and over the trunk when only an agent elsewhere is free, then one PBX killed mid-floor
 * with a call crossing from it to an agent on the other: the crossing's trunk leg times out on
 * the agent's PBX (rtp_timeout, modelled by the simulated trunk) and the call ends TRUNK_LOST,
 * the agent freed; at the one moment the PBX is declared lost (FLEET_REHOME_AFTER_MS) its other
 * calls end in state (SERVER_LOST) and its agents are re-homed and called from the other;
 * dialing goes on there.
 */
const SPEED = 4;
const EPOCH = Date.UTC(2026, 10, 24, 17, 0, 0); // 12:00 in New York
const AGENTS = 6;
const LEADS = 400;
/** The simulated trunk's RTP timeout, virtual ms (SPEED 4: 500 ms real). */
const TRUNK_RTP_TIMEOUT_MS = 2_000;
/** FLEET_REHOME_AFTER_MS, real ms: well after the trunk's timeout, so each shows on its own. */
const REHOME_AFTER_MS = 4_000;

let db: TestDb;
let redis: Redis;
let simA: SimPbx;
let simB: SimPbx;
let cutTrunk: () => void;
let worker: RunningRole;
let dialer: RunningDialer;
let homing: FleetHoming;
let store: RedisStateStore;
let bus: RedisEventBus;
let hopper: RedisHopper;
let sessions: AgentSessionService;
let campaignId: CampaignId;
let A: AriServerConfig;
let B: AriServerConfig;
let clock: Clock;
const bots: BotAgent[] = [];
const seen: BusEnvelope[] = [];
let closeSub: (() => Promise<void>) | null = null;

const server = (id: string, sim: SimPbx): AriServerConfig => ({
  id,
  baseUrl: sim.ariUrl,
  user: 'ringside',
  password: 'ringside',
  app: 'dialer',
});

async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 60_000) {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const events = <T extends BusEnvelope['event']['type']>(type: T) =>
  seen
    .map((e) => e.event)
    .filter((e): e is Extract<BusEnvelope['event'], { type: T }> => e.type === type);

beforeAll(async () => {
  db = await createTestDb('fleet');
  const prefix = testRedisPrefix('fleet');
  // One scheduler each: stopping one PBX clears its own timers only.
  const scheduler = new RealScheduler(SPEED, EPOCH);
  clock = { nowMs: () => Math.floor(scheduler.nowMs()) };
  const phones = Array.from({ length: AGENTS }, (_, i) => `agent${i + 1}`);
  // Every agent's phone can be called from either server (an external phone, as after a
  // re-homing): the simulated PBXes both know the endpoints.
  simA = await startSimPbx({ port: 0, scheduler, seed: 5, endpoints: phones });
  simB = await startSimPbx({
    port: 0,
    scheduler: new RealScheduler(SPEED, EPOCH),
    seed: 6,
    endpoints: phones,
  });
  cutTrunk = linkSimPbxes(simA, simB, {
    aEndpoint: 'fleet-2',
    bEndpoint: 'fleet-1',
    latencyMs: 40,
    rtpTimeoutMs: TRUNK_RTP_TIMEOUT_MS,
  });
  A = server('simA', simA);
  B = server('simB', simB);
  const config = loadConfig({
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: prefix,
    NODE_ENV: 'test',
    FLEET_REHOME_AFTER_MS: String(REHOME_AFTER_MS),
  });
  const logger = createLogger((process.env.RIG_LOG as 'info' | undefined) ?? 'error');
  redis = new Redis(TEST_REDIS_URL);
  store = new RedisStateStore(redis, { prefix, clock });
  bus = new RedisEventBus(redis, { prefix, clock, blockMs: 200 });
  hopper = new RedisHopper(redis, { prefix });
  const sub = await bus.subscribe({ from: 'latest', onEvent: (env) => void seen.push(env) });
  closeSub = () => sub.close();
  const ctx = { config, logger, pool: db.pool, clock, ariServers: [A, B] };
  for (const s of [A, B]) telephonyHealth.forget(s.id);
  // lostCallsAfterMs is the single-server limit: a fleet declares a server lost at
  // FLEET_REHOME_AFTER_MS, so B's calls must end then, long before this.
  worker = await startAriWorker(ctx, { liveRecordings: false, lostCallsAfterMs: 120_000 });
  await until('both servers up', () =>
    [A, B].every((s) => telephonyHealth.snapshot().some((x) => x.serverId === s.id && x.up)),
  );
  dialer = await startDialer(ctx, {
    timeScale: SPEED,
    instanceId: 'fleet-dialer',
    safeHarborStartMs: 350 * SPEED,
  });
  homing = fleetHomingOf(redis, config, [A, B], telephonyHealth, clock, logger);

  const campaigns = createCampaignsRepo(createDb(db.pool));
  const campaign = await campaigns.create({
    ...SIM_CAMPAIGN,
    name: 'fleet',
    dialMethod: 'ratio',
    dialLevel: 2,
  });
  campaignId = campaign.id;
  const list = await db.pool.query<{ id: string }>(
    `INSERT INTO lists (campaign_id, name) VALUES ($1, 'fleet') RETURNING id`,
    [campaignId],
  );
  const listId = list.rows[0]?.id as ListId;
  // Last digit 0: a person answers.
  const leads = await db.pool.query<{ id: string; phone: string }>(
    `INSERT INTO leads (list_id, phone, time_zone, tz_candidates, tz_key, tz_source)
     SELECT $1, '+1212' || lpad((g * 10)::text, 7, '0'),
            'America/New_York', ARRAY['America/New_York'], 'America/New_York', 'manual'
       FROM generate_series(1, ${LEADS}) g
     RETURNING id, phone`,
    [listId],
  );
  const users = await db.pool.query<{ id: string }>(
    `INSERT INTO users (username, display_name, role, password_hash, phone_type, sip_endpoint)
     SELECT 'fbot' || g, 'Fleet bot ' || g, 'agent', 'x', 'sip', 'PJSIP/agent' || g
       FROM generate_series(1, ${AGENTS}) g
     RETURNING id`,
  );
  sessions = new AgentSessionService({
    store,
    log: new AgentLogRepository(db.pool),
    clock,
    logger,
  });
  const aris = new Map([
    [A.id, new AriRestClient(A)],
    [B.id, new AriRestClient(B)],
  ]);
  // The api role's legs: called from the agent's home (roles/api-agents.ts).
  const legs = new AgentLegService({
    ari: aris.get(A.id) as AriRestClient,
    store,
    agents: sessions,
    app: 'dialer',
    logger,
    index: new RedisAgentLegIndex(redis, prefix),
    serverId: A.id,
    homeOf: async (agentId, choose) => {
      const id = choose ? await homing.home(agentId) : await homing.homeOf(agentId);
      return id ? { ari: aris.get(id) as AriRestClient, serverId: id } : null;
    },
  });
  const rng = seededRng(7);
  users.rows.forEach((u, i) => {
    bots.push(
      new BotAgent(
        u.id as AgentId,
        `PJSIP/agent${i + 1}`,
        campaignId,
        {
          sessions,
          legs,
          store,
          pool: db.pool,
          clock,
          timers: scaledTimers(SPEED),
          rng,
          hangupCall: async (callId) => {
            const call = await store.getCall(callId);
            if (call) await aris.get(call.serverId)?.hangup(call.channelId);
          },
        },
        0.3,
      ),
    );
  });
  const feed = await bus.subscribe({
    from: 'latest',
    onEvent: (env) => {
      for (const b of bots) b.onEvent(env);
    },
  });
  const prevClose = closeSub;
  closeSub = async () => {
    await prevClose();
    await feed.close();
  };
  // One after the other, so the homes alternate by load (A, B, A, B, ...).
  for (const b of bots) await b.login();
  const now = clock.nowMs();
  await db.pool.query(`UPDATE leads SET hopper_at = $1 WHERE list_id = $2`, [
    new Date(now),
    listId,
  ]);
  const entries: HopperEntry[] = leads.rows.map((x) => ({
    leadId: x.id as LeadId,
    listId,
    campaignId,
    phone: x.phone as E164,
    timeZones: ['America/New_York'],
    priority: 'new',
    attempts: 0,
    windowClosesAtMs: now + 12 * 3600_000,
  }));
  await hopper.add(campaignId, entries);
}, 90_000);

afterAll(async () => {
  await createCampaignsRepo(createDb(db.pool))
    .update(campaignId, { active: false })
    .catch(() => undefined);
  await dialer?.stop();
  await closeSub?.();
  await worker?.stop();
  await hopper?.clear(campaignId).catch(() => undefined);
  cutTrunk?.();
  await simA?.stop();
  await simB?.stop().catch(() => undefined);
  redis?.disconnect();
  await db?.drop();
}, 60_000);

describe('an Asterisk fleet of two simulated PBXes', () => {
  it('homes the agents on both servers by load, their phone legs on their home', async () => {
    const homed = events('agent.homed');
    expect(homed).toHaveLength(AGENTS);
    const homes = await Promise.all(bots.map((b) => homing.homeOf(b.agentId)));
    expect(homes.filter((h) => h === A.id)).toHaveLength(AGENTS / 2);
    expect(homes.filter((h) => h === B.id)).toHaveLength(AGENTS / 2);
    const legsOn = (sim: SimPbx) =>
      [...sim.engine.channels.values()].filter((c) => c.name.startsWith('PJSIP/agent')).length;
    expect(legsOn(simA)).toBe(AGENTS / 2);
    expect(legsOn(simB)).toBe(AGENTS / 2);
  });

  it('places calls on both servers and hands them to an agent on the same server first', async () => {
    await createCampaignsRepo(createDb(db.pool)).update(campaignId, { active: true });
    await until('40 hand-offs', () => events('call.bridged').length >= 40, 90_000);
    const placed = events('call.originated');
    const onA = placed.filter((e) => e.serverId === A.id).length;
    const onB = placed.filter((e) => e.serverId === B.id).length;
    console.log(`placed: A ${onA}, B ${onB}`);
    // Three agents homed on each: an even split (the round robin follows the working agents).
    expect(Math.min(onA, onB) / Math.max(onA, onB)).toBeGreaterThan(0.6);
    const bridged = events('call.bridged');
    const crossed = bridged.filter((e) => e.bridgeId.startsWith('x-')).length;
    console.log(`bridged ${bridged.length}, crossed ${crossed}`);
    expect(bridged.length - crossed).toBeGreaterThan(crossed);
    // Every same-server hand-off went to an agent homed there.
    const serverOf = new Map(placed.map((e) => [e.callId, e.serverId]));
    for (const e of bridged.filter((x) => x.bridgeId.startsWith('agent-')))
      expect(await homing.homeOf(e.agentId)).toBe(serverOf.get(e.callId));
  }, 120_000);

  it('crosses on the trunk to an agent homed on the other server, a channel on both PBXes', async () => {
    // Busy moments leave a server's answers with only the other server's agents free.
    await until(
      'a crossing hand-off',
      () => events('call.bridged').some((e) => e.bridgeId.startsWith('x-')),
      60_000,
    );
    const serverOf = new Map(events('call.originated').map((e) => [e.callId, e.serverId]));
    for (const e of events('call.bridged').filter((x) => x.bridgeId.startsWith('x-'))) {
      const home = await homing.homeOf(e.agentId);
      expect(home).not.toBe(serverOf.get(e.callId));
    }
    // A crossing call in progress is a channel on both PBXes: the customer in the crossing
    // bridge on its server, the trunk leg in the agent's bridge on the other.
    await until(
      'a crossing call in progress',
      () =>
        [simA, simB].some((sim) =>
          [...sim.engine.channels.values()].some(
            (c) => c.id.endsWith('-x') && c.bridge?.id.startsWith('agent-'),
          ),
        ),
      60_000,
    );
    const [sim, other] = [...simB.engine.channels.values()].some((c) => c.id.endsWith('-x'))
      ? [simB, simA]
      : [simA, simB];
    const leg = [...sim.engine.channels.values()].find(
      (c) => c.id.endsWith('-x') && c.bridge?.id.startsWith('agent-'),
    );
    const callId = leg?.id.slice(0, -2) ?? '';
    const customer = other.engine.channels.get(callId);
    if (customer) expect(customer.bridge?.id ?? `x-${callId}`).toBe(`x-${callId}`);
  }, 120_000);

  it('loses one PBX mid-floor: a crossed call ends TRUNK_LOST, its calls end in state when its agents are re-homed, dialing goes on', async () => {
    const homesBefore = await Promise.all(bots.map((b) => homing.homeOf(b.agentId)));
    const bBots = bots.filter((_, i) => homesBefore[i] === B.id);
    const homedBefore = events('agent.homed').length;
    // A call crossing from B (the customer) to an agent on A (the trunk leg in its bridge).
    const crossingOnA = () =>
      [...simA.engine.channels.values()].find(
        (c) => c.id.endsWith('-x') && c.bridge?.id.startsWith('agent-'),
      );
    await until('a call crossing from B to an agent on A', () => !!crossingOnA(), 90_000);
    const crossed = (crossingOnA()?.id ?? '').slice(0, -2);
    const endedBefore = seen.length;
    cutTrunk();
    await simB.stop();
    const killedAt = Date.now();
    const endedAfterKill = () =>
      seen
        .slice(endedBefore)
        .map((e) => e.event)
        .filter((e): e is Extract<BusEnvelope['event'], { type: 'call.ended' }> => {
          return e.type === 'call.ended';
        });
    const liveOnB = (await store.listCalls()).filter((c) => c.serverId === B.id);
    expect(liveOnB.some((c) => c.callId === crossed)).toBe(true);
    // The trunk leg on A hears nothing from B: it times out (rtp_timeout) before B is declared
    // lost, and the worker on A ends the call, TRUNK_LOST; its agent is freed.
    await until("the crossed call's end", () => endedAfterKill().some((e) => e.callId === crossed));
    const crossedEnd = endedAfterKill().find((e) => e.callId === crossed);
    console.log(`crossed call ended ${Date.now() - killedAt} ms after the kill (real)`);
    expect(crossedEnd?.reason).toBe('TRUNK_LOST');
    const crossedAgent = crossedEnd?.agentId;
    expect(crossedAgent).toBeTruthy();
    await until("the crossed call's agent off the call", async () => {
      // As after any customer hang-up: DEAD or wrap-up (the bot disposes), then on.
      const st = await store.getAgent(crossedAgent as AgentId);
      return st?.callId !== crossed || st.state === 'DEAD' || st.state === 'WRAPUP';
    });
    // Declared lost at FLEET_REHOME_AFTER_MS: B's calls end in state then (not at the
    // single-server lostCallsAfterMs), SERVER_LOST, and its agents are re-homed.
    await until(
      "B's calls ended in state",
      async () => (await store.listCalls()).every((c) => c.serverId !== B.id),
      30_000,
    );
    console.log(`B's calls ended in state ${Date.now() - killedAt} ms after the kill (real)`);
    // A call of B bridged to an agent on A over the trunk ends TRUNK_LOST (as the one above);
    // every other one SERVER_LOST.
    const reasonOf = new Map(
      liveOnB.map((c) => [
        c.callId as string,
        c.bridgeId?.startsWith('x-') ? 'TRUNK_LOST' : 'SERVER_LOST',
      ]),
    );
    for (const c of liveOnB)
      expect(endedAfterKill().find((e) => e.callId === c.callId)?.reason).toBe(
        reasonOf.get(c.callId),
      );
    // Re-homed at that same decision: one agent.homed server_lost each.
    await until(
      "B's agents re-homed",
      () =>
        events('agent.homed')
          .slice(homedBefore)
          .filter((e) => e.reason === 'server_lost').length >= bBots.length,
      30_000,
    );
    // Each call of B ended once, and call_log says why.
    const ids = liveOnB.map((c) => c.callId);
    for (const id of ids) expect(endedAfterKill().filter((e) => e.callId === id)).toHaveLength(1);
    await until('call_log closed', async () => {
      const r = await db.pool.query<{ n: string }>(
        `SELECT count(*) AS n FROM call_log WHERE id = ANY($1) AND ended_at IS NOT NULL`,
        [ids],
      );
      return Number(r.rows[0]?.n) === ids.length;
    });
    const logged = await db.pool.query<{ id: string; end_reason: string | null }>(
      `SELECT id, end_reason FROM call_log WHERE id = ANY($1)`,
      [ids],
    );
    expect(logged.rows).toHaveLength(ids.length);
    for (const row of logged.rows) expect(row.end_reason).toBe(reasonOf.get(row.id));
    for (const b of bBots) expect(await homing.homeOf(b.agentId)).toBe(A.id);
    // Their external phones are called from the new home: the legs come up on A.
    await until(
      "B's agents' phones back, on A",
      async () => {
        const st = await Promise.all(bBots.map((b) => store.getAgent(b.agentId)));
        return st.every((s) => s?.legChannelId);
      },
      30_000,
    );
    for (const b of bBots) {
      const s = await store.getAgent(b.agentId);
      if (s?.state === 'PAUSED') await sessions.apply(b.agentId, { type: 'ready' }, 'agent');
    }
    const placedBefore = events('call.originated').length;
    const bridgedBefore = events('call.bridged').length;
    await until(
      'dialing on A again',
      () => events('call.bridged').length >= bridgedBefore + 5,
      60_000,
    );
    const after = events('call.originated').slice(placedBefore);
    expect(after.length).toBeGreaterThan(0);
    expect(after.every((e) => e.serverId === A.id)).toBe(true);
  }, 150_000);
});
