import { describe, expect, it } from 'vitest';
import type { AgentId, CampaignId } from '@ringside/protocol';
import { ManualClock } from '../../ports/clock.js';
import type { AgentStatus } from '../../ports/state-store.js';
import { TelephonyError } from '../../ports/telephony-errors.js';
import { legLost, PHONE_LOST_PAUSE_CODE, PHONE_LOST_REASON } from './agent-leg.js';
import { phoneFailureOf } from './agent-phone.js';
import { fakeAri, legService, loggedIn, memoryIndex, workerAri } from './agent-leg.fakes.js';

describe('AgentLegService', () => {
  it("nails the agent's phone up in its own bridge once it answers and records both ids", async () => {
    const { store, sessions, agentId } = await loggedIn();
    const ari = fakeAri(3);
    const legs = legService(store, sessions, ari, {
      retryMs: 1,
    });
    const leg = await legs.attach(agentId, 'PJSIP/agent42');
    expect(leg.bridgeId).toBe('agent-42');
    expect(ari.log).toContain('createBridge agent-42 mixing');
    expect(ari.log).toContain('originate PJSIP/agent42 agentleg,42');
    expect(ari.log).toContain(`addChannel agent-42 ${leg.legChannelId}`);
    const status = await store.getAgent(agentId);
    expect(status).toMatchObject({
      state: 'PAUSED',
      sinceMs: 1_000,
      bridgeId: 'agent-42',
      legChannelId: leg.legChannelId,
    });
  });

  it('hangs the phone up and fails when it never answers', async () => {
    const { store, sessions, agentId } = await loggedIn();
    const ari = fakeAri(1_000_000);
    const legs = legService(store, sessions, ari, {
      answerTimeoutMs: 30,
      retryMs: 5,
    });
    await expect(legs.attach(agentId, 'PJSIP/agent42')).rejects.toBeInstanceOf(TelephonyError);
    expect(ari.log.some((x) => x.startsWith('hangup leg-42-'))).toBe(true);
    expect((await store.getAgent(agentId))?.bridgeId).toBeNull();
  });

  it('reuses the bridge of an agent on a call (the customer waiting in it stays)', async () => {
    const { store, sessions, agentId } = await loggedIn();
    const callId = 'c1' as never;
    await sessions.apply(agentId, { type: 'ready' }, 'agent');
    await sessions.apply(agentId, { type: 'reserve', callId }, 'dialer');
    await sessions.apply(agentId, { type: 'connect', callId }, 'dialer');
    const ari = fakeAri(0);
    const legs = legService(store, sessions, ari);
    const leg = await legs.attach(agentId, 'PJSIP/agent42');
    expect(ari.log).not.toContain('destroyBridge agent-42');
    expect(await store.getAgent(agentId)).toMatchObject({
      state: 'INCALL',
      legChannelId: leg.legChannelId,
    });
  });

  it('tears the leg and the bridge down at logout', async () => {
    const { store, sessions, agentId } = await loggedIn();
    const ari = fakeAri(0);
    const legs = legService(store, sessions, ari);
    const leg = await legs.attach(agentId, 'PJSIP/agent42');
    await legs.detach(agentId);
    expect(ari.log).toContain(`hangup ${leg.legChannelId}`);
    expect(ari.log.filter((x) => x === 'destroyBridge agent-42')).toHaveLength(2);
    expect(await store.getAgent(agentId)).toMatchObject({ bridgeId: null, legChannelId: null });
  });
});

function status(state: AgentStatus['state'], over: Partial<AgentStatus> = {}): AgentStatus {
  return {
    agentId: '42' as AgentId,
    state,
    sinceMs: 1_000,
    campaignId: '1' as CampaignId,
    callId: state === 'RESERVED' || state === 'INCALL' ? ('c1' as never) : null,
    pauseCode: state === 'PAUSED' ? 'BREAK' : null,
    bridgeId: 'agent-42',
    legChannelId: 'leg-1',
    ...over,
  };
}

describe('legLost (pure)', () => {
  it('pauses a READY agent with PHONE and clears its leg and bridge, as one READY -> PAUSED event', () => {
    const r = legLost(status('READY'), 'leg-1', 5_000);
    expect(r?.status).toMatchObject({
      state: 'PAUSED',
      pauseCode: PHONE_LOST_PAUSE_CODE,
      sinceMs: 5_000,
      bridgeId: null,
      legChannelId: null,
    });
    expect(r?.event).toMatchObject({ from: 'READY', to: 'PAUSED', reason: PHONE_LOST_REASON });
    expect(r?.destroyBridge).toBe(true);
  });

  it('takes a RESERVED agent straight to PAUSED (the hand-off then fails on the gone bridge)', () => {
    const r = legLost(status('RESERVED'), 'leg-1', 5_000);
    expect(r?.status).toMatchObject({ state: 'PAUSED', callId: null, legChannelId: null });
    expect(r?.event).toMatchObject({ from: 'RESERVED', to: 'PAUSED' });
    expect(r?.destroyBridge).toBe(true);
  });

  it.each(['INCALL', 'DEAD', 'WRAPUP', 'PAUSED'] as const)(
    'only clears the leg of a %s agent and keeps its bridge (the customer stays in it)',
    (state) => {
      const prev = status(state);
      const r = legLost(prev, 'leg-1', 5_000);
      expect(r?.status).toEqual({ ...prev, legChannelId: null });
      expect(r?.event).toMatchObject({ from: state, to: state });
      expect(r?.destroyBridge).toBe(false);
    },
  );

  it('ignores a channel that is not the current leg, and a logged-out agent', () => {
    expect(legLost(status('READY'), 'old-leg', 5_000)).toBeNull();
    expect(legLost(status('LOGGED_OUT'), 'leg-1', 5_000)).toBeNull();
  });
});

