import { describe, expect, it } from 'vitest';
import type {
  DncAddResponse,
  DncListResponse,
  DncLookupResponse,
  DncRemoveResponse,
  ErrorBody,
} from '@ringside/protocol';
import { listAdmin as t, useListAdmin } from './lists-harness.js';

useListAdmin();

const add = (payload: Record<string, unknown>, who: 'admin' | 'supervisor' | 'agent' = 'admin') =>
  t.app.inject({ method: 'POST', url: '/api/dnc', headers: t.as(who), payload });
const lookup = (phone: string, who: 'admin' | 'supervisor' | 'agent' = 'admin') =>
  t.app.inject({
    method: 'GET',
    url: `/api/dnc/lookup?phone=${encodeURIComponent(phone)}`,
    headers: t.as(who),
  });

describe('DNC add and lookup', () => {
  it('adds a typed number as E.164 and the dialer refuses it at once in every campaign', async () => {
    expect(await t.dialer.isBlocked('+14155550199', t.h.campaignId)).toBe(false);
    const r = await add({ phone: '(415) 555-0199', note: 'asked on the phone' });
    expect(r.statusCode).toBe(201);
    const body = r.json<DncAddResponse>();
    expect(body.created).toBe(true);
    expect(body.entry).toMatchObject({
      phone: '+14155550199',
      campaignId: null,
      source: 'manual',
      note: 'asked on the phone',
      addedBy: t.h.users.admin.id,
      addedByName: 'admin',
    });
    // The dialer's own dial-time check (Redis), with no sync run.
    expect(await t.dialer.isBlocked('+14155550199', t.h.campaignId)).toBe(true);
    expect(await t.dialer.isBlocked('+14155550199', '424242')).toBe(true);

    const audit = (await t.audits('dnc.add')).find((a) => a.target === `dnc:${body.entry.id}`);
    expect(audit?.user_id).toBe(t.h.users.admin.id);
    expect(audit?.detail).toMatchObject({
      before: null,
      after: { campaignId: null, phoneEnding: '0199', note: 'asked on the phone' },
    });
    // The audit log never holds the number itself.
    expect(JSON.stringify(audit?.detail)).not.toContain('5550199');
  });

  it("adds a number to one campaign's list only; lookup shows every entry with who and when", async () => {
    const r = await add({ phone: '+14155550200', campaignId: t.h.campaignId });
    expect(r.statusCode).toBe(201);
    expect(await t.dialer.isBlocked('+14155550200', t.h.campaignId)).toBe(true);
    expect(await t.dialer.isBlocked('+14155550200', '424242')).toBe(false);
    await add({ phone: '+14155550200' });

    const found = await lookup('415-555-0200', 'supervisor');
    expect(found.statusCode).toBe(200);
    const l = found.json<DncLookupResponse>();
    expect(l.phone).toBe('+14155550200');
    expect(l.entries.map((e) => [e.campaignId, e.campaignName])).toEqual([
      [null, null],
      [t.h.campaignId, 'Spring'],
    ]);
    expect(l.entries[0]?.addedByName).toBe('admin');
    expect(l.entries[0]?.addedAtMs).toBeGreaterThan(Date.now() - 60_000);

    const none = await lookup('+14155550999');
    expect(none.json<DncLookupResponse>()).toEqual({ phone: '+14155550999', entries: [] });
  });

  it('adding a number twice changes nothing and answers 200 with created false', async () => {
    const first = await add({ phone: '+14155550300' });
    const again = await add({ phone: '4155550300', note: 'second time' });
    expect(again.statusCode).toBe(200);
    expect(again.json<DncAddResponse>()).toMatchObject({
      created: false,
      entry: { id: first.json<DncAddResponse>().entry.id, note: '' },
    });
    expect(await t.count("dnc WHERE phone = '+14155550300'")).toBe(1);
    const audits = (await t.audits('dnc.add')).filter(
      (a) => a.target === `dnc:${first.json<DncAddResponse>().entry.id}`,
    );
    expect(audits).toHaveLength(1);
  });

  it('refuses a bad number, note or campaign with a 400 / 404 naming the field; nothing added', async () => {
    const before = await t.count('dnc');
    const bad = await add({ phone: '12345' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<ErrorBody>().error.issues?.[0]?.path).toBe('phone');
    expect(bad.json<ErrorBody>().error.message).toMatch(/not a valid phone number/);
    const long = await add({ phone: '+14155550301', note: 'n'.repeat(501) });
    expect(long.statusCode).toBe(400);
    expect(long.json<ErrorBody>().error.issues?.[0]).toMatchObject({ path: 'note' });
    expect(long.json<ErrorBody>().error.message).toMatch(/500/);
    const country = await add({ phone: '+14155550301', country: 'USA' });
    expect(country.json<ErrorBody>().error.issues?.[0]?.path).toBe('country');
    const campaign = await add({ phone: '+14155550301', campaignId: '999999' });
    expect(campaign.statusCode).toBe(404);
    const lookupBad = await lookup('abc');
    expect(lookupBad.statusCode).toBe(400);
    expect(lookupBad.json<ErrorBody>().error.issues?.[0]?.path).toBe('query.phone');
    expect(await t.count('dnc')).toBe(before);
    expect(await t.dialer.isBlocked('+14155550301', t.h.campaignId)).toBe(false);
  });
});

describe('DNC list and remove', () => {
  it('pages through entries newest first, by scope', async () => {
    await t.h.db.pool.query('DELETE FROM dnc');
    for (const n of ['+14155550401', '+14155550402', '+14155550403']) await add({ phone: n });
    await add({ phone: '+14155550404', campaignId: t.h.campaignId });
    const page = (q: string) =>
      t.app.inject({ method: 'GET', url: `/api/dnc?${q}`, headers: t.as('admin') });
    const first = (await page('scope=system&limit=2')).json<DncListResponse>();
    expect(first.entries.map((e) => e.phone)).toEqual(['+14155550403', '+14155550402']);
    expect(first.total).toBe(3);
    expect(first.nextBeforeId).not.toBeNull();
    const second = (
      await page(`scope=system&limit=2&beforeId=${first.nextBeforeId ?? ''}`)
    ).json<DncListResponse>();
    expect(second.entries.map((e) => e.phone)).toEqual(['+14155550401']);
    expect(second.nextBeforeId).toBeNull();
    const all = (await page('')).json<DncListResponse>();
    expect(all.total).toBe(4);
    const mine = (await page(`scope=${t.h.campaignId}`)).json<DncListResponse>();
    expect(mine.entries.map((e) => e.phone)).toEqual(['+14155550404']);
    const tooMany = await page('limit=201');
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json<ErrorBody>().error.issues?.[0]?.path).toBe('query.limit');
  });

  it('removes one entry, lets the dialer call the number again, and audits it', async () => {
    const entry = (await add({ phone: '+14155550500' })).json<DncAddResponse>().entry;
    expect(await t.dialer.isBlocked('+14155550500', t.h.campaignId)).toBe(true);
    const r = await t.app.inject({
      method: 'DELETE',
      url: `/api/dnc/${entry.id}`,
      headers: t.as('admin'),
    });
    expect(r.statusCode).toBe(200);
    expect(r.json<DncRemoveResponse>().removed.phone).toBe('+14155550500');
    expect(await t.dialer.isBlocked('+14155550500', t.h.campaignId)).toBe(false);
    const audit = (await t.audits('dnc.remove')).find((a) => a.target === `dnc:${entry.id}`);
    expect(audit?.detail).toMatchObject({ before: { phoneEnding: '0500' }, after: null });
    const again = await t.app.inject({
      method: 'DELETE',
      url: `/api/dnc/${entry.id}`,
      headers: t.as('admin'),
    });
    expect(again.statusCode).toBe(404);
  });
});

describe('who may call', () => {
  it('lets supervisors look up but not change; agents get 403 everywhere', async () => {
    const entry = (await add({ phone: '+14155550600' })).json<DncAddResponse>().entry;
    const before = await t.count('dnc');
    expect((await lookup('+14155550600', 'supervisor')).statusCode).toBe(200);
    expect((await lookup('+14155550600', 'agent')).statusCode).toBe(403);
    for (const who of ['supervisor', 'agent'] as const) {
      expect((await add({ phone: '+14155550601' }, who)).statusCode).toBe(403);
      const list = await t.app.inject({ method: 'GET', url: '/api/dnc', headers: t.as(who) });
      expect(list.statusCode).toBe(403);
      const del = await t.app.inject({
        method: 'DELETE',
        url: `/api/dnc/${entry.id}`,
        headers: t.as(who),
      });
      expect(del.statusCode).toBe(403);
    }
    expect(await t.count('dnc')).toBe(before);
    expect((await t.app.inject({ method: 'GET', url: '/api/dnc/lookup?phone=1' })).statusCode).toBe(
      401,
    );
  });
});
