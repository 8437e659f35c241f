import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorBody, Role } from '@ringside/protocol';
import { createCampaignsRepo } from '../../src/adapters/postgres/campaigns.js';
import { createDb } from '../../src/adapters/postgres/database.js';
import { ReportsRepository } from '../../src/adapters/postgres/reports/reports-repository.js';
import { reportsOnPrimary } from '../../src/adapters/postgres/reports/reports-database.js';
import { createTeamsRepo } from '../../src/adapters/postgres/teams.js';
import { createUsersRepo } from '../../src/adapters/postgres/users.js';
import { buildApp } from '../../src/http/app.js';
import { createListAdminDeps } from '../../src/roles/api-admin.js';
import { systemClock } from '../../src/ports/clock.js';
import { ReportsService } from '../../src/services/reports/reports-service.js';
import { bearer, createHarness, PASSWORD, type Harness } from './harness.js';

/**
 * Issue 12 points 6, 8 and 9 over the whole API: NUL and lone surrogates refused with 400 naming
 * the field on every route; security headers and the Origin check; error log lines name the
 * route pattern and hold none of the numbers and names the requests carried.
 */

/** Every log line the app writes, as parsed JSON and as the raw text. */
const logLines: string[] = [];
const capture = new Writable({
  write(chunk: Buffer, _enc, done) {
    logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    done();
  },
});

let h: Harness;
let app: FastifyInstance;
let tokens: Record<Role, string>;

/** The personal data the requests below carry; none of it may reach the log. */
const PHONE = '+14155550199';
const PHONE_DIGITS = '4155550199';
const NAME = 'Zebulon';
const SURNAME = 'Quackenbush';

beforeAll(async () => {
  h = await createHarness({ loginPerIpPerMinute: 1000 });
  const logger = pino({ level: 'info' }, capture);
  const db = createDb(h.db.pool);
  app = await buildApp({
    ...h.deps,
    logger,
    admin: {
      users: createUsersRepo(h.db.pool),
      teams: createTeamsRepo(h.db.pool),
      campaigns: createCampaignsRepo(db),
    },
    listAdmin: createListAdminDeps({
      pool: h.db.pool,
      redis: h.redis,
      prefix: h.keys.prefix,
      logger,
    }),
    reports: new ReportsService(reportsOnPrimary(new ReportsRepository(h.db.pool)), systemClock),
  });
  await app.ready();
  tokens = {
    admin: await h.login('admin'),
    supervisor: await h.login('super'),
    agent: await h.login('agent1'),
  };
});
afterAll(async () => {
  await app?.close();
  await h?.close();
});

const err = (body: string): ErrorBody['error'] => {
  try {
    return (JSON.parse(body) as ErrorBody).error ?? { code: '?', message: body };
  } catch {
    return { code: '?', message: body };
  }
};

interface OpenApiOp {
  parameters?: Array<{ in: string; name: string }>;
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}
interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  anyOf?: JsonSchema[];
  items?: JsonSchema;
}

/** Top-level body fields that take a string (directly, nullable, or a list of strings). */
function stringFields(schema: JsonSchema | undefined): string[] {
  const takesString = (s: JsonSchema): boolean =>
    s.type === 'string' ||
    (s.type === 'array' && s.items !== undefined && takesString(s.items)) ||
    (s.anyOf ?? []).some(takesString);
  return Object.entries(schema?.properties ?? {})
    .filter(([, s]) => takesString(s))
    .map(([k]) => k);
}

/** The route's URL with every path parameter set to `value` (already URL-encoded). */
const fill = (url: string, value: string) =>
  url.replace(/:[A-Za-z]+/g, value).replace(/\*$/, value);

