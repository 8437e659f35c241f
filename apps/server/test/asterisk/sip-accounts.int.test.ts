import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRequest, checkResponse, formatIssues, type ConfigTuple } from '@ringside/ari';
import { startSimPbx, type SimPbx } from '@ringside/sim';
import { AriError } from '../../src/adapters/asterisk/ari-error.js';
import { AriRestClient } from '../../src/adapters/asterisk/ari-client.js';
import { hashPassword } from '../../src/http/auth.js';
import { systemClock } from '../../src/ports/clock.js';
import { startApi } from '../../src/roles/api.js';
import type { RunningRole } from '../../src/roles/context.js';
import {
  SipAccountService,
  webrtcAgentObjects,
} from '../../src/services/telephony/sip-accounts.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { apiTestConfig } from '../helpers/api-config.js';
import { ROLE_TEST_PASSWORD, freePort, signInOver } from '../helpers/http.js';
import { redisTestContext, type RedisTestContext } from '../redis/redis-harness.js';

/**
 * WebRTC agents' SIP accounts on a real-Asterisk configuration (ARI_URL set), with the simulated
 * PBX answering ARI's dynamic configuration as Asterisk does: the api role (roles/api.ts, as
 * main.ts starts it) writes each agent's endpoint/auth/aor with a fresh password per
 * GET /api/agent/phone. Every ARI request goes through a recording proxy and is judged against
 * Asterisk's description.
 */

interface Exchange {
  method: string;
  path: string;
  body: unknown;
  status: number;
  response: unknown;
}

let db: TestDb;
let rc: RedisTestContext;
let pbx: SimPbx;
let proxy: http.Server;
let api: RunningRole;
let base: string;
let ariUrl: string;
const exchanges: Exchange[] = [];
const logLines: string[] = [];

const parse = (text: string): unknown => (text ? (JSON.parse(text) as unknown) : undefined);

