import { Redis } from 'ioredis';
import type { AgentId, CallId, CampaignId, ListId } from '@ringside/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgDropLedgerSource } from '../../src/adapters/postgres/drop-ledger.js';
import { createCampaignsRepo } from '../../src/adapters/postgres/campaigns.js';
import { type CampaignsRepo } from '../../src/ports/campaigns.js';
import { createDb } from '../../src/adapters/postgres/database.js';
import { isDialable } from '../../src/domain/calling-window.js';
import { ComplianceError, ConflictError } from '../../src/errors.js';
import { createLogger } from '../../src/logger.js';
import { systemClock } from '../../src/ports/clock.js';
import { MemoryEventBus } from '../../src/ports/fakes/memory-event-bus.js';
import { MemoryHopper } from '../../src/ports/fakes/memory-hopper.js';
import { MemoryStateStore } from '../../src/ports/fakes/memory-state-store.js';
import { AgentSessionService } from '../../src/services/agents/agent-session.js';
import { RedisKeys } from '../../src/adapters/redis/keys.js';
import { CampaignLeases, LedgerStore } from '../../src/adapters/redis/dialer-state.js';
import { createDncCache } from '../../src/roles/dialer-parts.js';
import type { DialerAri } from '../../src/ports/dialer.js';
import { DialerService, createDropBudgetReader } from '../../src/services/dialer/index.js';
import type { TestDb } from '../helpers/db.js';
import { putHumanAnswer } from '../helpers/live-call.js';
import { dialerTestBed } from './setup.js';
import { inertDialerParts, neverOriginates, testDialerDefaults } from '../helpers/dialer.js';
import { manualDialRig } from '../helpers/manual-dial-rig.js';
import { testRedisPrefix } from '../helpers/redis.js';

let db: TestDb;
let redis: Redis;
let keys: RedisKeys;
let campaigns: CampaignsRepo;
let campaignId: CampaignId;
let listId: ListId;
const logger = createLogger('error');

/** A zone whose local time is now inside (or outside) 09:00-20:00. */
function zone(inside: boolean): string {
  const zones = [
    'America/New_York',
    'America/Los_Angeles',
    'Europe/Paris',
    'Asia/Tokyo',
    'Australia/Sydney',
    'Pacific/Honolulu',
    'Asia/Kolkata',
  ];
  const w = { startMinute: 9 * 60, endMinute: 20 * 60 };
  const z = zones.find((x) => isDialable([x], w, Date.now()) === inside);
  if (!z) throw new Error('no zone found');
  return z;
}

beforeAll(async () => {
  ({ db, redis, campaignId, listId } = await dialerTestBed('dialer_parts', 'parts'));
  keys = new RedisKeys(testRedisPrefix('dialer_parts'));
  campaigns = createCampaignsRepo(createDb(db.pool));
});

afterAll(async () => {
  redis?.disconnect();
  await db?.drop();
});

describe('campaign leases', () => {
  it('lets one instance drive a campaign and another take it once the first stops renewing', async () => {
    const a = new CampaignLeases(redis, keys, 'a', 300);
    const b = new CampaignLeases(redis, keys, 'b', 300);
    const id = '901' as CampaignId;
    expect(await a.acquireOrRenew(id)).toBe(true);
    expect(await b.acquireOrRenew(id)).toBe(false);
    await new Promise((r) => setTimeout(r, 200));
    expect(await a.acquireOrRenew(id)).toBe(true); // renewed
    await new Promise((r) => setTimeout(r, 200));
    expect(await b.acquireOrRenew(id)).toBe(false); // still a's
    await new Promise((r) => setTimeout(r, 350));
    expect(await b.acquireOrRenew(id)).toBe(true);
    expect(await a.acquireOrRenew(id)).toBe(false);
    await a.give(id); // not a's any more: changes nothing
    expect(await b.owner(id)).toBe('b');
  });
});

