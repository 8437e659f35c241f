import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../logger.js';
import { TelephonyError } from '../../ports/telephony-errors.js';
import { TrunkBreaker } from './trunk-health.js';

const refused = () => new TelephonyError(500, 'Allocation failed', 'channels.originate');

/** One server's place in the dialing pool, as the breaker moves it (ServerPool's pick). */
class OneServerPool {
  private up = true;
  setUp(_serverId: string, up: boolean): void {
    this.up = up;
  }
  pick(): { id: string } | null {
    return this.up ? { id: 's1' } : null;
  }
}

function setup() {
  const pool = new OneServerPool();
  const breaker = new TrunkBreaker(createLogger('silent'), { threshold: 3, cooldownMs: 1_000 });
  breaker.attach(pool);
  return { pool, breaker };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('TrunkBreaker', () => {
  it('takes a server out of the pool after repeated server-side refusals, then lets it back', () => {
    vi.useFakeTimers();
    const { pool, breaker } = setup();
    breaker.failed('s1', refused());
    breaker.failed('s1', refused());
    expect(pool.pick()?.id).toBe('s1');
    breaker.failed('s1', refused());
    expect(pool.pick()).toBeNull();
    vi.advanceTimersByTime(1_000);
    expect(pool.pick()?.id).toBe('s1');
    // Half-open: one more failure opens it again, for twice as long.
    breaker.failed('s1', refused());
    expect(pool.pick()).toBeNull();
    vi.advanceTimersByTime(1_000);
    expect(pool.pick()).toBeNull();
    vi.advanceTimersByTime(1_000);
    expect(pool.pick()?.id).toBe('s1');
    breaker.close();
  });

  it('does not count a refusal that concerns one number (4xx) or resets on success', () => {
    const { pool, breaker } = setup();
    for (let i = 0; i < 10; i++)
      breaker.failed('s1', new TelephonyError(400, 'Invalid endpoint', 'x'));
    breaker.failed('s1', refused());
    breaker.failed('s1', refused());
    breaker.ok('s1');
    breaker.failed('s1', refused());
    breaker.failed('s1', refused());
    expect(pool.pick()?.id).toBe('s1');
    breaker.close();
  });
});
