import { describe, expect, it } from 'vitest';
import type { OutboundGroupBy, OutboundRow } from '@ringside/protocol';
import type { ReportRange } from '../../src/ports/reports.js';
import { db, G, GEN_DAYS, ids, repo, useReportsDb } from './fixture.js';

/**
 * Report queries against the real PostgreSQL on generated logs (campaigns g1, g2): every report
 * must equal a reference computed here in TypeScript from the raw rows, for hour-aligned and
 * unaligned ranges, after updates and a delete went through the rollup triggers.
 */

useReportsDb();

interface RawCall {
  id: string;
  campaign_id: string;
  list_id: string;
  agent_id: string | null;
  originated_at: Date;
  answered_at: Date | null;
  agent_connected_at: Date | null;
  ended_at: Date | null;
  outcome: string | null;
  disposition: string | null;
  disposed_at: Date | null;
  est_abandoned: string;
  est_answers: string;
}

async function rawCalls(): Promise<RawCall[]> {
  const r = await db.pool.query<RawCall>(
    `SELECT id, campaign_id::text AS campaign_id, list_id::text AS list_id, agent_id::text AS agent_id,
            originated_at, answered_at, agent_connected_at, ended_at, outcome, disposition, disposed_at,
            est_abandoned::text AS est_abandoned, est_answers::text AS est_answers
       FROM call_log`,
  );
  return r.rows;
}

function referenceOutbound(
  calls: RawCall[],
  f: ReportRange,
  groupBy: OutboundGroupBy,
): OutboundRow[] {
  const groups = new Map<string, OutboundRow & { wait: number }>();
  for (const c of calls) {
    const at = c.originated_at.getTime();
    if (at < f.fromMs || at >= f.toMs) continue;
    if (f.campaignId && c.campaign_id !== f.campaignId) continue;
    if (f.listId && c.list_id !== f.listId) continue;
    const hour = Math.floor(at / 3_600_000) * 3_600_000;
    const key =
      groupBy === 'hour'
        ? String(hour)
        : groupBy === 'campaign'
          ? c.campaign_id
          : `${c.campaign_id}/${c.list_id}`;
    let g = groups.get(key);
    if (!g) {
      g = {
        hourAtMs: groupBy === 'hour' ? hour : null,
        campaignId: groupBy === 'hour' ? null : c.campaign_id,
        listId: groupBy === 'list' ? c.list_id : null,
        dials: 0,
        answers: 0,
        humanAnswers: 0,
        machines: 0,
        drops: 0,
        dropPct: null,
        connected: 0,
        asaMs: null,
        wait: 0,
      };
      groups.set(key, g);
    }
    g.dials++;
    if (c.answered_at) g.answers++;
    if (c.outcome === 'HUMAN' || c.outcome === 'DROPPED') g.humanAnswers++;
    if (c.outcome === 'MACHINE') g.machines++;
    if (c.outcome === 'DROPPED') g.drops++;
    if (c.agent_connected_at) {
      g.connected++;
      if (c.answered_at) g.wait += c.agent_connected_at.getTime() - c.answered_at.getTime();
    }
  }
  return [...groups.values()].map(({ wait, ...g }) => ({
    ...g,
    dropPct: g.humanAnswers ? (100 * g.drops) / g.humanAnswers : null,
    asaMs: g.connected ? Math.round(wait / g.connected) : null,
  }));
}

const sortRows = (rows: OutboundRow[]) =>
  [...rows].sort(
    (a, b) =>
      (a.hourAtMs ?? 0) - (b.hourAtMs ?? 0) ||
      Number(a.campaignId ?? 0) - Number(b.campaignId ?? 0) ||
      Number(a.listId ?? 0) - Number(b.listId ?? 0),
  );

/** Ranges over the generated days: day-aligned, hour-aligned, and cut mid-hour at both ends. */
const RANGES: [string, ReportRange][] = [
  ['day-aligned', { fromMs: G, toMs: G + GEN_DAYS * 86_400_000 }],
  ['hour-aligned', { fromMs: G + 5 * 3_600_000, toMs: G + 50 * 3_600_000 }],
  ['unaligned', { fromMs: G + 5 * 3_600_000 + 1_234_567, toMs: G + 49 * 3_600_000 + 98_765 }],
  [
    'inside one hour',
    { fromMs: G + 30 * 3_600_000 + 60_000, toMs: G + 30 * 3_600_000 + 1_800_000 },
  ],
];

