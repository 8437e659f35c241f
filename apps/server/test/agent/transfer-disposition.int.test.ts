import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentId } from '@ringside/protocol';
import type { AriRestClient } from '../../src/adapters/asterisk/ari-client.js';
import { CallLogRepository } from '../../src/adapters/postgres/call-log.js';
import { ReportsRepository } from '../../src/adapters/postgres/reports/reports-repository.js';
import { IllegalTransitionError } from '../../src/errors.js';
import { createAgentHarness, type AgentHarness, type TestCall } from './harness.js';
import { leadTimeAt } from '../helpers/callback-time.js';

/**
 * Dispositions of calls transferred between agents: each agent who handled the call owes its own
 * disposition; the last agent's is the call's and the lead's (docs/agent-calls.md).
 */
let h: AgentHarness;
let ari: AriRestClient;

beforeAll(async () => {
  h = await createAgentHarness('xferdisp');
  ari = h.ari;
  await h.db.pool.query(
    `INSERT INTO dispositions (campaign_id, code, name, dnc, callback, final)
     VALUES ($1, 'XFER', 'Transferred', false, false, false)`,
    [h.campaignId],
  );
  for (const a of [h.a1, h.a2]) {
    await h.control.agentSessions.login(a, h.campaignId);
    expect(await h.control.telephony.connectLeg(a)).toBe('up');
  }
});
afterAll(async () => {
  await h?.close();
});

