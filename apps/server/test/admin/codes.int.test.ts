import { describe, expect, it } from 'vitest';
import type {
  AdminDisposition,
  AdminDispositionsResponse,
  AdminPauseCode,
  AdminPauseCodesResponse,
  ErrorBody,
} from '@ringside/protocol';
import { listAdmin as t, useListAdmin } from './lists-harness.js';

useListAdmin();

const send = (
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  url: string,
  payload?: unknown,
  who: 'admin' | 'supervisor' | 'agent' = 'admin',
) =>
  t.app.inject({
    method,
    url,
    headers: t.as(who),
    ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}),
  });

/**
 * Creates `code` system-wide at `url` twice under two names: the second is a 409 saying the
 * `kind` already exists.
 */
async function expectSecondRefused(
  url: string,
  code: string,
  names: [string, string],
  kind: string,
): Promise<void> {
  await send('POST', url, { code, name: names[0] });
  const again = await send('POST', url, { code, name: names[1] });
  expect(again.statusCode).toBe(409);
  expect(again.json<ErrorBody>().error.message).toBe(
    `code: ${kind} ${code} already exists (system-wide)`,
  );
}

describe('dispositions', () => {
  it('creates, lists, changes and deletes a system-wide disposition, auditing each change', async () => {
    const made = await send('POST', '/api/dispositions', {
      code: 'SALE',
      name: 'Sale',
      sale: true,
      final: true,
      sortOrder: 1,
    });
    expect(made.statusCode).toBe(201);
    const d = made.json<AdminDisposition>();
    expect(d).toMatchObject({ campaignId: null, code: 'SALE', sale: true, humanAnswered: true });

    const list = await send('GET', '/api/dispositions');
    expect(list.json<AdminDispositionsResponse>().dispositions.map((x) => x.code)).toContain(
      'SALE',
    );

    const changed = await send('PATCH', `/api/dispositions/${d.id}`, {
      name: 'Closed sale',
      callback: true,
    });
    expect(changed.statusCode).toBe(200);
    expect(changed.json<AdminDisposition>()).toMatchObject({ name: 'Closed sale', callback: true });

    const gone = await send('DELETE', `/api/dispositions/${d.id}`);
    expect(gone.json()).toEqual({ deleted: true });
    expect(await t.count(`dispositions WHERE id = ${d.id}`)).toBe(0);

    const target = `disposition:${d.id}`;
    const [create] = (await t.audits('disposition.create')).filter((a) => a.target === target);
    const [update] = (await t.audits('disposition.update')).filter((a) => a.target === target);
    const [remove] = (await t.audits('disposition.delete')).filter((a) => a.target === target);
    expect(create?.detail).toMatchObject({ before: null, after: { code: 'SALE' } });
    expect(update?.detail).toMatchObject({
      changes: {
        name: { from: 'Sale', to: 'Closed sale' },
        callback: { from: false, to: true },
      },
      before: { name: 'Sale', callback: false },
      after: { name: 'Closed sale', callback: true },
    });
    expect(remove?.detail).toMatchObject({ before: { code: 'SALE' }, after: null });
    expect(remove?.user_id).toBe(t.h.users.admin.id);
  });

  it('keeps campaign codes apart from system-wide ones', async () => {
    const made = await send('POST', '/api/dispositions', {
      campaignId: t.h.campaignId,
      code: 'HOT',
      name: 'Hot lead',
    });
    expect(made.statusCode).toBe(201);
    const mine = await send('GET', `/api/dispositions?campaignId=${t.h.campaignId}`);
    expect(mine.json<AdminDispositionsResponse>().dispositions.map((x) => x.code)).toEqual(['HOT']);
    const system = await send('GET', '/api/dispositions');
    expect(system.json<AdminDispositionsResponse>().dispositions.map((x) => x.code)).not.toContain(
      'HOT',
    );
    const unknown = await send('GET', '/api/dispositions?campaignId=999999');
    expect(unknown.statusCode).toBe(404);
  });

  it('refuses a bad code, name or sort order with a 400 naming the field and the limit', async () => {
    const before = await t.count('dispositions');
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ code: 'sale!', name: 'x' }, 'code', /A-Z 0-9 _/],
      [{ code: 'A'.repeat(17), name: 'x' }, 'code', /1-16/],
      [{ code: 'OK', name: '' }, 'name', /empty/],
      [{ code: 'OK', name: 'n'.repeat(101) }, 'name', /100/],
      [{ code: 'OK', name: 'x', sortOrder: 1001 }, 'sortOrder', /1000/],
      [{ code: 'OK', name: 'x', colour: 'red' }, '(root)', /colour/],
    ];
    for (const [payload, field, limit] of cases) {
      const r = await send('POST', '/api/dispositions', payload);
      expect({ payload, status: r.statusCode }).toEqual({ payload, status: 400 });
      const e = r.json<ErrorBody>().error;
      expect(e.issues?.[0]?.path).toBe(field);
      expect(e.message).toMatch(limit);
    }
    expect(await t.count('dispositions')).toBe(before);
  });

  it('answers a code already used in the same scope with a clear 409, not a 500', async () => {
    await expectSecondRefused('/api/dispositions', 'DUP', ['First', 'Second'], 'disposition');
    const inCampaign = await send('POST', '/api/dispositions', {
      campaignId: t.h.campaignId,
      code: 'DUP',
      name: 'Campaign override',
    });
    expect(inCampaign.statusCode).toBe(201);
  });

  it('refuses deleting the code a campaign uses as its wrap-up default, naming the campaign', async () => {
    const ni = (
      await send('POST', '/api/dispositions', { code: 'NI', name: 'Not interested' })
    ).json<AdminDisposition>();
    const r = await send('DELETE', `/api/dispositions/${ni.id}`);
    expect(r.statusCode).toBe(409);
    expect(r.json<ErrorBody>().error.message).toMatch(
      /disposition NI is the wrap-up default of campaign "Spring" \(\d+\); choose another wrap-up default there first/,
    );
    expect(await t.count(`dispositions WHERE id = ${ni.id}`)).toBe(1);
    expect(
      (await t.audits('disposition.delete')).some((a) => a.target === `disposition:${ni.id}`),
    ).toBe(false);

    // With the campaign's own NI, the system-wide one may go.
    const own = await send('POST', '/api/dispositions', {
      campaignId: t.h.campaignId,
      code: 'NI',
      name: 'Not interested (Spring)',
    });
    expect(own.statusCode).toBe(201);
    const ok = await send('DELETE', `/api/dispositions/${ni.id}`);
    expect(ok.statusCode).toBe(200);
    // ... and the campaign's own is now the last definition.
    const last = await send('DELETE', `/api/dispositions/${own.json<AdminDisposition>().id}`);
    expect(last.statusCode).toBe(409);
  });

  it('answers 404 for an unknown disposition and 400 for an empty change', async () => {
    expect((await send('PATCH', '/api/dispositions/999999', { name: 'x' })).statusCode).toBe(404);
    expect((await send('DELETE', '/api/dispositions/999999')).statusCode).toBe(404);
    const d = (
      await send('POST', '/api/dispositions', { code: 'EMPTY', name: 'x' })
    ).json<AdminDisposition>();
    const r = await send('PATCH', `/api/dispositions/${d.id}`, {});
    expect(r.statusCode).toBe(400);
    const code = await send('PATCH', `/api/dispositions/${d.id}`, { code: 'OTHER' });
    expect(code.statusCode).toBe(400);
  });
});

