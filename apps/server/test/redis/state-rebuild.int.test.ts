import { AgentId, CallId, CampaignId } from '@ringside/protocol';
import { describe, expect, it } from 'vitest';
import { AgentLogRepository } from '../../src/adapters/postgres/agent-log.js';
import { PgHopperSource } from '../../src/adapters/postgres/hopper-source.js';
import { RedisHopper } from '../../src/adapters/redis/hopper.js';
import { RedisBootSentinel } from '../../src/adapters/redis/boot-sentinel.js';
import { RedisKeys } from '../../src/adapters/redis/keys.js';
import { RedisStateStore } from '../../src/adapters/redis/state-store.js';
import { ManualClock } from '../../src/ports/clock.js';
import { AgentSessionService } from '../../src/services/agents/agent-session.js';
import { HopperFiller } from '../../src/services/hopper/hopper-filler.js';
import { kpiSumsOfWindow } from '../../src/adapters/postgres/kpi-sums.js';
import { CampaignLiveStore } from '../../src/adapters/redis/dialer-live.js';
import { DAY_MS } from '../../src/ports/dialer.js';
import { StateRebuild } from '../../src/services/agents/state-rebuild.js';
import { useRedisTestContext, useTestDb } from '../helpers/hooks.js';
import { deleteByPrefix } from './redis-harness.js';
import { insertManyLeads, seedCampaign } from './seed.js';

const NOW = Date.parse('2026-01-15T18:00:00Z');

const db = useTestDb('rebuild');
const rc = useRedisTestContext('rebuild');

function wire() {
  const clock = new ManualClock(NOW);
  const keys = new RedisKeys(rc.prefix);
  const live = new CampaignLiveStore(rc.redis, keys);
  const store = new RedisStateStore(rc.redis, { prefix: rc.prefix, clock });
  const hopper = new RedisHopper(rc.redis, { prefix: rc.prefix });
  const source = new PgHopperSource(db.pool);
  const filler = new HopperFiller({ source, hopper, clock });
  const agentLog = new AgentLogRepository(db.pool);
  const rebuild = new StateRebuild({
    sentinel: new RedisBootSentinel(rc.redis, keys),
    store,
    hopper,
    source,
    filler,
    agentLog,
    clock,
    waitMs: 5_000,
    kpi: {
      sumsOfWindow: (ids, fromMs, toMs) => kpiSumsOfWindow(db.pool, ids, fromMs, toMs),
      addTotals: (id, day, sums) => live.addKpiTotals(id, day, sums),
    },
  });
  const agents = new AgentSessionService({ store, log: agentLog, clock });
  return { clock, store, hopper, filler, rebuild, agents, source, live };
}

