import { describe, expect, it } from 'vitest';
import type {
  AdminList,
  AdminListsResponse,
  ErrorBody,
  ImportJobDetail,
  ImportJobsResponse,
  ImportPreview,
  ImportReport,
} from '@ringside/protocol';
import { listAdmin as t, useListAdmin } from './lists-harness.js';

useListAdmin();

const GOOD_AND_BAD =
  'phone,first_name,zip,source\n' +
  '+14155550101,Ann,94103,web\n' +
  'not-a-number,Bob,10001,web\n' +
  '(212) 555-0102,Cy,,fair\n';

function upload(url: string, csv: string, who: 'admin' | 'supervisor' | 'agent' = 'admin') {
  return t.app.inject({
    method: 'POST',
    url,
    headers: { ...t.as(who), 'content-type': 'text/csv' },
    payload: csv,
  });
}

/** An admin's PATCH of list `id`. */
const patchList = (id: string, payload: Record<string, unknown>) =>
  t.app.inject({ method: 'PATCH', url: `/api/lists/${id}`, headers: t.as('admin'), payload });

async function newList(name: string): Promise<AdminList> {
  const r = await t.app.inject({
    method: 'POST',
    url: '/api/lists',
    headers: t.as('admin'),
    payload: { campaignId: t.h.campaignId, name },
  });
  expect(r.statusCode).toBe(201);
  return r.json<AdminList>();
}

