import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_REDIS_URL } from '../helpers/redis.js';
import { DEMO_PASSWORD } from '../e2e/system.js';
import { launchRealChromium, startRealSystem, type RealSystem } from './real-system.js';

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

/** A mono 16-bit WAV of a 440 Hz tone: the agent's voice. */
function toneWav(seconds: number): string {
  const rate = 48_000;
  const n = rate * seconds;
  const buf = Buffer.alloc(44 + n * 2);
  buf.write('RIFF', 0);
  buf.writeUInt32LE(36 + n * 2, 4);
  buf.write('WAVEfmt ', 8);
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20);
  buf.writeUInt16LE(1, 22);
  buf.writeUInt32LE(rate, 24);
  buf.writeUInt32LE(rate * 2, 28);
  buf.writeUInt16LE(2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36);
  buf.writeUInt32LE(n * 2, 40);
  for (let i = 0; i < n; i++)
    buf.writeInt16LE(Math.round(8_000 * Math.sin((2 * Math.PI * 440 * i) / rate)), 44 + i * 2);
  const file = path.join(os.tmpdir(), `ringside-tone-${process.pid}.wav`);
  writeFileSync(file, buf);
  return file;
}

interface InboundAudio {
  packetsReceived: number;
  totalAudioEnergy: number;
  codec: string;
}

/** The inbound audio of every RTCPeerConnection the page made (recorded by the init script). */
async function inboundAudio(p: Page): Promise<InboundAudio[]> {
  return p.evaluate(async () => {
    const w = globalThis as unknown as { __pcs: RTCPeerConnection[] };
    const out: Array<{ packetsReceived: number; totalAudioEnergy: number; codec: string }> = [];
    for (const pc of w.__pcs) {
      const stats = await pc.getStats();
      stats.forEach((s: Record<string, unknown>) => {
        if (s.type !== 'inbound-rtp' || s.kind !== 'audio') return;
        const codec = stats.get(String(s.codecId)) as { mimeType?: string } | undefined;
        out.push({
          packetsReceived: Number(s.packetsReceived ?? 0),
          totalAudioEnergy: Number(s.totalAudioEnergy ?? 0),
          codec: codec?.mimeType ?? '',
        });
      });
    }
    return out;
  });
}

async function agentStatus(agentId: string): Promise<Record<string, string>> {
  return redis.hgetall(`${sys.redisPrefix}:{agents}:status:${agentId}`);
}

beforeAll(async () => {
  sys = await startRealSystem({
    agents: 1,
    leads: 20,
    customerContext: 'sim-customers-talking',
    campaign: { dial_method: 'progressive', dial_level: 1, drop_wait_ms: 2_000 },
  });
  redis = new Redis(TEST_REDIS_URL);
  browser = await launchRealChromium(toneWav(30));
  const ctx = await browser.newContext({ baseURL: sys.front.url });
  await ctx.addInitScript(() => {
    const w = globalThis as unknown as {
      __pcs: RTCPeerConnection[];
      RTCPeerConnection: typeof RTCPeerConnection;
    };
    w.__pcs = [];
    const Original = w.RTCPeerConnection;
    w.RTCPeerConnection = class extends Original {
      constructor(cfg?: RTCConfiguration) {
        super(cfg);
        w.__pcs.push(this);
      }
    };
  });
  page = await ctx.newPage();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  redis?.disconnect();
  await sys?.stop();
});

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
    const best = inbound.sort((a, b) => b.packetsReceived - a.packetsReceived)[0];
    expect(best?.packetsReceived).toBeGreaterThan(100);
    expect(best?.totalAudioEnergy).toBeGreaterThan(0);
    const leg = (await agentStatus(agentId)).legChannelId ?? '';
    const rtcp = (await sys.ari.getVariable(leg, 'CHANNEL(rtcp,all)')).value;
    console.log(`Asterisk's RTCP view of the agent's channel: ${rtcp}`);
    const rx = Number(/rxcount=(\d+)/.exec(rtcp)?.[1] ?? 0);
    expect(rx).toBeGreaterThan(100);
    const format = (await sys.ari.getVariable(leg, 'CHANNEL(audionativeformat)')).value;
    console.log(`agent channel's codec on Asterisk: ${format}`);
  });
});
