import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTwoFactorRepo } from '../../src/adapters/postgres/two-factor.js';
import { loadConfig } from '../../src/config.js';
import { systemClock } from '../../src/ports/clock.js';
import { TwoFactorService, totpCode } from '../../src/services/admin/two-factor.js';
import { rememberSecondFactor } from '../helpers/two-factor.js';
import { bearer, createHarness, PASSWORD, type Harness } from './harness.js';
import { loginStatuses } from './login-burst.js';

let h: Harness;
const KEY = 'test-two-factor-key-0123456789abcdef';

beforeAll(async () => {
  // The service is built on the harness's database once it exists: wired through a forwarder.
  const holder: { service?: TwoFactorService } = {};
  const lazy = new Proxy({} as TwoFactorService, {
    get: (_t, p) => {
      const s = holder.service as unknown as Record<string | symbol, unknown>;
      const v = s[p];
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(holder.service) : v;
    },
  });
  h = await createHarness({}, { twoFactor: lazy });
  holder.service = new TwoFactorService({
    repo: createTwoFactorRepo(h.db.pool),
    clock: systemClock,
    encryptionKey: KEY,
  });
});

afterAll(async () => {
  await h?.close();
});

const post = (url: string, payload: object, token?: string) =>
  h.app.inject({ method: 'POST', url, payload, headers: token ? bearer(token) : {} });
const code = (r: { json(): unknown }) => (r.json() as { error?: { code?: string } }).error?.code;
/** A code of the step after `atMs` (its own step may have been used already). */
const nextStepCode = (secret: string, atMs: number) =>
  totpCode(secret, (Math.floor(atMs / 30_000) + 1) * 30_000);