async function until(what: string, check: () => Promise<boolean>, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function row<T>(text: string, params: unknown[]): Promise<T> {
  const r = await h.db.pool.query(text, params);
  return r.rows[0] as T;
}

/** Both agents free: `from` gets a live customer (a real channel on the simulated PBX), `to` READY. */
async function transferSetup(from: AgentId, to: AgentId): Promise<TestCall> {
  for (const a of [from, to]) {
    const s = await h.store.getAgent(a);
    if (s?.state !== 'READY') await h.sessions.apply(a, { type: 'ready' }, 'test');
  }
  const call = await h.callFor(from);
  // As the ARI worker records it when the customer reaches the agent.
  await new CallLogRepository(h.db.pool).step(call.callId, {
    kind: 'bridged',
    atMs: h.clock.nowMs(),
    agentId: from,
  });
  await h.dialCustomer(call);
  await until('the customer to answer', async () => {
    try {
      await ari.addChannel(`agent-${from}`, call.callId);
      return true;
    } catch {
      return false;
    }
  });
  return call;
}

async function leadOf(call: TestCall) {
  return row<{ status: string; final: boolean }>('SELECT status, final FROM leads WHERE id = $1', [
    call.leadId,
  ]);
}

async function callLog(call: TestCall) {
  return row<{ agent_id: string | null; disposition: string | null; since: boolean }>(
    `SELECT agent_id::text AS agent_id, disposition, agent_since_at IS NOT NULL AS since
       FROM call_log WHERE id = $1`,
    [call.callId],
  );
}

async function leadLog(call: TestCall) {
  const r = await h.db.pool.query<{
    kind: string;
    agent_id: string | null;
    detail: Record<string, unknown>;
  }>(
    `SELECT kind, agent_id::text AS agent_id, detail FROM lead_log
      WHERE lead_id = $1 AND kind IN ('transferred', 'disposed', 'dnc', 'callback') ORDER BY id`,
    [call.leadId],
  );
  return r.rows;
}

describe('dispositions of a call transferred to another agent', () => {
  it("blind: the call becomes the target's; each agent submits its own disposition, the target's is the lead's", async () => {
    const call = await transferSetup(h.a1, h.a2);
    const t = h.control.telephony;
    h.clock.advance(10_000); // the first agent talks 10 s
    await t.transfer(h.a1, call.callId, { kind: 'blind', to: { agentId: h.a2 } });
    expect((await h.store.getAgent(h.a1))?.state).toBe('WRAPUP');
    expect((await h.store.getAgent(h.a2))?.state).toBe('INCALL');
    expect(await callLog(call)).toEqual({ agent_id: h.a2, disposition: null, since: true });
    const handoff = await row<{ to_agent_id: string; disposition: string | null }>(
      `SELECT to_agent_id::text AS to_agent_id, disposition FROM call_handoffs
        WHERE call_id = $1 AND agent_id = $2`,
      [call.callId, h.a1],
    );
    expect(handoff).toEqual({ to_agent_id: h.a2, disposition: null });

    // The transferring agent owes its disposition: ready is refused until it is in.
    await expect(h.control.agentSessions.ready(h.a1)).rejects.toThrow(/disposition/);
    const a1 = await h.control.agentSessions.dispose(h.a1, { callId: call.callId, code: 'XFER' });
    expect(a1.state).toBe('READY');
    // Its disposition is its part only: the call and the lead wait for the target's.
    expect(await callLog(call)).toMatchObject({ agent_id: h.a2, disposition: null });
    expect(await leadOf(call)).toEqual({ status: 'NEW', final: false });
    await expect(
      h.control.agentSessions.dispose(h.a1, { callId: call.callId, code: 'NI' }),
    ).rejects.toBeInstanceOf(IllegalTransitionError);

    h.clock.advance(20_000); // the target talks 20 s (the ARI worker records the end)
    await new CallLogRepository(h.db.pool).step(call.callId, {
      kind: 'ended',
      atMs: h.clock.nowMs(),
      outcome: 'HUMAN',
      hangupCause: 16,
    });
    await t.hangup(h.a2, call.callId);
    expect((await h.store.getAgent(h.a2))?.state).toBe('WRAPUP');
    await expect(h.control.agentSessions.ready(h.a2)).rejects.toThrow(/disposition/);
    const a2 = await h.control.agentSessions.dispose(h.a2, { callId: call.callId, code: 'SALE' });
    expect(a2.state).toBe('READY');
    expect(await callLog(call)).toMatchObject({ agent_id: h.a2, disposition: 'SALE' });
    expect(await leadOf(call)).toEqual({ status: 'SALE', final: true });
    await expect(
      h.control.agentSessions.dispose(h.a2, { callId: call.callId, code: 'NI' }),
    ).rejects.toBeInstanceOf(IllegalTransitionError);
    // The wrap-up timeout (or a logout) racing the target's disposition writes nothing more.
    expect((await h.control.dispositions.autoDispose(call.callId, h.a2))?.written).toBe(false);
    expect((await h.control.dispositions.autoDispose(call.callId, h.a1))?.written).toBe(false);

    expect(await leadLog(call)).toEqual([
      { kind: 'transferred', agent_id: h.a1, detail: { toAgentId: h.a2 } },
      {
        kind: 'disposed',
        agent_id: h.a1,
        detail: { code: 'XFER', auto: false, final: false, handoff: true },
      },
      { kind: 'disposed', agent_id: h.a2, detail: { code: 'SALE', auto: false, final: true } },
    ]);
  });

  it("warm, target first: the first agent's late disposition does not override the lead; its DNC and callback still apply", async () => {
    const call = await transferSetup(h.a1, h.a2);
    const t = h.control.telephony;
    await t.transfer(h.a1, call.callId, { kind: 'warm', to: { agentId: h.a2 } });
    await t.transferComplete(h.a1, call.callId);
    expect(await callLog(call)).toMatchObject({ agent_id: h.a2 });
    await t.hangup(h.a2, call.callId);
    await h.control.agentSessions.dispose(h.a2, { callId: call.callId, code: 'NI' });
    expect(await leadOf(call)).toEqual({ status: 'NI', final: false });

    // The first agent submits last: a DNC. The number is listed, the lead's outcome stays NI.
    await h.control.agentSessions.dispose(h.a1, { callId: call.callId, code: 'DNC' });
    expect(await leadOf(call)).toEqual({ status: 'NI', final: false });
    expect(await callLog(call)).toMatchObject({ disposition: 'NI' });
    const dnc = await row<{ n: string }>(
      `SELECT count(*)::text AS n FROM dnc WHERE phone = $1 AND campaign_id = $2`,
      [call.phone, h.campaignId],
    );
    expect(dnc.n).toBe('1');
    const handoff = await row<{ disposition: string; auto: boolean }>(
      'SELECT disposition, auto FROM call_handoffs WHERE call_id = $1 AND agent_id = $2',
      [call.callId, h.a1],
    );
    expect(handoff).toEqual({ disposition: 'DNC', auto: false });
  });

  it('a callback by the transferring agent is scheduled for it', async () => {
    const call = await transferSetup(h.a1, h.a2);
    await h.control.telephony.transfer(h.a1, call.callId, {
      kind: 'blind',
      to: { agentId: h.a2 },
    });
    // Inside the lead's callable hours (the harness's leads are in Los Angeles).
    const due = leadTimeAt('America/Los_Angeles', '10:30', h.clock.nowMs());
    await h.control.agentSessions.dispose(h.a1, {
      callId: call.callId,
      code: 'CB',
      callbackAtMs: due,
    });
    const cb = await row<{ agent_id: string; status: string }>(
      'SELECT agent_id::text AS agent_id, status FROM callbacks WHERE lead_id = $1',
      [call.leadId],
    );
    expect(cb).toEqual({ agent_id: h.a1, status: 'PENDING' });
    expect(await leadOf(call)).toEqual({ status: 'NEW', final: false });
    await h.control.telephony.hangup(h.a2, call.callId);
    await h.control.agentSessions.dispose(h.a2, { callId: call.callId, code: 'NI' });
    expect(await leadOf(call)).toEqual({ status: 'NI', final: false });
  });

  it("the wrap-up timeout records each agent's default on its own part only", async () => {
    const call = await transferSetup(h.a1, h.a2);
    await h.control.telephony.transfer(h.a1, call.callId, {
      kind: 'blind',
      to: { agentId: h.a2 },
    });
    h.clock.advance(31_000);
    // The first agent times out: its part gets the default, not the call (the target is on it).
    expect(await h.control.sweeper.sweep()).toBe(1);
    expect((await h.store.getAgent(h.a1))?.state).toBe('READY');
    expect(await callLog(call)).toMatchObject({ disposition: null });
    const handoff = await row<{ disposition: string; auto: boolean }>(
      'SELECT disposition, auto FROM call_handoffs WHERE call_id = $1 AND agent_id = $2',
      [call.callId, h.a1],
    );
    expect(handoff).toEqual({ disposition: 'NI', auto: true });
    // A late disposition of the first agent is refused (no call waits for one any more).
    await expect(
      h.control.agentSessions.dispose(h.a1, { callId: call.callId, code: 'SALE' }),
    ).rejects.toBeInstanceOf(IllegalTransitionError);

    await h.control.telephony.hangup(h.a2, call.callId);
    h.clock.advance(31_000);
    expect(await h.control.sweeper.sweep()).toBe(1);
    expect(await callLog(call)).toMatchObject({ agent_id: h.a2, disposition: 'NI' });
    expect(await leadOf(call)).toEqual({ status: 'NI', final: false });
  });

  it("a transfer to a number leaves the call with the agent: its disposition is the lead's", async () => {
    const call = await transferSetup(h.a1, h.a2);
    await h.control.telephony.transfer(h.a1, call.callId, {
      kind: 'blind',
      to: { number: '+14155550100' },
    });
    expect(await callLog(call)).toMatchObject({ agent_id: h.a1, since: false });
    await h.control.agentSessions.dispose(h.a1, { callId: call.callId, code: 'SALE' });
    expect(await leadOf(call)).toEqual({ status: 'SALE', final: true });
    const n = await row<{ n: string }>(
      'SELECT count(*)::text AS n FROM call_handoffs WHERE call_id = $1',
      [call.callId],
    );
    expect(n.n).toBe('0');
  });

  it("agent performance counts each agent's part once, under its own disposition; rollups match a rebuild", async () => {
    const repo = new ReportsRepository(h.db.pool);
    const first = await row<{ ms: string }>(
      `SELECT (extract(epoch FROM min(originated_at)) * 1000)::text AS ms FROM call_log`,
      [],
    );
    const t0 = Number(first.ms);
    const day = 86_400_000;
    const wholeDays = {
      fromMs: Math.floor(t0 / day) * day,
      toMs: Math.floor(t0 / day) * day + 2 * day,
    };
    const rawOnly = { fromMs: t0 - 3600_000, toMs: h.clock.nowMs() + 3600_000 };
    const summary = (rows: Awaited<ReturnType<ReportsRepository['agentPerformance']>>) =>
      Object.fromEntries(
        rows.map((r) => [r.agentId, { calls: r.calls, talkMs: r.talkMs, by: r.byDisposition }]),
      );
    const rolled = summary(await repo.agentPerformance({ ...wholeDays, campaignId: h.campaignId }));
    // The first agent: its part of four transfers (XFER, DNC, CB, the timeout's NI) and the call it
    // sent to a number (SALE). The target: the four calls it took over.
    // Talk is split at the hand-over (the first test: 10 s before it, 20 s after).
    expect(rolled[h.a1]).toMatchObject({
      calls: 5,
      talkMs: 10_000,
      by: { XFER: 1, DNC: 1, CB: 1, NI: 1, SALE: 1 },
    });
    expect(rolled[h.a2]).toMatchObject({ calls: 4, talkMs: 20_000, by: { SALE: 1, NI: 3 } });
    expect(summary(await repo.agentPerformance({ ...rawOnly, campaignId: h.campaignId }))).toEqual(
      rolled,
    );
    const rollup = async () =>
      (
        await h.db.pool.query(
          `SELECT day, agent_id::text, campaign_id::text, disposition, calls::text, talk_ms::text,
                  wrap_ms::text
             FROM report_agent_call_daily WHERE calls <> 0 ORDER BY 1, 2, 3, 4`,
        )
      ).rows;
    const live = await rollup();
    await h.db.pool.query('SELECT report_rollups_rebuild()');
    expect(await rollup()).toEqual(live);
  });
});
