import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import type { ServerMessage } from '@ringside/protocol';
import { startSimPbx, type SimPbx } from '@ringside/sim';
import { hashPassword } from '../../src/http/auth.js';
import { systemClock } from '../../src/ports/clock.js';
import { startApi } from '../../src/roles/api.js';
import type { RunningRole } from '../../src/roles/context.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { apiTestConfig } from '../helpers/api-config.js';
import { ROLE_TEST_PASSWORD, freePort, signInOver } from '../helpers/http.js';
import { redisTestContext, type RedisTestContext } from '../redis/redis-harness.js';
import { TestClient } from '../ws/client.js';

/**
 * Two api processes behind one address behave as one (docs/scaling.md, "Every role twice"): two
 * api roles as main.ts starts them, each with its own HTTP server and WebSocket gateway, on one
 * database and Redis. A session made on one is good on the other; an agent whose socket is on A
 * sees what was done through B; a supervisor on A sees an agent working through B, and a force
 * pause sent through A reaches that agent's socket on B.
 */
let db: TestDb;
let rc: RedisTestContext;
let pbx: SimPbx;
const apis: RunningRole[] = [];
const base: string[] = [];
let campaignId: string;

beforeAll(async () => {
  db = await createTestDb('ha_api');
  rc = await redisTestContext('ha_api');
  pbx = await startSimPbx({ port: 0, anyEndpoint: true });
  const c = await db.pool.query<{ id: string }>(
    `INSERT INTO campaigns (name, active) VALUES ('ha', true) RETURNING id::text`,
  );
  campaignId = c.rows[0]?.id ?? '';
  await db.pool.query(`INSERT INTO lists (campaign_id, name) VALUES ($1, 'l')`, [campaignId]);
  await db.pool.query(`INSERT INTO pause_codes (code, name) VALUES ('BREAK', 'Break')`);
  const hash = await hashPassword(ROLE_TEST_PASSWORD);
  await db.pool.query(
    `INSERT INTO users (username, display_name, role, password_hash) VALUES
       ('agent1', 'A1', 'agent', $1), ('agent2', 'A2', 'agent', $1),
       ('super', 'S', 'supervisor', $1)`,
    [hash],
  );
  for (let i = 0; i < 2; i++) {
    const port = await freePort();
    apis.push(
      await startApi({
        config: apiTestConfig(rc.prefix, port),
        logger: pino({ level: 'silent' }),
        pool: db.pool,
        clock: systemClock,
        ariServers: [
          { id: 'sim', baseUrl: pbx.ariUrl, user: 'ringside', password: 'ringside', app: 'dialer' },
        ],
      }),
    );
    base.push(`http://127.0.0.1:${port}`);
  }
});

afterAll(async () => {
  for (const a of apis) await a.stop();
  await pbx?.stop();
  await rc?.cleanup();
  await db?.drop();
});

async function post(at: string, token: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${at}${path}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

async function socket(at: string, token: string, data: object = {}): Promise<TestClient> {
  const c = await TestClient.connect(`${at.replace('http', 'ws')}/ws`, token);
  c.send('subscribe', data);
  await c.waitFor((m) => m.type === 'snapshot');
  return c;
}

const stateEvent =
  (username: string, ids: Map<string, string>, to: string) =>
  (m: ServerMessage): boolean =>
    m.type === 'event' &&
    m.data.event.type === 'agent.state_changed' &&
    m.data.event.agentId === ids.get(username) &&
    m.data.event.to === to;

describe('two api processes', () => {
  it('share sessions, and each socket sees what was done through the other', async () => {
    const [a, b] = base as [string, string];
    const ids = new Map(
      (
        await db.pool.query<{ id: string; username: string }>(
          'SELECT id::text, username FROM users',
        )
      ).rows.map((r) => [r.username, r.id]),
    );
    // Signed in through A; the same token is good on B (one session secret in PostgreSQL).
    const agent1 = await signInOver(a, 'agent1');
    const agent2 = await signInOver(b, 'agent2');
    const sup = await signInOver(b, 'super');
    const me = await fetch(`${b}/api/agent/session`, {
      headers: { authorization: `Bearer ${agent1}` },
    });
    expect(me.status).toBe(200);

    // agent1's socket on A; its login and its READY go through B.
    const ws1 = await socket(a, agent1);
    const supWs = await socket(a, sup, { campaignId });
    expect((await post(b, agent1, '/api/agent/session/login', { campaignId })).status).toBe(200);
    expect((await post(b, agent1, '/api/agent/session/ready')).status).toBe(200);
    await ws1.waitFor(stateEvent('agent1', ids, 'READY'));

    // agent2 works through B only; the supervisor on A sees it.
    const ws2 = await socket(b, agent2);
    expect((await post(b, agent2, '/api/agent/session/login', { campaignId })).status).toBe(200);
    expect((await post(b, agent2, '/api/agent/session/ready')).status).toBe(200);
    await supWs.waitFor(stateEvent('agent2', ids, 'READY'));
    await supWs.waitFor(stateEvent('agent1', ids, 'READY'));

    // A force pause sent through A reaches agent2's socket on B, and the supervisor on A.
    const forced = await post(a, sup, `/api/supervisor/agents/${ids.get('agent2')}/pause`, {
      code: 'BREAK',
    });
    expect(forced.status).toBe(200);
    await ws2.waitFor(stateEvent('agent2', ids, 'PAUSED'));
    await supWs.waitFor(stateEvent('agent2', ids, 'PAUSED'));

    // A fresh socket on B gets a snapshot with both agents as they are now.
    const supB = await TestClient.connect(`${b.replace('http', 'ws')}/ws`, sup);
    supB.send('subscribe', { campaignId });
    const snap = await supB.waitFor((m) => m.type === 'snapshot');
    const text = JSON.stringify(snap);
    expect(text).toContain(`"agentId":"${ids.get('agent1')}"`);
    expect(text).toContain(`"agentId":"${ids.get('agent2')}"`);
    for (const c of [ws1, ws2, supWs, supB]) c.close();
  });
});
