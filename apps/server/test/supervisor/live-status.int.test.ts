import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  AgentId,
  BusEnvelope,
  CallId,
  CampaignId,
  DialerStatusChanged,
  DomainEvent,
  LeadId,
  ListId,
} from '@ringside/protocol';
import { PgDialableLeads } from '../../src/adapters/postgres/dialable-leads.js';
import { PgHopperSource } from '../../src/adapters/postgres/hopper-source.js';
import { RedisEventBus } from '../../src/adapters/redis/event-bus.js';
import { RedisHopper } from '../../src/adapters/redis/hopper.js';
import { RedisKeys } from '../../src/adapters/redis/keys.js';
import { ManualClock } from '../../src/ports/clock.js';
import type { Subscription } from '../../src/ports/event-bus.js';
import { CampaignLiveStore } from '../../src/adapters/redis/dialer-live.js';
import { DAY_MS, type DialerStatus } from '../../src/ports/dialer.js';
import {
  DialerStatusPublisher,
  type ScheduleFn,
} from '../../src/services/dialer/status-publisher.js';
import { HopperFiller } from '../../src/services/hopper/hopper-filler.js';
import { seedDemo } from '../../src/adapters/postgres/demo-seed.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { redisTestContext, type RedisTestContext } from '../redis/redis-harness.js';
import pino from 'pino';

/**
 * The dialer's status push against the real Redis (and PostgreSQL for the filler's count): one
 * dialer.status per change, never more than one per interval, with the hopper size, the
 * dialable-lead count and today's AHT / ASA. Timers are a manual fake: nothing here waits.
 */

let rc: RedisTestContext;
let db: TestDb;
let keys: RedisKeys;
let live: CampaignLiveStore;
let bus: RedisEventBus;
let hopper: RedisHopper;
let seed: Awaited<ReturnType<typeof seedDemo>>;
const logger = pino({ level: 'silent' });
const NOW = Date.UTC(2026, 10, 26, 15, 0, 0);

beforeAll(async () => {
  rc = await redisTestContext('live_status');
  db = await createTestDb('live_status');
  keys = new RedisKeys(rc.prefix);
  live = new CampaignLiveStore(rc.redis, keys);
  bus = new RedisEventBus(rc.redis, { prefix: rc.prefix, blockMs: 100, approximateTrim: false });
  hopper = new RedisHopper(rc.redis, { prefix: rc.prefix });
  seed = await seedDemo(db.pool, { agents: 1, leads: 40, password: 'x-demo-password' });
});
afterAll(async () => {
  await db?.drop();
  await rc?.cleanup();
});

/** Timers that run only when the test says so. */
function manualTimers() {
  const due: Array<{ fn: () => void; ms: number }> = [];
  const schedule: ScheduleFn = (fn, ms) => {
    const t = { fn, ms };
    due.push(t);
    return () => {
      const i = due.indexOf(t);
      if (i >= 0) due.splice(i, 1);
    };
  };
  return {
    schedule,
    pending: () => due.length,
    /** Runs every timer due now and waits for the flushes they start. */
    async runAll(): Promise<void> {
      for (const t of due.splice(0)) t.fn();
      await new Promise((r) => setTimeout(r, 50));
    },
  };
}

/** A status publisher on this file's Redis; `wallNow` left out, it reads the real clock. */
function newPublisher(schedule: ScheduleFn, wallNow?: () => number): DialerStatusPublisher {
  return new DialerStatusPublisher({
    live,
    hopper,
    bus,
    store: { getCall: async () => null },
    clock: new ManualClock(NOW),
    logger,
    schedule,
    ...(wallNow && { wallNow }),
  });
}

async function published(
  run: (
    pub: DialerStatusPublisher,
    t: ReturnType<typeof manualTimers>,
    wall: { ms: number },
  ) => Promise<void>,
  campaignId: CampaignId,
): Promise<DialerStatusChanged[]> {
  const got: DialerStatusChanged[] = [];
  const sub: Subscription = await bus.subscribe({
    from: 'latest',
    onEvent: (env) => {
      if (env.event.type === 'dialer.status' && env.event.campaignId === campaignId) {
        got.push(env.event);
      }
    },
  });
  const t = manualTimers();
  const wall = { ms: 10_000 };
  const pub = newPublisher(t.schedule, () => wall.ms);
  await run(pub, t, wall);
  // The events have been published; let the reader deliver them.
  await new Promise((r) => setTimeout(r, 300));
  await sub.close();
  await pub.close();
  return got;
}

