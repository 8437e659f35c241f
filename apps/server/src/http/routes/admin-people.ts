import type { FastifyInstance } from 'fastify';
import { IdParams, OkResponse, TeamBody, TeamList, TeamView } from '@ringside/protocol';
import { UnavailableError } from '../../errors.js';
import type { AdminRepos, AppDeps } from '../deps.js';
import { defineRoute } from '../route.js';
import { ADMIN } from './common.js';

/** The admin repositories, or a 503 when this api process was wired without them. */
export function adminRepos(deps: AppDeps): AdminRepos {
  if (!deps.admin) throw new UnavailableError('admin repositories are not wired');
  return deps.admin;
}

/** The acting user's id for the audit log (routes here are never public). */
export const actor = (user: { id: string } | null): string | null => user?.id ?? null;

/** Field-by-field { from, to } of the keys whose value changed. */
export function changesOf<T extends object>(
  before: T,
  after: T,
  keys: ReadonlyArray<keyof T>,
): Record<string, { from: unknown; to: unknown }> {
  const out: Record<string, { from: unknown; to: unknown }> = {};
  for (const k of keys) {
    if (before[k] !== after[k]) out[String(k)] = { from: before[k], to: after[k] };
  }
  return out;
}

/** Teams: list, create, rename, delete (users keep existing without a team). */
export function registerAdminPeopleRoutes(app: FastifyInstance, deps: AppDeps): void {
  defineRoute(app, {
    method: 'GET',
    url: '/api/teams',
    auth: ADMIN,
    summary: 'Every team with its number of users.',
    tags: ['admin'],
    response: TeamList,
    handler: async () => ({ teams: await adminRepos(deps).teams.list() }),
  });

  defineRoute(app, {
    method: 'POST',
    url: '/api/teams',
    auth: ADMIN,
    summary: 'Create a team (unique name, 1-100 characters). Audited.',
    tags: ['admin'],
    body: TeamBody,
    response: TeamView,
    status: 201,
    handler: async ({ body, user }) => {
      const team = await adminRepos(deps).teams.create(body.name);
      await deps.audit.record({
        userId: actor(user),
        action: 'team.create',
        target: `team:${team.id}`,
        detail: { name: team.name },
      });
      return team;
    },
  });

  defineRoute(app, {
    method: 'PATCH',
    url: '/api/teams/:id',
    auth: ADMIN,
    summary: 'Rename a team. Audited.',
    tags: ['admin'],
    params: IdParams,
    body: TeamBody,
    response: TeamView,
    handler: async ({ params, body, user }) => {
      const { teams } = adminRepos(deps);
      const before = await teams.get(params.id);
      const after = await teams.rename(params.id, body.name);
      await deps.audit.record({
        userId: actor(user),
        action: 'team.rename',
        target: `team:${after.id}`,
        detail: { changes: { name: { from: before?.name ?? null, to: after.name } } },
      });
      return after;
    },
  });

  defineRoute(app, {
    method: 'DELETE',
    url: '/api/teams/:id',
    auth: ADMIN,
    summary: 'Delete a team; its users stay, without a team. Audited.',
    tags: ['admin'],
    params: IdParams,
    response: OkResponse,
    handler: async ({ params, user }) => {
      const team = await adminRepos(deps).teams.remove(params.id);
      await deps.audit.record({
        userId: actor(user),
        action: 'team.delete',
        target: `team:${team.id}`,
        detail: { name: team.name, members: team.members },
      });
      return { ok: true as const };
    },
  });
}
