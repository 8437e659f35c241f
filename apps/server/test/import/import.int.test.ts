import { Readable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { PgLeadImportStore } from '../../src/adapters/postgres/lead-import.js';
import { importLeads, type ImportOptions } from '../../src/services/import/index.js';
import { useImportFixture } from './import-fixture.js';

const logger = pino({ level: 'silent' });

describe('importLeads (real PostgreSQL)', () => {
  // campaignIds fills in beforeAll: read it inside the tests, not here.
  const { db, campaignIds, newList } = useImportFixture('import', ['c', 'other']);

  const run = (listId: string, csv: string | Buffer, extra: Partial<ImportOptions> = {}) =>
    importLeads(
      { store: new PgLeadImportStore(db.pool), logger },
      { listId, input: Readable.from([Buffer.from(csv)]), fileName: 't.csv', ...extra },
    );

  const leadsOf = async (listId: string) =>
    (
      await db.pool.query<{
        phone: string;
        alt_phones: string[];
        first_name: string | null;
        time_zone: string | null;
        tz_candidates: string[];
        tz_key: string;
        tz_source: string;
        custom: Record<string, string>;
      }>('SELECT * FROM leads WHERE list_id = $1 ORDER BY id', [listId])
    ).rows;

  it('imports a good file: E.164 phones, time zones with their source, custom fields, lead_log and import_jobs', async () => {
    const listId = await newList();
    const report = await run(
      listId,
      'Phone,First Name,Last Name,ZIP,Plan\n(212) 555-0100,Ann,Lee,90210,gold\n312.555.0101,Bob,Ray,,silver\n+1 850 555 0102,Cy,Ng,,\n',
    );
    expect(report).toMatchObject({
      rowsTotal: 3,
      imported: 3,
      rejected: 0,
      duplicates: 0,
      dnc: 0,
      errors: [],
    });
    expect(report.timeZones).toEqual({
      postal_code: 1,
      area_code: 2,
      country: 0,
      manual: 0,
      unknown: 0,
    });
    const leads = await leadsOf(listId);
    expect(leads.map((l) => l.phone)).toEqual(['+12125550100', '+13125550101', '+18505550102']);
    // ZIP 90210 is Los Angeles, its number a New York area code: both are candidates (a call
    // must be inside the window in each, fail closed), so no single zone.
    expect(leads[0]).toMatchObject({
      time_zone: null,
      tz_candidates: ['America/Los_Angeles', 'America/New_York'],
      tz_source: 'postal_code',
      first_name: 'Ann',
      custom: { Plan: 'gold' },
    });
    expect(leads[1]).toMatchObject({ time_zone: 'America/Chicago', tz_source: 'area_code' });
    expect(leads[2]).toMatchObject({
      time_zone: null,
      tz_candidates: ['America/Chicago', 'America/New_York'],
      tz_key: 'America/Chicago,America/New_York',
    });
    expect(leads[2]?.custom).toEqual({});
    const log = await db.pool.query(
      "SELECT count(*)::int AS n FROM lead_log WHERE kind = 'imported' AND lead_id IN (SELECT id FROM leads WHERE list_id = $1)",
      [listId],
    );
    expect(log.rows[0]).toEqual({ n: 3 });
    const job = await db.pool.query(
      'SELECT status, rows_total, rows_imported, file_name FROM import_jobs WHERE id = $1',
      [report.jobId],
    );
    expect(job.rows[0]).toEqual({
      status: 'done',
      rows_total: 3,
      rows_imported: 3,
      file_name: 't.csv',
    });
  });

  it('reads a spreadsheet export: BOM, CRLF line ends, semicolons, quoted fields', async () => {
    const listId = await newList();
    const report = await run(
      listId,
      '\ufeffPhone;Name;Note\r\n212 555 0150;"Lee; Ann";"two\r\nlines"\r\n212 555 0151;Bo;\r\nbad;Cy;x\r\n',
    );
    expect(report).toMatchObject({ rowsTotal: 3, imported: 2, rejected: 1 });
    // The second record spans lines 2-3, so the third data record starts on line 5.
    expect(report.errors).toEqual([
      { row: 5, column: 'Phone', reason: 'not a valid phone number (country US)' },
    ]);
    expect((await leadsOf(listId))[0]?.custom).toEqual({ Name: 'Lee; Ann', Note: 'two\r\nlines' });
  });

  it('rejects bad rows with row, column and reason while the good rows import', async () => {
    const listId = await newList();
    const report = await run(
      listId,
      [
        'phone,first_name,time_zone',
        '2125550100,Ann,',
        'not a phone,Bob,',
        ',Cy,',
        '2125550103,Di,Mars/Olympus',
        '2125550104,"Ed"',
        '4155550105,Flo,America/Denver',
      ].join('\n'),
    );
    expect(report).toMatchObject({ rowsTotal: 6, imported: 2, rejected: 4 });
    expect(report.errors).toEqual([
      { row: 3, column: 'phone', reason: 'not a valid phone number (country US)' },
      { row: 4, column: 'phone', reason: 'phone is empty' },
      { row: 5, column: 'time_zone', reason: 'not an IANA time zone such as America/Chicago' },
      { row: 6, column: '', reason: 'has 2 columns, the header has 3' },
    ]);
    const leads = await leadsOf(listId);
    expect(leads.map((l) => [l.phone, l.time_zone, l.tz_source])).toEqual([
      ['+12125550100', 'America/New_York', 'area_code'],
      ['+14155550105', 'America/Denver', 'manual'],
    ]);
  });

  it('skips duplicates within the file (across batches) and against the list already loaded', async () => {
    const listId = await newList();
    await run(listId, 'phone\n2125550200\n');
    const report = await run(
      listId,
      'phone\n2125550200\n2125550201\n2125550202\n(212) 555-0201\n2125550203\n2125550202\n',
      {
        batchRows: 2,
      },
    );
    expect(report).toMatchObject({ rowsTotal: 6, imported: 3, duplicates: 3, dnc: 0 });
    expect(report.skipped.map((s) => s.row).sort()).toEqual([2, 5, 7]);
    expect((await leadsOf(listId)).map((l) => l.phone)).toEqual([
      '+12125550200',
      '+12125550201',
      '+12125550202',
      '+12125550203',
    ]);
  });

  it('skips numbers on the system-wide DNC list and on the campaign list, not on another campaign list', async () => {
    const listId = await newList();
    await db.pool.query(
      'INSERT INTO dnc (phone, campaign_id) VALUES ($1, NULL), ($2, $3), ($4, $5)',
      ['+12125550300', '+12125550301', campaignIds[0], '+12125550302', campaignIds[1]],
    );
    const report = await run(listId, 'phone\n2125550300\n2125550301\n2125550302\n');
    expect(report).toMatchObject({ imported: 1, dnc: 2, duplicates: 0 });
    expect(report.skipped).toEqual([
      { row: 2, reason: 'dnc' },
      { row: 3, reason: 'dnc' },
    ]);
    expect((await leadsOf(listId)).map((l) => l.phone)).toEqual(['+12125550302']);
  });

  it('follows an explicit mapping, puts unmapped columns in custom and normalises alternates', async () => {
    const listId = await newList();
    const report = await run(
      listId,
      'Cell;Given;Home;Work;Shoe size;Country\n020 7183 8750;Ann;020 7183 8751;junk;42;GB\n2125550400;Bob;;212-555-0401 / 212-555-0400;;\n',
      { mapping: { phone: 'Cell', first_name: 'Given', alt_phones: ['Home', 'Work'] } },
    );
    expect(report).toMatchObject({ imported: 2, rejected: 0 });
    expect(report.mapping).toEqual({
      phone: 'Cell',
      first_name: 'Given',
      alt_phones: ['Home', 'Work'],
      country: 'Country',
    });
    expect(report.warnings).toEqual([
      { row: 2, column: 'Work', reason: 'alternate number is not valid; dropped' },
    ]);
    const leads = await leadsOf(listId);
    expect(leads[0]).toMatchObject({
      phone: '+442071838750',
      alt_phones: ['+442071838751'],
      first_name: 'Ann',
      tz_source: 'unknown',
      tz_key: '',
      custom: { 'Shoe size': '42' },
    });
    // The alternate equal to the main number is not kept twice.
    expect(leads[1]).toMatchObject({ phone: '+12125550400', alt_phones: ['+12125550401'] });
  });

  it('refuses a mapping that names a missing column, and imports nothing', async () => {
    const listId = await newList();
    await expect(
      run(listId, 'phone\n2125550500\n', { mapping: { phone: 'Mobile' } }),
    ).rejects.toThrow(/no column "Mobile"/);
    expect(await leadsOf(listId)).toEqual([]);
  });

  it.each([
    ['binary data', Buffer.from([0x00, 0x01, 0x02, 0xff, 0x10, 0x00, 0x41]), /binary/],
    [
      'an Excel file',
      Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.from('phone\n2125550600\n')]),
      /Excel/,
    ],
    ['no header row', '2125550600,Ann\n2125550601,Bob\n', /no header row/],
    ['no phone column', 'name,city\nAnn,Paris\n', /no phone column/],
    ['an empty file', '', /empty/],
    [
      'rows that never match the header',
      'phone,name,city\n2125550600\n2125550601\n',
      /none of its 2 rows/,
    ],
  ])('gives one ValidationError and imports nothing for %s', async (_what, content, message) => {
    const listId = await newList();
    const err = await run(listId, content).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as Error).message).toMatch(message);
    expect(await leadsOf(listId)).toEqual([]);
    const job = await db.pool.query<{ status: string; error: string }>(
      'SELECT status, error FROM import_jobs WHERE list_id = $1',
      [listId],
    );
    expect(job.rows).toEqual([{ status: 'failed', error: (err as Error).message }]);
  });

  it('pulls the input as it imports (backpressure) instead of reading the whole stream first', async () => {
    const listId = await newList();
    const rows = 8000;
    let produced = 0;
    async function* chunks() {
      yield 'phone,note\n';
      for (let i = 0; i < rows; i++) {
        produced++;
        // A quoted field with a comma, an escaped quote and a newline, split over chunks.
        yield `212${String(2000000 + i)},"a, ""quoted""\n`;
        yield `note ${i}"\n`;
      }
    }
    // Observe (not replace) the real client: note how much input existed at the first COPY.
    let producedAtFirstCopy = -1;
    const observed = {
      query: db.pool.query.bind(db.pool),
      connect: async () => {
        const client = await db.pool.connect();
        const target = client as unknown as {
          query: (...args: unknown[]) => unknown;
          release: () => void;
        };
        const query = target.query;
        const release = target.release;
        target.query = (...args: unknown[]) => {
          const text = (args[0] as { text?: unknown }).text;
          if (producedAtFirstCopy < 0 && typeof text === 'string' && text.startsWith('COPY')) {
            producedAtFirstCopy = produced;
          }
          return query.apply(client, args);
        };
        target.release = () => {
          target.query = query;
          target.release = release;
          release.call(client);
        };
        return client;
      },
    } as unknown as typeof db.pool;
    const report = await importLeads(
      { store: new PgLeadImportStore(observed), logger },
      { listId, input: Readable.from(chunks()), batchRows: 500 },
    );
    expect(report).toMatchObject({ rowsTotal: rows, imported: rows, rejected: 0 });
    expect(producedAtFirstCopy).toBeGreaterThan(0);
    expect(producedAtFirstCopy).toBeLessThan(rows / 2);
    const one = await db.pool.query<{ custom: Record<string, string> }>(
      "SELECT custom FROM leads WHERE list_id = $1 AND phone = '+12122000000'",
      [listId],
    );
    expect(one.rows[0]?.custom).toEqual({ note: 'a, "quoted"\nnote 0' });
  });

  it('refuses an unknown list with NotFoundError', async () => {
    await expect(run('999999', 'phone\n2125550700\n')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
