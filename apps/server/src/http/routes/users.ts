import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  DeactivateResponse,
  IdParams,
  OkResponse,
  PasswordReset,
  UserCreate,
  UserList,
  UsersQuery,
  UserUpdate,
  UserView,
} from '@ringside/protocol';
import type { AgentId } from '@ringside/protocol';
import type { UserPatch, UserRecord } from '../../ports/users.js';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.js';
import { hashPassword } from '../auth.js';
import type { AppDeps } from '../deps.js';
import { defineRoute } from '../route.js';
import { actor, adminRepos, changesOf } from './admin-people.js';
import { ADMIN } from './common.js';
import { supervisorActionsOf } from './supervisor.js';

const AuditQuery = z.object({
  target: z.string().max(128).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});

const AuditList = z.object({
  entries: z.array(
    z.object({
      id: z.string(),
      userId: z.string().nullable(),
      action: z.string(),
      target: z.string(),
      detail: z.record(z.string(), z.unknown()),
      atMs: z.number().int(),
    }),
  ),
});

/** The admin's view of a user: never the password hash. */
export function userView(u: UserRecord): UserView {
  return {
    id: u.id,
    username: u.username,
    displayName: u.displayName,
    role: u.role,
    teamId: u.teamId,
    phoneType: u.phoneType,
    sipEndpoint: u.sipEndpoint,
    active: u.active,
  };
}

const AUDITED_FIELDS = [
  'displayName',
  'role',
  'teamId',
  'phoneType',
  'sipEndpoint',
  'active',
] as const satisfies ReadonlyArray<keyof UserRecord>;

