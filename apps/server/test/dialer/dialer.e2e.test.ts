import type { AgentId, CampaignId, E164, LeadId, ListId } from '@ringside/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentLogRepository } from '../../src/adapters/postgres/agent-log.js';
import { createCampaignsRepo } from '../../src/adapters/postgres/campaigns.js';
import { createDb } from '../../src/adapters/postgres/database.js';
import { isDialable, parseTimeOfDay } from '../../src/domain/calling-window.js';
import type { HopperEntry } from '../../src/ports/hopper.js';
import type { RunningDialer } from '../../src/roles/dialer.js';
import {
  AgentSessionService,
  startAgentLogRecorder,
} from '../../src/services/agents/agent-session.js';
import type { HandoffSample } from '../../src/ports/dialer.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { SIM_CAMPAIGN } from '../helpers/sim-campaign.js';
import { startDialerRig, type DialerRig } from '../helpers/dialer-rig.js';
import { CALL_LOG_INSTANTS, instantsOutOfOrder } from '../helpers/call-log-instants.js';
import { createCampaignWithList } from '../helpers/dialer.js';
import { startBots, type BotAgent } from './bots.js';

/**
 * The whole dialer on the simulated PBX: a predictive campaign, 20 bot agents and 2,000 leads
 * (some on DNC, some out of their calling window, both slipped into the hopper on purpose so the
 * dialer's own guards are what keeps them from being dialed), real PostgreSQL and Redis, the ARI
 * worker, the dialer role. Virtual time runs SPEED times faster than the wall clock.
 */
const SPEED = 4;
const DIAL_REAL_MS = 45_000;
const AGENTS = 20;
const LEADS = 2_000;
const DNC_LEADS = 60;
const OUT_OF_WINDOW_LEADS = 60;
/** A second, over-dialing campaign (ratio 4 for 2 agents) so that drops do happen. */
const OVERDIAL_AGENTS = 2;
const OVERDIAL_LEADS = 300;
// 2026-11-24 17:00 UTC: 12:00 in New York (inside 09:00-20:00), 02:00 in Tokyo (outside).
const EPOCH = Date.UTC(2026, 10, 24, 17, 0, 0);

let db: TestDb;
let rig: DialerRig;
let dialer: RunningDialer;
let campaignId: CampaignId;
let overdialId: CampaignId;
let bots: BotAgent[] = [];
const handoffs: HandoffSample[] = [];
let fillerAdded = 0;

function pct(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] as number;
}

