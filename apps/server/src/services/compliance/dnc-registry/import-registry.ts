import {
  NPA_BITSET_BYTES,
  type NationalDncChange,
  type NationalDncStore,
} from '../../../ports/national-dnc.js';

/**
 * What a registry file holds (docs/dnc.md, "National registry"):
 * - `full`: every registered number of the area codes it covers, one 10-digit number a line
 *   (the FTC's full area-code download). The area codes met in the file (and any named in
 *   `areaCodes`) are replaced as a whole; the others stay.
 * - `delta`: a change file, one number and a flag a line: `A` (added) or `D` (deleted), in either
 *   order, separated by a comma, tab or spaces (`2125550123,A`, `D 2125550123`); the words `add`
 *   and `delete` are read by their first letter.
 * - `add` / `delete`: a change file of one kind only (bare numbers), as the FTC's separate
 *   additions and deletions lists.
 * A number may be written `2125550123`, `212-555-0123`, `(212) 555-0123`, `212,5550123`,
 * `12125550123` or `+12125550123`. Blank lines and a first line without digits (a header) are
 * skipped; any other line that is not such a number is invalid (reported with its line number).
 */
export type RegistryFileKind = 'full' | 'delta' | 'add' | 'delete';

export interface RegistryImportOptions {
  kind: RegistryFileKind;
  /** Area codes the full file covers even when it lists no number of them (emptied then). */
  areaCodes?: readonly string[];
  /**
   * A full file with more invalid lines than this is not committed (the live sets stay): a
   * damaged file must not shrink the registry. Change files apply their valid lines anyway.
   */
  maxInvalid?: number;
  /** Area-code bitsets held in memory at once (1.25 MB each) before a partial one is flushed. */
  maxOpenAreaCodes?: number;
  /** Change lines sent to Redis per pipeline. */
  batch?: number;
  nowMs: () => number;
}

export interface RegistryImportReport {
  kind: RegistryFileKind;
  lines: number;
  /** Valid number lines read (a number listed twice counts twice). */
  numbers: number;
  invalid: number;
  /** The first invalid lines, with why. */
  errors: { line: number; reason: string }[];
  /** Area codes replaced (full) or touched (changes). */
  areaCodes: string[];
  /** Full files: whether the area codes were replaced; changes: always true. */
  committed: boolean;
  durationMs: number;
}

const MAX_ERRORS = 20;
const NL = 10;

/**
 * Streams one registry file into the store. Memory stays bounded whatever the file's size: a
 * full file holds at most `maxOpenAreaCodes` bitsets (40 MB by default; a file sorted by area code,
 * as the registry's are, needs one), a change file one batch.
 */
