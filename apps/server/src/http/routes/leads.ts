import type { FastifyInstance } from 'fastify';
import { IdParams, LeadList, LeadResponse, LeadSearchQuery } from '@ringside/protocol';
import type { CallId, LeadView } from '@ringside/protocol';
import type { Lead } from '../../ports/leads.js';
import { ForbiddenError, NotFoundError, UnauthorizedError } from '../../errors.js';
import { agentIdOf } from '../auth.js';
import type { AppDeps } from '../deps.js';
import { defineRoute } from '../route.js';
import { ANY_ROLE } from './common.js';

export function leadView(l: Lead): LeadView {
  return {
    id: l.id,
    listId: l.listId,
    phone: l.phone,
    altPhones: l.altPhones,
    firstName: l.firstName,
    lastName: l.lastName,
    address: l.address,
    city: l.city,
    state: l.state,
    postalCode: l.postalCode,
    country: l.country,
    timeZone: l.timeZone,
    status: l.status,
    attempts: l.attempts,
    custom: l.custom,
    recordingConsent: l.recordingConsent,
    legalHold: l.legalHold,
  };
}

/** Leads: the screen pop (lead + history) and, for supervisors, search. */
export function registerLeadRoutes(app: FastifyInstance, deps: AppDeps): void {
  defineRoute(app, {
    method: 'GET',
    url: '/api/leads/:id',
    auth: ANY_ROLE,
    summary: 'A lead and its history. Agents may read only the lead of their current call.',
    tags: ['leads'],
    params: IdParams,
    response: LeadResponse,
    handler: async ({ user, params }) => {
      if (!user) throw new UnauthorizedError('sign in first');
      if (user.role === 'agent') {
        // Ownership comes from live state: the agent's current (or wrap-up) call names the lead.
        const status = await deps.stateStore.getAgent(agentIdOf(user));
        const call = status?.callId ? await deps.stateStore.getCall(status.callId as CallId) : null;
        if (call?.leadId !== params.id) throw new ForbiddenError('not the lead of your call');
      }
      const lead = await deps.leads.get(params.id);
      if (!lead) throw new NotFoundError(`lead ${params.id} not found`);
      const history = await deps.leads.history(params.id, { limit: 200 });
      return {
        lead: leadView(lead),
        history: history.map((h) => ({
          atMs: h.at.getTime(),
          kind: h.kind,
          callId: h.callId,
          agentId: h.agentId,
          detail: h.detail,
        })),
      };
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/leads',
    auth: ANY_ROLE,
    summary:
      'Search leads by phone (exact E.164) or name prefix. Agents search only the campaign they are logged in to.',
    tags: ['leads'],
    query: LeadSearchQuery,
    response: LeadList,
    handler: async ({ user, query }) => {
      if (!user) throw new UnauthorizedError('sign in first');
      if (user.role === 'agent') {
        const status = await deps.stateStore.getAgent(agentIdOf(user));
        if (!status?.campaignId)
          throw new ForbiddenError('log in to a campaign to search its leads');
        if (query.campaignId !== undefined && query.campaignId !== status.campaignId) {
          throw new ForbiddenError('agents search only the campaign they are logged in to');
        }
        query = { ...query, campaignId: status.campaignId };
      }
      return { leads: (await deps.leads.search(query)).map(leadView) };
    },
  });
}
