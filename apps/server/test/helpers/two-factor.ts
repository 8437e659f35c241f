import { totpCode } from '../../src/services/admin/two-factor.js';

/** A POST of a JSON body, over app.inject or fetch: status and parsed answer. */
export type PostJson = (url: string, body: unknown) => Promise<{ status: number; body: unknown }>;

interface Enrolled {
  secret: string;
  recoveryCodes: string[];
  /** The last 30-second step a TOTP code was sent for (a code is accepted once). */
  lastStep: number;
}

/** What this test process enrolled, per server and username. */
const enrolled = new Map<string, Enrolled>();

const errorCode = (body: unknown): string | undefined =>
  (body as { error?: { code?: string } } | null)?.error?.code;

/**
 * Signs in the way a person does (docs/security.md, "Two-factor sign-in"): the password, then a
 * code when the account has a second factor; an admin told to enrol first enrols through the API
 * (setup, then confirm with a code computed by otplib from the secret it got) and keeps the
 * secret and recovery codes for its next sign-ins. A second sign-in in the same 30 s uses a
 * recovery code, since a TOTP code is accepted only once. Returns the login answer.
 */
export async function signInWithSecondFactor(
  post: PostJson,
  server: string,
  username: string,
  password: string,
): Promise<{ token: string }> {
  const key = `${server}|${username}`;
  let r = await post('/api/auth/login', { username, password });
  if (r.status === 403 && errorCode(r.body) === 'TWO_FACTOR_ENROLMENT_REQUIRED') {
    const setup = await post('/api/auth/2fa/setup', { username, password });
    if (setup.status !== 200) throw new Error(`2fa setup ${username}: ${setup.status}`);
    const { secret } = setup.body as { secret: string };
    const now = Date.now();
    const c = await post('/api/auth/2fa/confirm', {
      username,
      password,
      code: totpCode(secret, now),
    });
    if (c.status !== 200) throw new Error(`2fa confirm ${username}: ${c.status}`);
    const body = c.body as { token: string; recoveryCodes: string[] };
    enrolled.set(key, {
      secret,
      recoveryCodes: [...body.recoveryCodes],
      lastStep: Math.floor(now / 30_000),
    });
    return body;
  }
  if (r.status === 401 && errorCode(r.body) === 'TWO_FACTOR_REQUIRED') {
    const e = enrolled.get(key);
    if (!e) throw new Error(`${username} has a second factor this test process does not know`);
    r = await post('/api/auth/login', { username, password, code: nextCode(e) });
    if (r.status === 401 && errorCode(r.body) === 'TWO_FACTOR_INVALID') {
      // That step was used by a sign-in this helper did not see: a recovery code then.
      const rc = e.recoveryCodes.shift();
      if (rc) r = await post('/api/auth/login', { username, password, code: rc });
    }
  }
  if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body as { token: string };
}

/** Remembers a second factor enrolled another way (e.g. TwoFactorService.enrolWithSecret). */
export function rememberSecondFactor(
  server: string,
  username: string,
  secret: string,
  recoveryCodes: string[],
): void {
  const lastStep = Math.floor(Date.now() / 30_000); // the step enrolment may have used
  enrolled.set(`${server}|${username}`, { secret, recoveryCodes: [...recoveryCodes], lastStep });
}

/** The next code to sign `username` in on `server` with (a remembered second factor). */
export function nextCodeFor(server: string, username: string): string {
  const e = enrolled.get(`${server}|${username}`);
  if (!e) throw new Error(`${username} has a second factor this test process does not know`);
  return nextCode(e);
}

/** A TOTP code of a step not used yet, else a recovery code. */
function nextCode(e: Enrolled): string {
  const now = Date.now();
  const step = Math.floor(now / 30_000);
  if (step > e.lastStep) {
    e.lastStep = step;
    return totpCode(e.secret, now);
  }
  const rc = e.recoveryCodes.shift();
  if (!rc) throw new Error('out of recovery codes');
  return rc;
}

/** The known secret test harnesses enrol admins with (base32, 160 bits). */
export const TEST_TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
