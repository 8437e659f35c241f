import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentTelephony } from '../../src/http/deps.js';
import { bearer, createHarness, type Harness } from './harness.js';

/**
 * GET /api/supervisor/phone: the supervisor's phone for listen, whisper and barge. The
 * telephony port decides the account (a softphone account on a real Asterisk); the route hands
 * it to supervisors and admins only, and never gives a SIP secret to a desk-phone user.
 */
const asked: string[] = [];
let h: Harness;
let bare: Harness;

const telephony = {
  phoneConfig: async (userId: string, phoneType: 'webrtc' | 'sip') => {
    asked.push(`${userId}:${phoneType}`);
    return {
      mode: 'webrtc' as const,
      sip: {
        wsUri: 'wss://pbx.example:8089/ws',
        uri: 'sip:super@pbx.example',
        password: 'secret-from-the-port',
        loginExten: 'login',
        iceServers: [],
      },
    };
  },
} as unknown as AgentTelephony;

beforeAll(async () => {
  h = await createHarness({}, { telephony });
  bare = await createHarness();
});
afterAll(async () => {
  await h?.close();
  await bare?.close();
});

const get = (hh: Harness, token: string) =>
  hh.app.inject({ method: 'GET', url: '/api/supervisor/phone', headers: bearer(token) });

describe('the supervisor phone route', () => {
  it('gives a supervisor its own softphone account from the telephony port', async () => {
    const r = await get(h, await h.login('super'));
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ mode: 'webrtc', sip: { uri: 'sip:super@pbx.example' } });
    expect(asked).toEqual([`${h.users.supervisor.id}:webrtc`]);
  });

  it('refuses an agent (403) and asks the port nothing', async () => {
    asked.length = 0;
    const r = await get(h, await h.login('agent1'));
    expect(r.statusCode).toBe(403);
    expect(asked).toEqual([]);
  });

  it('answers external, without any SIP secret, for a supervisor with a desk phone', async () => {
    asked.length = 0;
    await h.db.pool.query(
      `UPDATE users SET phone_type = 'sip', sip_endpoint = 'PJSIP/desk-9' WHERE id = $1`,
      [h.users.supervisor.id],
    );
    const r = await get(h, await h.login('super'));
    expect(r.json()).toEqual({ mode: 'external', sip: null });
    expect(asked).toEqual([]);
  });

  it('answers 503 where no telephony is wired', async () => {
    const r = await get(bare, await bare.login('super'));
    expect(r.statusCode).toBe(503);
  });
});
