import { Redis } from 'ioredis';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../e2e/system.js';
import {
  AGENT_HZ,
  CUSTOMER_HZ,
  inboundAudio,
  launchRealChromium,
  recordPeerConnections,
  toneWav,
  whatChannelHears,
  type RealSystem,
} from './real-system.js';
import { startTalkingSystem, stopRealRig } from './real-talking.js';

/**
 * Audio both ways for the browser agent on the real Asterisk (npm run test:asterisk): the agent
 * panel in Chromium, its microphone a fake device playing a tone, signs in; its WebRTC phone
 * registers with Asterisk over WSS and its line comes up; the dialer hands it a customer who keeps
 * talking (sim-customers-talking). The browser must receive RTP with audio energy, and Asterisk
 * must count packets received from the browser on the agent's channel.
 */

let sys: RealSystem;
let browser: Browser;
let page: Page;
let redis: Redis;
/** Amplitude (16-bit units) above which a tone counts as heard; silence measures under 20. */
const HEARD = 200;

async function agentStatus(agentId: string): Promise<Record<string, string>> {
  return redis.hgetall(`${sys.redisPrefix}:{agents}:status:${agentId}`);
}

beforeAll(async () => {
  ({ sys, redis } = await startTalkingSystem(2, 20));
  browser = await launchRealChromium(toneWav(AGENT_HZ, 60));
  const ctx = await browser.newContext({ baseURL: sys.front.url });
  await recordPeerConnections(ctx);
  page = await ctx.newPage();
}, 120_000);

afterAll(() => stopRealRig(sys, redis, browser));

describe('the browser agent on the real Asterisk', () => {
  let agentId = '';

  it('signs in; its phone registers over WSS and the line comes up', async () => {
    await page.goto('/');
    await page.getByLabel('Username').fill('agent1');
    await page.getByLabel('Password').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Log in to campaign' }).click();
    await page.locator('[aria-label="Phone"][data-phone="leg_up"]').waitFor({ timeout: 15_000 });
    const r = await sys.db.pool.query<{ id: string }>(
      `SELECT id::text FROM users WHERE username = 'agent1'`,
    );
    agentId = r.rows[0]?.id ?? '';
    await expect.poll(async () => (await agentStatus(agentId)).legChannelId ?? '').not.toBe('');
  });

  it('hears the customer after the hand-off, and Asterisk hears the agent', async () => {
    await page.keyboard.press('Alt+KeyR');
    await expect
      .poll(async () => (await agentStatus(agentId)).state, { timeout: 60_000 })
      .toBe('INCALL');
    const callId = (await agentStatus(agentId)).callId ?? '';
    // The customer greets, AMD decides, the customer is bridged and keeps talking.
    await new Promise((r) => setTimeout(r, 6_000));
    const bridge = await sys.ari.getBridge((await agentStatus(agentId)).bridgeId ?? '');
    // Both the agent's line and the customer are still in the agent's bridge (no ejection).
    expect(bridge.channels).toContain(callId);
    const inbound = await inboundAudio(page);
    console.log(`browser inbound audio: ${JSON.stringify(inbound)}`);
    const best = inbound[0];
    expect(best?.packetsReceived).toBeGreaterThan(100);
    expect(best?.totalAudioEnergy).toBeGreaterThan(0);
    const leg = (await agentStatus(agentId)).legChannelId ?? '';
    const rtcp = (await sys.ari.getVariable(leg, 'CHANNEL(rtcp,all)')).value;
    console.log(`Asterisk's RTCP view of the agent's channel: ${rtcp}`);
    const rx = Number(/rxcount=(\d+)/.exec(rtcp)?.[1] ?? 0);
    expect(rx).toBeGreaterThan(100);
    const format = (await sys.ari.getVariable(leg, 'CHANNEL(audionativeformat)')).value;
    console.log(`agent channel's codec on Asterisk: ${format}`);
    // What each side hears, on Asterisk: the agent the customer's tone, the customer the agent's.
    const agentHears = await whatChannelHears(sys.server, leg, [AGENT_HZ, CUSTOMER_HZ]);
    const customerHears = await whatChannelHears(sys.server, callId, [AGENT_HZ, CUSTOMER_HZ]);
    console.log(
      `agent hears ${JSON.stringify(agentHears)}, customer hears ${JSON.stringify(customerHears)}`,
    );
    expect(agentHears[CUSTOMER_HZ]).toBeGreaterThan(HEARD);
    expect(customerHears[AGENT_HZ]).toBeGreaterThan(HEARD);
  });
});

describe("a browser that refuses the phone server's certificate", () => {
  it('says in the panel that it cannot reach the phone server and why, nothing else stops', async () => {
    const strict = await launchRealChromium(undefined, { trustCert: false });
    try {
      const p = await (await strict.newContext({ baseURL: sys.front.url })).newPage();
      await p.goto('/');
      await p.getByLabel('Username').fill('agent2');
      await p.getByLabel('Password').fill(DEMO_PASSWORD);
      await p.getByRole('button', { name: 'Sign in' }).click();
      await p.getByRole('button', { name: 'Log in to campaign' }).click();
      const phone = p.locator('[aria-label="Phone"]');
      await expect
        .poll(() => phone.textContent(), { timeout: 20_000 })
        .toMatch(
          /Cannot reach the phone server 127\.0\.0\.1:8089: it is down, or this browser does not trust its certificate/,
        );
      // The agent is logged in and paused; the rest of the panel works.
      await expect
        .poll(
          async () =>
            await p.getByRole('status', { name: 'Agent state' }).getAttribute('data-agent-state'),
        )
        .toBe('PAUSED');
    } finally {
      await strict.close();
    }
  });
});
