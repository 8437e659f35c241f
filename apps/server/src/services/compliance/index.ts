// Compliance: the state calling rules in memory, the dial-time checks, and "why is this lead not
// being dialed?". Owns no storage: the ports are in ports/compliance.ts, the wiring in roles/.
export { StateRulesCache, STATE_RULES_REFRESH_MS } from './state-rules-cache.js';
export { WhyNotDialed } from './why-not-dialed.js';
