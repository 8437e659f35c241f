import { createServer } from 'node:net';
import { expect } from 'vitest';
import { signInWithSecondFactor } from './two-factor.js';

/** The password the role tests give their seeded users. */
export const ROLE_TEST_PASSWORD = 'pass phrase 123';

/** Logs `username` in on a running API at `base` (http://host:port); returns the bearer token. */
export async function signInOver(base: string, username: string): Promise<string> {
  // An admin enrols its second factor on first sign-in and gives a code afterwards.
  const r = await signInWithSecondFactor(
    async (url, body) => {
      const res = await fetch(`${base}${url}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: await res.json().catch(() => null) };
    },
    base,
    username,
    ROLE_TEST_PASSWORD,
  );
  expect(typeof r.token).toBe('string');
  return r.token;
}

/** A TCP port free on 127.0.0.1 right now (listened on, then closed). */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const addr = s.address();
  await new Promise<void>((r) => s.close(() => r()));
  if (!addr || typeof addr === 'string') throw new Error('no port');
  return addr.port;
}
