import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContextOptions, Locator, Page } from 'playwright-core';
import { signInToCampaign, waitAgentState } from './pages.js';
import { openPage, signIn, useE2e } from './system.js';
import { whenQuiet } from './axe.js';
import {
  assertBaselineFonts,
  callLead,
  expectScreenshot,
  freezeClock,
  STEADY_TEXT,
  VIEWPORTS,
} from './visual.js';

/**
 * Issue 17 point 8: the agent desk (paused, in a call, in wrap-up) and the supervisor wall at
 * 1366x768, 1920x1080, 200 % zoom and 390x844 match their committed screenshots
 * (screenshots/*.png) within the measured noise, so a layout that breaks fails. One browser
 * context per size (its own device scale factor) holds an agent's desk (agent n at size n, with
 * lead n) and another the supervisor's wall, so the four sizes go through one call together.
 * Everything on screen is the same from run to run: the campaign dials by hand only (the test
 * dials), the pages' clocks are frozen at FROZEN_AT_MS (before the server's times, so every
 * elapsed time the page computes reads 0:00), what still varies (the lead's time zone, which
 * follows the real time of day, the wrap-up countdown and other server times, the line's set-up
 * time) is written over with fixed text, and phone numbers are masked. UPDATE_SCREENSHOTS=1
 * rewrites the baselines (docs/ui-testing.md).
 */

const e2e = useE2e({
  agents: VIEWPORTS.length,
  leads: 10,
  campaign: { dial_method: 'manual', wrapup_s: 300 },
});
/** Agent n's desk at size n (the order of VIEWPORTS). */
const desks: Page[] = [];
/** Lead n is called by agent n. */
let leadIds: string[] = [];

beforeAll(async () => {
  assertBaselineFonts();
  const r = await e2e.sys.db.pool.query<{ id: string }>(
    'SELECT id::text FROM leads ORDER BY id LIMIT $1',
    [VIEWPORTS.length],
  );
  leadIds = r.rows.map((x) => x.id);
  for (const vp of VIEWPORTS) {
    const desk = await frozenPage(vp.options);
    await leadAfterItsDial(desk);
    desks.push(desk);
  }
  await Promise.all(desks.map((d, i) => signInToCampaign(d, `agent${i + 1}`, true)));
  for (const d of desks) await waitAgentState(d, 'PAUSED');
});

afterAll(async () => {
  for (const d of desks)
    await d
      .context()
      .close()
      .catch(() => undefined);
});

/**
 * Holds the desk's lead fetches until the server has recorded the dial of that lead (its attempt
 * and its 'dialed' history row, written while the call starts, 5 s at most): the screen pop then
 * always shows the same lead, whichever of the two came first.
 */
async function leadAfterItsDial(page: Page): Promise<void> {
  await page.route(/\/api\/leads\/\d+(\?.*)?$/, async (route) => {
    const leadId = /\/api\/leads\/(\d+)/.exec(route.request().url())?.[1] ?? '';
    for (const until = Date.now() + 5000; Date.now() < until;) {
      const r = await e2e.sys.db.pool.query(
        `SELECT 1 FROM lead_log WHERE lead_id = $1 AND kind = 'dialed'`,
        [leadId],
      );
      if (r.rowCount) break;
      await new Promise((done) => setTimeout(done, 50));
    }
    await route.continue();
  });
}

/** A page at this viewport with its clock frozen, on the front server. */
async function frozenPage(options: BrowserContextOptions): Promise<Page> {
  const page = await openPage(e2e.browser, e2e.sys, options);
  await freezeClock(page);
  return page;
}

/** Phone numbers (+E.164, and the wall's masked +1415•••0123): masked in every screenshot. */
const phoneNumbers = (page: Page): Locator[] => [page.getByText(/\+\d[\d•\s-]{6,}\d/)];

/**
 * What varies between runs, written over: STEADY_TEXT (clocks, dates, set-up times) and the
 * lead's time zone, picked from the real time of day (one inside the calling window).
 */