describe('state rebuild after Redis lost its data', () => {
  it('restores agents and hoppers from PostgreSQL once, and only when the sentinel is missing', async () => {
    const s = await seedCampaign(db.pool, { hopperSize: 20 });
    const cid = CampaignId.parse(s.campaignId);
    await insertManyLeads(db.pool, s.listId, 60, ['America/New_York'], 12_125_550_000);
    const w = wire();
    // First start: nothing in Redis, so a rebuild runs and fills the hopper.
    expect(await w.rebuild.ensure()).toMatchObject({ campaigns: 1, leadsQueued: 20 });
    expect(await w.rebuild.ensure()).toBeNull();

    const ready = AgentId.parse('201');
    const paused = AgentId.parse('202');
    const out = AgentId.parse('203');
    for (const a of [ready, paused, out]) {
      await w.agents.apply(a, { type: 'login', campaignId: cid }, 'agent');
    }
    w.clock.advance(1_000);
    await w.agents.apply(ready, { type: 'ready' }, 'agent');
    await w.agents.apply(paused, { type: 'pause', code: 'BRK' }, 'agent');
    await w.agents.apply(out, { type: 'logout' }, 'agent');
    const before = {
      ready: await w.store.getAgent(ready),
      paused: await w.store.getAgent(paused),
    };
    // A dialer holds a lease on one lead when Redis goes away.
    const lease = await w.hopper.pop(cid, 'd1', 30_000, NOW);
    expect(lease).not.toBeNull();

    await deleteByPrefix(rc.redis, rc.prefix); // Redis restarted empty

    // Two processes notice at once: exactly one rebuilds.
    const other = wire();
    const [r1, r2] = await Promise.all([w.rebuild.ensure(), other.rebuild.ensure()]);
    const report = r1 ?? r2;
    expect([r1, r2].filter((r) => r !== null)).toHaveLength(1);
    expect(report).toMatchObject({ agents: 2, campaigns: 1, marksCleared: 20, leadsQueued: 20 });

    expect(await w.store.getAgent(ready)).toEqual(before.ready);
    expect(await w.store.getAgent(paused)).toEqual(before.paused);
    expect(await w.store.getAgent(out)).toBeNull();
    expect(await w.store.countReady(cid)).toBe(1);
    expect((await w.store.reserveLongestReady(cid, CallId.parse('c1'), NOW + 5))?.agentId).toBe(
      ready,
    );

    // Marks and hopper agree again: every marked lead is in the hopper, and only those.
    const marked = await db.pool.query<{ id: string }>(
      'SELECT id::text FROM leads WHERE hopper_at IS NOT NULL ORDER BY id',
    );
    const queued = (await w.hopper.entries(cid)).map((e) => e.leadId as string).sort();
    expect(marked.rows.map((r) => r.id).sort()).toEqual(queued);
    expect(queued).toHaveLength(20);
  });

  it("puts today's AHT and ASA sums back from call_log and agent_log, as the live counting adds them", async () => {
    const s = await seedCampaign(db.pool, { hopperSize: 5, name: 'kpi' });
    const other = await seedCampaign(db.pool, { hopperSize: 5, name: 'kpi-other' });
    const cid = CampaignId.parse(s.campaignId);
    const day = Math.floor(NOW / DAY_MS);
    const at = (msAfterMidnight: number) => new Date(day * DAY_MS + msAfterMidnight);
    const call = async (
      id: string,
      campaignId: string,
      listId: string,
      t: { dialed: Date; answered?: Date; connected?: Date; ended?: Date },
    ) =>
      db.pool.query(
        `INSERT INTO call_log (id, campaign_id, list_id, lead_id, phone, server_id, channel_id,
                               originated_at, answered_at, agent_connected_at, ended_at)
         VALUES ($1, $2, $3, 1, '+12125550100', 'pbx', $1, $4, $5, $6, $7)`,
        [
          id,
          campaignId,
          listId,
          t.dialed,
          t.answered ?? null,
          t.connected ?? null,
          t.ended ?? null,
        ],
      );
    const H = 3_600_000;
    // Connected 2 s after its answer, 60 s of talk: one connected and one handled call.
    await call('k1', s.campaignId, s.listId, {
      dialed: at(10 * H),
      answered: at(10 * H + 10_000),
      connected: at(10 * H + 12_000),
      ended: at(10 * H + 72_000),
    });
    // Still talking: connected today (4 s wait), not handled yet.
    await call('k2', s.campaignId, s.listId, {
      dialed: at(17 * H),
      answered: at(17 * H + 8_000),
      connected: at(17 * H + 12_000),
    });
    // Connected yesterday, ended today: handled today (30 s of talk), connected yesterday.
    await call('k3', s.campaignId, s.listId, {
      dialed: at(-60_000),
      answered: at(-40_000),
      connected: at(-20_000),
      ended: at(10_000),
    });
    // Never reached an agent, and another campaign's call: neither counts here.
    await call('k4', s.campaignId, s.listId, {
      dialed: at(H),
      answered: at(H + 5_000),
      ended: at(H + 9_000),
    });
    await call('k5', other.campaignId, other.listId, {
      dialed: at(H),
      answered: at(H + 5_000),
      connected: at(H + 6_000),
      ended: at(H + 9_000),
    });
    await db.pool.query(
      `INSERT INTO agent_log (agent_id, campaign_id, state, started_at, ended_at, duration_ms)
       VALUES (301, $1, 'WRAPUP', $2, $3, 15000), (301, $1, 'PAUSED', $2, $3, 15000),
              (302, $1, 'WRAPUP', $4, $5, 9000)`,
      [s.campaignId, at(10 * H + 72_000), at(10 * H + 87_000), at(-4_000), at(5_000)],
    );

    const w = wire();
    await w.rebuild.ensure(); // whatever the first start needs
    await deleteByPrefix(rc.redis, rc.prefix); // Redis restarted empty
    const report = await w.rebuild.ensure();
    expect(report?.kpiCampaigns).toBe(2);
    expect(await w.live.kpi(cid, day)).toEqual({
      connectedCalls: 2,
      answerWaitMs: 2_000 + 4_000,
      handledCalls: 2,
      talkMs: 60_000 + 30_000,
      wrapMs: 15_000 + 9_000,
    });
    expect((await w.live.kpi(CampaignId.parse(other.campaignId), day)).connectedCalls).toBe(1);
  });
});
