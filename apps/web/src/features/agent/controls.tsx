import type { ReactNode, RefObject } from 'react';

/** The agent panel's own controls, shared by the call screen and the dial panel. */

/** A button that stays focusable when the action is refused, and says why when pressed. */
export function ActionButton(props: {
  refusal: string | null;
  onClick(): void;
  children: ReactNode;
  className?: string;
  shortcut?: string;
  pressed?: boolean;
  /** For the focus moves after a state change. */
  buttonRef?: RefObject<HTMLButtonElement | null>;
}) {
  const { refusal, onClick, children, className, shortcut, pressed, buttonRef } = props;
  return (
    <button
      ref={buttonRef}
      type="button"
      className={className}
      aria-disabled={refusal ? 'true' : undefined}
      aria-pressed={pressed}
      aria-keyshortcuts={shortcut}
      title={refusal ?? (shortcut ? `Shortcut: ${shortcut}` : undefined)}
      onClick={onClick}
    >
      {children}
    </button>
  );
}

/** A labelled input (digits, a number) that acts on Enter, like the button beside it. */
export function EnterInput(props: {
  label: string;
  inputRef: RefObject<HTMLInputElement | null>;
  value: string;
  onChange(value: string): void;
  onEnter(): void;
  placeholder?: string;
}) {
  return (
    <label>
      {props.label}
      <input
        ref={props.inputRef}
        value={props.value}
        inputMode="tel"
        placeholder={props.placeholder}
        onChange={(e) => props.onChange(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') props.onEnter();
        }}
      />
    </label>
  );
}

/** The panel's controls that keyboard shortcuts and state changes move the focus to. */
export interface Focusers {
  campaign: RefObject<HTMLSelectElement | null>;
  ready: RefObject<HTMLButtonElement | null>;
  hangup: RefObject<HTMLButtonElement | null>;
  pause: RefObject<HTMLSelectElement | null>;
  transfer: RefObject<HTMLInputElement | null>;
  dtmf: RefObject<HTMLInputElement | null>;
  dial: RefObject<HTMLInputElement | null>;
  search: RefObject<HTMLInputElement | null>;
  dispose: RefObject<HTMLHeadingElement | null>;
}