export function registerUserRoutes(app: FastifyInstance, deps: AppDeps): void {
  // Ends a deactivated agent's session the way a supervisor's force logout does (the panel goes
  // to logged out; a live call is not cut). Without the ARI-wired service: state only.
  const actions = supervisorActionsOf(deps);

  const load = async (id: string): Promise<UserRecord> => {
    const u = await deps.users.findById(id);
    if (!u) throw new NotFoundError(`user ${id} not found`);
    return u;
  };

  /** Applies an admin's change to a user; audited; a deactivated agent is logged out. */
  const change = async (
    adminId: string | null,
    id: string,
    patch: UserPatch,
  ): Promise<{ user: UserRecord; sessionEnded: boolean }> => {
    const { users } = adminRepos(deps);
    const before = await load(id);
    if (adminId === before.id && patch.active === false) {
      throw new ConflictError('active: you cannot deactivate your own account');
    }
    if (adminId === before.id && patch.role !== undefined && patch.role !== 'admin') {
      throw new ConflictError('role: you cannot take the admin role from your own account');
    }
    const phoneType = patch.phoneType ?? before.phoneType;
    const sipEndpoint = patch.sipEndpoint !== undefined ? patch.sipEndpoint : before.sipEndpoint;
    if (phoneType === 'sip' && !sipEndpoint) {
      throw new ValidationError('sipEndpoint: is required when the phone type is sip', [
        { path: 'sipEndpoint', message: 'is required when the phone type is sip' },
      ]);
    }
    const after = await users.update(id, patch);
    const changes = changesOf(before, after, AUDITED_FIELDS);
    const deactivated = before.active && !after.active;
    if (Object.keys(changes).length > 0) {
      await deps.audit.record({
        userId: adminId,
        action: deactivated ? 'user.deactivate' : 'user.update',
        target: `user:${after.id}`,
        detail: { changes },
      });
    }
    let sessionEnded = false;
    if (deactivated && adminId) {
      const live = await deps.stateStore.getAgent(after.id as AgentId);
      if (live && live.state !== 'LOGGED_OUT') {
        await actions.forceLogout(adminId, after.id as AgentId, false);
        sessionEnded = true;
      }
    }
    if (deactivated && deps.telephony?.forgetPhone) {
      // Its browser phone may no longer register. Best effort: Asterisk down does not undo the
      // deactivation (the password is random and rotated at every phone request anyway).
      await deps.telephony.forgetPhone(after).catch((err: unknown) => {
        deps.logger.warn(
          { err, userId: after.id },
          'phone account of a deactivated user not removed',
        );
      });
    }
    return { user: after, sessionEnded };
  };

  defineRoute(app, {
    method: 'GET',
    url: '/api/users',
    auth: ADMIN,
    summary: 'Users, filtered by role, team (`none`: no team) and active. Never password hashes.',
    tags: ['admin'],
    query: UsersQuery,
    response: UserList,
    handler: async ({ query }) => {
      const list = await adminRepos(deps).users.list({
        ...(query.role && { role: query.role }),
        ...(query.teamId && { teamId: query.teamId === 'none' ? null : query.teamId }),
        ...(query.active && { active: query.active === 'true' }),
      });
      return { users: list.map(userView) };
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/users/:id',
    auth: ADMIN,
    summary: 'One user.',
    tags: ['admin'],
    params: IdParams,
    response: UserView,
    handler: async ({ params }) => userView(await load(params.id)),
  });

  defineRoute(app, {
    method: 'POST',
    url: '/api/users',
    auth: ADMIN,
    summary: 'Create a user (argon2id hash). Audited.',
    tags: ['admin'],
    body: UserCreate,
    response: UserView,
    status: 201,
    handler: async ({ body, user }) => {
      const created = await deps.users.create({
        username: body.username,
        displayName: body.displayName,
        role: body.role,
        passwordHash: await hashPassword(body.password),
        teamId: body.teamId ?? null,
        phoneType: body.phoneType ?? 'webrtc',
        sipEndpoint: body.sipEndpoint ?? null,
      });
      await deps.audit.record({
        userId: actor(user),
        action: 'user.create',
        target: `user:${created.id}`,
        detail: {
          username: created.username,
          role: created.role,
          teamId: created.teamId,
          phoneType: created.phoneType,
        },
      });
      return userView(created);
    },
  });

  defineRoute(app, {
    method: 'PATCH',
    url: '/api/users/:id',
    auth: ADMIN,
    summary:
      'Change display name, role, team, phone type and SIP endpoint, active. Audited; ' +
      'deactivating a logged-in agent logs it out.',
    tags: ['admin'],
    params: IdParams,
    body: UserUpdate,
    response: UserView,
    handler: async ({ params, body, user }) =>
      userView((await change(actor(user), params.id, body)).user),
  });

  defineRoute(app, {
    method: 'POST',
    url: '/api/users/:id/deactivate',
    auth: ADMIN,
    summary:
      'Deactivate a user (no hard delete): its sessions are refused at once and a logged-in ' +
      'agent is logged out (a live call is left up). Audited.',
    tags: ['admin'],
    params: IdParams,
    response: DeactivateResponse,
    handler: async ({ params, user }) => {
      const r = await change(actor(user), params.id, { active: false });
      return { user: userView(r.user), sessionEnded: r.sessionEnded };
    },
  });

  defineRoute(app, {
    method: 'POST',
    url: '/api/users/:id/password',
    auth: ADMIN,
    summary: 'Set a new password (at least 10 characters). Audited without the password.',
    tags: ['admin'],
    params: IdParams,
    body: PasswordReset,
    response: OkResponse,
    handler: async ({ params, body, user }) => {
      const target = await load(params.id);
      await adminRepos(deps).users.setPasswordHash(target.id, await hashPassword(body.password));
      await deps.audit.record({
        userId: actor(user),
        action: 'user.password_reset',
        target: `user:${target.id}`,
        detail: {},
      });
      return { ok: true as const };
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/audit',
    auth: ADMIN,
    summary: 'The audit log, newest first.',
    tags: ['admin'],
    query: AuditQuery,
    response: AuditList,
    handler: async ({ query }) => ({ entries: await deps.audit.list(query) }),
  });
}
