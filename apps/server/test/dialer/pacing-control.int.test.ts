import { Redis } from 'ioredis';
import type { CampaignId, ListId } from '@ringside/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCampaignsRepo } from '../../src/adapters/postgres/campaigns.js';
import { createDb } from '../../src/adapters/postgres/database.js';
import { createLogger } from '../../src/logger.js';
import { systemClock } from '../../src/ports/clock.js';
import { MemoryEventBus } from '../../src/ports/fakes/memory-event-bus.js';
import { MemoryHopper } from '../../src/ports/fakes/memory-hopper.js';
import { MemoryStateStore } from '../../src/ports/fakes/memory-state-store.js';
import { AgentSessionService } from '../../src/services/agents/agent-session.js';
import {
  CampaignLeases,
  LedgerStore,
  PacingControlStore,
} from '../../src/adapters/redis/dialer-state.js';
import { RedisKeys } from '../../src/adapters/redis/keys.js';
import { BreakerAriClient, createDialerEntryPoints } from '../../src/roles/dialer-parts.js';
import { DialerService } from '../../src/services/dialer/index.js';
import type { TestDb } from '../helpers/db.js';
import { dialerTestBed } from './setup.js';
import { inertDialerParts, neverOriginates, testDialerDefaults } from '../helpers/dialer.js';
import { testRedisPrefix } from '../helpers/redis.js';
import { dropBudgetWithEstimates } from '../../src/services/dialer/drop-budget.js';
import { ledgerFromCallLog } from '../../src/adapters/postgres/drop-ledger.js';
import { CallLogRepository } from '../../src/adapters/postgres/call-log.js';

let db: TestDb;
let redis: Redis;
let campaignId: CampaignId;
let listId: ListId;
const logger = createLogger('error');

beforeAll(async () => {
  ({ db, redis, campaignId, listId } = await dialerTestBed('pacing_control', 'control'));
});

afterAll(async () => {
  redis?.disconnect();
  await db?.drop();
});

describe('pacing control state across lease holders', () => {
  it('is written only by the lease holder and continued by the instance that takes over', async () => {
    const prefix = testRedisPrefix('pacing_control');
    const keys = new RedisKeys(prefix);
    const store = new MemoryStateStore(new MemoryEventBus());
    const sessions = new AgentSessionService({
      store,
      log: { record: async () => undefined },
      clock: systemClock,
    });
    const campaigns = createCampaignsRepo(createDb(db.pool));
    const make = (id: string) =>
      new DialerService({
        instanceId: id,
        store,
        hopper: new MemoryHopper(),
        originator: neverOriginates,
        ari: () => null,
        agents: sessions,
        ...inertDialerParts(),
        ...testDialerDefaults(logger),
        pacingControl: new PacingControlStore(redis, keys, id),
        campaigns,
        leases: new CampaignLeases(redis, keys, id, 600),
        bus: store.bus,
        rebuildLedger: async () => undefined,
        leaseIntervalMs: 100,
      });
    try {
      const a = make('a');
      await a.start();
      expect(a.driven()).toEqual([campaignId]);
      // What a's predictive decisions left after a day of dialing.
      const learned = { theta: 0.061, humansAt: 4_200, dropsAt: 117 };
      expect(await new PacingControlStore(redis, keys, 'a').save(campaignId, learned)).toBe(true);
      // Another instance without the lease cannot overwrite it.
      const intruder = new PacingControlStore(redis, keys, 'b');
      expect(await intruder.save(campaignId, { theta: 0.02, humansAt: 0, dropsAt: 0 })).toBe(false);
      expect(await intruder.load(campaignId)).toEqual(learned);

      await a.stop({ releaseLeases: false }); // dies: stops renewing
      const b = make('b');
      await b.start();
      const t0 = performance.now();
      while (!b.pacingControl(campaignId) && performance.now() - t0 < 5_000)
        await new Promise((r) => setTimeout(r, 20));
      expect(b.driven()).toEqual([campaignId]);
      // b's next decision continues from a's theta, not from 0.02.
      expect(b.pacingControl(campaignId)).toEqual(learned);
      await b.stop();

      // A restart of the same instance (lease given back on stop) also continues from it.
      const again = make('a');
      await again.start();
      expect(again.pacingControl(campaignId)).toEqual(learned);
      await again.stop();
    } finally {
      const left = await redis.keys(`${prefix}:*`);
      if (left.length) await redis.del(...left);
    }
  });

  it('treats a stored value that is not a control state as absent', async () => {
    const keys = new RedisKeys(testRedisPrefix('pacing_control_bad'));
    const s = new PacingControlStore(redis, keys, 'a');
    const id = '9001' as CampaignId;
    await redis.set(keys.pacingControl(id), '{"theta":"high"}');
    expect(await s.load(id)).toBeNull();
    await redis.del(keys.pacingControl(id));
  });
});

