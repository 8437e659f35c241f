import {
  WRAPUP_EXTENDED_REASON,
  type AgentId,
  type AgentState,
  type AgentStateChanged,
  type CallId,
  type CampaignId,
} from '@ringside/protocol';
import { IllegalTransitionError } from '../errors.js';

/** `agent_status:{agentId}`: one agent's live state. */
export interface AgentStatus {
  agentId: AgentId;
  state: AgentState;
  /** When the current state began (epoch ms). */
  sinceMs: number;
  campaignId: CampaignId | null;
  callId: CallId | null;
  pauseCode: string | null;
  /** The agent's own mixing bridge, where its phone leg is nailed up (null: no leg yet). */
  bridgeId: string | null;
  /** The agent's phone channel in that bridge. */
  legChannelId: string | null;
  /**
   * The wrap-up deadline (epoch ms) the agent's extension just set; only on the status a
   * wrapup_extend returns (the state store keeps the extension apart, services/agents).
   */
  wrapupUntilMs?: number;
}

/**
 * The agent state machine (pure). An agent logs in PAUSED (code LOGIN), goes READY, is RESERVED
 * by the dialer for a call being handed over, talks (INCALL), may be left on the call screen
 * after the customer hung up (DEAD), then wraps up (WRAPUP) and goes READY or PAUSED again.
 *
 *   LOGGED_OUT --login--> PAUSED --ready--> READY --reserve--> RESERVED --connect--> INCALL
 *   READY --pause--> PAUSED            RESERVED --unreserve--> READY
 *   PAUSED --dial_manual--> INCALL     INCALL --customer_hangup--> DEAD
 *   INCALL|DEAD --agent_hangup--> WRAPUP --ready|pause|wrapup_timeout--> READY|PAUSED
 *   READY|PAUSED|WRAPUP --logout--> LOGGED_OUT
 *   any but LOGGED_OUT --force_logout--> LOGGED_OUT (heartbeat lost, supervisor)
 *   any but LOGGED_OUT --set_leg--> same state (the agent's phone leg came up or went away)
 *   DEAD|WRAPUP --wrapup_extend--> same state (the agent extended its wrap-up: a new deadline)
 */
export type AgentEvent =
  | { type: 'login'; campaignId: CampaignId; atMs: number }
  | { type: 'ready'; atMs: number }
  | { type: 'pause'; code: string; atMs: number }
  | { type: 'reserve'; callId: CallId; atMs: number }
  | { type: 'unreserve'; atMs: number }
  | { type: 'connect'; callId: CallId; atMs: number }
  | { type: 'dial_manual'; callId: CallId; atMs: number }
  | { type: 'customer_hangup'; atMs: number }
  /** wrapupMs: the campaign's wrap-up time; 0 = no timer. */
  | { type: 'agent_hangup'; wrapupMs: number; atMs: number }
  /** The wrap-up timer fired: the campaign says whether the agent goes READY or PAUSED. */
  | { type: 'wrapup_timeout'; action: 'ready' | 'pause'; atMs: number }
  | { type: 'logout'; atMs: number }
  | { type: 'force_logout'; atMs: number }
  | { type: 'set_leg'; bridgeId: string | null; legChannelId: string | null; atMs: number }
  /** untilMs: the new wrap-up deadline (epoch ms); the state and its clock stay. */
  | { type: 'wrapup_extend'; untilMs: number; atMs: number };

export type AgentEventType = AgentEvent['type'];

/** Work the service must do after the state has been written. */
export type AgentEffect =
  | { type: 'start_wrapup_timer'; callId: CallId | null; ms: number }
  | { type: 'cancel_wrapup_timer' }
  /** Wrap-up timed out before a disposition: write the campaign's default one. */
  | { type: 'auto_disposition'; callId: CallId | null }
  /** A reservation was given up: the dialer must find another agent for the call (or drop it). */
  | { type: 'release_call'; callId: CallId }
  /** The agent left while talking: hang up the customer's call. */
  | { type: 'hangup_call'; callId: CallId }
  /** The agent logged out: take down its phone leg. */
  | { type: 'end_agent_leg'; legChannelId: string };

export interface AgentTransition {
  status: AgentStatus;
  effects: AgentEffect[];
}

/** Pause code given to an agent that has just logged in. */
export const LOGIN_PAUSE_CODE = 'LOGIN';
/** Pause code after a wrap-up timeout whose campaign action is 'pause'. */
export const WRAPUP_TIMEOUT_PAUSE_CODE = 'WRAPUP';

/**
 * Reason of the event that records a phone-leg change (set_leg): not a change of state, so
 * agent_log writes no row for it.
 */
export const LEG_REASON = 'system:leg';

/**
 * Whether an event with this reason keeps the running state's clock (a leg change, a wrap-up
 * extension): agent_log writes no row for it and the state's start stays.
 */
export function keepsStateClock(reason: string): boolean {
  return reason === LEG_REASON || reason === WRAPUP_EXTENDED_REASON;
}

/** The status of an agent with no record: logged out since the epoch. */
export function loggedOut(agentId: AgentStatus['agentId']): AgentStatus {
  return {
    agentId,
    state: 'LOGGED_OUT',
    sinceMs: 0,
    campaignId: null,
    callId: null,
    pauseCode: null,
    bridgeId: null,
    legChannelId: null,
  };
}