describe('AgentLegService.workerHandler', () => {
  async function setup(agentOf: AgentId | null) {
    const { store, sessions, agentId } = await loggedIn();
    const index = memoryIndex();
    const legs = legService(store, sessions, fakeAri(0), {
      index,
      clock: new ManualClock(2_000),
    });
    const handler = legs.workerHandler(async () => agentOf ?? null);
    return { store, sessions, agentId, index, handler, ari: workerAri() };
  }
  const leg = (channelId: string) => ({ serverId: 's', channelId, endpoint: 'agent42' });

  it('hangs up a leg of nobody logged in', async () => {
    const { handler, ari } = await setup(null);
    await handler.onAgentLeg(leg('ch-1'), ari);
    expect(ari.log).toEqual(['hangup ch-1']);
  });

  it('puts the leg in agent-<agentId>, named so, records and indexes it; a second leg replaces it', async () => {
    const { handler, ari, store, agentId, index } = await setup('42' as AgentId);
    await handler.onAgentLeg(leg('ch-1'), ari);
    expect(ari.log).toEqual(['createBridge agent-42 mixing agent-42', 'addChannel agent-42 ch-1']);
    expect(await store.getAgent(agentId)).toMatchObject({
      bridgeId: 'agent-42',
      legChannelId: 'ch-1',
    });
    expect(index.map.get('ch-1')).toBe('42');
    await handler.onAgentLeg(leg('ch-2'), ari);
    expect(ari.log.slice(2)).toEqual([
      'createBridge agent-42 mixing agent-42',
      'addChannel agent-42 ch-2',
      'hangup ch-1',
    ]);
    expect((await store.getAgent(agentId))?.legChannelId).toBe('ch-2');
    expect([...index.map.keys()]).toEqual(['ch-2']);
    // The old leg's destruction changes nothing now.
    await handler.legGone?.('ch-1', ari);
    expect((await store.getAgent(agentId))?.legChannelId).toBe('ch-2');
  });

  it('pauses a READY agent whose leg is destroyed, once, and tears its empty bridge down', async () => {
    const { handler, ari, store, sessions, agentId, index } = await setup('42' as AgentId);
    await handler.onAgentLeg(leg('ch-1'), ari);
    await sessions.apply(agentId, { type: 'ready' }, 'agent');
    const writes: string[] = [];
    const transitionAgent = store.transitionAgent.bind(store);
    store.transitionAgent = async (next, from, event) => {
      writes.push(`${event.from}->${event.to} ${event.reason}`);
      return transitionAgent(next, from, event);
    };
    await handler.legGone?.('ch-1', ari);
    await handler.legGone?.('ch-1', ari);
    expect(await store.getAgent(agentId)).toMatchObject({
      state: 'PAUSED',
      pauseCode: 'PHONE',
      bridgeId: null,
      legChannelId: null,
    });
    expect(ari.log.filter((x) => x === 'destroyBridge agent-42')).toHaveLength(1);
    expect(index.map.size).toBe(0);
    expect(writes).toEqual(['READY->PAUSED system:phone-lost']);
  });
});

describe('AgentLegService.attach: a phone nobody picks up', () => {
  it('is hung up at our deadline, before Asterisk gives up ringing, and reads as no answer', async () => {
    const { store, sessions, agentId } = await loggedIn();
    const ari = fakeAri(1_000_000);
    const timeouts: Array<number | undefined> = [];
    const legs = legService(
      store,
      sessions,
      {
        ...ari,
        originate: async (p) => {
          timeouts.push(p.timeoutS);
          return {};
        },
      },
      { answerTimeoutMs: 60, retryMs: 5 },
    );
    const err = await legs.attach(agentId, 'PJSIP/desk-104').then(
      () => null,
      (e: unknown) => e,
    );
    expect(phoneFailureOf(err)).toBe('no_answer');
    expect(timeouts).toEqual([1 + 5]);
    expect(ari.log.some((l) => l.startsWith('hangup leg-42-'))).toBe(true);
    // The bridge made for the leg is not left behind.
    expect(ari.log.filter((l) => l.startsWith('destroyBridge agent-42'))).toHaveLength(2);
    expect(ari.log.at(-1)).toBe('destroyBridge agent-42');
  });
});

describe('AgentLegService.attach: two calls of one phone at once', () => {
  it('keeps the leg that came up first and hangs up the other', async () => {
    const { store, sessions, agentId } = await loggedIn();
    const ari = fakeAri(0);
    const legs = legService(store, sessions, {
      ...ari,
      originate: async (p) => {
        // Meanwhile another attach (the worker's call again) recorded its leg.
        await sessions.apply(
          agentId,
          { type: 'set_leg', bridgeId: 'agent-42', legChannelId: 'leg-first' },
          'test',
        );
        return ari.originate(p);
      },
    });
    const r = await legs.attach(agentId, 'PJSIP/desk-104');
    expect(r).toEqual({ bridgeId: 'agent-42', legChannelId: 'leg-first' });
    expect((await store.getAgent(agentId))?.legChannelId).toBe('leg-first');
    expect(ari.log.some((l) => /^hangup leg-42-/.test(l))).toBe(true);
  });
});
