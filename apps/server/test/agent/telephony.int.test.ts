import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentId, CallId, CampaignId } from '@ringside/protocol';
import { AriError } from '../../src/adapters/asterisk/ari-error.js';
import type { AriRestClient } from '../../src/adapters/asterisk/ari-client.js';
import { RedisAgentPresence } from '../../src/adapters/redis/presence.js';
import { ComplianceError, ForbiddenError } from '../../src/errors.js';
import { createAgentHarness, type AgentHarness, type TestCall } from './harness.js';

let h: AgentHarness;
let ari: AriRestClient;

beforeAll(async () => {
  h = await createAgentHarness('tel');
  ari = h.ari;
  // Both agents log in and bring their (simulated) phone legs up, as the panel does.
  for (const a of [h.a1, h.a2]) {
    await h.control.agentSessions.login(a, h.campaignId);
    expect(await h.control.telephony.connectLeg(a)).toBe('up');
  }
});
afterAll(async () => {
  await h?.close();
});

async function channelExists(id: string): Promise<boolean> {
  try {
    await ari.getChannel(id);
    return true;
  } catch (err) {
    if (err instanceof AriError && err.status === 404) return false;
    throw err;
  }
}

async function bridgeChannels(bridgeId: string): Promise<string[]> {
  try {
    return (await ari.getBridge(bridgeId)).channels;
  } catch (err) {
    if (err instanceof AriError && err.status === 404) return [];
    throw err;
  }
}

async function until(what: string, check: () => Promise<boolean>, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * A real customer channel on the simulated PBX for the agent's call (as the dialer would leave
 * it): originated into the app, answered, in the agent's bridge.
 */
async function liveCustomer(agentId: AgentId): Promise<TestCall> {
  const s = await h.store.getAgent(agentId);
  if (s?.state === 'WRAPUP' || s?.state === 'DEAD') {
    await h.sessions.apply(agentId, { type: 'pause', code: 'X' }, 'test');
  }
  const call = await h.callFor(agentId);
  await h.dialCustomer(call);
  const bridge = (await h.store.getAgent(agentId))?.bridgeId ?? '';
  await until('the customer to answer', async () => {
    try {
      await ari.addChannel(bridge, call.callId);
      return true;
    } catch {
      return false;
    }
  });
  return call;
}

