import type { MonitorAri } from '../../src/ports/supervisor.js';
import {
  pjsipEndpointOf,
  type SupervisorActionsDeps,
} from '../../src/services/supervisor/supervisor-actions.js';

/**
 * Monitoring as roles/api-agents.ts wires it, on a fake ARI: app `ringside`, the supervisor's
 * phone from `users` (PJSIP/<username>), ids m1, m2, ...
 */
export function monitoringOn(
  ari: MonitorAri,
  users: Parameters<typeof pjsipEndpointOf>[0],
): NonNullable<SupervisorActionsDeps['monitor']> {
  let n = 0;
  return { ari, app: 'ringside', endpointOf: pjsipEndpointOf(users), newId: () => `m${++n}` };
}