/** Which events each state accepts (the table the tests enumerate). */
export const LEGAL: Readonly<Record<AgentState, ReadonlyArray<AgentEventType>>> = {
  LOGGED_OUT: ['login'],
  PAUSED: ['ready', 'pause', 'dial_manual', 'logout', 'force_logout', 'set_leg'],
  READY: ['pause', 'reserve', 'logout', 'force_logout', 'set_leg'],
  RESERVED: ['connect', 'unreserve', 'force_logout', 'set_leg'],
  INCALL: ['customer_hangup', 'agent_hangup', 'force_logout', 'set_leg'],
  DEAD: ['agent_hangup', 'force_logout', 'set_leg', 'wrapup_extend'],
  WRAPUP: [
    'ready',
    'pause',
    'wrapup_timeout',
    'logout',
    'force_logout',
    'set_leg',
    'wrapup_extend',
  ],
};

/**
 * Applies one event to an agent's status. Throws IllegalTransitionError (state unchanged) when
 * the state does not accept the event, or a connect names another call than the reserved one.
 */
export function transition(s: AgentStatus, e: AgentEvent): AgentTransition {
  if (!LEGAL[s.state].includes(e.type)) throw new IllegalTransitionError(s.state, e.type);
  const to = (
    state: AgentState,
    over: Partial<AgentStatus> = {},
    effects: AgentEffect[] = [],
  ): AgentTransition => {
    const leaving = s.state === 'WRAPUP' && state !== 'WRAPUP';
    // A new state starts a new clock: an extended deadline belonged to the one that ends.
    const { wrapupUntilMs: _ended, ...rest } = s;
    return {
      status: { ...rest, state, sinceMs: e.atMs, ...over },
      effects: leaving ? [{ type: 'cancel_wrapup_timer' }, ...effects] : effects,
    };
  };
  const noCall = { callId: null, pauseCode: null };

  switch (e.type) {
    case 'login':
      return to('PAUSED', { campaignId: e.campaignId, callId: null, pauseCode: LOGIN_PAUSE_CODE });
    case 'ready':
      return to('READY', noCall);
    case 'pause':
      if (e.code.length === 0 || e.code.length > 32)
        throw new IllegalTransitionError(
          s.state,
          'pause',
          'a pause needs a code of 1-32 characters',
        );
      return to('PAUSED', { callId: null, pauseCode: e.code });
    case 'reserve':
      return to('RESERVED', { callId: e.callId, pauseCode: null });
    case 'unreserve':
      return to('READY', noCall, s.callId ? [{ type: 'release_call', callId: s.callId }] : []);
    case 'connect':
      if (s.callId !== e.callId) {
        throw new IllegalTransitionError(
          s.state,
          'connect',
          `cannot connect ${e.callId}: reserved for another call`,
        );
      }
      return to('INCALL');
    case 'dial_manual':
      return to('INCALL', { callId: e.callId, pauseCode: null });
    case 'customer_hangup':
      return to('DEAD');
    case 'agent_hangup':
      return to(
        'WRAPUP',
        {},
        e.wrapupMs > 0 ? [{ type: 'start_wrapup_timer', callId: s.callId, ms: e.wrapupMs }] : [],
      );
    case 'wrapup_timeout':
      return to(
        e.action === 'ready' ? 'READY' : 'PAUSED',
        { callId: null, pauseCode: e.action === 'ready' ? null : WRAPUP_TIMEOUT_PAUSE_CODE },
        [{ type: 'auto_disposition', callId: s.callId }],
      );
    case 'logout':
    case 'force_logout': {
      const effects: AgentEffect[] = [];
      if (s.callId && s.state === 'RESERVED')
        effects.push({ type: 'release_call', callId: s.callId });
      if (s.callId && s.state === 'INCALL') effects.push({ type: 'hangup_call', callId: s.callId });
      if (s.callId && s.state === 'WRAPUP')
        effects.push({ type: 'auto_disposition', callId: s.callId });
      if (s.legChannelId) effects.push({ type: 'end_agent_leg', legChannelId: s.legChannelId });
      return to(
        'LOGGED_OUT',
        { campaignId: null, callId: null, pauseCode: null, bridgeId: null, legChannelId: null },
        effects,
      );
    }
    case 'set_leg':
      // Not a change of state: the clock of the current state keeps running.
      return {
        status: { ...s, bridgeId: e.bridgeId, legChannelId: e.legChannelId },
        effects: [],
      };
    case 'wrapup_extend':
      if (!Number.isSafeInteger(e.untilMs) || e.untilMs <= e.atMs) {
        throw new IllegalTransitionError(
          s.state,
          'wrapup_extend',
          'the extended wrap-up must end in the future',
        );
      }
      return { status: { ...s, wrapupUntilMs: e.untilMs }, effects: [] };
  }
}

/** True when `transition` would accept the event in this state (a UI hint; the store decides). */
export function accepts(state: AgentState, type: AgentEventType): boolean {
  return LEGAL[state].includes(type);
}

/**
 * The domain event of a transition. `pauseCode` and `callId` are those of the new state;
 * `sinceMs` is when the previous state began, so atMs - sinceMs is its duration (agent_log).
 */
export function changedEvent(
  prev: AgentStatus,
  next: AgentStatus,
  reason: string,
  atMs: number,
): AgentStateChanged {
  return {
    type: 'agent.state_changed',
    agentId: next.agentId,
    campaignId: next.campaignId ?? prev.campaignId,
    from: prev.state,
    to: next.state,
    pauseCode: next.pauseCode,
    callId: next.callId ?? prev.callId,
    reason,
    sinceMs: prev.sinceMs,
    atMs,
    ...(next.wrapupUntilMs !== undefined ? { wrapupUntilMs: next.wrapupUntilMs } : {}),
  };
}
