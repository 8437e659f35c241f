import { describe, expect, it } from 'vitest';
import { ForbiddenError, UnauthorizedError } from '../errors.js';
import { ManualClock } from '../ports/clock.js';
import { authorize, LoginLimiter, type SessionUser } from './auth.js';
import { RateLimitedError } from './errors.js';

const user = (role: SessionUser['role']): SessionUser => ({
  id: '1',
  username: 'u',
  displayName: 'U',
  role,
  phoneType: 'webrtc',
  expiresAtMs: 1,
});

describe('authorize', () => {
  it('lets anyone through a public route', () => {
    expect(() => authorize('public', null)).not.toThrow();
  });

  it('answers 401 without a user and 403 for a role not listed', () => {
    expect(() => authorize(['admin'], null)).toThrow(UnauthorizedError);
    expect(() => authorize(['admin', 'supervisor'], user('agent'))).toThrow(ForbiddenError);
    expect(() => authorize(['admin', 'supervisor'], user('supervisor'))).not.toThrow();
  });
});

describe('LoginLimiter', () => {
  it('locks a username after the allowed failures until the window passes', () => {
    const clock = new ManualClock(0);
    const l = new LoginLimiter(clock, 3, 1000);
    for (let i = 0; i < 3; i++) {
      l.check('ann');
      l.fail('ann');
    }
    expect(() => l.check('ann')).toThrow(RateLimitedError);
    expect(() => l.check('bob')).not.toThrow();
    clock.advance(1000);
    expect(() => l.check('ann')).not.toThrow();
  });

  it('forgets failures after a successful login', () => {
    const l = new LoginLimiter(new ManualClock(0), 2, 1000);
    l.fail('ann');
    l.succeed('ann');
    l.fail('ann');
    expect(() => l.check('ann')).not.toThrow();
  });

  it('tells how long until the lock ends', () => {
    const clock = new ManualClock(0);
    const l = new LoginLimiter(clock, 1, 1000);
    l.fail('ann');
    clock.advance(400);
    try {
      l.check('ann');
      expect.unreachable('should be locked');
    } catch (err) {
      expect((err as RateLimitedError).retryAfterMs).toBe(600);
    }
  });
});
