import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentId, CallId } from '@ringside/protocol';
import { IllegalTransitionError, ValidationError } from '../../src/errors.js';
import { WrapupSweeper } from '../../src/services/agents/wrapup.js';
import { RedisPendingPause } from '../../src/adapters/redis/presence.js';
import { createAgentHarness, type AgentHarness } from './harness.js';
import { leadTimeAt } from '../helpers/callback-time.js';

let h: AgentHarness;

beforeAll(async () => {
  h = await createAgentHarness('disp');
});
afterAll(async () => {
  await h?.close();
});

/** The agent hangs up its call: WRAPUP with the campaign's wrap-up time. */
async function toWrapup(agentId: AgentId): Promise<void> {
  await h.sessions.apply(agentId, { type: 'agent_hangup', wrapupMs: 30_000 }, 'test');
}

async function row<T>(text: string, params: unknown[]): Promise<T> {
  const r = await h.db.pool.query(text, params);
  return r.rows[0] as T;
}

/** The disposition call_log holds for the call (null: none yet). */
async function dispositionOf(callId: string): Promise<string | null> {
  const r = await row<{ disposition: string | null }>(
    'SELECT disposition FROM call_log WHERE id = $1',
    [callId],
  );
  return r.disposition;
}

async function logOut(agentId: AgentId): Promise<void> {
  const s = await h.store.getAgent(agentId);
  if (s && s.state !== 'LOGGED_OUT') {
    await h.sessions.apply(agentId, { type: 'force_logout' }, 'test');
  }
}

