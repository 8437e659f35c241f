import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse, type CsvError, type Info, type Options } from 'csv-parse';
import type { Logger } from '../../logger.js';
import { NotFoundError, ValidationError } from '../../errors.js';
import {
  checkMapping,
  resolveMapping,
  type ColumnMapping,
  type ResolvedMapping,
} from './mapping.js';
import { normaliseRow, toE164, type ImportRowError } from './row.js';
import type { LeadImportStore, LeadImportTransaction, StagedLead } from '../../ports/import.js';
import { sniff, type Sniffed } from './sniff.js';
import { hasUnstorableText } from '../../domain/storable-text.js';
import { decodeText, guardFields, MAX_FIELD_CHARS, OVERSIZED_MARK } from './text-stream.js';

export type { ColumnMapping } from './mapping.js';
export type { ImportRowError } from './row.js';

/** Rows sent to PostgreSQL per COPY + INSERT ... SELECT round. */
export const DEFAULT_BATCH_ROWS = 5000;
/** How many row problems (and skipped rows) the report and import_jobs.errors keep. */
export const MAX_REPORTED = 1000;
/**
 * A CSV record longer than this is refused, so a stray quote cannot make us buffer the file.
 * Fields are cut at MAX_FIELD_CHARS before (text-stream.ts), so only a file with very many
 * columns or a stray quote reaches it.
 */
export const MAX_RECORD_BYTES = 8 * 1024 * 1024;

/** csv-parse options of the import and of its preview (the same reading of a file). */
export function csvOptions(
  delimiter: string,
  onSkip: (err: CsvError | undefined) => undefined,
): Options {
  return {
    delimiter,
    bom: true,
    info: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    max_record_size: MAX_RECORD_BYTES,
    on_skip: onSkip,
  };
}

/** The text the parser reads: decoded (UTF-8 or Windows-1252) and with oversized fields cut. */
export function csvText(sniffed: Sniffed): Readable {
  return Readable.from(
    guardFields(decodeText(sniffed.stream, sniffed.encoding), sniffed.delimiter),
    { objectMode: false },
  );
}

/** A report warning saying how a file that is not UTF-8 was read. */
export function encodingWarning(sniffed: Sniffed): ImportRowError[] {
  return sniffed.encoding === 'utf-8'
    ? []
    : [{ row: 0, column: '', reason: 'the file is not UTF-8: read as Windows-1252 (Latin-1)' }];
}

export interface ImportDeps {
  /** Lists, leads and import_jobs (adapters/postgres/lead-import.ts PgLeadImportStore). */
  store: LeadImportStore;
  logger: Logger;
}

export interface ImportOptions {
  listId: string | number;
  /** The CSV bytes; read once, as a stream (never held in memory). */
  input: Readable;
  /** Shown in the report and import_jobs; not used to open anything. */
  fileName?: string;
  /** Lead field -> CSV header; fields not named are detected from usual header names. */
  mapping?: ColumnMapping;
  /** ISO 3166 alpha-2 used to read numbers without a country code; 'US' by default. */
  defaultCountry?: string;
  /** The user running the import (import_jobs.created_by). */
  createdBy?: string | number | null;
  /** Rows per database round trip; DEFAULT_BATCH_ROWS by default. */
  batchRows?: number;
}

export type TzSourceCounts = Record<StagedLead['tzSource'], number>;

/** The result of one import, returned to the API and printed by the CLI. */
export interface ImportReport {
  jobId: string;
  listId: string;
  fileName: string;
  /** Data rows read (the header and empty lines not counted). */
  rowsTotal: number;
  imported: number;
  /** Rows refused for a bad value or a malformed line; see `errors`. */
  rejected: number;
  /** Rows whose phone is already in the list or earlier in the file. */
  duplicates: number;
  /** Rows whose phone is on the system-wide DNC list or the campaign's. */
  dnc: number;
  /** The first MAX_REPORTED problems of rejected rows. */
  errors: ImportRowError[];
  /** True when more problems were found than `errors` holds. */
  errorsTruncated: boolean;
  /** Problems that did not stop a row from importing (an invalid alternate number dropped). */
  warnings: ImportRowError[];
  /** The first MAX_REPORTED rows skipped as duplicate or DNC. */
  skipped: Array<{ row: number; reason: 'duplicate' | 'dnc' }>;
  /** Imported leads by how their time zone was found. */
  timeZones: TzSourceCounts;
  /** The mapping used: lead field -> CSV header(s). */
  mapping: Record<string, string | string[]>;
  durationMs: number;
}

/**
 * Imports a CSV file into a list, streaming: parse, validate and normalise each row, then COPY
 * batches into a temporary staging table and INSERT ... SELECT into leads. The whole import is one
 * transaction: it imports the good rows of a file or, when the file is not CSV (binary, no header,
 * no phone column) or the database fails, nothing. An import_jobs row records the outcome.
 */
