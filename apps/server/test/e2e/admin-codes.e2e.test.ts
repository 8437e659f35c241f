import { beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { signInToCampaign } from './pages.js';
import { adminPage, openPage, signIn, useE2e } from './system.js';

/**
 * The admin screens for dispositions and pause codes end to end, in Debian's chromium against the
 * whole system: the system-wide and a campaign's own codes, add / edit / delete from the table,
 * the refusals (a taken code, the campaign's wrap-up default, an empty code, a long name) shown
 * where the admin is looking, a new pause code reaching the agent panel's pause choices, and a
 * supervisor kept out.
 */

const e2e = useE2e({ leads: 0, agents: 1 });
let page: Page;

beforeAll(async () => {
  page = await adminPage(e2e);
});

interface CodeRow {
  id: string;
  code: string;
  name: string;
}

/** One scope's rows as the server has them, read with the admin's own session cookie. */
async function apiCodes<T extends CodeRow>(
  what: 'dispositions' | 'pause-codes',
  campaignId: string | null = null,
): Promise<T[]> {
  const r = await page.request.get(`/api/${what}${campaignId ? `?campaignId=${campaignId}` : ''}`);
  expect(r.status()).toBe(200);
  const body = (await r.json()) as { dispositions?: T[]; pauseCodes?: T[] };
  return body.dispositions ?? body.pauseCodes ?? [];
}

/** The table row whose Code cell is exactly `code`. */
function rowOf(table: Locator, code: string): Locator {
  return table
    .getByRole('row')
    .filter({ has: table.page().getByRole('cell', { name: code, exact: true }) });
}

/** The texts of a row's cells, Actions column excluded, once the row is on screen. */
async function cellsOf(row: Locator): Promise<string[]> {
  await row.waitFor();
  const cells = await row.getByRole('cell').allTextContents();
  return cells.slice(0, -1).map((c) => c.trim());
}

/**
 * The error a field is described by (aria-describedby, role alert): what a screen reader reads
 * with the field. Waits until the field is marked invalid.
 */
async function fieldError(field: Locator): Promise<string> {
  await expect.poll(() => field.getAttribute('aria-invalid')).toBe('true');
  const ids = ((await field.getAttribute('aria-describedby')) ?? '').split(' ');
  for (const id of ids) {
    const el = field.page().locator(`[id="${id}"]`);
    if ((await el.getAttribute('role')) === 'alert') return (await el.textContent()) ?? '';
  }
  throw new Error(`no error describes the field (aria-describedby="${ids.join(' ')}")`);
}

async function chooseScope(scope: string): Promise<void> {
  await page.getByLabel('Codes of').selectOption({ label: scope });
}

const SYSTEM = 'System-wide (every campaign)';
const CAMPAIGN = 'Demo predictive';

describe('admin: dispositions', () => {
  const dispositions = () => page.getByRole('table', { name: 'Dispositions' });
  const addForm = () => page.getByRole('form', { name: 'Add a disposition' });

  it('lists the system-wide dispositions with their flags, and a campaign’s own (none yet)', async () => {
    await page.goto('/#/admin/dispositions');
    await page.getByRole('heading', { name: 'Dispositions', level: 2 }).waitFor();
    const sale = rowOf(dispositions(), 'SALE');
    await sale.waitFor();
    // Code, Name, Human answered, Sale, Adds to DNC, Callback, Final, Order.
    expect(await cellsOf(sale)).toEqual(['SALE', 'Sale', 'yes', 'yes', '—', '—', 'yes', '0']);
    expect(await cellsOf(rowOf(dispositions(), 'DNC'))).toEqual([
      'DNC',
      'Do not call',
      'yes',
      '—',
      'yes',
      '—',
      'yes',
      '30',
    ]);
    expect(await cellsOf(rowOf(dispositions(), 'CALLBK'))).toEqual([
      'CALLBK',
      'Call back',
      'yes',
      '—',
      '—',
      'yes',
      '—',
      '20',
    ]);
    const codes = (await apiCodes('dispositions')).map((d) => d.code);
    expect(await dispositions().getByRole('row').count()).toBe(codes.length + 1);

    await chooseScope(CAMPAIGN);
    await dispositions().getByRole('cell', { name: 'No disposition in this scope.' }).waitFor();
    expect(await rowOf(dispositions(), 'SALE').count()).toBe(0);
  });

  it('creates a campaign’s own disposition with its flags, edits its name and deletes it', async () => {
    await chooseScope(CAMPAIGN);
    await dispositions().getByRole('cell', { name: 'No disposition in this scope.' }).waitFor();
    // Typed from the keyboard, flags toggled with Space.
    const form = addForm();
    await form.getByLabel('Code').fill('xfer');
    expect(await form.getByLabel('Code').inputValue()).toBe('XFER');
    await form.getByLabel('Name').fill('Transferred');
    await form.getByLabel('Sort order').fill('5');
    for (const flag of ['Human answered', 'Sale', 'Callback', 'Final']) {
      await form.getByLabel(flag, { exact: true }).focus();
      await page.keyboard.press('Space');
    }
    expect(await form.getByLabel('Human answered').isChecked()).toBe(false);
    await form.getByLabel('Name').press('Enter');
    await page.getByRole('status').filter({ hasText: 'Disposition XFER added.' }).waitFor();
    const row = rowOf(dispositions(), 'XFER');
    expect(await cellsOf(row)).toEqual(['XFER', 'Transferred', '—', 'yes', '—', 'yes', 'yes', '5']);
    // The form is blank again for the next one.
    expect(await form.getByLabel('Code').inputValue()).toBe('');

    // The campaign's scope only; agents of the campaign get it with the system-wide codes.
    const campaignId = e2e.sys.seed.campaignId;
    const own = await apiCodes<CodeRow & { sale: boolean; callback: boolean; final: boolean }>(
      'dispositions',
      campaignId,
    );
    expect(own.map((d) => [d.code, d.sale, d.callback, d.final])).toEqual([
      ['XFER', true, true, true],
    ]);
    expect((await apiCodes('dispositions')).map((d) => d.code)).not.toContain('XFER');
    const agentView = (await (
      await page.request.get(`/api/campaigns/${campaignId}/dispositions`)
    ).json()) as { dispositions: Array<{ code: string; name: string }> };
    expect(agentView.dispositions.map((d) => d.code)).toEqual(
      expect.arrayContaining(['XFER', 'SALE', 'NI']),
    );

    await row.getByRole('button', { name: 'Edit XFER' }).click();
    const name = row.getByLabel('Name');
    await name.fill('Transferred to sales');
    await row.getByLabel('Callback (XFER)').uncheck();
    await row.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'Disposition XFER saved.' }).waitFor();
    await row.getByRole('cell', { name: 'Transferred to sales', exact: true }).waitFor();
    expect(await cellsOf(row)).toEqual([
      'XFER',
      'Transferred to sales',
      '—',
      'yes',
      '—',
      '—',
      'yes',
      '5',
    ]);

    await row.getByRole('button', { name: 'Delete disposition XFER' }).click();
    const confirm = row.getByRole('group', { name: 'Confirm deleting disposition XFER' });
    // "Yes, delete" takes the focus: Enter confirms.
    await confirm.getByRole('button', { name: 'Yes, delete' }).waitFor();
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: 'Disposition XFER deleted.' }).waitFor();
    await dispositions().getByRole('cell', { name: 'No disposition in this scope.' }).waitFor();
    expect(await apiCodes('dispositions', campaignId)).toEqual([]);
  });

  it('refuses a code already used in the scope with the 409 message by the form, changing nothing', async () => {
    await chooseScope(SYSTEM);
    await rowOf(dispositions(), 'SALE').waitFor();
    const before = await apiCodes('dispositions');
    const form = addForm();
    await form.getByLabel('Code').fill('SALE');
    await form.getByLabel('Name').fill('Another sale');
    await form.getByRole('button', { name: 'Add disposition' }).click();
    const refusal = form.getByTestId('refusal').filter({ hasText: 'already exists' });
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain(
      'code: disposition SALE already exists (system-wide)',
    );
    // And on the Code field itself, the 409 naming it.
    expect(await fieldError(form.getByLabel('Code'))).toBe(
      'disposition SALE already exists (system-wide)',
    );
    // Nothing lost from the form, nothing changed on the server or in the table.
    expect(await form.getByLabel('Name').inputValue()).toBe('Another sale');
    expect(await cellsOf(rowOf(dispositions(), 'SALE'))).toContain('Sale');
    expect(await apiCodes('dispositions')).toEqual(before);
  });

  it('refuses deleting the campaign’s wrap-up default (NI) with the campaign named', async () => {
    const before = await apiCodes('dispositions');
    const ni = rowOf(dispositions(), 'NI');
    await ni.getByRole('button', { name: 'Delete disposition NI' }).click();
    await ni.getByRole('button', { name: 'Yes, delete' }).click();
    const refusal = page.getByRole('alert').filter({ hasText: 'wrap-up default' });
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain(
      `disposition NI is the wrap-up default of campaign "${CAMPAIGN}" (${e2e.sys.seed.campaignId}); ` +
        'choose another wrap-up default there first',
    );
    expect(await cellsOf(ni)).toContain('Not interested');
    expect(await apiCodes('dispositions')).toEqual(before);
  });

  it('refuses an empty code and a name over 100 characters next to the field, saving nothing', async () => {
    const before = await apiCodes('dispositions');
    const long = 'x'.repeat(101);
    // The forms check with the server's own schemas first: no bad request leaves the browser.
    const writes: string[] = [];
    const onRequest = (r: { method(): string; url(): string }) => {
      if (r.method() !== 'GET' && r.url().includes('/api/dispositions'))
        writes.push(`${r.method()} ${r.url()}`);
    };
    page.on('request', onRequest);
    const tooLong = page.getByRole('alert').filter({ hasText: 'must be at most 100 characters' });

    // A row's new name: refused by the row's field; Cancel leaves the row and no stale refusal.
    const sale = rowOf(dispositions(), 'SALE');
    await sale.getByRole('button', { name: 'Edit SALE' }).click();
    await sale.getByLabel('Name').fill(long);
    await sale.getByRole('button', { name: 'Save' }).click();
    expect(await fieldError(sale.getByLabel('Name'))).toBe('must be at most 100 characters');
    await sale.getByRole('button', { name: 'Cancel' }).click();
    await sale.getByRole('cell', { name: 'Sale', exact: true }).waitFor();
    await tooLong.first().waitFor({ state: 'detached' });

    const form = addForm();
    await form.getByLabel('Code').fill('');
    await form.getByLabel('Name').fill('Valid name');
    await form.getByRole('button', { name: 'Add disposition' }).click();
    expect(await fieldError(form.getByLabel('Code'))).toBe('must be 1-16 of A-Z 0-9 _');
    expect(await form.getByLabel('Name').getAttribute('aria-invalid')).toBe('false');

    await form.getByLabel('Code').fill('LONGNAME');
    await form.getByLabel('Name').fill(long);
    await form.getByRole('button', { name: 'Add disposition' }).click();
    expect(await fieldError(form.getByLabel('Name'))).toBe('must be at most 100 characters');
    await expect.poll(() => form.getByLabel('Code').getAttribute('aria-invalid')).toBe('false');
    // Nothing the admin typed is lost, and nothing was saved.
    expect(await form.getByLabel('Name').inputValue()).toBe(long);
    expect(await apiCodes('dispositions')).toEqual(before);
    page.off('request', onRequest);
    expect(writes).toEqual([]);
  });
});

