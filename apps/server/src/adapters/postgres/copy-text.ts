/**
 * PostgreSQL COPY text format (the default of COPY ... FROM STDIN): columns separated by tabs,
 * rows by newlines, NULL as \N, and backslash, tab, newline and carriage return escaped.
 */
export function copyValue(value: string | null): string {
  if (value === null) return '\\N';
  let needs = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x5c || c === 0x09 || c === 0x0a || c === 0x0d) {
      needs = true;
      break;
    }
  }
  if (!needs) return value;
  return value
    .replace(/\\/g, '\\\\')
    .replace(/\t/g, '\\t')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r');
}

/** One COPY text line (with its newline) from the column values in order. */
export function copyLine(values: ReadonlyArray<string | null>): string {
  return values.map(copyValue).join('\t') + '\n';
}
