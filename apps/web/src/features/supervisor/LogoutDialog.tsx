import { useEffect, useRef } from 'react';

/** Whom the supervisor asked to log out, and whether they are on a call (masked number). */
export interface LogoutAsk {
  agentId: string;
  name: string;
  /** The live call's number as the wall shows it; null when the agent has no call. */
  callNumber: string | null;
}

/**
 * The confirmation of a forced logout, naming the agent. On a call it offers the two choices
 * explicitly, "log out, keep the call" and "log out and hang up", so a hang-up is never a side
 * effect of a setting elsewhere on the page. A modal <dialog>: Escape cancels, focus starts on
 * Cancel (the safe answer) and goes back to the button that opened it.
 */
export function LogoutDialog(props: {
  ask: LogoutAsk | null;
  onCancel(): void;
  onConfirm(ask: LogoutAsk, hangupCall: boolean): void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const { ask } = props;
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (ask && !d.open) {
      d.showModal();
      cancelRef.current?.focus();
    } else if (!ask && d.open) d.close();
  }, [ask]);
  return (
    <dialog
      ref={ref}
      className="sv-dialog"
      aria-labelledby="sv-logout-title"
      aria-describedby="sv-logout-text"
      onCancel={(e) => {
        e.preventDefault();
        props.onCancel();
      }}
    >
      {ask && (
        <>
          <h2 id="sv-logout-title">Log out {ask.name}?</h2>
          <p id="sv-logout-text">
            {ask.callNumber
              ? `${ask.name} is on a call with ${ask.callNumber}. Logging out can leave the customer on the line, or hang up.`
              : `${ask.name} leaves the campaign and must log in again to take calls.`}
          </p>
          <div className="sv-dialog-actions">
            <button ref={cancelRef} type="button" onClick={props.onCancel}>
              Cancel
            </button>
            <button type="button" className="sv-danger" onClick={() => props.onConfirm(ask, false)}>
              {ask.callNumber ? `Log out ${ask.name}, keep the call` : `Log out ${ask.name}`}
            </button>
            {ask.callNumber && (
              <button
                type="button"
                className="sv-danger"
                onClick={() => props.onConfirm(ask, true)}
              >
                Log out {ask.name} and hang up
              </button>
            )}
          </div>
        </>
      )}
    </dialog>
  );
}
