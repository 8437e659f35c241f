/**
 * Compliance rules the dialer applies at the moment it dials (pure: the caller passes the instant,
 * the DNC verdict and the agent count; no clock, no I/O). The hopper already filters on the same
 * rules, but a lead can sit in the hopper while its number is added to DNC or its window closes,
 * so the dialer checks again right before every origination.
 *
 * The drop-rate arithmetic is the pacing module's (domain/pacing/ledger.ts); this module only
 * turns it into the budget the API shows.
 */
import { isDialable, windowDetail, type CallingWindow } from './calling-window.js';
import { checkStateRules, type StateRuleSet } from './state-rules.js';
import {
  DEFAULT_WINDOW_DAYS,
  dropBudget,
  dropRatePct,
  humansToRecover,
  ledgerTotals,
  type LedgerDay,
} from './pacing/ledger.js';

/** A no-answer may not be declared before the phone rang this long (US: 15 s). */
export const MIN_RING_TIMEOUT_S = 15;
/** A live answer must hear a person or the safe-harbor message within this (US: 2 s). */
export const MAX_DROP_WAIT_MS = 2_000;
/** The drop-rate cap may not be set above this, percent of human answers over 30 days. */
export const MAX_DROP_RATE_CAP_PCT = 3;

export type DialRule =
  'DNC' | 'CALLING_WINDOW' | 'STATE_WINDOW' | 'STATE_ATTEMPTS' | 'NO_READY_AGENT' | 'MAX_ATTEMPTS';

export type DialVerdict =
  | { ok: true }
  | {
      ok: false;
      rule: DialRule;
      message: string;
      /** CALLING_WINDOW, STATE_WINDOW: the candidate zone that blocked. */
      zone?: string;
      /** STATE_*: the state whose rule blocked. */
      state?: string;
      /** STATE_*: when the rule will allow the call again (the lead is held back until then). */
      retryAtMs?: number | null;
    };

export interface DialCheck {
  /** The number is on the system-wide or the campaign's DNC list. */
  onDnc: boolean;
  /** Every zone the lead may be in (leads.tz_candidates); empty = unknown, never dialable. */
  timeZones: readonly string[];
  /** The campaign's window in the lead's local time; clipped to 08:00-21:00 here. */
  window: CallingWindow;
  atMs: number;
  /**
   * READY agents of the campaign. Automatic dials need at least one; a manual dial is placed by
   * an agent for itself, so pass null to skip this rule.
   */
  readyAgents: number | null;
  /** Attempts made so far and the campaign's cap; null skips the rule (the hopper applies it). */
  attempts?: { made: number; max: number } | null;
  /**
   * State rules (domain/state-rules.ts): the rules, the lead's states, and when its number was
   * dialed (null: skip the caps). Absent: no state rule is checked.
   */
  state?: {
    rules: StateRuleSet;
    states: readonly string[];
    attemptsAtMs: readonly number[] | null;
  } | null;
}

/**
 * May this lead be dialed now? Rules in order of severity: DNC, calling window (in every
 * candidate zone), state rules (windows, then attempts per 24 h), attempts, agent.
 * The message names the rule and the zone that decided, never the number (it may end up in logs
 * and supervisor screens).
 */