const steady = (): ReadonlyArray<readonly [RegExp, string]> => [
  [new RegExp(e2e.sys.leadZone, 'g'), 'America/New_York'],
  ...STEADY_TEXT,
];

/**
 * Compares `pages[i]` with the baseline `<screen>-<size i>` for every size; collects the
 * failures so that one broken size does not hide the others.
 */
async function expectScreens(pages: readonly Page[], screen: string): Promise<void> {
  const failures: string[] = [];
  for (const [i, vp] of VIEWPORTS.entries()) {
    const page = pages[i];
    if (!page) throw new Error(`no page at ${vp.name}`);
    await whenQuiet(page);
    await expectScreenshot(page, `${screen}-${vp.name}`, {
      mask: phoneNumbers(page),
      scale: 'scale' in vp ? vp.scale : 'device',
      steady: steady(),
    }).catch((err: unknown) => failures.push(err instanceof Error ? err.message : String(err)));
  }
  expect(failures).toEqual([]);
}

describe('agent desk and supervisor wall match their screenshots at four sizes', () => {
  it('desk paused, with the line up', async () => {
    await expectScreens(desks, 'desk-paused');
  });

  it('desk in a call', async () => {
    // One after the other: the wall sorts by time in state, which then orders them the same
    // way in every run (their clocks all read 0:00 on the frozen page).
    for (const [i, d] of desks.entries()) await callLead(e2e.sys, d, leadIds[i] ?? '');
    for (const d of desks) await d.getByRole('region', { name: 'Lead', exact: true }).waitFor();
    await expectScreens(desks, 'desk-incall');
  });

  it('the wall with that call', async () => {
    const walls = await Promise.all(VIEWPORTS.map((vp) => frozenPage(vp.options)));
    try {
      await Promise.all(walls.map((w) => signIn(w, 'supervisor')));
      for (const w of walls) {
        await w.getByRole('heading', { name: 'Supervisor dashboard' }).waitFor();
        await w.locator('[data-state="INCALL"]').first().waitFor({ state: 'attached' });
      }
      await expectScreens(walls, 'wall');
    } finally {
      for (const w of walls) await w.context().close();
    }
  });

  it('desk in wrap-up with the disposition form', async () => {
    for (const d of desks) await d.keyboard.press('Alt+KeyH');
    for (const d of desks) {
      await waitAgentState(d, 'WRAPUP');
      await d.getByRole('form', { name: 'Disposition' }).waitFor();
    }
    await expectScreens(desks, 'desk-wrapup');
  });
});

describe('the comparison itself', () => {
  /** A small page: a heading and a button, the button `shiftPx` further right. */
  const layout = (shiftPx: number) =>
    `<main style="font-family: sans-serif; padding: 16px"><h1>Ringside</h1>` +
    `<button style="margin-left: ${shiftPx}px">Ready</button></main>`;

  it('passes an unchanged page and fails a control moved by 8 px, writing actual and diff', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ringside-visual-self-'));
    const page = await e2e.browser.newPage({ viewport: { width: 400, height: 200 } });
    try {
      await page.setContent(layout(0));
      await expectScreenshot(page, 'self', { dir, update: true });
      expect((await expectScreenshot(page, 'self', { dir, update: false })).diffPixels).toBe(0);
      await page.setContent(layout(8));
      const failed = await expectScreenshot(page, 'self', { dir, update: false }).then(
        () => '',
        (err: unknown) => (err instanceof Error ? err.message : String(err)),
      );
      expect(failed).toMatch(/screenshot self does not match its baseline: \d+ of 80000 pixels/);
      const out = /in (\S+)\/self\.\{expected,actual,diff\}\.png/.exec(failed)?.[1] ?? '';
      for (const kind of ['expected', 'actual', 'diff']) {
        expect(existsSync(path.join(out, `self.${kind}.png`))).toBe(true);
      }
    } finally {
      await page.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
