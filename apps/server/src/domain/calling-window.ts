/**
 * Calling-window and recycling rules (pure: the caller passes the instant; no clock here).
 *
 * A lead may be dialed at instant t only when, in EVERY zone it may be in, the local wall-clock
 * time is inside both the legal hours (08:00-21:00) and the campaign's window. Local time comes
 * from the IANA database (Intl), so DST changes are handled by the zone rules, not by offsets.
 *
 * Unknown zone (no candidates, tz_key ''): never dialable. Calling outside the legal hours is a
 * violation while not calling is only a delay, so the safe default is "not until we know".
 * An importer that knows only the country should record the country's zones as candidates
 * (tz_source 'country'): the every-candidate rule then dials such leads in the hours that are
 * inside the window everywhere in that country. A zone name the runtime does not know counts
 * as unknown too.
 */

/** A daily window in local wall-clock minutes after midnight: [startMinute, endMinute). */
export interface CallingWindow {
  startMinute: number;
  endMinute: number;
}

/** 08:00-21:00 local: the legal hours (US TCPA), whatever the campaign says. */
export const LEGAL_WINDOW: CallingWindow = { startMinute: 8 * 60, endMinute: 21 * 60 };

/** 'HH:MM' or 'HH:MM:SS' (PostgreSQL `time`) to minutes after midnight. */
export function parseTimeOfDay(s: string): number {
  const m = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(s.trim());
  if (!m) throw new RangeError(`not a time of day: ${s}`);
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (h > 24 || min > 59 || (h === 24 && min > 0)) throw new RangeError(`not a time of day: ${s}`);
  return h * 60 + min;
}

/** The campaign window clipped to the legal hours; empty (start >= end) means never. */
export function effectiveWindow(campaign: CallingWindow): CallingWindow {
  return {
    startMinute: Math.max(campaign.startMinute, LEGAL_WINDOW.startMinute),
    endMinute: Math.min(campaign.endMinute, LEGAL_WINDOW.endMinute),
  };
}

interface LocalTime {
  year: number;
  month: number;
  day: number;
  /** Minutes after local midnight, 0..1439. */
  minute: number;
  /** Offset of local time from UTC at that instant, ms (local = utc + offset). */
  offsetMs: number;
}

const formatters = new Map<string, Intl.DateTimeFormat | null>();

function formatter(zone: string): Intl.DateTimeFormat | null {
  let f = formatters.get(zone);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      f = null; // unknown zone name
    }
    formatters.set(zone, f);
  }
  return f;
}

/** Wall-clock time in `zone` at `atMs`; null when the zone is unknown to the runtime. */
export function localTime(zone: string, atMs: number): LocalTime | null {
  const f = formatter(zone);
  if (!f) return null;
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(atMs)) {
    if (part.type !== 'literal') p[part.type] = Number(part.value);
  }
  const year = p.year ?? 0;
  const month = p.month ?? 1;
  const day = p.day ?? 1;
  const hour = p.hour ?? 0;
  const minute = p.minute ?? 0;
  const second = p.second ?? 0;
  const asUtc = Date.UTC(year, month - 1, day, hour, minute, second);
  const wholeSecond = atMs - (((atMs % 1000) + 1000) % 1000);
  return { year, month, day, minute: hour * 60 + minute, offsetMs: asUtc - wholeSecond };
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The instant at which the wall clock in `zone` shows `minute` on the given local date. In a
 * fall-back overlap (a local time that happens twice) it is the first occurrence; in a DST gap
 * (a local time that does not exist) it is that time read with the offset before the jump,
 * i.e. shifted forward by the gap (what Temporal calls 'compatible').
 */
