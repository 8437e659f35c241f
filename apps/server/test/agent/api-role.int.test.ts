import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import WebSocket from 'ws';
import { startSimPbx, type SimPbx } from '@ringside/sim';
import { hashPassword } from '../../src/http/auth.js';
import { systemClock } from '../../src/ports/clock.js';
import { startApi } from '../../src/roles/api.js';
import type { RunningRole } from '../../src/roles/context.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { apiTestConfig } from '../helpers/api-config.js';
import { ROLE_TEST_PASSWORD, freePort, signInOver } from '../helpers/http.js';
import { redisTestContext, type RedisTestContext } from '../redis/redis-harness.js';

/**
 * The api role as main.ts starts it (roles/api.ts), on the simulated PBX: the agent call-control
 * routes are wired (no 503) and refuse what they must over HTTP.
 */
let db: TestDb;
let rc: RedisTestContext;
let pbx: SimPbx;
let appSocket: WebSocket;
let api: RunningRole;
let base: string;
let campaignId: string;

const signIn = (username: string) => signInOver(base, username);

async function post(token: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${base}${path}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

beforeAll(async () => {
  db = await createTestDb('apirole');
  rc = await redisTestContext('apirole');
  pbx = await startSimPbx({ port: 0, endpoints: ['agent1', 'agent2'] });
  appSocket = new WebSocket(pbx.eventsUrl);
  await new Promise<void>((resolve, reject) => {
    appSocket.once('open', () => resolve());
    appSocket.once('error', reject);
  });
  const c = await db.pool.query<{ id: string }>(
    `INSERT INTO campaigns (name, active) VALUES ('api', true) RETURNING id::text`,
  );
  campaignId = c.rows[0]?.id ?? '';
  await db.pool.query(`INSERT INTO lists (campaign_id, name) VALUES ($1, 'l')`, [campaignId]);
  const hash = await hashPassword(ROLE_TEST_PASSWORD);
  await db.pool.query(
    `INSERT INTO users (username, display_name, role, password_hash) VALUES
       ('agent1', 'A1', 'agent', $1), ('agent2', 'A2', 'agent', $1)`,
    [hash],
  );
  const port = await freePort();
  const config = apiTestConfig(rc.prefix, port);
  api = await startApi({
    config,
    logger: pino({ level: 'silent' }),
    pool: db.pool,
    clock: systemClock,
    ariServers: [
      { id: 'sim', baseUrl: pbx.ariUrl, user: 'ringside', password: 'ringside', app: 'dialer' },
    ],
  });
  base = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  await api?.stop();
  appSocket?.close();
  await pbx?.stop();
  await rc?.cleanup();
  await db?.drop();
});

describe('api role: agent call control routes', () => {
  it('phone, connect, dial and disposition routes answer (no 503) and refuse with the right codes', async () => {
    const t1 = await signIn('agent1');
    const t2 = await signIn('agent2');
    expect((await post(t1, '/api/agent/session/login', { campaignId })).status).toBe(200);
    expect((await post(t2, '/api/agent/session/login', { campaignId })).status).toBe(200);

    const phone = await fetch(`${base}/api/agent/phone`, {
      headers: { authorization: `Bearer ${t1}` },
    });
    expect(await phone.json()).toEqual({ mode: 'sim', sip: null });
    const leg = await post(t1, '/api/agent/phone/connect');
    expect(await leg.json()).toEqual({ leg: 'up' });

    await db.pool.query(`INSERT INTO dnc (phone) VALUES ('+14155550123')`);
    const refused = await post(t1, '/api/agent/dial', { phone: '+14155550123' });
    expect(refused.status).toBe(422);
    const body = (await refused.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('COMPLIANCE');
    expect(body.error.message).toMatch(/DNC|do.not.call/i);

    // Disposition of a call that is not the agent's: 403 (route); an unknown call: 404.
    const notMine = await post(t2, '/api/agent/session/disposition', {
      callId: 'cnope',
      code: 'NI',
    });
    expect(notMine.status).toBe(403);
    const hangOther = await post(t2, '/api/agent/calls/cnope/hangup');
    expect(hangOther.status).toBe(404);

    // Agent 1 dials a lead whose local time is inside the window; agent 2 cannot touch the call.
    const lead = await db.pool.query<{ id: string }>(
      `INSERT INTO leads (list_id, phone, time_zone, tz_candidates, tz_key)
       SELECT id, '+14155550142', $1, ARRAY[$1], $1 FROM lists WHERE campaign_id = $2
       RETURNING id::text`,
      [dayZone(), campaignId],
    );
    const dialed = await post(t1, '/api/agent/dial', { leadId: lead.rows[0]?.id });
    expect(dialed.status).toBe(200);
    const { call } = (await dialed.json()) as { call: { callId: string } };
    for (const [path, b] of [
      ['hangup', undefined],
      ['hold', { on: true }],
      ['dtmf', { digits: '1' }],
    ] as const) {
      const r = await post(t2, `/api/agent/calls/${call.callId}/${path}`, b);
      expect(r.status).toBe(403);
    }
    const hung = await post(t1, `/api/agent/calls/${call.callId}/hangup`);
    expect(hung.status).toBe(200);
    await db.pool.query(`INSERT INTO dispositions (code, name) VALUES ('NI', 'Not interested')`);
    const disposed = await post(t1, '/api/agent/session/disposition', {
      callId: call.callId,
      code: 'NI',
    });
    expect(disposed.status).toBe(200);
    expect(((await disposed.json()) as { agent: { state: string } }).agent.state).toBe('READY');
  });
});

/** A fixed-offset zone where it is now between 11:00 and 16:59 (inside any calling window). */
function dayZone(): string {
  for (let o = -12; o <= 14; o++) {
    const zone = o === 0 ? 'Etc/GMT' : `Etc/GMT${o > 0 ? '-' : '+'}${Math.abs(o)}`;
    const hour = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hour: 'numeric',
      hourCycle: 'h23',
    })
      .formatToParts(new Date())
      .find((p) => p.type === 'hour');
    const h = Number(hour?.value ?? -1);
    if (h >= 11 && h <= 16) return zone;
  }
  throw new Error('no day zone');
}
