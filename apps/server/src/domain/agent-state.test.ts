import { AgentState, type CallId, type CampaignId } from '@ringside/protocol';
import { describe, expect, it } from 'vitest';
import { IllegalTransitionError } from '../errors.js';
import { agentStatus, ids } from '../ports/fakes/conformance/fixtures.js';
import type { AgentStatus } from '../ports/state-store.js';
import {
  accepts,
  changedEvent,
  keepsStateClock,
  LEGAL,
  loggedOut,
  transition,
  type AgentEvent,
  type AgentEventType,
} from './agent-state.js';

const call = ids.call('call-1') as CallId;
const camp = ids.campaign('c7') as CampaignId;
const AT = 5_000;

const EVENTS: Record<AgentEventType, AgentEvent> = {
  login: { type: 'login', campaignId: camp, atMs: AT },
  ready: { type: 'ready', atMs: AT },
  pause: { type: 'pause', code: 'LUNCH', atMs: AT },
  reserve: { type: 'reserve', callId: call, atMs: AT },
  unreserve: { type: 'unreserve', atMs: AT },
  connect: { type: 'connect', callId: call, atMs: AT },
  dial_manual: { type: 'dial_manual', callId: call, atMs: AT },
  customer_hangup: { type: 'customer_hangup', atMs: AT },
  agent_hangup: { type: 'agent_hangup', wrapupMs: 30_000, atMs: AT },
  wrapup_timeout: { type: 'wrapup_timeout', action: 'ready', atMs: AT },
  logout: { type: 'logout', atMs: AT },
  force_logout: { type: 'force_logout', atMs: AT },
  set_leg: { type: 'set_leg', bridgeId: 'b1', legChannelId: 'leg1', atMs: AT },
  wrapup_extend: { type: 'wrapup_extend', untilMs: AT + 30_000, atMs: AT },
};

/** A plausible status for each state (a call for the states that have one). */
function inState(state: AgentState): AgentStatus {
  if (state === 'LOGGED_OUT') return loggedOut(ids.agent('a1'));
  const withCall = ['RESERVED', 'INCALL', 'DEAD', 'WRAPUP'].includes(state);
  return agentStatus('a1', state, 1_000, {
    campaignId: camp,
    callId: withCall ? call : null,
    pauseCode: state === 'PAUSED' ? 'BRK' : null,
    bridgeId: 'b0',
    legChannelId: 'leg0',
  });
}

/** Expected target state of every legal (state, event) pair. */
const EXPECTED: Partial<Record<AgentState, Partial<Record<AgentEventType, AgentState>>>> = {
  LOGGED_OUT: { login: 'PAUSED' },
  PAUSED: {
    ready: 'READY',
    pause: 'PAUSED',
    dial_manual: 'INCALL',
    logout: 'LOGGED_OUT',
    force_logout: 'LOGGED_OUT',
    set_leg: 'PAUSED',
  },
  READY: {
    pause: 'PAUSED',
    reserve: 'RESERVED',
    logout: 'LOGGED_OUT',
    force_logout: 'LOGGED_OUT',
    set_leg: 'READY',
  },
  RESERVED: {
    connect: 'INCALL',
    unreserve: 'READY',
    force_logout: 'LOGGED_OUT',
    set_leg: 'RESERVED',
  },
  INCALL: {
    customer_hangup: 'DEAD',
    agent_hangup: 'WRAPUP',
    force_logout: 'LOGGED_OUT',
    set_leg: 'INCALL',
  },
  DEAD: {
    agent_hangup: 'WRAPUP',
    force_logout: 'LOGGED_OUT',
    set_leg: 'DEAD',
    wrapup_extend: 'DEAD',
  },
  WRAPUP: {
    ready: 'READY',
    pause: 'PAUSED',
    wrapup_timeout: 'READY',
    logout: 'LOGGED_OUT',
    force_logout: 'LOGGED_OUT',
    set_leg: 'WRAPUP',
    wrapup_extend: 'WRAPUP',
  },
};

const pairs = AgentState.options.flatMap((state) =>
  (Object.keys(EVENTS) as AgentEventType[]).map((type) => ({ state, type })),
);

