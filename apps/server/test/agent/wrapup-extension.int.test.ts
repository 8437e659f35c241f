import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentId, AgentStateChanged, CallId } from '@ringside/protocol';
import { IllegalTransitionError } from '../../src/errors.js';
import { byUsage } from '../../src/services/agents/agent-desk.js';
import { createAgentHarness, type AgentHarness } from './harness.js';
import { leadTimeAt } from '../helpers/callback-time.js';

let h: AgentHarness;

beforeAll(async () => {
  h = await createAgentHarness('wrapext');
  await h.db.pool.query(
    `UPDATE campaigns SET wrapup_s = 30, wrapup_extensions = 2, wrapup_extension_s = 20
      WHERE id = $1`,
    [h.campaignId],
  );
});
afterAll(async () => {
  await h?.close();
});

/** Past the disposition service's campaign cache, so a settings change applies. */
function pastCache(): void {
  h.clock.advance(10_000);
}

async function logOut(agentId: AgentId): Promise<void> {
  const s = await h.store.getAgent(agentId);
  if (s && s.state !== 'LOGGED_OUT') {
    await h.sessions.apply(agentId, { type: 'force_logout' }, 'test');
  }
}

async function wrapupCall(agentId: AgentId): Promise<{ callId: CallId; sinceMs: number }> {
  await logOut(agentId);
  const call = await h.callFor(agentId);
  await h.sessions.apply(agentId, { type: 'agent_hangup', wrapupMs: 30_000 }, 'test');
  const s = await h.store.getAgent(agentId);
  return { callId: call.callId, sinceMs: s?.sinceMs ?? 0 };
}

function extend(agentId: AgentId) {
  const fn = h.control.agentSessions.extendWrapup;
  if (!fn) throw new Error('extendWrapup is not wired');
  return fn(agentId);
}

async function refusal(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a refusal');
}

