import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CampaignId } from '@ringside/protocol';
import { buildApp } from '../../src/http/app.js';
import type { AppDeps } from '../../src/http/deps.js';
import { err, get, h, tokens, useApiHarness } from './api-harness.js';
import { bearer, PASSWORD } from './harness.js';
import { loginStatuses } from './login-burst.js';

useApiHarness();

describe('login', () => {
  it('sets an HttpOnly SameSite=Strict session cookie that authenticates /api/me', async () => {
    const r = await h.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'agent1', password: PASSWORD },
      remoteAddress: '10.0.0.1',
    });
    expect(r.statusCode).toBe(200);
    const cookie = r.cookies.find((c) => c.name === 'rs_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    const me = await h.app.inject({
      method: 'GET',
      url: '/api/me',
      cookies: { rs_session: cookie?.value ?? '' },
    });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ username: 'agent1', role: 'agent' });
  });

  it('accepts the returned token as a Bearer header (bot agents)', async () => {
    const me = await get('/api/me', 'agent');
    expect(me.json()).toMatchObject({ id: h.users.agent.id });
  });

  it('refuses a wrong password and an unknown user with the same 401', async () => {
    const wrong = await h.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'agent2', password: 'nope' },
      remoteAddress: '10.0.0.2',
    });
    const unknown = await h.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'ghost', password: 'nope' },
      remoteAddress: '10.0.0.2',
    });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(err(wrong.body)).toEqual(err(unknown.body));
    expect(wrong.cookies).toHaveLength(0);
  });

  it('spends argon2 time on unknown users too', async () => {
    const time = async (username: string) => {
      const t0 = performance.now();
      await h.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username, password: 'nope' },
        remoteAddress: '10.0.0.3',
      });
      return performance.now() - t0;
    };
    await time('ghost2'); // warm the dummy hash
    const known = await time('super');
    const unknown = await time('ghost3');
    expect(unknown).toBeGreaterThan(known / 4);
  });

  it('rate-limits logins per IP', async () => {
    const codes = await loginStatuses(h.app, 32, '10.2.0.1', (i) => ({
      username: `nobody${i}`,
      password: 'x',
    }));
    expect(codes.slice(0, 30).every((c) => c === 401)).toBe(true);
    expect(codes.slice(30)).toEqual([429, 429]);
  });

  it('answers 400 naming the field for a malformed login body', async () => {
    const r = await h.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { password: 'x' },
      remoteAddress: '10.0.0.4',
    });
    expect(r.statusCode).toBe(400);
    expect(err(r.body).issues?.[0]?.path).toBe('username');
  });

  it('logout clears the cookie', async () => {
    const r = await h.app.inject({ method: 'POST', url: '/api/auth/logout' });
    expect(r.statusCode).toBe(200);
    const c = r.cookies.find((x) => x.name === 'rs_session');
    expect(c?.value).toBe('');
  });

  it('refuses a tampered or foreign token with 401', async () => {
    const [body] = tokens.agent.split('.');
    for (const t of [`${body ?? ''}.AAAA`, 'garbage', `${tokens.agent}x`]) {
      const r = await h.app.inject({ method: 'GET', url: '/api/me', headers: bearer(t) });
      expect(r.statusCode).toBe(401);
    }
  });
});

describe('roles on every route', () => {
  const concrete = (url: string) => url.replace(/:callId/g, 'c-1').replace(/:[a-zA-Z]+/g, '1');

  it('every route declares its role requirement', () => {
    expect(h.app.routeTable.length).toBeGreaterThan(10);
    const missing = h.app.routeTable.filter((r) => r.auth === undefined);
    expect(missing).toEqual([]);
  });

  it('every non-public route answers 401 without a session', async () => {
    for (const r of h.app.routeTable.filter((x) => x.auth !== 'public')) {
      const res = await h.app.inject({ method: r.method as 'GET', url: concrete(r.url) });
      expect({ route: `${r.method} ${r.url}`, status: res.statusCode }).toEqual({
        route: `${r.method} ${r.url}`,
        status: 401,
      });
    }
  });

  it('an agent gets 403 on every supervisor and admin route; a supervisor on admin routes', async () => {
    for (const r of h.app.routeTable) {
      if (r.auth === 'public' || r.auth === undefined) continue;
      for (const who of ['agent', 'supervisor'] as const) {
        if (r.auth.includes(who)) continue;
        const res = await h.app.inject({
          method: r.method as 'GET',
          url: concrete(r.url),
          headers: bearer(tokens[who]),
        });
        expect({ route: `${who} ${r.method} ${r.url}`, status: res.statusCode }).toEqual({
          route: `${who} ${r.method} ${r.url}`,
          status: 403,
        });
      }
    }
  });

  it('refuses requests to a route that declares no requirement', async () => {
    const app = await buildApp(harnessDeps());
    app.get('/api/naked', async () => ({ secret: true }));
    await app.ready();
    const res = await app.inject({ method: 'GET', url: '/api/naked' });
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('secret');
    await app.close();
  });
});

