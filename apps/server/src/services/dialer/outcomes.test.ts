import { beforeEach, describe, expect, it } from 'vitest';
import type { AgentId, AgentState, CallId } from '@ringside/protocol';
import { C, campaignOf, makeWorld, type World } from './driver-test-world.js';

/**
 * What the running dialer learns, and when: the parity with bench/pacing that the floor benchmark
 * checks (docs/pacing.md, "Floor benchmark"). Each of these was found by bench:floor, where the
 * dialer counted later or otherwise than the simulator it is benchmarked with.
 */
let w: World;

async function bridged(callId: CallId, agentId: AgentId): Promise<void> {
  await w.driver.onCallEvent(
    { type: 'call.bridged', callId, agentId, bridgeId: `agent-${agentId}`, atMs: w.clock.nowMs() },
    performance.now(),
  );
}

const humans = () => w.ledger.reduce((n, x) => n + x.humans, 0);
const drops = () => w.ledger.reduce((n, x) => n + x.drops, 0);

describe('CampaignDriver: what it learns, and when (parity with bench/pacing)', () => {
  beforeEach(() => {
    w = makeWorld(campaignOf());
  });

  it('counts a live answer in the ledger when the customer reaches an agent, once', async () => {
    const a1 = await w.agentReady('1');
    const { callId, leadId } = await w.placeOne();
    await w.verdict(callId, 'HUMAN');
    expect(humans()).toBe(0);
    await bridged(callId, a1);
    // Minutes before the call ends: the spending plan sees the answer as the simulator does.
    expect(humans()).toBe(1);
    await bridged(callId, a1); // a second bridge (a transfer) is the same answer
    w.clock.advance(180_000);
    await w.driver.onCallEvent(w.ended(callId, leadId, 'HUMAN'), performance.now());
    expect(humans()).toBe(1);
    expect(drops()).toBe(0);
  });

  it('still counts a live answer that never reached an agent, and a drop, when it ends', async () => {
    await w.agentReady('1');
    const { callId, leadId } = await w.placeOne();
    await w.verdict(callId, 'HUMAN');
    await w.driver.onCallEvent(w.ended(callId, leadId, 'DROPPED'), performance.now());
    expect({ humans: humans(), drops: drops() }).toEqual({ humans: 1, drops: 1 });
  });

  it("learns a person's verdict as a dial outcome when it comes, not when the talk ends", async () => {
    const a1 = await w.agentReady('1');
    const stats = w.driver.pacingStats();
    const { callId, leadId } = await w.placeOne();
    await w.verdict(callId, 'HUMAN');
    expect(stats.dialObservations).toBe(1);
    await bridged(callId, a1);
    w.clock.advance(180_000);
    await w.driver.onCallEvent(w.ended(callId, leadId, 'HUMAN'), performance.now());
    expect(stats.dialObservations).toBe(1);
  });

  it('learns a machine when it ends (its verdict is not a live answer)', async () => {
    await w.agentReady('1');
    const stats = w.driver.pacingStats();
    const { callId, leadId } = await w.placeOne();
    await w.verdict(callId, 'MACHINE');
    expect(stats.dialObservations).toBe(0);
    await w.driver.onCallEvent(w.ended(callId, leadId, 'MACHINE'), performance.now());
    expect(stats.dialObservations).toBe(1);
  });

  it('takes the time after the customer hung up (DEAD) as wrap-up, not talk', async () => {
    // The same handle times, ended by the customer (after-call work in DEAD, an instant WRAPUP
    // on the way back to READY: what the panel and the bots do) or by the agent (WRAPUP).
    const learn = async (customerEnds: boolean) => {
      w = makeWorld(campaignOf());
      const agentId = '5' as AgentId;
      let at = w.clock.nowMs();
      const step = async (from: AgentState, to: AgentState, ms: number) => {
        const sinceMs = at;
        at += ms;
        await w.driver.onAgentEvent({
          type: 'agent.state_changed',
          agentId,
          campaignId: C,
          from,
          to,
          pauseCode: null,
          callId: null,
          reason: 'test',
          sinceMs,
          atMs: at,
        });
      };
      for (let i = 0; i < 20; i++) {
        await step('READY', 'INCALL', 1_000);
        if (customerEnds) {
          await step('INCALL', 'DEAD', 100_000);
          await step('DEAD', 'WRAPUP', 30_000);
          await step('WRAPUP', 'READY', 0);
        } else {
          await step('INCALL', 'WRAPUP', 100_000);
          await step('WRAPUP', 'READY', 30_000);
        }
      }
      const stats = w.driver.pacingStats();
      expect(stats.handleObservations).toBe(20);
      return stats.model(new Date(at).getUTCHours());
    };
    const byCustomer = await learn(true);
    const byAgent = await learn(false);
    expect(byCustomer.meanWrapS).toBeCloseTo(byAgent.meanWrapS, 6);
    expect([...byCustomer.talkCdf]).toEqual([...byAgent.talkCdf]);
    expect(byAgent.meanWrapS).toBeGreaterThan(20);
  });
});
