import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { expectNoAxeViolations, whenQuiet } from './axe.js';
import { agentSession, currentCallId, signInToCampaign, waitAgentState } from './pages.js';
import { callLead } from './visual.js';
import { openPage, signIn, useE2e } from './system.js';

/**
 * The recording in the agent desk and on the supervisor wall (issue 15 points 1 and 3), end to
 * end on the simulated PBX: on a campaign that records every call, the agent's call shows REC; the
 * agent pauses the recording with Alt+U (the desk says Paused with its time running, the wall's
 * row says PAUSED) and resumes it with the button (REC again on both); the call's end clears the
 * wall's marker. A campaign that pauses through its payment integration only shows the reason
 * instead of the toggle, and Alt+U is refused with it. A recording the phone system fails
 * (the simulated PBX's RecordingFailed) reads "Recording failed" on the desk and is a notice on the
 * wall until dismissed. axe-core checks the desk and the wall with
 * the recording on screen; at 1366x768 the desk needs no page scroll during the call. Nothing is
 * polled by the page: every change comes as recording.changed over the WebSocket.
 */

const e2e = useE2e({
  agents: 1,
  leads: 10,
  campaign: { dial_method: 'manual', recording_mode: 'all' },
});
let agent: Page;
let wall: Page;
let agentId = '';
let leadIds: string[] = [];

const indicator = () => agent.locator('.rec-indicator');
const recState = () => indicator().getAttribute('data-recording');
const marker = () => wall.locator(`.sv-row[data-agent-id="${agentId}"] .sv-rec`);

/** The page's own scroll: how far the document is taller than the window (0: none). */
const pageOverflowY = (page: Page) =>
  page.evaluate(() => {
    const w = globalThis as unknown as {
      innerHeight: number;
      document: { scrollingElement: { scrollHeight: number } | null };
    };
    return (w.document.scrollingElement?.scrollHeight ?? 0) - w.innerHeight;
  });

beforeAll(async () => {
  const r = await e2e.sys.db.pool.query<{ id: string }>('SELECT id::text FROM leads ORDER BY id');
  leadIds = r.rows.map((x) => x.id);
  agent = await openPage(e2e.browser, e2e.sys, { viewport: { width: 1366, height: 768 } });
  wall = await openPage(e2e.browser, e2e.sys, { viewport: { width: 1366, height: 768 } });
  await signInToCampaign(agent, 'agent1', 10_000);
  await waitAgentState(agent, 'PAUSED');
  agentId = (await agentSession(agent)).agentId;
  await signIn(wall, 'supervisor');
  await wall.getByRole('heading', { name: 'Supervisor dashboard' }).waitFor();
});

describe('recording in the agent desk and on the wall', () => {
  it('a call of a record-all campaign shows REC on the desk and on the wall', async () => {
    await callLead(e2e.sys, agent, leadIds[0] ?? '');
    await expect.poll(recState, { timeout: 10_000 }).toBe('recording');
    expect((await indicator().textContent())?.trim()).toBe('REC');
    await expect
      .poll(() => agent.getByRole('status', { name: 'Recording state' }).textContent())
      .toBe('Recording this call.');
    await expect.poll(() => marker().getAttribute('data-recording')).toBe('recording');
    expect(await marker().textContent()).toContain('REC');
    expect(await pageOverflowY(agent)).toBeLessThanOrEqual(0);
    await whenQuiet(agent);
    await expectNoAxeViolations(agent, 'agent desk recording a call');
    await whenQuiet(wall);
    await expectNoAxeViolations(wall, 'wall with a call recorded');
  });

  it('Alt+U pauses: Paused with its time running on the desk, PAUSED on the wall', async () => {
    await agent.keyboard.press('Alt+KeyU');
    await expect.poll(recState, { timeout: 5_000 }).toBe('paused');
    await expect.poll(() => marker().getAttribute('data-recording')).toBe('paused');
    expect(await marker().textContent()).toContain('PAUSED');
    const first = (await indicator().textContent())?.trim() ?? '';
    expect(first).toMatch(/^Paused \d+:\d\d$/);
    // The counter runs on the browser's clock, between events.
    await expect
      .poll(async () => (await indicator().textContent())?.trim(), { timeout: 4_000 })
      .not.toBe(first);
    await expect
      .poll(() => agent.getByRole('status', { name: 'Recording state' }).textContent())
      .toBe('Recording paused.');
    expect(await pageOverflowY(agent)).toBeLessThanOrEqual(0);
    await whenQuiet(agent);
    await expectNoAxeViolations(agent, 'agent desk with the recording paused');
  });

  it('Resume recording brings REC back on both screens', async () => {
    await agent.getByRole('button', { name: 'Resume recording' }).click();
    await expect.poll(recState, { timeout: 5_000 }).toBe('recording');
    await expect.poll(() => marker().getAttribute('data-recording')).toBe('recording');
    await agent.getByRole('button', { name: 'Pause recording' }).waitFor();
  });

  it("the call's end clears the wall's marker", async () => {
    await agent.keyboard.press('Alt+KeyH');
    await waitAgentState(agent, 'WRAPUP', 10_000);
    await expect.poll(() => marker().count(), { timeout: 10_000 }).toBe(0);
  });

  it('a campaign that pauses through the API only shows why, and refuses Alt+U with it', async () => {
    await e2e.sys.db.pool.query('UPDATE campaigns SET recording_pause_api_only = true');
    const form = agent.getByRole('form', { name: 'Disposition' });
    await form.getByRole('radio').first().check();
    await form.getByLabel('Then pause').check();
    await form.getByRole('button', { name: 'Submit disposition' }).click();
    await waitAgentState(agent, 'PAUSED', 10_000);
    await callLead(e2e.sys, agent, leadIds[1] ?? '');
    await expect.poll(recState, { timeout: 10_000 }).toBe('recording');
    await agent.getByText('through its payment integration only').waitFor();
    expect(await agent.getByRole('button', { name: 'Pause recording' }).count()).toBe(0);
    await agent.keyboard.press('Alt+KeyU');
    await expect
      .poll(() => agent.getByRole('alert').first().textContent())
      .toContain('through its payment integration only');
    expect(await recState()).toBe('recording');
  });

  it('a recording the phone system fails is a clear state on the desk and a notice on the wall', async () => {
    const callId = await currentCallId(agent);
    const live = (await (await fetch(`${e2e.sys.pbx.url}/_sim/recordings`)).json()) as Array<{
      name: string;
    }>;
    const name = live.find((r) => r.name.includes(callId))?.name;
    expect(name, `a live recording of call ${callId}`).toBeTruthy();
    const r = await fetch(
      `${e2e.sys.pbx.url}/_sim/recordings/${encodeURIComponent(name ?? '')}/fail`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ cause: 'disk full' }),
      },
    );
    expect(r.status).toBe(204);
    await expect.poll(recState, { timeout: 10_000 }).toBe('failed');
    expect((await indicator().textContent())?.trim()).toBe('Recording failed');
    const notice = wall.getByRole('region', { name: 'Recording problems' }).locator('li');
    await expect
      .poll(() => notice.first().textContent(), { timeout: 10_000 })
      .toContain(`Recording failed: the phone system produced no file (call ${callId}`);
    await expect.poll(() => marker().count()).toBe(0);
    await whenQuiet(wall);
    await expectNoAxeViolations(wall, 'wall with a recording problem');
    await wall
      .getByRole('button', { name: `Dismiss the recording problem of call ${callId}` })
      .click();
    await expect.poll(() => notice.count()).toBe(0);
  });
});