/** A minimal dependency set for an app that only needs to start. */
function harnessDeps(): AppDeps {
  const never = async (): Promise<never> => {
    throw new Error('not used');
  };
  return {
    config: { sessionSecret: 's'.repeat(40), cookieSecure: false },
    logger: h.app.log as unknown as AppDeps['logger'],
    clock: { nowMs: () => Date.now() },
    users: { findById: never, findByIds: never, findByUsername: never, create: never },
    audit: { record: never, list: never },
    campaigns: { list: never, get: never, update: never },
    leads: { get: never, history: never, search: never },
    dispositions: { forCampaign: never },
    pauseCodes: { forCampaign: never },
    importLeads: never,
    agentSessions: { login: never, ready: never, pause: never, logout: never, dispose: never },
    stateStore: h.store,
    eventBus: h.bus,
    health: {
      postgres: never,
      redis: never,
      telephonyStatus: never,
      telephonyServers: [],
    },
  };
}

describe('campaigns', () => {
  it('lets an admin change a campaign and audits the change', async () => {
    const r = await h.app.inject({
      method: 'PATCH',
      url: `/api/campaigns/${h.campaignId}`,
      headers: bearer(tokens.admin),
      payload: { dropWaitMs: 1500, script: 'Hi {{first_name}}' },
    });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ dropWaitMs: 1500 });
    const audit = await get(`/api/audit?target=campaign:${h.campaignId}`, 'admin');
    const entries = (
      audit.json() as { entries: Array<{ action: string; userId: string; detail: unknown }> }
    ).entries;
    expect(entries[0]).toMatchObject({
      action: 'campaign.update',
      userId: h.users.admin.id,
      detail: { changes: { dropWaitMs: { from: 2000, to: 1500 } } },
    });
  });

  it('answers 400 naming the field and its limit, and changes nothing', async () => {
    const before = await h.deps.campaigns.get(h.campaignId as CampaignId);
    const r = await h.app.inject({
      method: 'PATCH',
      url: `/api/campaigns/${h.campaignId}`,
      headers: bearer(tokens.admin),
      payload: { dropWaitMs: 5000, ringTimeoutS: 10 },
    });
    expect(r.statusCode).toBe(400);
    const e = err(r.body);
    expect(e.code).toBe('VALIDATION');
    const paths = e.issues?.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['dropWaitMs', 'ringTimeoutS']));
    expect(e.issues?.find((i) => i.path === 'dropWaitMs')?.message).toMatch(/2000/);
    expect(await h.deps.campaigns.get(h.campaignId as CampaignId)).toEqual(before);
  });

  it('refuses unknown fields and a window that ends before it starts', async () => {
    const unknown = await h.app.inject({
      method: 'PATCH',
      url: `/api/campaigns/${h.campaignId}`,
      headers: bearer(tokens.admin),
      payload: { dropWait: 1 },
    });
    expect(unknown.statusCode).toBe(400);
    const window = await h.app.inject({
      method: 'PATCH',
      url: `/api/campaigns/${h.campaignId}`,
      headers: bearer(tokens.admin),
      payload: { windowStart: '12:00', windowEnd: '10:00' },
    });
    expect(err(window.body).issues?.[0]?.path).toBe('windowEnd');
  });

  it('answers 400 naming params.id for a malformed id and 404 for a missing campaign', async () => {
    const bad = await get('/api/campaigns/abc', 'agent');
    expect(bad.statusCode).toBe(400);
    expect(err(bad.body).issues?.[0]?.path).toBe('params.id');
    const missing = await get('/api/campaigns/99', 'agent');
    expect(missing.statusCode).toBe(404);
  });

  it("lists a campaign's dispositions and pause codes with the system-wide ones", async () => {
    await h.db.pool.query(
      `INSERT INTO dispositions (campaign_id, code, name, dnc) VALUES (NULL, 'DNC', 'Do not call', true),
         ($1, 'SALE', 'Sale', false)`,
      [h.campaignId],
    );
    await h.db.pool.query(
      "INSERT INTO pause_codes (campaign_id, code, name) VALUES (NULL, 'LUNCH', 'Lunch')",
    );
    const d = await get(`/api/campaigns/${h.campaignId}/dispositions`, 'agent');
    expect(d.statusCode).toBe(200);
    const codes = (d.json() as { dispositions: Array<{ code: string; dnc: boolean }> })
      .dispositions;
    expect(codes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'DNC', dnc: true }),
        expect.objectContaining({ code: 'SALE', dnc: false }),
      ]),
    );
    const p = await get(`/api/campaigns/${h.campaignId}/pause-codes`, 'agent');
    expect(p.json()).toEqual({
      pauseCodes: [{ code: 'LUNCH', name: 'Lunch', billable: false, dailyLimitMin: null }],
    });
    const missing = await get('/api/campaigns/999/pause-codes', 'agent');
    expect(missing.statusCode).toBe(404);
  });

  it('answers 500 without internals when a dependency throws', async () => {
    const orig = h.deps.campaigns.list;
    h.deps.campaigns.list = async () => {
      throw new Error('relation "campaigns" at 10.9.9.9 exploded');
    };
    try {
      const r = await get('/api/campaigns', 'agent');
      expect(r.statusCode).toBe(500);
      expect(r.body).not.toContain('10.9.9.9');
      expect(err(r.body).code).toBe('INTERNAL');
    } finally {
      h.deps.campaigns.list = orig;
    }
  });
});

