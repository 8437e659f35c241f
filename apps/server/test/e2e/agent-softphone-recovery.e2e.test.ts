import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startKamailio, type Kamailio } from './kamailio.js';
import { signInToCampaign } from './pages.js';
import { WEBRTC_FLAGS } from './phone-test-page.js';
import {
  CHROMIUM_FLAGS,
  ensureWebBuild,
  launchChromium,
  startSystem,
  type System,
} from './system.js';

/**
 * The softphone's ways back, in the agent panel, against a real SIP server: the panel runs its
 * WebRTC softphone (JsSIP) over WSS to Kamailio (127.0.0.1), and a phone-test page registered
 * as the agent's login extension answers the leg, standing in for Asterisk. The rest (sign-in,
 * campaign login, the agent's state) is the whole system on the simulated PBX; only the answer
 * of GET /api/agent/phone is replaced, to hand the panel that SIP account.
 *
 * Each fault is real where the browser allows it: the microphone permission is refused by
 * headless Chromium itself, "no device" is a browser with no audio device, the registrar
 * refuses the renewal, the browser goes offline (Playwright), Kamailio is killed and started
 * again. ICE failure: the agent's page rewrites every candidate in both SDPs to an address
 * nobody answers (a firewall dropping all media), and Chromium's ICE agent fails for real.
 */

interface PhoneTestWindow {
  ringsidePhoneTest: {
    start(account: unknown, answerIncoming: boolean): Promise<void>;
    status(): { kind: string };
  };
}

/** The SDP rewrite of the agent's page, on while `window.__ringsideBlockMedia` is true. */
const BLOCK_MEDIA = `{
  const Orig = window.RTCPeerConnection;
  const nowhere = (sdp) => window.__ringsideBlockMedia
    ? sdp.replace(/a=candidate:(\\S+) (\\d) (\\S+) (\\d+) (\\S+) (\\d+)/g, 'a=candidate:$1 $2 $3 $4 198.51.100.1 40000')
    : sdp;
  window.RTCPeerConnection = class extends Orig {
    get localDescription() {
      const d = super.localDescription;
      return d ? { type: d.type, sdp: nowhere(d.sdp) } : d;
    }
    setRemoteDescription(d) {
      return super.setRemoteDescription({ type: d.type, sdp: nowhere(d.sdp || '') });
    }
  };
}`;

/** A headset plugged in later: getUserMedia answers with a (silent) stream once it is set. */
const HEADSET = `{
  const real = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = (c) => window.__ringsideHeadset
    ? Promise.resolve(new AudioContext().createMediaStreamDestination().stream)
    : real(c);
}`;

let sys: System;
let kamailio: Kamailio;
/** Fake audio devices, but no automatic "allow" of the permission prompt. */
let browser: Browser;
/** Permission prompts allowed, but no audio device at all. */
let deviceless: Browser;
let agentContext: BrowserContext;
let agent: Page;
/** The login extensions' stand-ins (pbx1 answers agent1, pbx2 agent2). */
let pbx: Page[] = [];

const phone = (p: Page) => p.locator('[aria-label="Phone"]');

async function waitPhone(p: Page, kinds: string[], timeoutMs = 20_000): Promise<string> {
  const sel = kinds.map((k) => `[aria-label="Phone"][data-phone="${k}"]`).join(', ');
  await p.locator(sel).first().waitFor({ timeout: timeoutMs });
  return (await phone(p).getAttribute('data-phone')) ?? '';
}

/** The status line's button (its way back). */
const wayBack = (p: Page, name: string) =>
  p.locator('header').getByRole('button', { name, exact: true });

/** A phone-test page registered as `user` that answers every call (the PBX's login extension). */
async function standIn(user: string): Promise<Page> {
  const context = await browser.newContext({ baseURL: sys.front.url, ignoreHTTPSErrors: true });
  await context.grantPermissions(['microphone']);
  const page = await context.newPage();
  await page.goto('/phone-test.html');
  await page.waitForFunction(() => 'ringsidePhoneTest' in globalThis);
  const account = {
    wsUri: kamailio.wsUri,
    uri: `sip:${user}@${kamailio.domain}`,
    password: 'unused',
    loginExten: 'nobody',
    iceServers: [],
  };
  await page.evaluate(
    (a) => (globalThis as unknown as PhoneTestWindow).ringsidePhoneTest.start(a, true),
    account,
  );
  await standInRegistered(page);
  return page;
}

/** Waits until a stand-in is registered (again): its line, if any, may have stayed up. */
async function standInRegistered(page: Page): Promise<void> {
  await page.waitForFunction(
    () =>
      ['registered', 'leg_up'].includes(
        (globalThis as unknown as PhoneTestWindow).ringsidePhoneTest.status().kind,
      ),
    undefined,
    { timeout: 30_000 },
  );
}

