import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContextOptions, Locator, Page } from 'playwright-core';
import { signInToCampaign, waitAgentState } from './pages.js';
import { openPage, signIn, useE2e } from './system.js';
import { trackRequests, whenQuiet } from './axe.js';
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
    await readsAfterServerWrites(desk);
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

/** Polls `sql` (with `params`) until it returns a row; 5 s at most, then lets the caller go on. */
async function untilRow(sql: string, params: unknown[]): Promise<void> {
  for (const until = Date.now() + 5000; Date.now() < until;) {
    if ((await e2e.sys.db.pool.query(sql, params)).rowCount) return;
    await new Promise((done) => setTimeout(done, 50));
  }
}

/**
 * The server writes a dial's history row and a finished state's agent_log row a moment after
 * the event the desk reacts to; the desk's reads of them are held until they are written, so
 * the screen shows the same data in every run: the lead (its attempt and 'dialed' row) and the
 * agent's day (the state just left, unless the agent has just logged in).
 */
async function readsAfterServerWrites(page: Page): Promise<void> {
  await page.route(/\/api\/leads\/\d+(\?.*)?$/, async (route) => {
    const leadId = /\/api\/leads\/(\d+)/.exec(route.request().url())?.[1] ?? '';
    await untilRow(`SELECT 1 FROM lead_log WHERE lead_id = $1 AND kind = 'dialed'`, [leadId]);
    await route.continue();
  });
  await page.route(/\/api\/agent\/my-day/, async (route) => {
    const r = await page.request.get('/api/agent/session');
    const { agent } = (await r.json()) as {
      agent: { agentId: string; state: string; sinceMs: number; pauseCode: string | null } | null;
    };
    if (agent && !(agent.state === 'PAUSED' && agent.pauseCode === 'LOGIN')) {
      await untilRow(
        `SELECT 1 FROM agent_log WHERE agent_id = $1 AND ended_at >= to_timestamp($2 / 1000.0)`,
        [agent.agentId, agent.sinceMs - 1],
      );
    }
    await route.continue();
  });
}

/** A page at this viewport with its clock frozen, on the front server. */
async function frozenPage(options: BrowserContextOptions): Promise<Page> {
  const page = await openPage(e2e.browser, e2e.sys, options);
  trackRequests(page);
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
