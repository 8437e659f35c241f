import type { AgentId, CampaignId, E164, LeadId, ListId } from '@ringside/protocol';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TelephonyHealth } from '../../src/adapters/asterisk/telephony-health.js';
import { countPostgresErrors, countRedisErrors } from '../../src/adapters/metrics/instrument.js';
import {
  histogramQuantile,
  parseExposition,
  readHistogram,
  sampleSum,
} from '../../src/adapters/metrics/parse.js';
import { PromMetrics } from '../../src/adapters/metrics/prom-metrics.js';
import { startMetricsServer, type MetricsServer } from '../../src/adapters/metrics/server.js';
import { AgentLogRepository } from '../../src/adapters/postgres/agent-log.js';
import { CallLogRepository } from '../../src/adapters/postgres/call-log.js';
import { createCampaignsRepo } from '../../src/adapters/postgres/campaigns.js';
import { createDb } from '../../src/adapters/postgres/database.js';
import { createPool } from '../../src/adapters/postgres/pool.js';
import type { HopperEntry } from '../../src/ports/hopper.js';
import { startDialer, type RunningDialer } from '../../src/roles/dialer.js';
import { AgentSessionService } from '../../src/services/agents/agent-session.js';
import { AriServerSupervisor } from '../../src/roles/ari-server.js';
import { startBots, type RunningBots } from '../dialer/bots.js';
import { createTestDb, TEST_DATABASE_URL, type TestDb } from '../helpers/db.js';
import { SIM_CAMPAIGN } from '../helpers/sim-campaign.js';
import { startDialerRig, type DialerRig } from '../helpers/dialer-rig.js';

/**
 * The dialer role and the ARI worker on the simulated PBX, sharing one registry as in role `all`,
 * scraped over HTTP through the roles' metrics listener: a live answer handed to a bot agent
 * moves the hand-off histogram, and every family of docs/metrics.md is there.
 */
const SPEED = 4;
const EPOCH = Date.UTC(2026, 10, 24, 17, 0, 0); // 12:00 in New York
const TOKEN = 'roles-metrics-token-0123';

let db: TestDb;
let rig: DialerRig;
let worker: AriServerSupervisor;
let dialer: RunningDialer;
let bots: RunningBots;
let server: MetricsServer;
let campaignId: CampaignId;
let beforeRun = '';
const metrics = new PromMetrics({ role: 'all' });

