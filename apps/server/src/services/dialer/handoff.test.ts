import { beforeEach, describe, expect, it } from 'vitest';
import type { CallId } from '@ringside/protocol';
import { TelephonyError } from '../../ports/telephony-errors.js';
import { CampaignDriver } from './campaign-driver.js';
import { toDialerCampaign } from './settings.js';
import { C, campaignRow, makeWorld, campaignOf, type World } from './driver-test-world.js';

let w: World;

describe('CampaignDriver: live answers', () => {
  beforeEach(() => {
    w = makeWorld(campaignOf());
  });

  it("puts a human answer in the longest-ready agent's bridge and marks the agent INCALL", async () => {
    const a1 = await w.agentReady('1');
    w.clock.advance(100);
    await w.agentReady('2');
    const { callId } = await w.placeOne();
    await w.verdict(callId, 'HUMAN');
    expect(w.ari.log).toContain(`addChannel agent-1 ${callId}`);
    expect((await w.store.getAgent(a1))?.state).toBe('INCALL');
  });

  it('parks a human answer while no agent is ready and hands it over when one frees up', async () => {
    const a1 = await w.agentReady('1');
    const { callId } = await w.placeOne();
    await w.sessions.apply(a1, { type: 'pause', code: 'BREAK' }, 'agent');
    await w.verdict(callId, 'HUMAN');
    expect(w.ari.log).toContain(`addChannel hold-${C} ${callId}`);
    await w.timers.advance(800);
    await w.sessions.apply(a1, { type: 'ready' }, 'agent');
    await w.driver.onAgentEvent({
      type: 'agent.state_changed',
      agentId: a1,
      campaignId: C,
      from: 'PAUSED',
      to: 'READY',
      pauseCode: null,
      callId: null,
      reason: 'agent',
      sinceMs: 0,
      atMs: w.clock.nowMs(),
    });
    expect(w.ari.log).toContain(`removeChannel hold-${C} ${callId}`);
    expect(w.ari.log).toContain(`addChannel agent-1 ${callId}`);
    await w.timers.advance(5_000);
    expect(w.ari.log.some((x) => x.startsWith('play'))).toBe(false);
  });

  it('plays the safe-harbor message before 2 s when no agent frees up, then hangs up', async () => {
    const a1 = await w.agentReady('1');
    const { callId } = await w.placeOne();
    await w.sessions.apply(a1, { type: 'pause', code: 'BREAK' }, 'agent');
    const decidedAt = w.clock.nowMs();
    await w.verdict(callId, 'NOTSURE');
    await w.timers.advance(1_600);
    expect(w.ari.log.some((x) => x.startsWith('play'))).toBe(false);
    await w.timers.advance(200);
    expect(w.ari.log).toContain(`play ${callId} sound:vm-goodbye sh-${callId}`);
    expect(w.clock.nowMs() - decidedAt).toBeLessThanOrEqual(2_000 - 200);
    await w.driver.onCallEvent(
      {
        type: 'call.safe_harbor',
        callId,
        playbackId: `sh-${callId}`,
        startedAtMs: 0,
        atMs: w.clock.nowMs(),
      },
      0,
    );
    expect(w.ari.log.at(-1)).toBe(`hangup ${callId}`);
  });

  it('hangs up on a machine, or leaves the campaign message first when configured', async () => {
    await w.agentReady('1');
    const { callId } = await w.placeOne();
    await w.verdict(callId, 'MACHINE');
    expect(w.ari.log.at(-1)).toBe(`hangup ${callId}`);

    w = makeWorld(
      toDialerCampaign(
        campaignRow({ machineAction: 'message', machineMessageAudio: 'sound:msg' }),
        [],
      ),
    );
    await w.agentReady('1');
    const second = await w.placeOne();
    await w.verdict(second.callId, 'MACHINE');
    expect(w.ari.log.at(-1)).toBe(`play ${second.callId} sound:msg mm-${second.callId}`);
    w.ari.playbackState = 'done';
    await w.timers.advance(1_000);
    expect(w.ari.log.at(-1)).toBe(`hangup ${second.callId}`);
  });

  it('pauses an agent whose bridge is gone and gives the call to the next one', async () => {
    const a1 = await w.agentReady('1');
    w.clock.advance(50);
    await w.agentReady('2');
    const { callId } = await w.placeOne();
    w.ari.fail = {
      op: 'addChannel agent-1',
      error: new TelephonyError(404, 'Bridge not found', 'bridges.addChannel', {
        subject: 'bridge',
      }),
    };
    await w.verdict(callId, 'HUMAN');
    expect(await w.store.getAgent(a1)).toMatchObject({ state: 'PAUSED', pauseCode: 'NOLEG' });
    expect(w.ari.log).toContain(`addChannel agent-2 ${callId}`);
  });

  it('returns busy leads to their recycle rules and counts drops in the ledger', async () => {
    await w.agentReady('1');
    const { callId, leadId } = await w.placeOne();
    await w.driver.onCallEvent(w.ended(callId, leadId, 'BUSY'), 0);
    expect(w.leads.writes).toContain(`ended ${leadId} BUSY`);
    expect(w.ledger).toEqual([]);
    await w.driver.onCallEvent(w.ended('x1' as CallId, leadId, 'DROPPED'), 0);
    await w.driver.onCallEvent(w.ended('x2' as CallId, leadId, 'HUMAN'), 0);
    expect(w.ledger.map((x) => [x.drops, x.humans])).toEqual([
      [1, 1],
      [0, 1],
    ]);
  });

  it('takes over a call whose verdict nobody acted on, freeing the agent the dead holder reserved', async () => {
    const a1 = await w.agentReady('1');
    const { callId } = await w.placeOne();
    const call = await w.store.getCall(callId);
    if (!call) throw new Error('no call');
    const atMs = w.clock.nowMs();
    await w.store.putCall(
      { ...call, stage: 'AMD', answeredAtMs: atMs, amdAtMs: atMs, amdResult: 'HUMAN' },
      { type: 'call.amd', callId, result: 'HUMAN', cause: 'x', atMs },
    );
    // The old holder had reserved the agent, then died before the hand-off.
    expect((await w.store.reserveLongestReady(C, callId, w.clock.nowMs()))?.agentId).toBe(a1);
    // A new holder of the lease: a fresh driver over the same state.
    const fresh = new CampaignDriver({ ...w.deps }, campaignOf(), null);
    await fresh.recover();
    expect(w.ari.log).toContain(`addChannel agent-1 ${callId}`);
    expect((await w.store.getAgent(a1))?.state).toBe('INCALL');
  });
});