describe('pause codes', () => {
  it('creates, changes and deletes a pause code with its billable flag, audited', async () => {
    const made = await send('POST', '/api/pause-codes', {
      code: 'TRAIN',
      name: 'Training',
      billable: true,
    });
    expect(made.statusCode).toBe(201);
    const p = made.json<AdminPauseCode>();
    expect(p).toMatchObject({ campaignId: null, code: 'TRAIN', billable: true });
    const list = await send('GET', '/api/pause-codes');
    expect(list.json<AdminPauseCodesResponse>().pauseCodes.map((x) => x.code)).toContain('TRAIN');
    const changed = await send('PATCH', `/api/pause-codes/${p.id}`, { billable: false });
    expect(changed.json<AdminPauseCode>().billable).toBe(false);
    const gone = await send('DELETE', `/api/pause-codes/${p.id}`);
    expect(gone.json()).toEqual({ deleted: true });
    const target = `pause_code:${p.id}`;
    const update = (await t.audits('pause_code.update')).find((a) => a.target === target);
    expect(update?.detail).toMatchObject({
      before: { billable: true },
      after: { billable: false },
    });
    expect((await t.audits('pause_code.create')).some((a) => a.target === target)).toBe(true);
    expect((await t.audits('pause_code.delete')).some((a) => a.target === target)).toBe(true);
  });

  it('refuses bad input with a 400 naming the field, and a taken code with a 409', async () => {
    const before = await t.count('pause_codes');
    const bad = await send('POST', '/api/pause-codes', { code: 'lunch', name: 'Lunch' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<ErrorBody>().error.issues?.[0]?.path).toBe('code');
    const billable = await send('POST', '/api/pause-codes', {
      code: 'LUNCH',
      name: 'Lunch',
      billable: 'yes',
    });
    expect(billable.json<ErrorBody>().error.issues?.[0]?.path).toBe('billable');
    expect(await t.count('pause_codes')).toBe(before);
    await expectSecondRefused('/api/pause-codes', 'LUNCH', ['Lunch', 'Lunch 2'], 'pause code');
    const unknownCampaign = await send('POST', '/api/pause-codes', {
      campaignId: '999999',
      code: 'X',
      name: 'x',
    });
    expect(unknownCampaign.statusCode).toBe(404);
  });
});

describe('who may call', () => {
  it('answers 403 to supervisors and agents on every code route, changing nothing', async () => {
    const d = (
      await send('POST', '/api/dispositions', { code: 'GUARD', name: 'Guarded' })
    ).json<AdminDisposition>();
    const p = (
      await send('POST', '/api/pause-codes', { code: 'GUARD', name: 'Guarded' })
    ).json<AdminPauseCode>();
    const routes: Array<['GET' | 'POST' | 'PATCH' | 'DELETE', string, unknown]> = [
      ['GET', '/api/dispositions', undefined],
      ['POST', '/api/dispositions', { code: 'NOPE', name: 'x' }],
      ['PATCH', `/api/dispositions/${d.id}`, { name: 'hacked' }],
      ['DELETE', `/api/dispositions/${d.id}`, undefined],
      ['GET', '/api/pause-codes', undefined],
      ['POST', '/api/pause-codes', { code: 'NOPE', name: 'x' }],
      ['PATCH', `/api/pause-codes/${p.id}`, { name: 'hacked' }],
      ['DELETE', `/api/pause-codes/${p.id}`, undefined],
    ];
    for (const [method, url, payload] of routes) {
      for (const who of ['supervisor', 'agent'] as const) {
        const r = await send(method, url, payload, who);
        expect({ who, method, url, status: r.statusCode }).toEqual({
          who,
          method,
          url,
          status: 403,
        });
      }
    }
    expect(await t.count(`dispositions WHERE id = ${d.id} AND name = 'Guarded'`)).toBe(1);
    expect(await t.count(`pause_codes WHERE id = ${p.id} AND name = 'Guarded'`)).toBe(1);
    expect(await t.count("dispositions WHERE code = 'NOPE'")).toBe(0);
  });
});