export async function importLeads(deps: ImportDeps, opts: ImportOptions): Promise<ImportReport> {
  const started = performance.now();
  const { store, logger } = deps;
  const listId = String(opts.listId);
  if (!/^[1-9]\d{0,18}$/.test(listId)) {
    throw new ValidationError('listId must be a positive integer', [
      { path: 'listId', message: 'must be a positive integer' },
    ]);
  }
  const defaultCountry = (opts.defaultCountry ?? 'US').toUpperCase();
  if (!/^[A-Z]{2}$/.test(defaultCountry)) {
    throw new ValidationError('defaultCountry must be an ISO 3166 alpha-2 code such as US', [
      { path: 'defaultCountry', message: 'must be two letters' },
    ]);
  }
  const mapping = checkMapping(opts.mapping);
  const createdBy =
    opts.createdBy === undefined || opts.createdBy === null ? null : String(opts.createdBy);
  if (createdBy !== null && !/^[1-9]\d{0,18}$/.test(createdBy)) {
    throw new ValidationError('createdBy must be a user id', [
      { path: 'createdBy', message: 'must be a positive integer' },
    ]);
  }
  const batchRows = Math.max(1, Math.min(opts.batchRows ?? DEFAULT_BATCH_ROWS, 50_000));
  const fileName = (opts.fileName ?? '').slice(0, 255);

  const campaignId = await store.listCampaign(listId);
  if (campaignId === null) throw new NotFoundError(`list ${listId} does not exist`);

  const jobId = await store.createJob({ listId, fileName, createdBy, mapping });
  const log = logger.child({ importJobId: jobId, listId });
  log.info('import started');

  const report: ImportReport = {
    jobId,
    listId,
    fileName,
    rowsTotal: 0,
    imported: 0,
    rejected: 0,
    duplicates: 0,
    dnc: 0,
    errors: [],
    errorsTruncated: false,
    warnings: [],
    skipped: [],
    timeZones: { postal_code: 0, area_code: 0, country: 0, manual: 0, unknown: 0 },
    mapping: {},
    durationMs: 0,
  };
  const addError = (e: ImportRowError) => {
    if (report.errors.length < MAX_REPORTED) report.errors.push(e);
    else report.errorsTruncated = true;
  };

  let tx: LeadImportTransaction | null = null;
  let inTransaction = false;
  try {
    const sniffed = await sniff(opts.input);
    report.warnings.push(...encodingWarning(sniffed));
    tx = await store.begin();
    inTransaction = true;
    const open = tx;

    let malformed = 0;
    const parser = parse(
      csvOptions(sniffed.delimiter, (err: CsvError | undefined) => {
        malformed++;
        report.rowsTotal++;
        report.rejected++;
        const line = typeof err?.lines === 'number' ? err.lines : 0;
        addError({
          row: line,
          column: '',
          reason: `not readable as CSV (${err?.code ?? 'malformed'})`,
        });
        return undefined;
      }),
    );
    // The input is piped through the parser; iterating the parser pulls it, so a slow database
    // pauses the file (backpressure) instead of buffering it.
    const parsing = pipeline(csvText(sniffed), parser);
    parsing.catch(() => undefined); // surfaced by the iteration below

    let resolved: ResolvedMapping | null = null;
    let crlfInFields = 0;
    let batch: StagedLead[] = [];
    let pending: Promise<void> | null = null;

    const flush = async (leads: StagedLead[]): Promise<void> => {
      const out = await open.insertBatch(leads, { listId, campaignId, jobId });
      for (const t of out.timeZones) report.timeZones[t.tzSource] += t.n;
      for (const skip of out.skipped) {
        const reason = skip.dnc ? 'dnc' : 'duplicate';
        if (skip.dnc) report.dnc++;
        else report.duplicates++;
        if (report.skipped.length < MAX_REPORTED)
          report.skipped.push({ row: skip.row ?? 0, reason });
      }
      report.imported += leads.length - out.skipped.length;
    };

    for await (const item of parser as AsyncIterable<{ record: string[]; info: Info }>) {
      const { record, info } = item;
      if (resolved === null) {
        crlfInFields += fieldBreaks(record).crlf;
        resolved = readHeader(record, defaultCountry, mapping);
        report.mapping = resolved.used;
        continue;
      }
      report.rowsTotal++;
      // csv-parse reports the line a record ends on and counts a CR LF inside quotes as two
      // lines; the report gives the line the record starts on, as an editor shows it.
      const { breaks, crlf } = fieldBreaks(record);
      crlfInFields += crlf;
      const row = info.lines - crlfInFields - breaks;
      const result = normaliseRow(record, row, resolved, defaultCountry);
      if (!result.ok) {
        report.rejected++;
        if (result.errors.length > 0 && result.errors[0]?.column === '') malformed++;
        for (const e of result.errors) addError(e);
        continue;
      }
      for (const w of result.warnings)
        if (report.warnings.length < MAX_REPORTED) report.warnings.push(w);
      batch.push(result.lead);
      if (batch.length >= batchRows) {
        // Parse the next batch while PostgreSQL inserts this one (at most two batches in memory).
        if (pending) await pending;
        pending = flush(batch);
        pending.catch(() => undefined); // awaited before the next flush or at the end
        batch = [];
      }
    }
    await parsing;
    if (pending) await pending;
    if (batch.length > 0) await flush(batch);

    if (resolved === null) {
      throw new ValidationError('the file is not CSV: it has no header row; nothing was imported', [
        { path: 'file', message: 'no header row' },
      ]);
    }
    if (report.rowsTotal === 0) throw headerOnly();
    if (malformed === report.rowsTotal) {
      throw new ValidationError(
        `the file is not CSV: none of its ${report.rowsTotal} rows has the header's ${resolved.header.length} columns; nothing was imported`,
        [{ path: 'file', message: 'no row matches the header' }],
      );
    }

    report.durationMs = Math.round(performance.now() - started);
    await open.commit(jobId, {
      rowsTotal: report.rowsTotal,
      imported: report.imported,
      rejected: report.rejected,
      duplicates: report.duplicates,
      dnc: report.dnc,
      errors: report.errors,
      mapping: report.mapping,
    });
    inTransaction = false;
    log.info(
      {
        rowsTotal: report.rowsTotal,
        imported: report.imported,
        rejected: report.rejected,
        duplicates: report.duplicates,
        dnc: report.dnc,
        durationMs: report.durationMs,
      },
      'import done',
    );
    return report;
  } catch (err) {
    if (inTransaction) await tx?.rollback().catch(() => undefined);
    opts.input.destroy();
    const wrapped = err instanceof ValidationError ? err : asValidation(err);
    const message = (wrapped ?? (err as Error)).message ?? String(err);
    await store.failJob(jobId, message.slice(0, 1000), report.rowsTotal).catch(() => undefined);
    // Code and message only: a database error's detail can quote the failing row (personal data).
    const code = wrapped?.code ?? (err as { code?: unknown }).code;
    log.warn(
      { err: { code: typeof code === 'string' ? code : undefined, message } },
      'import failed',
    );
    throw wrapped ?? err;
  } finally {
    tx?.release();
  }
}

