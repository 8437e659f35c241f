import type { Clock } from '../ports/clock.js';
import { RateLimitedError } from './errors.js';

/**
 * Slows password guessing without letting anyone lock a real user out (docs/security.md):
 *
 * - per (username, address) pair: after `freeFailures` failed logins, each next attempt from that
 *   address for that username must wait `baseDelayMs`, doubled per further failure, at most
 *   `maxDelayMs`. Another address (the real user's) is not slowed down by it.
 * - per address: `addressFailures` failed logins within `windowMs`, whatever the usernames, lock
 *   the address (all usernames) for `windowMs`.
 *
 * The address is the request's `ip`, so TRUST_PROXY decides whose address counts behind a proxy.
 * State is per api process (several processes each keep their own counts). A successful login
 * clears its pair, never the address count (one valid account must not unlock guessing others).
 */
export interface LoginGuardOptions {
  /** Failed logins of a (username, address) pair before the next attempt must wait. */
  freeFailures: number;
  /** The first wait (ms), doubled per further failure of the pair. */
  baseDelayMs: number;
  /** The longest wait of a pair (ms). */
  maxDelayMs: number;
  /** Failed logins from one address within `windowMs` that lock the address. */
  addressFailures: number;
  /** How long an address's failures count, and how long its lock lasts (ms). */
  windowMs: number;
}

export const DEFAULT_LOGIN_GUARD: LoginGuardOptions = {
  freeFailures: 3,
  baseDelayMs: 1_000,
  maxDelayMs: 15 * 60_000,
  addressFailures: 30,
  windowMs: 15 * 60_000,
};

/** Where the guard reports refusals (a pino logger fits). */
export interface LoginGuardLog {
  warn(fields: Record<string, unknown>, msg: string): void;
}

/** Entries kept per map before the oldest are forgotten (memory bound under spraying). */
const MAX_ENTRIES = 100_000;
/** Usernames are logged as typed, cut to this length. */
const LOGGED_USERNAME_CHARS = 64;

export const loggedUsername = (u: string): string => u.slice(0, LOGGED_USERNAME_CHARS);

export class LoginGuard {
  private readonly pairs = new Map<string, { failures: number; lastAtMs: number }>();
  private readonly addresses = new Map<
    string,
    { failures: number; firstAtMs: number; lockedUntilMs: number }
  >();
  private readonly opts: LoginGuardOptions;

  constructor(
    private readonly clock: Clock,
    opts: Partial<LoginGuardOptions> = {},
  ) {
    this.opts = { ...DEFAULT_LOGIN_GUARD, ...opts };
  }

  /** Throws RateLimitedError (429, with the wait) when this attempt must not be tried now. */
  check(username: string, address: string, log?: LoginGuardLog): void {
    const now = this.clock.nowMs();
    const a = this.addresses.get(address);
    if (a && a.lockedUntilMs > now) {
      log?.warn(
        { event: 'login_locked', scope: 'address', username: loggedUsername(username), address },
        'login refused: address locked',
      );
      throw new RateLimitedError(
        'too many failed logins from this address; try later',
        a.lockedUntilMs - now,
      );
    }
    const p = this.pairs.get(pairKey(username, address));
    if (!p) return;
    const waitUntil = p.lastAtMs + this.delayMs(p.failures);
    if (waitUntil > now) {
      log?.warn(
        { event: 'login_locked', scope: 'username', username: loggedUsername(username), address },
        'login refused: too soon after failed logins',
      );
      throw new RateLimitedError(
        'too many failed logins for this user from this address; try later',
        waitUntil - now,
      );
    }
  }

  /** Records a failed login; returns the wait now imposed on the pair (ms; 0: none). */
  fail(username: string, address: string): { delayMs: number; addressLocked: boolean } {
    const now = this.clock.nowMs();
    const key = pairKey(username, address);
    const p = this.pairs.get(key);
    const expired = p && now - p.lastAtMs >= Math.max(this.opts.windowMs, this.opts.maxDelayMs);
    const failures = p && !expired ? p.failures + 1 : 1;
    this.pairs.delete(key); // re-insert: Map order is then least recently failed first
    this.pairs.set(key, { failures, lastAtMs: now });
    bound(this.pairs);

    let a = this.addresses.get(address);
    if (!a || now - a.firstAtMs >= this.opts.windowMs) {
      a = { failures: 0, firstAtMs: now, lockedUntilMs: a?.lockedUntilMs ?? 0 };
      this.addresses.delete(address);
      this.addresses.set(address, a);
      bound(this.addresses);
    }
    a.failures += 1;
    const addressLocked = a.failures >= this.opts.addressFailures;
    if (addressLocked) a.lockedUntilMs = now + this.opts.windowMs;
    return { delayMs: this.delayMs(failures), addressLocked };
  }

  succeed(username: string, address: string): void {
    this.pairs.delete(pairKey(username, address));
  }

  /** The wait after `failures` failed logins of a pair (ms). */
  delayMs(failures: number): number {
    const over = failures - this.opts.freeFailures;
    if (over < 0) return 0;
    return Math.min(this.opts.maxDelayMs, this.opts.baseDelayMs * 2 ** Math.min(over, 40));
  }
}

/** Case folded: "Admin" and "admin" count as one username (the stricter reading). */
const pairKey = (username: string, address: string) => `${address}\u0001${username.toLowerCase()}`;

function bound(map: Map<string, unknown>): void {
  while (map.size > MAX_ENTRIES) {
    const first = map.keys().next();
    if (first.done) return;
    map.delete(first.value);
  }
}
