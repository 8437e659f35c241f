import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import puppeteer, { type Browser, type ElementHandle, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { customerHangsUp, ensureWebBuild, startSystem, type System } from './system.js';

/**
 * The agent panel's core flow in Firefox: Debian's stock firefox-esr (never a downloaded
 * browser), driven over WebDriver BiDi by puppeteer-core, because playwright-core only drives
 * Playwright's own patched Firefox. The same system as agent-panel.e2e.test.ts (simulated PBX,
 * every role, real PostgreSQL and Redis); the panel uses the simulated phone leg, no WebRTC.
 */

/** Debian's firefox-esr. Missing is a failure, never a skip: CI installs it (.ci/run). */
function firefoxPath(): string {
  try {
    return execFileSync('which', ['firefox-esr'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(
      "firefox-esr is not installed: the Firefox e2e test needs Debian's stock Firefox ESR " +
        '(apt-get install firefox-esr; .ci/run installs it when missing)',
    );
  }
}

/** The page globals the test reads (this workspace compiles without the DOM library). */
interface PageGlobals {
  document: {
    activeElement: { tagName: string; textContent: string | null; blur(): void } | null;
  };
  navigator: { userAgent: string };
}

let sys: System;
let browser: Browser | undefined;
let page: Page;
let profileDir: string | undefined;

async function waitState(p: Page, state: string, timeoutMs = 20_000): Promise<void> {
  await p.waitForSelector(`[aria-label="Agent state"][data-agent-state="${state}"]`, {
    timeout: timeoutMs,
  });
}

const stateOf = (p: Page) =>
  p.$eval('[aria-label="Agent state"]', (el) => el.getAttribute('data-agent-state'));

/** A button by its visible text (XPath: the label is the accessible name of these buttons). */
const button = (text: string) => `::-p-xpath(//button[normalize-space()="${text}"])`;

/** The input inside the <label> that reads `text`. */
const labelled = (text: string) =>
  `::-p-xpath(//label[normalize-space(text())="${text}"]//*[self::input or self::select])`;

/** The server's view of the agent, read by the page itself with its session cookie. */
async function serverState(p: Page): Promise<{ state: string; callId: string | null }> {
  const body = await p.evaluate(async () => {
    const r = await fetch('/api/agent/session', { credentials: 'same-origin' });
    return (await r.json()) as { agent: { state: string; callId: string | null } | null };
  });
  return body.agent ?? { state: 'LOGGED_OUT', callId: null };
}

async function currentCallId(p: Page): Promise<string> {
  const el = await p.waitForSelector('section[aria-label="Call"][data-call-id]');
  const id = await el?.evaluate((e) => e.getAttribute('data-call-id'));
  if (!id) throw new Error('no call on screen');
  return id;
}

/** The focused element as `TAG: text` (BODY when nothing has the focus). */
async function focused(p: Page): Promise<string> {
  return p.evaluate(() => {
    const el = (globalThis as unknown as PageGlobals).document.activeElement;
    return el ? `${el.tagName}: ${el.textContent ?? ''}` : '';
  });
}

/** The element `selector` once it is in the page; a missing one fails the test, never a no-op. */
async function find(p: Page, selector: string): Promise<ElementHandle> {
  const el = await p.waitForSelector(selector);
  if (!el) throw new Error(`not found: ${selector}`);
  return el;
}

async function alertText(p: Page): Promise<string> {
  return p.$$eval('[role="alert"]', (els) => els.map((e) => e.textContent ?? '').join(' | '));
}

/** Alt + a physical key, as an agent presses it. */
async function altKey(p: Page, code: 'KeyR' | 'KeyW'): Promise<void> {
  await p.keyboard.down('Alt');
  await p.keyboard.press(code);
  await p.keyboard.up('Alt');
}

/**
 * Why the set-up failed, if it did. A failing beforeAll shows up as skipped tests in the summary
 * line CI reads, so the error is kept and every test fails with it instead.
 */
let setupError: unknown = null;

beforeAll(async () => {
  try {
    await setUp();
  } catch (err) {
    setupError = err;
  }
});

beforeEach(() => {
  if (setupError) throw setupError;
});

async function setUp(): Promise<void> {
  const executablePath = firefoxPath();
  ensureWebBuild();
  sys = await startSystem();
  // A fresh profile per run, removed afterwards.
  profileDir = mkdtempSync(path.join(os.tmpdir(), 'ringside-firefox-'));
  browser = await puppeteer.launch({
    browser: 'firefox',
    protocol: 'webDriverBiDi',
    executablePath,
    headless: true,
    userDataDir: profileDir,
  });
  page = await browser.newPage();
}

afterAll(async () => {
  await browser?.close();
  if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  await sys?.stop();
});

describe('agent panel in Firefox ESR (WebDriver BiDi) on the simulated PBX', () => {
  it('runs in stock Firefox, not a patched build', async () => {
    expect(await browser?.version()).toMatch(/^firefox\//i);
    expect(
      await page.evaluate(() => (globalThis as unknown as PageGlobals).navigator.userAgent),
    ).toMatch(/Firefox\//);
  });

  it('signs in, logs in to the campaign and goes ready with Alt+R', async () => {
    await page.goto(sys.front.url);
    await (await find(page, labelled('Username'))).type('agent1');
    await (await find(page, labelled('Password'))).type('ringside-demo');
    await (await find(page, button('Sign in'))).click();
    await (await find(page, `${button('Log in to campaign')}:not([disabled])`)).click();
    await waitState(page, 'PAUSED');
    await page.waitForSelector('[aria-label="Phone"][data-phone="leg_up"]', { timeout: 5000 });
    await altKey(page, 'KeyR');
    await waitState(page, 'READY');
    expect((await serverState(page)).state).toBe('READY');
  });

  it('a call arrives and the lead pops with its fields and script', async () => {
    await waitState(page, 'INCALL', 30_000);
    const lead = 'section[aria-label="Lead"]';
    await page.waitForSelector(`${lead} h3`, { visible: true });
    await expect
      .poll(() => page.$eval(`${lead} h3`, (e) => e.textContent ?? ''))
      .not.toMatch(/Loading|Unknown|^$/);
    const fields = await page.$$eval(`${lead} dd`, (els) => els.map((e) => e.textContent ?? ''));
    expect(fields.some((f) => /^\+1\d{10}$/.test(f))).toBe(true);
    expect(
      await page.$eval(
        `${lead} dd`,
        (e) => (e as unknown as { offsetParent: unknown }).offsetParent !== null,
      ),
    ).toBe(true);
    const script = await page.$eval('section[aria-label="Script"]', (e) => e.textContent ?? '');
    expect(script).toContain('Hello ');
    expect(script).not.toContain('{{');
  });

  it('the customer hangs up: DEAD, the disposition form is forced and Ready is refused', async () => {
    const callId = await currentCallId(page);
    await customerHangsUp(sys.pbx, callId);
    await waitState(page, 'DEAD');
    await page.waitForSelector('form[aria-label="Disposition"]', { visible: true });
    // The form takes the focus, so a keyboard user lands on it.
    await expect.poll(() => focused(page)).toBe('H2: Disposition (required)');
    // Ready is marked aria-disabled; pressing it (or Alt+R) is refused with the reason.
    expect(await page.$eval(button('Ready'), (e) => e.getAttribute('aria-disabled'))).toBe('true');
    await (await find(page, button('Ready'))).click();
    await expect.poll(() => alertText(page)).toContain('Submit the disposition');
    await (await find(page, button('Dismiss'))).click();
    await expect.poll(() => alertText(page)).not.toContain('Submit the disposition');
    await altKey(page, 'KeyR');
    await expect.poll(() => alertText(page)).toContain('Submit the disposition');
    expect(await serverState(page)).toMatchObject({ state: 'DEAD', callId });
  });

  it('no call is offered until the disposition is submitted; then the next call comes', async () => {
    const first = await currentCallId(page);
    // Absence can only be shown by waiting: the dialer has had time to offer a call to a READY agent.
    await new Promise((r) => setTimeout(r, 2000));
    expect(['DEAD', 'WRAPUP']).toContain((await serverState(page)).state);
    expect(await stateOf(page)).not.toBe('INCALL');

    // Alt+W brings the keyboard back to the form after focus moved elsewhere.
    await page.evaluate(() =>
      (globalThis as unknown as PageGlobals).document.activeElement?.blur(),
    );
    expect(await focused(page)).toMatch(/^BODY/);
    await altKey(page, 'KeyW');
    await expect.poll(() => focused(page)).toBe('H2: Disposition (required)');

    const form = 'form[aria-label="Disposition"]';
    await (await find(page, `${form} input[name="disposition"]`)).click();
    // "Then go ready" is the default: submitting makes the agent ready again.
    expect(
      await page.$eval(`${form} [role="radiogroup"] input:checked`, (e) =>
        e.parentElement?.textContent?.trim(),
      ),
    ).toBe('Then go ready');
    await (await find(page, button('Submit disposition'))).click();
    await waitState(page, 'INCALL', 30_000);
    expect(await currentCallId(page)).not.toBe(first);
    expect(await page.$('form[aria-label="Disposition"]')).toBeNull();
  });
});
