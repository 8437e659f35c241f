import { Redis } from 'ioredis';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn } from '../e2e/system.js';
import {
  AGENT_HZ,
  CUSTOMER_HZ,
  inboundAudio,
  launchRealChromium,
  pageHears,
  recordPeerConnections,
  SUPERVISOR_HZ,
  toneWav,
  whatChannelHears,
  type RealSystem,
} from './real-system.js';
import { startTalkingSystem, stopRealRig } from './real-talking.js';

/**
 * Listen, whisper and barge from a supervisor's browser phone on the real Asterisk (npm run
 * test:asterisk). Three voices, told apart by frequency: the customer (sim-customers-talking,
 * 1400 Hz), the agent (its browser's fake microphone, 440 Hz) and the supervisor (1000 Hz). The
 * supervisor's dashboard registers its softphone with Asterisk and answers the monitoring call.
 * What each channel hears is measured on Asterisk (a snoop recording, Goertzel per tone), and
 * the supervisor's browser must receive RTP with audio energy.
 */

const HEARD = 200;
const SILENT = 100;
const FREQS = [AGENT_HZ, SUPERVISOR_HZ, CUSTOMER_HZ];

let sys: RealSystem;
let agentBrowser: Browser;
let supBrowser: Browser;
let agent: Page;
let sup: Page;
let redis: Redis;
let agentId = '';
let callId = '';
let leg = '';

async function status(): Promise<Record<string, string>> {
  return redis.hgetall(`${sys.redisPrefix}:{agents}:status:${agentId}`);
}

/** The supervisor's monitoring request, sent by its browser (session cookie, same origin). */
async function monitor(mode: 'listen' | 'whisper' | 'barge' | 'stop'): Promise<number> {
  return sup.evaluate(
    async ([id, m]) => {
      const r = await fetch(`/api/supervisor/agents/${id}/monitor`, {
        method: m === 'stop' ? 'DELETE' : 'POST',
        headers: m === 'stop' ? {} : { 'content-type': 'application/json' },
        body: m === 'stop' ? undefined : JSON.stringify({ mode: m }),
        credentials: 'same-origin',
      });
      return r.status;
    },
    [agentId, mode] as const,
  );
}

/** The supervisor's channel on Asterisk (PJSIP/supervisor-...). */
async function supervisorChannel(): Promise<string> {
  const list = await sys.ari.listChannels();
  return list.find((c) => c.name.startsWith('PJSIP/supervisor-'))?.id ?? '';
}

beforeAll(async () => {
  ({ sys, redis } = await startTalkingSystem(1, 20));
  agentBrowser = await launchRealChromium(toneWav(AGENT_HZ, 120));
  supBrowser = await launchRealChromium(toneWav(SUPERVISOR_HZ, 120));
  const actx = await agentBrowser.newContext({ baseURL: sys.front.url });
  const sctx = await supBrowser.newContext({ baseURL: sys.front.url });
  await recordPeerConnections(actx);
  await recordPeerConnections(sctx);
  agent = await actx.newPage();
  sup = await sctx.newPage();
  agentId =
    (
      await sys.db.pool.query<{ id: string }>(
        `SELECT id::text FROM users WHERE username = 'agent1'`,
      )
    ).rows[0]?.id ?? '';

  await signIn(agent, 'agent1');
  await agent.getByRole('button', { name: 'Log in to campaign' }).click();
  await agent.locator('[aria-label="Phone"][data-phone="leg_up"]').waitFor({ timeout: 15_000 });
  await agent.keyboard.press('Alt+KeyR');
  const until = Date.now() + 60_000;
  while ((await status()).state !== 'INCALL' && Date.now() < until)
    await new Promise((r) => setTimeout(r, 200));
  callId = (await status()).callId ?? '';
  leg = (await status()).legChannelId ?? '';
  // Greeting, AMD and the bridge: the customer is talking to the agent after this.
  await new Promise((r) => setTimeout(r, 5_000));

  await signIn(sup, 'supervisor');
  await sup.getByRole('heading', { name: 'Supervisor dashboard' }).waitFor();
  await sup.locator('[data-monitor-phone="ready"]').waitFor({ timeout: 15_000 });
}, 150_000);

afterAll(() => stopRealRig(sys, redis, agentBrowser, supBrowser));