async function scrape(): Promise<string> {
  const r = await fetch(`http://127.0.0.1:${server.port}/metrics`, {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  expect(r.status).toBe(200);
  return r.text();
}

async function until(what: string, ok: (text: string) => boolean, ms = 60_000): Promise<string> {
  const end = Date.now() + ms;
  for (;;) {
    const text = await scrape();
    if (ok(text)) return text;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

beforeAll(async () => {
  db = await createTestDb('metrics_roles');
  rig = await startDialerRig(db.pool, {
    label: 'metrics_roles',
    speed: SPEED,
    epochMs: EPOCH,
    simSeed: 3,
    phones: 2,
  });
  const pg = db.pool;
  const campaigns = createCampaignsRepo(createDb(pg));
  const campaign = await campaigns.create({
    ...SIM_CAMPAIGN,
    name: 'metrics',
    dialMethod: 'ratio',
    dialLevel: 1,
  });
  campaignId = campaign.id;
  const list = await pg.query<{ id: string }>(
    `INSERT INTO lists (campaign_id, name) VALUES ($1, 'metrics') RETURNING id`,
    [campaignId],
  );
  const listId = list.rows[0]?.id as ListId;
  // Last digit picks the simulated outcome: 0 human, 8 busy (every fourth lead).
  const leads = await pg.query<{ id: string; phone: string }>(
    `INSERT INTO leads (list_id, phone, time_zone, tz_candidates, tz_key, tz_source)
     SELECT $1, '+1212' || lpad((g * 10 + CASE WHEN g % 4 = 0 THEN 8 ELSE 0 END)::text, 7, '0'),
            'America/New_York', ARRAY['America/New_York'], 'America/New_York', 'manual'
       FROM generate_series(1, 40) g
     RETURNING id, phone`,
    [listId],
  );
  const users = await pg.query<{ id: string }>(
    `INSERT INTO users (username, display_name, role, password_hash)
     SELECT 'mbot' || g, 'Bot ' || g, 'agent', 'x' FROM generate_series(1, 2) g RETURNING id`,
  );

  worker = new AriServerSupervisor({
    server: rig.server,
    store: rig.store,
    bus: rig.bus,
    callLog: new CallLogRepository(pg),
    clock: rig.clock,
    logger: rig.logger,
    health: new TelephonyHealth(),
    metrics,
    // bench:handoff's own measure, to hold the metric against.
    onPublished: rig.trace.onPublished,
  });
  worker.start();
  dialer = await startDialer(
    {
      config: rig.config,
      logger: rig.logger,
      pool: pg,
      clock: rig.clock,
      ariServers: [rig.server],
      metrics,
    },
    { timeScale: SPEED, instanceId: 'metrics-dialer', safeHarborStartMs: 350 * SPEED },
  );
  server = await startMetricsServer({
    metrics,
    host: '127.0.0.1',
    port: 0,
    token: TOKEN,
    logger: rig.logger,
  });
  const sessions = new AgentSessionService({
    store: rig.store,
    log: new AgentLogRepository(pg),
    clock: rig.clock,
    logger: rig.logger,
  });
  bots = await startBots({
    ...rig,
    sessions,
    pool: pg,
    seed: 2,
    agents: users.rows.map((u) => ({ agentId: u.id as AgentId, campaignId })),
  });
  const now = rig.clock.nowMs();
  await pg.query(`UPDATE leads SET hopper_at = $1 WHERE list_id = $2`, [new Date(now), listId]);
  const entries: HopperEntry[] = leads.rows.map((x) => ({
    leadId: x.id as LeadId,
    listId,
    campaignId,
    phone: x.phone as E164,
    timeZones: ['America/New_York'],
    priority: 'new',
    attempts: 0,
    windowClosesAtMs: now + 12 * 3600_000,
  }));
  await rig.hopper.add(campaignId, entries);
  beforeRun = await scrape();
  await campaigns.update(campaignId, { active: true });
}, 60_000);

afterAll(async () => {
  await campaigns()
    ?.update(campaignId, { active: false })
    .catch(() => undefined);
  await dialer?.stop();
  await bots?.close();
  await worker?.stop();
  await server?.close();
  await rig?.hopper.clear(campaignId);
  await rig?.sim.stop();
  rig?.redis.disconnect();
  await db?.drop();
}, 60_000);

function campaigns() {
  return db ? createCampaignsRepo(createDb(db.pool)) : null;
}

describe('metrics of the running dialer and ARI worker', () => {
  it('a live answer handed to an agent moves the hand-off histogram', async () => {
    expect(readHistogram(beforeRun, 'ringside_handoff_latency_seconds')?.count ?? 0).toBe(0);
    const text = await until(
      'a hand-off',
      (t) => (readHistogram(t, 'ringside_handoff_latency_seconds')?.count ?? 0) >= 1,
    );
    const h = readHistogram(text, 'ringside_handoff_latency_seconds');
    const p50 = histogramQuantile(h, 0.5) as number;
    console.log(`hand-offs ${h?.count}, p50 ${(p50 * 1000).toFixed(1)} ms`);
    expect(p50).toBeGreaterThan(0);
    expect(p50).toBeLessThan(5);
  }, 90_000);

  it('counts calls by outcome, pacing decisions, ARI event lag, hopper depth and the 30-day rate', async () => {
    const campaign = String(campaignId);
    const text = await until(
      'a busy call ended',
      (t) => sampleSum(t, 'ringside_calls_total', { campaign, outcome: 'BUSY' }) >= 1,
    );
    expect(sampleSum(text, 'ringside_pacing_decisions_total', { campaign })).toBeGreaterThan(0);
    expect(
      readHistogram(text, 'ringside_ari_event_lag_seconds', { server: 'sim' })?.count,
    ).toBeGreaterThan(0);
    const names = new Set(parseExposition(text).map((s) => `${s.name}|${s.labels.campaign ?? ''}`));
    expect(names.has(`ringside_hopper_leads|${campaign}`)).toBe(true);
    expect(names.has(`ringside_drop_rate_30d_ratio|${campaign}`)).toBe(true);
    expect(sampleSum(text, 'process_resident_memory_bytes', { role: 'all' })).toBeGreaterThan(0);
  }, 90_000);

  it("agrees with bench:handoff's measure of every hand-off once dialing stops", async () => {
    await rig.hopper.clear(campaignId);
    // No new calls; those already answered reach an agent or the safe-harbor drop.
    const end = Date.now() + 30_000;
    const early = new Set(['DIALING', 'RINGING', 'AMD', 'WAITING']);
    while ((await rig.store.listCalls(campaignId)).some((c) => early.has(c.stage))) {
      if (Date.now() > end) throw new Error('calls still before their hand-off');
      await new Promise((r) => setTimeout(r, 200));
    }
    await new Promise((r) => setTimeout(r, 500));
    const text = await scrape();
    const direct = rig.trace.direct();
    const h = readHistogram(text, 'ringside_handoff_latency_seconds', { parked: 'false' });
    expect(h?.count).toBe(direct.length);
    const sumS = direct.reduce((a, b) => a + b, 0) / 1000;
    expect(h?.sum).toBeCloseTo(sumS, 6);
    const all = readHistogram(text, 'ringside_handoff_latency_seconds');
    expect(all?.count).toBe(rig.trace.bridgedSeen.size);
  }, 60_000);

  it('counts PostgreSQL query and connection errors, and Redis connection errors', async () => {
    const before = await scrape();
    const pool = createPool(TEST_DATABASE_URL, { schema: db.schema, max: 1 });
    countPostgresErrors(metrics, pool);
    const down = createPool('postgres://postgres@127.0.0.1:1/none', { max: 1 });
    countPostgresErrors(metrics, down);
    const redis = new Redis('redis://127.0.0.1:1', {
      retryStrategy: () => null,
      maxRetriesPerRequest: 0,
    });
    countRedisErrors(metrics, redis);
    try {
      await expect(pool.query('SELECT * FROM no_such_table')).rejects.toThrow(/no_such_table/);
      await expect(down.query('SELECT 1')).rejects.toThrow();
      const text = await until(
        'the Redis error',
        (t) =>
          sampleSum(t, 'ringside_redis_errors_total') >
          sampleSum(before, 'ringside_redis_errors_total'),
        10_000,
      );
      const q = { kind: 'query' };
      const c = { kind: 'connection' };
      expect(sampleSum(text, 'ringside_postgres_errors_total', q)).toBe(
        sampleSum(before, 'ringside_postgres_errors_total', q) + 1,
      );
      expect(sampleSum(text, 'ringside_postgres_errors_total', c)).toBe(
        sampleSum(before, 'ringside_postgres_errors_total', c) + 1,
      );
    } finally {
      redis.disconnect();
      await pool.end();
      await down.end();
    }
  });
});
