import type { AgentId } from '@ringside/protocol';
import { UnavailableError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { AgentSessionService, AgentSessionResult } from '../services/agents/agent-session.js';
import type { AgentSessionApi } from './deps.js';

/**
 * The HTTP API's agent actions on top of services/agents/agent-session.ts. The service returns effects
 * (release or hang up a call, end the agent's phone leg, wrap-up timers) for telephony to carry
 * out; the api role has no ARI connection, so they are logged here until a consumer exists.
 */
export function agentSessionApi(service: AgentSessionService, logger: Logger): AgentSessionApi {
  const done = (agentId: AgentId, r: AgentSessionResult) => {
    if (r.effects.length > 0) {
      logger.warn(
        { agentId, effects: r.effects.map((e) => e.type) },
        'agent effects not carried out by the api role',
      );
    }
    return r.status;
  };
  return {
    login: async (agentId, campaignId) =>
      done(agentId, await service.apply(agentId, { type: 'login', campaignId }, 'agent')),
    ready: async (agentId) =>
      done(agentId, await service.apply(agentId, { type: 'ready' }, 'agent')),
    pause: async (agentId, code, reason) =>
      done(agentId, await service.apply(agentId, { type: 'pause', code }, reason)),
    logout: async (agentId) =>
      done(agentId, await service.apply(agentId, { type: 'logout' }, 'agent')),
    // Recording a disposition (call_log, lead status, DNC, callback) belongs to a disposition
    // service that does not exist yet; refusing is better than leaving wrap-up without a record.
    dispose: async () => {
      throw new UnavailableError('dispositions cannot be recorded yet');
    },
  };
}
