import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { deriveTimeZone } from '../../domain/timezone/index.js';
import { hasUnstorableText } from '../../domain/storable-text.js';
import type { ResolvedMapping } from './mapping.js';
import { MAX_FIELD_CHARS, OVERSIZED_MARK } from './text-stream.js';
import type { StagedLead } from '../../ports/import.js';

/** One problem with one row: `row` is the line number in the file (the header is line 1). */
export interface ImportRowError {
  row: number;
  /** The CSV header of the offending column, '' when the whole row is at fault. */
  column: string;
  reason: string;
}

export type RowResult =
  | { ok: true; lead: StagedLead; warnings: ImportRowError[] }
  | { ok: false; errors: ImportRowError[] };

/** Longest value kept for a text field; longer values are refused, not cut. */
const MAX_TEXT = 200;
const MAX_CUSTOM = 1000;

const COUNTRY_NAMES: Record<string, string> = {
  USA: 'US',
  'UNITED STATES': 'US',
  'UNITED STATES OF AMERICA': 'US',
  CAN: 'CA',
  CANADA: 'CA',
};

const zoneCache = new Map<string, boolean>();
/** True when ICU knows the IANA zone (checked once per distinct name). */
function isTimeZone(name: string): boolean {
  let ok = zoneCache.get(name);
  if (ok === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: name });
      ok = /^[A-Za-z_]+\/[A-Za-z0-9_+-]+(\/[A-Za-z0-9_+-]+)?$/.test(name);
    } catch {
      ok = false;
    }
    if (zoneCache.size < 1000) zoneCache.set(name, ok);
  }
  return ok;
}

/** ISO 3166 alpha-2 of a country cell, or null when not understood. */
export function normaliseCountry(value: string): string | null {
  const v = value.trim().toUpperCase();
  if (/^[A-Z]{2}$/.test(v)) return v;
  return COUNTRY_NAMES[v] ?? null;
}

/** E.164 of a phone cell, or null when it is not a valid number. */
export function toE164(value: string, country: string): string | null {
  const fast = fastNanp(value, country);
  if (fast !== undefined) return fast;
  return slowE164(value, country);
}

function slowE164(value: string, country: string): string | null {
  const parsed = parsePhoneNumberFromString(value, country as CountryCode);
  if (!parsed?.isValid()) return null;
  return parsed.number;
}

/** Regions of the North American Numbering Plan (country calling code 1). */
const NANP_REGIONS = new Set(
  'US CA PR VI GU AS MP BS BB AI AG VG KY BM GD TC JM MS SX LC DM VC DO TT KN'.split(' '),
);

/**
 * Validity of each NPA-NXX (area code + exchange) seen, as libphonenumber judges it. Its NANP
 * rules depend on those six digits only, never on the line number (checked over every area code
 * in our table and every exchange), so one libphonenumber call per prefix answers for all the
 * numbers that share it. Capped so a hostile file cannot grow it without bound.
 */
const prefixValid = new Map<string, boolean>();
const MAX_PREFIXES = 200_000;

/**
 * The common case of a lead file, a 10-digit NANP number with punctuation, without parsing it
 * with libphonenumber each time (about 3/4 of the per-row CPU of an import). Returns undefined
 * whenever the answer is not certain, and the caller asks libphonenumber.
 */
export function fastNanp(value: string, country: string): string | null | undefined {
  if (!NANP_REGIONS.has(country)) return undefined;
  let digits = '';
  let plus = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 48 && c <= 57) digits += value[i];
    else if (c === 43 /* + */) {
      if (digits.length > 0 || plus) return undefined;
      plus = true;
    } else if (c !== 32 && c !== 40 && c !== 41 && c !== 45 && c !== 46) return undefined;
  }
  if (digits.length === 11 && digits.startsWith('1')) digits = digits.slice(1);
  else if (plus) return undefined; // +44..., or +212 (Morocco) that is not a US 212 number
  if (digits.length !== 10) return undefined;
  const e164 = `+1${digits}`;
  const prefix = digits.slice(0, 6);
  let valid = prefixValid.get(prefix);
  if (valid === undefined) {
    valid = slowE164(e164, 'US') !== null;
    if (prefixValid.size < MAX_PREFIXES) prefixValid.set(prefix, valid);
  }
  // An invalid prefix is left to libphonenumber, whose answer (and reason) is authoritative.
  return valid ? e164 : undefined;
}

/**
 * Validates and normalises one CSV record: phone to E.164 (in the row's country, else the
 * default), alternates, text lengths, time zone (an explicit valid zone wins, else postal code,
 * else area code). Pure apart from the libraries' static data.
 */
