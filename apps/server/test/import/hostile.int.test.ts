import { Readable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { PgLeadImportStore } from '../../src/adapters/postgres/lead-import.js';
import { importLeads, previewImport } from '../../src/services/import/index.js';
import { useImportFixture } from './import-fixture.js';

/**
 * Issue 12 point 6, the hostile CSV files: a NUL or an oversized field fails its row only; the
 * preview gives the errors the import gives; a Latin-1 file is read as such (never U+FFFD); a
 * file that stops being UTF-8 is refused; a header-only file is refused.
 */
const logger = pino({ level: 'silent' });
const { db, newList } = useImportFixture('import_hostile', ['c']);

/** The file in small chunks, as an upload arrives. */
const chunks = (b: Buffer) => {
  const parts: Buffer[] = [];
  for (let i = 0; i < b.length; i += 16 * 1024) parts.push(b.subarray(i, i + 16 * 1024));
  return Readable.from(parts);
};
const run = (listId: string, csv: Buffer) =>
  importLeads(
    { store: new PgLeadImportStore(db.pool), logger },
    { listId, input: chunks(csv), fileName: 't.csv' },
  );
const preview = (listId: string, csv: Buffer) =>
  previewImport({ store: new PgLeadImportStore(db.pool) }, { listId, input: chunks(csv) });
const names = async (listId: string) =>
  (
    await db.pool.query<{ first_name: string; last_name: string }>(
      'SELECT first_name, last_name FROM leads WHERE list_id = $1 ORDER BY id',
      [listId],
    )
  ).rows;

/** 14 rows of phone, first_name, last_name, notes; `notes` of row `at` (1-based) replaced. */
function fourteenRows(at: number, notes: string): Buffer {
  const lines = ['phone,first_name,last_name,notes'];
  for (let i = 1; i <= 14; i++) {
    lines.push(`212555${String(1000 + i)},Ann${i},Lee,${i === at ? notes : 'ok'}`);
  }
  return Buffer.from(lines.join('\n') + '\n');
}

describe('a row with text PostgreSQL cannot store', () => {
  it('is a row error naming its column; the other rows import', async () => {
    const listId = await newList();
    const report = await run(listId, fourteenRows(3, 'bad\u0000note'));
    expect(report.imported).toBe(13);
    expect(report.rejected).toBe(1);
    expect(report.errors).toEqual([
      { row: 4, column: 'notes', reason: 'contains a NUL character' },
    ]);
  });
});

describe('an oversized field', () => {
  it('fails its row only, unquoted or quoted with line breaks, and later rows keep their numbers', async () => {
    for (const big of ['x'.repeat(1024 * 1024), `"${'y\n'.repeat(300_000)}"`]) {
      const listId = await newList();
      const file = Buffer.concat([
        fourteenRows(6, big),
        Buffer.from('2125559999,Last,Row,\u0000\n'),
      ]);
      const report = await run(listId, file);
      expect(report.rowsTotal).toBe(15);
      expect(report.imported).toBe(13);
      const lastLine = big.startsWith('"') ? 16 + 300_000 : 16;
      expect(report.errors).toEqual([
        { row: 7, column: 'notes', reason: 'longer than 4096 characters' },
        { row: lastLine, column: 'notes', reason: 'contains a NUL character' },
      ]);
      expect((await names(listId)).map((r) => r.first_name)).toContain('Ann14');
    }
  });

  it('shows in the preview with the error the import gives', async () => {
    const listId = await newList();
    const file = fourteenRows(6, 'x'.repeat(1024 * 1024));
    const shown = await preview(listId, file);
    const imported = await run(await newList(), file);
    const previewErrors = shown.rows.flatMap((r) => r.errors);
    expect(previewErrors).toEqual(imported.errors);
    expect(previewErrors).toEqual([
      { row: 7, column: 'notes', reason: 'longer than 4096 characters' },
    ]);
  });
});

describe('a file that is not UTF-8', () => {
  it('is read as Windows-1252 (Latin-1) with a warning, letters intact, in the import and the preview', async () => {
    const listId = await newList();
    // Windows-1252 bytes: ë ü ç Ñ ú ñ as in Latin-1; Œ “ ” at 0x8C 0x93 0x94.
    const w1252 = Buffer.from(
      'phone,first_name,last_name\n2125550001,Zoë,Müller\n2125550002,François,Ñúñez\n2125550003,\x8cdipe,\x93Quoted\x94\n',
      'latin1',
    );
    const report = await run(listId, w1252);
    expect(report.imported).toBe(3);
    expect(report.warnings).toEqual([
      { row: 0, column: '', reason: 'the file is not UTF-8: read as Windows-1252 (Latin-1)' },
    ]);
    const rows = await names(listId);
    expect(rows).toEqual([
      { first_name: 'Zoë', last_name: 'Müller' },
      { first_name: 'François', last_name: 'Ñúñez' },
      { first_name: 'Œdipe', last_name: '“Quoted”' },
    ]);
    expect(JSON.stringify(rows)).not.toContain('\uFFFD');
    const shown = await preview(await newList(), w1252);
    expect(shown.encoding).toBe('windows-1252');
    expect(shown.rows[0]?.lead?.firstName).toBe('Zoë');
  });

  it('is refused with a clear message when it stops being UTF-8 after its first 64 KiB', async () => {
    const listId = await newList();
    const lines = ['phone,first_name'];
    for (let i = 0; i < 6000; i++) lines.push(`21255${String(10000 + i)},Zoë`);
    const file = Buffer.concat([
      Buffer.from(lines.join('\n') + '\n'),
      Buffer.from('2125599999,Zo', 'utf8'),
      Buffer.from([0xeb]),
      Buffer.from('\n'),
    ]);
    expect(file.length).toBeGreaterThan(64 * 1024);
    const err = await run(listId, file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as Error).message).toMatch(
      /not UTF-8 text.*save it as UTF-8 CSV; nothing was imported/,
    );
    expect(await names(listId)).toEqual([]);
  });
});

describe('a header-only file', () => {
  it('is refused as docs/import.md says, by the import and the preview', async () => {
    const listId = await newList();
    const file = Buffer.from('phone,first_name,last_name\n');
    const err = await run(listId, file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as Error).message).toMatch(/header row but no data rows; nothing was imported/);
    const job = await db.pool.query<{ status: string }>(
      'SELECT status FROM import_jobs WHERE list_id = $1',
      [listId],
    );
    expect(job.rows).toEqual([{ status: 'failed' }]);
    await expect(preview(listId, file)).rejects.toThrow(/header row but no data rows/);
  });
});