describe('admin: pause codes', () => {
  const pauseCodes = () => page.getByRole('table', { name: 'Pause codes' });
  const addForm = () => page.getByRole('form', { name: 'Add a pause code' });
  let agent: Page;

  /** The agent's pause choices once its campaign's codes are loaded (Break is always there). */
  async function agentPauseChoices(): Promise<string[]> {
    const select = agent.getByLabel('Pause code');
    await select.getByRole('option', { name: 'Break' }).waitFor({ state: 'attached' });
    return select.getByRole('option').allTextContents();
  }

  it('creates a billable pause code, refuses a duplicate, and edits it', async () => {
    await page.goto('/#/admin/pause-codes');
    await page.getByRole('heading', { name: 'Pause codes', level: 2 }).waitFor();
    expect(await cellsOf(rowOf(pauseCodes(), 'BREAK'))).toEqual(['BREAK', 'Break', 'no', 'none']);
    expect(await cellsOf(rowOf(pauseCodes(), 'TRAIN'))).toEqual([
      'TRAIN',
      'Training',
      'yes',
      'none',
    ]);

    const form = addForm();
    await form.getByLabel('Code').fill('COACH');
    await form.getByLabel('Name').fill('Coaching');
    await form.getByLabel('Billable (paid time)').check();
    await form.getByLabel('Daily limit (min)').fill('20');
    await form.getByRole('button', { name: 'Add pause code' }).click();
    await page.getByRole('status').filter({ hasText: 'Pause code COACH added.' }).waitFor();
    const row = rowOf(pauseCodes(), 'COACH');
    expect(await cellsOf(row)).toEqual(['COACH', 'Coaching', 'yes', '20 min']);
    await form.getByLabel('Daily limit (min)').fill('');

    const before = await apiCodes('pause-codes');
    await form.getByLabel('Code').fill('COACH');
    await form.getByLabel('Name').fill('Coaching again');
    await form.getByRole('button', { name: 'Add pause code' }).click();
    const refusal = form.getByTestId('refusal').filter({ hasText: 'already exists' });
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain(
      'code: pause code COACH already exists (system-wide)',
    );
    // And on the Code field itself, the 409 naming it.
    expect(await fieldError(form.getByLabel('Code'))).toBe(
      'pause code COACH already exists (system-wide)',
    );
    expect(await apiCodes('pause-codes')).toEqual(before);

    await row.getByRole('button', { name: 'Edit COACH' }).click();
    await row.getByLabel('Name').fill('Coaching session');
    await row.getByLabel('Billable (COACH)').uncheck();
    await row.getByLabel('Daily limit (min)').fill('25');
    await row.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'Pause code COACH saved.' }).waitFor();
    await row.getByRole('cell', { name: 'Coaching session', exact: true }).waitFor();
    expect(await cellsOf(row)).toEqual(['COACH', 'Coaching session', 'no', '25 min']);
    const saved = (
      await apiCodes<CodeRow & { billable: boolean; dailyLimitMin: number | null }>('pause-codes')
    ).find((p) => p.code === 'COACH');
    expect(saved).toMatchObject({ name: 'Coaching session', billable: false, dailyLimitMin: 25 });
  });

  it('the new pause code is among the agent panel’s pause choices', async () => {
    agent = await openPage(e2e.browser, e2e.sys);
    await signInToCampaign(agent, 'agent1');
    expect(await agentPauseChoices()).toContain('Coaching session');
    await agent.getByLabel('Pause code').selectOption({ label: 'Coaching session' });
  });

  it('deletes the pause code, and the agent’s choices no longer offer it after a reload', async () => {
    const row = rowOf(pauseCodes(), 'COACH');
    await row.getByRole('button', { name: 'Delete pause code COACH' }).click();
    await row.getByRole('button', { name: 'Yes, delete' }).click();
    await page.getByRole('status').filter({ hasText: 'Pause code COACH deleted.' }).waitFor();
    await row.waitFor({ state: 'detached' });
    expect((await apiCodes('pause-codes')).map((p) => p.code)).not.toContain('COACH');

    await agent.reload();
    const choices = await agentPauseChoices();
    expect(choices).toContain('Training');
    expect(choices).not.toContain('Coaching session');
  });
});