export function checkDial(c: DialCheck): DialVerdict {
  if (c.onDnc) return { ok: false, rule: 'DNC', message: 'the number is on a do-not-call list' };
  // The detail (local time per zone, the deciding zone) only when refused: it costs more.
  if (!isDialable(c.timeZones, c.window, c.atMs)) {
    const w = windowDetail(c.timeZones, c.window, c.atMs);
    const blocking = w.zones.find((z) => !z.inside);
    return {
      ok: false,
      rule: 'CALLING_WINDOW',
      message:
        c.timeZones.length === 0
          ? "the lead's time zone is unknown, so its local time cannot be checked"
          : `outside 08:00-21:00 or the campaign's window (${w.window}) in the lead's local ` +
            `time: ${blocking?.localTime ?? 'unknown'} in ${blocking?.zone ?? 'an unknown zone'}`,
      ...(blocking ? { zone: blocking.zone } : {}),
    };
  }
  if (c.state) {
    const s = checkStateRules({
      rules: c.state.rules,
      states: c.state.states,
      zones: c.timeZones,
      atMs: c.atMs,
      attemptsAtMs: c.state.attemptsAtMs,
    });
    if (!s.ok) {
      return {
        ok: false,
        rule: s.rule,
        message: s.message,
        state: s.state,
        retryAtMs: s.retryAtMs,
        ...(s.rule === 'STATE_WINDOW' ? { zone: s.zone } : {}),
      };
    }
  }
  if (c.attempts && c.attempts.made >= c.attempts.max) {
    return {
      ok: false,
      rule: 'MAX_ATTEMPTS',
      message: `the lead has had ${c.attempts.made} of at most ${c.attempts.max} attempts`,
    };
  }
  if (c.readyAgents !== null && c.readyAgents < 1) {
    return { ok: false, rule: 'NO_READY_AGENT', message: 'the campaign has no ready agent' };
  }
  return { ok: true };
}

/** The ring time to give Asterisk: the campaign's, never below the legal minimum. */
export function ringTimeoutS(campaignRingTimeoutS: number): number {
  return Math.max(MIN_RING_TIMEOUT_S, Math.ceil(campaignRingTimeoutS));
}

/**
 * How long a live answer may wait for an agent before the dialer starts the safe-harbor message:
 * the campaign's drop wait, capped at 2 s, minus the time it takes to start the message
 * (`startLatencyMs`: remove from the holding bridge, play, and the worker seeing it start), so the
 * message is heard within 2 s of the answer decision. Never negative.
 */
export function holdBudgetMs(dropWaitMs: number, startLatencyMs: number): number {
  const wait = Math.min(Math.max(0, dropWaitMs), MAX_DROP_WAIT_MS);
  return Math.max(0, Math.min(wait, MAX_DROP_WAIT_MS - startLatencyMs));
}

/** The day bucket of the drop ledger: whole UTC days since the epoch. */
export function ledgerDay(atMs: number): number {
  return Math.floor(atMs / 86_400_000);
}

/** The remaining drop budget of a campaign, as the API serves it. */
export interface DropBudget {
  /** Rolling window length, days. */
  windowDays: number;
  /** Cap, percent of human answers. */
  capPct: number;
  drops: number;
  humanAnswers: number;
  /** drops / human answers over the window, percent. */
  ratePct: number;
  /** Drops still allowed now without exceeding the cap (can be negative when over it). */
  remainingDrops: number;
  /** Human answers needed without any drop to get back under the cap (0 when under it). */
  humansToRecover: number;
  /** True when the predictive mode must dial progressively (less than one drop left). */
  forcesProgressive: boolean;
}

/** The ledger's days (drops and human answers per UTC day) turned into the budget at `atMs`. */
export function dropBudgetAt(
  days: readonly LedgerDay[],
  atMs: number,
  capPct: number,
  windowDays = DEFAULT_WINDOW_DAYS,
): DropBudget {
  const t = ledgerTotals(days, ledgerDay(atMs), windowDays);
  const remaining = dropBudget(t, capPct);
  return {
    windowDays,
    capPct,
    drops: t.drops,
    humanAnswers: t.humans,
    ratePct: dropRatePct(t),
    remainingDrops: remaining,
    humansToRecover: humansToRecover(t, capPct),
    forcesProgressive: remaining < 1,
  };
}

/** How a call outcome counts in the ledger: a drop is also a human answer (the denominator). */
export function ledgerCounts(outcome: string): { drops: number; humans: number } {
  if (outcome === 'DROPPED') return { drops: 1, humans: 1 };
  if (outcome === 'HUMAN') return { drops: 0, humans: 1 };
  return { drops: 0, humans: 0 };
}
