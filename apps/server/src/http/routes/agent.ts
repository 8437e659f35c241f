import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  AgentListResponse,
  AgentLoginBody,
  AgentSessionResponse,
  CallResponse,
  DispositionBody,
  MyDayResponse,
  NumericId,
  PauseBody,
  WrapupExtendResponse,
} from '@ringside/protocol';
import type { CallId, CampaignId } from '@ringside/protocol';
import {
  ForbiddenError,
  NotFoundError,
  UnauthorizedError,
  UnavailableError,
} from '../../errors.js';
import { agentIdOf, type SessionUser } from '../auth.js';
import type { AppDeps } from '../deps.js';
import { defineRoute } from '../route.js';
import { agentView, callView } from '../views.js';
import { AGENT_ONLY, ANY_ROLE, SUPERVISOR } from './common.js';

const CallParams = z.object({ callId: z.string().min(1).max(64) });
const CampaignFilter = z.object({ campaignId: NumericId.optional() });
const MyDayQuery = z.object({
  /** The floor's IANA zone "today" is read in (the panel sends the browser's); default UTC. */
  tz: z.string().min(1).max(64).optional(),
});
const CallList = z.object({ calls: z.array(CallResponse.shape.call) });

function need(user: SessionUser | null): SessionUser {
  if (!user) throw new UnauthorizedError('sign in first');
  return user;
}

/**
 * The agent's own session (login to a campaign, ready, pause, logout, disposition) and reads of
 * live state. An agent acts only as itself: the agent id always comes from the session, never
 * from the request, and calls are checked to be the agent's own.
 */
export function registerAgentRoutes(app: FastifyInstance, deps: AppDeps): void {
  const { agentSessions, stateStore } = deps;
  const tags = ['agent'];

  defineRoute(app, {
    method: 'GET',
    url: '/api/agent/session',
    auth: AGENT_ONLY,
    summary: "The agent's own live status (null when logged out).",
    tags,
    response: AgentSessionResponse,
    handler: async ({ user }) => {
      const a = await stateStore.getAgent(agentIdOf(need(user)));
      return { agent: a ? agentView(a) : null };
    },
  });

  defineRoute(app, {
    method: 'POST',
    url: '/api/agent/session/login',
    auth: AGENT_ONLY,
    summary: 'Log in to a campaign (the agent starts PAUSED).',
    tags,
    body: AgentLoginBody,
    response: AgentSessionResponse,
    handler: async ({ user, body }) => {
      const a = await agentSessions.login(agentIdOf(need(user)), body.campaignId as CampaignId);
      return { agent: agentView(a) };
    },
  });

  defineRoute(app, {
    method: 'POST',
    url: '/api/agent/session/ready',
    auth: AGENT_ONLY,
    summary: 'Ready for calls.',
    tags,
    response: AgentSessionResponse,
    handler: async ({ user }) => ({
      agent: agentView(await agentSessions.ready(agentIdOf(need(user)))),
    }),
  });

  defineRoute(app, {
    method: 'POST',
    url: '/api/agent/session/pause',
    auth: AGENT_ONLY,
    summary: 'Pause with a pause code.',
    tags,
    body: PauseBody,
    response: AgentSessionResponse,
    handler: async ({ user, body }) => ({
      agent: agentView(await agentSessions.pause(agentIdOf(need(user)), body.code, 'agent')),
    }),
  });

  defineRoute(app, {
    method: 'POST',
    url: '/api/agent/session/logout',
    auth: AGENT_ONLY,
    summary: 'Log out of the campaign.',
    tags,
    response: AgentSessionResponse,
    handler: async ({ user }) => {
      const a = await agentSessions.logout(agentIdOf(need(user)));
      return { agent: a ? agentView(a) : null };
    },
  });

  defineRoute(app, {
    method: 'POST',
    url: '/api/agent/session/disposition',
    auth: AGENT_ONLY,
    summary: "Submit the disposition of the agent's own call (ends wrap-up).",
    tags,
    body: DispositionBody,
    response: AgentSessionResponse,
    handler: async ({ user, body }) => {
      const agentId = agentIdOf(need(user));
      const status = await stateStore.getAgent(agentId);
      // The call must be the agent's own: its current call, or a live call assigned to it.
      if (status?.callId !== body.callId) {
        const call = await stateStore.getCall(body.callId as CallId);
        if (call?.agentId !== agentId) throw new ForbiddenError('not your call');
      }
      return { agent: agentView(await agentSessions.dispose(agentId, body)) };
    },
  });

  defineRoute(app, {
    method: 'POST',
    url: '/api/agent/session/wrapup/extend',
    auth: AGENT_ONLY,
    summary:
      "Extend the agent's own wrap-up by the campaign's extension (409 past the campaign's " +
      'allowance per call, or outside wrap-up). Audited.',
    tags,
    response: WrapupExtendResponse,
    handler: async ({ user }) => {
      if (!agentSessions.extendWrapup) throw new UnavailableError('wrap-up extension is not wired');
      const r = await agentSessions.extendWrapup(agentIdOf(need(user)));
      return {
        agent: { ...agentView(r.status), wrapupUntilMs: r.untilMs },
        wrapupUntilMs: r.untilMs,
        used: r.used,
        allowed: r.allowed,
      };
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/agent/my-day',
    auth: AGENT_ONLY,
    summary:
      "The signed-in agent's day so far: calls, talk time, average handle time, sales, and " +
      'time in each pause code against its daily limit.',
    tags,
    query: MyDayQuery,
    response: MyDayResponse,
    handler: async ({ user, query }) => {
      if (!deps.agentDesk) throw new UnavailableError('the agent desk is not wired');
      return deps.agentDesk.myDay(agentIdOf(need(user)), query.tz ?? 'UTC');
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/calls/:callId',
    auth: ANY_ROLE,
    summary: 'A live call. Agents may read only their own, or the one they are reserved for.',
    tags,
    params: CallParams,
    response: CallResponse,
    handler: async ({ user, params }) => {
      const u = need(user);
      const call = await stateStore.getCall(params.callId as CallId);
      if (!call) throw new NotFoundError('call not found');
      if (u.role === 'agent' && call.agentId !== agentIdOf(u)) {
        // Reserved for it (the dialer's hand-off, a transfer's target): the agent's status names
        // the call before the call names the agent, and the panel pops the lead from this read.
        const status = await stateStore.getAgent(agentIdOf(u));
        if (status?.callId !== call.callId) throw new ForbiddenError('not your call');
      }
      return { call: callView(call) };
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/agents',
    auth: SUPERVISOR,
    summary: "Every agent's live status (optionally of one campaign).",
    tags: ['supervisor'],
    query: CampaignFilter,
    response: AgentListResponse,
    handler: async ({ query }) => ({
      agents: (await stateStore.listAgents(query.campaignId as CampaignId | undefined)).map(
        agentView,
      ),
    }),
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/calls',
    auth: SUPERVISOR,
    summary: 'Every live call (optionally of one campaign).',
    tags: ['supervisor'],
    query: CampaignFilter,
    response: CallList,
    handler: async ({ query }) => ({
      calls: (await stateStore.listCalls(query.campaignId as CampaignId | undefined)).map(callView),
    }),
  });
}