export function localToUtcMs(
  zone: string,
  year: number,
  month: number,
  day: number,
  minute: number,
): number | null {
  const wall = Date.UTC(year, month - 1, day, 0, minute);
  // The offsets in force a day before and a day after cover both sides of any transition.
  const before = localTime(zone, wall - DAY_MS);
  const after = localTime(zone, wall + DAY_MS);
  if (!before || !after) return null;
  const probes = [...new Set([wall - before.offsetMs, wall - after.offsetMs])].sort(
    (a, b) => a - b,
  );
  for (const t of probes) {
    const lt = localTime(zone, t);
    if (lt && Date.UTC(lt.year, lt.month - 1, lt.day, 0, lt.minute) === wall) return t;
  }
  return wall - before.offsetMs;
}

/** True when the wall clock in `zone` at `atMs` is inside `window` (effective or not). */
export function isInsideWindow(zone: string, window: CallingWindow, atMs: number): boolean {
  const lt = localTime(zone, atMs);
  return lt !== null && lt.minute >= window.startMinute && lt.minute < window.endMinute;
}

/**
 * May a lead whose candidate zones are `candidates` be dialed at `atMs` under the campaign
 * window? Every candidate must be inside the effective window; no candidates: never.
 */
export function isDialable(
  candidates: readonly string[],
  campaign: CallingWindow,
  atMs: number,
): boolean {
  if (candidates.length === 0) return false;
  const w = effectiveWindow(campaign);
  return candidates.every((z) => isInsideWindow(z, w, atMs));
}

/** One candidate zone's local time against the effective window, for screens and logs. */
export interface ZoneWindowDetail {
  zone: string;
  /** Local wall-clock time 'HH:MM'; null when the runtime does not know the zone. */
  localTime: string | null;
  inside: boolean;
}

/**
 * The federal/campaign window read in each candidate zone, and the zone that decides: the first
 * candidate outside the window (the one that blocks), else the one that closes first. Same rule
 * as isDialable: `dialable` is isDialable(candidates, campaign, atMs).
 */
export function windowDetail(
  candidates: readonly string[],
  campaign: CallingWindow,
  atMs: number,
): { dialable: boolean; decidingZone: string | null; zones: ZoneWindowDetail[]; window: string } {
  const w = effectiveWindow(campaign);
  const zones = candidates.map((zone) => {
    const lt = localTime(zone, atMs);
    return {
      zone,
      localTime: lt ? hhmm(lt.minute) : null,
      inside: lt !== null && lt.minute >= w.startMinute && lt.minute < w.endMinute,
    };
  });
  const dialable = isDialable(candidates, campaign, atMs);
  let decidingZone = zones.find((z) => !z.inside)?.zone ?? null;
  if (dialable) {
    let first = Number.POSITIVE_INFINITY;
    for (const z of candidates) {
      const lt = localTime(z, atMs);
      const end = lt ? localToUtcMs(z, lt.year, lt.month, lt.day, w.endMinute) : null;
      if (end !== null && end < first) {
        first = end;
        decidingZone = z;
      }
    }
  }
  return { dialable, decidingZone, zones, window: `${hhmm(w.startMinute)}-${hhmm(w.endMinute)}` };
}

function hhmm(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
}

/** The candidate zones of a tz_key ('' = none). */
export function zonesOfKey(key: string): string[] {
  return key === '' ? [] : key.split(',');
}

/** The tz_keys of `keys` whose leads may be dialed now (the hopper query's filter). */
export function dialableTzKeys(
  keys: readonly string[],
  campaign: CallingWindow,
  atMs: number,
): string[] {
  return keys.filter((k) => isDialable(zonesOfKey(k), campaign, atMs));
}

/**
 * When the first candidate zone leaves the window (the lead must leave the hopper then), for a
 * lead dialable at `atMs`; null when it is not dialable now.
 */
export function windowClosesAtMs(
  candidates: readonly string[],
  campaign: CallingWindow,
  atMs: number,
): number | null {
  if (!isDialable(candidates, campaign, atMs)) return null;
  const w = effectiveWindow(campaign);
  let closes = Number.POSITIVE_INFINITY;
  for (const z of candidates) {
    const lt = localTime(z, atMs);
    if (!lt) return null;
    const end = localToUtcMs(z, lt.year, lt.month, lt.day, w.endMinute);
    if (end === null) return null;
    closes = Math.min(closes, end);
  }
  return closes;
}

