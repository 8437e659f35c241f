import type { FastifyInstance } from 'fastify';
import {
  Campaign,
  CampaignCreate,
  CampaignList,
  CampaignPatch,
  DispositionList,
  DispositionListQuery,
  IdParams,
  PauseCodeList,
  RecycleRules,
} from '@ringside/protocol';
import type { CampaignId, CampaignSettingsChanged } from '@ringside/protocol';
import { NotFoundError, UnavailableError, ValidationError } from '../../errors.js';
import { byUsage } from '../../services/agents/agent-desk.js';
import { campaignView } from '../campaigns-api.js';
import type { AppDeps } from '../deps.js';
import { defineRoute } from '../route.js';
import { dispositionChoice } from '../views.js';
import { actor, adminRepos, changesOf } from './admin-people.js';
import { ADMIN, ANY_ROLE } from './common.js';

/**
 * Campaign changes are written to PostgreSQL, then announced once with campaign.settings_changed
 * (the supervisor's dial-level change too): the dialer re-reads that campaign at once, and still
 * reloads every active campaign on its interval (services/dialer/dialer-service.ts, 5 s) in case
 * an event was lost.
 */

/**
 * A campaign's wrap-up default disposition (given when a wrap-up times out) must be one of the
 * campaign's dispositions, its own or a system-wide one: 400 naming the field otherwise.
 */
async function checkWrapupDefault(
  deps: AppDeps,
  campaignId: string | null,
  code: string | undefined,
): Promise<void> {
  if (code === undefined) return;
  const known = await deps.dispositions.forCampaign(campaignId);
  if (known.some((d) => d.code === code)) return;
  const message = `no disposition ${code} in this campaign (${known.map((d) => d.code).join(', ')})`;
  throw new ValidationError(`wrapupDefaultDisposition: ${message}`, [
    { path: 'wrapupDefaultDisposition', message },
  ]);
}

/**
 * Publishes campaign.settings_changed for a change already saved and audited. A failed publish
 * is logged, not answered as an error: the change is saved, and the dialer's periodic reload
 * applies it anyway.
 */
export async function publishSettingsChanged(
  deps: Pick<AppDeps, 'eventBus' | 'clock' | 'logger'>,
  campaign: Campaign,
  fields: readonly string[],
  who: { userId: string | null; by: CampaignSettingsChanged['by'] },
  change: CampaignSettingsChanged['change'] = 'updated',
): Promise<void> {
  if (fields.length === 0) return;
  const event: CampaignSettingsChanged = {
    type: 'campaign.settings_changed',
    campaignId: campaign.id as CampaignId,
    fields: [...fields],
    change,
    userId: who.userId ?? 'unknown',
    by: who.by,
    active: campaign.active,
    dialMethod: campaign.dialMethod,
    dialLevel: campaign.dialLevel,
    atMs: deps.clock.nowMs(),
  };
  try {
    await deps.eventBus.publish(event);
  } catch (err) {
    deps.logger.warn({ err, campaignId: campaign.id }, 'campaign.settings_changed not published');
  }
}

