import type {
  ComplianceCampaign,
  ComplianceDrop,
  OutboundGroupBy,
  OutboundRow,
} from '@ringside/protocol';
import { asaMs, dropRatePct } from '../../../domain/kpi/index.js';
import type { ComplianceDropsPage, ReportRange } from '../../../ports/reports.js';
import { DAY_MS, HOUR_MS, splitRange } from './range.js';
import { andEquals, ms, num, Params, rawEdges, ts, type RunQuery } from './sql.js';

/** Call reports: outbound calling and drop-rate compliance (call_log and its rollups). */

/** Outbound calling: dials, answers, humans, machines, drops, by hour, list or campaign. */
export async function outbound(
  run: RunQuery,
  f: ReportRange,
  groupBy: OutboundGroupBy,
): Promise<OutboundRow[]> {
  const s = splitRange(f.fromMs, f.toMs, HOUR_MS);
  const p = new Params();
  const where = () =>
    andEquals(p, [
      ['campaign_id', f.campaignId],
      ['list_id', f.listId],
    ]);
  const key =
    groupBy === 'hour'
      ? { select: 'hour, NULL::bigint AS campaign_id, NULL::bigint AS list_id', by: 'hour' }
      : groupBy === 'campaign'
        ? {
            select: 'NULL::timestamptz AS hour, campaign_id, NULL::bigint AS list_id',
            by: 'campaign_id',
          }
        : {
            select: 'NULL::timestamptz AS hour, campaign_id, list_id',
            by: 'campaign_id, list_id',
          };
  const sql = `
    WITH src AS (
      SELECT hour, campaign_id, list_id, dials, answers, humans, machines, drops, connected,
             answer_wait_ms
        FROM report_call_hourly
       WHERE hour >= ${p.add(ts(s.rollupFromMs))} AND hour < ${p.add(ts(s.rollupToMs))} ${where()}
      UNION ALL
      SELECT date_trunc('hour', originated_at, 'UTC'), campaign_id, list_id, 1,
             (answered_at IS NOT NULL)::int, coalesce(outcome IN ('HUMAN', 'DROPPED'), false)::int,
             coalesce(outcome = 'MACHINE', false)::int, coalesce(outcome = 'DROPPED', false)::int,
             (agent_connected_at IS NOT NULL)::int,
             CASE WHEN agent_connected_at IS NOT NULL AND answered_at IS NOT NULL
                  THEN round(extract(epoch FROM agent_connected_at - answered_at) * 1000)::bigint
                  ELSE 0 END
        FROM call_log
       WHERE ${rawEdges(p, 'originated_at', s)} ${where()}
    )
    SELECT ${key.select}, sum(dials)::bigint AS dials, sum(answers)::bigint AS answers,
           sum(humans)::bigint AS humans, sum(machines)::bigint AS machines,
           sum(drops)::bigint AS drops, sum(connected)::bigint AS connected,
           sum(answer_wait_ms)::bigint AS answer_wait_ms
      FROM src GROUP BY ${key.by} HAVING sum(dials) <> 0 ORDER BY ${key.by}`;
  const r = await run<{
    hour: Date | null;
    campaign_id: string | null;
    list_id: string | null;
    dials: string;
    answers: string;
    humans: string;
    machines: string;
    drops: string;
    connected: string;
    answer_wait_ms: string;
  }>(sql, p.values);
  return r.rows.map((row) => {
    const humans = num(row.humans);
    const drops = num(row.drops);
    const connected = num(row.connected);
    return {
      hourAtMs: ms(row.hour),
      campaignId: row.campaign_id,
      listId: row.list_id,
      dials: num(row.dials),
      answers: num(row.answers),
      humanAnswers: humans,
      machines: num(row.machines),
      drops,
      dropPct: dropRatePct({ drops, humanAnswers: humans }),
      connected,
      asaMs: asaMs({ answerWaitMs: num(row.answer_wait_ms), connectedCalls: connected }),
    };
  });
}

/**
 * Drop-rate compliance per campaign over [fromMs, toMs), counted by answer instant: human
 * answers (HUMAN and DROPPED outcomes) and drops, in total and per UTC day. Whole days come
 * from report_answer_daily, the partial days at the edges from call_log.
 */
