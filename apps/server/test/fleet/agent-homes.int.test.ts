import { AgentId, CallId, CampaignId } from '@ringside/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisAgentHomes } from '../../src/adapters/redis/agent-homes.js';
import { RedisEventBus } from '../../src/adapters/redis/event-bus.js';
import { RedisStateStore } from '../../src/adapters/redis/state-store.js';
import { chooseHandoff } from '../../src/domain/fleet.js';
import { ManualClock } from '../../src/ports/clock.js';
import { AgentSessionService } from '../../src/services/agents/agent-session.js';
import { redisTestContext, type RedisTestContext } from '../redis/redis-harness.js';

/**
 * The agents' homes in Redis (adapters/redis/agent-homes.ts) and the fleet hand-off's
 * reservation (lua/agent-reserve-near.lua): an agent on the customer's server first, else the
 * longest-ready elsewhere, the same choice as domain/fleet.ts chooseHandoff.
 */
const T0 = Date.parse('2026-01-15T15:00:00Z');
const camp = CampaignId.parse('21');
const a = (n: number) => AgentId.parse(`h${n}`);

let rc: RedisTestContext;
let clock: ManualClock;
let store: RedisStateStore;
let homes: RedisAgentHomes;
let sessions: AgentSessionService;

beforeAll(async () => {
  rc = await redisTestContext('fleet_homes');
  clock = new ManualClock(T0);
  store = new RedisStateStore(rc.redis, { prefix: rc.prefix, clock });
  homes = new RedisAgentHomes(rc.redis, { prefix: rc.prefix, defaultServerId: 'A' });
  sessions = new AgentSessionService({ store, log: { record: async () => undefined }, clock });
});
afterAll(async () => {
  await rc.cleanup();
});

async function ready(agentId: AgentId, home: string | null): Promise<void> {
  if (home) {
    await homes.set({
      type: 'agent.homed',
      agentId,
      serverId: home,
      previousServerId: null,
      reason: 'login',
      atMs: clock.nowMs(),
    });
  }
  await sessions.apply(agentId, { type: 'login', campaignId: camp }, 'agent');
  await sessions.apply(agentId, { type: 'ready' }, 'agent');
  clock.advance(1_000);
}

describe('RedisAgentHomes', () => {
  it('stores each home with its agent.homed event on the agents stream', async () => {
    const bus = new RedisEventBus(rc.redis, { prefix: rc.prefix, clock, blockMs: 100 });
    await homes.set({
      type: 'agent.homed',
      agentId: a(0),
      serverId: 'B',
      previousServerId: null,
      reason: 'login',
      atMs: T0,
    });
    expect(await homes.get(a(0))).toBe('B');
    expect(await homes.homesOf([a(0), a(99)])).toEqual(['B', null]);
    const got: string[] = [];
    const sub = await bus.subscribe({
      from: 'start',
      onEvent: (env) => void got.push(env.event.type),
    });
    const end = Date.now() + 5_000;
    while (!got.includes('agent.homed') && Date.now() < end)
      await new Promise((r) => setTimeout(r, 50));
    await sub.close();
    expect(got).toContain('agent.homed');
    await homes.clear(a(0));
    expect(await homes.get(a(0))).toBeNull();
  });

  it("reserves a ready agent on the customer's server first, though others waited longer", async () => {
    await ready(a(1), 'B'); // longest ready
    await ready(a(2), 'A');
    await ready(a(3), null); // no home: counts as on A, the first server
    const got = await homes.reserveNear(camp, CallId.parse('c1'), clock.nowMs(), 'A');
    expect(got?.status.agentId).toBe(a(2));
    expect(got?.status.state).toBe('RESERVED');
    expect(got?.crosses).toBe(false);
    const next = await homes.reserveNear(camp, CallId.parse('c2'), clock.nowMs(), 'A');
    expect(next?.status.agentId).toBe(a(3));
    expect(next?.homeServerId).toBe('A');
    // Nobody left on A: the longest-ready elsewhere, and the call crosses.
    const cross = await homes.reserveNear(camp, CallId.parse('c3'), clock.nowMs(), 'A');
    expect(cross).toMatchObject({ homeServerId: 'B', crosses: true });
    expect(cross?.status.agentId).toBe(a(1));
    expect(await homes.reserveNear(camp, CallId.parse('c4'), clock.nowMs(), 'A')).toBeNull();
    expect((await store.getAgent(a(1)))?.callId).toBe('c3');
  });

  it('makes the same choice as the pure rule', async () => {
    const order = [a(10), a(11), a(12), a(13)];
    const where = ['B', 'C', 'A', 'C'];
    for (const [i, id] of order.entries()) await ready(id, where[i] ?? null);
    const expected = chooseHandoff(
      order.map((agentId, i) => ({ agentId, homeServerId: where[i] ?? null })),
      'C',
      'A',
    );
    const got = await homes.reserveNear(camp, CallId.parse('c9'), clock.nowMs(), 'C');
    expect(got?.status.agentId).toBe(expected?.agentId);
    expect(got?.crosses).toBe(expected?.crosses);
  });

  it('passes over agents homed on a server that is down, as the pure rule does; they stay READY', async () => {
    // The earlier tests' agents still READY are taken first, so that only these three are.
    for (let n = 0; await homes.reserveNear(camp, CallId.parse(`d${n}`), clock.nowMs(), 'A'); n++);
    const order = [a(20), a(21), a(22)];
    const where = ['C', 'B', 'A'];
    for (const [i, id] of order.entries()) await ready(id, where[i] ?? null);
    const down = ['C', 'B'];
    const expected = chooseHandoff(
      order.map((agentId, i) => ({ agentId, homeServerId: where[i] ?? null })),
      'C',
      'A',
      new Set(down),
    );
    expect(expected?.agentId).toBe(a(22));
    const got = await homes.reserveNear(camp, CallId.parse('c10'), clock.nowMs(), 'C', down);
    expect(got?.status.agentId).toBe(expected?.agentId);
    expect(got?.crosses).toBe(true);
    // Nobody reachable: null, and the agents on the down servers are still READY, still offered
    // calls once their server is back.
    expect(await homes.reserveNear(camp, CallId.parse('c11'), clock.nowMs(), 'C', down)).toBeNull();
    expect((await store.getAgent(a(20)))?.state).toBe('READY');
    expect(
      (await homes.reserveNear(camp, CallId.parse('c12'), clock.nowMs(), 'C'))?.status.agentId,
    ).toBe(a(20));
  });
});
