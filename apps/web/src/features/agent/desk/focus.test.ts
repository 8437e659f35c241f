import { describe, expect, it } from 'vitest';
import { focusAfter, primaryControl, type FocusView } from './focus.js';

const v = (state: FocusView['state'], dispositionDue = false): FocusView => ({
  state,
  dispositionDue,
});

describe('focus after a state change', () => {
  it('goes to the campaign picker after sign-in and after campaign logout', () => {
    expect(focusAfter(null, v('LOGGED_OUT'), true)).toBe('campaign');
    expect(focusAfter(v('PAUSED'), v('LOGGED_OUT'), false)).toBe('campaign');
    expect(focusAfter(v('LOGGED_OUT'), v('LOGGED_OUT'), false)).toBeNull();
  });

  it('goes to Ready after campaign login (the agent starts paused)', () => {
    expect(focusAfter(v('LOGGED_OUT'), v('PAUSED'), true)).toBe('ready');
    // A reload during a call lands on the call's first control.
    expect(focusAfter(v('LOGGED_OUT'), v('INCALL'), true)).toBe('hangup');
    expect(focusAfter(v('LOGGED_OUT'), v('WRAPUP', true), true)).toBe('dispose');
  });

  it('goes to the disposition form once, when it appears', () => {
    expect(focusAfter(v('INCALL'), v('DEAD', true), false)).toBe('dispose');
    expect(focusAfter(v('DEAD', true), v('WRAPUP', true), false)).toBeNull();
  });

  it('goes to Ready (or the next call) after the disposition is submitted', () => {
    expect(focusAfter(v('WRAPUP', true), v('PAUSED'), true)).toBe('ready');
    expect(focusAfter(v('WRAPUP', true), v('READY'), true)).toBe('ready');
    expect(focusAfter(v('WRAPUP', true), v('INCALL'), true)).toBe('hangup');
  });

  it('leaves the focus alone unless it was lost, then picks the first control that makes sense', () => {
    expect(focusAfter(v('READY'), v('INCALL'), false)).toBeNull();
    expect(focusAfter(v('READY'), v('INCALL'), true)).toBe('hangup');
    expect(focusAfter(v('PAUSED'), v('READY'), true)).toBe('pause');
    expect(primaryControl(v('PAUSED'))).toBe('ready');
    expect(primaryControl(v('WRAPUP', true))).toBe('dispose');
  });
});