export async function complianceTotals(
  run: RunQuery,

  fromMs: number,
  toMs: number,
  campaignId?: string,
): Promise<ComplianceCampaign[]> {
  const s = splitRange(fromMs, toMs, DAY_MS);
  const p = new Params();
  const sql = `
    SELECT c.id::text AS id, c.name, c.drop_rate_cap_pct::text AS cap, x.day, x.humans, x.drops,
           x.est_drops::text AS est_drops, x.est_answers::text AS est_answers
      FROM campaigns c
      LEFT JOIN LATERAL (
        SELECT day, sum(humans)::bigint AS humans, sum(drops)::bigint AS drops,
               sum(est_drops) AS est_drops, sum(est_answers) AS est_answers FROM (
          SELECT day, humans, drops, est_drops, est_answers FROM report_answer_daily
           WHERE campaign_id = c.id
             AND day >= ${p.add(ts(s.rollupFromMs))} AND day < ${p.add(ts(s.rollupToMs))}
          UNION ALL
          SELECT date_trunc('day', answered_at, 'UTC'), 1, (outcome = 'DROPPED')::int, 0, 0
            FROM call_log
           WHERE campaign_id = c.id AND outcome IN ('HUMAN', 'DROPPED')
             AND ${rawEdges(p, 'answered_at', s)}
          UNION ALL
          SELECT date_trunc('day', answered_at, 'UTC'), 0, 0, est_abandoned, est_answers
            FROM call_log
           WHERE campaign_id = c.id AND (est_abandoned > 0 OR est_answers > 0)
             AND ${rawEdges(p, 'answered_at', s)}
        ) u GROUP BY day
        HAVING sum(humans) <> 0 OR sum(est_drops) <> 0 OR sum(est_answers) <> 0) x ON true
     ${campaignId !== undefined ? `WHERE c.id = ${p.add(campaignId)}` : ''}
     ORDER BY c.id, x.day`;
  const r = await run<{
    id: string;
    name: string;
    cap: string;
    day: Date | null;
    humans: string | null;
    drops: string | null;
    est_drops: string | null;
    est_answers: string | null;
  }>(sql, p.values);
  const byCampaign = new Map<string, ComplianceCampaign>();
  for (const row of r.rows) {
    let c = byCampaign.get(row.id);
    if (!c) {
      c = {
        campaignId: row.id,
        campaignName: row.name,
        capPct: Number(row.cap),
        humanAnswers: 0,
        drops: 0,
        dropPct: null,
        estimatedDrops: 0,
        estimatedAnswers: 0,
        dropPctWithEstimates: null,
        overCap: false,
        days: [],
      };
      byCampaign.set(row.id, c);
    }
    if (row.day === null) continue;
    const humans = num(row.humans);
    const drops = num(row.drops);
    const estimatedDrops = Number(row.est_drops ?? 0);
    c.humanAnswers += humans;
    c.drops += drops;
    c.estimatedDrops += estimatedDrops;
    c.estimatedAnswers += Number(row.est_answers ?? 0);
    c.days.push({ dayAtMs: row.day.getTime(), humanAnswers: humans, drops, estimatedDrops });
  }
  const out = [...byCampaign.values()];
  for (const c of out) {
    c.dropPct = dropRatePct({ drops: c.drops, humanAnswers: c.humanAnswers });
    // As the dialer's ledger counts them (domain/pacing/ledger.ts ledgerWithEstimates).
    c.dropPctWithEstimates = dropRatePct({
      drops: c.drops + c.estimatedDrops,
      humanAnswers: c.humanAnswers + c.estimatedDrops + c.estimatedAnswers,
    });
    c.overCap = c.dropPctWithEstimates !== null && c.dropPctWithEstimates > c.capPct;
  }
  return out;
}

/**
 * One page of the drops in [fromMs, toMs), by answer instant then call id, after the key
 * `after` (keyset paging, so an auditor's export of any size streams in constant memory).
 */
export async function complianceDrops(
  run: RunQuery,

  fromMs: number,
  toMs: number,
  opts: ComplianceDropsPage,
): Promise<ComplianceDrop[]> {
  const p = new Params();
  const conds = [
    `campaign_id = c.id`,
    `answered_at >= ${p.add(ts(fromMs))}`,
    `answered_at < ${p.add(ts(toMs))}`,
    `outcome = 'DROPPED'`,
  ];
  if (opts.after) {
    conds.push(`(answered_at, id) > (${p.add(ts(opts.after.atMs))}, ${p.add(opts.after.callId)})`);
  }
  const campaignWhere =
    opts.campaignId !== undefined ? `WHERE c.id = ${p.add(opts.campaignId)}` : '';
  const limit = p.add(opts.limit);
  const r = await run<{
    id: string;
    campaign_id: string;
    list_id: string;
    lead_id: string;
    answered_at: Date;
    drop_wait_ms: number | null;
    safe_harbor_at: Date | null;
    ended_at: Date | null;
  }>(
    `SELECT x.* FROM campaigns c
       CROSS JOIN LATERAL (
         SELECT id, campaign_id::text AS campaign_id, list_id::text AS list_id,
                lead_id::text AS lead_id, answered_at, drop_wait_ms, safe_harbor_at, ended_at
           FROM call_log WHERE ${conds.join(' AND ')}
          ORDER BY answered_at, id LIMIT ${limit}) x
      ${campaignWhere}
      ORDER BY x.answered_at, x.id LIMIT ${limit}`,
    p.values,
  );
  return r.rows.map((row) => ({
    callId: row.id,
    campaignId: row.campaign_id,
    listId: row.list_id,
    leadId: row.lead_id,
    answeredAtMs: row.answered_at.getTime(),
    dropWaitMs: row.drop_wait_ms,
    safeHarborAtMs: ms(row.safe_harbor_at),
    endedAtMs: ms(row.ended_at),
  }));
}