/** The API's own OpenAPI document: every route, its body schema, query and params. */
const openApiDoc = async () =>
  (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as {
    paths: Record<string, Record<string, OpenApiOp>>;
  };

function tokenFor(auth: unknown): string | null {
  if (auth === 'public' || !Array.isArray(auth)) return null;
  const role = (auth as Role[])[0];
  return role ? tokens[role] : null;
}

describe('text PostgreSQL cannot store (issue 12, point 6)', () => {
  it('is refused with 400 naming the field on every route: each body field, query and param', async () => {
    const doc = await openApiDoc();
    const failures: string[] = [];
    let probes = 0;
    const probe = async (
      method: string,
      url: string,
      auth: unknown,
      field: string,
      payload?: Record<string, unknown>,
    ) => {
      probes++;
      const token = tokenFor(auth);
      const r = await app.inject({
        method: method as 'GET',
        url,
        headers: {
          ...(token ? bearer(token) : {}),
          ...(payload ? { 'content-type': 'application/json' } : {}),
        },
        ...(payload ? { payload: JSON.stringify(payload) } : {}),
      });
      const message = r.statusCode === 400 ? String(err(r.body).message) : '';
      if (r.statusCode !== 400 || !message.startsWith(`${field}:`)) {
        failures.push(`${method} ${url} [${field}] -> ${r.statusCode} ${r.body.slice(0, 120)}`);
      }
    };
    for (const route of app.routeTable) {
      const openapiPath = route.url.replace(/:([A-Za-z]+)/g, '{$1}');
      const op = doc.paths[openapiPath]?.[route.method.toLowerCase()];
      const params = [...route.url.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1] ?? '');
      const valid = fill(route.url, '1');
      // Path parameters: a NUL, and a lone surrogate.
      if (params.length) {
        await probe(route.method, fill(route.url, '1%00'), route.auth, `params.${params[0]}`);
        // A lone surrogate can only come as bytes that are not UTF-8: the url is refused.
        await probe(route.method, fill(route.url, '%ED%A0%80x'), route.auth, 'url');
      }
      // Every declared query parameter, and an undeclared one.
      const queries = (op?.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
      for (const q of [...queries, 'probe']) {
        await probe(route.method, `${valid}?${q}=a%00b`, route.auth, `query.${q}`);
      }
      // Every string field of the JSON body, as NUL and as a lone surrogate.
      const body = op?.requestBody?.content?.['application/json']?.schema;
      if (body && ['POST', 'PUT', 'PATCH', 'DELETE'].includes(route.method)) {
        for (const f of stringFields(body)) {
          await probe(route.method, valid, route.auth, f, { [f]: `${NAME}\u0000` });
          await probe(route.method, valid, route.auth, f, { [f]: `x\uD800` });
        }
      }
    }
    expect(failures.join('\n')).toBe('');
    expect(probes).toBeGreaterThan(150);
  });

  it('names the field of a nested value and of a key', async () => {
    const r = await app.inject({
      method: 'POST',
      url: '/api/campaigns',
      headers: { ...bearer(tokens.admin), 'content-type': 'application/json' },
      payload: JSON.stringify({ name: 'ok', custom: { ['k\u0000']: 1 } }),
    });
    expect(r.statusCode).toBe(400);
    expect(err(r.body).message).toMatch(/^custom\.\(key\): /);
  });

  it('refuses a NUL in an import file name with 400 naming query.fileName', async () => {
    const r = await app.inject({
      method: 'POST',
      url: `/api/lists/${h.listId}/import?fileName=leads%00.csv`,
      headers: { ...bearer(tokens.admin), 'content-type': 'text/csv' },
      payload: 'phone\n+14155550123\n',
    });
    expect(r.statusCode, r.body).toBe(400);
    expect(err(r.body).message).toMatch(/^query\.fileName: /);
  });
});

describe('unknown body fields (issue 12, point 6)', () => {
  it('are refused on every route: each JSON body schema is strict', async () => {
    const doc = await openApiDoc();
    const loose: string[] = [];
    let bodies = 0;
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const schema = op.requestBody?.content?.['application/json']?.schema as
          (JsonSchema & { additionalProperties?: unknown }) | undefined;
        if (!schema) continue;
        bodies++;
        const parts = (schema.anyOf as (typeof schema)[] | undefined) ?? [schema];
        if (!parts.every((p) => p.additionalProperties === false)) loose.push(`${method} ${path}`);
      }
    }
    expect(loose).toEqual([]);
    expect(bodies).toBeGreaterThan(15);
  });

  it('are refused by the three agent session routes that used to accept them', async () => {
    for (const [url, body] of [
      ['/api/agent/session/login', { campaignId: h.campaignId, extra: 1 }],
      ['/api/agent/session/pause', { code: 'BREAK', extra: 1 }],
      ['/api/agent/session/disposition', { callId: 'c1', code: 'SALE', extra: 1 }],
    ] as const) {
      const r = await app.inject({
        method: 'POST',
        url,
        headers: bearer(tokens.agent),
        payload: body,
      });
      expect(r.statusCode, url).toBe(400);
      expect(err(r.body).message, url).toContain('extra');
    }
  });
});

