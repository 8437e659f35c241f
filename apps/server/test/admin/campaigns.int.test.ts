import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import type { Campaign, ErrorBody } from '@ringside/protocol';
import { mapCheckViolation } from '../../src/adapters/postgres/campaigns.js';
import { type CampaignsRepo } from '../../src/ports/campaigns.js';
import { loadDialerCampaign } from '../../src/services/dialer/settings.js';
import { useAdminApp } from '../helpers/admin-hooks.js';
import { bearer, type Harness } from '../http/harness.js';

/**
 * Admin routes for campaigns (every setting and its limit, recycle rules, script) against the
 * real PostgreSQL: refusals name the field and the limit and change nothing, every change is
 * audited, and the dialer's own loader sees what the admin saved.
 */

let h: Harness;
let app: FastifyInstance;
let repo: CampaignsRepo;
let token = '';

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT';
const asAdmin = (method: Method, url: string, payload?: unknown) =>
  app.inject({
    method,
    url,
    headers: bearer(token),
    ...(payload !== undefined && { payload: payload as Record<string, unknown> }),
  });
const err = (body: string) => (JSON.parse(body) as ErrorBody).error;
const audits = async (target: string) =>
  (await h.deps.audit.list({ target }))
    .sort((a, b) => Number(b.id) - Number(a.id))
    .map((e) => ({ action: e.action, userId: e.userId, detail: e.detail }));

useAdminApp((rig) => ({ h, app, campaigns: repo, token } = rig));

/** A field, a value outside its limit, and the message that must name the limit. */
const OUT_OF_RANGE: Array<[string, unknown, string]> = [
  ['name', '', 'must not be empty'],
  ['dialMethod', 'blaster', 'manual'],
  ['dialLevel', 0, 'must be above 0 and at most 10'],
  ['dialLevel', 10.5, 'must be above 0 and at most 10'],
  ['dropRateCapPct', 3.5, 'must be between 0 and 3 %'],
  ['dropRateCapPct', -1, 'must be between 0 and 3 %'],
  ['dropWaitMs', 2001, 'must be between 0 and 2000 ms'],
  ['ringTimeoutS', 10, 'must be between 15 and 120 s'],
  ['ringTimeoutS', 121, 'must be between 15 and 120 s'],
  ['ringTimeoutS', 20.5, 'must be between 15 and 120 s (a whole number)'],
  ['ringTimeoutS', '30', 'must be between 15 and 120 s'],
  ['hopperSize', 0, 'must be between 1 and 50000'],
  ['hopperSize', 50_001, 'must be between 1 and 50000'],
  ['windowStart', '07:59', 'must be between 08:00 and 21:00 (legal calling hours)'],
  ['windowEnd', '21:01', 'must be between 08:00 and 21:00 (legal calling hours)'],
  ['windowStart', '9am', 'must be HH:MM (24 h)'],
  ['maxAttempts', 0, 'must be between 1 and 100'],
  ['maxAttempts', 101, 'must be between 1 and 100'],
  ['callerId', '5551234', 'must be an E.164 number such as +14155550123'],
  ['machineAction', 'voicemail', 'hangup'],
  ['machineMessageAudio', '', 'must not be empty'],
  ['safeHarborAudio', 'x'.repeat(201), 'must be at most 200 characters'],
  ['wrapupS', 3601, 'must be between 0 and 3600 s'],
  ['wrapupTimeoutAction', 'hangup', 'disposition'],
  ['wrapupDefaultDisposition', 'not interested', 'must be a code of 1-16 A-Z 0-9 _'],
  ['script', 'x'.repeat(20_001), 'must be at most 20000 characters'],
  ['active', 'yes', 'boolean'],
];

