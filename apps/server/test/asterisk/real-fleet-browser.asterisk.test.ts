import { execSync } from 'node:child_process';
import type { Browser, Page } from 'playwright-core';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AriRestClient } from '../../src/adapters/asterisk/ari-client.js';
import type { AriServerConfig } from '../../src/config.js';
import { DEMO_PASSWORD, signIn } from '../e2e/system.js';
import { TEST_REDIS_URL } from '../helpers/redis.js';
import {
  launchRealChromium,
  realAriServer,
  startRealSystem,
  until,
  type RealSystem,
  untilServersUp,
} from './real-system.js';

/**
 * A browser phone in an Asterisk fleet of two REAL servers (npm run test:asterisk with ARI_URL_2;
 * docs/telephony.md, "Asterisk fleet"): an agent whose browser is its phone is homed on the second
 * server (the first already has an agent), its WebRTC phone registers over that server's WSS
 * (SIP_WSS_URLS) and its line comes up there; the second server is killed (SIGKILL): the agent is
 * re-homed to the first, and its panel registers there and brings its line up on the first by
 * itself. Run under `flock /tmp/ringside-e2e.lock` with the other browser tests.
 */

let sys: RealSystem;
let redis: Redis;
let browser: Browser;
let page: Page;
let S1: AriServerConfig;
let S2: AriServerConfig;
const ari = new Map<string, AriRestClient>();
let startCmd = '';

async function statusOf(username: string): Promise<Record<string, string>> {
  const r = await sys.db.pool.query<{ id: string }>(
    `SELECT id::text FROM users WHERE username = $1`,
    [username],
  );
  return redis.hgetall(`${sys.redisPrefix}:{agents}:status:${r.rows[0]?.id ?? ''}`);
}

async function homeOf(username: string): Promise<string | null> {
  const r = await sys.db.pool.query<{ id: string }>(
    `SELECT id::text FROM users WHERE username = $1`,
    [username],
  );
  return redis.hget(`${sys.redisPrefix}:{agents}:homes`, r.rows[0]?.id ?? '');
}

async function on(server: AriServerConfig, channelId: string): Promise<boolean> {
  const list = await (ari.get(server.id) as AriRestClient).listChannels().catch(() => []);
  return list.some((c) => c.id === channelId);
}

beforeAll(async () => {
  const url2 = process.env.ARI_URL_2;
  const killCmd = process.env.ASTERISK_2_KILL_CMD;
  startCmd = process.env.ASTERISK_2_START_CMD ?? '';
  const wss2 = process.env.SIP_WSS_URL_2;
  if (!url2 || !killCmd || !startCmd || !wss2)
    throw new Error(
      'real-fleet-browser.asterisk.test.ts needs a second Asterisk (docs/telephony.md, "Asterisk ' +
        'fleet"): ARI_URL_2, ASTERISK_2_KILL_CMD, ASTERISK_2_START_CMD and SIP_WSS_URL_2 (its ' +
        "phones' WebSocket, e.g. wss://127.0.0.1:7181/ws)",
    );
  const first = realAriServer();
  const wss1 = process.env.SIP_WSS_URL ?? `wss://${new URL(first.baseUrl).hostname}:8089/ws`;
  sys = await startRealSystem({
    name: 'realfleet_b',
    agents: 2,
    leads: 5,
    campaign: { dial_method: 'manual' },
    env: { ARI_URL: `${first.baseUrl},${url2}`, SIP_WSS_URLS: `${wss1},${wss2}` },
  });
  [S1, S2] = sys.config.ari as [AriServerConfig, AriServerConfig];
  for (const s of [S1, S2]) ari.set(s.id, new AriRestClient(s));
  redis = new Redis(TEST_REDIS_URL);
  await untilServersUp('both servers up for the worker', [S1.id, S2.id], 30_000);
  // agent1: an external phone, homed first (on S1), so that the browser's agent goes to S2.
  await sys.db.pool.query(
    `UPDATE users SET phone_type = 'sip', sip_endpoint = 'Local/agent1@sim-agent-phones'
      WHERE username = 'agent1'`,
  );
  const r = await fetch(`${sys.apiUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'agent1', password: DEMO_PASSWORD }),
  });
  const token = ((await r.json()) as { token: string }).token;
  const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  await fetch(`${sys.apiUrl}/api/agent/session/login`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({ campaignId: sys.seed.campaignId }),
  });
  await fetch(`${sys.apiUrl}/api/agent/phone/connect`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
  });
  browser = await launchRealChromium();
  page = await (await browser.newContext({ baseURL: sys.front.url })).newPage();
}, 150_000);

afterAll(async () => {
  await browser?.close();
  if (S2 && startCmd) {
    const up = await (ari.get(S2.id) as AriRestClient)
      .asteriskInfo()
      .then(() => true)
      .catch(() => false);
    if (!up) execSync(startCmd, { stdio: 'ignore' });
  }
  for (const c of ari.values()) c.close();
  redis?.disconnect();
  await sys?.stop();
}, 120_000);

describe('a browser phone in a fleet of two real Asterisk servers', () => {
  it('registers at its home (the second server) and, that server killed, at its new home by itself', async () => {
    expect(await homeOf('agent1')).toBe(S1.id);
    await signIn(page, 'agent2');
    await page.getByRole('button', { name: 'Log in to campaign' }).click();
    await page.locator('[aria-label="Phone"][data-phone="leg_up"]').waitFor({ timeout: 30_000 });
    expect(await homeOf('agent2')).toBe(S2.id);
    const leg = (await statusOf('agent2')).legChannelId ?? '';
    expect(await on(S2, leg), 'the browser line on S2').toBe(true);
    expect(await on(S1, leg)).toBe(false);

    const killedAt = Date.now();
    execSync(process.env.ASTERISK_2_KILL_CMD ?? '', { stdio: 'ignore' });
    await until('agent2 re-homed on S1', async () => (await homeOf('agent2')) === S1.id, 60_000);
    const rehomedMs = Date.now() - killedAt;
    let newLeg = '';
    await until(
      "the browser's line up on S1",
      async () => {
        newLeg = (await statusOf('agent2')).legChannelId ?? '';
        return newLeg !== '' && newLeg !== leg && (await on(S1, newLeg));
      },
      60_000,
    );
    const backMs = Date.now() - killedAt;
    await page.locator('[aria-label="Phone"][data-phone="leg_up"]').waitFor({ timeout: 10_000 });
    console.log(
      `browser phone: re-homed ${rehomedMs} ms after the kill, its line up on S1 after ${backMs} ms`,
    );
  }, 180_000);
});