describe('disposition service', () => {
  it('a plain disposition records call_log, recycles the lead and makes the agent READY', async () => {
    await logOut(h.a1);
    const call = await h.callFor(h.a1);
    await toWrapup(h.a1);
    const before = h.clock.nowMs();
    const agent = await h.control.agentSessions.dispose(h.a1, { callId: call.callId, code: 'NI' });
    expect(agent.state).toBe('READY');

    const log = await row<{ disposition: string; disposed_at: Date | null }>(
      'SELECT disposition, disposed_at FROM call_log WHERE id = $1',
      [call.callId],
    );
    expect(log.disposition).toBe('NI');
    expect(log.disposed_at).not.toBeNull();
    const lead = await row<{
      status: string;
      final: boolean;
      hopper_at: Date | null;
      next: string;
    }>(
      `SELECT status, final, hopper_at, (extract(epoch from next_eligible_at) * 1000)::text AS next
         FROM leads WHERE id = $1`,
      [call.leadId],
    );
    expect(lead.status).toBe('NI');
    expect(lead.final).toBe(false);
    expect(lead.hopper_at).toBeNull();
    // No rule for NI: the fallback delay (a day).
    expect(Number(lead.next)).toBeGreaterThanOrEqual(before + 24 * 3600_000 - 1000);
    const kinds = await h.db.pool.query<{ kind: string }>(
      'SELECT kind FROM lead_log WHERE lead_id = $1',
      [call.leadId],
    );
    expect(kinds.rows.map((r) => r.kind)).toEqual(['disposed']);
  });

  it("the campaign's recycle rule sets the delay, and a lead at its attempt cap is never dialed again", async () => {
    await h.db.pool.query(
      `INSERT INTO campaign_recycle_rules (campaign_id, status, delay_s, max_attempts)
       VALUES ($1, 'NI', 3600, 2)`,
      [h.campaignId],
    );
    // The disposition service caches campaign settings for a few seconds: move past that.
    h.clock.advance(10_000);
    await logOut(h.a1);
    const early = await h.callFor(h.a1, { attempts: 1 });
    await toWrapup(h.a1);
    const at = h.clock.nowMs();
    await h.control.agentSessions.dispose(h.a1, { callId: early.callId, code: 'NI' });
    const e = await row<{ next: string }>(
      `SELECT (extract(epoch from next_eligible_at) * 1000)::text AS next FROM leads WHERE id = $1`,
      [early.leadId],
    );
    expect(Math.abs(Number(e.next) - (at + 3_600_000))).toBeLessThan(1000);

    const used = await h.callFor(h.a1, { attempts: 2 });
    await toWrapup(h.a1);
    await h.control.agentSessions.dispose(h.a1, { callId: used.callId, code: 'NI' });
    const u = await row<{ next: string }>(
      `SELECT next_eligible_at::text AS next FROM leads WHERE id = $1`,
      [used.leadId],
    );
    expect(u.next).toBe('infinity');
  });

  it("a DNC disposition puts the number on the campaign's DNC list (table and dialer cache)", async () => {
    await logOut(h.a1);
    const call = await h.callFor(h.a1);
    await toWrapup(h.a1);
    await h.control.agentSessions.dispose(h.a1, { callId: call.callId, code: 'DNC' });
    const dnc = await h.db.pool.query<{
      campaign_id: string | null;
      source: string;
      added_by: string;
    }>('SELECT campaign_id::text, source, added_by::text FROM dnc WHERE phone = $1', [call.phone]);
    expect(dnc.rows).toEqual([
      { campaign_id: h.campaignId, source: 'disposition', added_by: h.a1 },
    ]);
    const lead = await row<{ final: boolean; next: string }>(
      'SELECT final, next_eligible_at::text AS next FROM leads WHERE id = $1',
      [call.leadId],
    );
    expect(lead).toEqual({ final: true, next: 'infinity' });
    // The dialer's dial-time check sees it at once (its Redis set, DialerKeys.dncCampaign).
    expect(await h.redis.sismember(`${h.rc.prefix}:{dnc}:c:${h.campaignId}`, call.phone)).toBe(1);
    const kinds = await h.db.pool.query<{ kind: string }>(
      'SELECT kind FROM lead_log WHERE lead_id = $1 ORDER BY id',
      [call.leadId],
    );
    expect(kinds.rows.map((r) => r.kind)).toEqual(['disposed', 'dnc']);
  });

  it("a callback disposition schedules an agent-only callback in the lead's time zone", async () => {
    await logOut(h.a1);
    const call = await h.callFor(h.a1, { zone: 'America/Chicago' });
    await toWrapup(h.a1);
    const due = leadTimeAt('America/Chicago', '10:30', h.clock.nowMs());
    await h.control.agentSessions.dispose(h.a1, {
      callId: call.callId,
      code: 'CB',
      callbackAtMs: due,
      callbackAgentOnly: true,
      note: 'after lunch',
    });
    const cb = await row<{ agent_id: string; due: string; time_zone: string; status: string }>(
      `SELECT agent_id::text, (extract(epoch from due_at) * 1000)::bigint::text AS due, time_zone, status
         FROM callbacks WHERE lead_id = $1`,
      [call.leadId],
    );
    expect(cb).toEqual({
      agent_id: h.a1,
      due: String(due),
      time_zone: 'America/Chicago',
      status: 'PENDING',
    });
  });

  it('a callback for anyone has no agent', async () => {
    await logOut(h.a1);
    const call = await h.callFor(h.a1);
    await toWrapup(h.a1);
    await h.control.agentSessions.dispose(h.a1, {
      callId: call.callId,
      code: 'CB',
      callbackAtMs: leadTimeAt('America/Los_Angeles', '10:30', h.clock.nowMs()),
      callbackAgentOnly: false,
    });
    const cb = await row<{ agent_id: string | null }>(
      'SELECT agent_id FROM callbacks WHERE lead_id = $1',
      [call.leadId],
    );
    expect(cb.agent_id).toBeNull();
  });

  it('a callback disposition without a time, or an unknown code, is refused naming the field and writes nothing', async () => {
    await logOut(h.a1);
    const call = await h.callFor(h.a1);
    await toWrapup(h.a1);
    const noTime = h.control.agentSessions.dispose(h.a1, { callId: call.callId, code: 'CB' });
    await expect(noTime).rejects.toBeInstanceOf(ValidationError);
    await expect(noTime).rejects.toMatchObject({ issues: [{ path: 'callbackAtMs' }] });
    const unknown = h.control.agentSessions.dispose(h.a1, { callId: call.callId, code: 'NOPE' });
    await expect(unknown).rejects.toMatchObject({ code: 'VALIDATION', issues: [{ path: 'code' }] });
    expect(await dispositionOf(call.callId)).toBeNull();
    expect((await h.store.getAgent(h.a1))?.state).toBe('WRAPUP');
  });

  it("an agent cannot dispose another agent's call, nor a call before hanging it up", async () => {
    await logOut(h.a1);
    await logOut(h.a2);
    const mine = await h.callFor(h.a1);
    const theirs = await h.callFor(h.a2);
    await expect(
      h.control.agentSessions.dispose(h.a1, { callId: mine.callId, code: 'NI' }),
    ).rejects.toThrow(/hang up the call/);
    await toWrapup(h.a1);
    await expect(
      h.control.agentSessions.dispose(h.a1, { callId: theirs.callId, code: 'NI' }),
    ).rejects.toBeInstanceOf(IllegalTransitionError);
    expect(await dispositionOf(theirs.callId)).toBeNull();
  });

  it('pausing during the call is kept for after the disposition: the agent goes PAUSED, never READY', async () => {
    await logOut(h.a1);
    const call = await h.callFor(h.a1);
    const during = await h.control.agentSessions.pause(h.a1, 'BREAK', 'agent');
    expect(during.state).toBe('INCALL');
    await toWrapup(h.a1);
    const after = await h.control.agentSessions.dispose(h.a1, { callId: call.callId, code: 'NI' });
    expect(after.state).toBe('PAUSED');
    expect(after.pauseCode).toBe('BREAK');
  });

  it('ready is refused in wrap-up until the disposition is submitted, and a pause there waits for it', async () => {
    await logOut(h.a1);
    const call = await h.callFor(h.a1);
    await toWrapup(h.a1);
    await expect(h.control.agentSessions.ready(h.a1)).rejects.toThrow(/disposition/);
    const paused = await h.control.agentSessions.pause(h.a1, 'LUNCH', 'agent');
    expect(paused.state).toBe('WRAPUP');
    const after = await h.control.agentSessions.dispose(h.a1, { callId: call.callId, code: 'NI' });
    expect(after).toMatchObject({ state: 'PAUSED', pauseCode: 'LUNCH' });
  });

  it('an agent left DEAD by the customer can dispose: it hangs up first, then goes READY', async () => {
    await logOut(h.a1);
    const call = await h.callFor(h.a1);
    await h.sessions.apply(h.a1, { type: 'customer_hangup' }, 'test');
    const r = await h.control.agentSessions.dispose(h.a1, { callId: call.callId, code: 'SALE' });
    expect(r.state).toBe('READY');
    const lead = await row<{ final: boolean }>('SELECT final FROM leads WHERE id = $1', [
      call.leadId,
    ]);
    expect(lead.final).toBe(true);
  });
});

