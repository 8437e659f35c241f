/**
 * The national do-not-call registry (in the US, the FTC's National Do Not Call Registry): about
 * 250 million 10-digit NANP numbers, imported from the registry's area-code files and asked at
 * dial time. Numbers are split as area code (`npa`, 3 digits, "212") and subscriber number
 * (`line`, the 7 remaining digits as an integer 0..9_999_999).
 */
export interface NationalDncRegistry {
  /** True when the number (E.164) is on the registry; numbers outside +1 are never on it. */
  isListed(phone: string): Promise<boolean>;
}

/** What the importer writes; an adapter keeps one bitset of 10^7 bits per area code. */
export interface NationalDncStore extends NationalDncRegistry {
  /**
   * Starts a full import: the given area codes will be replaced as a whole by what is added to
   * the returned import, atomically per area code at commit(); until then readers see the old set.
   */
  beginFull(): NationalDncFullImport;
  /**
   * Adds (listed = true) or removes numbers in place, e.g. from a change (delta) file; each change
   * is atomic on its own. Call recount() for the touched area codes once the file is done.
   */
  applyChanges(changes: readonly NationalDncChange[]): Promise<void>;
  /** Updates the held counts of these area codes (areaCodes()) from their live sets. */
  recount(npas: Iterable<string>, atMs: number): Promise<void>;
  /** The area codes held, with their number counts as of their last full import or change. */
  areaCodes(): Promise<Map<string, { numbers: number; importedAtMs: number }>>;
}

export interface NationalDncChange {
  npa: string;
  line: number;
  listed: boolean;
}

/** One full import in progress (see NationalDncStore.beginFull). */
export interface NationalDncFullImport {
  /** Writes one area code's (possibly partial) bitset: 1_250_000 bytes, bit n = line n, MSB first. */
  addBitset(npa: string, bits: Buffer): Promise<void>;
  /** Replaces each written area code's live set with the imported one; returns their counts. */
  commit(importedAtMs: number): Promise<Map<string, number>>;
  /** Drops the scratch data; the live sets stay as they were. */
  abort(): Promise<void>;
}

/** Bytes of one area code's bitset: 10^7 bits. */
export const NPA_BITSET_BYTES = 1_250_000;

/**
 * Splits an E.164 NANP number (+1 and 10 digits) into area code and 7-digit line; null for any
 * other number (the national registry holds NANP numbers only).
 */
export function splitNanp(phone: string): { npa: string; line: number } | null {
  if (phone.length !== 12 || phone.charCodeAt(0) !== 43 || phone.charCodeAt(1) !== 49) return null;
  let line = 0;
  for (let i = 2; i < 12; i++) {
    const d = phone.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return null;
    if (i >= 5) line = line * 10 + d;
  }
  return { npa: phone.slice(2, 5), line };
}
