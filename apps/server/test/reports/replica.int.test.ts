import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import type pg from 'pg';
import { migrate } from '../../src/adapters/postgres/migrate.js';
import { createPool } from '../../src/adapters/postgres/pool.js';
import { hashPassword } from '../../src/http/auth.js';
import { systemClock } from '../../src/ports/clock.js';
import { startApi } from '../../src/roles/api.js';
import { createReportsService } from '../../src/roles/api-reports.js';
import type { RunningRole } from '../../src/roles/context.js';
import { apiTestConfig } from '../helpers/api-config.js';
import { createTestDb, TEST_DATABASE_URL, type TestDb } from '../helpers/db.js';
import { ROLE_TEST_PASSWORD, freePort, signInOver } from '../helpers/http.js';
import { redisTestContext, type RedisTestContext } from '../redis/redis-harness.js';

/**
 * Reports off the primary (issue 16, point 5): the api role as main.ts starts it, its pool on the
 * primary (a test schema) and REPORTS_DATABASE_URL on a second database made for this file
 * (migrated, fed rows the primary does not have, dropped after). Every report route and CSV
 * answers from the second database and says so; sign-in, the campaign list and every write stay
 * on the primary, and the second database is never written. A replica that cannot answer is a
 * 503 naming the setting, or, only when configured, the primary's answer marked as such.
 */
const DAY = Date.UTC(2026, 4, 10);
const RANGE = 'from=2026-05-10T00:00:00Z&to=2026-05-11T00:00:00Z';
/** Nothing listens here (this helper's own port range): a replica that refuses connections. */
const DEAD_URL = 'postgres://postgres@127.0.0.1:7399/ringside';

let primary: TestDb;
let replicaName: string;
let replicaUrl: string;
let replica: pg.Pool;
let rc: RedisTestContext;
let api: RunningRole;
let base: string;
let token: string;

/** A campaign, its list, one lead and `calls` ended calls (one of them dropped) on `pool`. */
async function feed(
  pool: pg.Pool,
  name: string,
  calls: number,
): Promise<{ campaignId: string; leadId: string }> {
  const c = await pool.query<{ id: string }>(
    `INSERT INTO campaigns (name, active) VALUES ($1, true) RETURNING id::text`,
    [name],
  );
  const campaignId = c.rows[0]?.id ?? '';
  const l = await pool.query<{ id: string }>(
    `INSERT INTO lists (campaign_id, name) VALUES ($1, 'l') RETURNING id::text`,
    [campaignId],
  );
  const listId = l.rows[0]?.id ?? '';
  const lead = await pool.query<{ id: string }>(
    `INSERT INTO leads (list_id, phone) VALUES ($1, '+12025550100') RETURNING id::text`,
    [listId],
  );
  const leadId = lead.rows[0]?.id ?? '';
  const at = (s: number) => new Date(DAY + 9 * 3_600_000 + s * 1_000);
  for (let i = 0; i < calls; i++) {
    const dropped = i === 0;
    await pool.query(
      `INSERT INTO call_log (id, campaign_id, list_id, lead_id, phone, server_id, channel_id,
                             originated_at, answered_at, dropped, drop_wait_ms, ended_at, outcome)
       VALUES ($1, $2, $3, $4, '+12025550100', 's', $1, $5, $6, $7, $8, $9, $10)`,
      [
        `${name}-${i}`,
        campaignId,
        listId,
        leadId,
        at(i * 60),
        at(i * 60 + 10),
        dropped,
        dropped ? 2_000 : null,
        at(i * 60 + 30),
        dropped ? 'DROPPED' : 'HUMAN',
      ],
    );
  }
  return { campaignId, leadId };
}

