import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import type { ServerMessage } from '@ringside/protocol';
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
 * The sample load balancer (deploy/haproxy/haproxy.cfg) in front of two api roles, when HAProxy is
 * installed (Debian's `haproxy` package; skipped otherwise): its servers pointed at the two api
 * processes on loopback, everything else as shipped. Sign-in, a WebSocket and HTTP through the
 * one address; one api process stopped, the socket reopened through the same address reaches the
 * other and the agent's state is there.
 */

const haproxy = (() => {
  try {
    execFileSync('haproxy', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const sample = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../../../deploy/haproxy/haproxy.cfg',
);

let db: TestDb;
let rc: RedisTestContext;
const apis: RunningRole[] = [];
let proxy: ChildProcess | null = null;
let dir = '';
let front = '';
let campaignId = '';

beforeAll(async () => {
  if (!haproxy) return;
  db = await createTestDb('ha_lb');
  rc = await redisTestContext('ha_lb');
  const c = await db.pool.query<{ id: string }>(
    `INSERT INTO campaigns (name, active) VALUES ('lb', true) RETURNING id::text`,
  );
  campaignId = c.rows[0]?.id ?? '';
  await db.pool.query(`INSERT INTO lists (campaign_id, name) VALUES ($1, 'l')`, [campaignId]);
  await db.pool.query(
    `INSERT INTO users (username, display_name, role, password_hash) VALUES ('agent1', 'A1', 'agent', $1)`,
    [await hashPassword(ROLE_TEST_PASSWORD)],
  );
  const ports = [await freePort(), await freePort()];
  for (const port of ports) {
    apis.push(
      await startApi({
        config: apiTestConfig(rc.prefix, port, { TRUST_PROXY: '127.0.0.1' }),
        logger: pino({ level: 'silent' }),
        pool: db.pool,
        clock: systemClock,
        ariServers: [],
      }),
    );
  }
  const frontPort = await freePort();
  let cfg = readFileSync(sample, 'utf8')
    .replace(/^(\s*)bind :80$/m, `$1bind 127.0.0.1:${frontPort}`)
    .replace(/10\.0\.0\.31:8080/g, `127.0.0.1:${ports[0]}`)
    .replace(/10\.0\.0\.32:8080/g, `127.0.0.1:${ports[1]}`);
  expect(cfg).toContain(`127.0.0.1:${ports[1]}`);
  // Faster health checks than the sample, so the test does not wait 4 s for a server to go down.
  cfg = cfg.replace(/inter 2s fall 2 rise 2/g, 'inter 200ms fall 1 rise 1');
  dir = mkdtempSync(join(tmpdir(), 'ringside-haproxy-'));
  writeFileSync(join(dir, 'haproxy.cfg'), cfg);
  proxy = spawn('haproxy', ['-db', '-f', join(dir, 'haproxy.cfg')], { stdio: 'ignore' });
  front = `http://127.0.0.1:${frontPort}`;
  for (let i = 0; ; i++) {
    const ok = await fetch(`${front}/health`).then(
      () => true,
      () => false,
    );
    if (ok) break;
    if (i > 100) throw new Error('haproxy did not answer');
    await new Promise((r) => setTimeout(r, 50));
  }
});

afterAll(async () => {
  proxy?.kill('SIGKILL');
  for (const a of apis) await a.stop().catch(() => undefined);
  if (dir) rmSync(dir, { recursive: true, force: true });
  await rc?.cleanup();
  await db?.drop();
});

describe.skipIf(!haproxy)('two api processes behind the sample HAProxy', () => {
  it('sign-in, WebSocket and HTTP through one address; a stopped api process is routed around', async () => {
    const token = await signInOver(front, 'agent1');
    const ws = await TestClient.connect(`${front.replace('http', 'ws')}/ws`, token);
    ws.send('subscribe', {});
    await ws.waitFor((m) => m.type === 'snapshot');
    const post = (path: string, body?: unknown) =>
      fetch(`${front}${path}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    expect((await post('/api/agent/session/login', { campaignId })).status).toBe(200);
    // The login and the READY may go to either process (leastconn); the socket sees the change.
    expect((await post('/api/agent/session/ready')).status).toBe(200);
    await ws.waitFor(
      (m: ServerMessage) =>
        m.type === 'event' &&
        m.data.event.type === 'agent.state_changed' &&
        m.data.event.to === 'READY',
    );
    // One api process goes away: the proxy routes around it, a new socket reaches the other.
    await (apis.shift() as RunningRole).stop();
    ws.close();
    let again: TestClient | null = null;
    for (let i = 0; i < 50 && !again; i++) {
      again = await TestClient.connect(`${front.replace('http', 'ws')}/ws`, token).catch(
        () => null,
      );
      if (!again) await new Promise((r) => setTimeout(r, 100));
    }
    expect(again).not.toBeNull();
    const client = again as TestClient;
    client.send('subscribe', {});
    const snap = await client.waitFor((m) => m.type === 'snapshot');
    expect(JSON.stringify(snap)).toContain('"state":"READY"');
    for (let i = 0; i < 5; i++) {
      const r = await fetch(`${front}/api/agent/session`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(r.status).toBe(200);
    }
    client.close();
  });
});
