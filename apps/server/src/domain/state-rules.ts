/**
 * State calling rules (pure: the caller passes the instant, the rules and the attempt times).
 *
 * Some US states allow telephone solicitation in narrower hours than the federal 08:00-21:00, on
 * fewer days, or cap the calls to one number in a rolling 24 hours. The rules are data
 * (state_calling_rules, edited by an admin); DEFAULT_STATE_RULES are the values the migration
 * seeds, read from the statutes cited in each rule, and counsel should confirm them before they
 * are relied on.
 *
 * Which states' rules apply to a lead: every state it may be in (fail closed, like the time
 * zones): the state of its address, the state of its ZIP code, and the state of its number's
 * area code (some statutes presume that a number with the state's area code is a resident's,
 * e.g. Conn. Gen. Stat. § 42-288(c)). A state's window is read in EVERY candidate zone of the
 * lead.
 */
import { localTime, localToUtcMs, type CallingWindow } from './calling-window.js';
import { stateOfAreaCode } from './timezone/area-codes.js';
import { usZip5, zipInfo } from './timezone/postal-codes.js';

/** One state's rule. `days` has 7 entries, Sunday first (JS getDay order); null = no calls. */
export interface StateRule {
  /** USPS code, e.g. 'FL'. */
  state: string;
  days: ReadonlyArray<CallingWindow | null>;
  /** Most dial attempts to one number in any rolling 24 hours; null = no cap. */
  maxAttemptsPer24h: number | null;
  /** The statute or regulation the rule comes from. */
  statute: string;
  note: string;
}

export type StateRuleSet = ReadonlyMap<string, StateRule>;

export const ATTEMPT_WINDOW_MS = 24 * 60 * 60 * 1000;

const h = (hh: number, mm = 0) => hh * 60 + mm;
const every = (start: number, end: number): CallingWindow[] =>
  Array.from({ length: 7 }, () => ({ startMinute: start, endMinute: end }));
/** Monday-Saturday in the window, no calls on Sunday. */
const noSunday = (start: number, end: number): Array<CallingWindow | null> => [
  null,
  ...every(start, end).slice(1),
];

const CONFIRM =
  'Seeded from the statute as read in December 2026; counsel should confirm it before relying on it.';

/**
 * The seed: states whose hours are narrower than 08:00-21:00 or that cap attempts. State
 * holidays (AL, LA, MS, RI...) are not modelled: see the notes.
 */
