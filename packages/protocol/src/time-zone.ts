/**
 * Time-zone arithmetic both sides need (the server's "my day" and callback hours, the browser's
 * lead clock and callback picker). Pure: Intl only, every instant passed in, so it runs the same
 * in Node and in every browser.
 */

/**
 * The zone's offset from UTC at an instant (ms; positive east of Greenwich: local wall clock
 * minus UTC). Throws a RangeError for a zone the runtime does not know.
 */
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

/** The wall-clock time in `timeZone` at `atMs` ("14:05"), or null for no or an unknown zone. */
export function zoneClockHhmm(timeZone: string | null | undefined, atMs: number): string | null {
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
