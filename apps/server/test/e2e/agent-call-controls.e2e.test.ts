import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { signInToCampaign, waitAgentState } from './pages.js';
import { openPage, pbxCalls, useE2e } from './system.js';

/**
 * The call controls of the agent panel end to end: hold, tones, the agent hanging up (the
 * customer's leg only), the wrap-up timer, a DNC disposition, and a manual dial that the server
 * refuses for DNC with a message.
 */

const e2e = useE2e({ campaign: { wrapup_s: 120 } });
let page: Page;

const alertText = () => page.getByRole('alert').first().textContent();

beforeAll(async () => {
  page = await openPage(e2e.browser, e2e.sys);
  await signInToCampaign(page, 'agent2', 5000);
  await page.getByRole('button', { name: 'Ready', exact: true }).click();
  await waitAgentState(page, 'INCALL', 30_000);
});

describe('agent call controls', () => {
  it('holds and resumes the customer', async () => {
    await page.getByRole('button', { name: 'Hold' }).click();
    await page.getByRole('button', { name: 'Resume' }).waitFor();
    expect(await page.getByRole('button', { name: 'Resume' }).getAttribute('aria-pressed')).toBe(
      'true',
    );
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.getByRole('button', { name: 'Hold' }).waitFor();
    // The alert regions are always there; they stay empty.
    expect((await page.getByRole('alert').allTextContents()).join('')).toBe('');
  });

  it('sends tones to the customer', async () => {
    await page.getByLabel('Tones').fill('12#');
    await page.getByRole('button', { name: 'Send tones' }).click();
    await expect.poll(() => page.getByLabel('Tones').inputValue()).toBe('');
    // The alert regions are always there; they stay empty.
    expect((await page.getByRole('alert').allTextContents()).join('')).toBe('');
  });

  it("hanging up ends the customer's leg only and starts the wrap-up timer", async () => {
    const callId = await page.locator('section[aria-label="Call"]').getAttribute('data-call-id');
    await page.keyboard.press('Alt+KeyH');
    await waitAgentState(page, 'WRAPUP');
    await page.getByRole('timer', { name: 'Wrap-up time left' }).waitFor();
    expect(await page.getByRole('timer', { name: 'Wrap-up time left' }).textContent()).toMatch(
      /Wrap-up [12]:\d\d/,
    );
    await expect
      .poll(async () => (await pbxCalls(e2e.sys.pbx)).some((c) => c.channelId === callId))
      .toBe(false);
    // The agent's own line is still up.
    expect(await page.locator('[aria-label="Phone"]').getAttribute('data-phone')).toBe('leg_up');
  });

  it('a DNC disposition puts the number on the do-not-call list', async () => {
    const phone = await page
      .getByRole('region', { name: 'Lead', exact: true })
      .locator('dd')
      .first()
      .textContent();
    const form = page.getByRole('form', { name: 'Disposition' });
    await form.getByLabel(/Do not call/).check();
    await form.getByText('adds to DNC', { exact: false }).first().waitFor();
    await form.getByLabel('Then pause').check();
    await form.getByRole('button', { name: 'Submit disposition' }).click();
    await waitAgentState(page, 'PAUSED');
    await expect
      .poll(async () => {
        const r = await e2e.sys.db.pool.query('SELECT 1 FROM dnc WHERE phone = $1', [phone]);
        return r.rowCount;
      })
      .toBe(1);
    await page.getByLabel('Number', { exact: true }).fill(phone ?? '');
    await page.getByLabel('Number', { exact: true }).press('Enter');
    await expect.poll(alertText).toMatch(/DNC|do-not-call|do not call/i);
    await waitAgentState(page, 'PAUSED');
  });

  it("a callback disposition schedules the lead at the chosen time in the lead's time zone", async () => {
    await page.getByRole('button', { name: 'Ready', exact: true }).click();
    await waitAgentState(page, 'INCALL', 30_000);
    const callId = await page.locator('section[aria-label="Call"]').getAttribute('data-call-id');
    await page.keyboard.press('Alt+KeyH');
    await waitAgentState(page, 'WRAPUP');
    const form = page.getByRole('form', { name: 'Disposition' });
    await form.getByLabel(/Call back/).check();
    // Tomorrow 10:30 on the lead's wall clock.
    const tomorrow = new Date(Date.now() + 24 * 3600_000);
    const day = new Intl.DateTimeFormat('en-CA', { timeZone: e2e.sys.leadZone }).format(tomorrow);
    await form.getByLabel(/When \(lead's time/).fill(`${day}T10:30`);
    await form.getByLabel(/Only me/).check();
    await form.getByRole('button', { name: 'Submit disposition' }).click();
    await waitAgentState(page, 'READY');
    const r = await e2e.sys.db.pool.query<{
      local: string;
      time_zone: string;
      agent: string | null;
    }>(
      `SELECT to_char(c.due_at AT TIME ZONE c.time_zone, 'YYYY-MM-DD"T"HH24:MI') AS local,
              c.time_zone, u.username AS agent
         FROM callbacks c JOIN leads l ON l.id = c.lead_id
         LEFT JOIN users u ON u.id = c.agent_id
        WHERE l.last_call_id = $1 OR c.lead_id = (SELECT lead_id FROM call_log WHERE id = $1)`,
      [callId],
    );
    expect(r.rows[0]).toEqual({
      local: `${day}T10:30`,
      time_zone: e2e.sys.leadZone,
      agent: 'agent2',
    });
  });

  it("when wrap-up runs out, the campaign's timeout action applies (here: pause)", async () => {
    await e2e.sys.db.pool.query(
      `UPDATE campaigns SET wrapup_s = 2, wrapup_timeout_action = 'pause' WHERE id = $1`,
      [e2e.sys.seed.campaignId],
    );
    await waitAgentState(page, 'INCALL', 30_000);
    await page.keyboard.press('Alt+KeyH');
    await waitAgentState(page, 'WRAPUP');
    await waitAgentState(page, 'PAUSED', 15_000);
    expect(await page.getByRole('form', { name: 'Disposition' }).count()).toBe(0);
  });
});
