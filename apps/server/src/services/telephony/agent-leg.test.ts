import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AgentId, CampaignId } from '@ringside/protocol';
import { TelephonyError } from '../../ports/telephony-errors.js';
import { createLogger } from '../../logger.js';
import { ManualClock } from '../../ports/clock.js';
import { MemoryStateStore } from '../../ports/fakes/memory-state-store.js';
import type { AgentStatus } from '../../ports/state-store.js';
import {
  agentOfEndpoint,
  AgentLegService,
  legLost,
  phoneDialString,
  phoneFailureOf,
  PhoneUnreachableError,
  PHONE_LOST_PAUSE_CODE,
  PHONE_LOST_REASON,
  type AgentLegAri,
  type AgentLegDeps,
  type AgentLegIndex,
} from './agent-leg.js';
import type { WorkerAri } from './ari-worker-calls.js';
import { AgentSessionService } from '../agents/agent-session.js';

/** A phone that enters the app after `answerAfter` refused adds (it is still ringing). */
function fakeAri(answerAfter: number): AgentLegAri & { log: string[] } {
  const log: string[] = [];
  let refusals = 0;
  return {
    log,
    async createBridge(id, type) {
      log.push(`createBridge ${id} ${type}`);
      return {};
    },
    async destroyBridge(id) {
      log.push(`destroyBridge ${id}`);
      throw new TelephonyError(404, 'Bridge not found', 'bridges.destroy');
    },
    async addChannel(bridgeId, channel) {
      if (refusals++ < answerAfter) {
        throw new TelephonyError(422, 'Channel not in Stasis application', 'bridges.addChannel');
      }
      log.push(`addChannel ${bridgeId} ${String(channel)}`);
    },
    async hangup(id) {
      log.push(`hangup ${id}`);
    },
    async originate(p) {
      log.push(`originate ${p.endpoint} ${p.appArgs}`);
      return {};
    },
  };
}

async function loggedIn() {
  const clock = new ManualClock(1_000);
  const store = new MemoryStateStore();
  const sessions = new AgentSessionService({
    store,
    log: { record: async () => undefined },
    clock,
  });
  const agentId = '42' as AgentId;
  await sessions.apply(agentId, { type: 'login', campaignId: '1' as CampaignId }, 'agent');
  return { store, sessions, agentId };
}

/** The service under test, with the options every case shares. */
function legService(
  store: AgentLegDeps['store'],
  sessions: AgentLegDeps['agents'],
  ari: AgentLegDeps['ari'],
  more: Partial<AgentLegDeps> = {},
): AgentLegService {
  return new AgentLegService({
    ari,
    store,
    agents: sessions,
    app: 'dialer',
    logger: createLogger('silent'),
    ...more,
  });
}

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

describe('agentOfEndpoint', () => {
  const users = [
    { id: '1', username: 'alice', active: true, sipEndpoint: null },
    { id: '2', username: 'bob', active: false, sipEndpoint: null },
    { id: '3', username: 'carol', active: true, sipEndpoint: 'PJSIP/desk7' },
  ];
  const repo = {
    findByUsername: async (u: string) => users.find((x) => x.username === u) ?? null,
    list: async (f: { active: boolean }) => users.filter((x) => x.active === f.active),
  };

  it('finds the active, logged-in user by username or by sip_endpoint; nobody otherwise', async () => {
    const store = new MemoryStateStore();
    const sessions = new AgentSessionService({
      store,
      log: { record: async () => undefined },
      clock: new ManualClock(1_000),
    });
    const resolve = agentOfEndpoint(repo, store);
    expect(await resolve('alice')).toBeNull(); // not logged in
    for (const id of ['1', '2', '3'])
      await sessions.apply(id as AgentId, { type: 'login', campaignId: '1' as CampaignId }, 'a');
    expect(await resolve('alice')).toBe('1');
    expect(await resolve('PJSIP/alice')).toBe('1');
    expect(await resolve('bob')).toBeNull(); // inactive
    expect(await resolve('desk7')).toBe('3');
    expect(await resolve('nobody')).toBeNull();
  });
});