beforeAll(async () => {
  db = await createTestDb('dialer_e2e');
  rig = await startDialerRig(db.pool, {
    label: 'dialer_e2e',
    speed: SPEED,
    epochMs: EPOCH,
    simSeed: 11,
    phones: AGENTS + OVERDIAL_AGENTS,
  });
  const { store, bus, hopper, clock, logger } = rig;
  const agentLog = new AgentLogRepository(db.pool);
  const sessions = new AgentSessionService({ store, log: agentLog, clock, logger });
  const pg = db.pool;

  // --- data: users, campaign, list, leads, DNC --------------------------------------------
  const campaigns = createCampaignsRepo(createDb(pg));
  const created = await createCampaignWithList(
    pg,
    { ...SIM_CAMPAIGN, name: 'e2e predictive', dialMethod: 'predictive' },
    'e2e',
  );
  campaignId = created.campaignId;
  const listId = created.listId;
  // Last digit picks the simulated outcome: 0-4 human, 5-6 machine, 7 no answer, 8 busy, 9 congestion.
  await pg.query(
    `INSERT INTO leads (list_id, phone, time_zone, tz_candidates, tz_key, tz_source)
     SELECT $1, '+1212' || lpad(g::text, 7, '0'),
            CASE WHEN g <= $3 THEN 'Asia/Tokyo' ELSE 'America/New_York' END,
            ARRAY[CASE WHEN g <= $3 THEN 'Asia/Tokyo' ELSE 'America/New_York' END],
            CASE WHEN g <= $3 THEN 'Asia/Tokyo' ELSE 'America/New_York' END, 'manual'
       FROM generate_series(1, $2) g`,
    [listId, LEADS, OUT_OF_WINDOW_LEADS],
  );
  // DNC: half system-wide, half the campaign's own list, spread over the lead order.
  await pg.query(
    `INSERT INTO dnc (phone, campaign_id, source)
     SELECT '+1212' || lpad((g * 31)::text, 7, '0'), CASE WHEN g % 2 = 0 THEN $2::bigint END, 'manual'
       FROM generate_series(3, $1 + 2) g`,
    [DNC_LEADS, campaignId],
  );
  const over = await createCampaignWithList(
    pg,
    {
      name: 'e2e overdial',
      active: false,
      dialMethod: 'ratio',
      dialLevel: 4,
      dropWaitMs: 1_500,
    },
    'overdial',
  );
  overdialId = over.campaignId;
  const overListId = over.listId;
  await pg.query(
    `INSERT INTO leads (list_id, phone, time_zone, tz_candidates, tz_key, tz_source)
     SELECT $1, '+1312' || lpad(g::text, 7, '0'), 'America/Chicago', ARRAY['America/Chicago'],
            'America/Chicago', 'manual'
       FROM generate_series(1, $2) g`,
    [overListId, OVERDIAL_LEADS],
  );
  const userIds = await pg.query<{ id: string }>(
    `INSERT INTO users (username, display_name, role, password_hash)
     SELECT 'bot' || g, 'Bot ' || g, 'agent', 'x' FROM generate_series(1, $1) g RETURNING id`,
    [AGENTS + OVERDIAL_AGENTS],
  );

  // --- the system: ARI worker, agent-log recorder, dialer ---------------------------------
  rig.supervisor.start();
  // The recorder writes the rows of the dialer's reservations; it may lag behind under load, so
  // the test waits for it to have recorded the last logout before reading agent_log.
  let recordedUpTo = 0;
  const recorder = await startAgentLogRecorder(
    bus,
    {
      record: async (...args: Parameters<AgentLogRepository['record']>) => {
        await agentLog.record(...args);
        recordedUpTo = Math.max(recordedUpTo, args[0].atMs);
      },
    },
    logger,
  );
  dialer = await rig.startDialer('e2e-dialer', (h) => handoffs.push(h));

  // --- bots ---------------------------------------------------------------------------------
  const team = await startBots({
    ...rig,
    sessions,
    pool: pg,
    seed: 5,
    agents: userIds.rows.map((u, i) => ({
      agentId: u.id as AgentId,
      campaignId: i < AGENTS ? campaignId : overdialId,
    })),
  });
  bots = team.bots;

  // --- a hopper filler that deliberately ignores DNC and calling windows ---------------------
  // Each lead is offered once, in id order (a cursor per list). Offered again, a skipped
  // out-of-window lead (its next_eligible_at is left alone) would come first at every fill, and
  // whether any other lead got in would depend on how fast the dialer's writes land.
  const offeredUpTo = new Map<ListId, number>();
  const fill = async (campaign: CampaignId, list: ListId) => {
    if ((await hopper.size(campaign)) >= 60) return;
    const now = clock.nowMs();
    const after = offeredUpTo.get(list) ?? 0;
    const r = await pg.query<{
      id: string;
      phone: string;
      tz_candidates: string[];
      attempts: number;
    }>(
      `UPDATE leads SET hopper_at = $2 WHERE id IN (
         SELECT id FROM leads WHERE list_id = $1 AND NOT final AND hopper_at IS NULL
            AND next_eligible_at <= $2 AND id > $3 ORDER BY id LIMIT 60)
       RETURNING id, phone, tz_candidates, attempts`,
      [list, new Date(now), after],
    );
    for (const x of r.rows)
      offeredUpTo.set(list, Math.max(offeredUpTo.get(list) ?? 0, Number(x.id)));
    const entries: HopperEntry[] = r.rows.map((x) => ({
      leadId: x.id as LeadId,
      listId: list,
      campaignId: campaign,
      phone: x.phone as E164,
      timeZones: x.tz_candidates,
      priority: x.attempts > 0 ? 'recycle' : 'new',
      attempts: x.attempts,
      windowClosesAtMs: now + 12 * 3600_000,
    }));
    fillerAdded += await hopper.add(campaign, entries);
  };
  const fillBoth = () => Promise.all([fill(campaignId, listId), fill(overdialId, overListId)]);
  await fillBoth();
  const filler = setInterval(() => void fillBoth().catch(() => undefined), 300);
  await campaigns.update(campaignId, { active: true });
  await campaigns.update(overdialId, { active: true });

  await new Promise((r) => setTimeout(r, DIAL_REAL_MS));

  // --- wind down: no more leads, let calls finish, agents log out ---------------------------
  clearInterval(filler);
  await hopper.clear(campaignId);
  await hopper.clear(overdialId);
  const drainUntil = Date.now() + 20_000;
  while ((await store.listCalls()).length > 0 && Date.now() < drainUntil) {
    await new Promise((r) => setTimeout(r, 200));
  }
  for (const b of bots) b.finish();
  await Promise.race([
    Promise.all(bots.map((b) => b.finished)),
    new Promise((r) => setTimeout(r, 15_000)),
  ]);
  await dialer.stop();
  await team.close();
  const lastLogout = Math.max(...bots.map((b) => b.logoutAtMs));
  const recorderUntil = Date.now() + 30_000;
  while (recordedUpTo < lastLogout && Date.now() < recorderUntil)
    await new Promise((r) => setTimeout(r, 100));
  await recorder.close();
  // Let the recorder's and the worker's last PostgreSQL writes land.
  await new Promise((r) => setTimeout(r, 500));
}, 150_000);