describe('wrap-up default disposition (issue 12, point 6)', () => {
  it('must be an existing disposition of the campaign, on create and on change', async () => {
    const admin = { ...bearer(tokens.admin), 'content-type': 'application/json' };
    const created = await app.inject({
      method: 'POST',
      url: '/api/campaigns',
      headers: admin,
      payload: JSON.stringify({ name: 'Wrapup check', wrapupDefaultDisposition: 'NOPE' }),
    });
    expect(created.statusCode).toBe(400);
    expect(err(created.body).message).toMatch(/^wrapupDefaultDisposition: no disposition NOPE/);

    const made = await app.inject({
      method: 'POST',
      url: '/api/dispositions',
      headers: admin,
      payload: JSON.stringify({ campaignId: h.campaignId, code: 'WRAPOK', name: 'Wrap-up ok' }),
    });
    expect(made.statusCode, made.body).toBe(201);
    const existing = 'WRAPOK';
    const bad = await app.inject({
      method: 'PATCH',
      url: `/api/campaigns/${h.campaignId}`,
      headers: admin,
      payload: JSON.stringify({ wrapupDefaultDisposition: 'NOPE', wrapupS: 99 }),
    });
    expect(bad.statusCode).toBe(400);
    const after = (
      await app.inject({
        method: 'GET',
        url: `/api/campaigns/${h.campaignId}`,
        headers: bearer(tokens.admin),
      })
    ).json() as { wrapupDefaultDisposition: string; wrapupS: number };
    expect(after.wrapupDefaultDisposition).not.toBe('NOPE');
    expect(after.wrapupS).not.toBe(99);
    const good = await app.inject({
      method: 'PATCH',
      url: `/api/campaigns/${h.campaignId}`,
      headers: admin,
      payload: JSON.stringify({ wrapupDefaultDisposition: existing }),
    });
    expect(good.statusCode).toBe(200);
  });
});

describe('security headers (issue 12, point 8)', () => {
  it('sends a CSP without inline script that forbids framing, and the other headers', async () => {
    const r = await app.inject({ method: 'GET', url: '/api/me', headers: bearer(tokens.agent) });
    const csp = String(r.headers['content-security-policy']);
    const directives = new Map(
      csp.split(';').map((d) => {
        const [name = '', ...values] = d.trim().split(/\s+/);
        return [name, values] as const;
      }),
    );
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('default-src')).toEqual(["'self'"]);
    expect(csp).not.toContain('unsafe-eval');
    expect(r.headers['x-frame-options']).toBe('DENY');
    expect(r.headers['referrer-policy']).toBe('no-referrer');
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['cache-control']).toBe('no-store');
  });

  it('marks API errors no-store too, and sends the headers on the panel', async () => {
    const e = await app.inject({ method: 'GET', url: '/api/me' });
    expect(e.statusCode).toBe(401);
    expect(e.headers['cache-control']).toBe('no-store');
    const page = await app.inject({ method: 'GET', url: '/' });
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(String(page.headers['content-security-policy'])).toContain("frame-ancestors 'none'");
  });
});