describe('wrap-up extension', () => {
  it('moves the deadline the sweeper applies, up to the allowance, audited, without an agent_log row', async () => {
    pastCache();
    const { callId, sinceMs } = await wrapupCall(h.a1);
    h.clock.advance(25_000);

    const first = await extend(h.a1);
    expect(first).toMatchObject({ used: 1, allowed: 2, untilMs: sinceMs + 50_000 });
    expect(first.status).toMatchObject({
      state: 'WRAPUP',
      sinceMs,
      wrapupUntilMs: sinceMs + 50_000,
    });
    // The state's clock did not restart.
    expect((await h.store.getAgent(h.a1))?.sinceMs).toBe(sinceMs);

    // Past the campaign's 30 s, inside the extension: the sweeper leaves the agent alone.
    h.clock.advance(10_000);
    expect(await h.control.sweeper.sweep()).toBe(0);
    expect((await h.store.getAgent(h.a1))?.state).toBe('WRAPUP');

    const second = await extend(h.a1);
    expect(second).toMatchObject({ used: 2, untilMs: sinceMs + 70_000 });
    const third = await refusal(extend(h.a1));
    expect(third).toBeInstanceOf(IllegalTransitionError);
    expect(third.message).toContain('already extended 2 times on this call');

    const audit = await h.db.pool.query<{ action: string; target: string; detail: unknown }>(
      `SELECT action, target, detail FROM audit_log WHERE action = 'agent.wrapup_extend'
        ORDER BY id`,
    );
    expect(audit.rows.map((r) => r.target)).toEqual([`agent:${h.a1}`, `agent:${h.a1}`]);
    expect(audit.rows[1]?.detail).toMatchObject({ callId, extension: 2, allowed: 2 });
    // agent_log: no row for the extensions; the session snapshot keeps the wrap-up's start.
    const rows = await h.db.pool.query(
      `SELECT 1 FROM agent_log WHERE agent_id = $1 AND reason = 'agent:wrapup-extended'`,
      [h.a1],
    );
    expect(rows.rowCount).toBe(0);
    const snap = await h.db.pool.query<{ since: string }>(
      `SELECT (extract(epoch FROM since_at) * 1000)::bigint::text AS since
         FROM agent_sessions WHERE agent_id = $1`,
      [h.a1],
    );
    expect(Number(snap.rows[0]?.since)).toBe(sinceMs);

    h.clock.advance(34_000); // sinceMs + 69 s
    expect(await h.control.sweeper.sweep()).toBe(0);
    h.clock.advance(2_000);
    expect(await h.control.sweeper.sweep()).toBe(1);
    expect((await h.store.getAgent(h.a1))?.state).toBe('READY');
    const log = await h.db.pool.query<{ disposition: string }>(
      'SELECT disposition FROM call_log WHERE id = $1',
      [callId],
    );
    expect(log.rows[0]?.disposition).toBe('NI');
  });

  it('publishes the new deadline on the agent.state_changed the panels receive', async () => {
    pastCache();
    const { sinceMs } = await wrapupCall(h.a2);
    const seen: AgentStateChanged[] = [];
    const sub = await h.bus.subscribe({
      from: 'latest',
      onEvent: (env) => {
        const e = env.event;
        if (e.type === 'agent.state_changed' && e.agentId === h.a2) seen.push(e);
      },
    });
    const r = await extend(h.a2);
    for (let i = 0; i < 100 && seen.length === 0; i++)
      await new Promise((ok) => setTimeout(ok, 20));
    await sub.close();
    const last = seen.at(-1);
    expect(last).toMatchObject({
      from: 'WRAPUP',
      to: 'WRAPUP',
      reason: 'agent:wrapup-extended',
      sinceMs,
      wrapupUntilMs: r.untilMs,
    });
  });

  it('counts per call: a new call starts a new allowance', async () => {
    pastCache();
    await wrapupCall(h.a1);
    expect((await extend(h.a1)).used).toBe(1);
    await h.sessions.apply(h.a1, { type: 'ready' }, 'test');
    await wrapupCall(h.a1);
    expect((await extend(h.a1)).used).toBe(1);
  });

  it('is refused with a clear message outside wrap-up, past the deadline, or when the campaign allows none', async () => {
    await logOut(h.a1);
    await h.sessions.apply(h.a1, { type: 'login', campaignId: h.campaignId }, 'test');
    expect((await refusal(extend(h.a1))).message).toContain('no wrap-up to extend');

    pastCache();
    await wrapupCall(h.a1);
    h.clock.advance(31_000);
    expect((await refusal(extend(h.a1))).message).toContain('already over');

    await h.db.pool.query(`UPDATE campaigns SET wrapup_extensions = 0 WHERE id = $1`, [
      h.campaignId,
    ]);
    pastCache();
    await wrapupCall(h.a1);
    expect((await refusal(extend(h.a1))).message).toContain('does not allow extending');
    await h.db.pool.query(`UPDATE campaigns SET wrapup_extensions = 2 WHERE id = $1`, [
      h.campaignId,
    ]);
  });
});

