import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { adminPage, useE2e } from './system.js';

/**
 * The admin's list screens end to end in Debian's chromium against the whole system: preview a
 * CSV with one bad row, see the row's error, import, see the counts; then put a number on the
 * DNC list and look it up.
 */

const e2e = useE2e({ leads: 0, agents: 1 });
let page: Page;

const CSV =
  'phone,first_name,zip\n' +
  '+14155550171,Ann,94103\n' +
  'call-me-maybe,Bob,10001\n' +
  '(212) 555-0172,Cy,\n';

beforeAll(async () => {
  page = await adminPage(e2e);
});

describe('admin lists, import and DNC', () => {
  it('previews a CSV with one bad row, shows the error, imports it and shows the counts', async () => {
    await page.goto('/#/admin/lists');
    await page.getByRole('heading', { name: 'Lists & import' }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill('Spring e2e');
    await page.getByRole('button', { name: 'Create list' }).click();
    await page.getByRole('link', { name: 'Import into Spring e2e' }).click();
    await page.getByTestId('import-panel').waitFor();

    await page.getByLabel('CSV file').setInputFiles({
      name: 'spring.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(CSV),
    });
    const bad = page.getByTestId('row-error').filter({ hasText: 'phone' });
    await bad.waitFor();
    expect(await bad.textContent()).toContain('phone: not a valid phone number');
    expect(await page.getByTestId('preview-summary').textContent()).toContain(
      '1 of these rows has an error',
    );
    // The mapping the server detected is shown per lead field.
    expect(await page.locator('#map-postal_code-hint').textContent()).toBe('column zip');
    const rows = Number(
      (
        await e2e.sys.db.pool.query<{ n: string }>(
          "SELECT count(*)::text AS n FROM leads l JOIN lists s ON s.id = l.list_id WHERE s.name = 'Spring e2e'",
        )
      ).rows[0]?.n,
    );
    expect(rows).toBe(0);

    await page.getByRole('button', { name: 'Import spring.csv' }).click();
    const result = page.getByTestId('import-result');
    await result.waitFor();
    expect(await result.getByTestId('imported').textContent()).toBe('2');
    expect(await result.getByTestId('rejected').textContent()).toBe('1');
    expect(
      await result.getByRole('link', { name: 'Download the row-error report (CSV)' }).count(),
    ).toBe(1);
    // The lists table now counts the two leads.
    const listRow = page.locator('tr', { hasText: 'Spring e2e' }).first();
    await expect.poll(async () => listRow.locator('td').nth(2).textContent()).toBe('2');
  });

  it('adds a number to the DNC list and finds it by lookup', async () => {
    await page.goto('/#/admin/dnc');
    await page.getByRole('heading', { name: 'Do not call' }).waitFor();
    await page.locator('#dnc-add-phone').fill('(415) 555-0177');
    await page.locator('#dnc-add-note').fill('asked by phone');
    await page.getByRole('button', { name: 'Add to DNC' }).click();
    await page.getByText('+14155550177 added to the system-wide DNC list.').waitFor();

    await page.locator('#dnc-lookup-phone').fill('415-555-0177');
    await page.getByRole('button', { name: 'Look up' }).click();
    const found = page.getByTestId('dnc-lookup-result');
    await found.getByText('+14155550177 is on 1 DNC list').waitFor();
    const text = (await found.textContent()) ?? '';
    expect(text).toContain('System-wide');
    expect(text).toContain('admin');
    expect(text).toContain('asked by phone');
  });
});
