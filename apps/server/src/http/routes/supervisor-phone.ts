import type { FastifyInstance } from 'fastify';
import { PhoneConfig } from '@ringside/protocol';
import { UnauthorizedError, UnavailableError } from '../../errors.js';
import { agentIdOf } from '../auth.js';
import type { AppDeps } from '../deps.js';
import { defineRoute } from '../route.js';
import { SUPERVISOR } from './common.js';

/**
 * The supervisor's own phone for listen, whisper and barge. On a real Asterisk a supervisor with
 * a browser phone gets a softphone account like an agent's (same endpoint options, written over
 * ARI); the dashboard registers it and answers the monitoring calls Asterisk places to it
 * (services/supervisor/supervisor-actions.ts originates `PJSIP/<username>`, or users.sip_endpoint for a desk
 * phone). On the simulated PBX the phone answers by itself (`mode: 'sim'`).
 */
export function registerSupervisorPhoneRoutes(app: FastifyInstance, deps: AppDeps): void {
  defineRoute(app, {
    method: 'GET',
    url: '/api/supervisor/phone',
    auth: SUPERVISOR,
    summary:
      "The supervisor's phone for monitoring calls (softphone account, simulated, own phone).",
    tags: ['supervisor'],
    response: PhoneConfig,
    handler: async ({ user }) => {
      if (!user) throw new UnauthorizedError('sign in first');
      if (user.phoneType === 'sip') return { mode: 'external', sip: null };
      if (!deps.telephony) throw new UnavailableError('telephony commands are not available');
      return deps.telephony.phoneConfig(agentIdOf(user), user.phoneType);
    },
  });
}