function memoryIndex(): AgentLegIndex & { map: Map<string, AgentId> } {
  const map = new Map<string, AgentId>();
  return {
    map,
    set: async (c, a) => void map.set(c, a),
    get: async (c) => map.get(c) ?? null,
    delete: async (c) => void map.delete(c),
  };
}

function workerAri(): WorkerAri & { log: string[] } {
  const log: string[] = [];
  return {
    log,
    listChannels: async () => [],
    createBridge: async (id, type, name) => {
      log.push(`createBridge ${id} ${type} ${name}`);
      return {} as never;
    },
    addChannel: async (b, c) => void log.push(`addChannel ${b} ${String(c)}`),
    hangup: async (c) => void log.push(`hangup ${c}`),
    destroyBridge: async (b) => void log.push(`destroyBridge ${b}`),
  };
}

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

describe('phoneDialString', () => {
  it('dials users.sip_endpoint when set (any Tech/resource as is, a bare name as PJSIP/<name>), else PJSIP/<username>', () => {
    const u = (sipEndpoint: string | null) => phoneDialString({ username: 'agent7', sipEndpoint });
    expect(u(null)).toBe('PJSIP/agent7');
    expect(u('  ')).toBe('PJSIP/agent7');
    expect(u('PJSIP/desk-104')).toBe('PJSIP/desk-104');
    expect(u('PJSIP/104@pbx')).toBe('PJSIP/104@pbx');
    expect(u('Local/104@phones')).toBe('Local/104@phones');
    expect(u('desk-104')).toBe('PJSIP/desk-104');
    // A SIP URI is no dial string without an endpoint.
    expect(u('sip:104@pbx.example.com')).toBeNull();
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

describe('phoneFailureOf', () => {
  it('tells a phone Asterisk does not know from one that does not answer, rejects, or an unreachable server', () => {
    const e = (status: number, msg = '') => new TelephonyError(status, msg, 'channels.originate');
    expect(phoneFailureOf(e(500, 'Allocation failed'))).toBe('no_such_phone');
    expect(phoneFailureOf(e(400, 'Invalid endpoint'))).toBe('no_such_phone');
    expect(phoneFailureOf(e(422))).toBe('no_answer');
    expect(phoneFailureOf(e(409))).toBe('no_answer');
    expect(phoneFailureOf(e(404))).toBe('rejected');
    expect(phoneFailureOf(e(0, 'connect ECONNREFUSED'))).toBe('unreachable');
    expect(phoneFailureOf(new Error('x'))).toBe('failed');
    const err = new PhoneUnreachableError('no_such_phone');
    expect(err.httpStatus).toBe(409);
    expect(err.code).toBe('PHONE_UNREACHABLE');
    expect(err.message).toContain('Allocation failed');
  });
});

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

  it('calls the phone again with backoff until it answers, then records the new leg', async () => {
    const { store, sessions, agentId } = await loggedIn();
    const ari = flakyAri();
    const legs = legService(store, sessions, ari, {
      index: memoryIndex(),
      redialEndpoint: async () => 'PJSIP/desk-104',
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
    const { store, sessions, agentId } = await loggedIn();
    const ari = flakyAri();
    const legs = legService(store, sessions, ari, {
      index: memoryIndex(),
      redialEndpoint: async () => 'PJSIP/desk-104',
    });
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
    const { store, sessions, agentId } = await loggedIn();
    const ari = flakyAri();
    ari.down.fails = 6;
    const legs = legService(store, sessions, ari, {
      index: memoryIndex(),
      redialEndpoint: async () => 'PJSIP/desk-104',
    });
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
    const { store, sessions, agentId } = await loggedIn();
    const ari = flakyAri();
    ari.down.fails = 1_000;
    const legs = legService(store, sessions, ari, {
      index: memoryIndex(),
      redialEndpoint: async () => 'PJSIP/desk-104',
    });
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