function status(campaignId: CampaignId, over: Partial<DialerStatus> = {}): DialerStatus {
  return {
    campaignId,
    instanceId: 'd1',
    state: 'dialing',
    reason: 'Progressive: 2 agents ready, 0 calls already covering them: placing 2.',
    mode: 'progressive',
    appliedMode: 'progressive',
    readyAgents: 2,
    callsInFlight: 2,
    waitingForAgent: 0,
    atMs: NOW,
    ...over,
  };
}

describe('dialer status publisher', () => {
  it('publishes once for many identical statuses, and again only when the reason changes', async () => {
    const c = '9001' as CampaignId;
    const got = await published(async (pub, t, wall) => {
      for (let i = 0; i < 10; i++) pub.observe(status(c), 1);
      expect(t.pending()).toBe(1);
      await t.runAll();
      // Every 250 ms tick of an unchanged decision: nothing new to publish.
      for (let i = 0; i < 8; i++) {
        wall.ms += 250;
        pub.observe(status(c, { atMs: NOW + i }), 1);
        await t.runAll();
      }
      wall.ms += 1_000;
      pub.observe(status(c, { state: 'idle', reason: 'No agent is ready: not dialing.' }), 1);
      await t.runAll();
    }, c);
    expect(got.map((e) => e.reason)).toEqual([
      'Progressive: 2 agents ready, 0 calls already covering them: placing 2.',
      'No agent is ready: not dialing.',
    ]);
    expect(got[0]).toMatchObject({ mode: 'progressive', dialLevel: 1, hopperSize: 0 });
  });

  it('publishes at most once per interval: changes within it are coalesced into the latest', async () => {
    const c = '9002' as CampaignId;
    const got = await published(async (pub, t, wall) => {
      pub.observe(status(c, { readyAgents: 1 }), 1);
      await t.runAll();
      wall.ms += 100; // well inside the 1 s interval
      pub.observe(status(c, { readyAgents: 2 }), 1);
      pub.observe(status(c, { readyAgents: 3 }), 1.5);
      pub.observe(status(c, { readyAgents: 4 }), 2);
      expect(t.pending()).toBe(1);
      await t.runAll();
    }, c);
    expect(got.map((e) => [e.readyAgents, e.dialLevel])).toEqual([
      [1, 1],
      [4, 2],
    ]);
  });

  it('adds the hopper size and the dialable count, and keeps the last status for snapshots', async () => {
    const c = '9003' as CampaignId;
    await hopper.add(c, [
      {
        leadId: 'l1' as LeadId,
        listId: '1' as ListId,
        campaignId: c,
        phone: '+14155550101' as never,
        timeZones: ['America/New_York'] as never,
        priority: 'new',
        attempts: 0,
        windowClosesAtMs: NOW + 3_600_000,
      },
    ]);
    await live.putDialable(c, { count: 1234, atMs: NOW - 5_000 });
    const got = await published(async (pub, t) => {
      pub.observe(status(c), 1);
      await t.runAll();
    }, c);
    expect(got[0]).toMatchObject({ hopperSize: 1, dialableLeads: 1234, dialableAtMs: NOW - 5_000 });
    const snap = await live.listLive(NOW, 15_000, c);
    expect(snap).toEqual([expect.objectContaining({ campaignId: c, hopperSize: 1 })]);
    // A status nobody refreshed for longer than the limit is dropped from snapshots.
    expect(await live.listLive(NOW + 60_000, 15_000, c)).toEqual([]);
  });

  it('counts AHT, ASA and occupancy from call and agent events, each event once across dialer instances', async () => {
    const c = '9004' as CampaignId;
    const agent = '5' as AgentId;
    const call = 'k1' as CallId;
    const events: DomainEvent[] = [
      {
        type: 'call.originated',
        callId: call,
        campaignId: c,
        leadId: 'l1' as LeadId,
        listId: '1' as ListId,
        agentId: null,
        serverId: 's',
        channelId: call,
        atMs: NOW,
      },
      {
        type: 'agent.state_changed',
        agentId: agent,
        campaignId: c,
        from: 'READY',
        to: 'INCALL',
        pauseCode: null,
        callId: call,
        reason: 'agent',
        sinceMs: NOW - 19_200,
        atMs: NOW + 10_800,
      },
      {
        type: 'agent.state_changed',
        agentId: agent,
        campaignId: c,
        from: 'INCALL',
        to: 'WRAPUP',
        pauseCode: null,
        callId: call,
        reason: 'agent',
        sinceMs: NOW + 10_800,
        atMs: NOW + 70_800,
      },
      { type: 'call.answered', callId: call, atMs: NOW + 10_000 },
      { type: 'call.bridged', callId: call, agentId: agent, bridgeId: 'b', atMs: NOW + 10_800 },
      {
        type: 'call.ended',
        callId: call,
        campaignId: c,
        leadId: 'l1' as LeadId,
        outcome: 'HUMAN',
        hangupCause: 16,
        agentId: agent,
        atMs: NOW + 70_800,
      },
      {
        type: 'agent.state_changed',
        agentId: agent,
        campaignId: c,
        from: 'WRAPUP',
        to: 'READY',
        pauseCode: null,
        callId: null,
        reason: 'agent',
        sinceMs: NOW + 70_800,
        atMs: NOW + 100_800,
      },
    ];
    const envs: BusEnvelope[] = events.map((event, i) => ({
      v: 1,
      stream: event.type.startsWith('agent.') ? 'agents' : 'calls',
      seq: i + 1,
      tsMs: event.atMs,
      event,
    }));
    const got = await published(async (pub, t) => {
      // A second dialer instance sees the same events: its sums must not double them.
      const other = newPublisher(t.schedule);
      for (const env of envs) {
        await pub.count(env);
        await other.count(env);
      }
      await other.close();
      pub.observe(status(c), 1);
      await t.runAll();
    }, c);
    expect(got[0]?.kpi).toEqual({
      dayStartMs: Math.floor(NOW / DAY_MS) * DAY_MS,
      handledCalls: 1,
      // talk 60 s + wrap-up 30 s over one handled call
      ahtMs: 90_000,
      connectedCalls: 1,
      // answered to bridged
      asaMs: 800,
      // 30 s READY before the call, 60 s INCALL, 30 s WRAPUP: busy 90 / (90 + 30)
      occupancyPct: 75,
    });
  });
});

