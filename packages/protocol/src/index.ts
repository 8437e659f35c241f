export * from './ids.js';
export * from './agent.js';
export * from './events.js';
