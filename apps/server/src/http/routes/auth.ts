import type { FastifyInstance } from 'fastify';
import { LoginBody, LoginResponse, Me, OkResponse } from '@ringside/protocol';
import { UnauthorizedError } from '../../errors.js';
import { checkPassword, type SessionUser } from '../auth.js';
import { LoginGuard, loggedUsername } from '../login-guard.js';
import type { AppDeps } from '../deps.js';
import { defineRoute } from '../route.js';
import { issueSession, secondFactorStep } from './auth-2fa.js';
import { SESSION_COOKIE } from '../session.js';
import { ANY_ROLE } from './common.js';

const toMe = (u: Pick<SessionUser, 'id' | 'username' | 'displayName' | 'role' | 'phoneType'>) => ({
  id: u.id,
  username: u.username,
  displayName: u.displayName,
  role: u.role,
  phoneType: u.phoneType,
});

export function registerAuthRoutes(app: FastifyInstance, deps: AppDeps): void {
  const { config, clock, users } = deps;
  const guard = new LoginGuard(clock, config.loginGuard);

  defineRoute(app, {
    method: 'POST',
    url: '/api/auth/login',
    auth: 'public',
    summary:
      'Sign in. Sets the HttpOnly session cookie; the token is also returned for bot agents (Bearer).',
    tags: ['auth'],
    body: LoginBody,
    response: LoginResponse,
    config: {
      rateLimit: {
        max: config.loginPerIpPerMinute ?? 20,
        timeWindow: 60_000,
        keyGenerator: (req: { ip: string }) => `login:${req.ip}`,
      },
    },
    handler: async ({ body, reply, req }) => {
      guard.check(body.username, req.ip, req.log);
      const found = await users.findByUsername(body.username);
      const user = await checkPassword(found, body.password);
      if (!user) {
        const { delayMs, addressLocked } = guard.fail(body.username, req.ip);
        req.log.warn(
          {
            event: 'login_failed',
            username: loggedUsername(body.username),
            address: req.ip,
            delayMs,
            addressLocked,
          },
          'login failed',
        );
        throw new UnauthorizedError('invalid username or password');
      }
      // The second factor, after the password (its wrong codes are limited apart): auth-2fa.ts.
      await secondFactorStep(deps, user, body.code, req);
      guard.succeed(body.username, req.ip);
      const session = issueSession(deps, reply, user);
      req.log.info({ userId: user.id, role: user.role }, 'login');
      return session;
    },
  });

  defineRoute(app, {
    method: 'POST',
    url: '/api/auth/logout',
    // Public so that a client with an expired session can still clear its cookie.
    auth: 'public',
    summary: 'Sign out: clears the session cookie.',
    tags: ['auth'],
    response: OkResponse,
    handler: async ({ reply }) => {
      void reply.clearCookie(SESSION_COOKIE, {
        path: '/',
        httpOnly: true,
        sameSite: 'strict',
        secure: config.cookieSecure,
      });
      return { ok: true };
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/me',
    auth: ANY_ROLE,
    summary: 'The signed-in user.',
    tags: ['auth'],
    response: Me,
    handler: async ({ user }) => {
      if (!user) throw new UnauthorizedError('sign in first');
      return toMe(user);
    },
  });
}
