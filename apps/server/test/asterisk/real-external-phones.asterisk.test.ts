import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../e2e/system.js';
import { asteriskChannels, startRealSystem, type RealSystem } from './real-system.js';

/**
 * External phones on the real Asterisk (npm run test:asterisk): the agent's leg dials
 * users.sip_endpoint, here the test-only context sim-agent-phones (deploy/asterisk/
 * extensions.conf), through the HTTP API the panel and the bots use; a phone Asterisk does not
 * know gets that agent a 409 naming the cause (Asterisk's 500 "Allocation failed"), and the other
 * agents' phones come up regardless. The restart re-call is in real-floor.asterisk.test.ts.
 */

let sys: RealSystem;

async function signIn(username: string): Promise<string> {
  const r = await fetch(`${sys.apiUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: DEMO_PASSWORD }),
  });
  expect(r.status).toBe(200);
  return ((await r.json()) as { token: string }).token;
}

async function post(token: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${sys.apiUrl}${path}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function loggedIn(username: string): Promise<string> {
  const token = await signIn(username);
  const r = await post(token, '/api/agent/session/login', { campaignId: sys.seed.campaignId });
  expect(r.status).toBe(200);
  return token;
}

beforeAll(async () => {
  sys = await startRealSystem({ agents: 4, leads: 5, campaign: { dial_method: 'manual' } });
  await sys.db.pool.query(
    `UPDATE users SET phone_type = 'sip', sip_endpoint = CASE username
        WHEN 'agent2' THEN 'Local/agent2@sim-agent-phones'
        WHEN 'agent3' THEN 'PJSIP/ringside-no-such-phone'
        WHEN 'agent4' THEN 'ringside-no-such-phone' END
      WHERE username IN ('agent2', 'agent3', 'agent4')`,
  );
});

afterAll(async () => {
  await sys?.stop();
});

describe('external phones on a real Asterisk', () => {
  it('a phone Asterisk does not know: 409 with the cause, and another agent’s phone still comes up', async () => {
    for (const username of ['agent3', 'agent4']) {
      const r = await post(await loggedIn(username), '/api/agent/phone/connect');
      expect(r.status, username).toBe(409);
      const body = (await r.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('PHONE_UNREACHABLE');
      expect(body.error.message).toContain('Allocation failed');
      expect(body.error.message).not.toContain('ringside-no-such-phone');
    }
    const token = await loggedIn('agent2');
    const r = await post(token, '/api/agent/phone/connect');
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ leg: 'up' });
    const names = (await asteriskChannels(sys.ari)).map((c) => c.name);
    expect(names.some((n) => n.startsWith('Local/agent2@sim-agent-phones-'))).toBe(true);
    await post(token, '/api/agent/session/logout');
  });
});
