import { Readable } from 'node:stream';
import { parse, type Info } from 'csv-parse';
import { NotFoundError, ValidationError } from '../../errors.js';
import {
  asValidation,
  csvOptions,
  csvText,
  encodingWarning,
  fieldBreaks,
  headerOnly,
  readHeader,
} from './import-leads.js';
import { checkMapping, LEAD_FIELDS, resolveMapping, type ColumnMapping } from './mapping.js';
import { normaliseRow, type ImportRowError } from './row.js';
import type { LeadImportStore, StagedLead } from '../../ports/import.js';
import { sniff } from './sniff.js';
import { MAX_FIELD_CHARS, type TextEncoding } from './text-stream.js';

/** Bytes of the upload a preview reads; the rest is drained unread (send only the head). */
export const PREVIEW_MAX_BYTES = 1024 * 1024;
/** Rows a preview shows by default. */
export const PREVIEW_DEFAULT_ROWS = 20;

export interface PreviewOptions {
  listId: string;
  /** The CSV, or its first part; read up to PREVIEW_MAX_BYTES, the rest drained. */
  input: Readable;
  mapping?: ColumnMapping;
  defaultCountry?: string;
  /** Rows to show (1-100). */
  rows?: number;
}

export interface PreviewRow {
  row: number;
  /** The cells as read. */
  cells: string[];
  lead: Omit<StagedLead, 'row'> | null;
  errors: ImportRowError[];
  warnings: ImportRowError[];
  /** Would be skipped: already in the list / earlier in the file, or on a DNC list. */
  skip: 'duplicate' | 'dnc' | null;
}

export interface ImportPreviewResult {
  header: string[];
  delimiter: string;
  mapping: Record<string, string | string[]>;
  custom: string[];
  leadFields: string[];
  rows: PreviewRow[];
  /** More rows follow the ones shown. */
  more: boolean;
  /** How the file's bytes were read: UTF-8, or Windows-1252 (Latin-1) when it is not UTF-8. */
  encoding: TextEncoding;
  /** File-level warnings the import would give too (the encoding). */
  warnings: ImportRowError[];
}

/**
 * The import's dry run: the same checks and normalisation as importLeads (not CSV, mapping,
 * phone to E.164, time zone, text limits) on the first rows, plus which of them the list or a
 * DNC list would skip. Reads PostgreSQL, writes nothing (no import_jobs row, no lead).
 */
export async function previewImport(
  deps: { store: Pick<LeadImportStore, 'listCampaign' | 'knownPhones'> },
  opts: PreviewOptions,
): Promise<ImportPreviewResult> {
  const wanted = Math.max(1, Math.min(opts.rows ?? PREVIEW_DEFAULT_ROWS, 100));
  const defaultCountry = (opts.defaultCountry ?? 'US').toUpperCase();
  const mapping = checkMapping(opts.mapping);
  const campaignId = await deps.store.listCampaign(opts.listId);
  if (campaignId === null) {
    await drain(opts.input);
    throw new NotFoundError(`list ${opts.listId} does not exist`);
  }

  const { head, truncated } = await readHead(opts.input, PREVIEW_MAX_BYTES);
  const cut = truncated ? cutHead(head) : head;
  const sniffed = await sniff(Readable.from([cut]));
  const { delimiter } = sniffed;
  const rows: PreviewRow[] = [];
  // The import's own reading of the file (decoding, cut fields, parser options): the preview
  // shows the errors the import would give.
  const parser = parse(
    csvOptions(delimiter, (err) => {
      if (rows.length >= wanted) return undefined;
      const line = typeof err?.lines === 'number' ? err.lines : 0;
      rows.push({
        row: line,
        cells: [],
        lead: null,
        errors: [
          { row: line, column: '', reason: `not readable as CSV (${err?.code ?? 'malformed'})` },
        ],
        warnings: [],
        skip: null,
      });
      return undefined;
    }),
  );
  const text = csvText(sniffed);
  text.on('error', (err) => parser.destroy(err));
  text.pipe(parser);

  let resolved: ReturnType<typeof resolveMapping> | null = null;
  let crlfInFields = 0;
  let more = false;
  try {
    for await (const item of parser as AsyncIterable<{ record: string[]; info: Info }>) {
      const { record, info } = item;
      if (resolved === null) {
        crlfInFields += fieldBreaks(record).crlf;
        resolved = readHeader(record, defaultCountry, mapping);
        continue;
      }
      if (rows.length >= wanted) {
        more = true;
        break;
      }
      // Same line numbering as the import (see importLeads).
      const { breaks, crlf } = fieldBreaks(record);
      crlfInFields += crlf;
      const row = info.lines - crlfInFields - breaks;
      const r = normaliseRow(record, row, resolved, defaultCountry);
      if (r.ok) {
        const { row: _row, ...lead } = r.lead;
        rows.push({ row, cells: record, lead, errors: [], warnings: r.warnings, skip: null });
      } else {
        rows.push({ row, cells: record, lead: null, errors: r.errors, warnings: [], skip: null });
      }
    }
  } catch (err) {
    throw asValidation(err) ?? err;
  } finally {
    parser.destroy();
  }
  if (resolved === null) {
    throw new ValidationError('the file is not CSV: it has no header row; nothing was imported', [
      { path: 'file', message: 'no header row' },
    ]);
  }
  if (rows.length === 0 && !more && !truncated) throw headerOnly();
  rows.sort((a, b) => a.row - b.row);

  await markSkips(deps.store, opts.listId, campaignId, rows);
  return {
    header: resolved.header,
    delimiter,
    mapping: resolved.used,
    custom: resolved.custom.map(([, key]) => key),
    leadFields: [...LEAD_FIELDS],
    rows,
    more: more || truncated,
    encoding: sniffed.encoding,
    warnings: encodingWarning(sniffed),
  };
}

