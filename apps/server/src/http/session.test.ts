import { describe, expect, it } from 'vitest';
import { signSession, tokenFrom, verifySession } from './session.js';

const secret = 'x'.repeat(40);
const payload = { sub: '7', role: 'agent' as const, iatMs: 1000, expMs: 5000 };

describe('session tokens', () => {
  it('verifies a token it signed until it expires', () => {
    const t = signSession(secret, payload);
    expect(verifySession(secret, t, 4999)).toEqual(payload);
    expect(verifySession(secret, t, 5000)).toBeNull();
  });

  it('rejects a token signed with another secret', () => {
    expect(verifySession(secret, signSession('y'.repeat(40), payload), 0)).toBeNull();
  });

  it('rejects a token whose payload was changed', () => {
    const [, sig] = signSession(secret, payload).split('.');
    const forged = Buffer.from(JSON.stringify({ ...payload, role: 'admin' })).toString('base64url');
    expect(verifySession(secret, `${forged}.${sig ?? ''}`, 0)).toBeNull();
  });

  it('rejects garbage without throwing', () => {
    for (const t of ['', '.', 'abc', 'a.b', `${'a'.repeat(2000)}.b`]) {
      expect(verifySession(secret, t, 0)).toBeNull();
    }
  });

  it('prefers the cookie and falls back to a bearer header', () => {
    expect(tokenFrom({ cookies: { rs_session: 'c' }, authorization: 'Bearer b' })).toBe('c');
    expect(tokenFrom({ cookies: {}, authorization: 'Bearer b' })).toBe('b');
    expect(tokenFrom({ cookies: {}, authorization: 'Basic b' })).toBeNull();
  });
});
