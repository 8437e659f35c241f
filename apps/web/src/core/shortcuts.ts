import type { PanelAction } from './panel/index.js';

/**
 * Keyboard shortcuts of the agent panel: Alt + one letter, so that they never collide with typing
 * in a field (the disposition note, the dial box) and work the same in Chromium and Firefox.
 * The same table feeds the help dialog and docs/agent-panel.md. The actions: the panel's own
 * (core/panel/guard.ts) that have a key, all but log out and preview, plus search and this help.
 */
export type ShortcutAction =
  Exclude<PanelAction, 'logout' | 'preview'> | 'search' | 'help' | 'hand';

export const SHORTCUTS: ReadonlyArray<{ key: string; action: ShortcutAction; label: string }> = [
  { key: 'r', action: 'ready', label: 'Go ready' },
  { key: 'p', action: 'pause', label: 'Pause (focuses the pause code)' },
  { key: 'h', action: 'hangup', label: "Hang up the customer's call" },
  { key: 'o', action: 'hold', label: 'Hold / resume' },
  { key: 'm', action: 'mute', label: 'Mute / unmute' },
  { key: 't', action: 'transfer', label: 'Transfer (focuses the target)' },
  { key: 'k', action: 'dtmf', label: 'Keypad (DTMF)' },
  { key: 'd', action: 'dial', label: 'Manual dial (focuses the number)' },
  { key: 's', action: 'search', label: 'Lead search' },
  { key: 'w', action: 'dispose', label: 'Disposition form' },
  { key: 'q', action: 'hand', label: 'Raise / lower your hand (Messages)' },
  { key: '/', action: 'help', label: 'Show these shortcuts' },
];

/**
 * Keys a part of the desk handles itself, where it applies (listed in the help beside the
 * table above): the wrap-up's Extend button and the disposition form's number keys.
 */
export const LOCAL_SHORTCUTS: ReadonlyArray<{ keys: string; label: string }> = [
  { keys: 'Alt+E', label: 'Extend wrap-up (in wrap-up, within the campaign allowance)' },
  { keys: '1-9', label: 'Pick a disposition (on the disposition form, outside its text fields)' },
  {
    keys: 'Alt+C',
    label: 'Record the call (campaigns that record on demand, a call not recorded)',
  },
  { keys: 'Alt+U', label: 'Pause / resume the recording (for payment details)' },
];

export interface KeyLike {
  key: string;
  /** The physical key (KeyR); preferred, since Option+R on a Mac types a symbol as `key`. */
  code?: string;
  altKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey?: boolean;
}

/** The action of a key press, or null. Ctrl and Meta combinations are left to the browser. */
export function matchShortcut(e: KeyLike): ShortcutAction | null {
  if (!e.altKey || e.ctrlKey || e.metaKey) return null;
  const fromCode = e.code?.match(/^Key([A-Z])$/)?.[1];
  const key = e.code === 'Slash' ? '/' : (fromCode ?? e.key).toLowerCase();
  return SHORTCUTS.find((s) => s.key === key)?.action ?? null;
}
