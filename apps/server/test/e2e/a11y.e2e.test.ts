import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { totpCode } from '../../src/services/admin/two-factor.js';
import { expectNoAxeViolations, injectAxe, whenQuiet } from './axe.js';
import { signInToCampaign, waitAgentState } from './pages.js';
import { callLead } from './visual.js';
import { DEMO_PASSWORD, openPage, signIn, submitSignIn, useE2e } from './system.js';

/**
 * Issue 17 point 8: axe-core (WCAG 2.1 A and AA rules) finds nothing on any screen of the app:
 * sign-in, the agent desk in each state (logged out of the campaign, paused, ready, in a call, on
 * hold, wrap-up with the disposition form) with its shortcut list, messages and two-factor
 * settings, the supervisor wall with an agent on a call and a raised hand, every report, every
 * admin section and the two-factor screens. The campaign dials by hand only, so the test decides
 * when a call comes (a manual dial of the first lead) and nothing else rings.
 */

const e2e = useE2e({ agents: 2, leads: 10, campaign: { dial_method: 'manual' } });
let agent: Page;
let firstLeadId = '';

beforeAll(async () => {
  const r = await e2e.sys.db.pool.query<{ id: string }>(
    'SELECT id::text FROM leads ORDER BY id LIMIT 1',
  );
  firstLeadId = r.rows[0]?.id ?? '';
  agent = await openPage(e2e.browser, e2e.sys);
});

/** Checks the page as it is once nothing is loading any more. */
async function check(page: Page, screen: string): Promise<void> {
  await whenQuiet(page);
  await expectNoAxeViolations(page, screen);
}

describe('the axe-core check itself', () => {
  it('fails on a known violation with the rule, its impact, the element and the help page', async () => {
    const page = await e2e.browser.newPage();
    try {
      await page.setContent(
        '<html lang="en"><title>t</title><main><img src="x.png"><button></button></main></html>',
      );
      const failed = await expectNoAxeViolations(page, 'a broken page').then(
        () => '',
        (err: unknown) => (err instanceof Error ? err.message : String(err)),
      );
      expect(failed).toContain('axe-core violation(s) (WCAG 2.1 A/AA) on a broken page');
      expect(failed).toMatch(
        /- image-alt \[critical\] .*\n\s+https:\/\/dequeuniversity\.com\S+image-alt/,
      );
      expect(failed).toMatch(/- button-name \[critical\]/);
      expect(failed).toContain('    img');
    } finally {
      await page.close();
    }
  });
});

