import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CampaignId } from '@ringside/protocol';
import type { AgentLegAri } from '../../ports/telephony.js';
import { TelephonyError } from '../../ports/telephony-errors.js';
import { fakeAri, legService, loggedIn, memoryIndex } from './agent-leg.fakes.js';

describe('AgentLegService.redial (an external phone lost)', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  /** A phone that answers, except while `down.fails` > 0 (Asterisk down, or no such endpoint). */
  function flakyAri(): AgentLegAri & { originates: string[]; down: { fails: number } } {
    const base = fakeAri(0);
    const originates: string[] = [];
    const down = { fails: 0 };
    return {
      ...base,
      originates,
      down,
      async originate(p) {
        originates.push(p.endpoint);
        if (down.fails-- > 0)
          throw new TelephonyError(500, 'Allocation failed', 'channels.originate');
        return {};
      },
    };
  }

  /** A logged-in agent whose leg service redials the desk phone PJSIP/desk-104 on `flakyAri`. */
  async function deskPhone(opts: Partial<Parameters<typeof legService>[3]> = {}) {
    const world = await loggedIn();
    const ari = flakyAri();
    const legs = legService(world.store, world.sessions, ari, {
      index: memoryIndex(),
      redialEndpoint: async () => 'PJSIP/desk-104',
      ...opts,
    });
    return { ...world, ari, legs };
  }

  it('calls the phone again with backoff until it answers, then records the new leg', async () => {
    const { store, agentId, ari, legs } = await deskPhone({
      redialBaseMs: 1_000,
      redialMaxMs: 60_000,
    });
    await legs.attach(agentId, 'PJSIP/desk-104');
    const first = (await store.getAgent(agentId))?.legChannelId ?? '';
    ari.down.fails = 3;
    expect(await legs.legGone(first)).toBe(true);
    expect(legs.redialing()).toEqual([agentId]);
    legs.redial(agentId); // one loop per agent
    // Attempts after 1 s, then 2 s, then 4 s more (refused), then 8 s more: it answers.
    await vi.advanceTimersByTimeAsync(999);
    expect(ari.originates).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(ari.originates).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(ari.originates).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(4_000);
    expect(ari.originates).toHaveLength(4);
    expect((await store.getAgent(agentId))?.legChannelId).toBeNull();
    await vi.advanceTimersByTimeAsync(8_000);
    expect(ari.originates).toEqual(Array(5).fill('PJSIP/desk-104'));
    const now = await store.getAgent(agentId);
    expect(now?.legChannelId).toMatch(/^leg-42-/);
    expect(now?.legChannelId).not.toBe(first);
    expect(legs.redialing()).toEqual([]);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(ari.originates).toHaveLength(5);
  });

  it('calls again when a write that raced the loss put the lost leg back in the status', async () => {
    const { store, agentId, ari, legs } = await deskPhone();
    await legs.attach(agentId, 'PJSIP/desk-104');
    const before = await store.getAgent(agentId);
    const lostLeg = before?.legChannelId ?? '';
    expect(await legs.legGone(lostLeg)).toBe(true);
    // Another writer read the status before the loss and wrote it after (the compare-and-set is
    // on the state only): the lost leg is named again.
    const now = await store.getAgent(agentId);
    if (!before || !now) throw new Error('no status');
    await store.transitionAgent(
      { ...now, legChannelId: lostLeg, bridgeId: before.bridgeId },
      now.state,
      {
        type: 'agent.state_changed',
        agentId,
        from: now.state,
        to: now.state,
        atMs: Date.now(),
        sinceMs: now.sinceMs,
        campaignId: now.campaignId,
        callId: null,
        pauseCode: now.pauseCode,
        reason: 'test:stale-write',
      },
    );
    await vi.advanceTimersByTimeAsync(1_000);
    expect(ari.originates).toEqual(['PJSIP/desk-104', 'PJSIP/desk-104']);
    const after = await store.getAgent(agentId);
    expect(after?.legChannelId).toMatch(/^leg-42-/);
    expect(after?.legChannelId).not.toBe(lostLeg);
  });

  it('calls at once when the phone server is back (redialNow), then backs off from the start', async () => {
    const { store, agentId, ari, legs } = await deskPhone();
    ari.down.fails = 6;
    legs.redial(agentId);
    // 1 + 2 + 4 + 8 + 16 s: five refused attempts; the next would be 32 s later.
    await vi.advanceTimersByTimeAsync(31_000);
    expect(ari.originates).toHaveLength(5);
    legs.redialNow();
    await vi.advanceTimersByTimeAsync(1);
    expect(ari.originates).toHaveLength(6); // refused (the sixth failure)
    await vi.advanceTimersByTimeAsync(2_000);
    expect(ari.originates).toHaveLength(7); // answered
    expect((await store.getAgent(agentId))?.legChannelId).toMatch(/^leg-42-/);
    legs.redialNow(); // nothing left to call
    await vi.advanceTimersByTimeAsync(60_000);
    expect(ari.originates).toHaveLength(7);
  });

  it('waits at most redialMaxMs between calls, stops when the agent logs out, and never calls a browser phone', async () => {
    const { store, sessions, agentId, ari, legs } = await deskPhone();
    ari.down.fails = 1_000;
    legs.redial(agentId);
    // 1 + 2 + 4 + 8 + 16 + 32 + 60 + 60 s: eight attempts in 183 s.
    await vi.advanceTimersByTimeAsync(183_000);
    expect(ari.originates).toHaveLength(8);
    await sessions.apply(agentId, { type: 'logout' }, 'agent');
    await vi.advanceTimersByTimeAsync(600_000);
    // The next attempt finds the agent logged out and calls nobody.
    expect(ari.originates).toHaveLength(8);
    expect(legs.redialing()).toEqual([]);

    await sessions.apply(agentId, { type: 'login', campaignId: '1' as CampaignId }, 'agent');
    const browser = legService(store, sessions, ari, { redialEndpoint: async () => null });
    browser.redial(agentId);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(ari.originates).toHaveLength(8);
    expect(browser.redialing()).toEqual([]);
  });
});