describe('campaign create', () => {
  it('creates a campaign with the defaults and audits its settings', async () => {
    const r = await asAdmin('POST', '/api/campaigns', { name: 'Summer', ringTimeoutS: 30 });
    expect(r.statusCode).toBe(201);
    const c = r.json() as Campaign;
    expect(c).toMatchObject({
      name: 'Summer',
      active: false,
      dialMethod: 'predictive',
      dialLevel: 1,
      dropRateCapPct: 3,
      dropWaitMs: 2000,
      ringTimeoutS: 30,
      windowStart: '09:00',
      windowEnd: '20:00',
    });
    const [a] = await audits(`campaign:${c.id}`);
    expect(a).toMatchObject({
      action: 'campaign.create',
      userId: h.users.admin.id,
      detail: { settings: { name: 'Summer', ringTimeoutS: 30 } },
    });
  });

  it('refuses a ring timeout of 10 naming the field and the limit, and creates nothing', async () => {
    const before = (await repo.list()).length;
    const r = await asAdmin('POST', '/api/campaigns', { name: 'Winter', ringTimeoutS: 10 });
    expect(r.statusCode).toBe(400);
    expect(err(r.body)).toEqual({
      code: 'VALIDATION',
      message: 'ringTimeoutS: must be between 15 and 120 s',
      issues: [{ path: 'ringTimeoutS', message: 'must be between 15 and 120 s' }],
    });
    expect((await repo.list()).length).toBe(before);
  });

  it('refuses a taken name with 409 naming the field', async () => {
    const r = await asAdmin('POST', '/api/campaigns', { name: 'Spring' });
    expect(r.statusCode).toBe(409);
    expect(err(r.body).message).toMatch(/^name:/);
  });

  it.each(OUT_OF_RANGE)('refuses %s = %j on create', async (field, value, message) => {
    const r = await asAdmin('POST', '/api/campaigns', { name: `Bad ${field}`, [field]: value });
    expect(r.statusCode).toBe(400);
    const path = field === 'name' ? 'name' : field;
    expect(err(r.body).issues?.find((i) => i.path === path)?.message).toContain(message);
    expect((await repo.list()).some((c) => c.name === `Bad ${field}`)).toBe(false);
  });
});

