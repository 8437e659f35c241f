import type { AgentState } from '@ringside/protocol';

/**
 * Where the keyboard focus goes after the agent's state changes (pure, so it is tested without a
 * browser): always to the next control that makes sense, never left on <body>.
 */

/** The controls the desk can move the focus to. */
export type FocusTarget = 'campaign' | 'ready' | 'pause' | 'dispose' | 'hangup';

/** What the focus rule needs of the panel's state. */
export interface FocusView {
  state: AgentState;
  dispositionDue: boolean;
}

/** The control that makes sense first in a state. */
export function primaryControl(v: FocusView): FocusTarget {
  if (v.dispositionDue) return 'dispose';
  switch (v.state) {
    case 'LOGGED_OUT':
      return 'campaign';
    case 'READY':
      return 'pause';
    case 'RESERVED':
    case 'INCALL':
      return 'hangup';
    case 'PAUSED':
    case 'DEAD':
    case 'WRAPUP':
      return 'ready';
  }
}

/**
 * The control to focus after a change from `prev` (null: the desk just appeared, e.g. after
 * sign-in) to `next`, or null to leave the focus where the agent put it. `focusLost`: the focus
 * is on <body> (the control that had it went away). A call arriving never takes the focus from
 * a field the agent is typing in; the disposition form does, once, when it appears.
 */
export function focusAfter(
  prev: FocusView | null,
  next: FocusView,
  focusLost: boolean,
): FocusTarget | null {
  if (next.dispositionDue && !prev?.dispositionDue) return 'dispose';
  // After sign-in, and after logging out of the campaign: the campaign picker.
  if (next.state === 'LOGGED_OUT' && (!prev || prev.state !== 'LOGGED_OUT')) return 'campaign';
  // After logging in to the campaign (the agent starts paused): Ready.
  if (prev?.state === 'LOGGED_OUT' && next.state !== 'LOGGED_OUT') return primaryControl(next);
  // After the disposition is in: Ready, or what comes next.
  if (prev?.dispositionDue && !next.dispositionDue) {
    return next.state === 'READY' ? 'ready' : primaryControl(next);
  }
  return focusLost ? primaryControl(next) : null;
}
