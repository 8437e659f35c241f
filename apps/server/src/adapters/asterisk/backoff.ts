/**
 * Reconnection delays: exponential from `baseMs` doubling to `maxMs`, with "equal jitter" (half
 * fixed, half random) so that many workers losing one Asterisk do not reconnect in lockstep.
 * `random` returns [0, 1); injected so tests are exact.
 */
export interface BackoffOptions {
  /** First delay, ms. */
  baseMs: number;
  /** Largest delay, ms. */
  maxMs: number;
}

export function backoffDelayMs(
  attempt: number,
  opts: BackoffOptions,
  random: () => number,
): number {
  const exp = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.max(0, Math.min(attempt, 30)));
  return Math.round(exp / 2 + (exp / 2) * random());
}
