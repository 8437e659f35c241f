import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgRecordingRows } from '../../src/adapters/storage/recording-rows.js';
import { buildApp } from '../../src/http/app.js';
import { bearer, createHarness, type Harness } from '../http/harness.js';

let h: Harness;
let app: FastifyInstance;
let tokens: Record<'admin' | 'supervisor' | 'agent', string>;
let leadId: string;
let recordingId: string;

beforeAll(async () => {
  h = await createHarness({ loginPerIpPerMinute: 200 });
  app = await buildApp({ ...h.deps, legalHolds: new PgRecordingRows(h.db.pool) });
  await app.ready();
  tokens = {
    admin: await h.login('admin'),
    supervisor: await h.login('super'),
    agent: await h.login('agent1'),
  };
  const l = await h.db.pool.query<{ id: string }>(
    `INSERT INTO leads (list_id, phone) VALUES ($1, '+15550001111') RETURNING id::text`,
    [h.listId],
  );
  leadId = l.rows[0]!.id;
  const r = await h.db.pool.query<{ id: string }>(
    `INSERT INTO recordings (call_id, campaign_id, lead_id, server_id, state, started_at)
     VALUES ('call-hold-1', $1, $2, 'pbx:8088', 'stored', now()) RETURNING id::text`,
    [h.campaignId, leadId],
  );
  recordingId = r.rows[0]!.id;
});
afterAll(async () => {
  await app?.close();
  await h?.close();
});

const put = (url: string, token: string, payload: unknown) =>
  app.inject({ method: 'PUT', url, headers: bearer(token), payload: payload as object });
const holdOf = async (table: 'leads' | 'recordings', id: string) =>
  (
    await h.db.pool.query<{ legal_hold: boolean }>(
      `SELECT legal_hold FROM ${table} WHERE id = $1`,
      [id],
    )
  ).rows[0]?.legal_hold;
const audits = async (target: string) =>
  (await h.deps.audit.list({ target }))
    .sort((a, b) => Number(a.id) - Number(b.id))
    .map((e) => [e.action, e.detail]);

describe('legal hold routes', () => {
  it('admins set and lift a hold on a lead and on a recording, each change audited', async () => {
    let r = await put(`/api/leads/${leadId}/legal-hold`, tokens.admin, { hold: true });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ id: leadId, hold: true });
    expect(await holdOf('leads', leadId)).toBe(true);
    r = await put(`/api/recordings/${recordingId}/legal-hold`, tokens.admin, { hold: true });
    expect(r.json()).toEqual({ id: recordingId, hold: true });
    expect(await holdOf('recordings', recordingId)).toBe(true);
    r = await put(`/api/recordings/${recordingId}/legal-hold`, tokens.admin, { hold: false });
    expect(await holdOf('recordings', recordingId)).toBe(false);
    expect(await audits(`lead:${leadId}`)).toEqual([['lead.legal_hold.set', { hold: true }]]);
    expect(await audits(`recording:${recordingId}`)).toEqual([
      ['recording.legal_hold.set', { hold: true }],
      ['recording.legal_hold.lift', { hold: false }],
    ]);
  });

  it('refuses supervisors and agents, and changes nothing', async () => {
    for (const who of ['supervisor', 'agent'] as const) {
      const r = await put(`/api/leads/${leadId}/legal-hold`, tokens[who], { hold: false });
      expect(r.statusCode).toBe(403);
      const s = await put(`/api/recordings/${recordingId}/legal-hold`, tokens[who], { hold: true });
      expect(s.statusCode).toBe(403);
    }
    expect(await holdOf('leads', leadId)).toBe(true);
    expect(await holdOf('recordings', recordingId)).toBe(false);
  });

  it('answers 404 for what does not exist and 400 for a bad body', async () => {
    expect(
      (await put('/api/leads/999999/legal-hold', tokens.admin, { hold: true })).statusCode,
    ).toBe(404);
    expect(
      (await put('/api/recordings/999999/legal-hold', tokens.admin, { hold: true })).statusCode,
    ).toBe(404);
    const bad = await put(`/api/leads/${leadId}/legal-hold`, tokens.admin, { hold: 'yes' });
    expect(bad.statusCode).toBe(400);
    expect(await audits('lead:999999')).toEqual([]);
  });
});
