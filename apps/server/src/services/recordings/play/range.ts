/**
 * The one byte range of an HTTP `Range` header (RFC 9110 §14) over a file of `size` bytes, so a
 * player can start a long call at once and seek without fetching the whole file. One range only:
 * a player never asks for several, and a multipart answer would cost a second code path.
 */
export type RangeAnswer =
  | { kind: 'full' }
  | { kind: 'partial'; start: number; endInclusive: number }
  | { kind: 'unsatisfiable'; reason: string };

const BYTES = /^bytes=(\d*)-(\d*)$/;

export function parseRange(header: string | undefined, size: number): RangeAnswer {
  if (header === undefined) return { kind: 'full' };
  const h = header.trim();
  if (h.includes(',')) return { kind: 'unsatisfiable', reason: 'one byte range only' };
  const m = BYTES.exec(h);
  if (!m) return { kind: 'unsatisfiable', reason: 'not a byte range (bytes=start-end)' };
  const [, a = '', b = ''] = m;
  if (a === '' && b === '') return { kind: 'unsatisfiable', reason: 'an empty byte range' };
  if (size <= 0) return { kind: 'unsatisfiable', reason: 'the file is empty' };
  if (a === '') {
    // A suffix: the last n bytes.
    const n = Number(b);
    if (!Number.isSafeInteger(n) || n === 0)
      return { kind: 'unsatisfiable', reason: 'a suffix range of 0 bytes' };
    return { kind: 'partial', start: Math.max(0, size - n), endInclusive: size - 1 };
  }
  const start = Number(a);
  if (!Number.isSafeInteger(start) || start >= size)
    return { kind: 'unsatisfiable', reason: `the range starts past the end (${size} bytes)` };
  if (b === '') return { kind: 'partial', start, endInclusive: size - 1 };
  // An end past the file (however large) is the file's end.
  const end = b.length > 15 ? Number.POSITIVE_INFINITY : Number(b);
  if (end < start) return { kind: 'unsatisfiable', reason: 'the range ends before it starts' };
  return { kind: 'partial', start, endInclusive: Math.min(end, size - 1) };
}
