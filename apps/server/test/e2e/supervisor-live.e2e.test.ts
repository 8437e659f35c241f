import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { agentSession, signInToCampaign, waitAgentState } from './pages.js';
import { customerHangsUp, openPage, signIn, useE2e } from './system.js';

/**
 * The supervisor's live extras end to end (whole system on the simulated PBX, Debian's chromium):
 * the campaign header shows the dialer's pacing reason, hopper size and dialable leads (pushed
 * dialer.status events); a supervisor whispers to an agent on a call and the agent's panel shows
 * it, until the supervisor stops, and again until the call ends.
 */

const e2e = useE2e({ leads: 30, agents: 1, campaign: { hopper_size: 20 } });
let agent: Page;
let supervisor: Page;
let agentId = '';

const banner = () => agent.getByRole('status', { name: 'Supervisor on the call' });
const row = () => supervisor.locator(`.sv-row[data-agent-id="${agentId}"]`);

beforeAll(async () => {
  agent = await openPage(e2e.browser, e2e.sys);
  supervisor = await openPage(e2e.browser, e2e.sys);
});

describe('supervisor live header and whisper indicator', () => {
  it('the campaign header shows the pacing reason, hopper size and dialable leads', async () => {
    await signInToCampaign(agent, 'agent1');
    await waitAgentState(agent, 'PAUSED');
    agentId = (await agentSession(agent)).agentId;

    await signIn(supervisor, 'supervisor');
    await supervisor.getByRole('heading', { name: 'Supervisor dashboard' }).waitFor();
    const reason = supervisor.getByLabel('Pacing reason');
    // The agent is paused: the dialer says why it does not dial.
    await expect.poll(() => reason.textContent(), { timeout: 15_000 }).toMatch(/not dialing/i);
    const dialer = supervisor.getByLabel('Dialer');
    // The filler (every 3 s) fills the hopper to 20 and counts the 10 leads left outside it.
    await expect
      .poll(() => dialer.textContent(), { timeout: 15_000 })
      .toMatch(/hopper 20 · dialable leads 10\b/);
    console.log(`header: ${await dialer.textContent()} | ${await reason.textContent()}`);
  });

  it("a whisper shows on the agent's panel, and goes when the supervisor stops", async () => {
    await agent.locator('[aria-label="Phone"][data-phone="leg_up"]').waitFor({ timeout: 10_000 });
    await agent.getByRole('button', { name: 'Ready', exact: true }).click();
    await waitAgentState(agent, 'INCALL', 30_000);
    // The connected call is counted: ASA (answer to agent) appears in its campaign tile.
    await expect
      .poll(() => supervisor.locator('[data-tile="asa"] .sv-figure').first().textContent(), {
        timeout: 10_000,
      })
      .toMatch(/^\d+\.\d s$/);

    await row()
      .getByRole('button', { name: /^Whisper to / })
      .click({ timeout: 10_000 });
    await expect
      .poll(() => banner().textContent(), { timeout: 5_000 })
      .toMatch(/^Supervisor .+ is whispering \(only you hear them\)$/);
    expect(await banner().getAttribute('data-monitor-mode')).toBe('whisper');

    await row()
      .getByRole('button', { name: /^Stop whisper on / })
      .click();
    await expect.poll(() => banner().textContent(), { timeout: 5_000 }).toBe('');
  });

  it('a whisper also goes when the call ends', async () => {
    await row()
      .getByRole('button', { name: /^Whisper to / })
      .click({ timeout: 10_000 });
    await expect.poll(() => banner().textContent(), { timeout: 5_000 }).toMatch(/is whispering/);
    const callId = await agent.locator('section[aria-label="Call"]').getAttribute('data-call-id');
    expect(callId).toBeTruthy();
    await customerHangsUp(e2e.sys.pbx, callId ?? '');
    await expect.poll(() => banner().textContent(), { timeout: 10_000 }).toBe('');
    await expect
      .poll(
        () =>
          row()
            .getByRole('button', { name: /^Stop / })
            .count(),
        { timeout: 5_000 },
      )
      .toBe(0);
  });
});
