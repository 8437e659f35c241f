import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  IdParams,
  OkResponse,
  RecoveryCodesResponse,
  TwoFactorCodeBody,
  TwoFactorConfirmBody,
  TwoFactorConfirmResponse,
  TwoFactorSetupBody,
  TwoFactorSetupResponse,
  TwoFactorStatus,
} from '@ringside/protocol';
import type { UserRecord } from '../../ports/users.js';
import {
  NotFoundError,
  UnauthorizedError,
  UnavailableError,
  ValidationError,
} from '../../errors.js';
import {
  TwoFactorInvalidError,
  type TwoFactorService,
  type TwoFactorUser,
} from '../../services/admin/two-factor.js';
import { checkPassword } from '../auth.js';
import type { AppDeps } from '../deps.js';
import { LoginGuard, loggedUsername } from '../login-guard.js';
import { defineRoute } from '../route.js';
import { DEFAULT_SESSION_TTL_MS, SESSION_COOKIE, signSession } from '../session.js';
import { ADMIN, ANY_ROLE } from './common.js';

/**
 * Wrong second-factor codes are counted apart from wrong passwords (login-guard.ts, same rules:
 * a growing delay per username and address, a lock per address), one guard per service.
 */
const guards = new WeakMap<TwoFactorService, LoginGuard>();
function guardOf(deps: AppDeps, tf: TwoFactorService): LoginGuard {
  let g = guards.get(tf);
  if (!g) {
    g = new LoginGuard(deps.clock, deps.config.loginGuard);
    guards.set(tf, g);
  }
  return g;
}

const asTwoFactorUser = (u: Pick<UserRecord, 'id' | 'username' | 'role'>): TwoFactorUser => ({
  id: u.id,
  username: u.username,
  role: u.role,
});

/**
 * The login's second step, run by POST /api/auth/login right after a right password: returns
 * when the user may get a session, else throws (TWO_FACTOR_REQUIRED, TWO_FACTOR_INVALID,
 * TWO_FACTOR_ENROLMENT_REQUIRED, or 429 after too many wrong codes). Without deps.twoFactor
 * (test harnesses that do not wire it) there is no second step.
 */
export async function secondFactorStep(
  deps: AppDeps,
  user: Pick<UserRecord, 'id' | 'username' | 'role'>,
  code: string | undefined,
  req: FastifyRequest,
): Promise<void> {
  const tf = deps.twoFactor;
  if (!tf) return;
  const guard = guardOf(deps, tf);
  if (code !== undefined) guard.check(user.username, req.ip, req.log);
  try {
    const how = await tf.checkLogin(asTwoFactorUser(user), code);
    if (how !== 'none') guard.succeed(user.username, req.ip);
    if (how === 'recovery') {
      req.log.warn({ event: 'login_recovery_code', userId: user.id }, 'recovery code used');
    }
  } catch (err) {
    if (err instanceof TwoFactorInvalidError) {
      const { delayMs, addressLocked } = guard.fail(user.username, req.ip);
      req.log.warn(
        {
          event: 'login_code_failed',
          username: loggedUsername(user.username),
          address: req.ip,
          delayMs,
          addressLocked,
        },
        'second factor failed',
      );
    }
    throw err;
  }
}

/** Signs a session for `user`: the HttpOnly cookie, and the token and expiry in the answer. */
export function issueSession(deps: AppDeps, reply: FastifyReply, user: UserRecord) {
  const { config, clock } = deps;
  const ttlMs = config.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS;
  const now = clock.nowMs();
  const expiresAtMs = now + ttlMs;
  const token = signSession(config.sessionSecret, {
    sub: user.id,
    role: user.role,
    iatMs: now,
    expMs: expiresAtMs,
  });
  void reply.setCookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'strict',
    secure: config.cookieSecure,
    path: '/',
    maxAge: Math.floor(ttlMs / 1000),
  });
  return {
    user: {
      id: user.id,
      username: user.username,
      displayName: user.displayName,
      role: user.role,
      phoneType: user.phoneType,
    },
    token,
    expiresAtMs,
  };
}

const need = (deps: AppDeps): TwoFactorService => {
  if (!deps.twoFactor) throw new UnavailableError('two-factor sign-in is not configured');
  return deps.twoFactor;
};

