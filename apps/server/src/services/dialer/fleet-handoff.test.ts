import { beforeEach, describe, expect, it } from 'vitest';
import type { Crossing, CrossingResult, FleetCrossing, NearReserver } from '../../ports/fleet.js';
import { C, campaignOf, entry, makeWorld, type World } from './driver-test-world.js';

/**
 * The hand-off on an Asterisk fleet (docs/telephony.md, "Asterisk fleet"): the customer is on
 * server s1 (the fake originator's); an agent homed elsewhere is reached over the trunk.
 */
class FakeCrossing implements FleetCrossing {
  readonly connected: Crossing[] = [];
  readonly released: string[] = [];
  result: CrossingResult = 'ok';
  async connect(c: Crossing): Promise<CrossingResult> {
    this.connected.push(c);
    return this.result;
  }
  async release(c: Pick<Crossing, 'callId'>): Promise<void> {
    this.released.push(c.callId);
  }
}

let w: World;
let crossing: FakeCrossing;
let homeOf: Map<string, string>;

describe('CampaignDriver on a fleet', () => {
  beforeEach(() => {
    crossing = new FakeCrossing();
    homeOf = new Map();
    // The store's longest-ready agent, with the home the test gives it.
    const near: NearReserver = {
      reserveNear: async (campaignId, callId, nowMs, callServerId) => {
        const status = await w.store.reserveLongestReady(campaignId, callId, nowMs);
        if (!status) return null;
        const home = homeOf.get(status.agentId) ?? 's1';
        return { status, homeServerId: home, crosses: home !== callServerId };
      },
    };
    w = makeWorld(campaignOf(), null, undefined, { fleet: { near, crossing } });
  });

  it("adds the customer to the agent's bridge when the agent is on the same server", async () => {
    const a1 = await w.agentReady('1');
    const { callId } = await w.placeOne();
    await w.verdict(callId, 'HUMAN');
    expect(w.ari.log).toContain(`addChannel agent-1 ${callId}`);
    expect(crossing.connected).toHaveLength(0);
    expect((await w.store.getAgent(a1))?.state).toBe('INCALL');
  });

  it('crosses on the trunk to an agent homed on another server, and releases it at the end', async () => {
    const a1 = await w.agentReady('1');
    homeOf.set(a1, 's2');
    const { callId, leadId } = await w.placeOne();
    await w.verdict(callId, 'HUMAN');
    expect(crossing.connected).toEqual([
      {
        callId,
        callServerId: 's1',
        agentServerId: 's2',
        agentBridgeId: 'agent-1',
        fromHolding: null,
      },
    ]);
    expect(w.ari.log).not.toContain(`addChannel agent-1 ${callId}`);
    expect((await w.store.getAgent(a1))?.state).toBe('INCALL');
    await w.driver.onCallEvent(w.ended(callId, leadId, 'HUMAN'), 0);
    expect(crossing.released).toEqual([callId]);
  });

  it('puts the agent back and drops with safe harbor when the trunk call fails', async () => {
    const a1 = await w.agentReady('1');
    homeOf.set(a1, 's2');
    crossing.result = 'trunk_failed';
    const { callId } = await w.placeOne();
    await w.verdict(callId, 'HUMAN');
    expect(crossing.connected.length).toBeGreaterThan(0);
    expect((await w.store.getAgent(a1))?.state).not.toBe('INCALL');
    await w.timers.advance(3_000);
    expect(w.ari.log.some((x) => x.startsWith(`play ${callId}`))).toBe(true);
    expect(crossing.released).toEqual([]);
  });
});

describe('CampaignDriver on a fleet with a server down', () => {
  let down: string[];
  let homes: Map<string, string>;
  let nearDown: Array<readonly string[] | undefined>;

  beforeEach(() => {
    down = [];
    homes = new Map();
    nearDown = [];
    const near: NearReserver = {
      reserveNear: async (campaignId, callId, nowMs, callServerId, downServerIds) => {
        nearDown.push(downServerIds);
        const status = await w.store.reserveLongestReady(campaignId, callId, nowMs);
        if (!status) return null;
        const home = homes.get(status.agentId) ?? 's1';
        return { status, homeServerId: home, crosses: home !== callServerId };
      },
    };
    w = makeWorld(campaignOf({ dialMethod: 'ratio', dialLevel: 1 }), null, undefined, {
      fleet: {
        near,
        crossing: new FakeCrossing(),
        down: () => down,
        homes: { homesOf: async (ids) => ids.map((id) => homes.get(id) ?? null) },
        defaultServerId: 's1',
      },
    });
  });

  it('does not dial for agents homed on a server that is down, and dials for them when it is back', async () => {
    const a1 = await w.agentReady('1');
    const a2 = await w.agentReady('2');
    homes.set(a1, 's1');
    homes.set(a2, 's2');
    await w.hopper.add(C, [entry(1), entry(2), entry(3)]);
    down = ['s2'];
    await w.driver.tick();
    // Ratio 1: one call for the one agent who can take it, not two.
    expect(w.originator.requests).toHaveLength(1);
    down = [];
    await w.driver.tick();
    expect(w.originator.requests).toHaveLength(2);
  });

  it('tells the hand-off which servers are down', async () => {
    await w.agentReady('1');
    down = ['s2'];
    const { callId } = await w.placeOne();
    await w.verdict(callId, 'HUMAN');
    expect(nearDown).toEqual([['s2']]);
  });
});
