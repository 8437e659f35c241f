import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  IdParams,
  StateParams,
  StateRuleBody,
  StateRulesResponse,
  StateRuleView,
  WhyNotDialedResponse,
  type DomainEvent,
} from '@ringside/protocol';
import { daysJson, type StoredStateRule } from '../../ports/compliance.js';
import { parseTimeOfDay } from '../../domain/calling-window.js';
import { NotFoundError } from '../../errors.js';
import type { AppDeps } from '../deps.js';
import { defineRoute } from '../route.js';
import { ADMIN, SUPERVISOR } from './common.js';

export const COUNSEL_NOTE =
  'The seeded rules were read from the statutes cited on each; counsel should confirm them ' +
  '(and add the states your calls reach) before they are relied on. Ringside applies the rules ' +
  'of every state a lead may be in (address, ZIP code, area code), in every candidate zone.';

const view = (r: StoredStateRule): StateRuleView => ({
  state: r.state,
  days: daysJson(r.days),
  maxAttemptsPer24h: r.maxAttemptsPer24h,
  statute: r.statute,
  note: r.note,
  updatedAtMs: r.updatedAtMs,
  updatedBy: r.updatedBy,
});

/**
 * State calling rules (admin: edit; supervisor: read) and "why is this lead not being dialed?"
 * (supervisor, admin). docs/api.md, docs/dialer.md.
 */
export function registerComplianceRoutes(app: FastifyInstance, deps: AppDeps): void {
  const c = deps.compliance;
  if (!c) return;

  const announce = async (state: string, change: 'updated' | 'deleted', userId: string) => {
    const event: DomainEvent = {
      type: 'compliance.state_rules_changed',
      state,
      change,
      userId,
      atMs: deps.clock.nowMs(),
    };
    try {
      await deps.eventBus.publish(event);
    } catch (err) {
      // The caches' periodic refresh picks the change up anyway.
      deps.logger.warn({ err, state }, 'compliance.state_rules_changed not published');
    }
  };

  defineRoute(app, {
    method: 'GET',
    url: '/api/admin/state-rules',
    auth: SUPERVISOR,
    summary:
      'The state calling rules the dialer enforces: per-day windows (Sunday first) and attempt ' +
      'caps per number per rolling 24 h, with the statute of each.',
    tags: ['admin'],
    response: StateRulesResponse,
    handler: async () => ({ rules: (await c.stateRules.list()).map(view), note: COUNSEL_NOTE }),
  });

  defineRoute(app, {
    method: 'PUT',
    url: '/api/admin/state-rules/:state',
    auth: ADMIN,
    summary:
      'Create or replace a state’s calling rule. The dialer uses it within seconds (event, ' +
      'then the 30 s refresh). Audited.',
    tags: ['admin'],
    params: StateParams,
    body: StateRuleBody,
    response: StateRuleView,
    handler: async ({ params, body, user }) => {
      const before = await c.stateRules.get(params.state);
      const saved = await c.stateRules.put(
        {
          state: params.state,
          days: body.days.map((d) =>
            d ? { startMinute: parseTimeOfDay(d[0]), endMinute: parseTimeOfDay(d[1]) } : null,
          ),
          maxAttemptsPer24h: body.maxAttemptsPer24h,
          statute: body.statute,
          note: body.note,
        },
        user?.id ?? null,
      );
      const after = view(saved);
      await deps.audit.record({
        userId: user?.id ?? null,
        action: 'state_rule.put',
        target: `state_rule:${params.state}`,
        detail: { before: before ? view(before) : null, after },
      });
      await announce(params.state, 'updated', user?.id ?? 'system');
      return after;
    },
  });

  defineRoute(app, {
    method: 'DELETE',
    url: '/api/admin/state-rules/:state',
    auth: ADMIN,
    summary: 'Remove a state’s calling rule (the federal rules still apply). Audited.',
    tags: ['admin'],
    params: StateParams,
    response: z.object({ deleted: z.boolean() }),
    handler: async ({ params, user }) => {
      const before = await c.stateRules.get(params.state);
      if (!before) throw new NotFoundError(`state ${params.state} has no calling rule`);
      const deleted = await c.stateRules.delete(params.state);
      await deps.audit.record({
        userId: user?.id ?? null,
        action: 'state_rule.delete',
        target: `state_rule:${params.state}`,
        detail: { before: view(before), after: null },
      });
      await announce(params.state, 'deleted', user?.id ?? 'system');
      return { deleted };
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/leads/:id/why-not-dialed',
    auth: SUPERVISOR,
    summary:
      'Every rule holding the lead back now (DNC list, time zone and local time, state rule, ' +
      'attempts and recycle delay, list or campaign inactive, callback pending) and its place ' +
      'in the hopper, from the functions the dialer runs.',
    tags: ['leads'],
    params: IdParams,
    response: WhyNotDialedResponse,
    handler: async ({ params }) => {
      const r = await c.whyNotDialed.explain(params.id);
      if (!r) throw new NotFoundError(`lead ${params.id} does not exist`);
      return r;
    },
  });
}
