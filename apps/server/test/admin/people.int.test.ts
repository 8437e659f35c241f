import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentId, CampaignId, ErrorBody, UserView } from '@ringside/protocol';
import { createCampaignsRepo, mapCheckViolation } from '../../src/adapters/postgres/campaigns.js';
import { createDb } from '../../src/adapters/postgres/database.js';
import { createTeamsRepo } from '../../src/adapters/postgres/teams.js';
import { createUsersRepo } from '../../src/adapters/postgres/users.js';
import { buildApp } from '../../src/http/app.js';
import { bearer, createHarness, PASSWORD, type Harness } from '../http/harness.js';

/**
 * Admin routes for users and teams against the real PostgreSQL and Redis: the http harness's
 * dependencies plus the admin repositories (as roles/api.ts wires them).
 */

let h: Harness;
let app: FastifyInstance;
let tokens: Record<'admin' | 'supervisor' | 'agent', string>;

async function login(username: string, password = PASSWORD): Promise<string> {
  const r = await app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { username, password },
  });
  if (r.statusCode !== 200) throw new Error(`login ${username}: ${r.statusCode}`);
  return (r.json() as { token: string }).token;
}

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
const call = (token: string | null, method: Method, url: string, payload?: unknown) =>
  app.inject({
    method,
    url,
    ...(token && { headers: bearer(token) }),
    ...(payload !== undefined && { payload: payload as Record<string, unknown> }),
  });
const asAdmin = (method: Method, url: string, payload?: unknown) =>
  call(tokens.admin, method, url, payload);
const err = (body: string) => (JSON.parse(body) as ErrorBody).error;
/** Newest first by numeric id (audit.list orders by the id as text: "9" before "10"). */
const audits = async (target: string) =>
  (await h.deps.audit.list({ target }))
    .sort((a, b) => Number(b.id) - Number(a.id))
    .map((e) => ({ action: e.action, detail: e.detail }));

beforeAll(async () => {
  h = await createHarness({ loginPerIpPerMinute: 200 });
  app = await buildApp({
    ...h.deps,
    admin: {
      users: createUsersRepo(h.db.pool),
      teams: createTeamsRepo(h.db.pool),
      campaigns: createCampaignsRepo(createDb(h.db.pool)),
    },
  });
  await app.ready();
  tokens = {
    admin: await login('admin'),
    supervisor: await login('super'),
    agent: await login('agent1'),
  };
});
afterAll(async () => {
  await app?.close();
  await h?.close();
});

describe('admin routes: who may call them', () => {
  const routes: Array<[Method, string, unknown?]> = [
    ['GET', '/api/users'],
    ['GET', '/api/users/1'],
    ['POST', '/api/users', {}],
    ['PATCH', '/api/users/1', { displayName: 'x' }],
    ['POST', '/api/users/1/deactivate'],
    ['POST', '/api/users/1/password', { password: 'long enough password' }],
    ['GET', '/api/teams'],
    ['POST', '/api/teams', { name: 'x' }],
    ['PATCH', '/api/teams/1', { name: 'x' }],
    ['DELETE', '/api/teams/1'],
    ['POST', '/api/campaigns', { name: 'x' }],
    ['PATCH', '/api/campaigns/1', { dialLevel: 2 }],
    ['GET', '/api/campaigns/1/recycle-rules'],
    ['PUT', '/api/campaigns/1/recycle-rules', { rules: [] }],
    ['GET', '/api/audit'],
  ];

  it('answers 403 to agents and supervisors and 401 without a session, changing nothing', async () => {
    const usersBefore = await h.deps.users.findById(h.users.admin.id);
    for (const [method, url, body] of routes) {
      for (const who of ['agent', 'supervisor'] as const) {
        const r = await call(tokens[who], method, url, body);
        expect(`${who} ${method} ${url} ${r.statusCode}`).toBe(`${who} ${method} ${url} 403`);
      }
      const anon = await call(null, method, url, body);
      expect(`${method} ${url} ${anon.statusCode}`).toBe(`${method} ${url} 401`);
    }
    expect(await h.deps.users.findById(h.users.admin.id)).toEqual(usersBefore);
    expect((await asAdmin('GET', '/api/teams')).json()).toEqual({ teams: [] });
  });
});