/** Two-factor enrolment, status and reset (docs/api.md, docs/security.md). */
export function registerTwoFactorRoutes(app: FastifyInstance, deps: AppDeps): void {
  const rateLimit = {
    rateLimit: {
      max: deps.config.loginPerIpPerMinute ?? 20,
      timeWindow: 60_000,
      keyGenerator: (req: { ip: string }) => `login:${req.ip}`,
    },
  };

  /** The password check of the enrolment routes (no session exists before enrolment). */
  const byPassword = async (
    tf: TwoFactorService,
    body: { username: string; password: string },
    req: FastifyRequest,
  ): Promise<UserRecord> => {
    const guard = guardOf(deps, tf);
    guard.check(body.username, req.ip, req.log);
    const user = await checkPassword(await deps.users.findByUsername(body.username), body.password);
    if (!user) {
      guard.fail(body.username, req.ip);
      req.log.warn(
        { event: 'login_failed', username: loggedUsername(body.username), address: req.ip },
        'two-factor set-up: login failed',
      );
      throw new UnauthorizedError('invalid username or password');
    }
    return user;
  };

  defineRoute(app, {
    method: 'POST',
    url: '/api/auth/2fa/setup',
    auth: 'public',
    summary:
      'Start two-factor enrolment with the password (e.g. an admin told TWO_FACTOR_ENROLMENT_REQUIRED): ' +
      'a new secret, its otpauth URL and QR code. Refused (409) when a second factor is set up.',
    tags: ['auth'],
    body: TwoFactorSetupBody,
    response: TwoFactorSetupResponse,
    config: rateLimit,
    handler: async ({ body, req }) => {
      const tf = need(deps);
      const user = await byPassword(tf, body, req);
      return tf.beginEnrolment(asTwoFactorUser(user));
    },
  });

  defineRoute(app, {
    method: 'POST',
    url: '/api/auth/2fa/confirm',
    auth: 'public',
    summary:
      'Finish enrolment with the password and a first code: signs in (as /api/auth/login) and ' +
      'returns the recovery codes, shown this once.',
    tags: ['auth'],
    body: TwoFactorConfirmBody,
    response: TwoFactorConfirmResponse,
    config: rateLimit,
    handler: async ({ body, req, reply }) => {
      const tf = need(deps);
      const user = await byPassword(tf, body, req);
      const guard = guardOf(deps, tf);
      let recoveryCodes: string[];
      try {
        recoveryCodes = await tf.confirmEnrolment(asTwoFactorUser(user), body.code);
      } catch (err) {
        if (err instanceof TwoFactorInvalidError) guard.fail(user.username, req.ip);
        throw err;
      }
      guard.succeed(user.username, req.ip);
      req.log.info({ event: 'two_factor_enrolled', userId: user.id }, 'two-factor enrolled');
      return { ...issueSession(deps, reply, user), recoveryCodes };
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/me/2fa',
    auth: ANY_ROLE,
    summary: "The signed-in user's second factor: set up or not, required or not, codes left.",
    tags: ['auth'],
    response: TwoFactorStatus,
    handler: async ({ user }) => {
      if (!user) throw new UnauthorizedError('sign in first');
      const tf = need(deps);
      return { ...(await tf.status(user.id)), required: tf.required(user) };
    },
  });

  defineRoute(app, {
    method: 'POST',
    url: '/api/me/2fa/setup',
    auth: ANY_ROLE,
    summary: 'Start enrolling a second factor for the signed-in user (optional for non-admins).',
    tags: ['auth'],
    response: TwoFactorSetupResponse,
    handler: async ({ user }) => {
      if (!user) throw new UnauthorizedError('sign in first');
      return need(deps).beginEnrolment(user);
    },
  });

  defineRoute(app, {
    method: 'POST',
    url: '/api/me/2fa/confirm',
    auth: ANY_ROLE,
    summary: 'Finish enrolment with a first code; returns the recovery codes, shown this once.',
    tags: ['auth'],
    body: TwoFactorCodeBody,
    response: RecoveryCodesResponse,
    handler: async ({ user, body, req }) => {
      if (!user) throw new UnauthorizedError('sign in first');
      const tf = need(deps);
      const recoveryCodes = await codeGuarded(deps, tf, user.username, req, true, () =>
        tf.confirmEnrolment(user, body.code),
      );
      return { recoveryCodes };
    },
  });

  defineRoute(app, {
    method: 'POST',
    url: '/api/me/2fa/disable',
    auth: ANY_ROLE,
    summary:
      'Turn the own second factor off with a code (not admins: another admin resets theirs).',
    tags: ['auth'],
    body: TwoFactorCodeBody,
    response: OkResponse,
    handler: async ({ user, body, req }) => {
      if (!user) throw new UnauthorizedError('sign in first');
      const tf = need(deps);
      await codeGuarded(deps, tf, user.username, req, false, () => tf.disable(user, body.code));
      await deps.audit.record({
        userId: user.id,
        action: 'user.2fa_disabled',
        target: `user:${user.id}`,
        detail: {},
      });
      return { ok: true as const };
    },
  });

  defineRoute(app, {
    method: 'DELETE',
    url: '/api/users/:id/2fa',
    auth: ADMIN,
    summary:
      "Reset a user's second factor (a lost phone): they sign in with the password and, if " +
      'required (admins), enrol again. Audited.',
    tags: ['admin'],
    params: IdParams,
    response: OkResponse,
    handler: async ({ user, params }) => {
      const tf = need(deps);
      const target = await deps.users.findById(params.id);
      if (!target) throw new NotFoundError(`user ${params.id} not found`);
      const had = (await tf.status(target.id)).enabled;
      await tf.reset(target.id);
      await deps.audit.record({
        userId: user?.id ?? null,
        action: 'user.2fa_reset',
        target: `user:${target.id}`,
        detail: { hadSecondFactor: had },
      });
      return { ok: true as const };
    },
  });
}

/**
 * A wrong code from a signed-in user (enrolling or turning it off) is a 400 naming the field: a
 * 401 would read to the browser as its session having ended.
 */
/**
 * Checks a signed-in user's code behind the login guard: refused while the guard holds the user
 * back, a wrong code counts as a failure and answers 400 naming the field; with `succeed`, a
 * right one clears the user's failures.
 */
async function codeGuarded<T>(
  deps: AppDeps,
  tf: TwoFactorService,
  username: string,
  req: { ip: string; log: Parameters<LoginGuard['check']>[2] },
  succeed: boolean,
  run: () => Promise<T>,
): Promise<T> {
  const guard = guardOf(deps, tf);
  guard.check(username, req.ip, req.log);
  try {
    const out = await run();
    if (succeed) guard.succeed(username, req.ip);
    return out;
  } catch (err) {
    if (err instanceof TwoFactorInvalidError) {
      guard.fail(username, req.ip);
      throw wrongCode(err);
    }
    throw err;
  }
}

function wrongCode(err: TwoFactorInvalidError): ValidationError {
  return new ValidationError(`code: ${err.message}`, [{ path: 'code', message: err.message }], {
    cause: err,
  });
}
