import { ValidationError } from '../../errors.js';

/**
 * The CSV bytes as text for the parser, shared by the import and its preview so that both read a
 * file the same way:
 *
 * - encoding: UTF-8 when the head of the file is valid UTF-8, else Windows-1252 (a superset of
 *   Latin-1 for text; what spreadsheets export as "CSV" on Windows). A file that starts as UTF-8
 *   and breaks later is refused: it is never decoded with U+FFFD in place of its letters.
 * - oversized fields: a field longer than MAX_FIELD_CHARS is cut there and marked, so that its row
 *   alone is refused ("longer than ...") while the parser keeps its place and the other rows
 *   import. Line breaks inside the cut part are kept, so row numbers stay right.
 */
export type TextEncoding = 'utf-8' | 'windows-1252';

/** Longer than any value a lead keeps (200 for text, 1,000 for a custom field). */
export const MAX_FIELD_CHARS = 4096;

/** What a cut field ends with; noncharacters, never in real text (normaliseRow looks for it). */
export const OVERSIZED_MARK = '\uFDD0oversized\uFDD0';

/**
 * The encoding of a file from its head. `complete`: the head is the whole file (else its last
 * bytes may be a character cut in two, which is not an error).
 */
export function detectEncoding(head: Buffer, complete: boolean): TextEncoding {
  let end = head.length;
  if (!complete) {
    // Drop a trailing partial UTF-8 sequence (at most 3 bytes: lead byte + continuations).
    let i = head.length - 1;
    let back = 0;
    while (i >= 0 && back < 3 && (head[i] ?? 0) >= 0x80 && (head[i] ?? 0) < 0xc0) {
      i--;
      back++;
    }
    if (i >= 0 && (head[i] ?? 0) >= 0xc0) end = i;
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, end));
    return 'utf-8';
  } catch {
    return 'windows-1252';
  }
}

function notUtf8(): ValidationError {
  const why = 'it is not UTF-8 text (its beginning is, a later part is not); save it as UTF-8 CSV';
  return new ValidationError(`the file is not readable: ${why}; nothing was imported`, [
    { path: 'file', message: why },
  ]);
}

/** Decodes the byte chunks as `encoding` (a BOM is dropped); throws on bad UTF-8. */
export async function* decodeText(
  chunks: AsyncIterable<Buffer>,
  encoding: TextEncoding,
): AsyncGenerator<string> {
  const decoder = new TextDecoder(encoding, { fatal: encoding === 'utf-8' });
  try {
    for await (const chunk of chunks) {
      const text = decoder.decode(chunk, { stream: true });
      if (text) yield text;
    }
    const rest = decoder.decode();
    if (rest) yield rest;
  } catch (err) {
    if (err instanceof TypeError) throw notUtf8();
    throw err;
  }
}

/**
 * Cuts every field longer than `maxChars` (see above), tracking quotes as RFC 4180 does: a quote
 * toggles the quoted state (an escaped "" toggles twice), delimiters and line breaks outside
 * quotes end a field.
 */
export async function* guardFields(
  text: AsyncIterable<string>,
  delimiter: string,
  maxChars = MAX_FIELD_CHARS,
): AsyncGenerator<string> {
  // Jumps from one quote, delimiter or line break to the next (the runs between are plain text):
  // a per-character loop would cost about 4 s per 60 MB file.
  const special = new RegExp(`["\\r\\n${delimiter}]`, 'g');
  let quoted = false;
  let length = 0; // characters of the current field so far
  let cut = false; // the current field was cut: drop the rest of it
  for await (const chunk of text) {
    let out = '';
    let from = 0; // start of the part of `chunk` still to copy
    let pos = 0; // start of the plain run before the next special character
    special.lastIndex = 0;
    for (;;) {
      const m = special.exec(chunk);
      const end = m ? m.index : chunk.length;
      const run = end - pos;
      if (cut) {
        from = end;
      } else if (length + run > maxChars) {
        out += chunk.slice(from, pos + (maxChars - length)) + OVERSIZED_MARK;
        from = end;
        cut = true;
      }
      length += run;
      if (!m) break;
      const i = m.index;
      const ch = m[0];
      pos = i + 1;
      if (ch === '"') {
        quoted = !quoted;
      } else if (!quoted) {
        // A delimiter or line break outside quotes ends the field; copying resumes with it.
        if (cut) from = i;
        length = 0;
        cut = false;
        continue;
      }
      // A quote, or a delimiter or line break inside quotes: a character of the field. Once cut,
      // its line breaks (row numbers) and quotes (the parser's state) are kept, nothing else.
      length++;
      if (cut) {
        if (ch !== delimiter) out += ch;
        from = i + 1;
      } else if (length > maxChars) {
        out += chunk.slice(from, i) + OVERSIZED_MARK + (ch !== delimiter ? ch : '');
        from = i + 1;
        cut = true;
      }
    }
    out += chunk.slice(from);
    if (out) yield out;
  }
}
