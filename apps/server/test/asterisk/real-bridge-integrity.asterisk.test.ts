import { Redis } from 'ioredis';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sipEndpointId, webrtcAgentObjects } from '../../src/services/telephony/sip-accounts.js';
import { DEMO_PASSWORD, signIn } from '../e2e/system.js';
import {
  AGENT_HZ,
  agentApi,
  bridgeHas,
  launchRealChromium,
  until,
  toneWav,
  whatChannelHears,
  type RealSystem,
} from './real-system.js';
import { startTalkingSystem, stopRealRig } from './real-talking.js';

/**
 * Bridge integrity on the real Asterisk (npm run test:asterisk): channels that Asterisk takes out
 * of an agent's bridge without Ringside asking.
 * - an unasked removeChannel: the customer is put back, and heard again;
 * - removed again right after: the call ends as lost (BRIDGE_EJECTED), customer hung up;
 * - issue 11's own failure: a browser phone that negotiated Opus (no codec_opus on this build)
 *   meets a G.711 customer; Asterisk ejects the customer at once (BRIDGE_REFUSED) and the panel
 *   says "Call lost: the phone server removed it".
 */

let sys: RealSystem;
let redis: Redis;
let browser: Browser;
const tokens: Record<string, string> = {};
const ids: Record<string, string> = {};

async function status(user: string): Promise<Record<string, string>> {
  return redis.hgetall(`${sys.redisPrefix}:{agents}:status:${ids[user]}`);
}

const api = async (user: string, method: string, path: string, body?: unknown) =>
  (await agentApi(sys.apiUrl, tokens[user] ?? '', method, path, body)).status;

const inBridge = (bridgeId: string, channelId: string) => bridgeHas(sys.ari, bridgeId, channelId);

async function endReason(callId: string): Promise<string | null> {
  const r = await sys.db.pool.query<{ end_reason: string | null; ended_at: Date | null }>(
    `SELECT end_reason, ended_at FROM call_log WHERE id = $1`,
    [callId],
  );
  return r.rows[0]?.ended_at ? (r.rows[0]?.end_reason ?? 'none') : null;
}

beforeAll(async () => {
  ({ sys, redis } = await startTalkingSystem(2, 40));
  await sys.db.pool.query(
    `UPDATE users SET phone_type = 'sip', sip_endpoint = 'Local/agent2@sim-agent-phones'
      WHERE username = 'agent2'`,
  );
  const r = await fetch(`${sys.apiUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'agent2', password: DEMO_PASSWORD }),
  });
  const body = (await r.json()) as { token: string; user: { id: string } };
  tokens.agent2 = body.token;
  ids.agent2 = body.user.id;
  ids.agent1 =
    (
      await sys.db.pool.query<{ id: string }>(
        `SELECT id::text FROM users WHERE username = 'agent1'`,
      )
    ).rows[0]?.id ?? '';
}, 120_000);

afterAll(() => stopRealRig(sys, redis, browser));

describe('bridge integrity on the real Asterisk', () => {
  let callId = '';
  let putBackAtMs = 0;

  it('a customer removed from the bridge without Ringside asking is put back, and heard', async () => {
    expect(
      await api('agent2', 'POST', '/api/agent/session/login', { campaignId: sys.seed.campaignId }),
    ).toBe(200);
    expect(await api('agent2', 'POST', '/api/agent/phone/connect')).toBe(200);
    expect(await api('agent2', 'POST', '/api/agent/session/ready')).toBe(200);
    await until('agent2 in call', async () => (await status('agent2')).state === 'INCALL', 60_000);
    callId = (await status('agent2')).callId ?? '';
    const bridge = (await status('agent2')).bridgeId ?? '';
    await until('customer bridged', () => inBridge(bridge, callId));
    await new Promise((r) => setTimeout(r, 3_000));
    await sys.ari.removeChannel(bridge, callId);
    await until('customer put back', () => inBridge(bridge, callId), 5_000);
    putBackAtMs = Date.now();
    expect(await endReason(callId)).toBeNull();
    const heard = await whatChannelHears(sys.server, callId, [AGENT_HZ]);
    expect(heard[AGENT_HZ]).toBeGreaterThan(200);
  });

  it('removed again within 10 s of being put back: the call ends as lost, the customer hung up', async () => {
    const bridge = (await status('agent2')).bridgeId ?? '';
    expect(Date.now() - putBackAtMs).toBeLessThan(9_000);
    await sys.ari.removeChannel(bridge, callId);
    await until('call ended', async () => (await endReason(callId)) !== null);
    expect(await endReason(callId)).toBe('BRIDGE_EJECTED');
    await until('customer gone from Asterisk', async () =>
      (await sys.ari.listChannels()).every((c) => c.id !== callId),
    );
    expect((await status('agent2')).state).not.toBe('INCALL');
    // The agent's own line stays up for the next call.
    const leg = (await status('agent2')).legChannelId ?? '';
    expect((await sys.ari.listChannels()).map((c) => c.id)).toContain(leg);
    expect(await api('agent2', 'POST', '/api/agent/session/logout')).toBeLessThan(500);
  });

  it("issue 11's failure: an Opus browser phone and a G.711 customer; the panel says the call was lost", async () => {
    browser = await launchRealChromium(toneWav(AGENT_HZ, 120));
    const ctx = await browser.newContext({ baseURL: sys.front.url });
    const page = await ctx.newPage();
    // As the CEO's run had it (allow = opus,ulaw on a build without codec_opus): the endpoint
    // Ringside just wrote is rewritten before the page gets its phone account and dials.
    await page.route('**/api/agent/phone', async (route) => {
      const response = await route.fetch();
      const endpoint = webrtcAgentObjects(sipEndpointId('agent1'), 'unused', ['opus', 'ulaw']).find(
        (o) => o.objectType === 'endpoint',
      );
      if (endpoint)
        await sys.ari.putConfigObject('res_pjsip', 'endpoint', endpoint.id, endpoint.fields);
      await route.fulfill({ response });
    });
    await signIn(page, 'agent1');
    await page.getByRole('button', { name: 'Log in to campaign' }).click();
    await page.locator('[aria-label="Phone"][data-phone="leg_up"]').waitFor({ timeout: 15_000 });
    const leg = (await status('agent1')).legChannelId ?? '';
    const codec = (await sys.ari.getVariable(leg, 'CHANNEL(audionativeformat)')).value;
    expect(codec).toContain('opus');
    await page.keyboard.press('Alt+KeyR');
    await until(
      'agent1 offered a call',
      async () => (await status('agent1')).callId !== '',
      60_000,
    );
    const lost = (await status('agent1')).callId ?? '';
    await until('call ended', async () => (await endReason(lost)) !== null, 20_000);
    expect(await endReason(lost)).toBe('BRIDGE_REFUSED');
    await expect
      .poll(() => page.locator('body').textContent(), { timeout: 10_000 })
      .toContain('Call lost: the phone server removed it');
  });
});
