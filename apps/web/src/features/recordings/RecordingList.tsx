import { useEffect, useMemo, useState } from 'react';
import type { RecordingList as RecordingListData, RecordingView } from '@ringside/protocol';
import { refusalMessage } from '../../core/api.js';
import { ReviewPanel } from '../quality/ReviewPanel.js';
import { RecordingsApi } from './api.js';
import { clock, stateLabel } from './model.js';
import { RECORDINGS_CSS } from './styles.js';
import { WaveformPlayer } from './WaveformPlayer.js';

/** Who is looking: reviews are for supervisors and admins. */
export interface Viewer {
  id: string;
  canReview: boolean;
}

/** One recording: what call it is, its state, the player (or why none), the review beside it. */
export function RecordingItem(props: { api: RecordingsApi; rec: RecordingView; viewer: Viewer }) {
  const { api, rec, viewer } = props;
  const [open, setOpen] = useState(false);
  const agents = [...new Set(rec.segments.map((s) => s.agentId).filter(Boolean))];
  return (
    <li>
      <div className="rec-head">
        <span>
          <time dateTime={new Date(rec.startedAtMs).toISOString()}>
            {new Date(rec.startedAtMs).toISOString().replace('T', ' ').slice(0, 19)} UTC
          </time>
        </span>
        <span>call {rec.callId}</span>
        {agents.length > 0 && <span>agent {agents.join(' → ')}</span>}
        <span>{rec.durationMs !== null ? clock(rec.durationMs) : '–'}</span>
        <span className="rec-state">{stateLabel(rec)}</span>
        {rec.reason !== 'policy' && <span>({rec.reason.replace('_', ' ')})</span>}
        <button type="button" aria-expanded={open} onClick={() => setOpen(!open)}>
          {open ? 'Close' : rec.playable ? 'Listen' : 'Details'}
        </button>
      </div>
      {open && (
        <div className="rec-cols">
          <WaveformPlayer api={api} rec={rec} />
          {viewer.canReview && rec.playable && <ReviewPanel api={api} rec={rec} meId={viewer.id} />}
        </div>
      )}
    </li>
  );
}

/** A list of recordings with their players. */
export function RecordingListView(props: {
  api: RecordingsApi;
  recordings: readonly RecordingView[];
  viewer: Viewer;
  label: string;
  empty: string;
}) {
  if (props.recordings.length === 0) return <p>{props.empty}</p>;
  return (
    <ul className="rec-list" aria-label={props.label}>
      {props.recordings.map((r) => (
        <RecordingItem key={r.id} api={props.api} rec={r} viewer={props.viewer} />
      ))}
    </ul>
  );
}

/** A lead's recordings (the lead history): loaded from the server for `leadId`. */
export function LeadRecordings(props: {
  leadId: string;
  viewer: Viewer;
  api?: RecordingsApi;
  /** Show nothing at all when the lead has no recording the viewer may hear (the agent desk). */
  hideWhenEmpty?: boolean;
}) {
  const api = useMemo(() => props.api ?? new RecordingsApi(), [props.api]);
  const [data, setData] = useState<RecordingListData | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const ctl = new AbortController();
    setData(null);
    setError(null);
    api
      .byLead(props.leadId, ctl.signal)
      .then(setData)
      .catch((err: unknown) => {
        if (!ctl.signal.aborted) setError(refusalMessage(err));
      });
    return () => ctl.abort();
  }, [api, props.leadId]);
  if (props.hideWhenEmpty && (error || !data || data.recordings.length === 0)) return null;
  return (
    <section className="rec" aria-labelledby={`rec-lead-${props.leadId}`}>
      <style>{RECORDINGS_CSS}</style>
      <h3 id={`rec-lead-${props.leadId}`}>Recordings</h3>
      {error && <p className="rec-error">{error}</p>}
      {data && (
        <RecordingListView
          api={api}
          recordings={data.recordings}
          viewer={props.viewer}
          label={`Recordings of lead ${props.leadId}`}
          empty="No recordings of this lead."
        />
      )}
    </section>
  );
}