describe('admin codes: a supervisor', () => {
  it('is kept on the live dashboard at #/admin/dispositions and refused by the API', async () => {
    const supervisor = await openPage(e2e.browser, e2e.sys);
    await signIn(supervisor, 'supervisor');
    await supervisor.getByRole('heading', { name: 'Supervisor dashboard' }).waitFor();
    await supervisor.goto('/#/admin/dispositions');
    await supervisor.reload();
    await supervisor.getByRole('heading', { name: 'Supervisor dashboard' }).waitFor();
    expect(await supervisor.getByRole('heading', { name: 'Dispositions' }).count()).toBe(0);
    expect(await supervisor.getByRole('table', { name: 'Dispositions' }).count()).toBe(0);
    const screens = supervisor.getByRole('navigation', { name: 'Screens' });
    expect(await screens.getByRole('link', { name: 'Reports' }).count()).toBe(1);
    expect(await screens.getByRole('link', { name: 'Admin' }).count()).toBe(0);

    const before = await apiCodes('pause-codes');
    expect((await supervisor.request.get('/api/dispositions')).status()).toBe(403);
    const post = await supervisor.request.post('/api/pause-codes', {
      data: { code: 'SNEAK', name: 'Sneaky' },
    });
    expect(post.status()).toBe(403);
    expect(await apiCodes('pause-codes')).toEqual(before);
  });
});
