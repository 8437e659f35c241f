import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUBLIC_DEV_SESSION_SECRET } from '../../src/config.js';
import {
  readSecret,
  rotateSecret,
  SESSION_SECRET_NAME,
} from '../../src/adapters/postgres/server-secrets.js';
import { startSessionSecret, type SessionSecret } from '../../src/roles/session-secret.js';
import { signSession } from '../../src/http/session.js';
import pino from 'pino';
import { waitFor } from '../helpers/wait.js';
import { bearer, createHarness, type Harness } from './harness.js';

/**
 * Issue 12 point 1: no public default secret. Without SESSION_SECRET the api signs with a random
 * secret generated at the first start and kept in PostgreSQL (every process shares it); rotating
 * it signs everybody out.
 */
let h: Harness;
let secret: SessionSecret;
const logger = pino({ level: 'silent' });

beforeAll(async () => {
  h = await createHarness({ loginPerIpPerMinute: 100 });
  secret = await startSessionSecret({ configured: null, pool: h.db.pool, logger, refreshMs: 50 });
  // As roles/api.ts wires it: the app reads the current secret on every request.
  Object.defineProperty(h.deps.config, 'sessionSecret', { get: () => secret.current() });
});
afterAll(async () => {
  secret?.stop();
  await h?.close();
});

const forged = (key: string) =>
  signSession(key, {
    sub: h.users.admin.id,
    role: 'admin',
    iatMs: Date.now(),
    expMs: Date.now() + 3_600_000,
  });

describe('session secret without SESSION_SECRET', () => {
  it('refuses an admin token signed with the old public development secret', async () => {
    const r = await h.app.inject({
      method: 'GET',
      url: '/api/me',
      headers: bearer(forged(PUBLIC_DEV_SESSION_SECRET)),
    });
    expect(r.statusCode).toBe(401);
  });

  it('generated a random secret, stored in PostgreSQL, that signs real logins', async () => {
    const stored = await readSecret(h.db.pool, SESSION_SECRET_NAME);
    expect(stored).not.toBeNull();
    expect(stored?.length).toBeGreaterThanOrEqual(43);
    expect(secret.current()).toBe(stored);
    const token = await h.login('admin');
    const r = await h.app.inject({ method: 'GET', url: '/api/me', headers: bearer(token) });
    expect(r.statusCode).toBe(200);
  });

  it('is the same for every api process on the database', async () => {
    const other = await startSessionSecret({ configured: null, pool: h.db.pool, logger });
    try {
      expect(other.current()).toBe(secret.current());
    } finally {
      other.stop();
    }
  });

  it('rotating it signs everybody out without a restart', async () => {
    const before = await h.login('admin');
    const old = secret.current();
    await rotateSecret(h.db.pool, SESSION_SECRET_NAME);
    await waitFor('the rotated secret', () => secret.current() !== old);
    const r = await h.app.inject({ method: 'GET', url: '/api/me', headers: bearer(before) });
    expect(r.statusCode).toBe(401);
    const after = await h.login('admin');
    const ok = await h.app.inject({ method: 'GET', url: '/api/me', headers: bearer(after) });
    expect(ok.statusCode).toBe(200);
  });

  it('uses SESSION_SECRET when it is set, never the stored one', async () => {
    const fixed = await startSessionSecret({
      configured: 'Zx8Qw2Lp5Rt7Ym1Nb4Vc6Kd9Hf3Gj0Sa',
      pool: h.db.pool,
      logger,
    });
    expect(fixed.current()).toBe('Zx8Qw2Lp5Rt7Ym1Nb4Vc6Kd9Hf3Gj0Sa');
    fixed.stop();
  });
});