/** The agent's panel, signed in, with the API's phone answer replaced by the SIP account. */
async function agentPage(b: Browser, username: string, loginExten: string, initScript: string) {
  const context = await b.newContext({ baseURL: sys.front.url, ignoreHTTPSErrors: true });
  const page = await context.newPage();
  await page.addInitScript({ content: initScript });
  await page.route('**/api/agent/phone', (route) =>
    route.fulfill({
      json: {
        mode: 'webrtc',
        sip: {
          wsUri: kamailio.wsUri,
          uri: `sip:${username}@${kamailio.domain}`,
          password: 'unused',
          loginExten,
          iceServers: [],
        },
      },
    }),
  );
  await signInToCampaign(page, username);
  await page.locator('[aria-label="Agent state"][data-agent-state="PAUSED"]').waitFor();
  return { context, page };
}

beforeAll(async () => {
  ensureWebBuild();
  [sys, kamailio] = await Promise.all([startSystem(), startKamailio({ registerExpiresS: 10 })]);
  // Chromium's flags for WebRTC on this machine, but one of its two fakes.
  const without = (flag: string) =>
    launchChromium([...CHROMIUM_FLAGS.filter((f) => f !== flag), ...WEBRTC_FLAGS]);
  browser = await without('--use-fake-ui-for-media-stream');
  deviceless = await without('--use-fake-device-for-media-stream');
  pbx = await Promise.all([standIn('pbx1'), standIn('pbx2')]);
});

afterAll(async () => {
  await browser?.close();
  await deviceless?.close();
  await kamailio?.stop();
  await sys?.stop();
});

describe('softphone recovery in the agent panel (real SIP over WSS)', () => {
  it('microphone permission refused: says so, and "Retry microphone" brings the line up once allowed', async () => {
    ({ context: agentContext, page: agent } = await agentPage(
      browser,
      'agent1',
      'pbx1',
      BLOCK_MEDIA,
    ));
    await waitPhone(agent, ['mic_denied']);
    expect(await phone(agent).textContent()).toContain('Microphone blocked');
    await agentContext.grantPermissions(['microphone']);
    await wayBack(agent, 'Retry microphone').click();
    await waitPhone(agent, ['leg_up']);
    expect(await phone(agent).textContent()).toMatch(/^Line up/);
  });

  it('registration expired (the registrar refuses the renewal): "Register again" brings it back', async () => {
    await kamailio.refuseRegister('agent1');
    await waitPhone(agent, ['registration_expired']);
    expect(await phone(agent).textContent()).toBe('Registration expired');
    // Still refused: pressing the button says so instead of pretending.
    await wayBack(agent, 'Register again').click();
    await waitPhone(agent, ['registration_failed']);
    await kamailio.refuseRegister(null);
    await wayBack(agent, 'Register again').click();
    // The line itself never went down (its media is not on the SIP connection).
    await waitPhone(agent, ['leg_up']);
  });

  it('the browser goes offline: "Network lost", and the phone reconnects when it is back', async () => {
    await agentContext.setOffline(true);
    await waitPhone(agent, ['network_lost']);
    expect(await phone(agent).textContent()).toContain('Network lost');
    await wayBack(agent, 'Reconnect now').waitFor();
    await agentContext.setOffline(false);
    await waitPhone(agent, ['leg_up']);
  });

  it('the SIP server dies: the phone says it is reconnecting, and recovers by itself when it is back', async () => {
    await kamailio.kill();
    await waitPhone(agent, ['network_lost', 'reconnecting']);
    await wayBack(agent, 'Reconnect now').waitFor();
    await kamailio.restart();
    await waitPhone(agent, ['leg_up'], 30_000);
    // Registrations were lost with the server: the stand-ins come back by themselves too, each on
    // its own back-off; the next test calls them.
    await Promise.all(pbx.map(standInRegistered));
  });

  it('ICE fails (media blocked): "Audio path failed", and "Reconnect line" dials a new leg', async () => {
    await agent.evaluate(() => {
      (globalThis as unknown as { __ringsideBlockMedia: boolean }).__ringsideBlockMedia = true;
    });
    // A new leg (after a network loss) meets the blocked media.
    await agentContext.setOffline(true);
    await waitPhone(agent, ['network_lost']);
    await agentContext.setOffline(false);
    await waitPhone(agent, ['ice_failed'], 30_000);
    expect(await phone(agent).textContent()).toContain('Audio path failed');
    await agent.evaluate(() => {
      (globalThis as unknown as { __ringsideBlockMedia: boolean }).__ringsideBlockMedia = false;
    });
    await wayBack(agent, 'Reconnect line').click();
    await waitPhone(agent, ['leg_up']);
  });

  it('no microphone at all: says so, and "Retry microphone" works once a headset is plugged in', async () => {
    const { page } = await agentPage(deviceless, 'agent2', 'pbx2', HEADSET);
    await waitPhone(page, ['no_device']);
    expect(await phone(page).textContent()).toContain('No microphone found');
    await page.evaluate(() => {
      (globalThis as unknown as { __ringsideHeadset: boolean }).__ringsideHeadset = true;
    });
    await wayBack(page, 'Retry microphone').click();
    await waitPhone(page, ['leg_up']);
  });
});
