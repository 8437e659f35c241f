import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openPage, signIn, useE2e } from './system.js';

/**
 * The report screens end to end: call_log rows written straight into the database (the rollup
 * triggers keep the reports exact), then a supervisor in Debian's chromium opens the outbound
 * report, reads its table and chart, downloads the server's CSV and is refused a range over a
 * year. No leads are seeded, so the dialer places no call of its own.
 */

const HOUR = 3_600_000;
const e2e = useE2e({ leads: 0 });
let page: Page;
/** The two whole UTC hours before the current one. */
const hourA = Math.floor(Date.now() / HOUR) * HOUR - 2 * HOUR;
const hourB = hourA + HOUR;

type Outcome = 'HUMAN' | 'DROPPED' | 'MACHINE' | 'NO_ANSWER';

async function seedCalls(hourAtMs: number, outcomes: Outcome[]): Promise<void> {
  for (const [i, outcome] of outcomes.entries()) {
    const at = (s: number) => new Date(hourAtMs + i * 60_000 + s * 1_000);
    const answered = outcome !== 'NO_ANSWER';
    const id = `e2e-rp-${hourAtMs}-${i}`;
    await e2e.sys.db.pool.query(
      `INSERT INTO call_log (id, campaign_id, list_id, lead_id, phone, server_id, channel_id,
                             originated_at, answered_at, agent_connected_at, dropped, drop_wait_ms,
                             safe_harbor_at, ended_at, outcome)
       VALUES ($1, $2, $3, $4, '+12025550100', 'sim', $1, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [
        id,
        e2e.sys.seed.campaignId,
        e2e.sys.seed.listId,
        1000 + i,
        at(0),
        answered ? at(10) : null,
        outcome === 'HUMAN' ? at(11) : null,
        outcome === 'DROPPED',
        outcome === 'DROPPED' ? 2000 : null,
        outcome === 'DROPPED' ? at(12) : null,
        at(40),
        outcome,
      ],
    );
  }
}

beforeAll(async () => {
  // Hour A: 6 dials, 5 answers, 4 human answers (1 dropped), 1 machine. Hour B: 3 / 3 / 3, 1 drop.
  // Compliance: 2 drops of 7 human answers = 28.57 %.
  await seedCalls(hourA, ['HUMAN', 'HUMAN', 'HUMAN', 'DROPPED', 'MACHINE', 'NO_ANSWER']);
  await seedCalls(hourB, ['HUMAN', 'HUMAN', 'DROPPED']);
  page = await openPage(e2e.browser, e2e.sys, { acceptDownloads: true });
  await signIn(page, 'supervisor');
  await page.getByRole('heading', { name: 'Supervisor dashboard' }).waitFor();
});

describe('reports screens', () => {
  it('shows outbound calling by hour as table rows and an SVG chart', async () => {
    await page.goto('/#/reports/outbound');
    await page.getByRole('heading', { name: 'Outbound calling' }).waitFor();
    const rows = page.locator('tr.rp-outbound-row');
    await rows.nth(1).waitFor({ timeout: 10_000 });
    expect(await rows.count()).toBe(2);
    const cells = async (i: number) =>
      (await rows.nth(i).locator('th, td').allTextContents()).map((t) => t.trim());
    // Hour, dials, answers, human answers, machines, drops, drop %, connected, ASA.
    expect((await cells(0)).slice(1, 7)).toEqual(['6', '5', '4', '1', '1', '25.00 %']);
    expect((await cells(1)).slice(1, 7)).toEqual(['3', '3', '3', '0', '1', '33.33 %']);

    const chart = page.locator('svg[role="img"]').first();
    await chart.waitFor();
    const label = (await chart.getAttribute('aria-label')) ?? '';
    expect(label).toContain('9 dials, 7 human answers, 2 drops');
    expect(await chart.locator('title').first().textContent()).toContain('per hour');
    expect(await chart.locator('.chart-series').count()).toBe(3);
  });

  it("exports the same report as the server's CSV", async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Export CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('outbound.csv');
    const body = await readFile(await download.path(), 'utf8');
    const lines = body.trim().split('\r\n');
    expect(lines[0]).toBe(
      'hour_utc,campaign_id,list_id,dials,answers,human_answers,machines,drops,drop_pct,connected,asa_ms',
    );
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(
      new RegExp(`^${new Date(hourA).toISOString().slice(0, 13)}.*,6,5,4,1,1,25`),
    );
  });

  it('refuses a range over a year next to the field, without a report', async () => {
    await page.getByLabel('From', { exact: true }).fill('2024-01-01');
    await page.getByRole('button', { name: 'Run report' }).click();
    const alert = page.locator('#rp-err-to');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('at most 366 days');
    expect(await page.locator('tr.rp-outbound-row').count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Export CSV' }).count()).toBe(0);
  });

  it('shows the drop-rate compliance of the campaign with its drops and a trend chart', async () => {
    await page.goto('/#/reports/compliance');
    await page.getByRole('heading', { name: 'Drop-rate compliance' }).waitFor();
    const chart = page.locator('svg[role="img"]').first();
    await chart.waitFor({ timeout: 10_000 });
    expect(await chart.getAttribute('aria-label')).toMatch(/30-day drop rate 28\.57 %/);
    expect(await page.getByRole('cell', { name: '2.0 s' }).count()).toBe(2);
  });
});
