import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorBody, ImportReport } from '@ringside/protocol';
import { bearer, createHarness, type Harness } from './harness.js';

let h: Harness;
let admin: string;

beforeAll(async () => {
  h = await createHarness();
  admin = await h.login('admin');
});
afterAll(async () => h?.close());

const leadCount = async () =>
  Number(
    (await h.db.pool.query<{ n: string }>('SELECT count(*)::text AS n FROM leads')).rows[0]?.n,
  );

function post(
  body: string | Buffer,
  opts: { type?: string; query?: string; headers?: Record<string, string> } = {},
) {
  return h.app.inject({
    method: 'POST',
    url: `/api/lists/${h.listId}/import${opts.query ?? ''}`,
    headers: {
      ...bearer(admin),
      'content-type': opts.type ?? 'text/csv',
      ...opts.headers,
    },
    payload: body,
  });
}

describe('POST /api/lists/:id/import', () => {
  it('imports a good CSV and answers the report', async () => {
    const csv = 'Cell,First\n+14155550101,Ann\n+14155550102,Bob\n';
    const r = await post(csv, {
      query: `?fileName=spring.csv&mapping=${encodeURIComponent(JSON.stringify({ phone: 'Cell', first_name: 'First' }))}`,
    });
    expect(r.statusCode).toBe(200);
    const report = r.json() as ImportReport;
    expect(report).toMatchObject({
      rowsTotal: 2,
      imported: 2,
      rejected: 0,
      fileName: 'spring.csv',
    });
    expect(await leadCount()).toBe(2);
    expect(h.imports.at(-1)?.createdBy).toBe(h.users.admin.id);
  });

  it('takes the mapping from the X-Import-Mapping header', async () => {
    const r = await post('Tel\n+14155550103\n', {
      headers: { 'x-import-mapping': JSON.stringify({ phone: 'Tel' }) },
    });
    expect(r.statusCode).toBe(200);
    expect((r.json() as ImportReport).imported).toBe(1);
  });

  it('reports bad rows by row, column and reason while importing the good ones', async () => {
    const before = await leadCount();
    const r = await post('phone,first_name\n+14155550104,Cy\nnot-a-number,Di\n+14155550105,Ed\n');
    expect(r.statusCode).toBe(200);
    const report = r.json() as ImportReport;
    expect(report.imported).toBe(2);
    expect(report.rejected).toBe(1);
    expect(report.errors[0]).toMatchObject({ row: 3, column: 'phone' });
    expect(await leadCount()).toBe(before + 2);
  });

  it('streams a body larger than the JSON body limit', async () => {
    const rows = 40_000;
    let csv = 'phone,note\n';
    for (let i = 0; i < rows; i++) csv += `+1415${String(2_000_000 + i)},row ${i} of a big file\n`;
    expect(csv.length).toBeGreaterThan(1024 * 1024);
    const r = await post(csv);
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ rowsTotal: rows, imported: rows });
  });

  it('refuses a file that is not CSV with one clear error and imports nothing', async () => {
    const before = await leadCount();
    const png = Buffer.from([
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0, 1, 2,
    ]);
    const r = await post(png);
    expect(r.statusCode).toBe(400);
    expect((r.json() as ErrorBody).error.message.length).toBeGreaterThan(5);
    expect(await leadCount()).toBe(before);
  });

  it('answers 415 for a JSON body', async () => {
    const r = await post(JSON.stringify({ phone: '+14155550106' }), { type: 'application/json' });
    expect(r.statusCode).toBe(415);
    expect((r.json() as ErrorBody).error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers 400 naming the mapping field for a bad mapping, importing nothing', async () => {
    const before = await leadCount();
    const bad = await post('phone\n+14155550107\n', { query: '?mapping=%7Bnope' });
    expect(bad.statusCode).toBe(400);
    expect((bad.json() as ErrorBody).error.issues?.[0]?.path).toBe('mapping');
    const unknownField = await post('phone\n+14155550107\n', {
      query: `?mapping=${encodeURIComponent(JSON.stringify({ shoe_size: 'phone' }))}`,
    });
    expect(unknownField.statusCode).toBe(400);
    expect((unknownField.json() as ErrorBody).error.issues?.[0]?.path).toBe('mapping');
    expect(await leadCount()).toBe(before);
  });

  it('answers 404 for a list that does not exist', async () => {
    const r = await h.app.inject({
      method: 'POST',
      url: '/api/lists/999999/import',
      headers: { ...bearer(admin), 'content-type': 'text/csv' },
      payload: 'phone\n+14155550108\n',
    });
    expect(r.statusCode).toBe(404);
  });

  it('refuses agents with 403 before reading the body', async () => {
    const agent = await h.login('agent1');
    const r = await h.app.inject({
      method: 'POST',
      url: `/api/lists/${h.listId}/import`,
      headers: { ...bearer(agent), 'content-type': 'text/csv' },
      payload: 'phone\n+14155550109\n',
    });
    expect(r.statusCode).toBe(403);
  });
});