describe('hopper filler: dialable leads', () => {
  it('counts the due leads outside the hopper into Redis, at most once per interval', async () => {
    const source = new PgHopperSource(db.pool);
    // Every seeded lead in a zone whose calling window is open at NOW (15:00 UTC = 10:00 NY).
    await db.pool.query(
      `UPDATE leads SET time_zone = 'America/New_York', tz_candidates = ARRAY['America/New_York'],
              tz_key = 'America/New_York', tz_source = 'manual'`,
    );
    await db.pool.query(
      `UPDATE campaigns SET hopper_size = 10, window_start = '08:00', window_end = '21:00'`,
    );
    // Two leads are final and one is not due yet: not dialable.
    await db.pool.query(
      `UPDATE leads SET final = true WHERE id IN (SELECT id FROM leads ORDER BY id LIMIT 2)`,
    );
    await db.pool.query(
      `UPDATE leads SET next_eligible_at = now() + interval '10 years'
        WHERE id = (SELECT id FROM leads WHERE NOT final ORDER BY id DESC LIMIT 1)`,
    );
    const clock = new ManualClock(NOW);
    const filler = new HopperFiller({
      source,
      hopper,
      clock,
      logger,
      dialable: { counter: new PgDialableLeads(db.pool), store: live, everyMs: 30_000 },
    });
    const campaignId = seed.campaignId as CampaignId;
    const r = await filler.fillById(campaignId);
    expect(r?.added).toBe(10);
    // 40 leads - 2 final - 1 not due - 10 now in the hopper
    expect(await live.getDialable(campaignId)).toEqual({ count: 27, atMs: NOW });
    await db.pool.query(`UPDATE leads SET final = true WHERE hopper_at IS NULL`);
    clock.advance(1_000);
    await filler.fillById(campaignId);
    expect((await live.getDialable(campaignId))?.count).toBe(27); // not recounted yet
    clock.advance(30_000);
    await filler.fillById(campaignId);
    expect(await live.getDialable(campaignId)).toEqual({ count: 0, atMs: NOW + 31_000 });
  });
});
