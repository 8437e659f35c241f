import { AREA_CODE_ZONES } from './area-codes.js';
import { usZip5, zonesForPostalCode } from './postal-codes.js';

/** How a lead's zone was found; the values of leads.tz_source this module produces. */
export type DerivedTzSource = 'postal_code' | 'area_code' | 'country' | 'unknown';

/** The time zone of a lead, as stored in leads.time_zone / tz_candidates / tz_key / tz_source. */
export interface TzDerivation {
  /** The one IANA zone when exactly one candidate is known, else null. */
  timeZone: string | null;
  /** Every zone the lead may be in, sorted; empty when unknown. */
  candidates: string[];
  /** candidates joined with ',' ('' when unknown): the hopper groups leads by it. */
  key: string;
  source: DerivedTzSource;
}

export interface TzInput {
  /** E.164 number, e.g. +14155550123. */
  phone: string;
  postalCode?: string | null;
  /** ISO 3166 alpha-2 (US, CA...); null or absent: unknown. */
  country?: string | null;
}

const UNKNOWN: TzDerivation = Object.freeze({
  timeZone: null,
  candidates: [],
  key: '',
  source: 'unknown',
}) as TzDerivation;

/** Where a lead's candidate zones come from, for the lead screen and "why not dialed". */
export interface TzOrigin {
  source: 'postal_code' | 'area_code' | 'country';
  /** The ZIP / postal code, the area code, or the country. */
  value: string;
  zones: readonly string[];
}

/**
 * The sources of a lead's candidate zones: its postal code's zones and its number's area-code
 * zones, both (a mobile number travels; the law protects the person where they are), or its
 * country's zones when neither places it. Pure.
 */
export function tzOrigins(input: TzInput): TzOrigin[] {
  const country = input.country ? input.country.trim().toUpperCase() : null;
  const out: TzOrigin[] = [];
  if (input.postalCode) {
    const zones = zonesForPostalCode(input.postalCode, country);
    if (zones.length > 0) {
      const value = usZip5(input.postalCode) ?? input.postalCode.trim().toUpperCase();
      out.push({ source: 'postal_code', value, zones });
    }
  }
  const m = /^\+1(\d{3})\d{7}$/.exec(input.phone);
  const areaZones = zonesForPhone(input.phone);
  if (m?.[1] && areaZones.length > 0) {
    out.push({ source: 'area_code', value: m[1], zones: areaZones });
  }
  if (out.length === 0 && /^\+1\d{10}$/.test(input.phone)) {
    const wide =
      country === 'US' ? US_ZONES : country === 'CA' ? CA_ZONES : [...US_ZONES, ...CA_ZONES];
    out.push({ source: 'country', value: country ?? 'US+CA', zones: wide });
  }
  return out;
}

/**
 * Derives a lead's time zone: every zone of its postal code AND every zone of its number's NANP
 * area code (cross-check: the dialer calls only when all of them are inside the window, so a
 * ZIP and a number that disagree fail closed), else unknown. `source` names the most precise
 * source found. Pure: no clock, no I/O.
 */
export function deriveTimeZone(input: TzInput): TzDerivation {
  const country = input.country ? input.country.trim().toUpperCase() : null;
  const origins = tzOrigins(input);
  const byZip = origins.find((o) => o.source === 'postal_code');
  const byArea = origins.find((o) => o.source === 'area_code');
  if (byZip) return result([...byZip.zones, ...(byArea?.zones ?? [])], 'postal_code');
  const zones = zonesForPhone(input.phone);
  if (zones.length > 0) return result(zones, 'area_code');
  // A NANP number whose area code places nowhere (toll-free, unassigned): it may be anywhere in
  // its country, so every zone of the country is a candidate and the lead is dialed only while
  // all of them are inside the calling window. Outside NANP we know nothing: unknown, never dialed.
  if (/^\+1\d{10}$/.test(input.phone)) {
    const wide =
      country === 'US' ? US_ZONES : country === 'CA' ? CA_ZONES : [...US_ZONES, ...CA_ZONES];
    return result(wide, 'country');
  }
  return { ...UNKNOWN, candidates: [] };
}

/** Every zone a US number may be in (the 50 states; territories have their own area codes). */
export const US_ZONES: readonly string[] = [
  'America/New_York',
  'America/Chicago',
  'America/Denver',
  'America/Phoenix',
  'America/Los_Angeles',
  'America/Anchorage',
  'Pacific/Honolulu',
];
/** Every zone a Canadian number may be in. */
export const CA_ZONES: readonly string[] = [
  'America/St_Johns',
  'America/Halifax',
  'America/Toronto',
  'America/Winnipeg',
  'America/Regina',
  'America/Edmonton',
  'America/Vancouver',
];

/** Zones of a +1 (NANP) number by its area code; [] for other countries and unknown codes. */
export function zonesForPhone(e164: string): readonly string[] {
  const m = /^\+1(\d{3})\d{7}$/.exec(e164);
  if (!m?.[1]) return [];
  return AREA_CODE_ZONES.get(m[1]) ?? [];
}

/** The hopper key of a set of candidate zones: sorted, de-duplicated, ','-joined. */
export function tzKey(candidates: readonly string[]): string {
  return [...new Set(candidates)].sort().join(',');
}

function result(zones: readonly string[], source: DerivedTzSource): TzDerivation {
  const candidates = [...new Set(zones)].sort();
  return {
    timeZone: candidates.length === 1 ? (candidates[0] ?? null) : null,
    candidates,
    key: candidates.join(','),
    source,
  };
}