describe('campaign update', () => {
  it.each(OUT_OF_RANGE)('refuses %s = %j with 400 naming the limit', async (field, value, msg) => {
    const before = await repo.get(h.campaignId);
    const r = await asAdmin('PATCH', `/api/campaigns/${h.campaignId}`, { [field]: value });
    expect(r.statusCode).toBe(400);
    const e = err(r.body);
    expect(e.code).toBe('VALIDATION');
    expect(e.issues?.find((i) => i.path === field)?.message).toContain(msg);
    expect(e.message.startsWith(`${field}: `)).toBe(true);
    expect(await repo.get(h.campaignId)).toEqual(before);
  });

  it('refuses a window that ends before it starts, given whole or against the stored start', async () => {
    const before = await repo.get(h.campaignId);
    const both = await asAdmin('PATCH', `/api/campaigns/${h.campaignId}`, {
      windowStart: '12:00',
      windowEnd: '10:00',
    });
    expect(err(both.body).issues).toEqual([
      { path: 'windowEnd', message: 'must be after the window start' },
    ]);
    const one = await asAdmin('PATCH', `/api/campaigns/${h.campaignId}`, { windowEnd: '08:30' });
    expect(one.statusCode).toBe(400);
    expect(err(one.body).issues?.[0]?.path).toBe('windowEnd');
    expect(await repo.get(h.campaignId)).toEqual(before);
  });

  it('changes every setting, audits each from and to, and the dialer loads the new values', async () => {
    // The wrap-up default must name one of the campaign's dispositions (issue 12).
    await h.db.pool.query(
      "INSERT INTO dispositions (campaign_id, code, name) VALUES ($1, 'CALLBK', 'Call back')",
      [h.campaignId],
    );
    const patch = {
      name: 'Spring 2',
      active: true,
      dialMethod: 'ratio',
      dialLevel: 2.5,
      dropRateCapPct: 2,
      dropWaitMs: 1500,
      ringTimeoutS: 40,
      hopperSize: 800,
      windowStart: '08:30',
      windowEnd: '20:30',
      maxAttempts: 9,
      callerId: '+14155550123',
      amdEnabled: false,
      machineAction: 'message',
      machineMessageAudio: 'sound:our-message',
      safeHarborAudio: 'sound:safe-harbor',
      wrapupS: 45,
      wrapupTimeoutAction: 'pause',
      wrapupDefaultDisposition: 'CALLBK',
      script: 'Hi {{first_name}}, this is {{agent_name}}.',
    } as const;
    const before = await repo.get(h.campaignId);
    const r = await asAdmin('PATCH', `/api/campaigns/${h.campaignId}`, patch);
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject(patch);
    const [a] = await audits(`campaign:${h.campaignId}`);
    expect(a?.action).toBe('campaign.update');
    const changes = a?.detail.changes as Record<string, { from: unknown; to: unknown }>;
    expect(Object.keys(changes).sort()).toEqual(Object.keys(patch).sort());
    expect(changes.ringTimeoutS).toEqual({ from: before?.ringTimeoutS, to: 40 });
    expect(changes.script).toEqual({ from: before?.script, to: patch.script });

    // What the running dialer reads at its next settings reload (every 5 s).
    const loaded = await loadDialerCampaign(repo, h.campaignId);
    expect(loaded?.invalid).toBeNull();
    expect(loaded?.campaign).toMatchObject({
      active: true,
      dialMethod: 'ratio',
      dialLevel: 2.5,
      dropWaitMs: 1500,
      ringTimeoutS: 40,
      callerId: '+14155550123',
      amdEnabled: false,
      machineAction: 'message',
      window: { startMinute: 8 * 60 + 30, endMinute: 20 * 60 + 30 },
    });
  });

  it('audits only the fields whose value changed and answers 404 for a missing campaign', async () => {
    const r = await asAdmin('PATCH', `/api/campaigns/${h.campaignId}`, {
      dialLevel: 2.5,
      hopperSize: 900,
    });
    expect(r.statusCode).toBe(200);
    const [a] = await audits(`campaign:${h.campaignId}`);
    expect(a?.detail).toEqual({ changes: { hopperSize: { from: 800, to: 900 } } });
    expect((await asAdmin('PATCH', '/api/campaigns/999999', { dialLevel: 1 })).statusCode).toBe(
      404,
    );
  });

  it('edits the script', async () => {
    const script = 'Hello {{first_name}} from {{city}}';
    const r = await asAdmin('PATCH', `/api/campaigns/${h.campaignId}`, { script });
    expect(r.statusCode).toBe(200);
    expect((await repo.get(h.campaignId))?.script).toBe(script);
  });
});

describe('recycle rules', () => {
  it('replaces the rules, audits before and after, and the dialer loads them', async () => {
    const rules = [
      { status: 'BUSY', delayS: 600, maxAttempts: 5 },
      { status: 'NO_ANSWER', delayS: 3600, maxAttempts: 4 },
    ];
    const r = await asAdmin('PUT', `/api/campaigns/${h.campaignId}/recycle-rules`, { rules });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ rules });
    const got = await asAdmin('GET', `/api/campaigns/${h.campaignId}/recycle-rules`);
    expect(got.json()).toEqual({ rules });
    const [a] = await audits(`campaign:${h.campaignId}`);
    expect(a).toMatchObject({
      action: 'campaign.recycle_rules',
      detail: { changes: { rules: { from: [], to: rules } } },
    });
    const loaded = await loadDialerCampaign(repo, h.campaignId);
    expect(loaded?.campaign.recycle.rules).toEqual({
      BUSY: { delayS: 600, maxAttempts: 5 },
      NO_ANSWER: { delayS: 3600, maxAttempts: 4 },
    });
  });

  it('refuses out-of-range and duplicate rules naming the rule and field, and changes nothing', async () => {
    const url = `/api/campaigns/${h.campaignId}/recycle-rules`;
    const before = await repo.recycleRules(h.campaignId);
    const cases: Array<[unknown, string, string]> = [
      [[{ status: 'BUSY', delayS: -1, maxAttempts: 1 }], 'rules.0.delayS', 'between 0 and 2592000'],
      [
        [{ status: 'BUSY', delayS: 2_592_001, maxAttempts: 1 }],
        'rules.0.delayS',
        'between 0 and 2592000 s (30 days)',
      ],
      [
        [
          { status: 'BUSY', delayS: 1, maxAttempts: 1 },
          { status: 'MACHINE', delayS: 1, maxAttempts: 101 },
        ],
        'rules.1.maxAttempts',
        'must be between 1 and 100',
      ],
      [[{ status: 'busy', delayS: 1, maxAttempts: 1 }], 'rules.0.status', 'A-Z 0-9 _'],
      [
        [
          { status: 'BUSY', delayS: 1, maxAttempts: 1 },
          { status: 'BUSY', delayS: 2, maxAttempts: 2 },
        ],
        'rules.1.status',
        'BUSY appears twice',
      ],
    ];
    for (const [rules, path, message] of cases) {
      const r = await asAdmin('PUT', url, { rules });
      expect(r.statusCode).toBe(400);
      expect(err(r.body).issues?.find((i) => i.path === path)?.message).toContain(message);
    }
    expect(await repo.recycleRules(h.campaignId)).toEqual(before);
    expect((await asAdmin('GET', '/api/campaigns/999999/recycle-rules')).statusCode).toBe(404);
  });
});

