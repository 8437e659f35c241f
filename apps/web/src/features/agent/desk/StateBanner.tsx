import type { Campaign } from '@ringside/protocol';
import {
  bannerDetail,
  describeBanner,
  describeState,
  formatDuration,
  talkMs,
  timeInStateLabel,
  wrapupRemainingMs,
  type PanelState,
} from '../../../core/panel/index.js';
import { StateIcon } from './StateIcon.js';
import { useNow, useSince } from './time.js';

/**
 * The agent's state at a glance: a coloured band with an icon and a word (never colour alone),
 * the time in state labelled, and on a call the talk and hold timers. The state itself is a
 * status region (announced on change); the timers sit outside it, so a screen reader is not read
 * every second.
 */
export function StateBanner(props: { state: PanelState; campaign: Campaign | null }) {
  const { state, campaign } = props;
  const banner = describeBanner(state);
  const detail = bannerDetail(state);
  const now = useNow(state.agent !== null);
  const inState = timeInStateLabel(state, now);
  const talk = talkMs(state, now);
  const holdSince = useSince(state.hold);
  const wrapLeft = campaign ? wrapupRemainingMs(state, campaign.wrapupS, now) : null;
  return (
    <div className="banner-state">
      <span
        className="state"
        role="status"
        aria-label="Agent state"
        data-agent-state={state.agent?.state ?? 'LOGGED_OUT'}
        data-conn={state.conn}
      >
        <StateIcon icon={banner.icon} />
        <strong className="state-word">{banner.word}</strong>
        {/* The whole sentence for screen readers; the eye gets the short detail below. */}
        <span className="sr-only">: {describeState(state)}</span>
      </span>
      {detail && (
        <span className="state-detail" aria-hidden="true">
          {detail}
        </span>
      )}
      {inState && (
        <span className="timer" data-timer="state">
          · {inState}
        </span>
      )}
      {talk !== null && (
        <span className="timer" data-timer="talk">
          Talk {formatDuration(talk)}
        </span>
      )}
      {holdSince !== null && (
        <span className="timer" data-timer="hold">
          Hold {formatDuration(now - holdSince)}
        </span>
      )}
      {wrapLeft !== null && (
        <span className="timer" role="timer" aria-label="Wrap-up time left">
          Wrap-up {formatDuration(wrapLeft)}
          {campaign?.wrapupTimeoutAction === 'pause' ? ' then pause' : ' then auto-disposition'}
        </span>
      )}
    </div>
  );
}
