import type pg from 'pg';
import {
  beginBulkLoad,
  dropSecondaryIndexes,
  generatedData,
  recordGenerated,
} from '../common/generated.js';

/**
 * Set-based generation of the reports benchmark data in its own database: 10 campaigns of 4
 * lists, 300 agents (30 per campaign) in 10 teams, N call_log rows and M agent_log rows spread
 * over the 90 days before BENCH_END, 12 working hours a day (13:00-01:00 UTC). Call outcomes:
 * 30% no answer, 10% busy/congestion/invalid, 25% machine, 35% live answers of which 2% are
 * dropped; handled calls get an agent, talk 30-300 s, wrap-up 5-60 s and a disposition.
 *
 * Secondary indexes and the rollup triggers are off during the load; indexes are rebuilt from
 * the definitions the migrations created and the rollups by report_rollups_rebuild(), so the
 * schema and the rollups end up exactly as if every row had been written one by one.
 */

/** End of the generated period (exclusive); the benchmark's 30-day range ends here. */
export const BENCH_END = new Date('2026-02-01T00:00:00Z');
export const BENCH_DAYS = 90;
export const CAMPAIGNS = 10;
export const LISTS_PER_CAMPAIGN = 4;
export const AGENTS_PER_CAMPAIGN = 30;

export interface BenchData {
  calls: number;
  agentLogs: number;
  /** A campaign id, a lead id with history, as decimal strings. */
  campaignId: string;
  leadId: string;
}

/** The data set already generated in this database, if its sizes match. */
export async function existing(
  pool: pg.Pool,
  calls: number,
  agentLogs: number,
): Promise<BenchData | null> {
  const v = await generatedData<BenchData>(pool, 'reports');
  return v && v.calls === calls && v.agentLogs === agentLogs ? v : null;
}

