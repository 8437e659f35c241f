import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { AriRestClient } from '../../src/adapters/asterisk/ari-client.js';
import { openPage, signIn, startE2e, type System } from './system.js';

/**
 * Bridge integrity as the agent sees it (docs/telephony.md, docs/agent-panel.md): the phone
 * server takes the customer out of the agent's bridge, twice (ARI removeChannel, nobody in
 * Ringside asking: what Asterisk's own ejection leaves behind), so the worker's one put-back
 * does not hold and the call is lost. The panel, in Chromium against every role on the
 * simulated PBX, says "Call lost: the phone server removed it" and owes the disposition.
 */

let sys: System;
let browser: Browser;
let page: Page;
let ari: AriRestClient;

async function waitState(p: Page, state: string, timeoutMs = 30_000): Promise<void> {
  await p
    .locator(`[aria-label="Agent state"][data-agent-state="${state}"]`)
    .waitFor({ timeout: timeoutMs });
}

async function session(p: Page): Promise<{ agentId: string; callId: string | null }> {
  const r = await p.request.get('/api/agent/session');
  const body = (await r.json()) as { agent: { agentId: string; callId: string | null } | null };
  if (!body.agent) throw new Error('not logged in');
  return body.agent;
}

async function inBridge(bridgeId: string, channelId: string): Promise<boolean> {
  const b = await ari.getBridge(bridgeId).catch(() => null);
  return b?.channels.includes(channelId) ?? false;
}

beforeAll(async () => {
  ({ sys, browser } = await startE2e());
  ari = new AriRestClient({ baseUrl: sys.pbx.ariUrl, user: 'ringside', password: 'ringside' });
  page = await openPage(browser, sys);
  await signIn(page, 'agent1');
  await page.getByRole('button', { name: 'Log in to campaign' }).click();
  await waitState(page, 'PAUSED');
  await page.locator('[aria-label="Phone"][data-phone="leg_up"]').waitFor({ timeout: 10_000 });
  await page.keyboard.press('Alt+KeyR');
  await waitState(page, 'READY');
});

afterAll(async () => {
  ari?.close();
  await browser?.close();
  await sys?.stop();
});

describe('a call the phone server takes away', () => {
  it('is put back once, then lost: the panel says so and the disposition is owed', async () => {
    await waitState(page, 'INCALL');
    const { agentId, callId } = await session(page);
    if (!callId) throw new Error('no call');
    const bridgeId = `agent-${agentId}`;
    await expect.poll(() => inBridge(bridgeId, callId), { timeout: 10_000 }).toBe(true);
    // Settled in the bridge: a removal now is not a refusal on entry.
    await new Promise((r) => setTimeout(r, 300));

    await ari.removeChannel(bridgeId, callId);
    await expect.poll(() => inBridge(bridgeId, callId), { timeout: 10_000 }).toBe(true);
    // Put back: the agent is still on the call and was told nothing.
    expect(await page.locator('[aria-label="Agent state"]').getAttribute('data-agent-state')).toBe(
      'INCALL',
    );
    expect(await page.getByText('Call lost').count()).toBe(0);

    await ari.removeChannel(bridgeId, callId);
    await expect
      .poll(async () => (await page.getByRole('alert').allTextContents()).join(' | '), {
        timeout: 10_000,
      })
      .toContain('Call lost: the phone server removed it');
    await waitState(page, 'DEAD');
    await expect
      .poll(() => page.getByRole('status', { name: 'Agent state' }).textContent())
      .toContain('Call lost: the phone server removed it');
    await page.getByRole('heading', { name: 'Call lost' }).waitFor();
    await page.getByRole('form', { name: 'Disposition' }).waitFor();
    // The customer's channel was hung up; the agent's phone stays in its bridge.
    await expect
      .poll(() =>
        ari.getChannel(callId).then(
          () => true,
          () => false,
        ),
      )
      .toBe(false);
    const agentLeg = (await ari.getBridge(bridgeId)).channels;
    expect(agentLeg).toHaveLength(1);
  });
});
