import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { agentSession, waitAgentState } from './pages.js';
import { openPage, signIn, useE2e } from './system.js';

/**
 * The agent desk's layout and focus (issue 17): at 1366x768 a call needs no page scroll and its
 * controls are all in view; at 200 % zoom (683x384 CSS px) and at 390 px Hang up is in the first
 * screen; the header does not move in wrap-up; the focus goes to the next control after every
 * state change (never <body>); Enter on the pause code pauses; the shortcuts work with the pause
 * code's list open; every screen has its title; the live regions are there before any message.
 * The campaign dials by hand only, so a call comes only when the test dials one.
 *
 * RINGSIDE_SHOTS=<dir>: also writes screenshots of each state there (for a human to look at).
 */

const e2e = useE2e({ agents: 1, campaign: { dial_method: 'manual', wrapup_s: 120 } });
let page: Page;
const shots = process.env.RINGSIDE_SHOTS;

async function shot(name: string): Promise<void> {
  if (!shots) return;
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: path.join(shots, `${name}.png`) });
}

/** The browser globals read inside the page (the server's tsconfig has no DOM types). */
interface PageElement {
  tagName: string;
  textContent: string | null;
  closest(selector: string): PageElement | null;
}
interface PageBox {
  scrollHeight: number;
  scrollWidth: number;
}
interface PageGlobals {
  document: {
    activeElement: PageElement | null;
    scrollingElement: PageBox | null;
    documentElement: PageBox;
  };
  innerHeight: number;
  innerWidth: number;
  scrollTo(x: number, y: number): void;
}

/** What has the focus: its tag, its text (or its label's), never guessed. */
const focused = () =>
  page.evaluate(() => {
    const el = (globalThis as unknown as PageGlobals).document.activeElement;
    return {
      tag: el?.tagName.toLowerCase() ?? 'none',
      text: (el?.closest('label')?.textContent ?? el?.textContent ?? '').trim(),
    };
  });

/** The page's own scroll (not a panel's): how far the document is taller and wider than the window. */
const pageOverflow = () =>
  page.evaluate(() => {
    const w = globalThis as unknown as PageGlobals;
    const d = w.document.scrollingElement ?? w.document.documentElement;
    return { y: d.scrollHeight - w.innerHeight, x: d.scrollWidth - w.innerWidth };
  });

/** The control's box relative to the window (the page is at its top). */
async function boxOf(name: string): Promise<{ top: number; bottom: number; right: number }> {
  const b = await page.getByRole('button', { name, exact: true }).boundingBox();
  if (!b) throw new Error(`${name} is not shown`);
  return { top: b.y, bottom: b.y + b.height, right: b.x + b.width };
}

const bannerText = () => page.locator('.banner').innerText();

beforeAll(async () => {
  page = await openPage(e2e.browser, e2e.sys, { viewport: { width: 1366, height: 768 } });
});

