import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { signInToCampaign, waitAgentState } from './pages.js';
import { openPage, useE2e } from './system.js';

/**
 * The wrap-up beside the disposition form end to end (issue 17): its own countdown, the last
 * seconds shown differently, a number key picking a disposition, the agent's extension (once per
 * call here, audited; a second one refused with a message), and the calm message after the server
 * filed the default disposition, in place of the stale refusal. The agent's own day is beside it.
 */

const e2e = useE2e({
  campaign: {
    wrapup_s: 5,
    wrapup_timeout_action: 'disposition',
    wrapup_extensions: 1,
    wrapup_extension_s: 5,
  },
});
let page: Page;

const wrapup = () => page.getByRole('region', { name: 'Wrap-up time' });
const notice = () => page.locator('.notice').first();

beforeAll(async () => {
  page = await openPage(e2e.browser, e2e.sys);
  await signInToCampaign(page, 'agent2', 5000);
  await page.getByRole('button', { name: 'Ready', exact: true }).click();
  await waitAgentState(page, 'INCALL', 30_000);
});

describe('wrap-up beside the disposition form', () => {
  it("shows the agent's day beside the call", async () => {
    const day = page.getByRole('region', { name: 'My day' });
    await day.waitFor();
    expect(await day.textContent()).toMatch(/Calls.*Talk time.*Average handle time.*Sales/);
  });

  it('counts down beside the form, ending words in the last seconds, a number key picks', async () => {
    await page.keyboard.press('Alt+KeyH');
    await waitAgentState(page, 'WRAPUP');
    await wrapup().waitFor();
    expect(await wrapup().getAttribute('data-ending')).toBe('true');
    expect(await wrapup().textContent()).toMatch(/left: wrap-up ends soon/);
    expect(await page.getByRole('timer', { name: 'Wrap-up countdown' }).textContent()).toMatch(
      /^0:0\d$/,
    );
    // Focus is on the form's heading: the key 2 picks the second disposition shown.
    const form = page.getByRole('form', { name: 'Disposition' });
    await form.getByRole('heading').focus();
    await page.keyboard.press('2');
    expect(await form.getByRole('radio').nth(1).isChecked()).toBe(true);
  });

  it('Alt+E extends once (audited); a second extension is refused with a message', async () => {
    await page.keyboard.press('Alt+KeyE');
    await expect.poll(async () => wrapup().textContent()).toMatch(/0 of 1 left/);
    const audit = await e2e.sys.db.pool.query<{ detail: { extension: number } }>(
      `SELECT detail FROM audit_log WHERE action = 'agent.wrapup_extend'`,
    );
    expect(audit.rows.map((r) => r.detail.extension)).toEqual([1]);
    await page.keyboard.press('Alt+KeyE');
    await expect.poll(async () => notice().textContent()).toMatch(/already extended once/);
  });

  it('at zero the server files the default; the panel says so calmly and drops the refusal', async () => {
    await waitAgentState(page, 'READY', 20_000).catch(() => waitAgentState(page, 'INCALL', 5000));
    await expect
      .poll(async () => notice().textContent())
      .toMatch(/^Wrap-up time ran out: filed as .+ for .+\.Dismiss$/);
    expect(await notice().getAttribute('class')).toContain('info');
    expect(await page.getByRole('form', { name: 'Disposition' }).count()).toBe(0);
  });
});