describe('axe-core: no WCAG 2.1 A/AA violation on any screen', () => {
  it('sign-in, empty and after a refused password', async () => {
    await agent.goto('/');
    await agent.getByLabel('Username').waitFor();
    await check(agent, 'sign-in');
    await agent.getByLabel('Username').fill('agent1');
    await agent.getByLabel('Password').fill('not-the-password');
    await agent.getByRole('button', { name: 'Sign in' }).click();
    await agent.getByRole('alert').waitFor();
    await check(agent, 'sign-in with a refusal');
  });

  it('agent desk: signed in, logged out of the campaign', async () => {
    await signIn(agent, 'agent1');
    await agent.getByRole('button', { name: 'Log in to campaign' }).waitFor();
    await check(agent, 'agent desk logged out of the campaign');
  });

  it('agent desk: paused, with the line up, the shortcut list and the messages', async () => {
    await agent.getByRole('button', { name: 'Log in to campaign' }).click();
    await waitAgentState(agent, 'PAUSED');
    await agent.locator('[aria-label="Phone"][data-phone="leg_up"]').waitFor();
    await check(agent, 'agent desk paused');
    await agent.keyboard.press('Alt+Slash');
    await agent.getByRole('region', { name: 'Keyboard shortcuts' }).waitFor();
    await check(agent, 'agent desk with the shortcut list');
    await agent.keyboard.press('Alt+Slash');
    const messages = agent.getByRole('button', { name: /^Messages/ });
    await messages.click();
    await agent.getByTestId('agent-messages').waitFor();
    await check(agent, 'agent desk with the messages open');
    await messages.click();
  });

  it("agent desk: the agent's own two-factor settings", async () => {
    await agent.getByText('Two-factor sign-in', { exact: true }).click();
    await agent.getByTestId('my-2fa-state').waitFor();
    await check(agent, "agent's two-factor settings");
    await agent.getByText('Two-factor sign-in', { exact: true }).click();
  });

  it('agent desk: ready', async () => {
    await agent.getByRole('button', { name: 'Ready', exact: true }).click();
    await waitAgentState(agent, 'READY');
    await check(agent, 'agent desk ready');
  });

  it('agent desk: in a call, then on hold', async () => {
    await agent.getByRole('button', { name: 'Pause', exact: true }).click();
    await waitAgentState(agent, 'PAUSED');
    await callLead(e2e.sys, agent, firstLeadId);
    await agent.getByRole('region', { name: 'Lead', exact: true }).waitFor();
    await check(agent, 'agent desk in a call');
    await agent.getByRole('button', { name: 'Hold' }).click();
    await agent.getByRole('button', { name: 'Resume' }).waitFor();
    await check(agent, 'agent desk with the customer on hold');
    await agent.getByRole('button', { name: 'Resume' }).click();
    await agent.getByRole('button', { name: 'Hold' }).waitFor();
  });

  it('supervisor wall, with an agent on a call and one paused, then raising a hand', async () => {
    const other = await openPage(e2e.browser, e2e.sys);
    await signInToCampaign(other, 'agent2');
    await waitAgentState(other, 'PAUSED');
    const wall = await openPage(e2e.browser, e2e.sys);
    await signIn(wall, 'supervisor');
    await wall.getByRole('heading', { name: 'Supervisor dashboard' }).waitFor();
    await wall
      .getByText(/agent1|Agent 1/i)
      .first()
      .waitFor();
    await check(wall, 'supervisor wall');
    await other.keyboard.press('Alt+KeyQ');
    await wall.locator('[data-hand-raised]').first().waitFor();
    await check(wall, 'supervisor wall with a raised hand');
    await wall.context().close();
    await other.context().close();
  });

  it('agent desk: wrap-up with the disposition form', async () => {
    await agent.keyboard.press('Alt+KeyH');
    await waitAgentState(agent, 'WRAPUP');
    await agent.getByRole('form', { name: 'Disposition' }).waitFor();
    await check(agent, 'agent desk in wrap-up with the disposition form');
    const form = agent.getByRole('form', { name: 'Disposition' });
    await form.getByRole('radio').first().check();
    await form.getByLabel('Then pause').check();
    await form.getByRole('button', { name: 'Submit disposition' }).click();
    await waitAgentState(agent, 'PAUSED');
    await check(agent, 'agent desk paused after a disposition');
    await agent.getByRole('button', { name: 'Log out of campaign' }).click();
    await waitAgentState(agent, 'LOGGED_OUT');
    await check(agent, 'agent desk after logging out of the campaign');
  });

  it('every report', async () => {
    const page = await openPage(e2e.browser, e2e.sys);
    await signIn(page, 'supervisor');
    await page.getByRole('heading', { name: 'Supervisor dashboard' }).waitFor();
    const reports = [
      ['agent-time', 'Agent time'],
      ['agent-performance', 'Agent performance'],
      ['outbound', 'Outbound calling'],
      ['compliance', 'Drop-rate compliance'],
      [`lead-history/${firstLeadId}`, 'Lead history'],
    ] as const;
    for (const [path, title] of reports) {
      await page.goto(`/#/reports/${path}`);
      await page.getByRole('heading', { name: title, exact: true }).waitFor();
      await check(page, `report ${title}`);
    }
    await page.context().close();
  });

  it('two-factor enrolment, recovery codes, every admin section, and the code question', async () => {
    const page = await openPage(e2e.browser, e2e.sys);
    await submitSignIn(page, 'admin');
    const secret = page.getByTestId('totp-secret');
    await secret.waitFor();
    await check(page, 'two-factor enrolment');
    const key = ((await secret.textContent()) ?? '').trim();
    await page.getByLabel('Code').fill(totpCode(key, Date.now()));
    await page.getByRole('button', { name: 'Turn on two-factor sign-in' }).click();
    await page.getByRole('list', { name: 'Recovery code list' }).waitFor();
    await check(page, 'two-factor recovery codes');
    const codes = await page
      .getByRole('list', { name: 'Recovery code list' })
      .locator('code')
      .allTextContents();
    await page.getByRole('button', { name: 'I have saved them, continue' }).click();
    await page.getByRole('link', { name: 'Admin' }).first().waitFor();

    const sections = page.getByRole('navigation', { name: 'Admin sections' }).getByRole('link');
    await page.goto('/#/admin/users');
    await sections.first().waitFor();
    const hrefs = await sections.evaluateAll((links) =>
      links.map((l) => (l as unknown as { getAttribute(n: string): string }).getAttribute('href')),
    );
    expect(hrefs.length).toBeGreaterThanOrEqual(9);
    for (const href of hrefs) {
      await page.goto(`/${href}`);
      await page.locator(`nav[aria-label="Admin sections"] a[aria-current="page"]`).waitFor();
      await check(page, `admin section ${href}`);
    }
    await page.context().close();

    const again = await openPage(e2e.browser, e2e.sys);
    await submitSignIn(again, 'admin');
    await again.getByRole('button', { name: 'Verify' }).waitFor();
    await check(again, 'two-factor code question');
    await again.getByLabel('Code').fill('123456');
    await again.getByRole('button', { name: 'Verify' }).click();
    await again.getByRole('alert').waitFor();
    await check(again, 'two-factor code question after a wrong code');
    expect(codes).toHaveLength(10);
    await again.context().close();
  });

  it('the sign-in screen served by the API under its own CSP (axe put in through a test-only bypassCSP context)', async () => {
    const strict = await e2e.browser.newContext({ baseURL: e2e.sys.apiUrl });
    const refused = await strict.newPage();
    const res = await refused.goto('/');
    expect((await res?.allHeaders())?.['content-security-policy']).toContain("script-src 'self'");
    await refused.getByLabel('Username').waitFor();
    await expect(injectAxe(refused)).rejects.toThrow(/bypassCSP/);
    await strict.close();

    const bypass = await e2e.browser.newContext({ baseURL: e2e.sys.apiUrl, bypassCSP: true });
    const page = await bypass.newPage();
    await page.goto('/');
    await page.getByLabel('Username').fill('agent2');
    await page.getByLabel('Password').fill(DEMO_PASSWORD);
    await check(page, 'sign-in served by the API');
    await bypass.close();
  });
});
