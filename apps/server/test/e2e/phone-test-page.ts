import type { Browser, Page } from 'playwright-core';
import type { Kamailio } from './kamailio.js';
import { CHROMIUM_FLAGS, launchChromium } from './system.js';

/**
 * Drives the softphone test page (apps/web phone-test.html) from Playwright: shared by
 * softphone-media.e2e.test.ts and `npm run bench:browser`.
 */

export interface AudioCounters {
  packetsSent: number;
  packetsReceived: number;
  bytesReceived: number;
}

interface PhoneTestWindow {
  ringsidePhoneTest: {
    start(account: unknown, answerIncoming: boolean): Promise<void>;
    call(): void;
    status(): { kind: string; setupMs?: number | null };
    counters(): Promise<AudioCounters>;
    stop(): void;
  };
}

/** Chromium flags for WebRTC media between pages on this machine. */
export const WEBRTC_FLAGS = [
  // The test's certificate is self-signed; media stays on this machine's loopback.
  '--ignore-certificate-errors',
  '--allow-loopback-in-peer-connection',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
];

/** Debian's chromium with fake audio devices, for real media on this machine's loopback. */
export function launchMediaChromium(): Promise<Browser> {
  return launchChromium([...CHROMIUM_FLAGS, ...WEBRTC_FLAGS]);
}

/** The page's phone status; `setupMs` is the call set-up time the page measured, in ms. */
export const phoneStatus = (p: Page) =>
  p.evaluate(() => (globalThis as unknown as PhoneTestWindow).ringsidePhoneTest.status());

export const phoneCounters = (p: Page) =>
  p.evaluate(() => (globalThis as unknown as PhoneTestWindow).ringsidePhoneTest.counters());

/** Dials the page's login extension (once registered). */
export const phoneCall = (p: Page) =>
  p.evaluate(() => (globalThis as unknown as PhoneTestWindow).ringsidePhoneTest.call());

export const phoneStop = (p: Page) =>
  p.evaluate(() => (globalThis as unknown as PhoneTestWindow).ringsidePhoneTest.stop());

/**
 * A new context and page on phone-test.html (served at `frontUrl`) whose softphone registers as
 * `user` with Kamailio; `dial` is the extension phoneCall() calls; `answer` answers incoming calls.
 */
export async function openPhoneTestPage(
  browser: Browser,
  frontUrl: string,
  kamailio: Kamailio,
  user: string,
  dial: string,
  answer: boolean,
): Promise<Page> {
  const context = await browser.newContext({ baseURL: frontUrl, ignoreHTTPSErrors: true });
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