export function registerCampaignRoutes(app: FastifyInstance, deps: AppDeps): void {
  const { campaigns, audit } = deps;
  const who = (user: { id: string } | null) => ({ userId: actor(user), by: 'admin' as const });

  defineRoute(app, {
    method: 'GET',
    url: '/api/campaigns',
    auth: ANY_ROLE,
    summary: 'Every campaign (agents pick one to log in to).',
    tags: ['campaigns'],
    response: CampaignList,
    handler: async () => ({ campaigns: await campaigns.list() }),
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/campaigns/:id',
    auth: ANY_ROLE,
    summary: 'One campaign.',
    tags: ['campaigns'],
    params: IdParams,
    response: Campaign,
    handler: async ({ params }) => {
      const c = await campaigns.get(params.id as CampaignId);
      if (!c) throw new NotFoundError(`campaign ${params.id} not found`);
      return c;
    },
  });

  defineRoute(app, {
    method: 'POST',
    url: '/api/campaigns',
    auth: ADMIN,
    summary: 'Create a campaign: a name, any other setting within its limit. Audited.',
    tags: ['campaigns'],
    body: CampaignCreate,
    response: Campaign,
    status: 201,
    handler: async ({ body, user }) => {
      // A new campaign has no codes of its own yet: its default must be a system-wide one.
      await checkWrapupDefault(deps, null, body.wrapupDefaultDisposition);
      const created = campaignView(await adminRepos(deps).campaigns.create(body));
      await audit.record({
        userId: actor(user),
        action: 'campaign.create',
        target: `campaign:${created.id}`,
        detail: { settings: { ...created, id: undefined } },
      });
      const settings = Object.keys(created).filter((k) => k !== 'id');
      await publishSettingsChanged(deps, created, settings, who(user), 'created');
      return created;
    },
  });

  defineRoute(app, {
    method: 'PATCH',
    url: '/api/campaigns/:id',
    auth: ADMIN,
    summary: 'Change campaign settings; each field is checked against its limit. Audited.',
    tags: ['campaigns'],
    params: IdParams,
    body: CampaignPatch,
    response: Campaign,
    handler: async ({ params, body, user }) => {
      const id = params.id as CampaignId;
      const before = await campaigns.get(id);
      if (!before) throw new NotFoundError(`campaign ${params.id} not found`);
      await checkWrapupDefault(deps, id, body.wrapupDefaultDisposition);
      const after = await campaigns.update(id, body);
      if (!after) throw new NotFoundError(`campaign ${params.id} not found`);
      const changes = changesOf(before, after, Object.keys(body) as Array<keyof Campaign>);
      if (Object.keys(changes).length > 0) {
        await audit.record({
          userId: actor(user),
          action: 'campaign.update',
          target: `campaign:${id}`,
          detail: { changes },
        });
        await publishSettingsChanged(deps, after, Object.keys(changes), who(user));
      }
      return after;
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/campaigns/:id/recycle-rules',
    auth: ADMIN,
    summary: "The campaign's recycle rules (status, delayS, maxAttempts).",
    tags: ['campaigns'],
    params: IdParams,
    response: RecycleRules,
    handler: async ({ params }) => {
      const repo = adminRepos(deps).campaigns;
      if (!(await repo.get(params.id))) throw new NotFoundError(`campaign ${params.id} not found`);
      return { rules: await repo.recycleRules(params.id) };
    },
  });

  defineRoute(app, {
    method: 'PUT',
    url: '/api/campaigns/:id/recycle-rules',
    auth: ADMIN,
    summary: "Replace the campaign's recycle rules (one per status). Audited.",
    tags: ['campaigns'],
    params: IdParams,
    body: RecycleRules,
    response: RecycleRules,
    handler: async ({ params, body, user }) => {
      const repo = adminRepos(deps).campaigns;
      if (!(await repo.get(params.id))) throw new NotFoundError(`campaign ${params.id} not found`);
      const before = await repo.recycleRules(params.id);
      await repo.setRecycleRules(params.id, body.rules);
      const after = await repo.recycleRules(params.id);
      await audit.record({
        userId: actor(user),
        action: 'campaign.recycle_rules',
        target: `campaign:${params.id}`,
        detail: { changes: { rules: { from: before, to: after } } },
      });
      if (JSON.stringify(before) !== JSON.stringify(after)) {
        const c = await campaigns.get(params.id as CampaignId);
        if (c) await publishSettingsChanged(deps, c, ['recycleRules'], who(user));
      }
      return { rules: after };
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/campaigns/:id/dispositions',
    auth: ANY_ROLE,
    summary:
      "The campaign's dispositions (with the system-wide ones), in display order; with " +
      '?order=usage the most used of the last 30 days first (uses30d), display order among equals.',
    tags: ['campaigns'],
    params: IdParams,
    query: DispositionListQuery,
    response: DispositionList,
    handler: async ({ params, query }) => {
      if (!(await campaigns.get(params.id as CampaignId))) {
        throw new NotFoundError(`campaign ${params.id} not found`);
      }
      const list = (await deps.dispositions.forCampaign(params.id)).map(dispositionChoice);
      if (query.order !== 'usage') return { dispositions: list };
      if (!deps.agentDesk) throw new UnavailableError('disposition usage is not wired');
      return { dispositions: byUsage(list, await deps.agentDesk.dispositionUsage(params.id)) };
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/campaigns/:id/pause-codes',
    auth: ANY_ROLE,
    summary: "The campaign's pause codes (with the system-wide ones).",
    tags: ['campaigns'],
    params: IdParams,
    response: PauseCodeList,
    handler: async ({ params }) => {
      if (!(await campaigns.get(params.id as CampaignId))) {
        throw new NotFoundError(`campaign ${params.id} not found`);
      }
      const list = await deps.pauseCodes.forCampaign(params.id);
      return {
        pauseCodes: list.map((p) => ({
          code: p.code,
          name: p.name,
          billable: p.billable,
          dailyLimitMin: p.dailyLimitMin,
        })),
      };
    },
  });
}
