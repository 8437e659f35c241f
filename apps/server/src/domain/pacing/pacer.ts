import { dialGuardCounts, DIAL_GUARD_RULE } from './guard.js';
import { census, progressive, ratio } from './modes.js';
import type { PacingDecision, PacingInput } from './pacing-types.js';
import { predictive } from './predictive.js';

export * from './pacing-types.js';
export { updateControl } from './modes.js';

/**
 * How many calls to place now, and why. Pure: reads only its input.
 *
 * Predictive mode balances, at a short look-ahead, the agents expected to be free (ready now, or
 * finishing talk or wrap-up, from the learned handle-time distributions conditioned on time
 * already spent) against the human answers expected from calls in flight (each call's chance of
 * still becoming a human, conditioned on its age and stage), then adds fresh calls at the learned
 * live-answer rate until the gap is covered with a safety term in standard deviations. The safety
 * term follows the drop-rate ledger: the ledger's surplus is spent, a deficit is paid back, and a
 * spent budget forces progressive dialing.
 */
export function decidePacing(input: PacingInput): PacingDecision {
  const s = input.settings;
  const c = census(input);
  const guard = dialGuardCounts(c, s.guard ?? DIAL_GUARD_RULE);
  if (!guard.ok) return { callsToPlace: 0, appliedMode: s.mode, reason: guard.reason };
  switch (s.mode) {
    case 'manual':
      return {
        callsToPlace: 0,
        appliedMode: 'manual',
        reason: 'Manual dialing: agents place their own calls.',
      };
    case 'progressive':
      return progressive(c, s, 'Progressive: ');
    case 'ratio':
      return ratio(c, s);
    case 'predictive':
      return predictive(input, c);
  }
}
