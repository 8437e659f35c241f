import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll } from 'vitest';
import type { CampaignsRepo } from '../../src/ports/campaigns.js';
import { createHarness, type Harness } from '../http/harness.js';
import { buildAdminApp, injectLogin } from './admin-app.js';

export interface AdminRig {
  h: Harness;
  app: FastifyInstance;
  campaigns: CampaignsRepo;
  /** The admin's bearer token. */
  token: string;
}

/**
 * Registers the hooks of the admin route tests: a harness, its app with the admin routes, an admin
 * logged in; all closed after the tests. `ready` gets the rig once it is built (in beforeAll).
 */
export function useAdminApp(ready: (rig: AdminRig) => void): void {
  let h: Harness | undefined;
  let app: FastifyInstance | undefined;
  beforeAll(async () => {
    h = await createHarness({ loginPerIpPerMinute: 200 });
    const built = await buildAdminApp(h);
    app = built.app;
    await app.ready();
    ready({ h, app, campaigns: built.campaigns, token: await injectLogin(app, 'admin') });
  });
  afterAll(async () => {
    await app?.close();
    await h?.close();
  });
}
