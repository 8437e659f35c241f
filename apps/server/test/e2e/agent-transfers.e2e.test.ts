import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { agentStateOn, callIdOn, signInToCampaign, waitAgentState } from './pages.js';
import { openPage, pbxCalls, useE2e } from './system.js';

/**
 * Transfers from the agent panel, end to end on the simulated PBX: blind and warm, to another
 * agent (whose own panel then shows the call and its lead) and to a number. The campaign dials
 * by hand only, so the target agents can stay READY without the dialer giving them calls; agent1
 * starts each call by previewing a lead and dialing it. After a transfer to an agent, both agents
 * submit a disposition for their own part; the target's is the call's and the lead's
 * (docs/agent-calls.md, "Transferred calls").
 */

const e2e = useE2e({ agents: 3, campaign: { dial_method: 'manual' } });
/** agent1: takes each call and transfers it. */
let a: Page;
/** agent2 and agent3: transfer targets (each hangs up and disposes the call it was given). */
let b: Page;
let c: Page;
const ids: Record<string, string> = {};

async function signIn(username: string): Promise<Page> {
  const page = await openPage(e2e.browser, e2e.sys);
  await signInToCampaign(page, username, true);
  await waitAgentState(page, 'PAUSED');
  return page;
}

/**
 * agent1 previews the next lead and dials it; resolves with the call id once the customer has
 * answered and is in agent1's bridge (a manual call is INCALL from the dial on, while it rings).
 */
async function aTakesACall(): Promise<string> {
  await a.getByRole('button', { name: 'Preview next lead' }).click();
  await a.getByRole('button', { name: 'Dial this lead' }).click();
  await waitAgentState(a, 'INCALL');
  const id = await callIdOn(a);
  if (!id) throw new Error('no call on screen');
  await expect.poll(() => bridgeOf(id)).toBe(`agent-${ids.agent1}`);
  return id;
}

/** agent1's transfer picker: a combobox over the other logged-in agents. */
const picker = () =>
  a.getByRole('region', { name: 'Call controls' }).getByRole('combobox', {
    name: 'Transfer to agent',
  });

/** The picker's options as shown, e.g. "Agent 2 — Ready" (opening it reads the live states). */
async function pickerOptions(): Promise<string[]> {
  return await a
    .getByRole('listbox', { name: 'Agents to transfer to' })
    .getByRole('option')
    .allTextContents();
}

/**
 * agent1 transfers its call: to another agent (display name, e.g. "Agent 2") picked from the
 * picker with the mouse or the keyboard, or to an external number typed in its own field.
 */
async function transfer(
  kind: 'blind' | 'warm',
  to: { agent: string; by?: 'mouse' | 'keyboard' } | { number: string },
): Promise<void> {
  const controls = a.getByRole('region', { name: 'Call controls' });
  if ('number' in to) {
    await controls.getByLabel('Or external number').fill(to.number);
  } else if (to.by === 'keyboard') {
    // Alt+T focuses the picker, which opens it; Down moves through the agents, Enter picks.
    await a.keyboard.press('Alt+KeyT');
    await expect.poll(() => pickerOptions()).toContain(`${to.agent} — Ready`);
    const options = await pickerOptions();
    for (let i = 0; i <= options.indexOf(`${to.agent} — Ready`); i++) {
      await a.keyboard.press('ArrowDown');
    }
    const active = await picker().getAttribute('aria-activedescendant');
    expect(await a.locator(`[id="${active}"]`).textContent()).toBe(`${to.agent} — Ready`);
    await a.keyboard.press('Enter');
  } else {
    await picker().click();
    await controls.getByRole('option', { name: `${to.agent} — Ready`, exact: true }).click();
  }
  if ('agent' in to) await expect.poll(() => picker().inputValue()).toBe(to.agent);
  await controls.getByLabel('Kind').selectOption(kind);
  await controls.getByRole('button', { name: 'Transfer', exact: true }).click();
}

async function dispose(
  p: Page,
  then: 'Then pause' | 'Then go ready',
  code?: string,
): Promise<void> {
  const form = p.getByRole('form', { name: 'Disposition' });
  await (
    code ? form.locator(`input[type="radio"][value="${code}"]`) : form.getByRole('radio').first()
  ).check();
  await form.getByLabel(then).check();
  await form.getByRole('button', { name: 'Submit disposition' }).click();
  await waitAgentState(p, then === 'Then pause' ? 'PAUSED' : 'READY');
}