describe('agent telephony on the simulated PBX', () => {
  it("the phone leg is nailed up in the agent's own bridge", async () => {
    const s = await h.store.getAgent(h.a1);
    expect(s?.bridgeId).toBe(`agent-${h.a1}`);
    expect(s?.legChannelId).toBeTruthy();
    expect(await bridgeChannels(`agent-${h.a1}`)).toEqual([s?.legChannelId]);
    expect(await h.control.telephony.phoneConfig(h.a1, 'webrtc')).toEqual({
      mode: 'sim',
      sip: null,
    });
  });

  it("hang-up ends the customer's leg only: the agent's leg stays up in its bridge, the agent wraps up", async () => {
    const call = await liveCustomer(h.a1);
    const leg = (await h.store.getAgent(h.a1))?.legChannelId ?? '';
    expect(await bridgeChannels(`agent-${h.a1}`)).toContain(call.callId);
    await h.control.telephony.hangup(h.a1, call.callId);
    await until('the customer channel to go', async () => !(await channelExists(call.callId)));
    expect(await channelExists(leg)).toBe(true);
    expect(await bridgeChannels(`agent-${h.a1}`)).toEqual([leg]);
    const s = await h.store.getAgent(h.a1);
    expect(s?.state).toBe('WRAPUP');
    expect(s?.legChannelId).toBe(leg);
  });

  it("an agent cannot hang up, hold, mute, transfer or send tones on another agent's call", async () => {
    const call = await liveCustomer(h.a1);
    const t = h.control.telephony;
    const id = call.callId as CallId;
    await expect(t.hangup(h.a2, id)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(t.hold(h.a2, id, true)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(t.mute(h.a2, id, true)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(t.dtmf(h.a2, id, '1')).rejects.toBeInstanceOf(ForbiddenError);
    await expect(
      t.transfer(h.a2, id, { kind: 'blind', to: { number: '+14155550100' } }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    expect(await channelExists(call.callId)).toBe(true);
    expect((await h.store.getAgent(h.a1))?.state).toBe('INCALL');
    await t.hangup(h.a1, id);
  });

  it('hold moves the customer to music on hold and back; mute and DTMF are accepted', async () => {
    const call = await liveCustomer(h.a1);
    const t = h.control.telephony;
    await t.hold(h.a1, call.callId, true);
    expect(await bridgeChannels(`hold-${call.callId}`)).toEqual([call.callId]);
    expect(await bridgeChannels(`agent-${h.a1}`)).not.toContain(call.callId);
    await t.hold(h.a1, call.callId, false);
    expect(await bridgeChannels(`agent-${h.a1}`)).toContain(call.callId);
    expect(await bridgeChannels(`hold-${call.callId}`)).toEqual([]);
    await t.mute(h.a1, call.callId, true);
    await t.mute(h.a1, call.callId, false);
    await t.dtmf(h.a1, call.callId, '12#');
    await t.hangup(h.a1, call.callId);
  });

  it("warm transfer to an agent: consult with the customer on hold, then complete: the customer is in the target's bridge", async () => {
    await h.control.agentSessions.ready(h.a2);
    const call = await liveCustomer(h.a1);
    const t = h.control.telephony;
    const leg2 = (await h.store.getAgent(h.a2))?.legChannelId ?? '';
    await t.transfer(h.a1, call.callId, { kind: 'warm', to: { agentId: h.a2 } });
    expect(await bridgeChannels(`hold-${call.callId}`)).toEqual([call.callId]);
    expect(await bridgeChannels(`agent-${h.a1}`)).toContain(leg2);
    expect((await h.store.getAgent(h.a2))?.state).toBe('RESERVED');

    await t.transferComplete(h.a1, call.callId);
    expect((await bridgeChannels(`agent-${h.a2}`)).sort()).toEqual([leg2, call.callId].sort());
    expect((await h.store.getAgent(h.a2))?.state).toBe('INCALL');
    expect((await h.store.getCall(call.callId))?.agentId).toBe(h.a2);
    expect((await h.store.getAgent(h.a1))?.state).toBe('WRAPUP');
    await t.hangup(h.a2, call.callId);
    expect((await h.store.getAgent(h.a2))?.state).toBe('WRAPUP');
  });

  it('warm transfer cancelled: the target agent is free again and the customer is back', async () => {
    await h.sessions.apply(h.a2, { type: 'ready' }, 'test');
    const call = await liveCustomer(h.a1);
    const t = h.control.telephony;
    await t.transfer(h.a1, call.callId, { kind: 'warm', to: { agentId: h.a2 } });
    await t.transferCancel(h.a1, call.callId);
    expect((await h.store.getAgent(h.a2))?.state).toBe('READY');
    expect(await bridgeChannels(`agent-${h.a1}`)).toContain(call.callId);
    const leg2 = (await h.store.getAgent(h.a2))?.legChannelId ?? '';
    expect(await bridgeChannels(`agent-${h.a2}`)).toEqual([leg2]);
    expect((await h.store.getAgent(h.a1))?.state).toBe('INCALL');
    await t.hangup(h.a1, call.callId);
  });

  it('blind transfer to a number bridges the customer with the new leg and frees the agent', async () => {
    const call = await liveCustomer(h.a1);
    await h.control.telephony.transfer(h.a1, call.callId, {
      kind: 'blind',
      to: { number: '+14155550100' },
    });
    expect((await h.store.getAgent(h.a1))?.state).toBe('WRAPUP');
    await until(
      'the target to join',
      async () => (await bridgeChannels(`xfer-${call.callId}`)).length === 2,
    );
    expect(await bridgeChannels(`xfer-${call.callId}`)).toContain(call.callId);
    // A late hang-up click in wrap-up does not cut off the customer now talking to the target.
    await h.control.telephony.hangup(h.a1, call.callId);
    expect(await channelExists(call.callId)).toBe(true);
  });

  it('logging out in wrap-up records the default disposition and takes the phone leg down', async () => {
    await h.control.agentSessions.login(h.a2, h.campaignId).catch(() => undefined);
    const s0 = await h.store.getAgent(h.a2);
    if (s0?.state === 'WRAPUP' || s0?.state === 'INCALL' || s0?.state === 'DEAD') {
      await h.sessions.apply(h.a2, { type: 'force_logout' }, 'test');
      await h.control.agentSessions.login(h.a2, h.campaignId);
    }
    if (!(await h.store.getAgent(h.a2))?.legChannelId) await h.control.telephony.connectLeg(h.a2);
    const call = await liveCustomer(h.a2);
    const leg = (await h.store.getAgent(h.a2))?.legChannelId ?? '';
    await h.control.telephony.hangup(h.a2, call.callId);
    await h.control.agentSessions.logout(h.a2);
    const row = await h.db.pool.query<{ disposition: string }>(
      'SELECT disposition FROM call_log WHERE id = $1',
      [call.callId],
    );
    expect(row.rows[0]?.disposition).toBe('NI');
    await until('the leg to go', async () => !(await channelExists(leg)));
    expect(await bridgeChannels(`agent-${h.a2}`)).toEqual([]);
  });
});

describe('manual dial', () => {
  async function paused(agentId: AgentId): Promise<void> {
    const s = await h.store.getAgent(agentId);
    if (s?.state === 'WRAPUP' || s?.state === 'READY') {
      await h.sessions.apply(agentId, { type: 'pause', code: 'X' }, 'test');
    }
  }

  it('is refused with a clear message when the number is on the DNC list, and nothing is dialed', async () => {
    await paused(h.a1);
    await h.db.pool.query(`INSERT INTO dnc (phone, campaign_id) VALUES ('+14155550177', NULL)`);
    const before = (await h.store.listCalls()).length;
    const r = h.control.telephony.dial(h.a1, { phone: '+14155550177' });
    await expect(r).rejects.toBeInstanceOf(ComplianceError);
    await expect(r).rejects.toMatchObject({
      rule: 'DNC',
      message: expect.stringMatching(/DNC|do.not.call/i),
    });
    expect((await h.store.listCalls()).length).toBe(before);
    expect((await h.store.getAgent(h.a1))?.state).toBe('PAUSED');
  });

  it("is refused outside the calling window in the lead's local time, with a message", async () => {
    await paused(h.a1);
    // A zone where it is now the middle of the night (some UTC offset always is).
    const zone = nightZone();
    const leadId = await addLead(h.listId, '+14155550188', zone);
    const r = h.control.telephony.dial(h.a1, { leadId });
    await expect(r).rejects.toBeInstanceOf(ComplianceError);
    await expect(r).rejects.toMatchObject({
      rule: 'CALLING_WINDOW',
      message: expect.stringMatching(/window/),
    });
    expect((await h.store.getAgent(h.a1))?.state).toBe('PAUSED');
  });

  it('dials an allowed number through the dialer origination path (live_call and call_log)', async () => {
    await paused(h.a1);
    const zone = dayZone();
    const leadId = await addLead(h.listId, '+14155550199', zone);
    const { callId } = await h.control.telephony.dial(h.a1, { leadId });
    const live = await h.store.getCall(callId);
    expect(live).toMatchObject({ agentId: h.a1, manual: true, serverId: 'sim' });
    const row = await h.db.pool.query('SELECT manual FROM call_log WHERE id = $1', [callId]);
    expect(row.rows[0]).toEqual({ manual: true });
    expect((await h.store.getAgent(h.a1))?.state).toBe('INCALL');
    await h.control.telephony.hangup(h.a1, callId);
  });
});

describe('preview', () => {
  it('offers a due lead inside its calling window, and skips DNC, night-time and in-call leads', async () => {
    const c = await h.db.pool.query<{ id: string }>(
      `INSERT INTO campaigns (name, active) VALUES ('preview', true) RETURNING id::text`,
    );
    const campaignId = c.rows[0]?.id ?? '';
    const l = await h.db.pool.query<{ id: string }>(
      `INSERT INTO lists (campaign_id, name) VALUES ($1, 'p') RETURNING id::text`,
      [campaignId],
    );
    const listId = l.rows[0]?.id ?? '';
    const add = (phone: string, zone: string) => addLead(listId, phone, zone);
    const dnc = await add('+14155550301', dayZone());
    await h.db.pool.query(`INSERT INTO dnc (phone, campaign_id) VALUES ('+14155550301', $1)`, [
      campaignId,
    ]);
    await add('+14155550302', nightZone());
    const busy = await add('+14155550303', dayZone());
    await h.db.pool.query(
      `INSERT INTO call_log (id, campaign_id, list_id, lead_id, phone, server_id, channel_id, originated_at)
       VALUES ('cbusy', $1, $2, $3, '+14155550303', 'sim', 'cbusy', now())`,
      [campaignId, listId, busy],
    );
    const agent = h.a1;
    const s = await h.store.getAgent(agent);
    if (s && s.state !== 'LOGGED_OUT')
      await h.sessions.apply(agent, { type: 'force_logout' }, 'test');
    await h.sessions.apply(agent, { type: 'login', campaignId: campaignId as CampaignId }, 'test');
    expect(await h.control.telephony.preview(agent)).toBeNull();
    const good = await add('+14155550304', dayZone());
    expect(await h.control.telephony.preview(agent)).toBe(good);
    expect(dnc).not.toBe(good);
  });
});

describe('presence', () => {
  it('an agent is present until its TTL passes without a touch', async () => {
    const p = new RedisAgentPresence(h.redis, h.rc.prefix);
    expect(await p.isPresent(h.a1)).toBe(false);
    await p.touch(h.a1, 150);
    expect(await p.isPresent(h.a1)).toBe(true);
    await new Promise((r) => setTimeout(r, 250));
    expect(await p.isPresent(h.a1)).toBe(false);
  });
});

/** Local hour of a fixed-offset zone now. */
function hourIn(zone: string): number {
  const h = new Intl.DateTimeFormat('en-US', { timeZone: zone, hour: 'numeric', hourCycle: 'h23' })
    .formatToParts(new Date())
    .find((p) => p.type === 'hour');
  return Number(h?.value ?? 0);
}

function offsetZones(): string[] {
  const zones: string[] = [];
  for (let o = -12; o <= 14; o++)
    zones.push(o === 0 ? 'Etc/GMT' : `Etc/GMT${o > 0 ? '-' : '+'}${Math.abs(o)}`);
  return zones;
}

/** A lead of the list in the given time zone (its only candidate); its id. */
async function addLead(listId: string, phone: string, zone: string): Promise<string> {
  const r = await h.db.pool.query<{ id: string }>(
    `INSERT INTO leads (list_id, phone, time_zone, tz_candidates, tz_key)
     VALUES ($1, $2, $3, ARRAY[$3], $3) RETURNING id::text`,
    [listId, phone, zone],
  );
  return r.rows[0]?.id ?? '';
}

function nightZone(): string {
  const z = offsetZones().find((x) => hourIn(x) >= 1 && hourIn(x) <= 5);
  if (!z) throw new Error('no night zone');
  return z;
}

function dayZone(): string {
  const z = offsetZones().find((x) => hourIn(x) >= 11 && hourIn(x) <= 16);
  if (!z) throw new Error('no day zone');
  return z;
}
