import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  CampaignId,
  E164,
  LeadId,
  ListId,
  StateRulesResponse,
  WhyNotDialedResponse,
} from '@ringside/protocol';
import { PgHopperSource } from '../../src/adapters/postgres/hopper-source.js';
import { PgStateRules } from '../../src/adapters/postgres/state-rules.js';
import { RedisDialAttempts } from '../../src/adapters/redis/dial-attempts.js';
import { RedisHopper } from '../../src/adapters/redis/hopper.js';
import { DEFAULT_STATE_RULES } from '../../src/domain/state-rules.js';
import { ManualClock } from '../../src/ports/clock.js';
import { StateRulesCache } from '../../src/services/compliance/index.js';
import { rederiveIfStale, rederiveTimeZones } from '../../src/adapters/postgres/rederive-tz.js';
import { injectLogin } from '../helpers/admin-app.js';
import { waitFor } from '../helpers/wait.js';
import { createHarness, type Harness } from '../http/harness.js';
import { buildComplianceApp } from './compliance-app.js';

// 2026-06-10 (a Wednesday) 00:30 UTC = 20:30 EDT on June 9 in Miami.
const AT = Date.UTC(2026, 5, 10, 0, 30);
const MIAMI = '+13055550100' as E164;

let h: Harness;
let app: FastifyInstance;
let leadId: string;
const clock = new ManualClock(AT);
const tokens: Record<string, string> = {};

const why = async (id: string, who = 'supervisor') =>
  app.inject({
    method: 'GET',
    url: `/api/leads/${id}/why-not-dialed`,
    headers: { authorization: `Bearer ${tokens[who]}` },
  });

beforeAll(async () => {
  h = await createHarness();
  app = await buildComplianceApp(h, { clock });
  for (const [who, name] of [
    ['admin', 'admin'],
    ['supervisor', 'super'],
    ['agent', 'agent1'],
  ] as const) {
    tokens[who] = await injectLogin(app, name);
  }
  await h.db.pool.query(
    "UPDATE campaigns SET active = true, window_start = '08:00', window_end = '21:00' WHERE id = $1",
    [h.campaignId],
  );
  const r = await h.db.pool.query<{ id: string }>(
    `INSERT INTO leads (list_id, phone, state, postal_code, time_zone, tz_candidates, tz_key,
                        tz_source, attempts)
     VALUES ($1, $2, 'FL', '33101', 'America/New_York', '{America/New_York}',
             'America/New_York', 'postal_code', 3)
     RETURNING id::text`,
    [h.listId, MIAMI],
  );
  leadId = r.rows[0]?.id ?? '';
}, 60_000);

afterAll(async () => {
  await app?.close();
  await h?.close();
});

