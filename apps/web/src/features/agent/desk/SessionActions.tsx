import type { KeyboardEvent } from 'react';
import type { PauseCode } from '../../../core/api.js';
import { guard, type PanelState } from '../../../core/panel/index.js';
import { ActionButton, type Focusers } from '../controls.js';

/**
 * The session's actions beside the state banner: Ready, the pause code and Pause, Log out of
 * the campaign. Enter on the pause code pauses with it (on the closed list, and on an option of
 * the open one).
 */
export function SessionActions(props: {
  state: PanelState;
  campaignName: string;
  pauseCodes: PauseCode[];
  pauseCode: string;
  onPauseCode(code: string): void;
  onReady(): void;
  onPause(code?: string): void;
  onLogout(): void;
  focus: Focusers;
  /**
   * During a call: the campaign's name and the pause code make way for the call (the buttons
   * stay, refused until the call and its disposition are done, and say why when pressed).
   */
  compact: boolean;
}) {
  const { state, focus } = props;
  const onPauseKey = (e: KeyboardEvent<HTMLSelectElement>) => {
    if (e.key !== 'Enter' || e.altKey || e.ctrlKey || e.metaKey) return;
    // An option of the open list (customizable select): it is picked as usual, and pauses.
    const option = e.target instanceof HTMLOptionElement ? e.target.value : null;
    if (option) props.onPauseCode(option);
    // The closed list: Enter pauses instead of opening it.
    else e.preventDefault();
    props.onPause(option ?? props.pauseCode);
  };
  return (
    <div className="session-actions" role="group" aria-label="Session">
      {!props.compact && (
        <span className="campaign-name" title={props.campaignName}>
          {props.campaignName}
        </span>
      )}
      <ActionButton
        className="primary"
        refusal={guard(state, 'ready')}
        onClick={props.onReady}
        shortcut="Alt+R"
        buttonRef={focus.ready}
      >
        Ready
      </ActionButton>
      {!props.compact && (
        <label>
          Pause code
          <select
            ref={focus.pause}
            className="pick"
            value={props.pauseCode}
            aria-keyshortcuts="Alt+P"
            onChange={(e) => props.onPauseCode(e.target.value)}
            onKeyDown={onPauseKey}
          >
            {props.pauseCodes.map((p) => (
              <option key={p.code} value={p.code}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
      )}
      <ActionButton
        refusal={guard(state, 'pause')}
        onClick={() => props.onPause()}
        shortcut="Alt+P"
      >
        Pause
      </ActionButton>
      <ActionButton refusal={guard(state, 'logout')} onClick={props.onLogout}>
        Log out of campaign
      </ActionButton>
    </div>
  );
}
