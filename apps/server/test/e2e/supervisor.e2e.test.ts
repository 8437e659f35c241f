import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { agentSession, signInToCampaign, waitAgentState } from './pages.js';
import { openPage, signIn, useE2e } from './system.js';

/** The page's scroll width and its window's width, read inside the page (no DOM types here). */
const pageWidths = (): number[] => {
  const root = (
    globalThis as unknown as {
      document: { documentElement: { scrollWidth: number; clientWidth: number } };
    }
  ).document.documentElement;
  return [root.scrollWidth, root.clientWidth];
};

/**
 * The supervisor dashboard end to end: an agent and a supervisor in two browser contexts of
 * Debian's chromium, against the whole system on the simulated PBX. No leads are seeded, so a
 * READY agent stays READY (no call moves it on before the dashboard shows it).
 */

const e2e = useE2e({ leads: 0 });
let agent: Page;
let supervisor: Page;
let agentId = '';

const row = (state?: string) =>
  supervisor.locator(
    `.sv-row[data-agent-id="${agentId}"]${state ? `[data-state="${state}"]` : ''}`,
  );

beforeAll(async () => {
  agent = await openPage(e2e.browser, e2e.sys);
  supervisor = await openPage(e2e.browser, e2e.sys);
});

describe('supervisor dashboard', () => {
  it('an agent cannot open the dashboard: the panel is shown and the routes answer 403', async () => {
    await signInToCampaign(agent, 'agent1');
    await waitAgentState(agent, 'PAUSED');
    expect(await agent.getByRole('heading', { name: 'Supervisor dashboard' }).count()).toBe(0);
    const r = await agent.request.get('/api/supervisor/roster');
    expect(r.status()).toBe(403);
    agentId = (await agentSession(agent)).agentId;
    expect(agentId).not.toBe('');
  });

  it("a supervisor sees the agent's state change within a second", async () => {
    await signIn(supervisor, 'supervisor');
    await supervisor.getByRole('heading', { name: 'Supervisor dashboard' }).waitFor();
    await row('PAUSED').waitFor({ timeout: 10_000 });
    const t0 = Date.now();
    await agent.keyboard.press('Alt+KeyR');
    await row('READY').waitFor({ timeout: 5_000 });
    const ms = Date.now() - t0;
    console.log(`agent ready key to supervisor dashboard READY: ${ms} ms`);
    expect(ms).toBeLessThan(1000);
  });

  it('at 390 px the wall is a list of cards with state, time in state and actions, and no page scroll sideways', async () => {
    await supervisor.setViewportSize({ width: 390, height: 844 });
    try {
      await supervisor.locator('.sv-table.sv-cards').waitFor({ timeout: 5_000 });
      const card = row('READY');
      await card.scrollIntoViewIfNeeded();
      const name = (await card.locator('.sv-name').textContent()) ?? '';
      expect(name.length).toBeGreaterThan(0);
      expect(await card.locator('.sv-state').textContent()).toBe('Ready');
      expect(await card.locator('.sv-clock').textContent()).toMatch(/^\d\d:\d\d$/);
      for (const label of [`Pause ${name}`, `Log out ${name}`]) {
        const box = await card.getByRole('button', { name: label, exact: true }).boundingBox();
        // Visible, inside the screen, and a target of at least 24 x 24 px (WCAG 2.5.8).
        expect(box).not.toBeNull();
        expect(box!.x).toBeGreaterThanOrEqual(0);
        expect(box!.x + box!.width).toBeLessThanOrEqual(390);
        expect(Math.min(box!.width, box!.height)).toBeGreaterThanOrEqual(24);
      }
      const widths = await supervisor.evaluate(pageWidths);
      expect(widths[0]).toBeLessThanOrEqual(widths[1] ?? 0);
      expect(await supervisor.title()).toBe('Supervisor — Ringside');
      // Sorting stays available on cards, and the headers say which way they sort.
      const header = (name: string) => supervisor.getByRole('columnheader', { name, exact: true });
      expect(await header('Time in state').getAttribute('aria-sort')).toBe('ascending');
      await supervisor.getByRole('button', { name: 'Agent', exact: true }).click();
      expect(await header('Agent').getAttribute('aria-sort')).toBe('ascending');
      expect(await header('Time in state').getAttribute('aria-sort')).toBe('none');
      await supervisor.getByRole('button', { name: 'Agent', exact: true }).click();
      expect(await header('Agent').getAttribute('aria-sort')).toBe('descending');
    } finally {
      await supervisor.setViewportSize({ width: 1280, height: 720 });
    }
  });

  it("forces a logout after a confirmation that names the agent, and the agent's panel goes to logged out", async () => {
    const name = (await row().locator('.sv-name').textContent()) ?? '';
    await row()
      .getByRole('button', { name: `Log out ${name}`, exact: true })
      .click();
    const dialog = supervisor.getByRole('dialog', { name: `Log out ${name}?` });
    await dialog.waitFor({ timeout: 5_000 });
    // Cancel first: nothing happens, the agent stays.
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden', timeout: 5_000 });
    expect(await row().count()).toBe(1);
    await row()
      .getByRole('button', { name: `Log out ${name}`, exact: true })
      .click();
    await dialog.getByRole('button', { name: `Log out ${name}`, exact: true }).click();
    await agent
      .locator('[aria-label="Agent state"][data-agent-state="LOGGED_OUT"]')
      .waitFor({ timeout: 5_000 });
    await row().waitFor({ state: 'detached', timeout: 5_000 });
    const s = (await (await agent.request.get('/api/agent/session')).json()) as {
      agent: { state: string } | null;
    };
    expect(s.agent?.state ?? 'LOGGED_OUT').toBe('LOGGED_OUT');
  });

  it('every reports screen fits 390 px without a sideways page scroll, and is titled', async () => {
    await supervisor.setViewportSize({ width: 390, height: 844 });
    try {
      for (const [id, heading] of [
        ['agent-time', 'Agent time'],
        ['agent-performance', 'Agent performance'],
        ['outbound', 'Outbound calling'],
        ['compliance', 'Drop-rate compliance'],
        ['lead-history', 'Lead history'],
      ] as const) {
        await supervisor.goto(`/#/reports/${id}`);
        await supervisor.getByRole('heading', { name: heading, level: 2 }).waitFor();
        if (id !== 'lead-history')
          await supervisor.locator('.rp-result').waitFor({ timeout: 10_000 });
        if (process.env.SV_SHOTS)
          await supervisor.screenshot({ path: `${process.env.SV_SHOTS}/reports-${id}.png` });
        const widths = await supervisor.evaluate(pageWidths);
        expect({ id, scroll: widths[0] }).toEqual({ id, scroll: widths[1] });
      }
      expect(await supervisor.title()).toBe('Reports — Ringside');
    } finally {
      await supervisor.setViewportSize({ width: 1280, height: 720 });
    }
  });
});
