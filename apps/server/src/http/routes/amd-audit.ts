import type { FastifyInstance } from 'fastify';
import { AmdMarkBody, AmdMarkResponse, CallIdParams } from '@ringside/protocol';
import { ConflictError, NotFoundError, UnauthorizedError, UnavailableError } from '../../errors.js';
import { agentIdOf } from '../auth.js';
import type { AppDeps } from '../deps.js';
import { defineRoute } from '../route.js';
import { AGENT_ONLY } from './common.js';

/**
 * The AMD audit (docs/pacing.md, "AMD audit"): on a call that AMD judged a machine and the
 * dialer sent to them (the campaign's audit share, or every one while AMD hang-ups are off), the
 * agent marks "a person" or "a machine"; the campaign's AMD estimate follows these marks.
 */
export function registerAmdAuditRoutes(app: FastifyInstance, deps: AppDeps): void {
  defineRoute(app, {
    method: 'POST',
    url: '/api/agent/calls/:callId/amd-mark',
    auth: AGENT_ONLY,
    summary: 'Mark a machine verdict sent to the agent as a person or a machine (AMD audit).',
    tags: ['agent'],
    params: CallIdParams,
    body: AmdMarkBody,
    response: AmdMarkResponse,
    handler: async ({ user, params, body }) => {
      if (!user) throw new UnauthorizedError('sign in first');
      if (!deps.amdAudit) throw new UnavailableError('the AMD audit is not available');
      const status = await deps.stateStore.getAgent(agentIdOf(user));
      // Its current call (in call, or in wrap-up after it): another agent's call cannot be marked.
      if (!status?.campaignId || status.callId !== params.callId)
        throw new NotFoundError(`callId: ${params.callId} is not your current call`);
      const r = await deps.amdAudit.mark(status.campaignId, params.callId, body.mark);
      if (r === 'not-audited')
        throw new ConflictError(
          `callId: ${params.callId} was not a machine verdict sent to you to be marked`,
        );
      return { ok: true as const, result: r };
    },
  });
}
