import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppConfig } from '../../src/http/deps.js';
import { buildApp } from '../../src/http/app.js';
import { createHarness, PASSWORD, type Harness } from './harness.js';

/**
 * Issue 12 point 7: TRUST_PROXY decides whose address counts; wrong passwords slow down their
 * (username, address) pair without locking the real user out; failed and refused logins are
 * logged with username and address, never the password.
 */
let h: Harness;
const lines: Array<Record<string, unknown>> = [];
const raw: string[] = [];
const capture = new Writable({
  write(chunk: Buffer, _enc, done) {
    for (const l of chunk.toString('utf8').split('\n').filter(Boolean)) {
      raw.push(l);
      lines.push(JSON.parse(l) as Record<string, unknown>);
    }
    done();
  },
});

beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h?.close());

async function appWith(config: Partial<AppConfig>): Promise<FastifyInstance> {
  const app = await buildApp({
    ...h.deps,
    logger: pino({ level: 'info' }, capture),
    config: { ...h.deps.config, ...config },
  });
  await app.ready();
  return app;
}

const login = (
  app: FastifyInstance,
  username: string,
  password: string,
  remoteAddress: string,
  forwardedFor?: string,
) =>
  app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { username, password },
    remoteAddress,
    headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {},
  });

describe('TRUST_PROXY', () => {
  it('off (default): X-Forwarded-For is ignored, so it cannot dodge the per-address limit', async () => {
    const app = await appWith({ loginPerIpPerMinute: 5 });
    const codes: number[] = [];
    for (let i = 0; i < 7; i++) {
      codes.push((await login(app, `nobody${i}`, 'x', '10.9.0.1', `198.51.100.${i}`)).statusCode);
    }
    await app.close();
    expect(codes).toEqual([401, 401, 401, 401, 401, 429, 429]);
  });

  it('one hop: each client behind the proxy has its own limit, and the right password works', async () => {
    const app = await appWith({ loginPerIpPerMinute: 5, trustProxy: 1 });
    const attacker: number[] = [];
    for (let i = 0; i < 7; i++) {
      attacker.push((await login(app, `x${i}`, 'x', '10.9.0.1', '203.0.113.66')).statusCode);
    }
    // Without TRUST_PROXY the whole site shared the proxy's budget: the admin got 429 here.
    const admin = await login(app, 'admin', PASSWORD, '10.9.0.1', '192.0.2.10');
    await app.close();
    expect(attacker).toEqual([401, 401, 401, 401, 401, 429, 429]);
    expect(admin.statusCode).toBe(200);
  });

  it('a list of proxy addresses: X-Forwarded-For counts only from those', async () => {
    const app = await appWith({ loginPerIpPerMinute: 100, trustProxy: ['10.9.0.1'] });
    lines.length = 0;
    await login(app, 'ghost', 'nope', '10.9.0.1', '192.0.2.77');
    await login(app, 'ghost', 'nope', '10.9.0.2', '192.0.2.78');
    await app.close();
    const failed = lines.filter((l) => l.event === 'login_failed').map((l) => l.address);
    expect(failed).toEqual(['192.0.2.77', '10.9.0.2']);
  });
});

describe('wrong passwords', () => {
  it('slow down the (username, address) pair but never lock the real user out', async () => {
    const app = await appWith({
      loginPerIpPerMinute: 1000,
      loginGuard: { freeFailures: 3, baseDelayMs: 60_000 },
    });
    lines.length = 0;
    raw.length = 0;
    const attempts: number[] = [];
    for (let i = 0; i < 5; i++) {
      attempts.push((await login(app, 'admin', `guess-${i}-secret`, '203.0.113.9')).statusCode);
    }
    // Even the right password waits from the guessing address...
    const fromAttacker = await login(app, 'admin', PASSWORD, '203.0.113.9');
    // ...but the admin at its own address signs in.
    const fromAdmin = await login(app, 'admin', PASSWORD, '192.0.2.10');
    await app.close();

    expect(attempts).toEqual([401, 401, 401, 429, 429]);
    expect(fromAttacker.statusCode).toBe(429);
    expect(Number(fromAttacker.headers['retry-after'])).toBeGreaterThan(0);
    expect(fromAdmin.statusCode).toBe(200);

    const failed = lines.filter((l) => l.event === 'login_failed');
    expect(failed).toHaveLength(3);
    expect(failed[0]).toMatchObject({ username: 'admin', address: '203.0.113.9', level: 40 });
    const locked = lines.filter((l) => l.event === 'login_locked');
    expect(locked).toHaveLength(3);
    expect(locked[0]).toMatchObject({
      username: 'admin',
      address: '203.0.113.9',
      scope: 'username',
    });
    const text = raw.join('\n');
    expect(text).not.toContain('secret');
    expect(text).not.toContain(PASSWORD);
  });

  it('from one address, for many usernames, lock that address hard', async () => {
    const app = await appWith({ loginPerIpPerMinute: 1000, loginGuard: { addressFailures: 4 } });
    lines.length = 0;
    const codes: number[] = [];
    for (let i = 0; i < 5; i++)
      codes.push((await login(app, `u${i}`, 'x', '203.0.113.50')).statusCode);
    const elsewhere = await login(app, 'admin', PASSWORD, '192.0.2.11');
    await app.close();
    expect(codes).toEqual([401, 401, 401, 401, 429]);
    expect(elsewhere.statusCode).toBe(200);
    expect(lines.find((l) => l.event === 'login_locked')).toMatchObject({
      scope: 'address',
      address: '203.0.113.50',
      username: 'u4',
    });
  });
});
