import { randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import type { FastifyRequest } from 'fastify';
import type { AgentId, Role } from '@ringside/protocol';
import type { UserRecord, UsersRepo } from '../ports/users.js';
import { ForbiddenError, UnauthorizedError } from '../errors.js';
import type { RouteAuth } from './routes/common.js';
import { tokenFrom, verifySession } from './session.js';

/** The user a request acts as. */
export interface SessionUser {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  phoneType: 'webrtc' | 'sip';
  expiresAtMs: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth hook on routes that require a role. */
    user: SessionUser | null;
  }
}

/** The agent id of a user: the users.id, as agent_log and agent_status use it. */
export const agentIdOf = (user: SessionUser): AgentId => user.id as AgentId;

/** argon2id with the library's defaults (19 MiB, t=2): ~tens of ms per verify here. */
export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

/**
 * A hash of a random password, verified against when the username is unknown or inactive, so
 * that a login for an unknown user costs about as much time as one for a known user.
 */
let dummyHash: Promise<string> | null = null;
function getDummyHash(): Promise<string> {
  dummyHash ??= hash(randomBytes(16).toString('hex'));
  return dummyHash;
}

/** Checks a password; the same work is done whether or not the user exists. */
export async function checkPassword(
  user: UserRecord | null,
  password: string,
): Promise<UserRecord | null> {
  const target = user?.active ? user.passwordHash : await getDummyHash();
  let ok = false;
  try {
    ok = await verify(target, password);
  } catch {
    ok = false; // a malformed stored hash is a failed login, not a 500
  }
  return ok && user?.active ? user : null;
}

/** Resolves the request's session to a current, active user, or null. */
export async function resolveUser(
  req: Pick<FastifyRequest, 'headers' | 'cookies'>,
  secret: string,
  users: UsersRepo,
  nowMs: number,
): Promise<SessionUser | null> {
  const token = tokenFrom({ authorization: req.headers.authorization, cookies: req.cookies });
  if (!token) return null;
  const payload = verifySession(secret, token, nowMs);
  if (!payload) return null;
  const user = await users.findById(payload.sub);
  if (!user || !user.active) return null;
  return {
    id: user.id,
    username: user.username,
    displayName: user.displayName,
    // The role in the database wins: a demoted user loses rights without a new login.
    role: user.role,
    phoneType: user.phoneType,
    expiresAtMs: payload.expMs,
  };
}

/** Throws 401/403 unless `user` satisfies `auth`. */
export function authorize(auth: RouteAuth, user: SessionUser | null): void {
  if (auth === 'public') return;
  if (!user) throw new UnauthorizedError('sign in first');
  if (!auth.includes(user.role)) throw new ForbiddenError(`requires role ${auth.join(' or ')}`);
}
