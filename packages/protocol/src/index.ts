export * from './ids.js';
export * from './agent.js';
export * from './events.js';
export * from './http.js';
export * from './ws.js';
export * from './reports.js';
export * from './supervisor.js';
