/** The DOM-free core of the agent panel, shared with the bot agents (apps/sim/src/bots). */
export * from './api.js';
export * from './panel/index.js';
export * from './realtime.js';
export * from './script.js';
export * from './socket-like.js';
export * from './shortcuts.js';
export * from './timezone.js';
