import { AgentId, CallId, CampaignId } from '@ringside/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentLogRepository } from '../../src/adapters/postgres/agent-log.js';
import { PgHopperSource } from '../../src/adapters/postgres/hopper-source.js';
import { RedisHopper } from '../../src/adapters/redis/hopper.js';
import { RedisKeys } from '../../src/adapters/redis/keys.js';
import { RedisStateStore } from '../../src/adapters/redis/state-store.js';
import { ManualClock } from '../../src/ports/clock.js';
import { AgentSessionService } from '../../src/services/agent-session.js';
import { HopperFiller } from '../../src/services/hopper-filler.js';
import { StateRebuild } from '../../src/services/state-rebuild.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { deleteByPrefix, redisTestContext, type RedisTestContext } from './redis-harness.js';
import { insertManyLeads, seedCampaign } from './seed.js';

const NOW = Date.parse('2026-01-15T18:00:00Z');

let db: TestDb;
let rc: RedisTestContext;

beforeAll(async () => {
  db = await createTestDb('rebuild');
  rc = await redisTestContext('rebuild');
});
afterAll(async () => {
  await rc.cleanup();
  await db.drop();
});

function wire() {
  const clock = new ManualClock(NOW);
  const keys = new RedisKeys(rc.prefix);
  const store = new RedisStateStore(rc.redis, { prefix: rc.prefix, clock });
  const hopper = new RedisHopper(rc.redis, { prefix: rc.prefix });
  const source = new PgHopperSource(db.pool);
  const filler = new HopperFiller({ source, hopper, clock });
  const agentLog = new AgentLogRepository(db.pool);
  const rebuild = new StateRebuild({
    redis: rc.redis,
    keys,
    store,
    hopper,
    source,
    filler,
    agentLog,
    clock,
    waitMs: 5_000,
  });
  const agents = new AgentSessionService({ store, log: agentLog, clock });
  return { clock, store, hopper, filler, rebuild, agents, source };
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
});
