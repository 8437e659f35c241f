/**
 * CSV writing for report exports (RFC 4180: comma, CRLF, fields quoted when they hold a comma,
 * quote or line break). Text that a spreadsheet would run as a formula (= + - @, tab, CR at the
 * start) is prefixed with an apostrophe: exports are opened by people, in spreadsheets.
 */

export type CsvValue = string | number | boolean | null | undefined;

export function csvField(v: CsvValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  const s = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(values: readonly CsvValue[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}

/** A header line, then one line per row, produced as the rows arrive (constant memory). */
export async function* csvLines<R>(
  header: readonly string[],
  rows: AsyncIterable<R> | Iterable<R>,
  toValues: (row: R) => readonly CsvValue[],
): AsyncGenerator<string> {
  yield csvLine(header);
  for await (const row of rows) yield csvLine(toValues(row));
}

/** ISO 8601 for an epoch-ms instant; empty for null. */
export const isoOrEmpty = (ms: number | null): string =>
  ms === null ? '' : new Date(ms).toISOString();

/** Percent with 4 decimals (enough for an auditor to recompute), empty when undefined. */
export const pctOrEmpty = (p: number | null): string => (p === null ? '' : p.toFixed(4));