// ---------------------------------------------------------------------------------------------
// Recycling and attempts

/** A campaign's rule for one last status (campaign_recycle_rules). */
export interface RecycleRule {
  delayS: number;
  maxAttempts: number;
}

/**
 * Delays for system outcomes the campaign has no rule for: retry a busy line soon, an
 * unanswered one later, a machine later still. Any other status without a rule waits a day.
 */
export const DEFAULT_RECYCLE_DELAY_S: Readonly<Record<string, number>> = {
  NEW: 0,
  BUSY: 5 * 60,
  CONGESTION: 10 * 60,
  ORIGINATE_FAILED: 10 * 60,
  CANCELED: 0,
  NO_ANSWER: 60 * 60,
  DROPPED: 60 * 60,
  MACHINE: 2 * 60 * 60,
};
export const FALLBACK_RECYCLE_DELAY_S = 24 * 60 * 60;

export interface LeadAttemptState {
  /** 'NEW' or the last disposition / outcome. */
  status: string;
  final: boolean;
  attempts: number;
  /** When the last attempt was made; null if never called. */
  lastCalledAtMs: number | null;
}

/** How long after an attempt ending with `status` the lead may be dialed again, ms. */
export function recycleDelayMs(
  status: string,
  rules: Readonly<Record<string, RecycleRule>>,
): number {
  const s = rules[status]?.delayS ?? DEFAULT_RECYCLE_DELAY_S[status] ?? FALLBACK_RECYCLE_DELAY_S;
  return s * 1000;
}

/** The attempt cap for a lead whose last status is `status`: the lower of rule and campaign. */
export function maxAttemptsFor(
  status: string,
  rules: Readonly<Record<string, RecycleRule>>,
  campaignMaxAttempts: number,
): number {
  const rule = rules[status];
  return rule ? Math.min(rule.maxAttempts, campaignMaxAttempts) : campaignMaxAttempts;
}

/**
 * When the lead may next be dialed (leads.next_eligible_at), or null when never again (final
 * status or attempts used up). Ignores the calling window: the hopper applies that per zone.
 */
export function nextEligibleAtMs(
  lead: LeadAttemptState,
  rules: Readonly<Record<string, RecycleRule>>,
  campaignMaxAttempts: number,
): number | null {
  if (lead.final) return null;
  if (lead.attempts >= maxAttemptsFor(lead.status, rules, campaignMaxAttempts)) return null;
  if (lead.lastCalledAtMs === null) return Number.NEGATIVE_INFINITY;
  return lead.lastCalledAtMs + recycleDelayMs(lead.status, rules);
}

/** Everything at once: may this lead be dialed at `atMs`? With the reason when not. */
export function eligibility(
  lead: LeadAttemptState & { candidates: readonly string[] },
  campaign: {
    window: CallingWindow;
    maxAttempts: number;
    rules: Readonly<Record<string, RecycleRule>>;
  },
  atMs: number,
):
  | { eligible: true }
  | { eligible: false; reason: 'FINAL' | 'MAX_ATTEMPTS' | 'RECYCLE_DELAY' | 'CALLING_WINDOW' } {
  if (lead.final) return { eligible: false, reason: 'FINAL' };
  const next = nextEligibleAtMs(lead, campaign.rules, campaign.maxAttempts);
  if (next === null) return { eligible: false, reason: 'MAX_ATTEMPTS' };
  if (next > atMs) return { eligible: false, reason: 'RECYCLE_DELAY' };
  if (!isDialable(lead.candidates, campaign.window, atMs)) {
    return { eligible: false, reason: 'CALLING_WINDOW' };
  }
  return { eligible: true };
}