afterAll(async () => {
  await rig?.supervisor.stop();
  await rig?.sim.stop();
  rig?.redis.disconnect();
  await db?.drop();
});

describe('the dialer on the simulated PBX', () => {
  it('placed calls, connected live answers to agents, and every agent logged out', async () => {
    const r = await db.pool.query<{ n: number; bridged: number }>(
      `SELECT count(*)::int AS n, count(agent_connected_at)::int AS bridged FROM call_log
        WHERE campaign_id = $1`,
      [campaignId],
    );
    const row = r.rows[0];
    console.log(
      `calls ${row?.n}, bridged ${row?.bridged}, hopper entries added ${fillerAdded}, ` +
        `calls per bot ${bots.map((b) => b.calls).join(',')}`,
    );
    expect(row?.n).toBeGreaterThan(200);
    expect(row?.bridged).toBeGreaterThan(100);
    expect(bots.every((b) => b.logoutAtMs > 0)).toBe(true);
    // No bot step failed while the run was live (only teardown may cut a late timer short).
    expect(bots.flatMap((b) => b.lateErrors)).toEqual([]);
  });

  it('records consistent instants on every call_log row', async () => {
    const r = await db.pool.query<Record<string, Date | null> & { id: string }>(
      `SELECT id, ${CALL_LOG_INSTANTS} FROM call_log`,
    );
    const bad: string[] = [];
    for (const row of r.rows) {
      for (let n = instantsOutOfOrder(row); n > 0; n--) bad.push(row.id);
      if (!(row.ended_at instanceof Date)) bad.push(`${row.id} not ended`);
    }
    expect(bad).toEqual([]);
  });

  it('never dials a lead twice in one attempt', async () => {
    const r = await db.pool.query(
      `SELECT lead_id, attempt, count(*) FROM call_log WHERE outcome <> 'ORIGINATE_FAILED'
        GROUP BY 1, 2 HAVING count(*) > 1`,
    );
    expect(r.rows).toEqual([]);
  });

  it('never dials a number on DNC, though the hopper offered them', async () => {
    const offered = await db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM lead_log WHERE kind = 'dnc'`,
    );
    const dialed = await db.pool.query(
      `SELECT c.id FROM call_log c JOIN dnc d ON d.phone = c.phone
        WHERE d.campaign_id IS NULL OR d.campaign_id = c.campaign_id`,
    );
    expect(offered.rows[0]?.n).toBeGreaterThan(0);
    expect(dialed.rows).toEqual([]);
  });

  it('never dials a lead outside its calling window, though the hopper offered them', async () => {
    const window = { startMinute: parseTimeOfDay('09:00'), endMinute: parseTimeOfDay('20:00') };
    const r = await db.pool.query<{ id: string; tz: string[]; at: Date }>(
      `SELECT c.id, l.tz_candidates AS tz, c.originated_at AS at
         FROM call_log c JOIN leads l ON l.id = c.lead_id`,
    );
    const outside = r.rows
      .filter((x) => !isDialable(x.tz, window, x.at.getTime()))
      .map((x) => x.id);
    const skipped = await db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM lead_log WHERE kind = 'skipped' AND detail->>'rule' = 'CALLING_WINDOW'`,
    );
    expect(skipped.rows[0]?.n).toBeGreaterThan(0);
    expect(outside).toEqual([]);
  });

  it('starts the safe-harbor message within 2 s of the answer decision on every drop', async () => {
    const r = await db.pool.query<{
      id: string;
      amd_at: Date;
      safe_harbor_at: Date | null;
      drop_wait_ms: number;
    }>(`SELECT id, amd_at, safe_harbor_at, drop_wait_ms FROM call_log WHERE dropped`);
    const humans = await db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM call_log WHERE outcome IN ('HUMAN', 'DROPPED')`,
    );
    console.log(`drops ${r.rows.length} of ${humans.rows[0]?.n} live answers (both campaigns)`);
    expect(r.rows.length).toBeGreaterThan(0);
    for (const row of r.rows) {
      expect(row.safe_harbor_at, row.id).toBeInstanceOf(Date);
      expect(
        (row.safe_harbor_at as Date).getTime() - row.amd_at.getTime(),
        row.id,
      ).toBeLessThanOrEqual(2_000);
    }
  });

  it("adds up each agent's agent_log durations to its logged-in time", async () => {
    for (const b of bots) {
      const r = await db.pool.query<{
        state: string;
        started_at: Date;
        ended_at: Date;
        duration_ms: string;
        reason: string;
      }>(
        `SELECT state, started_at, ended_at, duration_ms, reason FROM agent_log
          WHERE agent_id = $1 ORDER BY started_at, ended_at`,
        [b.agentId],
      );
      const rows = r.rows;
      const total = rows.reduce((sum, x) => sum + Number(x.duration_ms), 0);
      // Where a row does not start where the previous one ended: the detail when this fails.
      const gaps = rows
        .slice(1)
        .map((x, i) => ({ x, prev: rows[i] as (typeof rows)[number] }))
        .filter(({ x, prev }) => x.started_at.getTime() !== prev.ended_at.getTime())
        .map(
          ({ x, prev }) =>
            `${prev.state}(${prev.reason}) ends ${prev.ended_at.getTime()} / ${x.state}(${x.reason}) starts ${x.started_at.getTime()}`,
        );
      expect(gaps, b.agentId).toEqual([]);
      expect(total, b.agentId).toBe(b.logoutAtMs - b.loginAtMs);
      expect(rows[0]?.started_at.getTime()).toBe(b.loginAtMs);
      expect(rows.at(-1)?.ended_at.getTime()).toBe(b.logoutAtMs);
    }
  });

  // The speed goal of this hand-off (issue 4: p99 <= 100 ms) is measured by `npm run
  // bench:handoff`, not here: a wall-clock bound in a test fails on a busy machine, not on a bug.
  it('hands live answers straight to ready agents, and logs how long it took', () => {
    const direct = rig.trace.direct();
    console.log(
      `AMD decision -> customer in the agent's bridge (wall clock): n=${direct.length} ` +
        `p99=${pct(direct, 99).toFixed(1)} ms; parked first: ${handoffs.filter((h) => h.parked).length}`,
    );
    expect(direct.length).toBeGreaterThan(50);
  });
});