describe('wrap-up timeout', () => {
  it("applies the campaign's default disposition once wrapup_s has passed, and only once", async () => {
    await logOut(h.a1);
    h.clock.advance(10_000);
    const call = await h.callFor(h.a1);
    await toWrapup(h.a1);
    h.clock.advance(29_000);
    expect(await h.control.sweeper.sweep()).toBe(0);
    expect((await h.store.getAgent(h.a1))?.state).toBe('WRAPUP');
    h.clock.advance(2_000);
    // Two sweepers (two api processes) at once: exactly one applies it.
    const other = new WrapupSweeper({
      store: h.store,
      sessions: h.sessions,
      dispositions: h.control.dispositions,
      pendingPauses: new RedisPendingPause(h.redis, h.rc.prefix),
      clock: h.clock,
      logger: (await import('pino')).default({ level: 'silent' }),
    });
    const [x, y] = await Promise.all([h.control.sweeper.sweep(), other.sweep()]);
    expect(x + y).toBe(1);
    expect(await h.control.sweeper.sweep()).toBe(0);
    expect((await h.store.getAgent(h.a1))?.state).toBe('READY');
    expect(await dispositionOf(call.callId)).toBe('NI');
    const entries = await h.db.pool.query<{ detail: { auto: boolean } }>(
      `SELECT detail FROM lead_log WHERE lead_id = $1 AND kind = 'disposed'`,
      [call.leadId],
    );
    expect(entries.rows.map((r) => r.detail.auto)).toEqual([true]);
    // The agent's late disposition is refused: the call already has one.
    await expect(
      h.control.agentSessions.dispose(h.a1, { callId: call.callId, code: 'SALE' }),
    ).rejects.toBeInstanceOf(IllegalTransitionError);
  });

  it("with wrapup_timeout_action 'pause' the agent is paused (code WRAPUP) and the call still gets the default", async () => {
    await h.db.pool.query(`UPDATE campaigns SET wrapup_timeout_action = 'pause' WHERE id = $1`, [
      h.campaignId,
    ]);
    h.clock.advance(10_000); // past the campaign cache
    await logOut(h.a1);
    const call = await h.callFor(h.a1);
    await toWrapup(h.a1);
    h.clock.advance(31_000);
    expect(await h.control.sweeper.sweep()).toBe(1);
    const s = await h.store.getAgent(h.a1);
    expect(s?.state).toBe('PAUSED');
    expect(s?.pauseCode).toBe('WRAPUP');
    expect(await dispositionOf(call.callId)).toBe('NI');
    await h.db.pool.query(
      `UPDATE campaigns SET wrapup_timeout_action = 'disposition' WHERE id = $1`,
      [h.campaignId],
    );
  });
});

describe('customer hang-up', () => {
  it('moves the agent from INCALL to DEAD when the call ends under it', async () => {
    await logOut(h.a2);
    const call = await h.callFor(h.a2);
    const live = await h.store.getCall(call.callId as CallId);
    if (!live) throw new Error('no live call');
    await h.store.endCall(
      { ...live, stage: 'ENDED', endedAtMs: h.clock.nowMs() },
      {
        type: 'call.ended',
        callId: live.callId,
        campaignId: live.campaignId,
        leadId: live.leadId,
        outcome: 'HUMAN',
        hangupCause: 16,
        agentId: h.a2,
        atMs: h.clock.nowMs(),
      },
    );
    const deadline = Date.now() + 5_000;
    while ((await h.store.getAgent(h.a2))?.state !== 'DEAD' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect((await h.store.getAgent(h.a2))?.state).toBe('DEAD');
  });
});
