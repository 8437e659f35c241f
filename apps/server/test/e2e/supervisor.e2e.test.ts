import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { agentSession, signInToCampaign, waitAgentState } from './pages.js';
import { openPage, signIn, useE2e } from './system.js';

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

  it("forces a logout and the agent's panel goes to logged out", async () => {
    await row()
      .getByRole('button', { name: /^Log out / })
      .click();
    await agent
      .locator('[aria-label="Agent state"][data-agent-state="LOGGED_OUT"]')
      .waitFor({ timeout: 5_000 });
    await row().waitFor({ state: 'detached', timeout: 5_000 });
    const s = (await (await agent.request.get('/api/agent/session')).json()) as {
      agent: { state: string } | null;
    };
    expect(s.agent?.state ?? 'LOGGED_OUT').toBe('LOGGED_OUT');
  });
});
