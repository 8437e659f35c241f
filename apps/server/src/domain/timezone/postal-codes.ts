import { ZIP_GROUPS, ZONE_SETS } from './generated/us-zip-zones.js';

/**
 * Postal code -> IANA zones. US ZIP codes use the generated table (generated/us-zip-zones.ts,
 * about 42,000 ZIPs, each with EVERY zone its area may be in: the zones at its centroid and on
 * rings around it sized by its area, in the time-zone boundary polygons; scripts/tz-data and
 * docs/dialer.md). Canadian postal codes are resolved by their first letter (the province or
 * region), which is exact for most provinces and split where a province spans zones.
 */

/** A US ZIP's candidate zones (sorted) and its state (USPS code). */
export interface ZipInfo {
  zones: readonly string[];
  state: string;
}

let zipIndex: Map<string, ZipInfo> | null = null;

/** The ZIP table, expanded on first use (about 42,000 entries sharing 90 zone arrays). */
function zipTable(): Map<string, ZipInfo> {
  if (zipIndex) return zipIndex;
  const sets = ZONE_SETS.map((s) => Object.freeze(s.split(',')));
  const m = new Map<string, ZipInfo>();
  for (const [set, state, zips] of ZIP_GROUPS) {
    const zones = sets[set] ?? [];
    for (const zip of zips.split(' ')) m.set(zip, Object.freeze({ zones, state }));
  }
  zipIndex = m;
  return m;
}

/** The zones and state of a 5-digit US ZIP, or null when the table does not know it. */
export function zipInfo(zip5: string): ZipInfo | null {
  return zipTable().get(zip5) ?? null;
}

/** The 5-digit ZIP of a US postal code as leads carry it (ZIP+4, lost leading zero), or null. */
export function usZip5(postalCode: string): string | null {
  const code = postalCode.trim();
  return US_ZIP.exec(code)?.[1] ?? padded(US_ZIP_LOST_ZERO.exec(code)?.[1]) ?? null;
}

const CANADA_BY_FIRST_LETTER: Record<string, readonly string[]> = {
  A: ['America/Goose_Bay', 'America/St_Johns'],
  B: ['America/Halifax'],
  C: ['America/Halifax'],
  E: ['America/Moncton'],
  G: ['America/Halifax', 'America/Toronto'],
  H: ['America/Toronto'],
  J: ['America/Toronto'],
  K: ['America/Toronto'],
  L: ['America/Toronto'],
  M: ['America/Toronto'],
  N: ['America/Toronto'],
  P: ['America/Toronto', 'America/Winnipeg'],
  R: ['America/Winnipeg'],
  S: ['America/Regina'],
  T: ['America/Edmonton'],
  V: ['America/Dawson_Creek', 'America/Edmonton', 'America/Vancouver'],
  X: ['America/Edmonton', 'America/Iqaluit', 'America/Rankin_Inlet'],
  Y: ['America/Whitehorse'],
};

const US_ZIP = /^(\d{5})(?:-?\d{4})?$/;
/** Spreadsheets drop the leading zero of New England ZIPs (02134 -> 2134). */
const US_ZIP_LOST_ZERO = /^(\d{4})$/;
const CANADA_POSTAL = /^([ABCEGHJ-NPRSTVXY])\d[A-Z] ?\d[A-Z]\d$/;

/**
 * Zones for a postal code, or [] when the code is not recognised. `country` (ISO 3166 alpha-2)
 * narrows the formats tried; when null both US and Canadian formats are tried.
 */
export function zonesForPostalCode(postalCode: string, country: string | null): readonly string[] {
  const code = postalCode.trim().toUpperCase();
  if (code === '') return [];
  if (country === null || country === 'US') {
    const zip = usZip5(code);
    if (zip !== null) {
      const info = zipInfo(zip);
      if (info) return info.zones;
    }
  }
  if (country === null || country === 'CA') {
    const letter = CANADA_POSTAL.exec(code)?.[1];
    if (letter !== undefined) return CANADA_BY_FIRST_LETTER[letter] ?? [];
  }
  return [];
}

function padded(fourDigits: string | undefined): string | undefined {
  return fourDigits === undefined ? undefined : `0${fourDigits}`;
}