/** Row counts of the tables a write by any role would touch. */
async function counts(pool: pg.Pool): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of ['users', 'campaigns', 'lists', 'leads', 'call_log', 'agent_log', 'audit_log']) {
    const r = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${t}`);
    out[t] = r.rows[0]?.n ?? -1;
  }
  return out;
}

let onReplica: { campaignId: string; leadId: string };
let onPrimary: { campaignId: string; leadId: string };
let replicaBefore: Record<string, number>;

beforeAll(async () => {
  primary = await createTestDb('replica');
  replicaName = `rs_replica_${randomBytes(4).toString('hex')}`;
  const admin = createPool(TEST_DATABASE_URL, { max: 1 });
  await admin.query(`CREATE DATABASE ${replicaName}`);
  await admin.end();
  replicaUrl = TEST_DATABASE_URL.replace(/\/[^/]*$/, `/${replicaName}`);
  replica = createPool(replicaUrl, { max: 2 });
  await migrate(replica);

  // The primary: a supervisor, one campaign with 2 calls. The "replica": another campaign with
  // 5 calls and a lead the primary does not have, and no users at all.
  const hash = await hashPassword(ROLE_TEST_PASSWORD);
  await primary.pool.query(
    `INSERT INTO users (username, display_name, role, password_hash)
     VALUES ('super1', 'S1', 'supervisor', $1)`,
    [hash],
  );
  onPrimary = await feed(primary.pool, 'on-primary', 2);
  onReplica = await feed(replica, 'on-replica', 5);
  replicaBefore = await counts(replica);

  rc = await redisTestContext('replica');
  const port = await freePort();
  api = await startApi({
    config: apiTestConfig(rc.prefix, port, { REPORTS_DATABASE_URL: replicaUrl }),
    logger: pino({ level: 'silent' }),
    pool: primary.pool,
    clock: systemClock,
    ariServers: [],
  });
  base = `http://127.0.0.1:${port}`;
  token = await signInOver(base, 'super1');
}, 60_000);

afterAll(async () => {
  await api?.stop();
  await rc?.cleanup();
  await replica?.end();
  await primary?.drop();
  if (replicaName) {
    const admin = createPool(TEST_DATABASE_URL, { max: 1 });
    await admin.query(`DROP DATABASE IF EXISTS ${replicaName} WITH (FORCE)`);
    await admin.end();
  }
});

const get = (path: string) =>
  fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });

