import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openPage, signIn, useE2e } from './system.js';

/**
 * The lead screen's "Why not dialed?" panel and the admin's State rules screen, in chromium on
 * the whole system: a lead on the internal DNC list with no known time zone shows both rules;
 * an admin changes Maryland's attempt cap on the screen and the table shows it.
 */

const e2e = useE2e({ leads: 0 }, 240_000);
let leadId: string;

beforeAll(async () => {
  const r = await e2e.sys.db.pool.query<{ id: string }>(
    `INSERT INTO leads (list_id, phone, state, tz_candidates, tz_key, tz_source)
     VALUES ($1, '+13055550199', 'FL', '{}', '', 'unknown') RETURNING id::text`,
    [e2e.sys.seed.listId],
  );
  leadId = r.rows[0]?.id ?? '';
  await e2e.sys.db.pool.query("INSERT INTO dnc (phone, source) VALUES ('+13055550199', 'manual')");
}, 240_000);

describe('state rules and why-not-dialed screens', () => {
  it("shows a supervisor every rule holding a lead back on the lead's screen", async () => {
    const page: Page = await openPage(e2e.browser, e2e.sys);
    await signIn(page, 'supervisor');
    await page.getByRole('heading', { name: 'Supervisor dashboard' }).waitFor();
    await page.goto(`/#/reports/lead-history/${leadId}`);
    const panel = page.getByRole('region', { name: 'Why is this lead not being dialed?' });
    await panel.getByRole('list', { name: 'Rules', exact: true }).waitFor({ timeout: 15_000 });
    const text = (await panel.textContent()) ?? '';
    expect(text).toContain('Do-not-call list: the number is on a do-not-call list: internal');
    expect(text).toContain("Time zone unknown: the lead's time zone is unknown");
    expect(text).toMatch(/FL \(address, area_code\): today .*Fla\. Stat\./);
  });

  it("lets an admin change Maryland's attempt cap on the State rules screen", async () => {
    const page: Page = await openPage(e2e.browser, e2e.sys);
    await signIn(page, 'admin');
    await page.goto('/#/admin/state-rules');
    await page.getByRole('heading', { name: 'State calling rules' }).waitFor({ timeout: 15_000 });
    await page
      .getByText(/counsel should confirm/)
      .first()
      .waitFor({ timeout: 15_000 });
    await page.getByRole('button', { name: 'Edit MD' }).click();
    await page.getByLabel(/Most calls to one number/).fill('2');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved the rule of MD' }).waitFor();
    const row = page.locator('tr[data-key="MD"]');
    expect(await row.textContent()).toContain('at most 2');
    const stored = await e2e.sys.db.pool.query<{ max_attempts_24h: number }>(
      "SELECT max_attempts_24h FROM state_calling_rules WHERE state = 'MD'",
    );
    expect(stored.rows[0]?.max_attempts_24h).toBe(2);
  });
});
