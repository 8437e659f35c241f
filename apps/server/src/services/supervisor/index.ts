/**
 * Supervisor: force pause and logout, listen / whisper / barge (each audited), and the watcher
 * of monitoring legs. Ports in ports/supervisor.ts; wired in roles/api-agents.ts, ari-worker.ts.
 */
export {
  isMonitorLeg,
  MonitorLegWatcher,
  pjsipEndpointOf,
  SupervisorActions,
  type SupervisorActionsDeps,
} from './supervisor-actions.js';
