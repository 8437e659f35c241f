import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { startKamailio, type Kamailio } from './kamailio.js';
import {
  CHROMIUM_FLAGS,
  chromiumPath,
  ensureWebBuild,
  startFront,
  type FrontServer,
} from './system.js';

/**
 * Real media, once: two Chromium pages with fake audio devices run the panel's Softphone
 * (JsSIP), register over secure WebSocket with a real SIP server (Kamailio, 127.0.0.1 only), one
 * calls the other, and the WebRTC statistics of both show audio packets sent and received.
 */

interface Counters {
  packetsSent: number;
  packetsReceived: number;
  bytesReceived: number;
}

interface PhoneTestWindow {
  ringsidePhoneTest: {
    start(account: unknown, answerIncoming: boolean): Promise<void>;
    call(): void;
    status(): { kind: string; setupMs?: number | null };
    counters(): Promise<Counters>;
    stop(): void;
  };
}

let kamailio: Kamailio;
let front: FrontServer;
let browser: Browser;
let alice: Page;
let bob: Page;

const status = (p: Page) =>
  p.evaluate(() => (globalThis as unknown as PhoneTestWindow).ringsidePhoneTest.status());
const counters = (p: Page) =>
  p.evaluate(() => (globalThis as unknown as PhoneTestWindow).ringsidePhoneTest.counters());

async function waitKind(p: Page, kind: string, timeoutMs = 10_000): Promise<void> {
  await expect.poll(async () => (await status(p)).kind, { timeout: timeoutMs }).toBe(kind);
}

async function phonePage(user: string, dial: string, answer: boolean): Promise<Page> {
  const context = await browser.newContext({ baseURL: front.url, ignoreHTTPSErrors: true });
  const page = await context.newPage();
  await page.goto('/phone-test.html');
  await page.waitForFunction(() => 'ringsidePhoneTest' in globalThis);
  await page.evaluate(
    ([account, answerIncoming]) =>
      (globalThis as unknown as PhoneTestWindow).ringsidePhoneTest.start(account, answerIncoming),
    [
      {
        wsUri: kamailio.wsUri,
        uri: `sip:${user}@${kamailio.domain}`,
        password: 'unused',
        loginExten: dial,
        iceServers: [],
      },
      answer,
    ] as const,
  );
  return page;
}

beforeAll(async () => {
  ensureWebBuild();
  kamailio = await startKamailio();
  // Static files only: no API behind it in this test.
  front = await startFront(1);
  browser = await chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [
      ...CHROMIUM_FLAGS,
      // The test's certificate is self-signed; media stays on this machine's loopback.
      '--ignore-certificate-errors',
      '--allow-loopback-in-peer-connection',
      '--disable-features=WebRtcHideLocalIpsWithMdns',
    ],
  });
  bob = await phonePage('bob', 'nobody', true);
  alice = await phonePage('alice', 'bob', false);
});

afterAll(async () => {
  await browser?.close();
  await front?.close();
  await kamailio?.stop();
});

describe('softphone media through a real SIP server', () => {
  it('both softphones register over WSS', async () => {
    await waitKind(bob, 'registered');
    await waitKind(alice, 'registered');
  });

  it('the call is set up in under a second and audio flows both ways', async () => {
    const t0 = Date.now();
    await alice.evaluate(() => (globalThis as unknown as PhoneTestWindow).ringsidePhoneTest.call());
    await waitKind(alice, 'leg_up');
    const setupMs = (await status(alice)).setupMs ?? Date.now() - t0;
    await waitKind(bob, 'leg_up');
    console.log(`softphone call set-up: ${setupMs} ms`);
    expect(setupMs).toBeLessThan(1000);
    // Let a couple of seconds of audio (50 packets/s) flow.
    await expect
      .poll(
        async () =>
          Math.min((await counters(alice)).packetsReceived, (await counters(bob)).packetsReceived),
        {
          timeout: 10_000,
        },
      )
      .toBeGreaterThan(50);
    const a = await counters(alice);
    const b = await counters(bob);
    console.log(
      `audio packets: alice sent ${a.packetsSent} got ${a.packetsReceived}; bob sent ${b.packetsSent} got ${b.packetsReceived}`,
    );
    expect(a.packetsSent).toBeGreaterThan(50);
    expect(b.packetsSent).toBeGreaterThan(50);
    expect(a.bytesReceived).toBeGreaterThan(0);
    expect(b.bytesReceived).toBeGreaterThan(0);
  });
});
