/**
 * Agents: the session (state machine via the store's compare-and-set), presence, disposition,
 * wrap-up, and agent state rebuilt after Redis lost it. Ports in ports/agents.ts; wired in roles/.
 */
export {
  AgentSessionService,
  createAgentSessionApi,
  startAgentLogRecorder,
} from './agent-session.js';
export { DispositionService } from './disposition.js';
export { AgentPresenceTracker, HEARTBEAT_LOST_REASON, PRESENCE_DEFAULTS } from './presence.js';
export { StateRebuild } from './state-rebuild.js';
export { startCustomerHangupWatcher, WrapupSweeper } from './wrapup.js';
