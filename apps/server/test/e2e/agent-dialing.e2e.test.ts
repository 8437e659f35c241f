import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { signInToCampaign, waitAgentState } from './pages.js';
import { openPage, pbxCalls, useE2e, zoneWithHourIn } from './system.js';

/**
 * Preview and manual dialing from the agent panel, end to end on the simulated PBX: a previewed
 * lead is dialed and pops; mute goes through the API (the simulated phone is not in the
 * browser); and every refusal is shown as the server words it and changes nothing: a dial while
 * ready, a malformed number, a previewed lead whose number went on the DNC list meanwhile, one
 * whose calling window closed meanwhile, no lead inside the window, a number outside its window.
 * The campaign dials by hand only, so nothing else calls the agent.
 */

const e2e = useE2e({ agents: 1, campaign: { dial_method: 'manual' } });
let page: Page;
let agentId: string;

/**
 * An IANA zone (the first the runtime knows) whose local hour is now 01:00-06:59: outside the
 * campaign's 08:00-21:00.
 */
function zoneOutsideCallingWindow(nowMs = Date.now()): string {
  const zone = zoneWithHourIn(Intl.supportedValuesOf('timeZone'), 1, 7, nowMs);
  if (!zone) throw new Error('no zone outside the calling window');
  return zone;
}

const alertText = () => page.getByRole('alert').first().textContent();
const preview = () => page.locator('[aria-label="Preview"]');

/** The calls of the agent's campaign the server has on record (call_log rows). */
async function callCount(): Promise<number> {
  const r = await e2e.sys.db.pool.query<{ n: string }>(
    'SELECT count(*)::text AS n FROM call_log WHERE campaign_id = $1',
    [e2e.sys.seed.campaignId],
  );
  return Number(r.rows[0]?.n ?? 0);
}

/** Previews the next lead; resolves with its id (from the server) and its phone as shown. */
async function previewLead(): Promise<{ leadId: string; phone: string }> {
  const answer = page.waitForResponse((r) => r.url().endsWith('/api/agent/preview'));
  await page.getByRole('button', { name: 'Preview next lead' }).click();
  const body = (await (await answer).json()) as { lead: { id: string; phone: string } | null };
  if (!body.lead) throw new Error('no lead to preview');
  await preview().waitFor();
  expect(await preview().textContent()).toContain(body.lead.phone);
  return { leadId: body.lead.id, phone: body.lead.phone };
}

async function dismissAlert(): Promise<void> {
  if ((await page.getByRole('button', { name: 'Dismiss' }).count()) > 0) {
    await page.getByRole('button', { name: 'Dismiss' }).click();
  }
}

beforeAll(async () => {
  const r = await e2e.sys.db.pool.query<{ id: string }>(
    `SELECT id::text FROM users WHERE username = 'agent1'`,
  );
  agentId = r.rows[0]?.id ?? '';
  page = await openPage(e2e.browser, e2e.sys);
  await signInToCampaign(page, 'agent1', true);
  await waitAgentState(page, 'PAUSED');
});

