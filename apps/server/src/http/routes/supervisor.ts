import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  AgentIdParams,
  AgentStatusView,
  Campaign,
  CampaignDialBody,
  ForceLogoutBody,
  ForcePauseBody,
  IdParams,
  MonitorBody,
  MonitorResponse,
  MonitorStopResponse,
  RosterResponse,
  DEFAULT_WALL_THRESHOLDS,
  WallThresholds,
} from '@ringside/protocol';
import type { AgentId, CampaignId } from '@ringside/protocol';
import { NotFoundError, UnauthorizedError, UnavailableError } from '../../errors.js';
import type { SupervisorActions } from '../../services/supervisor/supervisor-actions.js';
import type { AppDeps } from '../deps.js';
import { defineRoute } from '../route.js';
import { agentView } from '../views.js';
import { publishSettingsChanged } from './campaigns.js';
import { SUPERVISOR } from './common.js';

const ForceLogoutResponse = z.object({
  agent: AgentStatusView,
  callId: z.string().nullable(),
  hungUp: z.boolean(),
});

type Actions = Pick<SupervisorActions, 'forcePause' | 'forceLogout' | 'monitor' | 'stopMonitor'>;

/**
 * The supervisor actions roles/api.ts built (deps.supervisor); an api built without them answers
 * 503 on use.
 */
export function supervisorActionsOf(deps: AppDeps): Actions {
  const actions = (): SupervisorActions => {
    if (!deps.supervisor) throw new UnavailableError('supervisor actions are not available');
    return deps.supervisor;
  };
  return {
    forcePause: (...a) => actions().forcePause(...a),
    forceLogout: (...a) => actions().forceLogout(...a),
    monitor: (...a) => actions().monitor(...a),
    stopMonitor: (...a) => actions().stopMonitor(...a),
  };
}