describe('two-factor sign-in', () => {
  let adminSecret = '';
  let recovery: string[] = [];
  let confirmedAtMs = 0;

  it('sends an admin without a second factor to enrolment: no session before it', async () => {
    const r = await post('/api/auth/login', { username: 'admin', password: PASSWORD });
    expect(r.statusCode).toBe(403);
    expect(code(r)).toBe('TWO_FACTOR_ENROLMENT_REQUIRED');
    expect(r.headers['set-cookie']).toBeUndefined();
    expect(JSON.stringify(r.json())).not.toMatch(/token/);
  });

  it('enrols with the password, a QR code and a first code; returns 10 recovery codes once', async () => {
    expect(
      (await post('/api/auth/2fa/setup', { username: 'admin', password: 'nope' })).statusCode,
    ).toBe(401);
    const s = await post('/api/auth/2fa/setup', { username: 'admin', password: PASSWORD });
    expect(s.statusCode).toBe(200);
    const setup = s.json() as { secret: string; otpauthUrl: string; qrDataUrl: string };
    expect(setup.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(setup.otpauthUrl).toContain(`secret=${setup.secret}`);
    expect(setup.qrDataUrl).toMatch(/^data:image\/png;base64,/);
    adminSecret = setup.secret;

    const bad = await post('/api/auth/2fa/confirm', {
      username: 'admin',
      password: PASSWORD,
      code: '000000',
    });
    expect(bad.statusCode).toBe(401);
    expect(code(bad)).toBe('TWO_FACTOR_INVALID');

    confirmedAtMs = Date.now();
    const c = await post('/api/auth/2fa/confirm', {
      username: 'admin',
      password: PASSWORD,
      code: totpCode(adminSecret, confirmedAtMs),
    });
    expect(c.statusCode).toBe(200);
    const body = c.json() as { token: string; recoveryCodes: string[]; user: { role: string } };
    expect(body.user.role).toBe('admin');
    expect(body.recoveryCodes).toHaveLength(10);
    expect(new Set(body.recoveryCodes).size).toBe(10);
    recovery = body.recoveryCodes;
    expect(
      (await h.app.inject({ url: '/api/audit', headers: bearer(body.token) })).statusCode,
    ).toBe(200);
  });

  it('never returns or stores the secret in the clear after enrolment', async () => {
    const again = await post('/api/auth/2fa/setup', { username: 'admin', password: PASSWORD });
    expect(again.statusCode).toBe(409);
    const row = await h.db.pool.query<{ totp_secret: string; hashes: string[] }>(
      `SELECT totp_secret, (SELECT array_agg(code_hash) FROM user_recovery_codes WHERE user_id = u.id) AS hashes
         FROM users u WHERE username = 'admin'`,
    );
    expect(row.rows[0]?.totp_secret).toMatch(/^v1:/);
    expect(row.rows[0]?.totp_secret).not.toContain(adminSecret);
    expect(row.rows[0]?.hashes.every((x) => x.startsWith('$argon2id$'))).toBe(true);
    expect(row.rows[0]?.hashes.join()).not.toContain(recovery[0]?.replace('-', ''));
  });

  it('then asks for the code after the password, refuses a wrong or replayed one, takes a recovery code once', async () => {
    const noCode = await post('/api/auth/login', { username: 'admin', password: PASSWORD });
    expect(noCode.statusCode).toBe(401);
    expect(code(noCode)).toBe('TWO_FACTOR_REQUIRED');
    // The code is checked only after a right password.
    const wrongPw = await post('/api/auth/login', {
      username: 'admin',
      password: 'nope',
      code: totpCode(adminSecret, Date.now()),
    });
    expect(code(wrongPw)).toBe('UNAUTHORIZED');

    const replay = await post('/api/auth/login', {
      username: 'admin',
      password: PASSWORD,
      code: totpCode(adminSecret, confirmedAtMs),
    });
    expect(code(replay)).toBe('TWO_FACTOR_INVALID');

    const ok = await post('/api/auth/login', {
      username: 'admin',
      password: PASSWORD,
      code: nextStepCode(adminSecret, Date.now()),
    });
    expect(ok.statusCode).toBe(200);

    const rc = await post('/api/auth/login', {
      username: 'admin',
      password: PASSWORD,
      code: recovery[0],
    });
    expect(rc.statusCode).toBe(200);
    const rcAgain = await post('/api/auth/login', {
      username: 'admin',
      password: PASSWORD,
      code: recovery[0],
    });
    expect(code(rcAgain)).toBe('TWO_FACTOR_INVALID');
    const token = (rc.json() as { token: string }).token;
    const st = await h.app.inject({ url: '/api/me/2fa', headers: bearer(token) });
    expect(st.json()).toEqual({ enabled: true, required: true, recoveryCodesLeft: 9 });
  });

  it('is optional for an agent: enrol while signed in, then sign in with a code, turn it off', async () => {
    const first = await post('/api/auth/login', { username: 'agent1', password: PASSWORD });
    expect(first.statusCode).toBe(200);
    const token = (first.json() as { token: string }).token;
    const setup = (await post('/api/me/2fa/setup', {}, token)).json() as { secret: string };
    // A wrong code from a signed-in user is a 400 naming the field, not a 401 (its session holds).
    const wrong = await post('/api/me/2fa/confirm', { code: '000000' }, token);
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json()).toMatchObject({ error: { issues: [{ path: 'code' }] } });
    const t0 = Date.now();
    const conf = await post('/api/me/2fa/confirm', { code: totpCode(setup.secret, t0) }, token);
    expect(conf.statusCode).toBe(200);
    expect((conf.json() as { recoveryCodes: string[] }).recoveryCodes).toHaveLength(10);
    expect(code(await post('/api/auth/login', { username: 'agent1', password: PASSWORD }))).toBe(
      'TWO_FACTOR_REQUIRED',
    );
    const off = await post('/api/me/2fa/disable', { code: nextStepCode(setup.secret, t0) }, token);
    expect(off.statusCode).toBe(200);
    expect(
      (await post('/api/auth/login', { username: 'agent1', password: PASSWORD })).statusCode,
    ).toBe(200);
  });

  it("lets an admin reset a user's second factor, audited; others may not", async () => {
    const superLogin = (
      await post('/api/auth/login', { username: 'super', password: PASSWORD })
    ).json() as {
      token: string;
    };
    const setup = (await post('/api/me/2fa/setup', {}, superLogin.token)).json() as {
      secret: string;
    };
    await post(
      '/api/me/2fa/confirm',
      { code: totpCode(setup.secret, Date.now()) },
      superLogin.token,
    );
    expect(code(await post('/api/auth/login', { username: 'super', password: PASSWORD }))).toBe(
      'TWO_FACTOR_REQUIRED',
    );

    rememberSecondFactor(h.db.schema, 'admin', adminSecret, recovery.slice(1));
    const agent = await h.login('agent2');
    const id = h.users.supervisor.id;
    expect(
      (
        await h.app.inject({
          method: 'DELETE',
          url: `/api/users/${id}/2fa`,
          headers: bearer(agent),
        })
      ).statusCode,
    ).toBe(403);
    const admin = await h.login('admin'); // the harness's helper: a recovery code or a fresh step
    const r = await h.app.inject({
      method: 'DELETE',
      url: `/api/users/${id}/2fa`,
      headers: bearer(admin),
    });
    expect(r.statusCode).toBe(200);
    const audit = await h.app.inject({
      url: `/api/audit?target=user:${id}`,
      headers: bearer(admin),
    });
    expect((audit.json() as { entries: unknown[] }).entries[0]).toMatchObject({
      action: 'user.2fa_reset',
      userId: h.users.admin.id,
      detail: { hadSecondFactor: true },
    });
    expect(
      (await post('/api/auth/login', { username: 'super', password: PASSWORD })).statusCode,
    ).toBe(200);
    // An admin must keep one: it cannot turn its own off.
    expect((await post('/api/me/2fa/disable', { code: '123456' }, admin)).statusCode).toBe(403);
  });

  it('limits wrong codes like wrong passwords (429 after a few)', async () => {
    const statuses = await loginStatuses(h.app, 5, '198.51.100.7', () => ({
      username: 'admin',
      password: PASSWORD,
      code: '000001',
    }));
    expect(statuses.slice(0, 3)).toEqual([401, 401, 401]);
    expect(statuses.at(-1)).toBe(429);
  });

  it('REQUIRE_ADMIN_2FA: on by default, can be turned off', () => {
    expect(loadConfig({}).twoFactor.requireForAdmins).toBe(true);
    expect(loadConfig({ REQUIRE_ADMIN_2FA: 'false' }).twoFactor.requireForAdmins).toBe(false);
    expect(() => loadConfig({ TWO_FACTOR_KEY: 'short' })).toThrow(/TWO_FACTOR_KEY/);
  });
});