/** The call's row and its lead's outcome and history (kind, agent, code) after the dispositions. */
async function recorded(callId: string) {
  const call = await e2e.sys.db.pool.query<{
    agent_id: string;
    disposition: string | null;
    lead_id: string;
    status: string;
  }>(
    `SELECT c.agent_id::text AS agent_id, c.disposition, c.lead_id::text AS lead_id, l.status
       FROM call_log c JOIN leads l ON l.id = c.lead_id WHERE c.id = $1`,
    [callId],
  );
  const handoffs = await e2e.sys.db.pool.query<{ agent_id: string; disposition: string | null }>(
    `SELECT agent_id::text AS agent_id, disposition FROM call_handoffs WHERE call_id = $1`,
    [callId],
  );
  const log = await e2e.sys.db.pool.query<{ kind: string; agent_id: string; code: string | null }>(
    `SELECT kind, agent_id::text AS agent_id, detail->>'code' AS code FROM lead_log
      WHERE call_id = $1 AND kind IN ('transferred', 'disposed') ORDER BY id`,
    [callId],
  );
  return { call: call.rows[0], handoffs: handoffs.rows, log: log.rows };
}

/** The simulated PBX's bridge of a channel (null when in none, undefined when gone). */
async function bridgeOf(channelId: string): Promise<string | null | undefined> {
  return (await pbxCalls(e2e.sys.pbx)).find((c) => c.channelId === channelId)?.bridgeId;
}

beforeAll(async () => {
  // The code a transferring agent picks for its own part of the call.
  await e2e.sys.db.pool.query(
    `INSERT INTO dispositions (campaign_id, code, name, human_answered, sale, dnc, callback, final)
     VALUES ($1, 'XFER', 'Transferred', true, false, false, false, false)`,
    [e2e.sys.seed.campaignId],
  );
  const r = await e2e.sys.db.pool.query<{ id: string; username: string }>(
    `SELECT id::text, username FROM users WHERE username LIKE 'agent_'`,
  );
  for (const u of r.rows) ids[u.username] = u.id;
  [a, b, c] = await Promise.all([signIn('agent1'), signIn('agent2'), signIn('agent3')]);
  for (const p of [b, c]) {
    await p.getByRole('button', { name: 'Ready', exact: true }).click();
    await waitAgentState(p, 'READY');
  }
});