describe('preview and manual dial', () => {
  it('dialing while ready is refused by the panel and by the server, and changes nothing', async () => {
    await page.getByRole('button', { name: 'Ready', exact: true }).click();
    await waitAgentState(page, 'READY');
    await page.getByLabel('Number', { exact: true }).fill('+12125550123');
    await page.getByLabel('Number', { exact: true }).press('Enter');
    await expect.poll(alertText).toContain('Pause first');
    const direct = await page.request.post('/api/agent/dial', { data: { phone: '+12125550123' } });
    expect(direct.status()).toBe(409);
    expect(((await direct.json()) as { error: { message: string } }).error.message).toMatch(
      /paused/,
    );
    expect(await callCount()).toBe(0);
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    await waitAgentState(page, 'PAUSED');
  });

  it('a malformed number is refused before anything is sent', async () => {
    await dismissAlert();
    await page.getByLabel('Number', { exact: true }).fill('2125550123');
    await page.getByLabel('Number', { exact: true }).press('Enter');
    await expect.poll(alertText).toContain('international form');
    expect(await callCount()).toBe(0);
  });

  it('a previewed lead is dialed and pops; mute goes through the API and back', async () => {
    const lead = await previewLead();
    expect(await preview().textContent()).toMatch(/local time/);
    await page.getByRole('button', { name: 'Dial this lead' }).click();
    await waitAgentState(page, 'INCALL');
    const shown = page.getByRole('region', { name: 'Lead', exact: true });
    await expect.poll(() => shown.locator('dd').first().textContent()).toBe(lead.phone);
    const callId = await page.locator('section[aria-label="Call"]').getAttribute('data-call-id');
    await expect
      .poll(async () => (await pbxCalls(e2e.sys.pbx)).find((c) => c.channelId === callId)?.bridgeId)
      .toBe(`agent-${agentId}`);

    const muted = page.waitForResponse((r) => r.url().endsWith('/mute'));
    await page.keyboard.press('Alt+KeyM');
    const answer = await muted;
    expect(answer.status()).toBe(200);
    expect(answer.request().postDataJSON()).toEqual({ on: true });
    const unmute = page.getByRole('button', { name: 'Unmute' });
    expect(await unmute.getAttribute('aria-pressed')).toBe('true');
    const unmuted = page.waitForResponse((r) => r.url().endsWith('/mute'));
    await unmute.click();
    expect((await unmuted).request().postDataJSON()).toEqual({ on: false });
    await page.getByRole('button', { name: 'Mute', exact: true }).waitFor();

    await page.keyboard.press('Alt+KeyH');
    await waitAgentState(page, 'WRAPUP');
    const form = page.getByRole('form', { name: 'Disposition' });
    await form.getByRole('radio').first().check();
    await form.getByLabel('Then pause').check();
    await form.getByRole('button', { name: 'Submit disposition' }).click();
    await waitAgentState(page, 'PAUSED');
  });

  it('a previewed lead whose number goes on the DNC list meanwhile is refused, and not dialed', async () => {
    await dismissAlert();
    const lead = await previewLead();
    await e2e.sys.db.pool.query(`INSERT INTO dnc (phone, source) VALUES ($1, 'manual')`, [
      lead.phone,
    ]);
    const before = await callCount();
    await page.getByRole('button', { name: 'Dial this lead' }).click();
    await expect.poll(alertText).toMatch(/DNC|do-not-call|do not call/i);
    await waitAgentState(page, 'PAUSED');
    expect(await callCount()).toBe(before);
    // The next preview does not offer it again.
    await dismissAlert();
    expect((await previewLead()).leadId).not.toBe(lead.leadId);
  });

  it("a previewed lead whose calling window closed meanwhile is refused with the window's message", async () => {
    await dismissAlert();
    const lead = await previewLead();
    const zone = zoneOutsideCallingWindow();
    await e2e.sys.db.pool.query(
      `UPDATE leads SET time_zone = $1, tz_candidates = ARRAY[$1], tz_key = $1 WHERE id = $2`,
      [zone, lead.leadId],
    );
    const before = await callCount();
    await page.getByRole('button', { name: 'Dial this lead' }).click();
    await expect
      .poll(alertText)
      .toMatch(/cannot dial: outside .*window.* in the lead's local time: \d\d:\d\d in \w+\//);
    await waitAgentState(page, 'PAUSED');
    expect(await callCount()).toBe(before);
  });

  it('with every lead outside its calling window, preview says there is none and a dial by number is refused', async () => {
    await dismissAlert();
    const zone = zoneOutsideCallingWindow();
    await e2e.sys.db.pool.query(
      `UPDATE leads SET time_zone = $1, tz_candidates = ARRAY[$1], tz_key = $1`,
      [zone],
    );
    await page.getByRole('button', { name: 'Preview next lead' }).click();
    await expect.poll(alertText).toContain('No lead to preview now');
    await expect.poll(() => preview().count()).toBe(0);

    await dismissAlert();
    const r = await e2e.sys.db.pool.query<{ phone: string }>(
      `SELECT phone FROM leads WHERE NOT final AND phone NOT IN (SELECT phone FROM dnc) LIMIT 1`,
    );
    const before = await callCount();
    await page.getByLabel('Number', { exact: true }).fill(r.rows[0]?.phone ?? '');
    await page.getByLabel('Number', { exact: true }).press('Enter');
    await expect
      .poll(alertText)
      .toMatch(/cannot dial: outside .*window.* in the lead's local time: \d\d:\d\d in \w+\//);
    await waitAgentState(page, 'PAUSED');
    expect(await callCount()).toBe(before);
  });
});