describe('reports on generated logs equal a reference computed from the raw rows', () => {
  it.each(RANGES)('outbound by hour, list and campaign (%s range)', async (_name, range) => {
    const calls = await rawCalls();
    for (const groupBy of ['hour', 'list', 'campaign'] as const) {
      for (const f of [
        range,
        { ...range, campaignId: ids.g2 },
        { ...range, listId: calls[0]?.list_id },
      ]) {
        const got = await repo.outbound(f, groupBy);
        const want = referenceOutbound(calls, f, groupBy).filter((r) => r.dials > 0);
        expect(sortRows(got).map(round)).toEqual(sortRows(want).map(round));
      }
    }
  });

  it.each(RANGES)(
    'agent performance with campaign and team filters (%s range)',
    async (_n, range) => {
      const calls = await rawCalls();
      const flags: Record<string, { sale: boolean; callback: boolean }> = {
        SALE: { sale: true, callback: false },
        CB: { sale: false, callback: true },
      };
      for (const f of [range, { ...range, campaignId: ids.g2 }, { ...range, teamId: ids.teamA }]) {
        const want = new Map<
          string,
          { calls: number; talk: number; wrap: number; sales: number; cbs: number; und: number }
        >();
        for (const c of calls) {
          const at = c.originated_at.getTime();
          if (at < f.fromMs || at >= f.toMs || !c.agent_id || !c.agent_connected_at) continue;
          if (!c.id.startsWith('g')) continue;
          if (f.campaignId && c.campaign_id !== f.campaignId) continue;
          if (f.teamId && ids.agents.indexOf(c.agent_id) >= 2) continue;
          const a = want.get(c.agent_id) ?? {
            calls: 0,
            talk: 0,
            wrap: 0,
            sales: 0,
            cbs: 0,
            und: 0,
          };
          a.calls++;
          if (c.ended_at) a.talk += c.ended_at.getTime() - c.agent_connected_at.getTime();
          if (c.ended_at && c.disposed_at) a.wrap += c.disposed_at.getTime() - c.ended_at.getTime();
          const fl = c.disposition ? flags[c.disposition] : undefined;
          // g2 overrides CB with a code that is not a callback.
          if (fl?.sale) a.sales++;
          if (fl?.callback && c.campaign_id !== ids.g2) a.cbs++;
          if (!c.disposition || c.disposition === 'GONE') a.und++;
          want.set(c.agent_id, a);
        }
        const got = await repo.agentPerformance(f);
        const gotMap = Object.fromEntries(
          got.map((r) => [
            r.agentId,
            {
              calls: r.calls,
              talk: r.talkMs,
              wrap: r.wrapMs,
              sales: r.sales,
              cbs: r.callbacks,
              und: r.undisposed,
            },
          ]),
        );
        // The hand fixture is outside every generated range, so nothing of it may show up.
        expect(gotMap).toEqual(Object.fromEntries(want));
      }
    },
  );

  it.each(RANGES)(
    'agent time with campaign, team and agent filters (%s range)',
    async (_n, range) => {
      const r = await db.pool.query<{
        agent_id: string;
        campaign_id: string | null;
        state: string;
        pause_code: string | null;
        started_at: Date;
        duration_ms: string;
      }>(`SELECT agent_id::text AS agent_id, campaign_id::text AS campaign_id, state, pause_code,
               started_at, duration_ms FROM agent_log`);
      const agent1 = ids.agents[1] ?? '';
      for (const f of [
        range,
        { ...range, campaignId: ids.g1 },
        { ...range, teamId: ids.teamA },
        { ...range, agentId: agent1 },
      ]) {
        const want: Record<string, { login: number; talk: number; pause: Record<string, number> }> =
          {};
        for (const x of r.rows) {
          const at = x.started_at.getTime();
          if (at < f.fromMs || at >= f.toMs || x.state === 'LOGGED_OUT') continue;
          if (f.campaignId && x.campaign_id !== f.campaignId) continue;
          if (f.teamId && ids.agents.indexOf(x.agent_id) >= 2) continue;
          if (f.agentId && x.agent_id !== f.agentId) continue;
          const a = (want[x.agent_id] ??= { login: 0, talk: 0, pause: {} });
          const d = Number(x.duration_ms);
          a.login += d;
          if (x.state === 'INCALL') a.talk += d;
          if (x.state === 'PAUSED')
            a.pause[x.pause_code ?? ''] = (a.pause[x.pause_code ?? ''] ?? 0) + d;
        }
        const got = await repo.agentTime(f);
        expect(
          Object.fromEntries(
            got.map((g) => [
              g.agentId,
              { login: g.loginMs, talk: g.talkMs, pause: g.pauseByCodeMs },
            ]),
          ),
        ).toEqual(want);
      }
    },
  );

  it('compliance totals and drops per campaign equal the raw human answers by answer instant', async () => {
    const calls = await rawCalls();
    const from = G + 3_600_000;
    const to = G + GEN_DAYS * 86_400_000;
    const got = await repo.complianceTotals(from, to);
    for (const c of [ids.g1, ids.g2]) {
      const mine = calls.filter(
        (x) =>
          x.campaign_id === c &&
          x.answered_at !== null &&
          x.answered_at.getTime() >= from &&
          x.answered_at.getTime() < to,
      );
      const humans = mine.filter((x) => x.outcome === 'HUMAN' || x.outcome === 'DROPPED').length;
      const drops = mine.filter((x) => x.outcome === 'DROPPED');
      const mineC = got.find((g) => g.campaignId === c);
      expect(mineC).toMatchObject({ humanAnswers: humans, drops: drops.length });
      // The AMD estimates (0102): whole days from the rollup, the first partial day raw.
      const est = mine.reduce((a, x) => a + Number(x.est_abandoned), 0);
      const estAnswers = mine.reduce((a, x) => a + Number(x.est_answers), 0);
      expect(est).toBeGreaterThan(0);
      expect(mineC?.estimatedDrops).toBeCloseTo(est, 9);
      expect(mineC?.estimatedAnswers).toBeCloseTo(estAnswers, 9);
      expect(mineC?.dropPctWithEstimates).toBeCloseTo(
        (100 * (drops.length + est)) / (humans + est + estAnswers),
        9,
      );
      const listed = await repo.complianceDrops(from, to, { campaignId: c, limit: 10_000 });
      expect(listed.map((d) => d.callId).sort()).toEqual(drops.map((d) => d.id).sort());
    }
    // Every campaign is listed, even one without answers in the window.
    expect(got.map((g) => g.campaignName).sort()).toEqual(['g1', 'g2', 'hand']);
  });

  it('pages the drop list with a keyset that neither skips nor repeats a drop', async () => {
    const from = G;
    const to = G + GEN_DAYS * 86_400_000;
    const all = await repo.complianceDrops(from, to, { limit: 10_000 });
    expect(all.length).toBeGreaterThan(5);
    const paged: string[] = [];
    let after: { atMs: number; callId: string } | undefined;
    for (;;) {
      const page = await repo.complianceDrops(from, to, { limit: 4, ...(after ? { after } : {}) });
      paged.push(...page.map((d) => d.callId));
      const last = page.at(-1);
      if (page.length < 4 || !last) break;
      after = { atMs: last.answeredAtMs, callId: last.callId };
    }
    expect(paged).toEqual(all.map((d) => d.callId));
  });

  it('the trigger-maintained rollups equal a rebuild from the raw logs', async () => {
    const snapshot = async () => {
      const out: Record<string, unknown[]> = {};
      for (const [table, key] of [
        ['report_call_hourly', 'hour, campaign_id, list_id, shard'],
        ['report_agent_call_daily', 'day, agent_id, campaign_id, disposition'],
        ['report_agent_state_daily', 'day, agent_id, campaign_id, state, pause_code'],
        ['report_answer_daily', 'campaign_id, day, shard'],
      ] as const) {
        // Rows the triggers brought back to all zeros are equivalent to absent rows.
        const r = await db.pool.query(
          `SELECT * FROM ${table} WHERE to_jsonb(${table}.*) - '{hour,day,campaign_id,list_id,shard,agent_id,disposition,state,pause_code}'::text[]
             <> (SELECT jsonb_object_agg(k, 0) FROM jsonb_object_keys(to_jsonb(${table}.*) - '{hour,day,campaign_id,list_id,shard,agent_id,disposition,state,pause_code}'::text[]) k)
           ORDER BY ${key}`,
        );
        out[table] = r.rows;
      }
      return out;
    };
    const before = await snapshot();
    await db.pool.query('SELECT report_rollups_rebuild()');
    expect(await snapshot()).toEqual(before);
    expect(before.report_call_hourly?.length).toBeGreaterThan(10);
  });
});

/** Percentages compared to 9 decimals (float sums in a different order). */
function round(r: OutboundRow): OutboundRow {
  return { ...r, dropPct: r.dropPct === null ? null : Math.round(r.dropPct * 1e9) / 1e9 };
}
