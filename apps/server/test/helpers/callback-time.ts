/**
 * An instant at `hhmm` on the lead's wall clock, the first such after `nowMs` plus a day at
 * least when `tomorrow`: a callback time inside the campaign's calling window (09:00-20:00 by
 * default), which the disposition service requires.
 */
export function leadTimeAt(zone: string, hhmm: string, nowMs: number, tomorrow = true): number {
  const day = new Intl.DateTimeFormat('en-CA', { timeZone: zone }).format(
    nowMs + (tomorrow ? 24 * 3600_000 : 0),
  );
  const guess = Date.parse(`${day}T${hhmm}:00Z`);
  const offset =
    Date.parse(`${new Date(guess).toLocaleString('en-US', { timeZone: zone })} UTC`) - guess;
  return guess - offset;
}
