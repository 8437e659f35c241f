/**
 * Wall-clock time in a named time zone to epoch ms, for callbacks scheduled "at 10:00 the lead's
 * time". Uses only Intl, so it runs in every browser and in Node.
 */

/** The zone's offset from UTC at an instant (ms; positive east of Greenwich). */
export function zoneOffsetMs(atMs: number, timeZone: string): number {
  const f = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(new Date(atMs))) {
    if (part.type !== 'literal') p[part.type] = Number(part.value);
  }
  const asUtc = Date.UTC(
    p.year ?? 1970,
    (p.month ?? 1) - 1,
    p.day ?? 1,
    p.hour ?? 0,
    p.minute ?? 0,
    p.second ?? 0,
  );
  return asUtc - Math.floor(atMs / 1000) * 1000;
}

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

/** The wall-clock time now in `timeZone` ("14:05"), or null for an unknown zone. */
export function localTime(timeZone: string | null | undefined, atMs: number): string | null {
  if (!timeZone) return null;
  try {
    return new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).format(atMs);
  } catch {
    return null;
  }
}