describe('agent desk', () => {
  it('titles the sign-in screen, has its alert region before any error, then focuses the campaign picker', async () => {
    await page.goto('/');
    await page.getByLabel('Username').waitFor();
    expect(await page.title()).toBe('Sign in — Ringside');
    expect(await page.getByRole('alert').count()).toBe(1);
    expect(await page.getByRole('alert').textContent()).toBe('');
    await signIn(page, 'agent1');
    await page.getByRole('button', { name: 'Log in to campaign' }).waitFor();
    await expect
      .poll(focused)
      .toEqual({ tag: 'select', text: expect.stringContaining('Campaign') });
    expect(await page.title()).toBe('Log in to a campaign — Ringside agent');
    // Logged out: a banner with a word, and no time in state.
    expect(await bannerText()).toContain('Logged out');
    expect(await bannerText()).not.toMatch(/\d:\d\d/);
    // The live regions are in the page, empty, before anything happens.
    expect(await page.getByRole('alert').count()).toBe(2);
    expect((await page.getByRole('alert').allTextContents()).join('')).toBe('');
    expect(await page.getByRole('status', { name: 'Supervisor on the call' }).textContent()).toBe(
      '',
    );
  });

  it('campaign login moves the focus to Ready, and the banner labels the time in state', async () => {
    await page.getByRole('button', { name: 'Log in to campaign' }).click();
    await waitAgentState(page, 'PAUSED');
    await expect.poll(focused).toEqual({ tag: 'button', text: 'Ready' });
    await expect.poll(() => page.title()).toBe('Paused — Ringside agent');
    await expect.poll(bannerText).toMatch(/Paused[\s\S]*· \d+:\d\d in state/);
    await page.locator('[aria-label="Phone"][data-phone="leg_up"]').waitFor({ timeout: 5000 });
    expect(await pageOverflow()).toEqual({ x: 0, y: 0 });
    await shot('1366x768-paused');
  });

  it('Enter on the pause code pauses, and the shortcuts work while its list is open', async () => {
    await page.keyboard.press('Alt+KeyR');
    await waitAgentState(page, 'READY');
    expect(await page.title()).toBe('Ready — Ringside agent');
    await page.keyboard.press('Alt+KeyP');
    expect((await focused()).text).toContain('Pause code');
    await page.keyboard.press('Enter');
    await waitAgentState(page, 'PAUSED');
    expect((await agentSession(page)).state).toBe('PAUSED');
    // The list open (Chromium's customizable select keeps it in the page): Alt+R still works.
    const select = page.getByLabel('Pause code');
    await select.focus();
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => select.evaluate((s) => s.matches(':open'))).toBe(true);
    await page.keyboard.press('Alt+KeyR');
    await waitAgentState(page, 'READY');
    await page.keyboard.press('Escape');
    // Enter on an option of the open list picks it and pauses.
    await select.focus();
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => select.evaluate((s) => s.matches(':open'))).toBe(true);
    await page.keyboard.press('Enter');
    await waitAgentState(page, 'PAUSED');
  });

  it('at 1366x768 a call needs no page scroll and every call control is in view', async () => {
    await page.getByRole('button', { name: 'Preview next lead' }).click();
    await page.getByRole('button', { name: 'Dial this lead' }).click();
    await waitAgentState(page, 'INCALL', 30_000);
    await page
      .getByRole('region', { name: 'Lead', exact: true })
      .locator('dd', { hasText: /^\+1/ })
      .waitFor();
    await expect.poll(bannerText).toMatch(/On call[\s\S]*Talk \d+:\d\d/);
    // Manual dial and search fold into one button during the call.
    expect(await page.getByLabel('Number', { exact: true }).count()).toBe(0);
    await page.getByRole('button', { name: 'Show manual dial and search' }).waitFor();

    expect(await pageOverflow()).toEqual({ x: 0, y: 0 });
    const viewport = { width: 1366, height: 768 };
    for (const name of ['Hang up', 'Hold', 'Mute', 'Transfer', 'Send tones', 'Tone #']) {
      const b = await boxOf(name);
      expect(b.top, name).toBeGreaterThanOrEqual(0);
      expect(b.bottom, name).toBeLessThanOrEqual(viewport.height);
      expect(b.right, name).toBeLessThanOrEqual(viewport.width);
    }
    // Hold: the banner says so, with its own timer.
    await page.keyboard.press('Alt+KeyO');
    await expect.poll(bannerText).toMatch(/On hold[\s\S]*Hold \d+:\d\d/);
    await page.keyboard.press('Alt+KeyO');
    await expect.poll(bannerText).not.toContain('On hold');
    await shot('1366x768-in-call');
  });

  it('at 200 % zoom and at 390 px Hang up is in the first screen, with no sideways scroll', async () => {
    try {
      for (const size of [
        { width: 683, height: 384, name: '200pc-in-call' },
        { width: 390, height: 844, name: '390x844-in-call' },
      ]) {
        await page.setViewportSize(size);
        await page.evaluate(() => (globalThis as unknown as PageGlobals).scrollTo(0, 0));
        await shot(size.name);
        const b = await boxOf('Hang up');
        expect(b.bottom, size.name).toBeLessThanOrEqual(size.height);
        expect(b.right, size.name).toBeLessThanOrEqual(size.width);
        expect((await pageOverflow()).x, size.name).toBeLessThanOrEqual(0);
      }
    } finally {
      await page.setViewportSize({ width: 1366, height: 768 });
    }
  });

  it('hanging up: wrap-up with the header in place, the form focused, then Ready after submitting', async () => {
    const header = await page.locator('header').boundingBox();
    const mainTop = (await page.locator('main').boundingBox())?.y;
    await page.keyboard.press('Alt+KeyH');
    await waitAgentState(page, 'WRAPUP');
    await page.getByRole('form', { name: 'Disposition' }).waitFor();
    expect((await focused()).text).toContain('Disposition');
    await page.getByRole('timer', { name: 'Wrap-up time left' }).waitFor();
    expect(await page.locator('header').boundingBox()).toEqual(header);
    // The banner stays one line: what is below it does not move either.
    expect((await page.locator('main').boundingBox())?.y).toBe(mainTop);
    expect(await pageOverflow()).toEqual({ x: 0, y: 0 });
    await shot('1366x768-wrap-up');

    const form = page.getByRole('form', { name: 'Disposition' });
    await form.getByRole('radio').first().check();
    await form.getByLabel('Then pause').check();
    await form.getByRole('button', { name: 'Submit disposition' }).click();
    await waitAgentState(page, 'PAUSED');
    await expect.poll(focused).toEqual({ tag: 'button', text: 'Ready' });
  });

  it('campaign logout moves the focus back to the campaign picker', async () => {
    await page.getByRole('button', { name: 'Log out of campaign' }).click();
    await waitAgentState(page, 'LOGGED_OUT');
    await expect
      .poll(focused)
      .toEqual({ tag: 'select', text: expect.stringContaining('Campaign') });
    expect(await bannerText()).not.toMatch(/\d:\d\d/);
  });
});
