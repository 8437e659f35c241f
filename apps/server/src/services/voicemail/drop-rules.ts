import type { VoicemailOutcome } from '@ringside/protocol';

/**
 * The voicemail drop's rules (pure): when to start the message after a MACHINE verdict, and how
 * the drop ended (docs/recording.md, "Voicemail drop"). The service (drop.ts) runs the effects
 * and feeds back what Asterisk reported; nothing here reads a clock or does I/O.
 *
 *   start --wait none--> playing
 *   start --greeting_end--> listening (TALK_DETECT set, quiet and max-wait timers armed)
 *   listening --talk started--> listening (the greeting is being heard)
 *   listening --talk finished (after a start)--> playing       the greeting ended (or its beep)
 *   listening --quiet (nothing heard)--> playing               it had ended before we listened
 *   listening --max wait--> playing (noBeep, action leave) | done VM_NO_BEEP (action hangup)
 *   playing --played to the end--> done VM_LEFT (VM_NO_BEEP after a max wait)
 *   playing --cut or failed--> done VM_FAILED (VM_NO_BEEP after a max wait)
 *   any --call ended--> done (VM_NO_BEEP after a max wait, else VM_FAILED)
 */

/** What a campaign asks of its drops. Durations in ms. */
export interface DropSettings {
  /** none: play at once; greeting_end: wait for the greeting to end first. */
  wait: 'none' | 'greeting_end';
  /** The longest wait for the greeting's end. */
  maxWaitMs: number;
  /**
   * No talking heard this long after talk detection was set: the greeting had already ended
   * (AMD listened to all of it) and the message starts.
   */
  quietMs: number;
  /** The wait ran out with the greeting still going: leave the message anyway, or hang up. */
  noBeepAction: 'leave' | 'hangup';
}

/** Default `quietMs`: AMD's own between-words silence is shorter; a greeting pauses less. */
export const DEFAULT_QUIET_MS = 2_500;

export type DropPhase = 'listening' | 'playing' | 'done';

export interface DropState {
  phase: DropPhase;
  /** When the drop began (the routed verdict). */
  startedAtMs: number;
  /** Talk detection reported talking at least once. */
  heard: boolean;
  /** The wait ran out before the greeting ended. */
  noBeep: boolean;
  playStartedAtMs: number | null;
  outcome: VoicemailOutcome | null;
}

export type DropTimer = 'quiet' | 'maxWait';

export type DropEvent =
  | { type: 'talk_started'; atMs: number }
  | { type: 'talk_finished'; atMs: number }
  | { type: 'timer'; timer: DropTimer; atMs: number }
  /** The message could not be started. */
  | { type: 'play_failed'; atMs: number }
  /** The message's playback is over; `complete`: it played to its end. */
  | { type: 'played'; complete: boolean; atMs: number }
  /** The call ended (the far end hung up, or we did). */
  | { type: 'ended'; atMs: number };

export type DropEffect =
  /** Set TALK_DETECT on the customer's channel. */
  | { kind: 'talkDetect' }
  | { kind: 'arm'; timer: DropTimer; ms: number }
  | { kind: 'cancel'; timer: DropTimer }
  /** Start the message. */
  | { kind: 'play' }
  | { kind: 'hangup' }
  /** The drop's outcome, once: publish and record it. */
  | { kind: 'outcome'; outcome: VoicemailOutcome; played: boolean; waitedMs: number | null };

export interface DropStep {
  state: DropState;
  effects: DropEffect[];
}

/** A drop begins at the verdict: play now, or listen for the greeting's end. */
export function startDrop(s: DropSettings, atMs: number): DropStep {
  const base: DropState = {
    phase: 'listening',
    startedAtMs: atMs,
    heard: false,
    noBeep: false,
    playStartedAtMs: null,
    outcome: null,
  };
  if (s.wait === 'none')
    return {
      state: { ...base, phase: 'playing', playStartedAtMs: atMs },
      effects: [{ kind: 'play' }],
    };
  return {
    state: base,
    effects: [
      { kind: 'talkDetect' },
      { kind: 'arm', timer: 'quiet', ms: s.quietMs },
      { kind: 'arm', timer: 'maxWait', ms: s.maxWaitMs },
    ],
  };
}

function play(state: DropState, atMs: number, extra: DropEffect[] = []): DropStep {
  return {
    state: { ...state, phase: 'playing', playStartedAtMs: atMs },
    effects: [...extra, { kind: 'play' }],
  };
}

function done(state: DropState, played: boolean, atMs: number, hangup: boolean): DropStep {
  const outcome: VoicemailOutcome = state.noBeep ? 'VM_NO_BEEP' : played ? 'VM_LEFT' : 'VM_FAILED';
  const waitedMs =
    state.playStartedAtMs === null ? null : Math.max(0, state.playStartedAtMs - state.startedAtMs);
  const effects: DropEffect[] = [
    { kind: 'cancel', timer: 'quiet' },
    { kind: 'cancel', timer: 'maxWait' },
    { kind: 'outcome', outcome, played, waitedMs },
  ];
  if (hangup) effects.push({ kind: 'hangup' });
  return { state: { ...state, phase: 'done', outcome }, effects };
}

/** Applies one event. Total: an event the phase does not take changes nothing. */
export function dropTransition(s: DropSettings, state: DropState, e: DropEvent): DropStep {
  const same: DropStep = { state, effects: [] };
  if (state.phase === 'done') return same;
  if (e.type === 'ended') return done(state, false, e.atMs, false);
  if (state.phase === 'listening') {
    switch (e.type) {
      case 'talk_started':
        return { state: { ...state, heard: true }, effects: [{ kind: 'cancel', timer: 'quiet' }] };
      case 'talk_finished':
        // The greeting (and the beep that ends it, which talk detection hears as sound) is over.
        return play({ ...state, heard: true }, e.atMs, [{ kind: 'cancel', timer: 'maxWait' }]);
      case 'timer':
        if (e.timer === 'quiet') {
          if (state.heard) return same;
          return play(state, e.atMs, [{ kind: 'cancel', timer: 'maxWait' }]);
        }
        // The greeting never ended within the wait.
        if (s.noBeepAction === 'hangup')
          return done({ ...state, noBeep: true }, false, e.atMs, true);
        return play({ ...state, noBeep: true }, e.atMs, [{ kind: 'cancel', timer: 'quiet' }]);
      default:
        return same;
    }
  }
  // playing
  switch (e.type) {
    case 'play_failed':
      return done(state, false, e.atMs, true);
    case 'played':
      return done(state, e.complete, e.atMs, true);
    default:
      return same;
  }
}

/**
 * Whether a playback that is over played to its end: its time since the start reached the
 * message's length (less `toleranceMs` for the start's latency). Unknown length: trusted.
 */
export function playedToEnd(
  playStartedAtMs: number,
  overAtMs: number,
  messageMs: number | null,
  toleranceMs = 1_000,
): boolean {
  if (messageMs === null) return true;
  return overAtMs - playStartedAtMs >= messageMs - toleranceMs;
}

/**
 * The AMD review draw: a MACHINE verdict of call `callId` is kept for review when its hash falls
 * under `pct` percent. Every process draws the same for one call (no shared counter needed).
 */
export function amdReviewPicked(callId: string, pct: number): boolean {
  if (!(pct > 0)) return false;
  if (pct >= 100) return true;
  let h = 0x811c9dc5;
  for (let i = 0; i < callId.length; i++) {
    h ^= callId.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % 10_000 < pct * 100;
}