export const DEFAULT_STATE_RULES: readonly StateRule[] = [
  {
    state: 'AL',
    days: noSunday(h(8), h(20)),
    maxAttemptsPer24h: null,
    statute: 'Ala. Admin. Code r. 770-X-5-.16 (Alabama PSC telephone solicitation rules)',
    note: `No calls on Sundays or state holidays (holidays are not enforced by Ringside). ${CONFIRM}`,
  },
  {
    state: 'CT',
    days: every(h(9), h(20)),
    maxAttemptsPer24h: null,
    statute: 'Conn. Gen. Stat. § 42-288a(c), as amended by P.A. 23-98',
    note: CONFIRM,
  },
  {
    state: 'FL',
    days: every(h(8), h(20)),
    maxAttemptsPer24h: 3,
    statute: 'Fla. Stat. § 501.059(8)(b) (hours); § 501.616(6)(a)-(b) (hours, 3 calls per 24 h)',
    note: `The cap counts calls on the same subject; Ringside counts every call to the number. ${CONFIRM}`,
  },
  {
    state: 'KY',
    days: every(h(10), h(21)),
    maxAttemptsPer24h: null,
    statute: 'Ky. Rev. Stat. § 367.46955(15)',
    note: CONFIRM,
  },
  {
    state: 'LA',
    days: noSunday(h(8), h(20)),
    maxAttemptsPer24h: null,
    statute: 'La. R.S. 45:811; LPSC General Order R-29617 § V(A)(2)',
    note: `No calls on Sundays or legal holidays (holidays are not enforced by Ringside). ${CONFIRM}`,
  },
  {
    state: 'MA',
    days: every(h(8), h(20)),
    maxAttemptsPer24h: null,
    statute: 'Mass. Gen. Laws ch. 159C, § 3',
    note: CONFIRM,
  },
  {
    state: 'MD',
    days: every(h(8), h(20)),
    maxAttemptsPer24h: 3,
    statute: 'Md. Code, Com. Law § 14-4503 (Stop the Spam Calls Act of 2023)',
    note: `The cap counts calls on the same subject; Ringside counts every call to the number. ${CONFIRM}`,
  },
  {
    state: 'MI',
    days: every(h(9), h(21)),
    maxAttemptsPer24h: null,
    statute: 'Mich. Comp. Laws § 445.111b',
    note: CONFIRM,
  },
  {
    state: 'MN',
    days: every(h(9), h(21)),
    maxAttemptsPer24h: null,
    statute: 'Minn. Stat. § 325E.27',
    note: `The statute covers automatic dialing-announcing devices. ${CONFIRM}`,
  },
  {
    state: 'MS',
    days: noSunday(h(8), h(20)),
    maxAttemptsPer24h: null,
    statute: 'Miss. Code Ann. § 77-3-725',
    note: `No calls on Sundays. ${CONFIRM}`,
  },
  {
    state: 'NV',
    days: every(h(9), h(20)),
    maxAttemptsPer24h: null,
    statute: 'Nev. Rev. Stat. § 228.590',
    note: CONFIRM,
  },
  {
    state: 'NM',
    days: every(h(9), h(21)),
    maxAttemptsPer24h: null,
    statute: 'N.M. Stat. § 57-12-22',
    note: CONFIRM,
  },
  {
    state: 'OK',
    days: every(h(8), h(20)),
    maxAttemptsPer24h: 3,
    statute: 'Okla. Stat. tit. 15, § 775C.4 (Telephone Solicitation Act of 2022)',
    note: `The cap counts calls on the same subject; Ringside counts every call to the number. ${CONFIRM}`,
  },
  {
    state: 'RI',
    days: [null, ...every(h(9), h(18)).slice(1, 6), { startMinute: h(10), endMinute: h(17) }],
    maxAttemptsPer24h: null,
    statute: 'R.I. Gen. Laws § 5-61-3.4',
    note: `Weekdays 09:00-18:00, Saturdays 10:00-17:00, no calls on Sundays or holidays (holidays are not enforced by Ringside). ${CONFIRM}`,
  },
  {
    state: 'TX',
    days: [{ startMinute: h(12), endMinute: h(21) }, ...every(h(9), h(21)).slice(1)],
    maxAttemptsPer24h: null,
    statute: 'Tex. Bus. & Com. Code § 301.051',
    note: `Weekdays and Saturdays 09:00-21:00, Sundays 12:00-21:00. ${CONFIRM}`,
  },
  {
    state: 'WA',
    days: every(h(8), h(20)),
    maxAttemptsPer24h: null,
    statute: 'Rev. Code Wash. § 80.36.390(2); § 19.158.110(1)',
    note: CONFIRM,
  },
];

export function ruleSet(rules: readonly StateRule[]): StateRuleSet {
  return new Map(rules.map((r) => [r.state, r]));
}

const STATE_NAMES: Record<string, string> = {
  ALABAMA: 'AL',
  ALASKA: 'AK',
  ARIZONA: 'AZ',
  ARKANSAS: 'AR',
  CALIFORNIA: 'CA',
  COLORADO: 'CO',
  CONNECTICUT: 'CT',
  DELAWARE: 'DE',
  'DISTRICT OF COLUMBIA': 'DC',
  FLORIDA: 'FL',
  GEORGIA: 'GA',
  HAWAII: 'HI',
  IDAHO: 'ID',
  ILLINOIS: 'IL',
  INDIANA: 'IN',
  IOWA: 'IA',
  KANSAS: 'KS',
  KENTUCKY: 'KY',
  LOUISIANA: 'LA',
  MAINE: 'ME',
  MARYLAND: 'MD',
  MASSACHUSETTS: 'MA',
  MICHIGAN: 'MI',
  MINNESOTA: 'MN',
  MISSISSIPPI: 'MS',
  MISSOURI: 'MO',
  MONTANA: 'MT',
  NEBRASKA: 'NE',
  NEVADA: 'NV',
  'NEW HAMPSHIRE': 'NH',
  'NEW JERSEY': 'NJ',
  'NEW MEXICO': 'NM',
  'NEW YORK': 'NY',
  'NORTH CAROLINA': 'NC',
  'NORTH DAKOTA': 'ND',
  OHIO: 'OH',
  OKLAHOMA: 'OK',
  OREGON: 'OR',
  PENNSYLVANIA: 'PA',
  'RHODE ISLAND': 'RI',
  'SOUTH CAROLINA': 'SC',
  'SOUTH DAKOTA': 'SD',
  TENNESSEE: 'TN',
  TEXAS: 'TX',
  UTAH: 'UT',
  VERMONT: 'VT',
  VIRGINIA: 'VA',
  WASHINGTON: 'WA',
  'WEST VIRGINIA': 'WV',
  WISCONSIN: 'WI',
  WYOMING: 'WY',
  'PUERTO RICO': 'PR',
};
const CODES = new Set([...Object.values(STATE_NAMES), 'VI', 'GU', 'MP', 'AS']);

