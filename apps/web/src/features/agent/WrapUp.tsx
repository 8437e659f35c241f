import { useCallback, useEffect, useRef, useState } from 'react';
import type { Campaign } from '@ringside/protocol';
import type { ApiClient, Disposition } from '../../core/api.js';
import { refusalMessage } from '../../core/api.js';
import { stateOf, wrapupDeadlineMs } from '../../core/panel/index.js';
import type { PanelController } from '../../app/usePanel.js';
import { useNow } from './desk/time.js';

/** The last seconds of wrap-up, shown differently (colour and words). */
export const ENDING_MS = 10_000;
/** The shortcut of the Extend button (Alt+E). */
const EXTEND_KEY = 'KeyE';

function fmt(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** How the campaign's default disposition reads: "Not interested (NI)", or its code alone. */
export function defaultLabel(c: Campaign | null, dispositions: Disposition[]): string | null {
  if (!c) return null;
  const d = dispositions.find((x) => x.code === c.wrapupDefaultDisposition);
  return d ? `${d.name} (${d.code})` : c.wrapupDefaultDisposition;
}

/** What happens at zero, in the campaign's words. */
function atZero(c: Campaign, label: string | null): string {
  const filed = `${label ?? c.wrapupDefaultDisposition} is filed`;
  return c.wrapupTimeoutAction === 'pause' ? `${filed} and you are paused` : filed;
}

const ENDING_STYLE = {
  background: '#fde8e8',
  border: '2px solid #b3261e',
  color: '#5c0b07',
} as const;
const RUNNING_STYLE = { border: '1px solid #8a8f98' } as const;

/**
 * The wrap-up countdown beside the disposition form, so it never scrolls away: the time left
 * (role=timer), what happens at zero, a different look and words in the last 10 s, and the
 * agent's Extend button (Alt+E) within the campaign's allowance per call. The server owns the
 * deadline (its wrap-up sweeper); an extension's new deadline comes back on the agent's state.
 * It also tells the panel how the campaign's default disposition reads, for the message after an
 * automatic disposition.
 */
export function WrapUp(props: {
  api: ApiClient;
  panel: PanelController;
  campaign: Campaign | null;
  dispositions: Disposition[];
}) {
  const { api, panel, campaign, dispositions } = props;
  const { state, dispatch, applySession } = panel;
  const label = defaultLabel(campaign, dispositions);
  useEffect(() => {
    dispatch({ type: 'wrapup_default', label });
  }, [dispatch, label]);

  const deadline = campaign ? wrapupDeadlineMs(state, campaign.wrapupS) : null;
  const owed = state.dispositionDue !== null;
  const now = useNow(deadline !== null && owed, 250);
  const callId = state.dispositionDue;
  const [used, setUsed] = useState<{ callId: string; n: number } | null>(null);
  const [busy, setBusy] = useState(false);
  const allowed = campaign?.wrapupExtensions ?? 0;
  const usedHere = used && used.callId === callId ? used.n : 0;
  const left = deadline === null ? null : Math.max(0, deadline - now);

  const extend = useCallback(async () => {
    if (busy || !callId) return;
    setBusy(true);
    try {
      const r = await api.extendWrapup();
      setUsed({ callId, n: r.used });
      applySession(r.agent);
    } catch (err) {
      dispatch({ type: 'notice', kind: 'refusal', text: refusalMessage(err) });
    } finally {
      setBusy(false);
    }
  }, [api, applySession, busy, callId, dispatch]);

  const canExtend = deadline !== null && owed && allowed > 0;
  const refusal =
    allowed <= 0
      ? 'This campaign does not allow extending wrap-up.'
      : usedHere >= allowed
        ? `Wrap-up already extended ${allowed === 1 ? 'once' : `${allowed} times`} on this call.`
        : null;
  /** The button and Alt+E: refused here when the allowance is used, else asked of the server. */
  const press = useCallback(() => {
    if (refusal) dispatch({ type: 'notice', kind: 'refusal', text: refusal });
    else void extend();
  }, [dispatch, extend, refusal]);
  const pressRef = useRef(press);
  useEffect(() => {
    pressRef.current = press;
  }, [press]);
  useEffect(() => {
    if (!canExtend) return;
    const onKey = (e: KeyboardEvent) => {
      if (!e.altKey || e.ctrlKey || e.metaKey || e.code !== EXTEND_KEY) return;
      e.preventDefault();
      pressRef.current();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [canExtend]);

  // Announced once when the last 10 s begin (the timer itself is not read every second).
  const ending = left !== null && left <= ENDING_MS;
  const st = stateOf(state);
  if (!campaign || deadline === null || !owed || (st !== 'WRAPUP' && st !== 'DEAD')) {
    return <div role="status" aria-label="Wrap-up ending" className="wrapup-ending-region" />;
  }
  return (
    <section
      className="card wrapup"
      aria-label="Wrap-up time"
      data-ending={ending ? 'true' : 'false'}
      style={{ padding: '8px 12px', ...(ending ? ENDING_STYLE : RUNNING_STYLE) }}
    >
      <p style={{ margin: 0, fontWeight: 600 }}>
        <span role="timer" aria-label="Wrap-up countdown">
          {fmt(left ?? 0)}
        </span>{' '}
        {ending ? 'left: wrap-up ends soon' : 'of wrap-up left'}
      </p>
      <p style={{ margin: '4px 0' }}>At zero, {atZero(campaign, label)}.</p>
      <div role="status" aria-label="Wrap-up ending" className="wrapup-ending-region">
        {ending ? `Wrap-up ends in under ${ENDING_MS / 1000} seconds: submit or extend.` : ''}
      </div>
      {allowed > 0 && (
        <button
          type="button"
          aria-keyshortcuts="Alt+E"
          aria-disabled={refusal || busy ? 'true' : undefined}
          title={refusal ?? 'Shortcut: Alt+E'}
          onClick={press}
        >
          Extend +{campaign.wrapupExtensionS} s ({Math.max(0, allowed - usedHere)} of {allowed}{' '}
          left) <kbd>Alt+E</kbd>
        </button>
      )}
    </section>
  );
}