describe('transfers from the agent panel', () => {
  it("blind to an agent: the customer moves to the target's bridge, whose panel pops the call", async () => {
    const callId = await aTakesACall();
    const lead = a.getByRole('region', { name: 'Lead', exact: true });
    const leadPhone = await lead.locator('dd').first().textContent();
    await transfer('blind', { agent: 'Agent 2' });
    await waitAgentState(a, 'WRAPUP');
    await a.getByRole('form', { name: 'Disposition' }).waitFor();
    await waitAgentState(b, 'INCALL');
    expect(await callIdOn(b)).toBe(callId);
    const bLead = b.getByRole('region', { name: 'Lead', exact: true });
    await expect.poll(() => bLead.locator('dd').first().textContent()).toBe(leadPhone);
    await expect.poll(() => bridgeOf(callId)).toBe(`agent-${ids.agent2}`);
    // The transferring agent owes a disposition for its part; it submits it first.
    await dispose(a, 'Then pause', 'XFER');
    // The target ends the call and owes its own, the call's.
    await b.keyboard.press('Alt+KeyH');
    await waitAgentState(b, 'WRAPUP');
    await dispose(b, 'Then go ready', 'SALE');
    expect(await recorded(callId)).toMatchObject({
      call: { agent_id: ids.agent2, disposition: 'SALE', status: 'SALE' },
      handoffs: [{ agent_id: ids.agent1, disposition: 'XFER' }],
      log: [
        { kind: 'transferred', agent_id: ids.agent1, code: null },
        { kind: 'disposed', agent_id: ids.agent1, code: 'XFER' },
        { kind: 'disposed', agent_id: ids.agent2, code: 'SALE' },
      ],
    });
  });

  it('warm to an agent, cancelled: the customer comes back and the target is ready again', async () => {
    const callId = await aTakesACall();
    await transfer('warm', { agent: 'Agent 3', by: 'keyboard' });
    await waitAgentState(c, 'RESERVED');
    await expect.poll(() => bridgeOf(callId)).toBe(`hold-${callId}`);
    await a.getByRole('button', { name: 'Cancel transfer' }).click();
    await waitAgentState(c, 'READY');
    await expect.poll(() => bridgeOf(callId)).toBe(`agent-${ids.agent1}`);
    // The panel learns of the cancel from the server: wait for it rather than read it at once.
    await expect.poll(() => a.getByRole('button', { name: 'Complete transfer' }).count()).toBe(0);
    expect(await agentStateOn(a)).toBe('INCALL');
    await a.keyboard.press('Alt+KeyH');
    await waitAgentState(a, 'WRAPUP');
    await dispose(a, 'Then pause');
  });

  it('warm to an agent: consult with the customer on hold, then complete', async () => {
    const callId = await aTakesACall();
    await transfer('warm', { agent: 'Agent 3' });
    await waitAgentState(c, 'RESERVED');
    await expect.poll(() => bridgeOf(callId)).toBe(`hold-${callId}`);
    // The transferring agent is still on the call while it consults.
    expect(await agentStateOn(a)).toBe('INCALL');
    await a.getByRole('button', { name: 'Complete transfer' }).click();
    await waitAgentState(a, 'WRAPUP');
    await waitAgentState(c, 'INCALL');
    expect(await callIdOn(c)).toBe(callId);
    await expect
      .poll(() => c.getByRole('region', { name: 'Lead', exact: true }).locator('h3').textContent())
      .not.toMatch(/Loading|Unknown/);
    await expect.poll(() => bridgeOf(callId)).toBe(`agent-${ids.agent3}`);
    // This time the target finishes first; the transferring agent's later disposition is its
    // part only and does not change the lead's outcome.
    await c.keyboard.press('Alt+KeyH');
    await waitAgentState(c, 'WRAPUP');
    await dispose(c, 'Then go ready', 'NI');
    await dispose(a, 'Then pause', 'XFER');
    expect(await recorded(callId)).toMatchObject({
      call: { agent_id: ids.agent3, disposition: 'NI', status: 'NI' },
      handoffs: [{ agent_id: ids.agent1, disposition: 'XFER' }],
      log: [
        { kind: 'transferred', agent_id: ids.agent1, code: null },
        { kind: 'disposed', agent_id: ids.agent3, code: 'NI' },
        { kind: 'disposed', agent_id: ids.agent1, code: 'XFER' },
      ],
    });
  });

  it('blind to a number: the customer is bridged with the new leg, and the agent is free at once', async () => {
    const callId = await aTakesACall();
    await transfer('blind', { number: '+14155550142' });
    await waitAgentState(a, 'WRAPUP');
    await expect.poll(() => bridgeOf(callId)).toBe(`xfer-${callId}`);
    // The leg to the number is answered and joins the customer.
    await expect
      .poll(async () =>
        (await pbxCalls(e2e.sys.pbx)).some(
          (c) => c.channelId.startsWith('xfer-') && c.bridgeId === `xfer-${callId}`,
        ),
      )
      .toBe(true);
    await dispose(a, 'Then pause');
  });

  it('warm to a number: consult the number, then complete: customer and number are bridged', async () => {
    const callId = await aTakesACall();
    await transfer('warm', { number: '+14155550143' });
    await a.getByRole('button', { name: 'Complete transfer' }).waitFor();
    await expect.poll(() => bridgeOf(callId)).toBe(`hold-${callId}`);
    await a.getByRole('button', { name: 'Complete transfer' }).click();
    await waitAgentState(a, 'WRAPUP');
    await expect.poll(() => bridgeOf(callId)).toBe(`xfer-${callId}`);
    expect(
      (await pbxCalls(e2e.sys.pbx)).filter((c) => c.bridgeId === `xfer-${callId}`).length,
    ).toBeGreaterThanOrEqual(2);
    await dispose(a, 'Then pause');
  });

  it('the picker lists the other agents with their state, ready first, refuses a busy one, and says when nobody else is logged in', async () => {
    await b.getByRole('button', { name: 'Pause', exact: true }).click();
    await waitAgentState(b, 'PAUSED');
    await aTakesACall();
    await picker().click();
    // Agent 2 sorts before Agent 3 by name, but a READY agent comes first.
    await expect.poll(() => pickerOptions()).toEqual(['Agent 3 — Ready', 'Agent 2 — Paused']);
    const controls = a.getByRole('region', { name: 'Call controls' });
    // A paused agent is listed but cannot be picked (it could not take the call).
    await a.keyboard.press('ArrowDown');
    await a.keyboard.press('ArrowDown');
    await a.keyboard.press('Enter');
    await controls.getByText(/Agent 2 is paused: only a ready agent/).waitFor();
    expect(await picker().inputValue()).toBe('');
    // A number that is not +E.164 is refused in the panel; nothing is sent.
    await controls.getByLabel('Or external number').fill('4155550142');
    await controls.getByRole('button', { name: 'Transfer', exact: true }).click();
    await expect
      .poll(() => controls.getByLabel('Or external number').getAttribute('aria-invalid'))
      .toBe('true');
    expect(await agentStateOn(a)).toBe('INCALL');
    // With the other agents logged out, a refresh says that no one else is there.
    for (const p of [b, c]) {
      await p.getByRole('button', { name: 'Log out of campaign' }).click();
      await waitAgentState(p, 'LOGGED_OUT');
    }
    await controls.getByRole('button', { name: 'Refresh agents' }).click();
    await controls.getByText('No other agent is logged in.', { exact: false }).waitFor();
    expect(await pickerOptions()).toEqual([]);
    await a.keyboard.press('Alt+KeyH');
    await waitAgentState(a, 'WRAPUP');
    await dispose(a, 'Then pause');
  });
});
