import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { AriRestClient } from '../../src/adapters/asterisk/ari-client.js';
import { agentSession, signInToCampaign, waitAgentState } from './pages.js';
import { openPage, useE2e } from './system.js';

/**
 * Bridge integrity as the agent sees it (docs/telephony.md, docs/agent-panel.md): the phone
 * server takes the customer out of the agent's bridge, twice (ARI removeChannel, nobody in
 * Ringside asking: what Asterisk's own ejection leaves behind), so the worker's one put-back
 * does not hold and the call is lost. The panel, in Chromium against every role on the
 * simulated PBX, says "Call lost: the phone server removed it" and owes the disposition.
 */

const e2e = useE2e();
let page: Page;
let ari: AriRestClient;

async function inBridge(bridgeId: string, channelId: string): Promise<boolean> {
  const b = await ari.getBridge(bridgeId).catch(() => null);
  return b?.channels.includes(channelId) ?? false;
}

beforeAll(async () => {
  ari = new AriRestClient({ baseUrl: e2e.sys.pbx.ariUrl, user: 'ringside', password: 'ringside' });
  page = await openPage(e2e.browser, e2e.sys);
  await signInToCampaign(page, 'agent1');
  await waitAgentState(page, 'PAUSED', 30_000);
  await page.locator('[aria-label="Phone"][data-phone="leg_up"]').waitFor({ timeout: 10_000 });
  await page.keyboard.press('Alt+KeyR');
  await waitAgentState(page, 'READY', 30_000);
});

afterAll(() => {
  ari?.close();
});

describe('a call the phone server takes away', () => {
  it('is put back once, then lost: the panel says so and the disposition is owed', async () => {
    await waitAgentState(page, 'INCALL', 30_000);
    const { agentId, callId } = await agentSession(page);
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
    await waitAgentState(page, 'DEAD', 30_000);
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