describe('agent state machine', () => {
  it('has an expectation for exactly the legal pairs', () => {
    for (const state of AgentState.options) {
      expect(Object.keys(EXPECTED[state] ?? {}).sort()).toEqual([...LEGAL[state]].sort());
    }
  });

  describe.each(pairs.filter((p) => EXPECTED[p.state]?.[p.type] !== undefined))(
    'legal: $state + $type',
    ({ state, type }) => {
      it(`moves to ${String(EXPECTED[state]?.[type])} and stamps the time`, () => {
        const before = inState(state);
        const { status } = transition(before, EVENTS[type]);
        expect(status.state).toBe(EXPECTED[state]?.[type]);
        expect(status.agentId).toBe(before.agentId);
        const keepsClock = type === 'set_leg' || type === 'wrapup_extend';
        expect(status.sinceMs).toBe(keepsClock ? before.sinceMs : AT);
        expect(accepts(state, type)).toBe(true);
      });
    },
  );

  describe.each(pairs.filter((p) => EXPECTED[p.state]?.[p.type] === undefined))(
    'illegal: $state + $type',
    ({ state, type }) => {
      it('throws IllegalTransitionError naming the state and event', () => {
        const before = inState(state);
        const copy = structuredClone(before);
        let err: unknown;
        try {
          transition(before, EVENTS[type]);
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(IllegalTransitionError);
        expect(err).toMatchObject({ from: state, event: type, code: 'ILLEGAL_TRANSITION' });
        expect(before).toEqual(copy);
        expect(accepts(state, type)).toBe(false);
      });
    },
  );

  it('logs in PAUSED with code LOGIN in the chosen campaign', () => {
    const { status } = transition(loggedOut(ids.agent('a1')), EVENTS.login);
    expect(status).toMatchObject({ state: 'PAUSED', pauseCode: 'LOGIN', campaignId: 'c7' });
  });

  it('keeps the call through INCALL, DEAD and WRAPUP and clears it on READY', () => {
    let s = transition(inState('READY'), EVENTS.reserve).status;
    expect(s.callId).toBe(call);
    s = transition(s, EVENTS.connect).status;
    s = transition(s, EVENTS.customer_hangup).status;
    expect(s).toMatchObject({ state: 'DEAD', callId: call });
    const w = transition(s, EVENTS.agent_hangup);
    expect(w.status).toMatchObject({ state: 'WRAPUP', callId: call });
    expect(w.effects).toEqual([{ type: 'start_wrapup_timer', callId: call, ms: 30_000 }]);
    const r = transition(w.status, EVENTS.ready);
    expect(r.status).toMatchObject({ state: 'READY', callId: null, pauseCode: null });
    expect(r.effects).toEqual([{ type: 'cancel_wrapup_timer' }]);
  });

  it('starts no wrap-up timer when the campaign has no wrap-up time', () => {
    const e: AgentEvent = { type: 'agent_hangup', wrapupMs: 0, atMs: AT };
    expect(transition(inState('INCALL'), e).effects).toEqual([]);
  });

  it('refuses to connect a call other than the reserved one', () => {
    const e: AgentEvent = { type: 'connect', callId: ids.call('other'), atMs: AT };
    expect(() => transition(inState('RESERVED'), e)).toThrow(IllegalTransitionError);
  });

  it('refuses a pause without a code', () => {
    expect(() => transition(inState('READY'), { type: 'pause', code: '', atMs: AT })).toThrow(
      IllegalTransitionError,
    );
  });

  it('auto-dispositions and pauses when wrap-up times out with the pause action', () => {
    const r = transition(inState('WRAPUP'), { type: 'wrapup_timeout', action: 'pause', atMs: AT });
    expect(r.status).toMatchObject({ state: 'PAUSED', pauseCode: 'WRAPUP', callId: null });
    expect(r.effects).toEqual([
      { type: 'cancel_wrapup_timer' },
      { type: 'auto_disposition', callId: call },
    ]);
  });

  it('releases the call when a reservation is given up', () => {
    expect(transition(inState('RESERVED'), EVENTS.unreserve).effects).toEqual([
      { type: 'release_call', callId: call },
    ]);
  });

  it.each([
    ['RESERVED', [{ type: 'release_call', callId: call }]],
    ['INCALL', [{ type: 'hangup_call', callId: call }]],
    ['DEAD', []],
    ['WRAPUP', [{ type: 'cancel_wrapup_timer' }, { type: 'auto_disposition', callId: call }]],
    ['READY', []],
  ] as const)('cleans up after a forced logout from %s', (state, callEffects) => {
    const r = transition(inState(state), EVENTS.force_logout);
    expect(r.status).toMatchObject({
      state: 'LOGGED_OUT',
      campaignId: null,
      callId: null,
      legChannelId: null,
      bridgeId: null,
    });
    expect(r.effects).toEqual([...callEffects, { type: 'end_agent_leg', legChannelId: 'leg0' }]);
  });

  it('records the phone leg without restarting the state clock', () => {
    const r = transition(inState('READY'), EVENTS.set_leg);
    expect(r.status).toMatchObject({ state: 'READY', bridgeId: 'b1', legChannelId: 'leg1' });
    expect(r.status.sinceMs).toBe(1_000);
  });

  it('builds the change event with the previous state start for the agent_log duration', () => {
    const prev = inState('PAUSED');
    const { status } = transition(prev, EVENTS.ready);
    expect(changedEvent(prev, status, 'agent', AT)).toEqual({
      type: 'agent.state_changed',
      agentId: 'a1',
      campaignId: 'c7',
      from: 'PAUSED',
      to: 'READY',
      pauseCode: null,
      callId: null,
      reason: 'agent',
      sinceMs: 1_000,
      atMs: AT,
    });
  });
  it('extends wrap-up: same state and clock, the new deadline on the status and the event', () => {
    const prev = inState('WRAPUP');
    const r = transition(prev, EVENTS.wrapup_extend);
    expect(r.status).toMatchObject({ state: 'WRAPUP', sinceMs: 1_000, wrapupUntilMs: AT + 30_000 });
    expect(r.effects).toEqual([]);
    const e = changedEvent(prev, r.status, 'agent:wrapup-extended', AT);
    expect(e).toMatchObject({ from: 'WRAPUP', to: 'WRAPUP', sinceMs: 1_000 });
    expect(e.wrapupUntilMs).toBe(AT + 30_000);
    expect(keepsStateClock(e.reason)).toBe(true);
    // The next state starts a new clock, without the old deadline.
    const next = transition(r.status, EVENTS.ready).status;
    expect(next.wrapupUntilMs).toBeUndefined();
    expect(changedEvent(r.status, next, 'agent', AT).wrapupUntilMs).toBeUndefined();
  });

  it('refuses an extension whose deadline is not in the future', () => {
    expect(() =>
      transition(inState('WRAPUP'), { type: 'wrapup_extend', untilMs: AT, atMs: AT }),
    ).toThrow(IllegalTransitionError);
  });
});
