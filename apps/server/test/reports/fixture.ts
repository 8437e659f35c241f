import { afterAll, beforeAll } from 'vitest';
import { CallLogRepository } from '../../src/adapters/postgres/call-log.js';
import { ReportsRepository } from '../../src/adapters/postgres/reports/reports-repository.js';
import { seededRng, type Rng } from '../../src/ports/clock.js';
import { createTestDb, type TestDb } from '../helpers/db.js';

/**
 * The report tests' data in the real PostgreSQL: a hand-computed fixture (campaign "hand"), and
 * generated logs (campaigns g1, g2) after updates and a delete went through the rollup triggers.
 * Each test file calls useReportsDb() for its own schema with the same data.
 */

export const H = Date.UTC(2026, 2, 1); // 2026-03-01T00:00Z, the hand fixture's day
export const G = Date.UTC(2026, 3, 1); // 2026-04-01T00:00Z, start of the generated logs
export const GEN_DAYS = 3;
export const S = 1_000;

export let db: TestDb;
export let repo: ReportsRepository;
export const ids = {
  hand: '',
  handList: '',
  handLead: '',
  handAgent: '',
  g1: '',
  g2: '',
  teamA: '',
  agents: [] as string[],
};

export async function one<T>(sql: string, params: unknown[] = []): Promise<T> {
  const r = await db.pool.query<Record<string, T>>(sql, params);
  const row = r.rows[0];
  if (!row) throw new Error(`no row: ${sql}`);
  return Object.values(row)[0] as T;
}

/** A fresh schema seeded with both fixtures before the file's tests, dropped after. */
export function useReportsDb(): void {
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
}

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
  // AMD error estimates (0102) on machine verdicts hung up on and on humans an agent got from a
  // MACHINE verdict; one estimate written twice, as the dialer's write is idempotent.
  await db.pool.query(`UPDATE call_log SET est_abandoned = 0.04
                        WHERE outcome = 'MACHINE' AND id LIKE 'g%' AND answered_at IS NOT NULL`);
  await db.pool.query(`UPDATE call_log SET est_answers = 0.04 WHERE id IN (
                         SELECT id FROM call_log WHERE outcome = 'HUMAN' AND id LIKE 'g%' LIMIT 7)`);
  await db.pool.query(`UPDATE call_log SET est_abandoned = 0.05 WHERE id IN (
                         SELECT id FROM call_log WHERE est_abandoned > 0 LIMIT 3)`);
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