describe('reports on REPORTS_DATABASE_URL', () => {
  it('every report route answers from the replica and says so', async () => {
    const out = await get(`/api/reports/outbound?${RANGE}&groupBy=campaign`);
    expect(out.status).toBe(200);
    expect(out.headers.get('x-report-source')).toBe('replica');
    // Not a standby (a copy fed the same way): no replay instant, no lag to report.
    expect(out.headers.get('x-report-lag-ms')).toBeNull();
    const body = (await out.json()) as {
      rows: Array<{ campaignId: string; dials: number; drops: number }>;
      freshness: unknown;
    };
    expect(body.freshness).toEqual({
      source: 'replica',
      replayedAtMs: null,
      lagMs: null,
      fellBack: false,
    });
    // The replica's campaign and its 5 calls; the primary's 2 are not seen.
    expect(body.rows).toEqual([
      expect.objectContaining({ campaignId: onReplica.campaignId, dials: 5, drops: 1 }),
    ]);

    const compliance = await get(`/api/reports/compliance?to=2026-05-11T00:00:00Z`);
    expect(compliance.status).toBe(200);
    const cj = (await compliance.json()) as { campaigns: Array<{ campaignName: string }> };
    expect(cj.campaigns.map((c) => c.campaignName)).toEqual(['on-replica']);

    for (const path of [
      `/api/reports/agent-time?${RANGE}`,
      `/api/reports/agent-performance?${RANGE}`,
    ]) {
      const r = await get(path);
      expect(r.status, path).toBe(200);
      expect(((await r.json()) as { freshness: { source: string } }).freshness.source).toBe(
        'replica',
      );
    }

    // The lead history: the replica's lead is found, the primary's (another id) is not there.
    const lead = await get(`/api/reports/leads/${onReplica.leadId}/history`);
    expect(lead.status).toBe(200);
    const lj = (await lead.json()) as { events: Array<{ source: string }> };
    expect(lj.events.filter((e) => e.source === 'call')).toHaveLength(5);
    if (onPrimary.leadId !== onReplica.leadId) {
      expect((await get(`/api/reports/leads/${onPrimary.leadId}/history`)).status).toBe(404);
    }
  });

  it('CSV exports read the replica too, with the same headers', async () => {
    const csv = await get(`/api/reports/outbound?${RANGE}&groupBy=campaign&format=csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('x-report-source')).toBe('replica');
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(`,${onReplica.campaignId},,5,`);
  });

  it('everything else reads and writes the primary; the replica is never written', async () => {
    // Sign-in worked although the replica has no users; the campaign list is the primary's.
    const campaigns = await get('/api/campaigns');
    expect(campaigns.status).toBe(200);
    const { campaigns: list } = (await campaigns.json()) as { campaigns: Array<{ name: string }> };
    const names = list.map((c) => c.name);
    expect(names).toContain('on-primary');
    expect(names).not.toContain('on-replica');
    // A write (a supervisor's dial-level change, audited) lands on the primary.
    const auditBefore = (await counts(primary.pool)).audit_log ?? 0;
    const patch = await fetch(`${base}/api/supervisor/campaigns/${onPrimary.campaignId}/dialing`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ dialLevel: 2 }),
    });
    expect(patch.status).toBe(200);
    expect((await counts(primary.pool)).audit_log).toBe(auditBefore + 1);
    expect(await counts(replica)).toEqual(replicaBefore);
    // The only connections the api holds on the replica are the reports' own pool.
    const apps = await replica.query<{ app: string }>(
      `SELECT DISTINCT application_name AS app FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid()`,
    );
    expect(apps.rows.map((r) => r.app).filter((a) => a !== 'ringside')).toEqual([
      'ringside-reports',
    ]);
  });
});

describe('a replica that cannot answer', () => {
  const filters = { from: DAY, to: DAY + 86_400_000, format: 'json' as const };

  it('is a 503 naming REPORTS_DATABASE_URL, not a silent answer from the primary', async () => {
    const warnings: string[] = [];
    const logger = pino({ level: 'silent' });
    logger.warn = ((_o: unknown, msg?: string) => void warnings.push(msg ?? '')) as never;
    const r = createReportsService({
      config: { reports: { databaseUrl: DEAD_URL, fallbackToPrimary: false } },
      pool: primary.pool,
      clock: systemClock,
      logger,
    });
    try {
      await expect(r.service.outbound({ ...filters, groupBy: 'campaign' })).rejects.toMatchObject({
        code: 'UNAVAILABLE',
        httpStatus: 503,
        message: expect.stringContaining('REPORTS_DATABASE_URL') as unknown,
      });
      await expect(r.service.leadHistory(onPrimary.leadId)).rejects.toMatchObject({
        httpStatus: 503,
      });
      // Logged once, not once per report.
      expect(warnings).toHaveLength(1);
    } finally {
      await r.close();
    }
  });

  it('with REPORTS_FALLBACK_TO_PRIMARY, the primary answers and the answer says so', async () => {
    const r = createReportsService({
      config: { reports: { databaseUrl: DEAD_URL, fallbackToPrimary: true } },
      pool: primary.pool,
      clock: systemClock,
      logger: pino({ level: 'silent' }),
    });
    try {
      const out = await r.service.outbound({ ...filters, groupBy: 'campaign' });
      expect(out.freshness).toEqual({
        source: 'primary',
        replayedAtMs: null,
        lagMs: null,
        fellBack: true,
      });
      expect(out.rows).toEqual([
        expect.objectContaining({ campaignId: onPrimary.campaignId, dials: 2 }),
      ]);
    } finally {
      await r.close();
    }
  });

  it('a database that does not exist is refused the same way', async () => {
    const r = createReportsService({
      config: {
        reports: {
          databaseUrl: TEST_DATABASE_URL.replace(/\/[^/]*$/, `/${replicaName}_missing`),
          fallbackToPrimary: false,
        },
      },
      pool: primary.pool,
      clock: systemClock,
      logger: pino({ level: 'silent' }),
    });
    try {
      await expect(r.service.agentTime(filters)).rejects.toMatchObject({
        httpStatus: 503,
        message: expect.stringContaining('3D000') as unknown,
      });
    } finally {
      await r.close();
    }
  });
});