export async function importRegistryFile(
  store: NationalDncStore,
  input: AsyncIterable<Buffer | string> | Iterable<Buffer | string>,
  opts: RegistryImportOptions,
): Promise<RegistryImportReport> {
  const startedMs = opts.nowMs();
  for (const npa of opts.areaCodes ?? []) {
    if (!/^[2-9][0-9]{2}$/.test(npa)) throw new RangeError(`areaCodes: not an area code: ${npa}`);
  }
  const maxInvalid = opts.maxInvalid ?? 0;
  const maxOpen = Math.max(1, opts.maxOpenAreaCodes ?? 32);
  const batchSize = Math.max(1, opts.batch ?? 10_000);
  const report: RegistryImportReport = {
    kind: opts.kind,
    lines: 0,
    numbers: 0,
    invalid: 0,
    errors: [],
    areaCodes: [],
    committed: false,
    durationMs: 0,
  };
  const touched = new Set<number>();
  const invalid = (line: number, reason: string): void => {
    report.invalid++;
    if (report.errors.length < MAX_ERRORS) report.errors.push({ line, reason });
  };

  const full = opts.kind === 'full' ? store.beginFull() : null;
  const open = new Map<number, Buffer>();
  let pending: Promise<void> = Promise.resolve();
  let changes: NationalDncChange[] = [];

  const flushOldest = async (): Promise<void> => {
    const [npa, bits] = open.entries().next().value as [number, Buffer];
    open.delete(npa);
    await full?.addBitset(String(npa), bits);
  };

  // Per-line state of the byte scanner.
  let lineNo = 0;
  let nd = 0;
  let val = 0;
  let first = -1;
  let flag = 0;
  let words = 0;
  let inWord = false;

  /** Ends a line; returns a promise when the line made a write due (a full batch, a flush). */
  const endLine = (): Promise<void> | null => {
    lineNo++;
    const digits = nd;
    let v = val;
    const f = flag;
    const w = words;
    const fd = first;
    nd = 0;
    val = 0;
    first = -1;
    flag = 0;
    words = 0;
    inWord = false;
    if (digits === 0) {
      if (w > 0 && lineNo !== 1) invalid(lineNo, 'no number on the line');
      return null;
    }
    report.lines++;
    if (digits > 11 || (digits === 11 && fd !== 1) || digits < 10) {
      invalid(lineNo, 'not a 10-digit number');
      return null;
    }
    if (digits === 11) v -= 1e10;
    const npa = Math.floor(v / 1e7);
    const line = v - npa * 1e7;
    if (npa < 200) {
      invalid(lineNo, 'the area code must start with 2-9');
      return null;
    }
    let listed: boolean;
    if (opts.kind === 'delta') {
      if (w !== 1 || (f !== 65 && f !== 68)) {
        invalid(lineNo, 'a change line needs one flag: A (added) or D (deleted)');
        return null;
      }
      listed = f === 65;
    } else {
      if (w !== 0) {
        invalid(lineNo, 'unexpected text after the number');
        return null;
      }
      listed = opts.kind !== 'delete';
    }
    report.numbers++;
    touched.add(npa);
    if (full) {
      let bits = open.get(npa);
      const opened = !bits;
      if (!bits) {
        bits = Buffer.alloc(NPA_BITSET_BYTES);
        open.set(npa, bits);
      }
      bits[line >> 3]! |= 0x80 >> (line & 7);
      // The oldest is the first opened, never the one just opened (maxOpen >= 1).
      return opened && open.size > maxOpen ? flushOldest() : null;
    }
    changes.push({ npa: String(npa), line, listed });
    if (changes.length >= batchSize) {
      const batch = changes;
      changes = [];
      return store.applyChanges(batch);
    }
    return null;
  };

  try {
    for await (const chunk of input) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      for (let i = 0; i < buf.length; i++) {
        const c = buf[i]!;
        if (c >= 48 && c <= 57) {
          if (nd === 0) first = c - 48;
          if (nd < 12) val = val * 10 + (c - 48);
          nd++;
          inWord = false;
        } else if (c === NL) {
          const due = endLine();
          if (due) {
            // One write in flight at a time: it overlaps the scan of what follows.
            await pending;
            pending = due;
            due.catch(() => undefined); // awaited (and thrown) at the next write or the end
          }
        } else if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) {
          if (!inWord) {
            words++;
            inWord = true;
            if (words === 1) flag = c & 0xdf;
          }
        } else {
          inWord = false;
        }
      }
    }
    if (nd > 0 || words > 0) {
      const due = endLine();
      if (due) {
        await pending;
        pending = due;
      }
    }
    await pending;

    if (full) {
      for (const npa of opts.areaCodes ?? []) {
        const n = Number(npa);
        if (!touched.has(n)) {
          touched.add(n);
          open.set(n, Buffer.alloc(NPA_BITSET_BYTES));
          if (open.size > maxOpen) await flushOldest();
        }
      }
      while (open.size > 0) await flushOldest();
      if (report.invalid > maxInvalid) {
        await full.abort();
      } else {
        await full.commit(opts.nowMs());
        report.committed = true;
      }
    } else {
      await store.applyChanges(changes);
      changes = [];
      report.committed = true;
      await store.recount(
        [...touched].map((n) => String(n)),
        opts.nowMs(),
      );
    }
  } catch (err) {
    await pending.catch(() => undefined);
    await full?.abort();
    throw err;
  }
  report.areaCodes = [...touched].sort((a, b) => a - b).map((n) => String(n));
  report.durationMs = opts.nowMs() - startedMs;
  return report;
}
