import type { RecordingBacklog } from '@ringside/protocol';
import {
  backlogTile,
  faultText,
  type AgentRow,
  type RecordingFault,
  type Roster,
} from './model.js';

/**
 * The recordings on the wall (issue 15): a REC / PAUSED marker on the row of an agent whose call
 * is being recorded, the header tile of recordings waiting to leave the phone system (hidden when
 * none wait and storage is fine), and a notice for each recording that failed or does not match
 * its call, which the supervisor dismisses. All of it from pushed events (model.ts).
 */

const WORDS = {
  recording: { short: 'REC', long: 'call being recorded' },
  paused: { short: 'PAUSED', long: 'recording paused' },
} as const;

/** The row's marker while the agent's part of the call is recorded or paused. */
export function RecMarker({ row }: { row: Pick<AgentRow, 'recording'> }) {
  if (!row.recording) return null;
  const w = WORDS[row.recording];
  return (
    <span
      className={`sv-rec sv-rec-${row.recording}`}
      data-recording={row.recording}
      title={w.long}
    >
      <span aria-hidden="true">{row.recording === 'recording' ? '● ' : '❚❚ '}</span>
      {w.short}
      <span className="sr-only"> ({w.long})</span>
    </span>
  );
}

/** "Recordings: 12 waiting to be stored, oldest 7m, storage down", or nothing. */
export function BacklogTile({ backlog }: { backlog: RecordingBacklog | null }) {
  const t = backlogTile(backlog);
  return (
    <span role="status" aria-label="Recordings backlog" className="sv-backlog-region">
      {t && (
        <span
          className={`sv-backlog sev-${t.severity}`}
          data-tile="recordings"
          data-severity={t.severity}
          title={t.detail ?? undefined}
        >
          <span aria-hidden="true">{t.severity === 'alert' ? '■ ' : '▲ '}</span>
          {t.text}
        </span>
      )}
    </span>
  );
}

/** The recordings in trouble, newest first, each with its Dismiss button. */
export function RecordingFaults(props: {
  faults: readonly RecordingFault[];
  roster: Roster;
  onDismiss(recordingId: string): void;
}) {
  // The status region is always in the page (so what appears in it is announced) and takes no
  // room; the list only when there is something in it.
  return (
    <>
      <div role="status" aria-label="Newest recording problem" className="sr-only">
        {props.faults[0] ? faultText(props.faults[0], props.roster) : ''}
      </div>
      {props.faults.length > 0 && (
        <section aria-label="Recording problems" className="sv-rec-faults">
          <ul>
            {props.faults.map((f) => (
              <li key={f.recordingId} data-recording-id={f.recordingId} data-state={f.state}>
                <span>{faultText(f, props.roster)}</span>
                <button
                  type="button"
                  aria-label={`Dismiss the recording problem of call ${f.callId}`}
                  onClick={() => props.onDismiss(f.recordingId)}
                >
                  Dismiss
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}