describe("monitoring from the supervisor's browser phone on the real Asterisk", () => {
  it('the agent is on a call with the talking customer', async () => {
    expect((await status()).state).toBe('INCALL');
    const heard = await whatChannelHears(sys.server, leg, FREQS);
    expect(heard[CUSTOMER_HZ]).toBeGreaterThan(HEARD);
    const inBrowser = await pageHears(agent, FREQS);
    console.log(`before monitoring, the agent's browser plays ${JSON.stringify(inBrowser)}`);
  });

  it('listen: the supervisor hears both sides, nobody hears the supervisor', async () => {
    expect(await monitor('listen')).toBe(200);
    await sup.locator('[data-monitor-phone="in_call"]').waitFor({ timeout: 15_000 });
    await new Promise((r) => setTimeout(r, 1_000));
    const supLeg = await supervisorChannel();
    const supHears = await whatChannelHears(sys.server, supLeg, FREQS);
    const customerHears = await whatChannelHears(sys.server, callId, FREQS);
    const agentHears = await whatChannelHears(sys.server, leg, FREQS);
    console.log(
      `listen: supervisor hears ${JSON.stringify(supHears)}, customer ${JSON.stringify(customerHears)}, agent ${JSON.stringify(agentHears)}`,
    );
    expect(supHears[AGENT_HZ]).toBeGreaterThan(HEARD);
    expect(supHears[CUSTOMER_HZ]).toBeGreaterThan(HEARD);
    expect(customerHears[SUPERVISOR_HZ]).toBeLessThan(SILENT);
    expect(agentHears[SUPERVISOR_HZ]).toBeLessThan(SILENT);
    const inbound = await inboundAudio(sup);
    console.log(`supervisor browser inbound audio: ${JSON.stringify(inbound[0])}`);
    expect(inbound[0]?.packetsReceived).toBeGreaterThan(50);
    expect(inbound[0]?.totalAudioEnergy).toBeGreaterThan(0);
    const rtcp = (await sys.ari.getVariable(supLeg, 'CHANNEL(rtcp,all)')).value;
    expect(Number(/rxcount=(\d+)/.exec(rtcp)?.[1] ?? 0)).toBeGreaterThan(50);
  });

  it('whisper: the agent hears the supervisor, the customer does not', async () => {
    expect(await monitor('whisper')).toBe(200);
    await sup.locator('[data-monitor-phone="in_call"]').waitFor({ timeout: 15_000 });
    await new Promise((r) => setTimeout(r, 1_500));
    const supLeg = await supervisorChannel();
    // A whisper is mixed into what Asterisk sends the agent after its spies read the frame, so
    // the agent's side is measured in the agent's browser.
    const agentPlays = await pageHears(agent, FREQS);
    const customerHears = await whatChannelHears(sys.server, callId, FREQS);
    const supHears = await whatChannelHears(sys.server, supLeg, FREQS);
    console.log(
      `whisper: agent's browser plays ${JSON.stringify(agentPlays)}, customer hears ${JSON.stringify(customerHears)}, supervisor ${JSON.stringify(supHears)}`,
    );
    expect(agentPlays.levels[SUPERVISOR_HZ]).toBeGreaterThan(agentPlays.floor + 20);
    expect(agentPlays.levels[CUSTOMER_HZ]).toBeGreaterThan(agentPlays.floor + 20);
    expect(customerHears[SUPERVISOR_HZ]).toBeLessThan(SILENT);
    expect(customerHears[AGENT_HZ]).toBeGreaterThan(HEARD);
    expect(supHears[CUSTOMER_HZ]).toBeGreaterThan(HEARD);
  });

  it('barge: customer and agent both hear the supervisor', async () => {
    expect(await monitor('barge')).toBe(200);
    await sup.locator('[data-monitor-phone="in_call"]').waitFor({ timeout: 15_000 });
    await new Promise((r) => setTimeout(r, 1_500));
    const agentHears = await whatChannelHears(sys.server, leg, FREQS);
    const customerHears = await whatChannelHears(sys.server, callId, FREQS);
    console.log(
      `barge: agent hears ${JSON.stringify(agentHears)}, customer ${JSON.stringify(customerHears)}`,
    );
    expect(customerHears[SUPERVISOR_HZ]).toBeGreaterThan(HEARD);
    expect(agentHears[SUPERVISOR_HZ]).toBeGreaterThan(HEARD);
    // Not asserted: the agent's own voice to the customer here. With the supervisor's and the
    // customer's tones both playing in the agent's browser, Chromium's echo canceller may duck
    // the agent's fake microphone (98 where 1,200 was usual, seen once): a browser effect.
  });

  it('stop: the supervisor leaves, the call goes on between agent and customer', async () => {
    expect(await monitor('stop')).toBe(200);
    await sup.locator('[data-monitor-phone="ready"]').waitFor({ timeout: 15_000 });
    expect(await supervisorChannel()).toBe('');
    expect((await status()).state).toBe('INCALL');
    const customerHears = await whatChannelHears(sys.server, callId, FREQS);
    expect(customerHears[AGENT_HZ]).toBeGreaterThan(HEARD);
    expect(customerHears[SUPERVISOR_HZ]).toBeLessThan(SILENT);
  });
});