describe('source maps (issue 12, point 8)', () => {
  it('are served in development and not in production', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'rs-web-'));
    await mkdir(path.join(root, 'assets'));
    await writeFile(path.join(root, 'index.html'), '<!doctype html><title>t</title>');
    await writeFile(path.join(root, 'assets', 'app.js'), 'export {};');
    await writeFile(path.join(root, 'assets', 'app.js.map'), '{"version":3}');
    const statusIn = async (production: boolean) => {
      const web = await buildApp({
        ...h.deps,
        config: { ...h.deps.config, webRoot: root, production },
      });
      const map = await web.inject({ method: 'GET', url: '/assets/app.js.map' });
      const js = await web.inject({ method: 'GET', url: '/assets/app.js' });
      await web.close();
      return [map.statusCode, js.statusCode];
    };
    try {
      expect(await statusIn(false)).toEqual([200, 200]);
      expect(await statusIn(true)).toEqual([404, 200]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe('Origin check on state-changing requests (issue 12, point 8)', () => {
  const logoutWith = (headers: Record<string, string>) =>
    app.inject({
      method: 'POST',
      url: '/api/auth/logout',
      cookies: { rs_session: tokens.agent },
      headers,
    });

  it('refuses a cookie request from another origin, a sibling port or another scheme', async () => {
    for (const origin of [
      'http://evil.example',
      'http://localhost:8081',
      'https://localhost',
      'null',
    ]) {
      const r = await logoutWith({ origin });
      expect(r.statusCode, origin).toBe(403);
      expect(err(r.body).message).toMatch(/^cross-origin request refused/);
    }
    const viaReferer = await logoutWith({ referer: 'http://evil.example/page?x=1' });
    expect(viaReferer.statusCode).toBe(403);
  });

  it('refuses a body-less POST with the cookie from a foreign origin (the issue case)', async () => {
    const r = await app.inject({
      method: 'POST',
      url: '/api/agent/session/ready',
      cookies: { rs_session: tokens.agent },
      headers: { origin: 'http://localhost:5174' },
    });
    expect(r.statusCode).toBe(403);
  });

  it('lets the own origin through, and requests that name no origin', async () => {
    expect((await logoutWith({ origin: 'http://localhost' })).statusCode).toBe(200);
    expect((await logoutWith({ referer: 'http://localhost/agent' })).statusCode).toBe(200);
    expect((await logoutWith({})).statusCode).toBe(200);
  });

  it('does not apply to bearer-only clients (bots), whose header a page cannot forge', async () => {
    const r = await app.inject({
      method: 'POST',
      url: '/api/auth/logout',
      headers: { ...bearer(tokens.agent), origin: 'http://elsewhere.example' },
    });
    expect(r.statusCode).toBe(200);
  });

  it('refuses a foreign-origin login (login CSRF)', async () => {
    const r = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers: { origin: 'http://evil.example' },
      payload: { username: 'agent1', password: PASSWORD },
    });
    expect(r.statusCode).toBe(403);
  });
});

describe('error logs (issue 12, point 9)', () => {
  it('carry the route pattern, never the query string, body, numbers or names', async () => {
    logLines.length = 0;
    const failing = [
      { method: 'GET', url: `/api/leads?phone=${encodeURIComponent(PHONE)}&name=%00${NAME}` },
      { method: 'GET', url: `/api/leads?name=${NAME}&limit=${PHONE_DIGITS}` },
      { method: 'GET', url: `/api/leads/${PHONE_DIGITS}${NAME}` },
      { method: 'POST', url: '/api/campaigns', body: { name: `${NAME} ${SURNAME}`, x: PHONE } },
      { method: 'POST', url: '/api/dnc', body: { phone: `${PHONE}\u0000`, note: SURNAME } },
      { method: 'POST', url: '/api/users', body: { username: NAME, displayName: SURNAME } },
    ] as const;
    for (const f of failing) {
      const r = await app.inject({
        method: f.method,
        url: f.url,
        headers: bearer(tokens.admin),
        ...('body' in f ? { payload: f.body } : {}),
      });
      expect(r.statusCode, f.url).toBeGreaterThanOrEqual(400);
    }
    // A dependency failing with the values in its message and detail, as PostgreSQL does.
    const broken = await buildApp({
      ...h.deps,
      logger: pino({ level: 'info' }, capture),
      leads: {
        ...h.deps.leads,
        search: async () => {
          const e = new Error(`invalid input syntax for type bigint: "${PHONE}" near '${NAME}'`);
          Object.assign(e, { code: '22P02', detail: `Key (phone)=(${PHONE}) ${SURNAME}` });
          throw e;
        },
      },
    });
    const r = await broken.inject({
      method: 'GET',
      url: `/api/leads?phone=${encodeURIComponent(PHONE)}&name=${SURNAME}`,
      headers: bearer(tokens.admin),
    });
    await broken.close();
    expect(r.statusCode).toBe(500);

    const text = logLines.join('\n');
    const errors = logLines
      .map((l) => JSON.parse(l) as { msg: string; route?: string; error?: { code?: string } })
      .filter((l) => l.msg === 'request failed');
    expect(errors, JSON.stringify(errors)).toHaveLength(1);
    expect(errors[0]).toMatchObject({ route: '/api/leads', error: { code: '22P02' } });
    for (const secret of [PHONE, PHONE_DIGITS, NAME, SURNAME, PASSWORD, '?']) {
      if (secret === '?') {
        expect(text).not.toMatch(/"(url|route)":"[^"]*\?/);
        continue;
      }
      expect(text, secret).not.toContain(secret);
    }
    // Every request was logged with its route pattern.
    const routes = logLines
      .map((l) => (JSON.parse(l) as { msg: string; route?: string }).route)
      .filter(Boolean);
    expect(routes).toEqual(expect.arrayContaining(['/api/leads', '/api/leads/:id']));
  });
});
