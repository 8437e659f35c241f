import type { FastifyInstance } from 'fastify';
import { createCampaignsRepo } from '../../src/adapters/postgres/campaigns.js';
import { type CampaignsRepo } from '../../src/ports/campaigns.js';
import { createDb } from '../../src/adapters/postgres/database.js';
import { createTeamsRepo } from '../../src/adapters/postgres/teams.js';
import { createUsersRepo } from '../../src/adapters/postgres/users.js';
import { buildApp } from '../../src/http/app.js';
import { PASSWORD, type Harness } from '../http/harness.js';

/** The harness's app with the admin routes (users, teams, campaigns) on its database. */
export async function buildAdminApp(
  h: Harness,
): Promise<{ app: FastifyInstance; campaigns: CampaignsRepo }> {
  const campaigns = createCampaignsRepo(createDb(h.db.pool));
  const app = await buildApp({
    ...h.deps,
    admin: {
      users: createUsersRepo(h.db.pool),
      teams: createTeamsRepo(h.db.pool),
      campaigns,
    },
  });
  return { app, campaigns };
}

/** Logs a harness user in through `app` (no socket needed); returns the bearer token. */
export async function injectLogin(app: FastifyInstance, username: string): Promise<string> {
  const r = await app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { username, password: PASSWORD },
  });
  return (r.json() as { token: string }).token;
}