describe('users', () => {
  let teamId = '';
  let created: UserView;

  it('creates a user in a team and audits it without the password', async () => {
    teamId = ((await asAdmin('POST', '/api/teams', { name: 'Blue' })).json() as { id: string }).id;
    const r = await asAdmin('POST', '/api/users', {
      username: 'newbie',
      displayName: 'New Bie',
      role: 'agent',
      password: 'a long password',
      teamId,
    });
    expect(r.statusCode).toBe(201);
    created = r.json() as UserView;
    expect(created).toEqual({
      id: expect.any(String),
      username: 'newbie',
      displayName: 'New Bie',
      role: 'agent',
      teamId,
      phoneType: 'webrtc',
      sipEndpoint: null,
      active: true,
    });
    expect(r.body).not.toContain('argon2');
    const a = await audits(`user:${created.id}`);
    expect(a[0]).toMatchObject({ action: 'user.create', detail: { role: 'agent', teamId } });
    expect(JSON.stringify(a)).not.toMatch(/argon2|a long password/);
  });

  it('lists users filtered by role, team and active, never with password hashes', async () => {
    const all = (await asAdmin('GET', '/api/users')).json() as { users: UserView[] };
    expect(all.users.map((u) => u.username)).toEqual([
      'admin',
      'agent1',
      'agent2',
      'newbie',
      'super',
    ]);
    expect(JSON.stringify(all)).not.toContain('argon2');
    const agents = (await asAdmin('GET', '/api/users?role=agent')).json() as { users: UserView[] };
    expect(agents.users.map((u) => u.username)).toEqual(['agent1', 'agent2', 'newbie']);
    const team = (await asAdmin('GET', `/api/users?teamId=${teamId}`)).json() as {
      users: UserView[];
    };
    expect(team.users.map((u) => u.username)).toEqual(['newbie']);
    const noTeam = (await asAdmin('GET', '/api/users?teamId=none&role=supervisor')).json() as {
      users: UserView[];
    };
    expect(noTeam.users.map((u) => u.username)).toEqual(['super']);
    const inactive = (await asAdmin('GET', '/api/users?active=false')).json() as {
      users: UserView[];
    };
    expect(inactive.users).toEqual([]);
    const bad = await asAdmin('GET', '/api/users?role=boss');
    expect(bad.statusCode).toBe(400);
    expect(err(bad.body).issues?.[0]?.path).toBe('query.role');
  });

  it('reads several users in one query by id (rosters, the transfer picker)', async () => {
    const repo = createUsersRepo(h.db.pool);
    const admin = await repo.findByUsername('admin');
    const agent = await repo.findByUsername('agent1');
    const found = await repo.findByIds([
      agent?.id ?? '',
      admin?.id ?? '',
      agent?.id ?? '',
      'x',
      '999999',
    ]);
    expect([...found.keys()].sort()).toEqual([admin?.id, agent?.id].sort());
    expect(found.get(agent?.id ?? '')?.username).toBe('agent1');
    expect((await repo.findByIds([])).size).toBe(0);
  });

  it('updates display name, role, team, phone type and SIP endpoint; audits from and to', async () => {
    const r = await asAdmin('PATCH', `/api/users/${created.id}`, {
      displayName: 'Newly Named',
      role: 'supervisor',
      teamId: null,
      phoneType: 'sip',
      sipEndpoint: 'PJSIP/newbie',
    });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({
      displayName: 'Newly Named',
      role: 'supervisor',
      teamId: null,
      phoneType: 'sip',
      sipEndpoint: 'PJSIP/newbie',
    });
    const [last] = await audits(`user:${created.id}`);
    expect(last).toEqual({
      action: 'user.update',
      detail: {
        changes: {
          displayName: { from: 'New Bie', to: 'Newly Named' },
          role: { from: 'agent', to: 'supervisor' },
          teamId: { from: teamId, to: null },
          phoneType: { from: 'webrtc', to: 'sip' },
          sipEndpoint: { from: null, to: 'PJSIP/newbie' },
        },
      },
    });
  });

  it('refuses bad input with 400 naming the field and changes nothing', async () => {
    const before = await h.deps.users.findById(created.id);
    const cases: Array<[unknown, string, RegExp]> = [
      [{ displayName: '' }, 'displayName', /must not be empty/],
      [{ displayName: 'x'.repeat(101) }, 'displayName', /at most 100/],
      [{ role: 'boss' }, 'role', /./],
      [{ teamId: '999999' }, 'teamId', /no such team/],
      [{ phoneType: 'sip', sipEndpoint: null }, 'sipEndpoint', /required when the phone type/],
      [{ sipEndpoint: 'has spaces' }, 'sipEndpoint', /SIP endpoint/],
      // A SIP URI alone is nothing Asterisk can dial (the agent's leg would fail at every login).
      [{ sipEndpoint: 'sip:104@pbx.example.com' }, 'sipEndpoint', /dial string/],
      [{ password: 'x' }, '(root)', /Unrecognized key/],
      [{}, '(root)', /at least one field/],
    ];
    for (const [payload, path, message] of cases) {
      const r = await asAdmin('PATCH', `/api/users/${created.id}`, payload);
      expect(`${JSON.stringify(payload)} ${r.statusCode}`).toBe(`${JSON.stringify(payload)} 400`);
      const issue = err(r.body).issues?.find((i) => i.path === path);
      expect(issue?.message, JSON.stringify(payload)).toMatch(message);
    }
    expect(await h.deps.users.findById(created.id)).toEqual(before);
    const short = await asAdmin('POST', `/api/users/${created.id}/password`, { password: 'short' });
    expect(err(short.body).issues?.[0]).toEqual({
      path: 'password',
      message: 'must be at least 10 characters',
    });
    const dup = await asAdmin('POST', '/api/users', {
      username: 'agent1',
      displayName: 'Dup',
      role: 'agent',
      password: 'a long password',
    });
    expect(dup.statusCode).toBe(409);
    expect(err(dup.body).message).toMatch(/^username:/);
    expect((await asAdmin('PATCH', '/api/users/999999', { displayName: 'x' })).statusCode).toBe(
      404,
    );
  });

  it('resets a password: the old one stops working, the audit row holds no hash', async () => {
    const r = await asAdmin('POST', `/api/users/${created.id}/password`, {
      password: 'a brand new password',
    });
    expect(r.statusCode).toBe(200);
    await expect(login('newbie', 'a long password')).rejects.toThrow(/401/);
    expect(await login('newbie', 'a brand new password')).toMatch(/\./);
    const [last] = await audits(`user:${created.id}`);
    expect(last).toEqual({ action: 'user.password_reset', detail: {} });
  });

  it('deactivates a logged-in agent: its session ends, its token and logins are refused', async () => {
    const agentId = h.users.agent2.id as AgentId;
    const token = await login('agent2');
    await h.deps.agentSessions.login(agentId, h.campaignId as CampaignId);
    expect((await h.store.getAgent(agentId))?.state).toBe('PAUSED');

    const r = await asAdmin('POST', `/api/users/${agentId}/deactivate`);
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ user: { active: false }, sessionEnded: true });
    expect((await h.store.getAgent(agentId))?.state ?? 'LOGGED_OUT').toBe('LOGGED_OUT');
    expect((await call(token, 'GET', '/api/me')).statusCode).toBe(401);
    await expect(login('agent2')).rejects.toThrow(/401/);
    const a = await audits(`user:${agentId}`);
    expect(a[0]).toEqual({
      action: 'user.deactivate',
      detail: { changes: { active: { from: true, to: false } } },
    });
    // No hard delete: the user is still listed, inactive, and can be reactivated.
    const inactive = (await asAdmin('GET', '/api/users?active=false')).json() as {
      users: UserView[];
    };
    expect(inactive.users.map((u) => u.username)).toEqual(['agent2']);
    expect((await asAdmin('PATCH', `/api/users/${agentId}`, { active: true })).statusCode).toBe(
      200,
    );
    expect(await login('agent2')).toMatch(/\./);
  });

  it('does not let an admin deactivate or demote its own account', async () => {
    const off = await asAdmin('POST', `/api/users/${h.users.admin.id}/deactivate`);
    expect(off.statusCode).toBe(409);
    expect(err(off.body).message).toMatch(/^active:/);
    const demote = await asAdmin('PATCH', `/api/users/${h.users.admin.id}`, { role: 'agent' });
    expect(demote.statusCode).toBe(409);
    expect((await h.deps.users.findById(h.users.admin.id))?.role).toBe('admin');
  });
});

