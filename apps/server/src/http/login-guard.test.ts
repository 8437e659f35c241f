import { describe, expect, it } from 'vitest';
import { ManualClock } from '../ports/clock.js';
import { RateLimitedError } from './errors.js';
import { LoginGuard } from './login-guard.js';

const opts = {
  freeFailures: 3,
  baseDelayMs: 1000,
  maxDelayMs: 60_000,
  addressFailures: 10,
  windowMs: 600_000,
};

function waitOf(fn: () => void): number {
  try {
    fn();
    return 0;
  } catch (err) {
    expect(err).toBeInstanceOf(RateLimitedError);
    return (err as RateLimitedError).retryAfterMs;
  }
}

describe('LoginGuard', () => {
  it('slows a (username, address) pair exponentially after the free failures', () => {
    const clock = new ManualClock(0);
    const g = new LoginGuard(clock, opts);
    const delays: number[] = [];
    for (let i = 0; i < 7; i++) {
      expect(waitOf(() => g.check('admin', '10.0.0.1'))).toBe(0);
      delays.push(g.fail('admin', '10.0.0.1').delayMs);
      const wait = waitOf(() => g.check('admin', '10.0.0.1'));
      expect(wait).toBe(delays[i]);
      clock.advance(wait);
    }
    expect(delays).toEqual([0, 0, 1000, 2000, 4000, 8000, 16000]);
  });

  it('never locks the real user out: another address for the same username is not slowed', () => {
    const clock = new ManualClock(0);
    const g = new LoginGuard(clock, opts);
    for (let i = 0; i < 9; i++) {
      clock.advance(60_000);
      g.fail('admin', '203.0.113.9');
    }
    expect(waitOf(() => g.check('admin', '203.0.113.9'))).toBeGreaterThan(0);
    expect(waitOf(() => g.check('admin', '10.0.0.1'))).toBe(0);
  });

  it('locks an address hard after many failures whatever the usernames, for the window', () => {
    const clock = new ManualClock(0);
    const g = new LoginGuard(clock, opts);
    for (let i = 0; i < 9; i++) g.fail(`user${i}`, '203.0.113.9');
    expect(waitOf(() => g.check('someone', '203.0.113.9'))).toBe(0);
    expect(g.fail('user9', '203.0.113.9').addressLocked).toBe(true);
    expect(waitOf(() => g.check('someone', '203.0.113.9'))).toBe(600_000);
    expect(waitOf(() => g.check('someone', '10.0.0.1'))).toBe(0);
    clock.advance(600_000);
    expect(waitOf(() => g.check('someone', '203.0.113.9'))).toBe(0);
  });

  it('a success clears its pair but not the address count', () => {
    const clock = new ManualClock(0);
    const g = new LoginGuard(clock, { ...opts, addressFailures: 4 });
    for (let i = 0; i < 3; i++) g.fail('ann', '10.0.0.5');
    clock.advance(1000);
    g.succeed('ann', '10.0.0.5');
    expect(waitOf(() => g.check('ann', '10.0.0.5'))).toBe(0);
    expect(g.fail('bob', '10.0.0.5').addressLocked).toBe(true);
  });

  it('caps the wait at maxDelayMs', () => {
    const g = new LoginGuard(new ManualClock(0), opts);
    expect(g.delayMs(100)).toBe(60_000);
  });

  it('logs a refusal with the username and address, never a password', () => {
    const g = new LoginGuard(new ManualClock(0), { ...opts, freeFailures: 0 });
    g.fail('ann', '10.0.0.7');
    const lines: Array<Record<string, unknown>> = [];
    waitOf(() => g.check('ann', '10.0.0.7', { warn: (f) => lines.push(f) }));
    expect(lines).toEqual([
      { event: 'login_locked', scope: 'username', username: 'ann', address: '10.0.0.7' },
    ]);
  });
});