describe('lists', () => {
  it('an admin creates a list in a campaign; the creation is audited', async () => {
    const list = await newList('Spring leads');
    expect(list).toMatchObject({ campaignId: t.h.campaignId, name: 'Spring leads', active: true });
    expect(list.counts.total).toBe(0);
    const audit = (await t.audits('list.create')).find((a) => a.target === `list:${list.id}`);
    expect(audit?.user_id).toBe(t.h.users.admin.id);
    expect(audit?.detail).toMatchObject({ before: null, after: { name: 'Spring leads' } });
  });

  it('lists a campaign with lead counts by status, dialable and unknown time zone', async () => {
    const list = await newList('Counted');
    const r = await upload(`/api/lists/${list.id}/import`, GOOD_AND_BAD);
    expect(r.json<ImportReport>()).toMatchObject({ imported: 2, rejected: 1 });
    await t.h.db.pool.query(
      "UPDATE leads SET status = 'SALE', final = true WHERE list_id = $1 AND phone = '+12125550102'",
      [list.id],
    );
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/lists?campaignId=${t.h.campaignId}`,
      headers: t.as('admin'),
    });
    expect(res.statusCode).toBe(200);
    const found = res.json<AdminListsResponse>().lists.find((l) => l.id === list.id);
    expect(found?.counts).toEqual({
      total: 2,
      new: 2,
      dialable: 1,
      final: 1,
      unknownTimeZone: 0,
      byStatus: { NEW: 1, SALE: 1 },
    });
  });

  it('renames and deactivates a list, auditing before and after', async () => {
    const list = await newList('Old name');
    const r = await patchList(list.id, { name: 'New name', active: false });
    expect(r.statusCode).toBe(200);
    expect(r.json<AdminList>()).toMatchObject({ name: 'New name', active: false });
    const audit = (await t.audits('list.update')).find((a) => a.target === `list:${list.id}`);
    expect(audit?.detail).toMatchObject({
      changes: { name: { from: 'Old name', to: 'New name' }, active: { from: true, to: false } },
      before: { name: 'Old name', active: true },
      after: { name: 'New name', active: false },
    });
  });

  it('refuses a name over 100 characters with a 400 naming the field and the limit; nothing changes', async () => {
    const list = await newList('Keep me');
    const r = await patchList(list.id, { name: 'x'.repeat(101) });
    expect(r.statusCode).toBe(400);
    const body = r.json<ErrorBody>();
    expect(body.error.issues?.[0]?.path).toBe('name');
    expect(body.error.message).toMatch(/100/);
    const row = await t.h.db.pool.query<{ name: string }>('SELECT name FROM lists WHERE id = $1', [
      list.id,
    ]);
    expect(row.rows[0]?.name).toBe('Keep me');
  });

  it('refuses an empty change, an unknown field and an unknown campaign', async () => {
    const list = await newList('Strict');
    const empty = await patchList(list.id, {});
    expect(empty.statusCode).toBe(400);
    const extra = await patchList(list.id, { campaignId: '1' });
    expect(extra.statusCode).toBe(400);
    const before = await t.count('lists');
    const unknown = await t.app.inject({
      method: 'POST',
      url: '/api/lists',
      headers: t.as('admin'),
      payload: { campaignId: '999999', name: 'Nowhere' },
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json<ErrorBody>().error.message).toMatch(/campaign 999999/);
    expect(await t.count('lists')).toBe(before);
    const missing = await patchList('999999', { name: 'x' });
    expect(missing.statusCode).toBe(404);
  });
});

describe('import preview', () => {
  it('shows the first rows normalised, the bad row with its error, and the mapping; writes nothing', async () => {
    const list = await newList('Preview');
    const leads = await t.count('leads');
    const jobs = await t.count('import_jobs');
    const r = await upload(`/api/lists/${list.id}/import/preview`, GOOD_AND_BAD);
    expect(r.statusCode).toBe(200);
    const p = r.json<ImportPreview>();
    expect(p.header).toEqual(['phone', 'first_name', 'zip', 'source']);
    expect(p.mapping).toEqual({ phone: 'phone', first_name: 'first_name', postal_code: 'zip' });
    expect(p.custom).toEqual(['source']);
    expect(p.more).toBe(false);
    expect(p.rows.map((x) => x.row)).toEqual([2, 3, 4]);
    expect(p.rows[0]?.lead).toMatchObject({
      phone: '+14155550101',
      firstName: 'Ann',
      timeZone: 'America/Los_Angeles',
      tzSource: 'postal_code',
      custom: { source: 'web' },
    });
    expect(p.rows[1]).toMatchObject({
      cells: ['not-a-number', 'Bob', '10001', 'web'],
      lead: null,
      errors: [{ row: 3, column: 'phone' }],
    });
    expect(p.rows[2]?.lead).toMatchObject({ phone: '+12125550102', tzSource: 'area_code' });
    expect(await t.count('leads')).toBe(leads);
    expect(await t.count('import_jobs')).toBe(jobs);
  });

  it('marks rows the import would skip: already in the list, repeated, or on DNC', async () => {
    const list = await newList('Skips');
    await upload(`/api/lists/${list.id}/import`, 'phone\n+14155550111\n');
    await t.h.db.pool.query("INSERT INTO dnc (phone) VALUES ('+14155550112')");
    const r = await upload(
      `/api/lists/${list.id}/import/preview`,
      'phone\n+14155550111\n+14155550112\n+14155550113\n+14155550113\n',
    );
    expect(r.json<ImportPreview>().rows.map((x) => x.skip)).toEqual([
      'duplicate',
      'dnc',
      null,
      'duplicate',
    ]);
  });

  it('honours a mapping, shows only the rows asked for and says when more follow', async () => {
    const list = await newList('Mapped');
    const csv =
      'Cell,Given\n' +
      Array.from({ length: 30 }, (_, i) => `+1415555${String(1000 + i)},N${i}\n`).join('');
    const mapping = encodeURIComponent(JSON.stringify({ phone: 'Cell', first_name: 'Given' }));
    const r = await upload(`/api/lists/${list.id}/import/preview?rows=5&mapping=${mapping}`, csv);
    expect(r.statusCode).toBe(200);
    const p = r.json<ImportPreview>();
    expect(p.rows).toHaveLength(5);
    expect(p.more).toBe(true);
    expect(p.mapping).toMatchObject({ phone: 'Cell', first_name: 'Given' });
  });

  it('reads only the head of a large upload (the rest is drained) and says more rows follow', async () => {
    const list = await newList('Large');
    let csv = 'phone,note\n';
    for (let i = 0; i < 40_000; i++)
      csv += `+1415${String(3_000_000 + i)},row ${i} of a big file\n`;
    expect(csv.length).toBeGreaterThan(1024 * 1024);
    const leads = await t.count('leads');
    const r = await upload(`/api/lists/${list.id}/import/preview`, csv);
    expect(r.statusCode).toBe(200);
    const p = r.json<ImportPreview>();
    expect(p.rows).toHaveLength(20);
    expect(p.rows.every((x) => x.errors.length === 0)).toBe(true);
    expect(p.more).toBe(true);
    expect(await t.count('leads')).toBe(leads);
  });

  it('refuses a file that is not CSV, a mapping naming a missing column, and too many rows', async () => {
    const list = await newList('Refusals');
    const binary = await upload(`/api/lists/${list.id}/import/preview`, 'PK\u0003\u0004junk');
    expect(binary.statusCode).toBe(400);
    expect(binary.json<ErrorBody>().error.issues?.[0]?.path).toBe('file');
    const mapping = encodeURIComponent(JSON.stringify({ phone: 'Mobile' }));
    const missing = await upload(
      `/api/lists/${list.id}/import/preview?mapping=${mapping}`,
      'phone\n+14155550101\n',
    );
    expect(missing.statusCode).toBe(400);
    expect(missing.json<ErrorBody>().error.issues?.[0]?.path).toBe('mapping.phone');
    const many = await upload(`/api/lists/${list.id}/import/preview?rows=101`, 'phone\n');
    expect(many.statusCode).toBe(400);
    expect(many.json<ErrorBody>().error.issues?.[0]?.path).toBe('query.rows');
    const nolist = await upload('/api/lists/999999/import/preview', 'phone\n+14155550101\n');
    expect(nolist.statusCode).toBe(404);
    const json = await t.app.inject({
      method: 'POST',
      url: `/api/lists/${list.id}/import/preview`,
      headers: t.as('admin'),
      payload: { phone: 1 },
    });
    expect(json.statusCode).toBe(415);
  });
});

describe('import jobs', () => {
  it("lists a list's imports and gives one with its row errors, also as a CSV download", async () => {
    const list = await newList('Jobs');
    const r = await upload(`/api/lists/${list.id}/import?fileName=jobs.csv`, GOOD_AND_BAD);
    const report = r.json<ImportReport>();
    const jobs = await t.app.inject({
      method: 'GET',
      url: `/api/lists/${list.id}/imports`,
      headers: t.as('admin'),
    });
    expect(jobs.statusCode).toBe(200);
    expect(jobs.json<ImportJobsResponse>().jobs[0]).toMatchObject({
      id: report.jobId,
      fileName: 'jobs.csv',
      status: 'done',
      rowsTotal: 3,
      imported: 2,
      rejected: 1,
      errorCount: 1,
    });
    const one = await t.app.inject({
      method: 'GET',
      url: `/api/imports/${report.jobId}`,
      headers: t.as('admin'),
    });
    expect(one.json<ImportJobDetail>().errors).toEqual([
      { row: 3, column: 'phone', reason: 'not a valid phone number (country US)' },
    ]);
    const csv = await t.app.inject({
      method: 'GET',
      url: `/api/imports/${report.jobId}/errors.csv`,
      headers: t.as('admin'),
    });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.headers['content-disposition']).toContain(`import-${report.jobId}-errors.csv`);
    expect(csv.body).toBe('row,column,reason\r\n3,phone,not a valid phone number (country US)\r\n');
    const none = await t.app.inject({
      method: 'GET',
      url: '/api/imports/999999/errors.csv',
      headers: t.as('admin'),
    });
    expect(none.statusCode).toBe(404);
  });
});

describe('who may call', () => {
  const routes: Array<{ method: 'GET' | 'POST' | 'PATCH'; url: () => string }> = [
    { method: 'GET', url: () => `/api/lists?campaignId=${t.h.campaignId}` },
    { method: 'POST', url: () => '/api/lists' },
    { method: 'PATCH', url: () => `/api/lists/${t.h.listId}` },
    { method: 'POST', url: () => `/api/lists/${t.h.listId}/import/preview` },
    { method: 'GET', url: () => `/api/lists/${t.h.listId}/imports` },
    { method: 'GET', url: () => '/api/imports/1' },
    { method: 'GET', url: () => '/api/imports/1/errors.csv' },
  ];

  it('answers 403 to supervisors and agents and 401 without a session, changing nothing', async () => {
    const before = await t.count('lists');
    for (const r of routes) {
      for (const who of ['supervisor', 'agent'] as const) {
        const res = await t.app.inject({
          method: r.method,
          url: r.url(),
          headers: { ...t.as(who), 'content-type': 'application/json' },
          payload:
            r.method === 'GET'
              ? undefined
              : JSON.stringify({ campaignId: t.h.campaignId, name: 'x' }),
        });
        expect({ who, url: r.url(), status: res.statusCode }).toEqual({
          who,
          url: r.url(),
          status: 403,
        });
      }
      const anon = await t.app.inject({ method: r.method, url: r.url() });
      expect(anon.statusCode).toBe(401);
    }
    expect(await t.count('lists')).toBe(before);
  });
});
