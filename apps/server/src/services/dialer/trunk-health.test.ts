import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AriRestClient } from '../../adapters/asterisk/ari-client.js';
import { AriError } from '../../adapters/asterisk/ari-error.js';
import { ServerPool } from '../../adapters/asterisk/server-pool.js';
import { createLogger } from '../../logger.js';
import { MemoryStateStore } from '../../ports/fakes/memory-state-store.js';
import { TrunkBreaker } from './trunk-health.js';

const refused = () => new AriError(500, 'Allocation failed', 'channels.originate');

function setup() {
  const pool = new ServerPool(
    [{ id: 's1', client: {} as AriRestClient, maxCalls: 10 }],
    new MemoryStateStore(),
  );
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
    for (let i = 0; i < 10; i++) breaker.failed('s1', new AriError(400, 'Invalid endpoint', 'x'));
    breaker.failed('s1', refused());
    breaker.failed('s1', refused());
    breaker.ok('s1');
    breaker.failed('s1', refused());
    breaker.failed('s1', refused());
    expect(pool.pick()?.id).toBe('s1');
    breaker.close();
  });
});
