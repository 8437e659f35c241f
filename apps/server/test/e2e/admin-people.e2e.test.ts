import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { adminPage, useE2e } from './system.js';

/**
 * The admin screens for campaigns and scripts end to end, in Debian's chromium against the whole
 * system: an admin creates a campaign, is refused a ring timeout of 10 with the field and the
 * limit named, fixes it and saves, then edits the campaign's script with the live preview.
 */

const e2e = useE2e({ leads: 0, agents: 1 });
let page: Page;

beforeAll(async () => {
  page = await adminPage(e2e);
});

describe('admin: campaigns and scripts', () => {
  it('refuses a ring timeout of 10 naming the field and the limit, then saves the fix', async () => {
    await page.goto('/#/admin/campaigns');
    await page.getByRole('heading', { name: 'Campaigns' }).waitFor();
    await page.getByRole('link', { name: 'New campaign' }).click();
    const form = page.getByRole('form', { name: 'New campaign' });
    await form.getByLabel('Name').fill('E2E outbound');
    const ring = form.getByLabel('Ring timeout (s)');
    await ring.fill('10');
    await form.getByRole('button', { name: 'Create campaign' }).click();

    const refusal = form.getByTestId('refusal');
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain('ringTimeoutS: must be between 15 and 120 s');
    expect(await page.locator('#campaign-ringTimeoutS-error').textContent()).toBe(
      'must be between 15 and 120 s',
    );
    expect(await ring.getAttribute('aria-invalid')).toBe('true');
    // The server enforces the same limit with the same words, and created nothing.
    const direct = await page.request.post('/api/campaigns', {
      data: { name: 'E2E outbound', ringTimeoutS: 10 },
    });
    expect(direct.status()).toBe(400);
    expect(((await direct.json()) as { error: { message: string } }).error.message).toBe(
      'ringTimeoutS: must be between 15 and 120 s',
    );

    // Fixed from the keyboard: focus the field, replace the value, submit with Enter.
    await ring.focus();
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type('30');
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: 'Created campaign E2E outbound.' }).waitFor();
    await page.getByRole('form', { name: 'Edit campaign E2E outbound' }).waitFor();
    const list = (await (await page.request.get('/api/campaigns')).json()) as {
      campaigns: Array<{ name: string; ringTimeoutS: number }>;
    };
    expect(list.campaigns.find((c) => c.name === 'E2E outbound')?.ringTimeoutS).toBe(30);
  });

  it('edits the script with a live preview that fills placeholders and flags unknown ones', async () => {
    await page.getByRole('link', { name: 'Edit the script of E2E outbound' }).click();
    await page.getByRole('heading', { name: 'Scripts' }).waitFor();
    const text = page.getByLabel('Script of E2E outbound');
    await text.fill('Hello {{first_name}} from {{city}}. I am {{agent_name}}. {{frist_name}}');
    const preview = page.getByTestId('script-preview');
    await expect.poll(() => preview.textContent()).toContain('Hello Jane from San Francisco.');
    expect(await preview.locator('mark.ph-known').count()).toBe(3);
    expect(await preview.locator('mark.ph-unknown').textContent()).toBe('{{frist_name}}');
    expect(await page.getByTestId('unknown-placeholders').textContent()).toContain(
      '{{frist_name}}',
    );

    await text.fill('Hello {{first_name}} from {{city}}.');
    expect(await page.getByTestId('unknown-placeholders').count()).toBe(0);
    await page.getByRole('button', { name: 'Save script' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: 'Saved the script of E2E outbound.' })
      .waitFor();
    const list = (await (await page.request.get('/api/campaigns')).json()) as {
      campaigns: Array<{ name: string; script: string }>;
    };
    expect(list.campaigns.find((c) => c.name === 'E2E outbound')?.script).toBe(
      'Hello {{first_name}} from {{city}}.',
    );
  });

  it('creates a team and a user in it, refuses a short password, and deactivates the user', async () => {
    await page.goto('/#/admin/teams');
    await page.getByLabel('New team name').fill('Night shift');
    await page.getByRole('button', { name: 'Create team' }).click();
    await page.getByRole('status').filter({ hasText: 'Created team Night shift.' }).waitFor();

    await page.goto('/#/admin/users');
    await page.getByRole('button', { name: 'New user' }).click();
    const form = page.getByRole('form', { name: 'New user' });
    await form.getByLabel('Username').fill('night1');
    await form.getByLabel('Password').fill('short');
    await form.getByLabel('Display name').fill('Night One');
    await form.getByLabel('Team').selectOption({ label: 'Night shift' });
    await form.getByRole('button', { name: 'Create user' }).click();
    expect(await page.locator('#nu-password-error').textContent()).toBe(
      'must be at least 10 characters',
    );
    await form.getByLabel('Password').fill('night shift password');
    await form.getByRole('button', { name: 'Create user' }).click();
    const row = page.locator('tr', { hasText: 'night1' });
    await row.getByRole('cell', { name: 'Night shift' }).waitFor();

    await row.getByRole('button', { name: 'Edit night1' }).click();
    await page.getByRole('button', { name: 'Deactivate' }).click();
    await page.getByRole('status').filter({ hasText: 'night1 deactivated.' }).waitFor();
    await row.getByRole('cell', { name: 'deactivated' }).waitFor();
    const r = await page.request.post('/api/auth/login', {
      data: { username: 'night1', password: 'night shift password' },
    });
    expect(r.status()).toBe(401);
  });
});
