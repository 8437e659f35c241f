import type { Page } from 'playwright-core';
import { signIn } from './system.js';

/**
 * What the e2e files read from and do on the agent panel, written once: its state, the call on
 * screen, the server's view of the session, and signing an agent into the campaign.
 */

/** Waits until the agent panel shows `state` (20 s unless told). */
export async function waitAgentState(page: Page, state: string, timeoutMs = 20_000): Promise<void> {
  await page
    .locator(`[aria-label="Agent state"][data-agent-state="${state}"]`)
    .waitFor({ timeout: timeoutMs });
}

/** The state the agent panel shows now. */
export const agentStateOn = (page: Page) =>
  page.locator('[aria-label="Agent state"]').getAttribute('data-agent-state');

/** The id of the call on screen (null: none). */
export const callIdOn = (page: Page) =>
  page.locator('section[aria-label="Call"][data-call-id]').getAttribute('data-call-id');

/** The id of the call on screen; fails when there is none. */
export async function currentCallId(page: Page): Promise<string> {
  const id = await callIdOn(page);
  if (!id) throw new Error('no call on screen');
  return id;
}

/** The agent's session as the server has it, read with the page's own cookie; fails when logged out. */
export async function agentSession(
  page: Page,
): Promise<{ agentId: string; state: string; callId: string | null }> {
  const r = await page.request.get('/api/agent/session');
  const body = (await r.json()) as {
    agent: { agentId: string; state: string; callId: string | null } | null;
  };
  if (!body.agent) throw new Error('not logged in');
  return body.agent;
}

/**
 * The panel's own measure (performance.measure, no test-driver overhead) of the campaign login
 * click to the phone leg up, ms; -1 when it has none.
 */
export function loginToLegMs(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      (
        globalThis as unknown as {
          performance: { getEntriesByName(n: string): Array<{ duration: number }> };
        }
      ).performance.getEntriesByName('ringside:login-to-leg')[0]?.duration ?? -1,
  );
}

/**
 * Signs agent `username` in and logs it into the campaign; with `legUp`, waits until its phone
 * leg is up (`legUp` ms at most, or the page's default when true).
 */
export async function signInToCampaign(
  page: Page,
  username: string,
  legUp: boolean | number = false,
): Promise<void> {
  await signIn(page, username);
  await page.getByRole('button', { name: 'Log in to campaign' }).click();
  if (legUp === false) return;
  await page
    .locator('[aria-label="Phone"][data-phone="leg_up"]')
    .waitFor(typeof legUp === 'number' ? { timeout: legUp } : undefined);
}