export function normaliseRow(
  record: string[],
  row: number,
  m: ResolvedMapping,
  defaultCountry: string,
): RowResult {
  const errors: ImportRowError[] = [];
  const warnings: ImportRowError[] = [];
  if (record.length !== m.header.length) {
    return {
      ok: false,
      errors: [
        {
          row,
          column: '',
          reason: `has ${record.length} columns, the header has ${m.header.length}`,
        },
      ],
    };
  }
  // Text PostgreSQL cannot store, and fields cut for their size (text-stream.ts): this row only.
  for (let i = 0; i < record.length; i++) {
    const v = record[i] ?? '';
    const reason = v.includes(OVERSIZED_MARK)
      ? `longer than ${MAX_FIELD_CHARS} characters`
      : hasUnstorableText(v)
        ? 'contains a NUL character'
        : null;
    if (reason !== null) errors.push({ row, column: m.header[i] ?? '', reason });
  }
  if (errors.length > 0) return { ok: false, errors };
  const cell = (i: number | undefined): string | null => {
    if (i === undefined) return null;
    const v = (record[i] ?? '').trim();
    return v === '' ? null : v;
  };
  const text = (
    field: 'first_name' | 'last_name' | 'address' | 'city' | 'state' | 'postal_code',
  ) => {
    const i = m.fields[field];
    const v = cell(i);
    if (v !== null && v.length > MAX_TEXT) {
      errors.push({
        row,
        column: m.header[i ?? 0] ?? field,
        reason: `longer than ${MAX_TEXT} characters`,
      });
      return null;
    }
    return v;
  };

  let country = defaultCountry;
  const countryCell = cell(m.fields.country);
  if (countryCell !== null) {
    const c = normaliseCountry(countryCell);
    if (c === null) {
      errors.push({
        row,
        column: m.header[m.fields.country ?? 0] ?? 'country',
        reason: 'not a country code',
      });
    } else {
      country = c;
    }
  }

  const phoneColumn = m.header[m.fields.phone ?? 0] ?? 'phone';
  const rawPhone = cell(m.fields.phone);
  let phone: string | null = null;
  if (rawPhone === null) {
    errors.push({ row, column: phoneColumn, reason: 'phone is empty' });
  } else {
    phone = toE164(rawPhone, country);
    if (phone === null)
      errors.push({
        row,
        column: phoneColumn,
        reason: `not a valid phone number (country ${country})`,
      });
  }

  const altPhones: string[] = [];
  for (const i of m.altPhones) {
    const v = cell(i);
    if (v === null) continue;
    for (const part of v.split(/[;|/]/)) {
      if (part.trim() === '') continue;
      const alt = toE164(part, country);
      if (alt === null) {
        warnings.push({
          row,
          column: m.header[i] ?? 'alt_phones',
          reason: 'alternate number is not valid; dropped',
        });
      } else if (alt !== phone && !altPhones.includes(alt)) {
        altPhones.push(alt);
      }
    }
  }

  const firstName = text('first_name');
  const lastName = text('last_name');
  const address = text('address');
  const city = text('city');
  const state = text('state');
  const postalCode = text('postal_code');

  let explicitZone: string | null = null;
  const zoneCell = cell(m.fields.time_zone);
  if (zoneCell !== null) {
    if (isTimeZone(zoneCell)) explicitZone = zoneCell;
    else
      errors.push({
        row,
        column: m.header[m.fields.time_zone ?? 0] ?? 'time_zone',
        reason: 'not an IANA time zone such as America/Chicago',
      });
  }

  const custom: Record<string, string> = {};
  for (const [i, key] of m.custom) {
    const v = cell(i);
    if (v === null) continue;
    if (v.length > MAX_CUSTOM) {
      errors.push({ row, column: key, reason: `longer than ${MAX_CUSTOM} characters` });
      continue;
    }
    custom[key] = v;
  }

  if (errors.length > 0 || phone === null) return { ok: false, errors };

  const tz =
    explicitZone !== null
      ? { timeZone: explicitZone, key: explicitZone, source: 'manual' as const }
      : deriveTimeZone({ phone, postalCode, country });
  return {
    ok: true,
    warnings,
    lead: {
      row,
      phone,
      altPhones,
      firstName,
      lastName,
      address,
      city,
      state,
      postalCode,
      country,
      timeZone: tz.timeZone,
      tzKey: tz.key,
      tzSource: tz.source,
      custom,
    },
  };
}