/** A state as leads carry it ('FL', 'fl', 'Florida') to its USPS code; null when not a state. */
export function normalizeState(s: string | null | undefined): string | null {
  if (!s) return null;
  const t = s.trim().toUpperCase().replace(/\s+/g, ' ');
  if (CODES.has(t)) return t;
  return STATE_NAMES[t] ?? null;
}

export interface LeadPlace {
  /** leads.state as imported (code or name). */
  state?: string | null;
  postalCode?: string | null;
  /** E.164. */
  phone: string;
  country?: string | null;
}

/** Where a state comes from, for the "why not dialed" answer. */
export interface StateOrigin {
  state: string;
  source: 'address' | 'postal_code' | 'area_code';
}

/** Every state whose rules apply to the lead, with where each comes from. */
export function stateOrigins(p: LeadPlace): StateOrigin[] {
  const out: StateOrigin[] = [];
  const country = p.country ? p.country.trim().toUpperCase() : 'US';
  const add = (state: string | null | undefined, source: StateOrigin['source']) => {
    if (state && !out.some((o) => o.state === state && o.source === source)) {
      out.push({ state, source });
    }
  };
  if (country === 'US') add(normalizeState(p.state), 'address');
  if (p.postalCode && country === 'US') {
    const zip = usZip5(p.postalCode);
    if (zip) add(zipInfo(zip)?.state, 'postal_code');
  }
  const m = /^\+1(\d{3})\d{7}$/.exec(p.phone);
  if (m?.[1]) add(stateOfAreaCode(m[1]), 'area_code');
  return out;
}

/** The distinct states of stateOrigins, sorted. */
export function statesOfLead(p: LeadPlace): string[] {
  return [...new Set(stateOrigins(p).map((o) => o.state))].sort();
}

export type StateVerdict =
  | { ok: true }
  | {
      ok: false;
      rule: 'STATE_WINDOW';
      state: string;
      /** The candidate zone whose local time is outside the state's window. */
      zone: string;
      /** Local time there, 'HH:MM', and the day's window ('none' when no calls that day). */
      localTime: string;
      window: string;
      statute: string;
      /** When every applicable state's window is open in every zone again; null: not within a week. */
      retryAtMs: number | null;
      message: string;
    }
  | {
      ok: false;
      rule: 'STATE_ATTEMPTS';
      state: string;
      attempts: number;
      max: number;
      statute: string;
      /** When the oldest counted attempt leaves the 24 hours. */
      retryAtMs: number;
      message: string;
    };

export interface StateCheck {
  rules: StateRuleSet;
  /** statesOfLead(...) */
  states: readonly string[];
  /** The lead's candidate zones. */
  zones: readonly string[];
  atMs: number;
  /**
   * When the number was dialed (any campaign), ms; only those in the last 24 h matter. Null
   * skips the attempt caps (the hopper filler, which has no count; the dialer checks them).
   */
  attemptsAtMs: readonly number[] | null;
}

