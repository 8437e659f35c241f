import type { Logger } from '../../logger.js';
import type { ServerAvailability } from '../../ports/dialer.js';
import { isServerFault } from '../../ports/telephony-errors.js';

export interface TrunkBreakerOptions {
  /** Consecutive server-side refusals (no answer, 5xx) that mark a server unhealthy. Default 5. */
  threshold?: number;
  /** First wait before dialing on it again, ms of wall clock; doubles while it keeps failing. */
  cooldownMs?: number;
  maxCooldownMs?: number;
}

/**
 * A circuit breaker per Asterisk server (and the trunk behind it): after `threshold` refusals in
 * a row that are the server's fault (no response, 5xx such as "Allocation failed"), the server is
 * taken out of the pool for a cool-down instead of burning through the hopper one refused lead at
 * a time. After the cool-down one origination is let through (half-open): success closes the
 * breaker, another failure opens it again for twice as long. 4xx refusals concern one number
 * and do not count.
 */
export class TrunkBreaker {
  private readonly failures = new Map<string, number>();
  private readonly cooldowns = new Map<string, number>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly threshold: number;
  private readonly baseMs: number;
  private readonly maxMs: number;
  private pool: ServerAvailability | null = null;

  constructor(
    private readonly logger: Logger,
    o: TrunkBreakerOptions = {},
  ) {
    this.threshold = o.threshold ?? 5;
    this.baseMs = o.cooldownMs ?? 30_000;
    this.maxMs = o.maxCooldownMs ?? 300_000;
  }

  /** The pool whose servers it takes out and puts back (built after the clients it watches). */
  attach(pool: ServerAvailability): void {
    this.pool = pool;
  }

  ok(serverId: string): void {
    this.failures.delete(serverId);
    this.cooldowns.delete(serverId);
  }

  failed(serverId: string, err: unknown): void {
    if (!isServerFault(err)) return;
    const n = (this.failures.get(serverId) ?? 0) + 1;
    this.failures.set(serverId, n);
    if (n < this.threshold || this.timers.has(serverId)) return;
    const wait = Math.min(this.maxMs, this.cooldowns.get(serverId) ?? this.baseMs);
    this.cooldowns.set(serverId, Math.min(this.maxMs, wait * 2));
    this.pool?.setUp(serverId, false);
    this.logger.error(
      {
        serverId,
        failures: n,
        cooldownMs: wait,
        reason: err instanceof Error ? err.message : 'failed',
      },
      'originations keep failing: server marked unhealthy',
    );
    const t = setTimeout(() => {
      this.timers.delete(serverId);
      // Half-open: one more failure opens the breaker again.
      this.failures.set(serverId, this.threshold - 1);
      this.pool?.setUp(serverId, true);
      this.logger.info({ serverId }, 'server back in the dialing pool after its cool-down');
    }, wait);
    t.unref();
    this.timers.set(serverId, t);
  }

  isOpen(serverId: string): boolean {
    return this.timers.has(serverId);
  }

  close(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