describe('GET /api/leads/:id/why-not-dialed', () => {
  it('names every rule holding a Florida lead back at 20:30 local', async () => {
    // On the system-wide DNC list, dialed 3 times today, a callback pending, in the hopper.
    await h.db.pool.query("INSERT INTO dnc (phone, source) VALUES ($1, 'manual')", [MIAMI]);
    const attempts = new RedisDialAttempts(h.redis, h.keys);
    for (const hours of [10, 5, 1]) {
      await attempts.record(MIAMI, AT - hours * 3_600_000, `c${hours}`);
    }
    await h.db.pool.query(
      `INSERT INTO callbacks (lead_id, campaign_id, due_at, time_zone)
       VALUES ($1, $2, $3, 'America/New_York')`,
      [leadId, h.campaignId, new Date(AT + 13 * 3_600_000)],
    );
    const hopper = new RedisHopper(h.redis, { prefix: h.keys.prefix });
    await hopper.add(h.campaignId as CampaignId, [
      {
        leadId: leadId as LeadId,
        listId: h.listId as ListId,
        campaignId: h.campaignId as CampaignId,
        phone: MIAMI,
        timeZones: ['America/New_York'],
        priority: 'new',
        attempts: 3,
        windowClosesAtMs: AT + 3_600_000,
      },
    ]);

    const res = await why(leadId);
    expect(res.statusCode).toBe(200);
    const body = res.json() as WhyNotDialedResponse;
    expect(body.dialable).toBe(false);
    const codes = body.reasons.map((r) => r.code);
    expect(codes).toEqual(
      expect.arrayContaining([
        'DNC',
        'STATE_WINDOW',
        'STATE_ATTEMPTS',
        'CALLBACK_PENDING',
        'IN_HOPPER',
      ]),
    );
    expect(codes).not.toContain('CALLING_WINDOW'); // 20:30 is inside 08:00-21:00
    const byCode = Object.fromEntries(body.reasons.map((r) => [r.code, r]));
    expect(byCode.DNC?.message).toMatch(/internal \(system-wide\) list/);
    expect(byCode.STATE_WINDOW?.message).toMatch(/FL rule: 20:30 in America\/New_York/);
    expect(byCode.STATE_WINDOW?.untilMs).toBe(AT + 11.5 * 3_600_000); // 08:00 next morning
    expect(byCode.STATE_ATTEMPTS?.message).toMatch(/3 times in the last 24 hours, at most 3/);
    expect(byCode.IN_HOPPER?.message).toMatch(/position 1 of 1/);
    expect(body.timeZone).toEqual({
      candidates: [
        {
          zone: 'America/New_York',
          localTime: '20:30',
          inside: true,
          sources: ['postal_code 33101', 'area_code 305'],
        },
      ],
      window: '08:00-21:00',
      decidingZone: 'America/New_York',
    });
    expect(body.states).toEqual([
      {
        state: 'FL',
        sources: ['address', 'postal_code', 'area_code'],
        rule: expect.objectContaining({ window: '08:00-20:00', maxAttemptsPer24h: 3 }),
      },
    ]);
    expect(body.attempts).toMatchObject({ made: 3, last24h: 3 });
    expect(body.hopper).toEqual({ position: 1, leased: false, size: 1 });
  });

  it('names the blocking zone and the inactive list, and says so for a clean lead', async () => {
    // 11:00 UTC: 07:00 in New York.
    const early = new ManualClock(Date.UTC(2026, 5, 10, 11, 0));
    const app2 = await buildComplianceApp(h, { clock: early });
    const t = await injectLogin(app2, 'super');
    const r = await h.db.pool.query<{ id: string }>(
      `INSERT INTO leads (list_id, phone, postal_code, time_zone, tz_candidates, tz_key, tz_source)
       VALUES ($1, '+16155550100', '42101', 'America/Chicago', '{America/Chicago}',
               'America/Chicago', 'postal_code') RETURNING id::text`,
      [h.listId],
    );
    const id = r.rows[0]?.id ?? '';
    const get = async () =>
      (
        await app2.inject({
          method: 'GET',
          url: `/api/leads/${id}/why-not-dialed`,
          headers: { authorization: `Bearer ${t}` },
        })
      ).json() as WhyNotDialedResponse;
    const b = await get();
    // Kentucky (ZIP 42101) allows calls from 10:00 only.
    expect(b.reasons.map((x) => x.code)).toEqual(['CALLING_WINDOW', 'STATE_WINDOW']);
    expect(b.reasons[0]?.message).toMatch(/it is 06:00 in America\/Chicago/);
    expect(b.reasons[1]?.message).toMatch(/KY rule: 06:00 in America\/Chicago .*10:00-21:00/);
    expect(b.timeZone.decidingZone).toBe('America/Chicago');
    early.set(Date.UTC(2026, 5, 10, 15, 0)); // 10:00 in Bowling Green
    expect(await get()).toMatchObject({ dialable: true, reasons: [] });
    await h.db.pool.query('UPDATE lists SET active = false WHERE id = $1', [h.listId]);
    expect((await get()).reasons.map((x) => x.code)).toEqual(['LIST_INACTIVE']);
    await h.db.pool.query('UPDATE lists SET active = true WHERE id = $1', [h.listId]);
    await app2.close();
  });

  it('is for supervisors and admins; 404 for an unknown lead, 400 for a bad id', async () => {
    expect((await why(leadId, 'agent')).statusCode).toBe(403);
    expect((await why(leadId, 'admin')).statusCode).toBe(200);
    expect((await why('999999999')).statusCode).toBe(404);
    expect((await why('abc')).statusCode).toBe(400);
  });
});

describe('state calling rules API', () => {
  const put = (state: string, payload: unknown, who = 'admin') =>
    app.inject({
      method: 'PUT',
      url: `/api/admin/state-rules/${state}`,
      headers: { authorization: `Bearer ${tokens[who]}` },
      payload: payload as Record<string, unknown>,
    });
  const fl = {
    days: Array.from({ length: 7 }, () => ['08:00', '21:00']),
    maxAttemptsPer24h: 3,
    statute: 'Fla. Stat. § 501.059',
    note: 'widened for the test',
  };

  it('lists the seeded rules, the same as the domain defaults, with the counsel note', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/api/admin/state-rules',
      headers: { authorization: `Bearer ${tokens.supervisor}` },
    });
    expect(res.statusCode).toBe(200);
    const body = res.json() as StateRulesResponse;
    expect(body.note).toMatch(/counsel should confirm/);
    const seeded = await new PgStateRules(h.db.pool).list();
    expect(seeded.map(({ updatedAtMs: _a, updatedBy: _b, ...r }) => r)).toEqual(
      [...DEFAULT_STATE_RULES].sort((a, b) => a.state.localeCompare(b.state)),
    );
    expect(body.rules.find((r) => r.state === 'MD')).toMatchObject({
      maxAttemptsPer24h: 3,
      days: Array.from({ length: 7 }, () => ['08:00', '20:00']),
    });
  });

  it('lets an admin change a rule: audited, announced, and the caches and the explainer use it', async () => {
    const cache = new StateRulesCache(new PgStateRules(h.db.pool), undefined, 3_600_000);
    await cache.start(h.bus);
    expect(cache.current().get('FL')?.days[0]?.endMinute).toBe(20 * 60);
    const res = await put('FL', fl);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ state: 'FL', note: 'widened for the test' });
    await waitFor(
      'the cache re-read the rules',
      () => cache.current().get('FL')?.days[0]?.endMinute === 21 * 60,
    );
    await cache.stop();
    const audit = await h.db.pool.query(
      "SELECT action FROM audit_log WHERE target = 'state_rule:FL'",
    );
    expect(audit.rows.map((r: { action: string }) => r.action)).toContain('state_rule.put');
    const body = (await why(leadId)).json() as WhyNotDialedResponse;
    expect(body.reasons.map((r) => r.code)).not.toContain('STATE_WINDOW');
  });

  it('refuses bad rules with 400 naming the field, and non-admins with 403', async () => {
    const short = await put('FL', { ...fl, days: fl.days.slice(0, 6) });
    expect(short.statusCode).toBe(400);
    expect(short.body).toMatch(/days/);
    const backwards = await put('FL', { ...fl, days: [['20:00', '08:00'], ...fl.days.slice(1)] });
    expect(backwards.statusCode).toBe(400);
    expect(backwards.body).toMatch(/days\.0/);
    const nul = await put('FL', { ...fl, note: 'a\u0000b' });
    expect(nul.statusCode).toBe(400);
    expect(nul.body).toMatch(/note/);
    expect((await put('Florida', fl)).statusCode).toBe(400);
    expect((await put('FL', { ...fl, extra: 1 })).statusCode).toBe(400);
    expect((await put('FL', fl, 'supervisor')).statusCode).toBe(403);
  });

  it('deletes a rule (404 when there is none)', async () => {
    const del = (state: string) =>
      app.inject({
        method: 'DELETE',
        url: `/api/admin/state-rules/${state}`,
        headers: { authorization: `Bearer ${tokens.admin}` },
      });
    expect((await del('WA')).json()).toEqual({ deleted: true });
    expect((await del('WA')).statusCode).toBe(404);
  });
});