export function registerSupervisorRoutes(app: FastifyInstance, deps: AppDeps): void {
  const actions = supervisorActionsOf(deps);
  const reportFailed = (err: unknown): undefined => {
    deps.logger.warn({ err }, 'supervisor roster: reports unavailable');
    return undefined;
  };
  const who = (user: { id: string } | null): string => {
    if (!user) throw new UnauthorizedError('sign in first');
    return user.id;
  };

  defineRoute(app, {
    method: 'GET',
    url: '/api/supervisor/roster',
    auth: SUPERVISOR,
    summary: 'Names and teams of the agents in the live state, and the campaigns (loaded once).',
    tags: ['supervisor'],
    response: RosterResponse,
    handler: async () => {
      const nowMs = deps.clock.nowMs();
      const dayStartMs = nowMs - (nowMs % 86_400_000);
      const [live, campaigns, perf, compliance] = await Promise.all([
        deps.stateStore.listAgents(),
        deps.campaigns.list(),
        // The counts are a convenience: the grid still works if reports are slow or down.
        deps.reports
          ?.agentPerformance({ from: dayStartMs, to: nowMs + 1, format: 'json' })
          .catch(reportFailed),
        deps.reports?.compliance({ to: nowMs + 1, format: 'json' }).catch(reportFailed),
      ]);
      const callsToday = new Map((perf?.rows ?? []).map((r) => [r.agentId, r.calls]));
      const window = new Map((compliance?.campaigns ?? []).map((c) => [c.campaignId, c]));
      const thresholds = await deps.wallThresholds?.forCampaigns(campaigns.map((c) => c.id));
      const byId = await deps.users.findByIds(live.map((a) => a.agentId));
      const users = live.map((a) => byId.get(a.agentId));
      return {
        agents: users.flatMap((u) =>
          u
            ? [
                {
                  agentId: u.id,
                  displayName: u.displayName,
                  teamId: u.teamId,
                  callsToday: callsToday.get(u.id) ?? 0,
                },
              ]
            : [],
        ),
        campaigns: campaigns.map((c) => {
          const w = window.get(c.id);
          const today = w?.days.find((d) => d.dayAtMs === dayStartMs);
          return {
            id: c.id,
            name: c.name,
            dialMethod: c.dialMethod,
            dialLevel: c.dialLevel,
            dropRateCapPct: c.dropRateCapPct,
            drops: compliance
              ? {
                  today: {
                    drops: today?.drops ?? 0,
                    humanAnswers: today?.humanAnswers ?? 0,
                  },
                  window: { drops: w?.drops ?? 0, humanAnswers: w?.humanAnswers ?? 0 },
                }
              : null,
            thresholds: thresholds?.get(c.id) ?? DEFAULT_WALL_THRESHOLDS,
          };
        }),
      };
    },
  });

  defineRoute(app, {
    method: 'POST',
    url: '/api/supervisor/agents/:agentId/pause',
    auth: SUPERVISOR,
    summary: 'Force an agent into PAUSED with a code (from READY, PAUSED or WRAPUP). Audited.',
    tags: ['supervisor'],
    params: AgentIdParams,
    body: ForcePauseBody,
    response: z.object({ agent: AgentStatusView }),
    handler: async ({ params, body, user }) => ({
      agent: agentView(await actions.forcePause(who(user), params.agentId as AgentId, body.code)),
    }),
  });

  defineRoute(app, {
    method: 'POST',
    url: '/api/supervisor/agents/:agentId/logout',
    auth: SUPERVISOR,
    summary: 'Force an agent to LOGGED_OUT; a live call stays up unless hangupCall. Audited.',
    tags: ['supervisor'],
    params: AgentIdParams,
    body: ForceLogoutBody,
    response: ForceLogoutResponse,
    handler: async ({ params, body, user }) => {
      const r = await actions.forceLogout(
        who(user),
        params.agentId as AgentId,
        body.hangupCall ?? false,
      );
      return { agent: agentView(r.status), callId: r.callId, hungUp: r.hungUp };
    },
  });

  defineRoute(app, {
    method: 'POST',
    url: '/api/supervisor/agents/:agentId/monitor',
    auth: SUPERVISOR,
    summary: "Listen, whisper or barge into the agent's live call on the supervisor's phone.",
    tags: ['supervisor'],
    params: AgentIdParams,
    body: MonitorBody,
    response: MonitorResponse,
    handler: async ({ params, body, user }) => {
      const r = await actions.monitor(who(user), params.agentId as AgentId, body.mode);
      return { mode: body.mode, callId: r.callId, target: r.target };
    },
  });

  defineRoute(app, {
    method: 'DELETE',
    url: '/api/supervisor/agents/:agentId/monitor',
    auth: SUPERVISOR,
    summary: "Stop listening, whispering or barging on the agent's call (409: none). Audited.",
    tags: ['supervisor'],
    params: AgentIdParams,
    response: MonitorStopResponse,
    handler: async ({ params, user }) => actions.stopMonitor(who(user), params.agentId as AgentId),
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/supervisor/campaigns/:id/thresholds',
    auth: SUPERVISOR,
    summary: "The wall's alert thresholds of a campaign (the defaults when never set).",
    tags: ['supervisor'],
    params: IdParams,
    response: WallThresholds,
    handler: async ({ params }) => {
      if (!(await deps.campaigns.get(params.id as CampaignId)))
        throw new NotFoundError(`campaign ${params.id} not found`);
      const set = await deps.wallThresholds?.forCampaigns([params.id]);
      return set?.get(params.id) ?? DEFAULT_WALL_THRESHOLDS;
    },
  });

  defineRoute(app, {
    method: 'PUT',
    url: '/api/supervisor/campaigns/:id/thresholds',
    auth: SUPERVISOR,
    summary:
      "Set the wall's alert thresholds of a campaign (time in state per state, drop-rate warning). Audited.",
    tags: ['supervisor'],
    params: IdParams,
    body: WallThresholds,
    response: WallThresholds,
    handler: async ({ params, body, user }) => {
      const repo = deps.wallThresholds;
      if (!repo) throw new UnavailableError('wall thresholds are not available');
      const id = params.id as CampaignId;
      const campaign = await deps.campaigns.get(id);
      if (!campaign) throw new NotFoundError(`campaign ${params.id} not found`);
      const before = (await repo.forCampaigns([id])).get(id) ?? DEFAULT_WALL_THRESHOLDS;
      await repo.put(id, body);
      await deps.audit.record({
        userId: who(user),
        action: 'supervisor.campaign_thresholds',
        target: `campaign:${id}`,
        detail: { from: before, to: body },
      });
      // Every open wall re-reads the roster on this event, so the new colours apply at once.
      await publishSettingsChanged(deps, campaign, ['wallThresholds'], {
        userId: who(user),
        by: 'supervisor',
      });
      return body;
    },
  });

  defineRoute(app, {
    method: 'PATCH',
    url: '/api/supervisor/campaigns/:id/dialing',
    auth: SUPERVISOR,
    summary: "Change a campaign's dial method and/or level (0 < level <= 10). Audited.",
    tags: ['supervisor'],
    params: IdParams,
    body: CampaignDialBody,
    response: Campaign,
    handler: async ({ params, body, user }) => {
      const id = params.id as CampaignId;
      const before = await deps.campaigns.get(id);
      if (!before) throw new NotFoundError(`campaign ${params.id} not found`);
      const after = await deps.campaigns.update(id, body);
      if (!after) throw new NotFoundError(`campaign ${params.id} not found`);
      await deps.audit.record({
        userId: who(user),
        action: 'supervisor.campaign_dialing',
        target: `campaign:${id}`,
        detail: {
          dialMethod: { from: before.dialMethod, to: after.dialMethod },
          dialLevel: { from: before.dialLevel, to: after.dialLevel },
        },
      });
      const fields = (['dialMethod', 'dialLevel'] as const).filter((k) => before[k] !== after[k]);
      await publishSettingsChanged(deps, after, fields, { userId: who(user), by: 'supervisor' });
      return after;
    },
  });
}