describe('database CHECK violations', () => {
  it('map every campaign and recycle-rule constraint to its field and limit', async () => {
    const id = h.campaignId;
    const cases: Array<[string, string, string]> = [
      ['UPDATE campaigns SET dial_level = 0 WHERE id = $1', 'dialLevel', 'above 0'],
      ['UPDATE campaigns SET drop_rate_cap_pct = 4 WHERE id = $1', 'dropRateCapPct', '0 and 3'],
      ['UPDATE campaigns SET drop_wait_ms = 3000 WHERE id = $1', 'dropWaitMs', '0 and 2000'],
      ['UPDATE campaigns SET ring_timeout_s = 10 WHERE id = $1', 'ringTimeoutS', '15 and 120'],
      ['UPDATE campaigns SET hopper_size = 0 WHERE id = $1', 'hopperSize', '1 and 50000'],
      ['UPDATE campaigns SET max_attempts = 0 WHERE id = $1', 'maxAttempts', '1 and 100'],
      ["UPDATE campaigns SET caller_id = '1' WHERE id = $1", 'callerId', 'E.164'],
      ['UPDATE campaigns SET wrapup_s = 5000 WHERE id = $1', 'wrapupS', '0 and 3600'],
      ["UPDATE campaigns SET window_start = '07:00' WHERE id = $1", 'windowEnd', '08:00-21:00'],
      ["UPDATE campaigns SET dial_method = 'x' WHERE id = $1", 'dialMethod', 'predictive'],
      [
        'INSERT INTO campaign_recycle_rules VALUES ($1, $$X$$, -1, 1)',
        'rules.delayS',
        '0 and 2592000',
      ],
    ];
    for (const [sql, path, message] of cases) {
      const e = await h.db.pool.query(sql, [id]).catch((x: unknown) => x);
      const mapped = mapCheckViolation(e);
      expect(mapped?.issues[0]?.path, sql).toBe(path);
      expect(mapped?.message, sql).toContain(message);
    }
  });

  it('is a 400 naming the field, not a 500, when only the database refuses the value', async () => {
    // A stricter rule in the database than in the API (as after a race between two updates):
    // the database's refusal reaches the client as a 400 on the field, and nothing changes.
    await h.db.pool.query(
      `ALTER TABLE campaigns DROP CONSTRAINT campaigns_ring_timeout_s_check,
       ADD CONSTRAINT campaigns_ring_timeout_s_check CHECK (ring_timeout_s BETWEEN 15 AND 60)`,
    );
    const before = await repo.get(h.campaignId);
    const r = await asAdmin('PATCH', `/api/campaigns/${h.campaignId}`, { ringTimeoutS: 90 });
    expect(r.statusCode).toBe(400);
    expect(err(r.body).issues?.[0]?.path).toBe('ringTimeoutS');
    expect(await repo.get(h.campaignId)).toEqual(before);
  });
});
