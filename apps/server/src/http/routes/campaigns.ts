import type { FastifyInstance } from 'fastify';
import {
  Campaign,
  CampaignList,
  CampaignUpdate,
  DispositionList,
  IdParams,
  PauseCodeList,
} from '@ringside/protocol';
import type { CampaignId } from '@ringside/protocol';
import { NotFoundError } from '../../errors.js';
import type { AppDeps } from '../deps.js';
import { defineRoute } from '../route.js';
import { ADMIN, ANY_ROLE } from './common.js';

export function registerCampaignRoutes(app: FastifyInstance, deps: AppDeps): void {
  const { campaigns, audit } = deps;

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
    method: 'PATCH',
    url: '/api/campaigns/:id',
    auth: ADMIN,
    summary: 'Change campaign settings; each field is checked against its limit. Audited.',
    tags: ['campaigns'],
    params: IdParams,
    body: CampaignUpdate,
    response: Campaign,
    handler: async ({ params, body, user }) => {
      const id = params.id as CampaignId;
      const before = await campaigns.get(id);
      if (!before) throw new NotFoundError(`campaign ${params.id} not found`);
      const after = await campaigns.update(id, body);
      if (!after) throw new NotFoundError(`campaign ${params.id} not found`);
      const changes: Record<string, { from: unknown; to: unknown }> = {};
      for (const key of Object.keys(body) as Array<keyof CampaignUpdate>) {
        changes[key] = { from: before[key], to: after[key] };
      }
      await audit.record({
        userId: user?.id ?? null,
        action: 'campaign.update',
        target: `campaign:${id}`,
        detail: { changes },
      });
      return after;
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/campaigns/:id/dispositions',
    auth: ANY_ROLE,
    summary: "The campaign's dispositions (with the system-wide ones), in display order.",
    tags: ['campaigns'],
    params: IdParams,
    response: DispositionList,
    handler: async ({ params }) => {
      if (!(await campaigns.get(params.id as CampaignId))) {
        throw new NotFoundError(`campaign ${params.id} not found`);
      }
      const list = await deps.dispositions.forCampaign(params.id);
      return {
        dispositions: list.map((d) => ({
          code: d.code,
          name: d.name,
          humanAnswered: d.humanAnswered,
          sale: d.sale,
          dnc: d.dnc,
          callback: d.callback,
          final: d.final,
        })),
      };
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
        pauseCodes: list.map((p) => ({ code: p.code, name: p.name, billable: p.billable })),
      };
    },
  });
}
