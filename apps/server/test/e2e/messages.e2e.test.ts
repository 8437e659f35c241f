import { expectNoAxeViolations } from './axe.js';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { agentSession, signInToCampaign, waitAgentState } from './pages.js';
import { openPage, signIn, useE2e } from './system.js';

/**
 * Agent and supervisor talk end to end (issue 17, point 7): the whole system on the simulated
 * PBX, an agent and a supervisor in two chromium contexts. The supervisor writes from the agent's
 * row and the agent sees it (badge, live region, text shown as text); the agent raises its hand
 * with Alt+Q, the wall shows it, and the supervisor's acknowledgement lowers it; the thread
 * survives a reload of the agent's page.
 */

const e2e = useE2e({ leads: 0 });
let agent: Page;
let supervisor: Page;
let agentId = '';

const agentMessages = () => agent.getByRole('region', { name: 'Messages' });
const handButton = () => agent.locator('button[aria-keyshortcuts="Alt+Q"]');

beforeAll(async () => {
  agent = await openPage(e2e.browser, e2e.sys);
  supervisor = await openPage(e2e.browser, e2e.sys);
  await signInToCampaign(agent, 'agent1');
  await waitAgentState(agent, 'PAUSED');
  agentId = (await agentSession(agent)).agentId;
  await signIn(supervisor, 'supervisor');
  await supervisor.getByRole('heading', { name: 'Supervisor dashboard' }).waitFor();
  await supervisor.locator(`.sv-row[data-agent-id="${agentId}"]`).waitFor({ timeout: 10_000 });
});

describe('agent and supervisor talk', () => {
  it('the supervisor writes from the agent row; the agent is told and reads it as plain text', async () => {
    // The live regions are in the page before anything is said.
    expect(await agent.getByTestId('talk-live').getAttribute('aria-live')).toBe('polite');
    expect(await supervisor.getByTestId('sv-talk-live').getAttribute('aria-live')).toBe('polite');

    await supervisor.locator(`[data-message-agent="${agentId}"]`).click();
    const box = supervisor.getByRole('textbox', { name: /^Message to / });
    await expect
      .poll(() => supervisor.locator('[data-testid="sv-messages"] textarea:focus').count())
      .toBe(1);
    const t0 = Date.now();
    await box.fill('Please call me back <b>now</b>');
    await box.press('Enter');

    await agentMessages().locator('[data-unread="1"]').waitFor({ timeout: 5_000 });
    console.log(`supervisor Enter to agent unread badge: ${Date.now() - t0} ms`);
    await expect
      .poll(() => agent.getByTestId('talk-live').textContent())
      .toContain('Please call me back <b>now</b>');
    await agentMessages()
      .getByRole('button', { name: /^Messages/ })
      .click();
    const item = agentMessages().locator('li[data-message-id]').last();
    expect(await item.textContent()).toContain('Please call me back <b>now</b>');
    expect(await item.locator('b').count()).toBe(0);
    // Opened: read, so the badge goes.
    await agentMessages().locator('[data-unread]').waitFor({ state: 'detached', timeout: 5_000 });
    // The supervisor's thread shows it read.
    await supervisor
      .getByRole('region', { name: 'Messages' })
      .getByText(/· read/)
      .waitFor({ timeout: 5_000 });
  });

  it('the agent answers; the wall counts it unread on the row until the thread is open', async () => {
    const wall = supervisor.getByRole('region', { name: 'Messages' });
    await wall.getByRole('button', { name: /^Messages/ }).click(); // folded: nothing is read
    const reply = agentMessages().getByRole('textbox', { name: 'Message to the supervisors' });
    await reply.fill('On my way');
    await agentMessages().getByRole('button', { name: 'Send' }).click();
    const rowButton = supervisor.locator(`[data-message-agent="${agentId}"]`);
    await expect
      .poll(() => rowButton.getAttribute('aria-label'), { timeout: 5_000 })
      .toMatch(/\(1 unread\)$/);
    await expect
      .poll(() => supervisor.getByTestId('sv-talk-live').textContent())
      .toContain('On my way');
    await rowButton.click();
    await wall.locator('li[data-message-id]').getByText('On my way', { exact: true }).waitFor();
    await expect
      .poll(() => rowButton.getAttribute('aria-label'), { timeout: 5_000 })
      .not.toMatch(/unread/);
  });

  it('Alt+Q raises the hand, the wall marks the row, the acknowledgement lowers it', async () => {
    expect(await handButton().getAttribute('aria-pressed')).toBe('false');
    await agent.keyboard.press('Alt+KeyQ');
    await agent.locator('button[aria-keyshortcuts="Alt+Q"][aria-pressed="true"]').waitFor();
    const marker = supervisor.locator(
      `.sv-row[data-agent-id="${agentId}"] [data-hand-raised="${agentId}"]`,
    );
    await marker.waitFor({ timeout: 5_000 });
    await expect
      .poll(() => supervisor.getByTestId('sv-talk-live').textContent())
      .toContain('raised a hand');

    await marker.click();
    await marker.waitFor({ state: 'detached', timeout: 5_000 });
    await agent.locator('button[aria-keyshortcuts="Alt+Q"][aria-pressed="false"]').waitFor();
    await expect
      .poll(() => agent.getByTestId('talk-live').textContent())
      .toBe('A supervisor acknowledged your raised hand.');

    // The agent lowers its own hand too.
    await handButton().click();
    await marker.waitFor({ timeout: 5_000 });
    await handButton().click();
    await marker.waitFor({ state: 'detached', timeout: 5_000 });
  });

  it('both Messages panels, open with a thread and a raised hand, have no WCAG 2.1 AA violation', async () => {
    await handButton().click();
    const marker = supervisor.locator(`[data-hand-raised="${agentId}"]`);
    await marker.waitFor({ timeout: 5_000 });
    // The parts exist (an empty include would check nothing), then WCAG 2.1 A/AA inside them.
    for (const [page, part, name] of [
      [agent, '[data-testid="agent-messages"]', "the agent's Messages panel"],
      [supervisor, '[data-testid="sv-messages"]', "the supervisor's Messages panel"],
      [supervisor, `.sv-row[data-agent-id="${agentId}"]`, 'the row with a raised hand'],
    ] as const) {
      await page.locator(part).first().waitFor();
      await expectNoAxeViolations(page, name, { include: part });
    }
    await handButton().click();
    await marker.waitFor({ state: 'detached', timeout: 5_000 });
  });

  it('a reconnecting agent panel gets the recent thread back', async () => {
    await agent.reload();
    await waitAgentState(agent, 'PAUSED');
    await agentMessages()
      .getByRole('button', { name: /^Messages/ })
      .click();
    const items = agentMessages().locator('li[data-message-id]');
    await items.getByText('Please call me back <b>now</b>').waitFor({ timeout: 5_000 });
    await items.getByText('On my way').waitFor();
  });
});
