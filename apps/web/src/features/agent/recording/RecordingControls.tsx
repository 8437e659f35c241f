import { useCallback, useEffect, useRef, useState, type CSSProperties } from 'react';
import type { Campaign } from '@ringside/protocol';
import { refusalMessage } from '../../../core/api.js';
import {
  callRecording,
  describeRecording,
  PAUSE_API_ONLY_TEXT,
  recordingLive,
  recordingRefusal,
  stateOf,
  type DeskRecordingPolicy,
  type PanelInput,
  type PanelState,
  type RecordingAction,
  type RecordingTone,
} from '../../../core/panel/index.js';
import { ActionButton } from '../controls.js';
import { useNow } from '../desk/time.js';
import { recordingRequest } from './api.js';

/** The recording keys (Alt + the physical key), listed in the shortcut help (LOCAL_SHORTCUTS). */
export const RECORD_KEY = { code: 'KeyC', label: 'Alt+C' } as const;
export const PAUSE_KEY = { code: 'KeyU', label: 'Alt+U' } as const;

/** The campaign's recording policy as the desk needs it; null while the campaign is unknown. */
export function policyOf(c: Campaign | null): DeskRecordingPolicy | null {
  if (!c) return null;
  return { mode: c.recordingMode, pauseApiOnly: c.recordingPauseApiOnly };
}

/** The dot beside the label, and the label's colour (contrast at least 4.5:1 on white). */
const LOOK: Record<RecordingTone, { dot: CSSProperties; color: string }> = {
  rec: { dot: { background: '#b3261e' }, color: '#b3261e' },
  paused: { dot: { border: '2px solid #6b5b00', background: '#fff1c2' }, color: '#6b5b00' },
  off: { dot: { border: '2px solid #57606a' }, color: '#57606a' },
  problem: { dot: { background: '#b3261e', borderRadius: 0 }, color: '#b3261e' },
};

/** Which of the two actions the toggle (button and Alt+U) does now. */
export function toggleAction(s: PanelState): 'pause' | 'resume' {
  return callRecording(s)?.state === 'paused' ? 'resume' : 'pause';
}

/**
 * The recording of the agent's call in the call controls: the indicator (a red dot and REC while
 * recorded, Paused with the paused time running, Not recorded), Record (Alt+C) on campaigns that
 * record on demand or a call not yet recorded, and Pause recording / Resume (Alt+U) for payment
 * details. A campaign that pauses through its payment integration only shows why instead of the
 * toggle. The state follows the server's recording.changed events only: a press asks the server,
 * and the indicator moves when the event comes back.
 */
export function RecordingControls(props: {
  state: PanelState;
  dispatch(input: PanelInput): void;
  campaign: Campaign | null;
  /** The server call (tests pass their own). */
  request?: (callId: string, action: RecordingAction) => Promise<void>;
}) {
  const { state, dispatch, campaign } = props;
  const request = props.request ?? recordingRequest;
  const policy = policyOf(campaign);
  const rec = callRecording(state);
  const now = useNow(rec?.state === 'paused');
  const view = describeRecording(rec, policy, now);
  const [busy, setBusy] = useState(false);
  const callId = state.call?.callId ?? null;

  const press = useCallback(
    async (asked: RecordingAction | 'toggle') => {
      const action = asked === 'toggle' ? toggleAction(state) : asked;
      const refusal = recordingRefusal(state, action, policy);
      if (refusal) {
        dispatch({ type: 'notice', kind: 'refusal', text: refusal });
        return;
      }
      if (busy || !callId) return;
      setBusy(true);
      try {
        await request(callId, action);
      } catch (err) {
        dispatch({ type: 'notice', kind: 'refusal', text: refusalMessage(err) });
      } finally {
        setBusy(false);
      }
    },
    [busy, callId, dispatch, policy, request, state],
  );
  const pressRef = useRef(press);
  useEffect(() => {
    pressRef.current = press;
  }, [press]);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!e.altKey || e.ctrlKey || e.metaKey) return;
      if (e.code === RECORD_KEY.code) {
        e.preventDefault();
        void pressRef.current('record');
      } else if (e.code === PAUSE_KEY.code) {
        e.preventDefault();
        void pressRef.current('toggle');
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const toggle = toggleAction(state);
  const live = stateOf(state) === 'INCALL' && state.call !== null && state.call.endedAtMs === null;
  const showRecord = live && policy !== null && policy.mode !== 'none' && !recordingLive(rec);
  const showToggle = live && recordingLive(rec);
  const look = LOOK[view.tone];
  return (
    <div className="control-group" role="group" aria-label="Recording">
      <div className="row">
        <span
          className="rec-indicator"
          data-recording={rec?.state ?? 'none'}
          title={view.text}
          aria-hidden="true"
          style={{ color: look.color, fontWeight: 700, display: 'inline-flex', gap: 6 }}
        >
          <span
            style={{
              display: 'inline-block',
              boxSizing: 'border-box',
              width: 12,
              height: 12,
              borderRadius: '50%',
              alignSelf: 'center',
              ...look.dot,
            }}
          />
          {view.label}
        </span>
        {/* The sentence, announced when the recording's state changes (not every second). */}
        <span role="status" aria-label="Recording state" className="sr-only">
          {view.text}
        </span>
        {showRecord && (
          <ActionButton
            refusal={recordingRefusal(state, 'record', policy)}
            onClick={() => void press('record')}
            shortcut={RECORD_KEY.label}
          >
            Record
          </ActionButton>
        )}
        {showToggle && !policy?.pauseApiOnly && (
          <ActionButton
            refusal={recordingRefusal(state, toggle, policy)}
            onClick={() => void press(toggle)}
            shortcut={PAUSE_KEY.label}
          >
            {toggle === 'pause' ? 'Pause recording' : 'Resume recording'}
          </ActionButton>
        )}
      </div>
      {showToggle && policy?.pauseApiOnly && (
        <p className="rec-api-only" style={{ margin: 0, color: '#57606a' }}>
          {PAUSE_API_ONLY_TEXT}
        </p>
      )}
    </div>
  );
}