/** csv-parse errors that escape skip_records_with_error (bad options, encoding) mean "not CSV". */
export function asValidation(err: unknown): ValidationError | null {
  if (
    err instanceof Error &&
    'code' in err &&
    typeof err.code === 'string' &&
    err.code.startsWith('CSV_')
  ) {
    return new ValidationError(
      `the file is not CSV (${err.code}); nothing was imported`,
      [{ path: 'file', message: err.code }],
      {
        cause: err,
      },
    );
  }
  return null;
}

/** Line breaks inside a record's (quoted) fields: CR LF counts once; `crlf` counts the pairs. */
export function fieldBreaks(record: string[]): { breaks: number; crlf: number } {
  let breaks = 0;
  let crlf = 0;
  for (const field of record) {
    if (field.indexOf('\n') < 0 && field.indexOf('\r') < 0) continue;
    for (let i = 0; i < field.length; i++) {
      const c = field.charCodeAt(i);
      if (c === 13 && field.charCodeAt(i + 1) === 10) {
        crlf++;
        breaks++;
        i++;
      } else if (c === 10 || c === 13) {
        breaks++;
      }
    }
  }
  return { breaks, crlf };
}

/** docs/import.md: a file with a header and no data row is refused, not a "done" with 0 rows. */
export function headerOnly(): ValidationError {
  return new ValidationError('the file has a header row but no data rows; nothing was imported', [
    { path: 'file', message: 'no data rows' },
  ]);
}

/** The header row, refused if it is data or holds unstorable text, resolved against the mapping. */
export function readHeader(
  header: string[],
  defaultCountry: string,
  mapping: ColumnMapping,
): ResolvedMapping {
  checkHeaderIsNotData(header, defaultCountry);
  checkHeaderText(header);
  return resolveMapping(header, mapping);
}

/** Header cells become lead fields and custom keys: a NUL or a cut cell refuses the file. */
export function checkHeaderText(header: string[]): void {
  header.forEach((cell, i) => {
    const why = hasUnstorableText(cell)
      ? 'contains a NUL character'
      : cell.includes(OVERSIZED_MARK)
        ? `is longer than ${MAX_FIELD_CHARS} characters`
        : null;
    if (why === null) return;
    throw new ValidationError(`the header's column ${i + 1} ${why}; nothing was imported`, [
      { path: 'header', message: `column ${i + 1} ${why}` },
    ]);
  });
}

/** A header row holding phone numbers is a data row: the file has no header. */
export function checkHeaderIsNotData(header: string[], defaultCountry: string): void {
  header.forEach((cell, i) => {
    const digits = cell.replace(/\D/g, '');
    if (digits.length >= 7 && toE164(cell, defaultCountry) !== null) {
      throw new ValidationError(
        `the file has no header row: its first line holds a phone number in column ${i + 1}; add a header such as "phone,first_name,..."; nothing was imported`,
        [{ path: 'header', message: 'first line looks like data' }],
      );
    }
  });
}