export const fmtMinute = (m: number): string =>
  `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
const fmtWindow = (w: CallingWindow | null): string =>
  w ? `${fmtMinute(w.startMinute)}-${fmtMinute(w.endMinute)}` : 'none';

/** Local weekday (0 = Sunday) of a local calendar date. */
function weekday(year: number, month: number, day: number): number {
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay();
}

/** The local weekday (0 = Sunday) in `zone` at `atMs`; null for a zone the runtime does not know. */
export function localDay(zone: string, atMs: number): number | null {
  const lt = localTime(zone, atMs);
  return lt ? weekday(lt.year, lt.month, lt.day) : null;
}

/** The first (state, zone) whose window excludes `atMs`, or null when every one is open. */
function firstClosed(
  rules: StateRuleSet,
  states: readonly string[],
  zones: readonly string[],
  atMs: number,
): { rule: StateRule; zone: string; minute: number; window: CallingWindow | null } | null {
  for (const s of states) {
    const rule = rules.get(s);
    if (!rule) continue;
    for (const zone of zones) {
      const lt = localTime(zone, atMs);
      if (!lt) continue; // an unknown zone is refused by the federal window check already
      const w = rule.days[weekday(lt.year, lt.month, lt.day)] ?? null;
      if (!w || lt.minute < w.startMinute || lt.minute >= w.endMinute) {
        return { rule, zone, minute: lt.minute, window: w };
      }
    }
  }
  return null;
}

/**
 * The first instant after `atMs` (within 8 days) at which every applicable state's window is
 * open in every zone: tried at each window opening of each (state, zone).
 */
export function stateWindowsOpenAtMs(
  rules: StateRuleSet,
  states: readonly string[],
  zones: readonly string[],
  atMs: number,
): number | null {
  if (!firstClosed(rules, states, zones, atMs)) return atMs;
  const tries: number[] = [];
  for (const s of states) {
    const rule = rules.get(s);
    if (!rule) continue;
    for (const zone of zones) {
      const lt = localTime(zone, atMs);
      if (!lt) continue;
      for (let d = 0; d <= 8; d++) {
        const date = new Date(Date.UTC(lt.year, lt.month - 1, lt.day + d));
        const w = rule.days[date.getUTCDay()] ?? null;
        if (!w) continue;
        const t = localToUtcMs(
          zone,
          date.getUTCFullYear(),
          date.getUTCMonth() + 1,
          date.getUTCDate(),
          w.startMinute,
        );
        if (t !== null && t > atMs) tries.push(t);
      }
    }
  }
  for (const t of [...new Set(tries)].sort((a, b) => a - b)) {
    if (!firstClosed(rules, states, zones, t)) return t;
  }
  return null;
}

/**
 * When the first applicable (state, zone) window closes, for a lead inside all of them at
 * `atMs` (the hopper entry must leave then); +Infinity when no state rule applies.
 */
export function stateWindowClosesAtMs(
  rules: StateRuleSet,
  states: readonly string[],
  zones: readonly string[],
  atMs: number,
): number {
  let closes = Number.POSITIVE_INFINITY;
  for (const s of states) {
    const rule = rules.get(s);
    if (!rule) continue;
    for (const zone of zones) {
      const lt = localTime(zone, atMs);
      const w = lt ? rule.days[weekday(lt.year, lt.month, lt.day)] : null;
      if (!lt || !w) return atMs;
      const end = localToUtcMs(zone, lt.year, lt.month, lt.day, w.endMinute);
      if (end === null) return atMs;
      closes = Math.min(closes, end);
    }
  }
  return closes;
}

/** May the lead be dialed at `atMs` under the state rules? The first rule that holds it back. */
export function checkStateRules(c: StateCheck): StateVerdict {
  const closed = firstClosed(c.rules, c.states, c.zones, c.atMs);
  if (closed) {
    const localTimeS = fmtMinute(closed.minute);
    const window = fmtWindow(closed.window);
    return {
      ok: false,
      rule: 'STATE_WINDOW',
      state: closed.rule.state,
      zone: closed.zone,
      localTime: localTimeS,
      window,
      statute: closed.rule.statute,
      retryAtMs: stateWindowsOpenAtMs(c.rules, c.states, c.zones, c.atMs),
      message:
        `${closed.rule.state} rule: ${localTimeS} in ${closed.zone} is outside the state's ` +
        `window for that day (${window}; ${closed.rule.statute})`,
    };
  }
  if (c.attemptsAtMs) {
    const since = c.atMs - ATTEMPT_WINDOW_MS;
    const recent = c.attemptsAtMs.filter((t) => t > since && t <= c.atMs).sort((a, b) => a - b);
    for (const s of c.states) {
      const rule = c.rules.get(s);
      const max = rule?.maxAttemptsPer24h;
      if (!rule || max === null || max === undefined || recent.length < max) continue;
      // Allowed again when enough of the counted attempts have left the 24 hours.
      const retryAtMs = (recent[recent.length - max] ?? c.atMs) + ATTEMPT_WINDOW_MS;
      return {
        ok: false,
        rule: 'STATE_ATTEMPTS',
        state: s,
        attempts: recent.length,
        max,
        statute: rule.statute,
        retryAtMs,
        message:
          `${s} rule: the number was dialed ${recent.length} times in the last 24 hours, ` +
          `at most ${max} allowed (${rule.statute})`,
      };
    }
  }
  return { ok: true };
}