describe('one origination path for the dialer and manual dials', () => {
  it('caps each server at the configured calls and puts a trunk breaker on every client', async () => {
    const store = new MemoryStateStore(new MemoryEventBus());
    const entry = createDialerEntryPoints({
      // Builds the paths only; no agent moves here.
      agents: { apply: () => Promise.reject(new Error('not used')) },
      pool: db.pool,
      redis,
      prefix: testRedisPrefix('origination'),
      store,
      clock: systemClock,
      logger,
      ariServers: [
        { id: 's1', baseUrl: 'http://127.0.0.1:1', user: 'u', password: 'p', app: 'ringside' },
      ],
      maxCallsPerServer: 7,
    });
    try {
      expect(entry.origination.servers.loads()).toEqual([
        { id: 's1', up: true, load: 0, maxCalls: 7 },
      ]);
      expect(entry.origination.servers.server('s1')?.client).toBeInstanceOf(BreakerAriClient);
      // Five refusals that are the server's fault take it out of the pool, as in the dialer.
      for (let i = 0; i < 5; i++) entry.origination.breaker.failed('s1', new Error('no response'));
      expect(entry.origination.servers.isUp('s1')).toBe(false);
    } finally {
      entry.close();
    }
  });
});

describe('the drop ledger with estimated AMD drops', () => {
  it('keeps estimated drops apart from counted ones, across a rebuild from call_log', async () => {
    const keys = new RedisKeys(testRedisPrefix('ledger_est'));
    const ledger = new LedgerStore(redis, keys);
    const id = '9100' as CampaignId;
    const day = Math.floor(Date.now() / 86_400_000);
    await ledger.add(id, day, 1, 100);
    await ledger.add(id, day, 0, 0, 0.25);
    await ledger.add(id, day, 0, 0, 0.5);
    await ledger.add(id, day, 0, 0, 0, 0.125);
    expect(await ledger.days(id)).toEqual([
      { day, drops: 1, humans: 100, estimated: 0.75, estimatedAnswers: 0.125 },
    ]);
    // A take-over rebuilds the counts from call_log, which has no estimate: it is kept.
    await ledger.replace(id, [{ day, drops: 2, humans: 120 }]);
    const days = await ledger.days(id);
    expect(days).toEqual([
      { day, drops: 2, humans: 120, estimated: 0.75, estimatedAnswers: 0.125 },
    ]);
    // The budget counts them: 2.75 of 120.875 answers against a 3 % cap.
    const b = dropBudgetWithEstimates(days, Date.now(), 3);
    expect(b).toMatchObject({ drops: 2, humanAnswers: 120, estimatedDrops: 0.75 });
    expect(b.ratePct).toBeCloseTo((100 * 2.75) / 120.875, 8);
    expect(b.remainingDrops).toBeCloseTo(0.03 * 120.875 - 2.75, 8);
    await redis.del(keys.dialerLedger(id));
  });

  it('comes back from call_log with its estimates once Redis lost it (0102)', async () => {
    const keys = new RedisKeys(testRedisPrefix('ledger_call_log'));
    const ledger = new LedgerStore(redis, keys);
    const calls = new CallLogRepository(db.pool);
    const now = Date.now();
    const day = Math.floor(now / 86_400_000);
    // A human answer, a drop, a MACHINE hang-up (q = 0.2) and a MACHINE verdict an agent got
    // (q = 0.2 as an estimated answer: not a counted human).
    const rows: Array<[string, string, { abandoned: number; answers: number } | null]> = [
      ['est-h', 'HUMAN', null],
      ['est-d', 'DROPPED', null],
      ['est-m', 'MACHINE', { abandoned: 0.2, answers: 0 }],
      ['est-a', 'HUMAN', { abandoned: 0, answers: 0.2 }],
    ];
    for (const [callId, outcome, est] of rows) {
      await calls.start({
        callId,
        campaignId,
        listId,
        leadId: '1',
        phone: '+12125550100',
        attempt: 1,
        manual: false,
        serverId: 's1',
        channelId: callId,
        agentId: null,
        originatedAtMs: now - 60_000,
      });
      await calls.step(callId, { kind: 'answered', atMs: now - 50_000 });
      if (est) await calls.step(callId, { kind: 'amd_estimate', atMs: now - 40_000, ...est });
      const o = outcome as 'HUMAN' | 'DROPPED' | 'MACHINE';
      await calls.step(callId, { kind: 'ended', atMs: now - 30_000, outcome: o, hangupCause: 16 });
    }
    const days = await ledgerFromCallLog(db.pool, campaignId, now);
    expect(days).toHaveLength(1);
    expect(days[0]).toMatchObject({ day, drops: 1, humans: 2 });
    expect(days[0]?.estimated).toBeCloseTo(0.2, 9);
    expect(days[0]?.estimatedAnswers).toBeCloseTo(0.2, 9);
    await ledger.replace(campaignId, days);
    expect((await ledger.days(campaignId))[0]?.estimated).toBeCloseTo(0.2, 9);
    await redis.del(keys.dialerLedger(campaignId));
  });
});