describe('agent desk reads', () => {
  it("the agent's day: calls, talk, handle time, sales and pauses against their daily limits", async () => {
    const desk = h.control.agentDesk;
    await logOut(h.a2);
    await h.db.pool.query(`DELETE FROM agent_log WHERE agent_id = $1`, [h.a2]);
    await h.db.pool.query(`UPDATE call_log SET agent_id = NULL WHERE agent_id = $1`, [h.a2]);
    await h.db.pool.query(`UPDATE dispositions SET sale = true WHERE code = 'SALE'`);
    await h.db.pool.query(
      `INSERT INTO pause_codes (campaign_id, code, name, daily_limit_min)
       VALUES (NULL, 'BREAK', 'Break', 15), (NULL, 'LUNCH', 'Lunch', NULL)`,
    );
    const now = h.clock.nowMs();
    const at = (agoS: number) => new Date(now - agoS * 1000);
    const lead = await h.db.pool.query<{ id: string }>(
      `INSERT INTO leads (list_id, phone) VALUES ($1, '+14155550999') RETURNING id::text`,
      [h.listId],
    );
    const leadId = lead.rows[0]?.id;
    // Two calls talked today (60 s and 120 s), one a sale; one never connected.
    const calls: Array<[string, number | null, number, string | null]> = [
      ['dayA', 600, 540, 'SALE'],
      ['dayB', 400, 280, 'NI'],
      ['dayC', 300, null as unknown as number, null],
    ];
    for (const [id, start, end, disp] of calls) {
      await h.db.pool.query(
        `INSERT INTO call_log (id, campaign_id, list_id, lead_id, phone, server_id, channel_id,
                               agent_id, originated_at, agent_connected_at, ended_at, disposition)
         VALUES ($1, $2, $3, $4, '+14155550999', 'sim', $1, $5, $6, $7, $8, $9)`,
        [
          id,
          h.campaignId,
          h.listId,
          leadId,
          h.a2,
          at((start ?? 0) + 5),
          end === null ? null : at(start ?? 0),
          end === null ? at(250) : at(end),
          disp,
        ],
      );
    }
    // Wrap-up 20 s + 10 s; 13 minutes of BREAK (limit 15), 5 of LUNCH.
    const states: Array<[string, string | null, number, number]> = [
      ['WRAPUP', null, 540, 520],
      ['DEAD', null, 280, 270],
      ['PAUSED', 'BREAK', 2000, 2000 - 13 * 60],
      ['PAUSED', 'LUNCH', 900, 600],
    ];
    for (const [state, code, from, to] of states) {
      await h.db.pool.query(
        `INSERT INTO agent_log (agent_id, campaign_id, state, pause_code, started_at, ended_at,
                                duration_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [h.a2, h.campaignId, state, code, at(from), at(to), (from - to) * 1000],
      );
    }
    // Logged in and paused on BREAK for the last minute: counts up to now.
    await h.sessions.apply(h.a2, { type: 'login', campaignId: h.campaignId }, 'test');
    await h.sessions.apply(h.a2, { type: 'pause', code: 'BREAK' }, 'test');
    h.clock.advance(60_000);

    const day = await desk.myDay(h.a2, 'UTC');
    expect(day).toMatchObject({ calls: 2, talkMs: 180_000, sales: 1, timeZone: 'UTC' });
    expect(day.avgHandleMs).toBe((180_000 + 30_000) / 2);
    const pause = (code: string) => day.pauses.find((p) => p.code === code);
    expect(pause('BREAK')).toMatchObject({ usedMs: 14 * 60_000, limitMin: 15, name: 'Break' });
    expect(pause('LUNCH')).toMatchObject({ usedMs: 5 * 60_000, limitMin: null });
    // The LOGIN pause after the log-in is listed under its code.
    expect(day.dayStartMs).toBe(Date.UTC(...utcYmd(h.clock.nowMs())));
  });

  it('ranks dispositions most used first over 30 days, display order among equals', async () => {
    const usage = await h.control.agentDesk.dispositionUsage(h.campaignId);
    expect(usage.get('NI')).toBeGreaterThan(usage.get('SALE') ?? 0);
    const list = ['SALE', 'DNC', 'NI', 'CB'].map((code) => ({
      code,
      name: code,
      humanAnswered: true,
      sale: false,
      dnc: false,
      callback: false,
      final: false,
    }));
    const ranked = byUsage(
      list,
      new Map([
        ['NI', 5],
        ['CB', 1],
      ]),
    );
    expect(ranked.map((d) => [d.code, d.uses30d])).toEqual([
      ['NI', 5],
      ['CB', 1],
      ['SALE', 0],
      ['DNC', 0],
    ]);
  });
});

describe('callback time', () => {
  it("is refused outside the lead's callable hours (campaign window in the lead's zone)", async () => {
    await logOut(h.a1);
    const call = await h.callFor(h.a1, { zone: 'America/Chicago' });
    await h.sessions.apply(h.a1, { type: 'agent_hangup', wrapupMs: 30_000 }, 'test');
    // Tomorrow 22:30 and 10:30 on the lead's wall clock (the campaign window is 09:00-20:00).
    const at = (hhmm: string) => leadTimeAt('America/Chicago', hhmm, h.clock.nowMs());
    const late = await refusal(
      h.control.agentSessions.dispose(h.a1, {
        callId: call.callId,
        code: 'CB',
        callbackAtMs: at('22:30'),
      }),
    );
    expect(late.message).toBe(
      "callbackAtMs: 22:30 is outside the lead's callable hours 09:00-20:00 (America/Chicago)",
    );
    const ok = await h.control.agentSessions.dispose(h.a1, {
      callId: call.callId,
      code: 'CB',
      callbackAtMs: at('10:30'),
    });
    expect(ok.state).toBe('READY');
  });
});

function utcYmd(ms: number): [number, number, number] {
  const d = new Date(ms);
  return [d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()];
}