/** Forwards to the simulated PBX and keeps every request and answer. */
async function startRecordingProxy(target: string): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      void fetch(`${target}${req.url ?? ''}`, {
        method: req.method ?? 'GET',
        headers: {
          authorization: req.headers.authorization ?? '',
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        ...(body ? { body } : {}),
      }).then(async (r) => {
        const text = await r.text();
        exchanges.push({
          method: req.method ?? 'GET',
          path: req.url ?? '',
          body: parse(body),
          status: r.status,
          response: parse(text),
        });
        res.writeHead(r.status, text ? { 'content-type': 'application/json' } : {});
        res.end(text);
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return server;
}

const signIn = (username: string) => signInOver(base, username);
/** The TURN REST API secret the test's TURN server would share; never sent, never logged. */
const TURN_SECRET = 'turn-secret-shared-with-coturn';

async function phone(token: string): Promise<{ status: number; body: unknown }> {
  const r = await fetch(`${base}/api/agent/phone`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return { status: r.status, body: await r.json() };
}

const attr = (fields: ConfigTuple[] | null, attribute: string) =>
  fields?.find((f) => f.attribute === attribute)?.value;

beforeAll(async () => {
  db = await createTestDb('sipacc');
  rc = await redisTestContext('sipacc');
  pbx = await startSimPbx({
    port: 0,
    // deploy/asterisk/pjsip.conf's hand-written example phone: readable, not writable over ARI.
    staticConfig: webrtcAgentObjects('agent1', 'agent1-change-me').map((o) => ({
      configClass: 'res_pjsip',
      ...o,
    })),
  });
  proxy = await startRecordingProxy(pbx.url);
  ariUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/ari`;
  const hash = await hashPassword(ROLE_TEST_PASSWORD);
  await db.pool.query(
    `INSERT INTO users (username, display_name, role, password_hash, phone_type, sip_endpoint)
     VALUES ('agent7', 'A7', 'agent', $1, 'webrtc', NULL),
            ('ext1', 'E1', 'agent', $1, 'sip', 'PJSIP/ext1'),
            ('agent1', 'A1', 'agent', $1, 'webrtc', NULL),
            ('boss', 'Admin', 'admin', $1, 'webrtc', NULL)`,
    [hash],
  );
  const port = await freePort();
  const config = apiTestConfig(rc.prefix, port, {
    ARI_URL: ariUrl,
    ICE_SERVERS: 'stun:stun.example.com:3478,turns:turn.example.com:5349',
    TURN_SECRET: TURN_SECRET,
  });
  expect(config.ari).toHaveLength(1);
  const logStream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logLines.push(chunk.toString('utf8'));
      cb();
    },
  });
  api = await startApi({
    config,
    logger: pino({ level: 'trace' }, logStream),
    pool: db.pool,
    clock: systemClock,
    ariServers: config.ari,
  });
  base = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  await api?.stop();
  await new Promise<void>((r) => (proxy ? proxy.close(() => r()) : r()));
  await pbx?.stop();
  await rc?.cleanup();
  await db?.drop();
});

describe('WebRTC agent accounts over ARI dynamic configuration', () => {
  const passwords: string[] = [];

  it('GET /api/agent/phone gives a WebRTC agent an account whose endpoint, auth and aor are in Asterisk', async () => {
    const token = await signIn('agent7');
    const r = await phone(token);
    expect(r.status).toBe(200);
    const { sip } = r.body as { mode: string; sip: { password: string } };
    expect(r.body).toEqual({
      mode: 'webrtc',
      sip: {
        wsUri: 'wss://127.0.0.1:8089/ws',
        uri: 'sip:agent7@127.0.0.1',
        password: expect.stringMatching(/^[A-Za-z0-9_-]{24}$/) as unknown,
        loginExten: 'login',
        iceServers: [
          { urls: 'stun:stun.example.com:3478' },
          {
            urls: ['turns:turn.example.com:5349'],
            username: expect.stringMatching(/^\d{10}:agent7$/) as unknown,
            credential: expect.stringMatching(/^[A-Za-z0-9+/]{27}=$/) as unknown,
          },
        ],
      },
    });
    // The TURN credentials expire 12 h from now and are what the TURN server will compute.
    const turn = (
      r.body as { sip: { iceServers: Array<{ username?: string; credential?: string }> } }
    ).sip.iceServers[1];
    const expiry = Number(turn?.username?.split(':')[0]);
    expect(Math.abs(expiry - (Date.now() / 1000 + 43_200))).toBeLessThan(300);
    expect(turn?.credential).toBe(
      createHmac('sha1', TURN_SECRET)
        .update(turn?.username ?? '')
        .digest('base64'),
    );
    passwords.push(sip.password);

    const auth = pbx.config.object('res_pjsip', 'auth', 'agent7');
    expect(attr(auth, 'password')).toBe(sip.password);
    expect(attr(auth, 'username')).toBe('agent7');
    expect(attr(auth, 'auth_type')).toBe('userpass');
    const endpoint = pbx.config.object('res_pjsip', 'endpoint', 'agent7');
    expect(attr(endpoint, 'webrtc')).toBe('yes');
    expect(attr(endpoint, 'context')).toBe('agents');
    expect(attr(endpoint, 'auth')).toBe('agent7');
    expect(attr(endpoint, 'aors')).toBe('agent7');
    const aor = pbx.config.object('res_pjsip', 'aor', 'agent7');
    expect(attr(aor, 'max_contacts')).toBe('1');
    expect(attr(aor, 'remove_existing')).toBe('yes');
  });

  it('a second request rotates the password: Asterisk holds only the newest', async () => {
    const token = await signIn('agent7');
    const r = await phone(token);
    const { sip } = r.body as { sip: { password: string } };
    expect(sip.password).not.toBe(passwords[0]);
    passwords.push(sip.password);
    // Read back over ARI too (GET /asterisk/config/dynamic/...).
    const ari = new AriRestClient({ baseUrl: ariUrl, user: 'ringside', password: 'ringside' });
    expect(attr(await ari.getConfigObject('res_pjsip', 'auth', 'agent7'), 'password')).toBe(
      sip.password,
    );
    ari.close();
  });

  it('an agent with an external SIP phone gets no account, and nothing is written for it', async () => {
    const writesBefore = exchanges.filter((e) => e.method === 'PUT').length;
    const r = await phone(await signIn('ext1'));
    expect(r).toEqual({ status: 200, body: { mode: 'external', sip: null } });
    expect(exchanges.filter((e) => e.method === 'PUT').length).toBe(writesBefore);
    for (const type of ['endpoint', 'auth', 'aor']) {
      expect(pbx.config.object('res_pjsip', type, 'ext1')).toBeNull();
    }
  });

  it('a user named like a pjsip.conf endpoint gets a 409 that says why; the static phone is untouched', async () => {
    const r = await phone(await signIn('agent1'));
    expect(r.status).toBe(409);
    expect(JSON.stringify(r.body)).toMatch(/pjsip\.conf/);
    expect(attr(pbx.config.object('res_pjsip', 'auth', 'agent1'), 'password')).toBe(
      'agent1-change-me',
    );
  });

  it('every ARI request and answer matches Asterisk’s description', () => {
    const config = exchanges.filter((e) => e.path.includes('/asterisk/config/dynamic/'));
    // Two phone requests of agent7 (3 PUTs each), the GET, agent1's refused PUT.
    expect(
      config.map((e) => `${e.method} ${e.path.split('/').slice(-2).join('/')} ${e.status}`),
    ).toEqual([
      'PUT auth/agent7 200',
      'PUT aor/agent7 200',
      'PUT endpoint/agent7 200',
      'PUT auth/agent7 200',
      'PUT aor/agent7 200',
      'PUT endpoint/agent7 200',
      'GET auth/agent7 200',
      'PUT auth/agent1 403',
    ]);
    for (const e of exchanges) {
      const req = checkRequest(e.method, e.path, undefined, e.body);
      expect(req.ok, `${e.method} ${e.path}\n${formatIssues(req)}`).toBe(true);
      const res = checkResponse(e.method, e.path.split('?')[0] ?? '', e.status, e.response);
      expect(res.ok, `${e.method} ${e.path} ${e.status}\n${formatIssues(res)}`).toBe(true);
    }
  });

  it('the passwords (and the TURN secret) are in no log line and no PostgreSQL row', async () => {
    expect(passwords).toHaveLength(2);
    expect(logLines.length).toBeGreaterThan(0);
    const logs = logLines.join('');
    expect(logs).toContain('softphone account written to Asterisk');
    expect(logs).not.toContain(TURN_SECRET);
    const tables = await db.pool.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables
        WHERE table_schema = $1 AND table_type = 'BASE TABLE'`,
      [db.schema],
    );
    expect(tables.rows.length).toBeGreaterThan(5);
    for (const pw of passwords) {
      expect(logs).not.toContain(pw);
      for (const { table_name: t } of tables.rows) {
        const hit = await db.pool.query(
          `SELECT 1 FROM ${db.schema}."${t}" AS r WHERE r::text LIKE '%' || $1 || '%' LIMIT 1`,
          [pw],
        );
        expect(hit.rowCount, `${t}`).toBe(0);
      }
    }
  });

  it('remove() deletes the endpoint, aor and auth (GET then answers 404)', async () => {
    const ari = new AriRestClient({ baseUrl: pbx.ariUrl, user: 'ringside', password: 'ringside' });
    const svc = new SipAccountService({
      ari,
      settings: { wsUri: 'wss://x/ws', domain: 'x', iceServers: [] },
      logger: pino({ level: 'silent' }),
    });
    await svc.remove({ id: '0', username: 'agent7' });
    for (const type of ['endpoint', 'auth', 'aor']) {
      const err = await ari.getConfigObject('res_pjsip', type, 'agent7').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AriError);
      expect((err as AriError).status).toBe(404);
    }
    // Removing again is fine.
    await svc.remove({ id: '0', username: 'agent7' });
    ari.close();
  });

  it('deactivating a user removes its phone account from Asterisk', async () => {
    const token = await signIn('agent7');
    expect((await phone(token)).status).toBe(200);
    expect(pbx.config.object('res_pjsip', 'endpoint', 'agent7')).not.toBeNull();
    const id = (
      await db.pool.query<{ id: string }>(`SELECT id FROM users WHERE username = 'agent7'`)
    ).rows[0]?.id;
    const r = await fetch(`${base}/api/users/${id}`, {
      method: 'PATCH',
      headers: {
        authorization: `Bearer ${await signIn('boss')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ active: false }),
    });
    expect(r.status).toBe(200);
    for (const type of ['endpoint', 'aor', 'auth'])
      expect(pbx.config.object('res_pjsip', type, 'agent7'), type).toBeNull();
    // And no new one is written for it: the phone request is refused with the session.
    expect((await phone(token)).status).toBe(401);
    expect(pbx.config.object('res_pjsip', 'endpoint', 'agent7')).toBeNull();
  });
});

// A unit check beside the integration ones: it needs the ARI client (an adapter) and the
// service's objects together, which no file under src/ may import both of.
describe('webrtcAgentObjects over ARI', () => {
  it('every PUT it implies is a request the ARI description accepts', () => {
    for (const o of webrtcAgentObjects('agent.7_x-y', 'p')) {
      const req = AriRestClient.build('asterisk.updateObject', {
        configClass: 'res_pjsip',
        objectType: o.objectType,
        id: o.id,
        fields: o.fields as unknown as Record<string, unknown>,
      });
      const r = checkRequest(req.method, req.path, req.query, req.body);
      expect(r.ok, formatIssues(r)).toBe(true);
      expect(req.path).toBe(`/asterisk/config/dynamic/res_pjsip/${o.objectType}/agent.7_x-y`);
    }
  });
});
