// Compliance: state rules in memory, dial-time checks, "why is this lead not being dialed?", the
// national DNC registry import. Ports: ports/compliance.ts, national-dnc.ts; wired in roles/.
export { StateRulesCache, STATE_RULES_REFRESH_MS } from './state-rules-cache.js';
export { WhyNotDialed } from './why-not-dialed.js';