export async function generate(
  pool: pg.Pool,
  calls: number,
  agentLogs: number,
  log: (msg: string) => void,
): Promise<BenchData> {
  const client = await pool.connect();
  const timed = async (label: string, sql: string, params: unknown[] = []) => {
    const t0 = Date.now();
    await client.query(sql, params);
    log(`${label} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  };
  try {
    await beginBulkLoad(client, 'reports', '512MB', 1);
    await client.query(
      `TRUNCATE call_log, agent_log, lead_log, callbacks, leads, lists, campaigns, users, teams,
                dispositions, pause_codes RESTART IDENTITY CASCADE`,
    );
    await client.query(
      `INSERT INTO teams (name) SELECT 'team ' || g FROM generate_series(1, $1::int) g`,
      [CAMPAIGNS],
    );
    await client.query(
      `INSERT INTO campaigns (name, active) SELECT 'campaign ' || g, true
         FROM generate_series(1, $1::int) g`,
      [CAMPAIGNS],
    );
    await client.query(
      `INSERT INTO lists (campaign_id, name)
       SELECT c, 'list ' || c || '.' || l FROM generate_series(1, $1::int) c,
              generate_series(1, $2::int) l ORDER BY c, l`,
      [CAMPAIGNS, LISTS_PER_CAMPAIGN],
    );
    // Agent ids 1..300: campaign c owns agents (c-1)*30+1 .. c*30, all in team c.
    await client.query(
      `INSERT INTO users (username, display_name, role, password_hash, team_id)
       SELECT 'agent' || g, 'Agent ' || g, 'agent', 'x', 1 + (g - 1) / $2::int
         FROM generate_series(1, $1::int * $2::int) g ORDER BY g`,
      [CAMPAIGNS, AGENTS_PER_CAMPAIGN],
    );
    await client.query(
      `INSERT INTO dispositions (code, name, sale, callback, dnc, final) VALUES
         ('SALE', 'Sale', true, false, false, true), ('NI', 'Not interested', false, false, false, true),
         ('CB', 'Call back', false, true, false, false), ('DNC', 'Do not call', false, false, true, true),
         ('NA', 'No answer', false, false, false, false)`,
    );
    await client.query(
      `INSERT INTO pause_codes (code, name) VALUES ('BREAK', 'Break'), ('LUNCH', 'Lunch'),
         ('TRAIN', 'Training')`,
    );

    await client.query(`ALTER TABLE call_log DISABLE TRIGGER USER`);
    await client.query(`ALTER TABLE agent_log DISABLE TRIGGER USER`);
    const callIdx = await dropSecondaryIndexes(client, 'call_log');
    const agentIdx = await dropSecondaryIndexes(client, 'agent_log');
    // call_handoffs (0004) references call_log's key: off with it while the rows load.
    await client.query(`ALTER TABLE call_handoffs DROP CONSTRAINT call_handoffs_call_id_fkey`);
    await client.query(`ALTER TABLE call_log DROP CONSTRAINT call_log_pkey`);

    const start = new Date(BENCH_END.getTime() - BENCH_DAYS * 86_400_000);
    const chunk = 1_000_000;
    for (let from = 0; from < calls; from += chunk) {
      const to = Math.min(calls, from + chunk) - 1;
      // t: the call's day from g, its second inside the 12-hour day from a hash of g.
      // r: the outcome bucket (per mille); c, l, a: campaign, list, agent.
      await timed(
        `call_log ${to + 1}/${calls}`,
        `INSERT INTO call_log (id, campaign_id, list_id, lead_id, phone, attempt, server_id,
                               channel_id, agent_id, originated_at, ringing_at, answered_at,
                               amd_at, amd_result, agent_connected_at, dropped, drop_wait_ms,
                               safe_harbor_at, ended_at, outcome, hangup_cause, disposition,
                               disposed_at)
         SELECT 'b' || g, c, (c - 1) * ${LISTS_PER_CAMPAIGN} + 1 + l, 1 + g % 2000000,
                '+1' || (2000000000 + g % 2000000)::text, 1 + g % 3, 'bench', 'b' || g,
                CASE WHEN r >= 657 THEN a END, t, t + interval '2 s',
                CASE WHEN r >= 400 THEN t + ring END,
                CASE WHEN r >= 400 THEN t + ring + interval '2 s' END,
                CASE WHEN r >= 650 THEN 'HUMAN' WHEN r >= 400 THEN 'MACHINE' END,
                CASE WHEN r >= 657 THEN t + ring + interval '2 s' + wait END,
                r BETWEEN 650 AND 656,
                CASE WHEN r BETWEEN 650 AND 656 THEN 2000 END,
                CASE WHEN r BETWEEN 650 AND 656 THEN t + ring + interval '4 s' END,
                CASE WHEN r >= 657 THEN t + ring + interval '2 s' + wait + talk
                     WHEN r >= 650 THEN t + ring + interval '8 s'
                     WHEN r >= 400 THEN t + ring + interval '4 s'
                     ELSE t + interval '25 s' END,
                CASE WHEN r >= 657 THEN 'HUMAN' WHEN r >= 650 THEN 'DROPPED'
                     WHEN r >= 400 THEN 'MACHINE' WHEN r >= 380 THEN 'CONGESTION'
                     WHEN r >= 300 THEN 'BUSY' ELSE 'NO_ANSWER' END,
                16,
                CASE WHEN r >= 657 THEN (ARRAY['SALE','NI','NI','CB','DNC','NA'])[1 + abs(hashint8(g * 3 + 1)) % 6] END,
                CASE WHEN r >= 657 THEN t + ring + interval '2 s' + wait + talk + wrap END
           FROM generate_series($1::bigint, $2::bigint) g,
                LATERAL (SELECT 1 + (g % ${CAMPAIGNS})::int AS c,
                                ((g / ${CAMPAIGNS}) % ${LISTS_PER_CAMPAIGN})::int AS l,
                                ((g * 104729) % 1000)::int AS r,
                                $3::timestamptz + make_interval(days => (g * ${BENCH_DAYS} / $4::bigint)::int,
                                  hours => 13, secs => ((g * 7919) % 43200)::int) AS t,
                                make_interval(secs => 5 + (g % 20)::int) AS ring,
                                make_interval(secs => ((g * 13) % 1500) / 1000.0) AS wait,
                                make_interval(secs => 30 + (g * 17) % 270) AS talk,
                                make_interval(secs => 5 + (g * 7) % 55) AS wrap) x,
                LATERAL (SELECT ((x.c - 1) * ${AGENTS_PER_CAMPAIGN} + 1
                                 + abs(hashint8(g)) % ${AGENTS_PER_CAMPAIGN})::bigint AS a) y`,
        [from, to, start, calls],
      );
    }

    // Each agent's intervals follow each other: interval k of agent a starts at a fixed step
    // inside the working day. s: state bucket (per cent). hashint8 (PostgreSQL's own integer
    // hash) decorrelates the picks from g's residues, which would otherwise pin one agent to
    // one state or one disposition.
    const perAgent = Math.ceil(agentLogs / (CAMPAIGNS * AGENTS_PER_CAMPAIGN));
    const stepS = Math.floor((BENCH_DAYS * 43_200) / perAgent);
    for (let from = 0; from < agentLogs; from += chunk * 2) {
      const to = Math.min(agentLogs, from + chunk * 2) - 1;
      await timed(
        `agent_log ${to + 1}/${agentLogs}`,
        `INSERT INTO agent_log (agent_id, campaign_id, state, pause_code, reason, started_at,
                                ended_at, duration_ms)
         SELECT a, 1 + (a - 1) / ${AGENTS_PER_CAMPAIGN},
                CASE WHEN s < 35 THEN 'READY' WHEN s < 65 THEN 'INCALL' WHEN s < 85 THEN 'WRAPUP'
                     WHEN s < 93 THEN 'PAUSED' WHEN s < 95 THEN 'DEAD' ELSE 'RESERVED' END,
                CASE WHEN s BETWEEN 85 AND 92 THEN (ARRAY['BREAK','LUNCH','TRAIN'])[1 + s % 3] END,
                '', st, st + make_interval(secs => d / 1000.0), d
           FROM generate_series($1::bigint, $2::bigint) g,
                LATERAL (SELECT (1 + g % ${CAMPAIGNS * AGENTS_PER_CAMPAIGN})::bigint AS a,
                                g / ${CAMPAIGNS * AGENTS_PER_CAMPAIGN} AS k,
                                abs(hashint8(g)) % 100 AS s) x,
                LATERAL (SELECT $3::timestamptz
                                + make_interval(days => (k * ${stepS} / 43200)::int, hours => 13,
                                                secs => ((k * ${stepS}) % 43200)::int) AS st,
                                (1000 * (1 + (g * 7919) % ${stepS - 1}))::bigint AS d) y`,
        [from, to, start],
      );
    }

    await timed('call_log primary key', `ALTER TABLE call_log ADD PRIMARY KEY (id)`);
    await client.query(
      `ALTER TABLE call_handoffs ADD CONSTRAINT call_handoffs_call_id_fkey
         FOREIGN KEY (call_id) REFERENCES call_log(id)`,
    );
    for (const i of [...callIdx, ...agentIdx]) await timed(`index ${i.name}`, i.def);
    await timed('rollups', `SELECT report_rollups_rebuild()`);
    await client.query(`ALTER TABLE call_log ENABLE TRIGGER USER`);
    await client.query(`ALTER TABLE agent_log ENABLE TRIGGER USER`);

    // A lead with history: a few callbacks and lead_log rows on the lead of call b0.
    await client.query(
      `INSERT INTO leads (list_id, phone, tz_key) VALUES (1, '+12000000000', '') RETURNING id`,
    );
    await client.query(
      `INSERT INTO callbacks (lead_id, campaign_id, agent_id, due_at, time_zone, status)
       VALUES (1, 1, 1, $1, 'America/New_York', 'DONE')`,
      [start],
    );
    await client.query(
      `INSERT INTO lead_log (lead_id, at, kind, call_id, detail)
       SELECT lead_id, originated_at, 'dialed', id, '{}' FROM call_log WHERE lead_id = 1`,
    );
    for (const t of ['call_log', 'agent_log', 'lead_log', 'callbacks']) {
      await timed(`analyze ${t}`, `VACUUM (ANALYZE) ${t}`);
    }
    for (const t of ['report_call_hourly', 'report_agent_call_daily', 'report_agent_state_daily']) {
      await client.query(`VACUUM (ANALYZE) ${t}`);
    }
    const data: BenchData = { calls, agentLogs, campaignId: '1', leadId: '1' };
    await recordGenerated(client, 'reports', data);
    return data;
  } finally {
    client.release();
  }
}