describe('teams', () => {
  it('creates, renames and deletes a team; its users stay, without a team; all audited', async () => {
    const r = await asAdmin('POST', '/api/teams', { name: '  Red  ' });
    expect(r.statusCode).toBe(201);
    const team = r.json() as { id: string; name: string; members: number };
    expect(team).toMatchObject({ name: 'Red', members: 0 });
    await asAdmin('PATCH', `/api/users/${h.users.agent.id}`, { teamId: team.id });

    const renamed = await asAdmin('PATCH', `/api/teams/${team.id}`, { name: 'Crimson' });
    expect(renamed.json()).toEqual({ id: team.id, name: 'Crimson', members: 1 });

    const del = await asAdmin('DELETE', `/api/teams/${team.id}`);
    expect(del.statusCode).toBe(200);
    const agent = await h.deps.users.findById(h.users.agent.id);
    expect(agent).toMatchObject({ active: true, teamId: null });
    expect(await audits(`team:${team.id}`)).toEqual([
      { action: 'team.delete', detail: { name: 'Crimson', members: 1 } },
      { action: 'team.rename', detail: { changes: { name: { from: 'Red', to: 'Crimson' } } } },
      { action: 'team.create', detail: { name: 'Red' } },
    ]);
    expect((await asAdmin('DELETE', `/api/teams/${team.id}`)).statusCode).toBe(404);
  });

  it('refuses an empty, too long or taken name', async () => {
    const empty = await asAdmin('POST', '/api/teams', { name: '   ' });
    expect(empty.statusCode).toBe(400);
    expect(err(empty.body).issues?.[0]).toEqual({ path: 'name', message: 'must not be empty' });
    const long = await asAdmin('POST', '/api/teams', { name: 'x'.repeat(101) });
    expect(err(long.body).issues?.[0]?.message).toBe('must be at most 100 characters');
    await asAdmin('POST', '/api/teams', { name: 'Green' });
    const taken = await asAdmin('POST', '/api/teams', { name: 'Green' });
    expect(taken.statusCode).toBe(409);
    expect(err(taken.body).message).toMatch(/^name:/);
    const teams = (await asAdmin('GET', '/api/teams')).json() as { teams: Array<{ name: string }> };
    expect(teams.teams.map((t) => t.name)).toEqual(['Blue', 'Green']);
  });
});

describe('database CHECK violations', () => {
  it('become a ValidationError naming the API field and its limit', async () => {
    const violations: Array<[string, string, string]> = [
      ["UPDATE users SET display_name = '' WHERE id = $1", 'displayName', 'must be 1-100'],
      ["UPDATE users SET role = 'boss' WHERE id = $1", 'role', 'must be admin'],
      ["UPDATE users SET phone_type = 'pots' WHERE id = $1", 'phoneType', 'must be webrtc'],
    ];
    for (const [sql, path, message] of violations) {
      const e = await h.db.pool.query(sql, [h.users.agent.id]).catch((x: unknown) => x);
      const mapped = mapCheckViolation(e);
      expect(mapped?.issues[0]?.path).toBe(path);
      expect(mapped?.message).toContain(message);
    }
    const team = await h.db.pool
      .query("INSERT INTO teams (name) VALUES ('')")
      .catch((x: unknown) => x);
    expect(mapCheckViolation(team)?.issues[0]).toEqual({
      path: 'name',
      message: 'must be 1-100 characters',
    });
  });
});
