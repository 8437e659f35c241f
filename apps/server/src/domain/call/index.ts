// The call state machine (pure): phases, events and effects of one outbound call (call-state.ts).
export * from './call-state.js';
