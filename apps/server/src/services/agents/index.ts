/**
 * Agents: the session (state machine via the store's compare-and-set), presence, disposition,
 * wrap-up (and its extension), the agent's desk reads, and agent state rebuilt after Redis lost
 * it. Ports in ports/agents.ts; wired in roles/.
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
export { WrapupExtender, wrapupDeadlineMs } from './wrapup-extension.js';
export { AgentDesk, byUsage, dayStartMs } from './agent-desk.js';
