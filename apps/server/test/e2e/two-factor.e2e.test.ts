import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { totpCode } from '../../src/services/admin/two-factor.js';
import { openPage, submitSignIn, useE2e } from './system.js';

/**
 * Two-factor sign-in on the screens (docs/security.md): an admin without a second factor is sent
 * to enrolment (QR code and key), turns it on with a first code, sees its recovery codes once;
 * its next sign-in asks for a code after the password, refuses a wrong one, takes a recovery code.
 */

const e2e = useE2e({ leads: 0, agents: 1 });

/** The recovery codes shown once after two-factor is turned on: ten of them. */
async function shownRecoveryCodes(page: Page): Promise<string[]> {
  const list = page.getByRole('list', { name: 'Recovery code list' });
  await list.waitFor();
  const codes = (await list.locator('code').allTextContents()).map((c) => c.trim());
  expect(codes).toHaveLength(10);
  return codes;
}

/** Answers the sign-in's code question with `code`. */
async function verifyWith(page: Page, code: string): Promise<void> {
  await page.getByLabel('Code').fill(code);
  await page.getByRole('button', { name: 'Verify' }).click();
}

describe('two-factor sign-in in the browser', () => {
  let secret = '';
  let recovery: string[] = [];

  it('sends an admin to enrolment, then shows the recovery codes once', async () => {
    const page = await openPage(e2e.browser, e2e.sys);
    await submitSignIn(page, 'admin');
    await page.getByRole('img', { name: 'QR code of the authenticator key' }).waitFor();
    expect(
      await page.getByRole('img', { name: 'QR code of the authenticator key' }).getAttribute('src'),
    ).toMatch(/^data:image\/png;base64,/);
    secret = ((await page.getByTestId('totp-secret').textContent()) ?? '').trim();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    await page.getByLabel('Code').fill('000000');
    await page.getByRole('button', { name: 'Turn on two-factor sign-in' }).click();
    // The alert region is on the page from the start (empty): wait for the refusal in it.
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('wrong code');
    await page.getByLabel('Code').fill(totpCode(secret, Date.now()));
    await page.getByRole('button', { name: 'Turn on two-factor sign-in' }).click();
    recovery = await shownRecoveryCodes(page);
    await page.getByRole('button', { name: 'I have saved them, continue' }).click();
    await page.getByRole('link', { name: 'Admin' }).first().waitFor();
    await page.context().close();
  });

  it('asks for the code after the password next time, refuses a wrong one, takes a recovery code', async () => {
    const page = await openPage(e2e.browser, e2e.sys);
    await submitSignIn(page, 'admin');
    await page.getByRole('button', { name: 'Verify' }).waitFor();
    await verifyWith(page, '123456');
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toContain('wrong or already used code');
    await verifyWith(page, recovery[0] ?? '');
    await page.getByRole('link', { name: 'Admin' }).first().waitFor();
    await page.context().close();
  });

  it('an agent turns it on from its own panel; its next sign-in asks for the code', async () => {
    const page = await openPage(e2e.browser, e2e.sys);
    await submitSignIn(page, 'agent1');
    await page.getByText('Two-factor sign-in', { exact: true }).click();
    await expect.poll(() => page.getByTestId('my-2fa-state').textContent()).toMatch(/^Off/);
    await page.getByRole('button', { name: 'Set up two-factor sign-in' }).click();
    const mine = ((await page.getByTestId('my-totp-secret').textContent()) ?? '').trim();
    expect(mine).toMatch(/^[A-Z2-7]{32}$/);
    await page.getByLabel('Code from your authenticator app').fill('000000');
    await page.getByRole('button', { name: 'Turn on', exact: true }).click();
    await expect.poll(() => page.getByRole('alert').first().textContent()).toContain('wrong code');
    await page.getByLabel('Code from your authenticator app').fill(totpCode(mine, Date.now()));
    await page.getByRole('button', { name: 'Turn on', exact: true }).click();
    const codes = await shownRecoveryCodes(page);
    await page.getByRole('button', { name: 'Done' }).click();
    await expect.poll(() => page.getByTestId('my-2fa-state').textContent()).toMatch(/^On \(10/);
    await page.context().close();

    const again = await openPage(e2e.browser, e2e.sys);
    await submitSignIn(again, 'agent1');
    await again.getByRole('button', { name: 'Verify' }).waitFor();
    await verifyWith(again, codes[0] ?? '');
    await again.getByRole('button', { name: 'Log in to campaign' }).waitFor();
    await again.context().close();
  });
});
