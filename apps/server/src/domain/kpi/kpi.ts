/**
 * Contact-center KPIs (definitions in docs/kpi.md), shared by the supervisor dashboard and the
 * reports. Pure: callers pass totals they summed (from Redis or from SQL); every function answers
 * null when its base is zero, so a screen shows "-" rather than 0 or NaN.
 */
import { AgentState } from '@ringside/protocol';

/** Average handle time (ms): (talk + wrap-up) per handled call. */
export function ahtMs(t: { talkMs: number; wrapMs: number; handledCalls: number }): number | null {
  if (t.handledCalls <= 0) return null;
  return Math.round((t.talkMs + t.wrapMs) / t.handledCalls);
}

/**
 * Average speed of answer (ms): from the customer's answer to the agent's connection, per
 * connected call. For a predictive dialer this is the silence the customer hears.
 */
export function asaMs(t: { answerWaitMs: number; connectedCalls: number }): number | null {
  if (t.connectedCalls <= 0) return null;
  return Math.round(t.answerWaitMs / t.connectedCalls);
}

/**
 * Drop rate (percent): drops per human answer. A drop is itself a human answer (a live person
 * answered and no agent came), so `humanAnswers` must include the drops, as the ledger does.
 */
export function dropRatePct(t: { drops: number; humanAnswers: number }): number | null {
  if (t.humanAnswers <= 0) return null;
  return (100 * t.drops) / t.humanAnswers;
}

/**
 * Occupancy (percent): time busy with calls (talk, dead air, wrap-up) over that plus the time
 * available for calls (waiting). Pauses are outside both: a paused agent is not available.
 */
export function occupancyPct(t: {
  talkMs: number;
  deadMs: number;
  wrapMs: number;
  waitMs: number;
}): number | null {
  const busy = t.talkMs + t.deadMs + t.wrapMs;
  const base = busy + t.waitMs;
  if (base <= 0) return null;
  return (100 * busy) / base;
}

/** Contacts per hour: handled calls per hour logged in. */
export function contactsPerHour(t: { handledCalls: number; loginMs: number }): number | null {
  if (t.loginMs <= 0) return null;
  return t.handledCalls / (t.loginMs / 3_600_000);
}

/** Conversion (percent): sales per handled call. */
export function conversionPct(t: { sales: number; handledCalls: number }): number | null {
  if (t.handledCalls <= 0) return null;
  return (100 * t.sales) / t.handledCalls;
}

/** Where an agent state's time counts. */
export type TimeBucket = 'wait' | 'talk' | 'dead' | 'wrap' | 'pause' | 'out';

/**
 * READY and RESERVED are waiting (RESERVED is the few seconds a call is being handed over);
 * INCALL is talk (hold included); LOGGED_OUT is outside login time.
 */
export function timeBucket(state: AgentState): TimeBucket {
  switch (state) {
    case 'READY':
    case 'RESERVED':
      return 'wait';
    case 'INCALL':
      return 'talk';
    case 'DEAD':
      return 'dead';
    case 'WRAPUP':
      return 'wrap';
    case 'PAUSED':
      return 'pause';
    case 'LOGGED_OUT':
      return 'out';
  }
}

export interface AgentTimeTotals {
  loginMs: number;
  waitMs: number;
  talkMs: number;
  deadMs: number;
  wrapMs: number;
  pauseMs: number;
  /** PAUSED time by pause code ('' = none). */
  pauseByCodeMs: Record<string, number>;
}

/** Sums state intervals into the agent-time buckets. Unknown states are not counted. */
export function agentTimeTotals(
  intervals: Iterable<{ state: string; pauseCode: string | null; durationMs: number }>,
): AgentTimeTotals {
  const t: AgentTimeTotals = {
    loginMs: 0,
    waitMs: 0,
    talkMs: 0,
    deadMs: 0,
    wrapMs: 0,
    pauseMs: 0,
    pauseByCodeMs: {},
  };
  for (const i of intervals) {
    if (!isAgentState(i.state)) continue;
    const b = timeBucket(i.state);
    if (b === 'out') continue;
    t.loginMs += i.durationMs;
    if (b === 'wait') t.waitMs += i.durationMs;
    else if (b === 'talk') t.talkMs += i.durationMs;
    else if (b === 'dead') t.deadMs += i.durationMs;
    else if (b === 'wrap') t.wrapMs += i.durationMs;
    else {
      t.pauseMs += i.durationMs;
      const code = i.pauseCode ?? '';
      t.pauseByCodeMs[code] = (t.pauseByCodeMs[code] ?? 0) + i.durationMs;
    }
  }
  return t;
}

const STATES: ReadonlySet<string> = new Set<AgentState>(AgentState.options);
function isAgentState(s: string): s is AgentState {
  return STATES.has(s);
}

/** The sums behind AHT, ASA and occupancy (docs/kpi.md) of one campaign and one UTC day. */
export interface KpiSums {
  handledCalls: number;
  talkMs: number;
  wrapMs: number;
  connectedCalls: number;
  answerWaitMs: number;
  /**
   * Occupancy's agent-state time (absent: 0): READY and RESERVED intervals (wait), INCALL and
   * DEAD intervals (talk and dead air, from the agents' states, as the agent-time report counts
   * them; `talkMs` above is the calls' connect-to-end, AHT's).
   */
  waitMs?: number;
  inCallMs?: number;
}

/** Occupancy (percent) of a day's sums: INCALL + DEAD + WRAPUP over that plus READY time. */
export function occupancyOfSums(s: KpiSums): number | null {
  return occupancyPct({
    talkMs: s.inCallMs ?? 0,
    deadMs: 0,
    wrapMs: s.wrapMs,
    waitMs: s.waitMs ?? 0,
  });
}

/** Sums with nothing counted yet. */
export function zeroKpiSums(): KpiSums {
  return { handledCalls: 0, talkMs: 0, wrapMs: 0, connectedCalls: 0, answerWaitMs: 0 };
}
