// The package has no types; the reference brings our declaration along when another project (bench/)
// compiles this file.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="./zipcode-to-timezone.d.ts" />
import zipcodeToTimezone from 'zipcode-to-timezone';

/**
 * Postal code -> IANA zones. US ZIP codes use the bundled table of the `zipcode-to-timezone`
 * package (about 42,000 ZIPs, loaded from its JSON file at start-up; no network). Canadian postal
 * codes are resolved by their first letter (the province or region), which is exact for most
 * provinces and split where a province spans zones.
 */

/** Old or link names in the ZIP data, replaced by the zone ICU and PostgreSQL report. */
const CANONICAL: Record<string, string> = { 'America/Shiprock': 'America/Denver' };

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
    const zip = US_ZIP.exec(code)?.[1] ?? padded(US_ZIP_LOST_ZERO.exec(code)?.[1]);
    if (zip !== undefined) {
      const zone = zipcodeToTimezone.lookup(zip);
      if (zone !== null) return [CANONICAL[zone] ?? zone];
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