describe('dialer take-over', () => {
  it('has another instance take over a dead one within seconds and act on its calls', async () => {
    const store = new MemoryStateStore(new MemoryEventBus());
    const bus = store.bus;
    const hopper = new MemoryHopper();
    const sessions = new AgentSessionService({
      store,
      log: { record: async () => undefined },
      clock: systemClock,
    });
    const ariLog: string[] = [];
    const ari: DialerAri = {
      createBridge: async () => ({}),
      addChannel: async (b, c) => void ariLog.push(`add ${b} ${String(c)}`),
      removeChannel: async () => undefined,
      playOnChannel: async (c) => void ariLog.push(`play ${c}`),
      getPlayback: async () => ({}),
      hangup: async (c) => void ariLog.push(`hangup ${c}`),
    };
    const prefix = testRedisPrefix('takeover');
    const make = (id: string) =>
      new DialerService({
        instanceId: id,
        store,
        hopper,
        originator: neverOriginates,
        ari: () => ari,
        agents: sessions,
        ...inertDialerParts(),
        ...testDialerDefaults(logger),
        campaigns,
        leases: new CampaignLeases(redis, new RedisKeys(prefix), id, 600),
        bus,
        rebuildLedger: async () => undefined,
        leaseIntervalMs: 100,
      });
    const a = make('a');
    await a.start();
    const b = make('b');
    await b.start();
    expect(a.driven()).toEqual([campaignId]);
    expect(b.driven()).toEqual([]);

    await a.stop({ releaseLeases: false }); // dies: stops renewing
    // While nobody drives, a customer answers and AMD says HUMAN; an agent is ready.
    const agentId = '77' as AgentId;
    await sessions.apply(agentId, { type: 'login', campaignId }, 'agent');
    await sessions.apply(
      agentId,
      { type: 'set_leg', bridgeId: 'agent-77', legChannelId: 'leg-77' },
      'x',
    );
    await sessions.apply(agentId, { type: 'ready' }, 'agent');
    await putHumanAnswer(store, 'orphan', campaignId, listId);

    const t0 = performance.now();
    while (b.driven().length === 0 && performance.now() - t0 < 5_000)
      await new Promise((r) => setTimeout(r, 20));
    const tookMs = performance.now() - t0;
    expect(b.driven()).toEqual([campaignId]);
    expect(tookMs).toBeLessThan(2_000);
    for (let i = 0; i < 50 && ariLog.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    // Within the 2 s of the AMD decision, the recovered call went to the ready agent.
    expect(ariLog).toContain('add agent-77 orphan');
    expect((await store.getAgent(agentId))?.state).toBe('INCALL');
    await b.stop();
  });
});

describe('DNC cache', () => {
  it('mirrors the dnc table, picks up new rows, and drops removed ones on rebuild', async () => {
    const dnc = createDncCache(redis, keys, db.pool, logger);
    await db.pool.query(`INSERT INTO dnc (phone) VALUES ('+12125550001')`);
    await db.pool.query(`INSERT INTO dnc (phone, campaign_id) VALUES ('+12125550002', $1)`, [
      campaignId,
    ]);
    await dnc.rebuild();
    expect(await dnc.isBlocked('+12125550001', campaignId)).toBe(true);
    expect(await dnc.isBlocked('+12125550002', campaignId)).toBe(true);
    expect(await dnc.isBlocked('+12125550002', '999')).toBe(false);
    expect(await dnc.isBlocked('+12125550003', campaignId)).toBe(false);
    await db.pool.query(`INSERT INTO dnc (phone) VALUES ('+12125550003')`);
    expect(await dnc.syncNew()).toBe(1);
    expect(await dnc.isBlocked('+12125550003', campaignId)).toBe(true);
    await db.pool.query(`DELETE FROM dnc WHERE phone = '+12125550001'`);
    await dnc.rebuild([campaignId]);
    expect(await dnc.isBlocked('+12125550001', campaignId)).toBe(false);
    expect(await dnc.isBlocked('+12125550002', campaignId)).toBe(true);
  });
});

describe('manual dial', () => {
  const setup = () =>
    manualDialRig({
      pool: db.pool,
      campaignId,
      agentId: String(500 + Math.floor(Math.random() * 1000)) as AgentId,
      leg: { bridgeId: 'agent-x', legChannelId: 'leg-x' },
      clock: systemClock,
      logger,
      campaigns,
      newCallId: (requests) => `m${requests.length + 1}` as CallId,
    });

  async function lead(phone: string, tz: string): Promise<string> {
    const r = await db.pool.query<{ id: string }>(
      `INSERT INTO leads (list_id, phone, time_zone, tz_candidates, tz_key) VALUES ($1, $2, $3, ARRAY[$3], $3) RETURNING id`,
      [listId, phone, tz],
    );
    return r.rows[0]?.id as string;
  }

  it('dials a lead for a paused agent through the same origination path, and the agent is on the call', async () => {
    const { dialer, agentId, requests, store } = await setup();
    const id = await lead('+13125550100', zone(true));
    const r = await dialer.manualDial(agentId, id);
    expect(requests[0]).toMatchObject({ leadId: id, agentId, manual: true, campaignId });
    expect(requests[0]?.ringTimeoutS).toBeGreaterThanOrEqual(15);
    expect(await store.getAgent(agentId)).toMatchObject({ state: 'INCALL', callId: r.callId });
  });

  it('refuses a number on DNC with a ComplianceError naming the rule', async () => {
    const { dialer, agentId, requests } = await setup();
    await lead('+13125550101', zone(true));
    await db.pool.query(`INSERT INTO dnc (phone, campaign_id) VALUES ('+13125550101', $1)`, [
      campaignId,
    ]);
    const err = await dialer.manualDial(agentId, '+13125550101').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ComplianceError);
    expect(err).toMatchObject({ rule: 'DNC', httpStatus: 422 });
    expect(requests).toEqual([]);
  });

  it('refuses a lead outside its calling window with a ComplianceError', async () => {
    const { dialer, agentId } = await setup();
    const id = await lead('+13125550102', zone(false));
    await expect(dialer.manualDial(agentId, id)).rejects.toMatchObject({
      code: 'COMPLIANCE',
      rule: 'CALLING_WINDOW',
    });
  });

  it('refuses while the agent is ready (only a paused agent dials by hand)', async () => {
    const { dialer, agentId, sessions, requests } = await setup();
    await sessions.apply(agentId, { type: 'ready' }, 'agent');
    const id = await lead('+13125550103', zone(true));
    await expect(dialer.manualDial(agentId, id)).rejects.toBeInstanceOf(ConflictError);
    expect(requests).toEqual([]);
  });
});

describe('drop budget', () => {
  it('serves the remaining budget from call_log and forces progressive when it is spent', async () => {
    const c = await campaigns.create({ name: 'budget', dropRateCapPct: 3 });
    const now = Date.now();
    await db.pool.query(
      `INSERT INTO call_log (id, campaign_id, list_id, lead_id, phone, server_id, channel_id, originated_at,
                             answered_at, ended_at, outcome, dropped)
       SELECT 'b' || g, $1, 1, g, '+12125550000', 's', 'b' || g, $2, $2, $2,
              CASE WHEN g <= 3 THEN 'DROPPED' ELSE 'HUMAN' END, g <= 3
         FROM generate_series(1, 100) g`,
      [c.id, new Date(now - 3600_000)],
    );
    const ledger = new LedgerStore(redis, keys);
    const reader = createDropBudgetReader({
      source: new PgDropLedgerSource(db.pool),
      ledger,
      clock: systemClock,
    });
    const b = await reader.getDropBudget(c.id);
    expect(b).toMatchObject({ drops: 3, humanAnswers: 100, capPct: 3, forcesProgressive: true });
    expect(b.remainingDrops).toBeCloseTo(0);
    await expect(reader.getDropBudget('424242' as CampaignId)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});
