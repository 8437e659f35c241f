/**
 * The agent panel's client state machine (pure): `reduce(state, input) -> {state, effects}`.
 * Only what the server says moves the agent: the snapshot on (re)subscribe, pushed domain events,
 * and the answers of the agent's own HTTP actions. The panel never guesses a state from a click.
 * `guard()` tells, before a request is sent, whether an action makes sense now and, if not,
 * the message to show; the server checks again and its refusal is shown the same way.
 *
 * state.ts: the shapes; reduce.ts: the reducer; guard.ts: what the agent may do now;
 * describe.ts: the words shown (state line, call end, monitoring banner, wrap-up countdown);
 * recording.ts: the call's recording (its events, what the agent may do, the indicator).
 */

export * from './state.js';
export * from './reduce.js';
export * from './guard.js';
export * from './describe.js';
export * from './recording.js';
