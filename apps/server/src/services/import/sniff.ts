import { Readable } from 'node:stream';
import { ValidationError } from '../../errors.js';
import { detectEncoding, type TextEncoding } from './text-stream.js';

/** Bytes read before deciding whether the input is CSV. */
export const SNIFF_BYTES = 64 * 1024;

/** Signatures of files people upload by mistake instead of CSV. */
const SIGNATURES: Array<[string, number[]]> = [
  ['an Excel or ZIP file (save it as CSV first)', [0x50, 0x4b, 0x03, 0x04]],
  ['a legacy Excel file (save it as CSV first)', [0xd0, 0xcf, 0x11, 0xe0]],
  ['a gzip file', [0x1f, 0x8b]],
  ['UTF-16 text (save it as UTF-8 CSV)', [0xff, 0xfe]],
  ['UTF-16 text (save it as UTF-8 CSV)', [0xfe, 0xff]],
  ['a PDF file', [0x25, 0x50, 0x44, 0x46]],
  ['an image', [0x89, 0x50, 0x4e, 0x47]],
  ['an image', [0xff, 0xd8, 0xff]],
];

export interface Sniffed {
  /** The whole input again, starting with the bytes already read. */
  stream: Readable;
  delimiter: string;
  /** How the bytes are to be read (text-stream.ts). */
  encoding: TextEncoding;
}

/**
 * Reads the head of the input, refuses what is clearly not CSV text (binary signatures, NUL
 * bytes, control characters, no line), and guesses the delimiter from the header line. The rest
 * of the input is not read here: the returned stream pulls it on demand (backpressure kept).
 */
export async function sniff(input: Readable): Promise<Sniffed> {
  const it = input[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  const parts: Buffer[] = [];
  let size = 0;
  let done = false;
  while (size < SNIFF_BYTES) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    const chunk = typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
    parts.push(chunk);
    size += chunk.length;
  }
  const head = Buffer.concat(parts);
  checkText(head);
  const delimiter = guessDelimiter(head);
  const encoding = detectEncoding(head, done);

  async function* all(): AsyncGenerator<Buffer> {
    yield head;
    if (done) return;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
    }
  }
  return { stream: Readable.from(all(), { objectMode: false }), delimiter, encoding };
}

function notCsv(why: string): ValidationError {
  return new ValidationError(`the file is not CSV: ${why}; nothing was imported`, [
    { path: 'file', message: why },
  ]);
}

/** Throws ValidationError when the head of the file is not text. */
export function checkText(head: Buffer): void {
  if (head.length === 0) throw notCsv('it is empty');
  for (const [what, sig] of SIGNATURES) {
    if (sig.every((b, i) => head[i] === b)) throw notCsv(`it is ${what}`);
  }
  let control = 0;
  let nul = 0;
  for (const b of head) {
    if (b === 0) nul++;
    else if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) control++;
  }
  // A few stray control characters happen in exported text, and a stray NUL (its row is then
  // refused, see row.ts); many mean binary data (UTF-16 without a BOM is half NUL bytes).
  if (control > head.length / 100) throw notCsv('it contains binary data');
  if (nul > Math.max(1, Math.min(16, head.length / 100))) throw notCsv('it contains binary data');
}

/** The most frequent of , ; tab | in the first line (outside quotes); ',' when none. */
export function guessDelimiter(head: Buffer): string {
  const text = head.subarray(0, Math.min(head.length, 8192)).toString('utf8');
  const counts = new Map<string, number>([
    [',', 0],
    [';', 0],
    ['\t', 0],
    ['|', 0],
  ]);
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && counts.has(ch)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  }
  let best = ',';
  let bestCount = 0;
  for (const [d, c] of counts) {
    if (c > bestCount) {
      best = d;
      bestCount = c;
    }
  }
  return best;
}