describe('PgHopperSource.defer (the filler holds back leads a state window closes)', () => {
  it('clears the mark and moves next_eligible_at and a queued callback to when the rule allows', async () => {
    const r = await h.db.pool.query<{ id: string }>(
      `INSERT INTO leads (list_id, phone, state, tz_candidates, tz_key, tz_source, hopper_at)
       VALUES ($1, '+14055550123', 'OK', '{America/Chicago}', 'America/Chicago', 'area_code', now())
       RETURNING id::text`,
      [h.listId],
    );
    const id = r.rows[0]?.id ?? '';
    await h.db.pool.query(
      `INSERT INTO callbacks (lead_id, campaign_id, due_at, time_zone, status)
       VALUES ($1, $2, $3, 'America/Chicago', 'QUEUED')`,
      [id, h.campaignId, new Date(AT)],
    );
    const until = AT + 12 * 3_600_000;
    const n = await new PgHopperSource(h.db.pool).defer([{ leadId: id as LeadId, untilMs: until }]);
    expect(n).toBe(1);
    const lead = await h.db.pool.query<{ hopper_at: Date | null; next_eligible_at: Date }>(
      'SELECT hopper_at, next_eligible_at FROM leads WHERE id = $1',
      [id],
    );
    expect(lead.rows[0]?.hopper_at).toBeNull();
    expect(lead.rows[0]?.next_eligible_at.getTime()).toBe(until);
    const cb = await h.db.pool.query<{ status: string; due_at: Date }>(
      'SELECT status, due_at FROM callbacks WHERE lead_id = $1',
      [id],
    );
    expect(cb.rows[0]?.status).toBe('PENDING');
    expect(cb.rows[0]?.due_at.getTime()).toBe(until);
  });
});

describe('leads derived with the old tables get their zones again', () => {
  it('re-derives a Bowling Green lead stored as Louisville (Eastern) to Chicago, once', async () => {
    const r = await h.db.pool.query<{ id: string }>(
      `INSERT INTO leads (list_id, phone, postal_code, time_zone, tz_candidates, tz_key, tz_source)
       VALUES ($1, '+16155550177', '42101', 'America/Kentucky/Louisville',
               '{America/Kentucky/Louisville}', 'America/Kentucky/Louisville', 'postal_code'),
              ($1, '+16155550178', '42101', 'America/New_York', '{America/New_York}',
               'America/New_York', 'manual')
       RETURNING id::text`,
      [h.listId],
    );
    const [derived, manual] = r.rows.map((x) => x.id);
    await h.db.pool.query('DELETE FROM tz_data_version');
    expect(await rederiveIfStale(h.db.pool, { batch: 2 })).toBe(true);
    const rows = await h.db.pool.query<{ id: string; tz_key: string; time_zone: string | null }>(
      'SELECT id::text, tz_key, time_zone FROM leads WHERE id = ANY($1::bigint[]) ORDER BY id',
      [[derived, manual]],
    );
    expect(rows.rows).toEqual([
      { id: derived, tz_key: 'America/Chicago', time_zone: 'America/Chicago' },
      // A zone given in the file is kept.
      { id: manual, tz_key: 'America/New_York', time_zone: 'America/New_York' },
    ]);
    expect(await rederiveIfStale(h.db.pool)).toBe(false);
    expect(await rederiveTimeZones(h.db.pool)).toBe(0);
  });
});
