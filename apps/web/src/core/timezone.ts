/**
 * Wall-clock time in a named time zone to epoch ms, for callbacks scheduled "at 10:00 the lead's
 * time". Uses only Intl, so it runs in every browser and in Node. The zone's offset and clock come
 * from @ringside/protocol, which the server uses too.
 */
import { zoneClockHhmm, zoneOffsetMs } from '@ringside/protocol';

export { zoneOffsetMs };

/** The wall-clock time now in `timeZone` ("14:05"), or null for an unknown zone. */
export const localTime = zoneClockHhmm;

/**
 * "2026-11-27T10:00" in `timeZone` as epoch ms; null when the text is not a date-time. A time
 * skipped by a DST change resolves to the instant one offset later (like most calendars do).
 */
export function zonedToEpochMs(local: string, timeZone: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(local);
  if (!m) return null;
  const [, y, mo, d, h, mi] = m.map(Number) as [number, number, number, number, number, number];
  const guess = Date.UTC(y, mo - 1, d, h, mi);
  const first = guess - zoneOffsetMs(guess, timeZone);
  // The offset at the result can differ from the one at the guess across a DST change.
  return guess - zoneOffsetMs(first, timeZone);
}

/** Epoch ms as "YYYY-MM-DDTHH:mm" wall-clock time in `timeZone` (for a datetime-local input). */
export function epochToZoned(atMs: number, timeZone: string): string {
  const t = new Date(atMs + zoneOffsetMs(atMs, timeZone));
  return t.toISOString().slice(0, 16);
}
