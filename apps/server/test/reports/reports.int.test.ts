import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboundGroupBy, OutboundRow } from '@ringside/protocol';
import { CallLogRepository } from '../../src/adapters/postgres/call-log.js';
import { ReportsRepository } from '../../src/adapters/postgres/reports/reports-repository.js';
import type { ReportRange } from '../../src/ports/reports.js';
import { seededRng, type Rng } from '../../src/ports/clock.js';
import { createTestDb, type TestDb } from '../helpers/db.js';

/**
 * Report queries against the real PostgreSQL: a hand-computed fixture (campaign "hand"), and
 * generated logs (campaigns g1, g2) whose every report must equal a reference computed here in
 * TypeScript from the raw rows, for hour-aligned and unaligned ranges, after updates and a
 * delete went through the rollup triggers.
 */

const H = Date.UTC(2026, 2, 1); // 2026-03-01T00:00Z, the hand fixture's day
const G = Date.UTC(2026, 3, 1); // 2026-04-01T00:00Z, start of the generated logs
const GEN_DAYS = 3;
const S = 1_000;

let db: TestDb;
let repo: ReportsRepository;
const ids = {
  hand: '',
  handList: '',
  handLead: '',
  handAgent: '',
  g1: '',
  g2: '',
  teamA: '',
  agents: [] as string[],
};

async function one<T>(sql: string, params: unknown[] = []): Promise<T> {
  const r = await db.pool.query<Record<string, T>>(sql, params);
  const row = r.rows[0];
  if (!row) throw new Error(`no row: ${sql}`);
  return Object.values(row)[0] as T;
}

beforeAll(async () => {
  db = await createTestDb('reports');
  repo = new ReportsRepository(db.pool);
  ids.teamA = await one<string>(`INSERT INTO teams (name) VALUES ('A') RETURNING id::text`);
  const teamB = await one<string>(`INSERT INTO teams (name) VALUES ('B') RETURNING id::text`);
  for (let i = 0; i < 4; i++) {
    ids.agents.push(
      await one<string>(
        `INSERT INTO users (username, display_name, role, password_hash, team_id)
         VALUES ($1, $2, 'agent', 'x', $3) RETURNING id::text`,
        [`agent${i}`, `Agent ${i}`, i < 2 ? ids.teamA : teamB],
      ),
    );
  }
  ids.handAgent = ids.agents[0] ?? '';
  ids.hand = await one<string>(`INSERT INTO campaigns (name) VALUES ('hand') RETURNING id::text`);
  ids.g1 = await one<string>(`INSERT INTO campaigns (name) VALUES ('g1') RETURNING id::text`);
  ids.g2 = await one<string>(`INSERT INTO campaigns (name) VALUES ('g2') RETURNING id::text`);
  ids.handList = await one<string>(
    `INSERT INTO lists (campaign_id, name) VALUES ($1, 'h') RETURNING id::text`,
    [ids.hand],
  );
  ids.handLead = await one<string>(
    `INSERT INTO leads (list_id, phone) VALUES ($1, '+12025550100') RETURNING id::text`,
    [ids.handList],
  );
  // System-wide dispositions, and g2's own CB which is not a callback (overrides the system one).
  await db.pool.query(
    `INSERT INTO dispositions (campaign_id, code, name, sale, callback, dnc, final) VALUES
       (NULL, 'SALE', 'Sale', true, false, false, true), (NULL, 'NI', 'No', false, false, false, true),
       (NULL, 'CB', 'Callback', false, true, false, false), (NULL, 'DNC', 'DNC', false, false, true, true),
       ($1, 'CB', 'Call back later', false, false, false, false)`,
    [ids.g2],
  );
  await seedHand();
  await seedGenerated(seededRng(42));
}, 60_000);

afterAll(async () => {
  await db?.drop();
});

// ---------------------------------------------------------------------------------------------
// The hand-computed fixture