/**
 * A cut upload ends mid-line: keep whole lines only, unless the cut line is itself longer than a
 * field may be (a huge field straddling the cut): it is kept, its quote closed, so that the
 * preview shows the "longer than" error the import gives for that row.
 */
export function cutHead(head: Buffer): Buffer {
  const lastLine = head.lastIndexOf(0x0a) + 1;
  if (head.length - lastLine <= MAX_FIELD_CHARS) return head.subarray(0, lastLine);
  // Not in the middle of a UTF-8 character either (it would look like another encoding).
  let end = head.length;
  while (end > lastLine && (head[end - 1] ?? 0) >= 0x80 && (head[end - 1] ?? 0) < 0xc0) end--;
  if (end > lastLine && (head[end - 1] ?? 0) >= 0xc0) end--;
  const line = head.subarray(0, end);
  let quotes = 0;
  for (let i = lastLine; i < line.length; i++) if (line[i] === 0x22) quotes++;
  return quotes % 2 === 1 ? Buffer.concat([line, Buffer.from('"')]) : line;
}

/** Marks rows the import would skip: repeats in the file, phones in the list or on DNC. */
async function markSkips(
  store: Pick<LeadImportStore, 'knownPhones'>,
  listId: string,
  campaignId: string,
  rows: PreviewRow[],
): Promise<void> {
  const phones = [...new Set(rows.flatMap((r) => (r.lead ? [r.lead.phone] : [])))];
  if (phones.length === 0) return;
  const known = new Map(
    (await store.knownPhones(listId, campaignId, phones)).map((x) => [x.phone, x]),
  );
  const seen = new Set<string>();
  for (const row of rows) {
    if (!row.lead) continue;
    const k = known.get(row.lead.phone);
    if (k?.dnc) row.skip = 'dnc';
    else if (k?.listed || seen.has(row.lead.phone)) row.skip = 'duplicate';
    seen.add(row.lead.phone);
  }
}

/** The first `max` bytes of the input; the rest is read and dropped so the upload completes. */
async function readHead(
  input: Readable,
  max: number,
): Promise<{ head: Buffer; truncated: boolean }> {
  const parts: Buffer[] = [];
  let size = 0;
  let truncated = false;
  for await (const chunk of input as AsyncIterable<Buffer | string>) {
    if (size >= max) {
      truncated = true;
      continue;
    }
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    const take = b.subarray(0, max - size);
    if (take.length < b.length) truncated = true;
    parts.push(take);
    size += take.length;
  }
  return { head: Buffer.concat(parts), truncated };
}

async function drain(input: Readable): Promise<void> {
  for await (const _chunk of input as AsyncIterable<unknown>) {
    // dropped
  }
}
