import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReportsRepository } from '../../src/adapters/postgres/reports/reports-repository.js';
import { reportsOnPrimary } from '../../src/adapters/postgres/reports/reports-database.js';
import type { ReportDeps } from '../../src/http/routes/reports.js';
import { ManualClock } from '../../src/ports/clock.js';
import { ReportsService } from '../../src/services/reports/reports-service.js';
import { bearer, createHarness, type Harness } from '../http/harness.js';

/** The report API: supervisor/admin only, validated filters, JSON and streamed CSV. */

const DAY = Date.UTC(2026, 4, 10);
let h: Harness;
let superToken: string;
let agentToken: string;

const URLS = [
  `/api/reports/agent-time?from=2026-05-10T00:00:00Z&to=2026-05-11T00:00:00Z`,
  `/api/reports/agent-performance?from=2026-05-10T00:00:00Z&to=2026-05-11T00:00:00Z`,
  `/api/reports/outbound?from=2026-05-10T00:00:00Z&to=2026-05-11T00:00:00Z`,
  `/api/reports/compliance?to=2026-05-11T00:00:00Z`,
  `/api/reports/leads/1/history`,
];

beforeAll(async () => {
  h = await createHarness();
  (h.deps as typeof h.deps & ReportDeps).reports = new ReportsService(
    reportsOnPrimary(new ReportsRepository(h.db.pool)),
    new ManualClock(DAY + 86_400_000),
  );
  superToken = await h.login('super');
  agentToken = await h.login('agent1');
  // One dropped call with safe harbor, one human call handled by agent1.
  const at = (s: number) => new Date(DAY + 9 * 3_600_000 + s * 1_000);
  await h.db.pool.query(
    `INSERT INTO call_log (id, campaign_id, list_id, lead_id, phone, server_id, channel_id,
                           originated_at, answered_at, dropped, drop_wait_ms, safe_harbor_at,
                           ended_at, outcome)
     VALUES ('d1', $1, $2, 7, '+12025550100', 's', 'd1', $3, $4, true, 2000, $5, $6, 'DROPPED')`,
    [h.campaignId, h.listId, at(0), at(10), at(12), at(15)],
  );
  await h.db.pool.query(
    `INSERT INTO call_log (id, campaign_id, list_id, lead_id, phone, server_id, channel_id, agent_id,
                           originated_at, answered_at, agent_connected_at, ended_at, outcome)
     VALUES ('c1', $1, $2, 8, '+12025550101', 's', 'c1', $3, $4, $5, $6, $7, 'HUMAN')`,
    [h.campaignId, h.listId, h.users.agent.id, at(100), at(110), at(111), at(171)],
  );
}, 60_000);

afterAll(async () => {
  await h?.close();
});

const get = (url: string, token: string) =>
  h.app.inject({ method: 'GET', url, headers: bearer(token) });

describe('report routes', () => {
  it.each(URLS)('refuses an agent with 403: %s', async (url) => {
    const r = await get(url, agentToken);
    expect(r.statusCode).toBe(403);
  });

  it('refuses a range over a year with 400 naming the field', async () => {
    const r = await get(
      '/api/reports/outbound?from=2025-01-01T00:00:00Z&to=2026-01-03T00:00:00Z',
      superToken,
    );
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({
      error: { code: 'VALIDATION', issues: [{ path: 'query.to' }] },
    });
  });

  it('refuses a backwards range and a malformed instant with 400', async () => {
    const back = await get(
      '/api/reports/agent-time?from=2026-05-11T00:00:00Z&to=2026-05-10T00:00:00Z',
      superToken,
    );
    expect(back.statusCode).toBe(400);
    const bad = await get(
      '/api/reports/agent-time?from=yesterday&to=2026-05-10T00:00:00Z',
      superToken,
    );
    expect(bad.statusCode).toBe(400);
  });

  it('refuses a filter that does not apply to the report rather than ignoring it', async () => {
    const r = await get(`${URLS[0]}&listId=${h.listId}`, superToken);
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({ error: { issues: [{ path: 'listId' }] } });
  });

  it('answers the outbound report as JSON by campaign', async () => {
    const r = await get(`${URLS[2]}&groupBy=campaign`, superToken);
    expect(r.statusCode).toBe(200);
    expect(r.headers['x-report-source']).toBe('primary');
    expect(r.json()).toEqual({
      groupBy: 'campaign',
      rows: [
        expect.objectContaining({
          campaignId: h.campaignId,
          dials: 2,
          humanAnswers: 2,
          drops: 1,
          dropPct: 50,
          asaMs: 1_000,
        }),
      ],
      freshness: { source: 'primary', replayedAtMs: null, lagMs: null, fellBack: false },
    });
  });

  it('exports agent performance as a CSV attachment with a header line', async () => {
    const r = await get(`${URLS[1]}&format=csv`, superToken);
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/csv/);
    expect(r.headers['content-disposition']).toBe('attachment; filename="agent-performance.csv"');
    const lines = r.body.trimEnd().split('\r\n');
    expect(lines[0]).toMatch(/^agent_id,agent,team_id,calls,talk_s,wrap_s,aht_s,/);
    expect(lines[1]).toMatch(new RegExp(`^${h.users.agent.id},agent1,,1,60,0,60,`));
  });

  it("exports the compliance report for an auditor with each drop's wait and safe harbor", async () => {
    const r = await get(`${URLS[3]}&format=csv`, superToken);
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain(`${h.campaignId},Spring,2,1,50.0000,0.000,0.000,50.0000,3,true`);
    expect(r.body).toContain(
      `d1,${h.campaignId},${h.listId},7,2026-05-10T09:00:10.000Z,2000,true,2026-05-10T09:00:12.000Z,2026-05-10T09:00:15.000Z`,
    );
  });

  it('answers 404 for the history of an unknown lead, in JSON and CSV', async () => {
    expect((await get('/api/reports/leads/999999/history', superToken)).statusCode).toBe(404);
    expect((await get('/api/reports/leads/999999/history?format=csv', superToken)).statusCode).toBe(
      404,
    );
  });
});
