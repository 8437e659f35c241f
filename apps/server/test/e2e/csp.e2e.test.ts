import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { DEMO_PASSWORD, useE2e } from './system.js';

/**
 * Issue 12 point 8: the built panel works under the API's own Content-Security-Policy (no inline
 * script, frame-ancestors 'none'). The other e2e files go through a test front server that serves
 * the build without the API's headers; this one loads the panel from the API itself, as a real
 * installation does, and fails on any CSP violation in the agent and supervisor screens.
 */
const e2e = useE2e();

/** A page on the API's origin that records every CSP violation and page error. */
async function watchedPage(): Promise<{ page: Page; problems: string[] }> {
  const context = await e2e.browser.newContext({ baseURL: e2e.sys.apiUrl });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  await page.addInitScript(() => {
    // The server's TypeScript project has no DOM library: the page's document, as used here.
    const doc = (
      globalThis as unknown as {
        document: {
          addEventListener(
            type: string,
            fn: (e: { violatedDirective: string; blockedURI: string }) => void,
          ): void;
        };
      }
    ).document;
    doc.addEventListener('securitypolicyviolation', (e) => {
      console.error(`Refused to load: CSP ${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  return { page, problems };
}

async function signIn(page: Page, username: string): Promise<void> {
  const res = await page.goto('/');
  const csp = (await res?.allHeaders())?.['content-security-policy'] ?? '';
  expect(csp).toContain("script-src 'self'");
  expect(csp).toContain("frame-ancestors 'none'");
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

describe('the panel under the API Content-Security-Policy', () => {
  it('an agent signs in, logs in to the campaign over the WebSocket, with no CSP violation', async () => {
    const { page, problems } = await watchedPage();
    await signIn(page, 'agent1');
    await page.getByRole('button', { name: 'Log in to campaign' }).click();
    await page
      .locator('[aria-label="Agent state"][data-agent-state="PAUSED"]')
      .waitFor({ timeout: 20_000 });
    await page.locator('[aria-label="Phone"][data-phone="leg_up"]').waitFor({ timeout: 10_000 });
    expect(problems).toEqual([]);
  });

  it('a supervisor opens the dashboard with no CSP violation', async () => {
    const { page, problems } = await watchedPage();
    await signIn(page, 'supervisor');
    await page.getByRole('heading', { name: 'Supervisor dashboard' }).waitFor();
    await page.waitForTimeout(500);
    expect(problems).toEqual([]);
  });

  it('cannot be framed', async () => {
    const { page } = await watchedPage();
    const res = await page.goto('/');
    const headers = (await res?.allHeaders()) ?? {};
    expect(headers['x-frame-options']).toBe('DENY');
  });
});
