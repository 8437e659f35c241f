import { useNow } from './desk/time.js';
import { epochToZoned, localTime, zonedToEpochMs } from '../../core/timezone.js';

/** A callback may be scheduled at most this far ahead (the server's limit): a year. */
const MAX_AHEAD_MS = 366 * 24 * 3600 * 1000;

/** The hours a lead may be called, in its own time ("09:00"-"20:00", the campaign's window). */
export interface CallableHours {
  start: string;
  end: string;
}

/**
 * Why a callback time cannot be taken, or null when it can: `local` is "YYYY-MM-DDTHH:mm" in the
 * lead's zone; it must be in the future, within a year, and inside the lead's callable hours.
 */
export function callbackRefusal(
  local: string,
  zone: string,
  hours: CallableHours,
  nowMs: number,
): string | null {
  const at = zonedToEpochMs(local, zone);
  if (at === null) return 'Choose a callback date and time.';
  if (at <= nowMs) return 'Choose a callback time in the future.';
  if (at > nowMs + MAX_AHEAD_MS) return 'Choose a callback time within a year.';
  const hhmm = local.slice(11, 16);
  if (hhmm < hours.start || hhmm >= hours.end) {
    return (
      `The lead can be called ${hours.start}-${hours.end} their time (${zone}): ` +
      'choose a time in that window.'
    );
  }
  return null;
}

/**
 * The first callable time from `fromMs` on, in the lead's zone: `fromMs` itself rounded up to
 * the quarter hour when inside the hours, else the next opening at `start`.
 */
export function firstCallable(fromMs: number, zone: string, hours: CallableHours): string {
  const quarter = 15 * 60_000;
  const local = epochToZoned(Math.ceil(fromMs / quarter) * quarter, zone);
  const hhmm = local.slice(11, 16);
  if (hhmm >= hours.start && hhmm < hours.end) return local;
  const day = local.slice(0, 10);
  if (hhmm < hours.start) return `${day}T${hours.start}`;
  const next = zonedToEpochMs(`${day}T12:00`, zone);
  const nextDay = epochToZoned((next ?? fromMs) + 24 * 3600_000, zone).slice(0, 10);
  return `${nextDay}T${hours.start}`;
}

/**
 * The callback picker of the disposition form: date and time in the LEAD's time zone, with the
 * lead's time now and its callable hours (the campaign's calling window in that zone) shown, and
 * a time outside them refused (the form does not submit it).
 */
export function CallbackPicker(props: {
  zone: string;
  hours: CallableHours;
  value: string;
  onChange(local: string): void;
  agentOnly: boolean;
  onAgentOnly(on: boolean): void;
}) {
  const { zone, hours, value, onChange } = props;
  const now = useNow(true, 30_000);
  const problem = value ? callbackRefusal(value, zone, hours, now) : null;
  return (
    <fieldset className="callback-picker">
      <legend>Callback</legend>
      <p id="callback-hours" style={{ margin: '0 0 4px' }}>
        Lead&apos;s time: {localTime(zone, now) ?? '?'} ({zone}) · callable {hours.start}-
        {hours.end}
      </p>
      <label>
        When (lead&apos;s time, {zone})
        <input
          type="datetime-local"
          value={value}
          step={300}
          required
          aria-describedby="callback-hours callback-problem"
          aria-invalid={problem ? 'true' : undefined}
          onChange={(e) => onChange(e.target.value)}
        />
      </label>
      <p id="callback-problem" className={problem ? 'tone-problem' : undefined} role="status">
        {problem ?? ''}
      </p>
      <label>
        <input
          type="checkbox"
          checked={props.agentOnly}
          onChange={(e) => props.onAgentOnly(e.target.checked)}
        />
        Only me (otherwise any agent of the campaign)
      </label>
    </fieldset>
  );
}