async function seedHand(): Promise<void> {
  const calls = new CallLogRepository(db.pool);
  const base = {
    campaignId: ids.hand,
    listId: ids.handList,
    leadId: ids.handLead,
    phone: '+12025550100',
    attempt: 1,
    manual: false,
    serverId: 's1',
    agentId: null,
  };
  const t = H + 10 * 3_600_000; // 10:00
  const start = (n: string, at: number) =>
    calls.start({ ...base, callId: n, channelId: n, originatedAtMs: at });
  // c1: human, agent after 1.0 s, talk 120 s, wrap-up 30 s, SALE.
  await start('h1', t);
  await calls.step('h1', { kind: 'answered', atMs: t + 10 * S });
  await calls.step('h1', { kind: 'bridged', atMs: t + 11 * S, agentId: ids.handAgent });
  await calls.step('h1', { kind: 'ended', atMs: t + 131 * S, outcome: 'HUMAN', hangupCause: 16 });
  await dispose('h1', 'SALE', t + 161 * S);
  // c2: human, agent after 0.5 s, talk 60 s, wrap-up 10 s, NI.
  await start('h2', t + 60 * S);
  await calls.step('h2', { kind: 'answered', atMs: t + 70 * S });
  await calls.step('h2', { kind: 'bridged', atMs: t + 70.5 * S, agentId: ids.handAgent });
  await calls.step('h2', { kind: 'ended', atMs: t + 130.5 * S, outcome: 'HUMAN', hangupCause: 16 });
  await dispose('h2', 'NI', t + 140.5 * S);
  // c3: dropped after 2 s, safe harbor played.
  await start('h3', t + 120 * S);
  await calls.step('h3', { kind: 'answered', atMs: t + 125 * S });
  await calls.step('h3', { kind: 'dropped', atMs: t + 127 * S, waitMs: 2_000 });
  await calls.step('h3', { kind: 'safe_harbor', atMs: t + 127 * S });
  await calls.step('h3', { kind: 'ended', atMs: t + 133 * S, outcome: 'DROPPED', hangupCause: 16 });
  // c4: machine; c5: no answer; c6 (11:30): busy.
  await start('h4', t + 180 * S);
  await calls.step('h4', { kind: 'answered', atMs: t + 185 * S });
  await calls.step('h4', { kind: 'ended', atMs: t + 190 * S, outcome: 'MACHINE', hangupCause: 16 });
  await start('h5', t + 240 * S);
  await calls.step('h5', {
    kind: 'ended',
    atMs: t + 265 * S,
    outcome: 'NO_ANSWER',
    hangupCause: 19,
  });
  await start('h6', t + 5_400 * S);
  await calls.step('h6', { kind: 'ended', atMs: t + 5_402 * S, outcome: 'BUSY', hangupCause: 17 });

  // The agent's shift: READY 600 s, INCALL 120 s, WRAPUP 30 s, PAUSED BREAK 300 s, then out.
  const shift: [string, string | null, number][] = [
    ['READY', null, 600],
    ['INCALL', null, 120],
    ['WRAPUP', null, 30],
    ['PAUSED', 'BREAK', 300],
    ['LOGGED_OUT', null, 100],
  ];
  let at = H + 9 * 3_600_000;
  for (const [state, code, seconds] of shift) {
    await agentLog(ids.handAgent, ids.hand, state, code, at, seconds * S);
    at += seconds * S;
  }
  await db.pool.query(
    `INSERT INTO lead_log (lead_id, at, kind, call_id, detail) VALUES
       ($1, $2, 'dialed', 'h1', '{}'), ($1, $3, 'disposed', 'h1', '{"code":"SALE"}')`,
    [ids.handLead, new Date(t), new Date(t + 161 * S)],
  );
  await db.pool.query(
    `INSERT INTO callbacks (lead_id, campaign_id, due_at, time_zone, created_at)
     VALUES ($1, $2, $3, 'America/New_York', $4)`,
    [ids.handLead, ids.hand, new Date(H + 86_400_000), new Date(t + 170 * S)],
  );
}

async function dispose(callId: string, code: string, atMs: number): Promise<void> {
  // Nothing else writes call_log.disposition yet; this is the statement the agent session's
  // disposition must run (docs/reports.md).
  await db.pool.query(`UPDATE call_log SET disposition = $2, disposed_at = $3 WHERE id = $1`, [
    callId,
    code,
    new Date(atMs),
  ]);
}

