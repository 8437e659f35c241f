import type { AgentState } from '@ringside/protocol';

/**
 * Which agents count as "ready to take calls" for the rule "never dial when the campaign has no
 * ready agent":
 * - `ready`: at least one agent in the READY state right now (the literal reading).
 * - `working`: logged in to the campaign and not paused (READY, RESERVED, INCALL, DEAD, WRAPUP),
 *   so a team that is all in calls or wrap-up may still dial ahead of them; a team that is all
 *   paused or logged out never dials.
 */
export type DialGuardRule = 'working' | 'ready';

/**
 * The rule the dialer and the benchmark apply. `ready`, the stricter one, because the full
 * benchmark measured no cost for the predictive mode (occupancy within 0.002 of `working` in every
 * scenario, same abandonment; docs/pacing.md, "The no-agent guard"): it keeps a buffer of READY
 * agents anyway and almost never wants to dial with none.
 */
export const DIAL_GUARD_RULE: DialGuardRule = 'ready';

export interface DialGuard {
  /** True when automatic calls may be placed. */
  ok: boolean;
  /** Agents that count under the rule (the dial-time compliance check wants at least one). */
  agents: number;
  /** Why not, for the supervisor screen (empty when ok). */
  reason: string;
}

/** Does this agent count under the rule? */
export function takesCalls(state: AgentState, rule: DialGuardRule = DIAL_GUARD_RULE): boolean {
  if (rule === 'ready') return state === 'READY';
  return (
    state === 'READY' ||
    state === 'RESERVED' ||
    state === 'INCALL' ||
    state === 'DEAD' ||
    state === 'WRAPUP'
  );
}

/**
 * The guard's decision from counts: `ready` agents in READY, `working` agents logged in and not
 * paused. decidePacing calls it with the counts it already has; dialGuard counts for the caller.
 */
export function dialGuardCounts(
  counts: { ready: number; working: number },
  rule: DialGuardRule = DIAL_GUARD_RULE,
): DialGuard {
  const n = rule === 'ready' ? counts.ready : counts.working;
  if (n > 0) return { ok: true, agents: n, reason: '' };
  return {
    ok: false,
    agents: 0,
    reason:
      rule === 'ready'
        ? 'No agent is ready: not dialing.'
        : 'No agent is logged in and taking calls (all paused or logged out): not dialing.',
  };
}

/**
 * The no-agent guard, shared by the production dialer (before pacing and at dial time) and the
 * benchmark (inside decidePacing): may the campaign place automatic calls now? Pure; reads the
 * first `count` agents (default all).
 */
export function dialGuard(
  agents: readonly { state: AgentState }[],
  rule: DialGuardRule = DIAL_GUARD_RULE,
  count = agents.length,
): DialGuard {
  let ready = 0;
  let working = 0;
  for (let i = 0; i < count; i++) {
    const a = agents[i];
    if (a === undefined) continue;
    if (a.state === 'READY') ready++;
    if (takesCalls(a.state, 'working')) working++;
  }
  return dialGuardCounts({ ready, working }, rule);
}
