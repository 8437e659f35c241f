import { describe, expect, it } from 'vitest';
import { err, get, h, tokens, useApiHarness } from './api-harness.js';
import { bearer } from './harness.js';

/**
 * The agent desk's routes (issue 17): the wrap-up extension's refusals, the agent's own day,
 * dispositions most used first, and the campaign's extension settings, validated with messages
 * naming the field (pause codes' daily limits: test/admin/pause-limits.int.test.ts).
 */

useApiHarness();

describe('agent desk routes', () => {
  it('refuses a wrap-up extension outside wrap-up with 409 and a clear message', async () => {
    await h.app.inject({
      method: 'POST',
      url: '/api/agent/session/login',
      headers: bearer(tokens.agent),
      payload: { campaignId: h.campaignId },
    });
    const r = await h.app.inject({
      method: 'POST',
      url: '/api/agent/session/wrapup/extend',
      headers: bearer(tokens.agent),
    });
    expect(r.statusCode).toBe(409);
    expect(err(r.body).message).toMatch(/no wrap-up to extend/);
    const sup = await h.app.inject({
      method: 'POST',
      url: '/api/agent/session/wrapup/extend',
      headers: bearer(tokens.supervisor),
    });
    expect(sup.statusCode).toBe(403);
  });

  it("serves the signed-in agent's day in the zone it asks for, and refuses an unknown zone", async () => {
    const r = await get('/api/agent/my-day?tz=America%2FChicago', 'agent');
    expect(r.statusCode).toBe(200);
    const day = r.json<{ timeZone: string; calls: number; dayStartMs: number; atMs: number }>();
    expect(day).toMatchObject({ timeZone: 'America/Chicago', calls: 0 });
    expect(day.atMs - day.dayStartMs).toBeLessThan(25 * 3600_000);
    const local = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'America/Chicago',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).format(day.dayStartMs);
    expect(local).toBe('00:00');
    const bad = await get('/api/agent/my-day?tz=Mars%2FOlympus', 'agent');
    expect(bad.statusCode).toBe(400);
    expect(err(bad.body).issues?.[0]?.path).toBe('tz');
  });

  it('lists dispositions most used first with ?order=usage, display order otherwise', async () => {
    await h.db.pool.query(
      `INSERT INTO dispositions (campaign_id, code, name, sort_order) VALUES
         (NULL, 'AAA', 'First', 1), (NULL, 'BBB', 'Second', 2), (NULL, 'CCC', 'Third', 3)`,
    );
    const lead = await h.db.pool.query<{ id: string }>(
      `INSERT INTO leads (list_id, phone) VALUES ($1, '+14155550777') RETURNING id::text`,
      [h.listId],
    );
    for (const [id, code] of [
      ['u1', 'CCC'],
      ['u2', 'CCC'],
      ['u3', 'BBB'],
    ]) {
      await h.db.pool.query(
        `INSERT INTO call_log (id, campaign_id, list_id, lead_id, phone, server_id, channel_id,
                               originated_at, disposition)
         VALUES ($1, $2, $3, $4, '+14155550777', 's', $1, now() - interval '1 day', $5)`,
        [id, h.campaignId, h.listId, lead.rows[0]?.id, code],
      );
    }
    const codes = async (q: string) =>
      (await get(`/api/campaigns/${h.campaignId}/dispositions${q}`, 'agent')).json<{
        dispositions: Array<{ code: string; uses30d?: number }>;
      }>().dispositions;
    const display = await codes('');
    expect(
      display.filter((d) => ['AAA', 'BBB', 'CCC'].includes(d.code)).map((d) => d.code),
    ).toEqual(['AAA', 'BBB', 'CCC']);
    const used = await codes('?order=usage');
    expect(used.slice(0, 2)).toEqual([
      expect.objectContaining({ code: 'CCC', uses30d: 2 }),
      expect.objectContaining({ code: 'BBB', uses30d: 1 }),
    ]);
  });

  it('admin: a campaign takes its wrap-up extension settings, bad values name the field', async () => {
    const ok = await h.app.inject({
      method: 'PATCH',
      url: `/api/campaigns/${h.campaignId}`,
      headers: bearer(tokens.admin),
      payload: { wrapupExtensions: 3, wrapupExtensionS: 45 },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ wrapupExtensions: 3, wrapupExtensionS: 45 });
    const bad = await h.app.inject({
      method: 'PATCH',
      url: `/api/campaigns/${h.campaignId}`,
      headers: bearer(tokens.admin),
      payload: { wrapupExtensionS: 2 },
    });
    expect(bad.statusCode).toBe(400);
    expect(err(bad.body).issues?.[0]?.path).toBe('wrapupExtensionS');
  });
});