async function agentLog(
  agentId: string,
  campaignId: string | null,
  state: string,
  pauseCode: string | null,
  startMs: number,
  durationMs: number,
): Promise<void> {
  await db.pool.query(
    `INSERT INTO agent_log (agent_id, campaign_id, state, pause_code, started_at, ended_at, duration_ms)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [
      agentId,
      campaignId,
      state,
      pauseCode,
      new Date(startMs),
      new Date(startMs + durationMs),
      durationMs,
    ],
  );
}

const handDay: ReportRange = { fromMs: H, toMs: H + 86_400_000 };

describe('reports on the hand-computed fixture', () => {
  it('outbound by hour: 5 dials, 4 answers, 3 humans, 1 machine, 1 drop = 33.3%, ASA 750 ms', async () => {
    const rows = await repo.outbound({ ...handDay, campaignId: ids.hand }, 'hour');
    expect(rows).toEqual([
      {
        hourAtMs: H + 10 * 3_600_000,
        campaignId: null,
        listId: null,
        dials: 5,
        answers: 4,
        humanAnswers: 3,
        machines: 1,
        drops: 1,
        dropPct: 100 / 3,
        connected: 2,
        asaMs: 750,
      },
      expect.objectContaining({
        hourAtMs: H + 11 * 3_600_000,
        dials: 1,
        answers: 0,
        dropPct: null,
      }),
    ]);
  });

  it('agent performance: 2 calls, talk 180 s, wrap 40 s, AHT 110 s, 1 sale = 50%', async () => {
    const [row, ...rest] = await repo.agentPerformance({ ...handDay, campaignId: ids.hand });
    expect(rest).toEqual([]);
    expect(row).toMatchObject({
      agentId: ids.handAgent,
      agentName: 'Agent 0',
      teamId: ids.teamA,
      calls: 2,
      talkMs: 180_000,
      wrapMs: 40_000,
      ahtMs: 110_000,
      sales: 1,
      callbacks: 0,
      final: 2,
      undisposed: 0,
      conversionPct: 50,
      byDisposition: { SALE: 1, NI: 1 },
    });
  });

  it('agent time: login 1050 s (logged-out time excluded), pause by code, occupancy 20%', async () => {
    const rows = await repo.agentTime({ ...handDay, campaignId: ids.hand });
    expect(rows).toEqual([
      {
        agentId: ids.handAgent,
        agentName: 'Agent 0',
        teamId: ids.teamA,
        loginMs: 1_050_000,
        waitMs: 600_000,
        talkMs: 120_000,
        wrapMs: 30_000,
        deadMs: 0,
        pauseMs: 300_000,
        pauseByCodeMs: { BREAK: 300_000 },
        occupancyPct: 20,
      },
    ]);
  });

  it('compliance: 1 drop of 3 human answers is over the 3% cap, with its wait and safe harbor', async () => {
    const [c] = await repo.complianceTotals(H - 29 * 86_400_000, H + 86_400_000, ids.hand);
    expect(c).toMatchObject({
      campaignId: ids.hand,
      campaignName: 'hand',
      capPct: 3,
      humanAnswers: 3,
      drops: 1,
      overCap: true,
      days: [{ dayAtMs: H, humanAnswers: 3, drops: 1 }],
    });
    const drops = await repo.complianceDrops(H, H + 86_400_000, {
      campaignId: ids.hand,
      limit: 10,
    });
    expect(drops).toEqual([
      {
        callId: 'h3',
        campaignId: ids.hand,
        listId: ids.handList,
        leadId: ids.handLead,
        answeredAtMs: H + 10 * 3_600_000 + 125 * S,
        dropWaitMs: 2_000,
        safeHarborAtMs: H + 10 * 3_600_000 + 127 * S,
        endedAtMs: H + 10 * 3_600_000 + 133 * S,
      },
    ]);
  });

  it('lead history: calls, log events and the callback in time order', async () => {
    const events = await repo.leadHistory(ids.handLead);
    expect(
      events.map((e) => (e.source === 'call' ? e.callId : e.source === 'log' ? e.kind : 'cb')),
    ).toEqual(['h1', 'dialed', 'h2', 'h3', 'disposed', 'cb', 'h4', 'h5', 'h6']);
    expect(events[0]).toMatchObject({ source: 'call', outcome: 'HUMAN', disposition: 'SALE' });
    expect(await repo.leadExists(ids.handLead)).toBe(true);
    expect(await repo.leadExists('999999')).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// Generated logs against a reference computed from the raw rows

async function seedGenerated(rng: Rng): Promise<void> {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng.next() * xs.length)] as T;
  const lists: Record<string, string[]> = {};
  for (const c of [ids.g1, ids.g2]) {
    lists[c] = [];
    for (const n of ['a', 'b']) {
      lists[c].push(
        await one<string>(
          `INSERT INTO lists (campaign_id, name) VALUES ($1, $2) RETURNING id::text`,
          [c, n],
        ),
      );
    }
  }
  // Calls: one multi-row INSERT, then the steps as UPDATEs, so the update trigger is exercised.
  const N = 600;
  const rows: unknown[][] = [];
  const steps: { id: string; sql: string; params: unknown[] }[] = [];
  for (let i = 0; i < N; i++) {
    const c = pick([ids.g1, ids.g2]);
    const list = pick(lists[c] ?? []);
    const t = G + Math.floor(rng.next() * GEN_DAYS * 86_400_000);
    const id = `g${i}`;
    rows.push([id, c, list, 1000 + i, '+12025550111', 's', id, new Date(t)]);
    const r = rng.next();
    if (r < 0.3) {
      steps.push({
        id,
        sql: `ended_at = $2, outcome = 'NO_ANSWER'`,
        params: [new Date(t + 25 * S)],
      });
      continue;
    }
    if (r < 0.35) continue; // still ringing: a dial, nothing else yet
    const ans = t + Math.floor(5 * S + rng.next() * 20 * S);
    steps.push({ id, sql: `answered_at = $2`, params: [new Date(ans)] });
    if (r < 0.55) {
      steps.push({
        id,
        sql: `ended_at = $2, outcome = 'MACHINE'`,
        params: [new Date(ans + 3 * S)],
      });
    } else if (r < 0.6) {
      steps.push({
        id,
        sql: `dropped = true, drop_wait_ms = 2000, safe_harbor_at = $2, ended_at = $3, outcome = 'DROPPED'`,
        params: [new Date(ans + 2 * S), new Date(ans + 6 * S)],
      });
    } else {
      const agent = pick(ids.agents);
      const conn = ans + Math.floor(rng.next() * 1_900);
      const end = conn + Math.floor(20 * S + rng.next() * 300 * S);
      steps.push({
        id,
        sql: `agent_connected_at = $2, agent_id = $3`,
        params: [new Date(conn), agent],
      });
      if (r < 0.95) {
        steps.push({ id, sql: `ended_at = $2, outcome = 'HUMAN'`, params: [new Date(end)] });
        if (r < 0.9) {
          const code = pick(['SALE', 'NI', 'CB', 'DNC', 'GONE']);
          steps.push({
            id,
            sql: `disposition = $2, disposed_at = $3`,
            params: [code, new Date(end + Math.floor(rng.next() * 60 * S))],
          });
        }
      }
    }
  }
  const values = rows
    .map((_, i) => `(${Array.from({ length: 8 }, (_x, k) => `$${i * 8 + k + 1}`).join(', ')})`)
    .join(', ');
  await db.pool.query(
    `INSERT INTO call_log (id, campaign_id, list_id, lead_id, phone, server_id, channel_id, originated_at)
     VALUES ${values}`,
    rows.flat(),
  );
  for (const s of steps) {
    await db.pool.query(`UPDATE call_log SET ${s.sql} WHERE id = $1`, [s.id, ...s.params]);
  }
  // A re-disposition and a deleted row must leave the rollups exact.
  await db.pool.query(`UPDATE call_log SET disposition = 'SALE' WHERE id IN (
                         SELECT id FROM call_log WHERE disposition = 'NI' AND id LIKE 'g%' LIMIT 5)`);
  await db.pool.query(`DELETE FROM call_log WHERE id = (
                         SELECT id FROM call_log WHERE outcome = 'HUMAN' AND id LIKE 'g%' LIMIT 1)`);

  // Agent intervals, back to back per agent, some without campaign.
  const states = ['READY', 'RESERVED', 'INCALL', 'DEAD', 'WRAPUP', 'PAUSED', 'LOGGED_OUT'];
  const logRows: unknown[][] = [];
  for (const agent of ids.agents) {
    let at = G + Math.floor(rng.next() * 3_600_000);
    while (at < G + GEN_DAYS * 86_400_000) {
      const state = pick(states);
      const d = Math.floor(1 * S + rng.next() * 900 * S);
      logRows.push([
        agent,
        rng.next() < 0.1 ? null : pick([ids.g1, ids.g2]),
        state,
        state === 'PAUSED' ? pick(['BREAK', 'LUNCH', null]) : null,
        new Date(at),
        new Date(at + d),
        d,
      ]);
      at += d;
    }
  }
  for (let i = 0; i < logRows.length; i += 500) {
    const chunk = logRows.slice(i, i + 500);
    const v = chunk
      .map((_, j) => `(${Array.from({ length: 7 }, (_x, k) => `$${j * 7 + k + 1}`).join(', ')})`)
      .join(', ');
    await db.pool.query(
      `INSERT INTO agent_log (agent_id, campaign_id, state, pause_code, started_at, ended_at, duration_ms)
       VALUES ${v}`,
      chunk.flat(),
    );
  }
}

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
}

async function rawCalls(): Promise<RawCall[]> {
  const r = await db.pool.query<RawCall>(
    `SELECT id, campaign_id::text AS campaign_id, list_id::text AS list_id, agent_id::text AS agent_id,
            originated_at, answered_at, agent_connected_at, ended_at, outcome, disposition, disposed_at
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
      expect(got.find((g) => g.campaignId === c)).toMatchObject({
        humanAnswers: humans,
        drops: drops.length,
      });
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