describe('health', () => {
  it('answers 200 when PostgreSQL, Redis and every telephony server are up', async () => {
    h.health.telephony = { 'pbx-a:8088': true, 'pbx-b:8088': true };
    const r = await h.app.inject({ method: 'GET', url: '/health' });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({
      status: 'up',
      postgres: 'up',
      redis: 'up',
      telephony: { 'pbx-a:8088': 'up', 'pbx-b:8088': 'up' },
    });
  });

  it('reports a server the telephony layer does not know as down, and Redis down', async () => {
    h.health.telephony = { 'pbx-a:8088': true };
    h.health.redis = false;
    try {
      const r = await h.app.inject({ method: 'GET', url: '/health' });
      expect(r.statusCode).toBe(503);
      expect(r.json()).toMatchObject({
        status: 'down',
        redis: 'down',
        telephony: { 'pbx-a:8088': 'up', 'pbx-b:8088': 'down' },
      });
    } finally {
      h.health.redis = true;
    }
  });
});

describe('openapi', () => {
  it('describes the routes with their schemas', async () => {
    const r = await h.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(r.statusCode).toBe(200);
    const doc = r.json() as {
      openapi: string;
      paths: Record<string, Record<string, { requestBody?: unknown; security?: unknown }>>;
    };
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.paths['/api/auth/login']?.post?.requestBody).toBeDefined();
    expect(doc.paths['/api/campaigns/{id}']?.patch?.security).toBeDefined();
    expect(JSON.stringify(doc.paths['/api/campaigns/{id}']?.patch)).toContain('dropWaitMs');
    expect(JSON.stringify(doc.paths['/api/lists/{id}/import']?.post?.requestBody)).toContain(
      'text/csv',
    );
  });
});

describe('docs/api.md', () => {
  it('lists every route the server answers, with its method', async () => {
    const r = await h.app.inject({ method: 'GET', url: '/api/openapi.json' });
    const doc = r.json() as { paths: Record<string, Record<string, unknown>> };
    const table = readFileSync(new URL('../../../../docs/api.md', import.meta.url), 'utf8');
    const missing: string[] = [];
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const method of Object.keys(methods)) {
        const route = `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`;
        if (!table.includes(`| \`${route}\` |`)) missing.push(route);
      }
    }
    expect(missing).toEqual([]);
  });
});
