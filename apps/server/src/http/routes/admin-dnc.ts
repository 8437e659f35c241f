import type { FastifyInstance } from 'fastify';
import {
  DncAddBody,
  DncAddResponse,
  DncListQuery,
  DncListResponse,
  DncLookupQuery,
  DncLookupResponse,
  DncRemoveResponse,
  IdParams,
} from '@ringside/protocol';
import type { CampaignId, DncEntryView } from '@ringside/protocol';
import type { DncEntry, DncEntryDescribed } from '../../ports/dnc.js';
import { NotFoundError, ValidationError } from '../../errors.js';
import { toE164 } from '../../services/import/row.js';
import type { AppDeps } from '../deps.js';
import { defineRoute } from '../route.js';
import { ADMIN, SUPERVISOR, listAdmin } from './common.js';

const view = (e: DncEntryDescribed): DncEntryView => ({
  id: e.id,
  phone: e.phone,
  campaignId: e.campaignId,
  campaignName: e.campaignName,
  addedBy: e.addedBy,
  addedByName: e.addedByName,
  source: e.source,
  note: e.note,
  addedAtMs: e.addedAt.getTime(),
});

/**
 * What the audit log keeps of an entry: never the number itself (personal data, see
 * adapters/postgres/audit.ts), only its last four digits to tell entries apart.
 */
const audited = (e: DncEntry) => ({
  id: e.id,
  campaignId: e.campaignId,
  phoneEnding: e.phone.slice(-4),
  source: e.source,
  note: e.note,
});

/** A number as typed, in E.164; a 400 naming `field` when it is not a valid number. */
function normalise(phone: string, country: string | undefined, field: string): string {
  const c = country ?? 'US';
  const e164 = toE164(phone, c);
  if (e164 === null) {
    const message = `not a valid phone number (read in country ${c}; give +<country code> otherwise)`;
    throw new ValidationError(`${field}: ${message}`, [{ path: field, message }]);
  }
  return e164;
}

/**
 * The do-not-call list: lookup (supervisors too), add, remove, paged list. A write goes to the
 * dnc table, then to the dialer's Redis DNC sets (the same path as a DNC disposition), so the
 * dialer refuses the number at its next attempt; the dialer's own sync would catch up within a
 * second if Redis missed the write.
 */
export function registerDncAdminRoutes(app: FastifyInstance, deps: AppDeps): void {
  const { audit, campaigns, logger } = deps;

  defineRoute(app, {
    method: 'GET',
    url: '/api/dnc/lookup',
    auth: SUPERVISOR,
    summary:
      'Is this number on a DNC list? The number is normalised to E.164 (read in `country`, US by ' +
      'default); answers every entry, system-wide and per campaign, with who added it and when.',
    tags: ['admin'],
    query: DncLookupQuery,
    response: DncLookupResponse,
    handler: async ({ query }) => {
      const phone = normalise(query.phone, query.country, 'query.phone');
      const entries = await listAdmin(deps).dnc.lookupAll(phone);
      return { phone, entries: entries.map(view) };
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/dnc',
    auth: ADMIN,
    summary:
      'DNC entries, newest first, a page at a time (scope: a campaign id, `system`, or every ' +
      'list when omitted; pass nextBeforeId as beforeId for the next page).',
    tags: ['admin'],
    query: DncListQuery,
    response: DncListResponse,
    handler: async ({ query }) => {
      const page = await listAdmin(deps).dnc.page({
        scope: query.scope ?? 'all',
        limit: query.limit,
        ...(query.beforeId !== undefined ? { beforeId: query.beforeId } : {}),
      });
      const last = page.entries.at(-1);
      return {
        entries: page.entries.map(view),
        total: page.total,
        nextBeforeId: page.entries.length === query.limit && last ? last.id : null,
      };
    },
  });

  defineRoute(app, {
    method: 'POST',
    url: '/api/dnc',
    auth: ADMIN,
    summary:
      'Add a number to the system-wide DNC list (no campaignId) or a campaign’s. The dialer ' +
      'refuses it from its next attempt. 201 when added, 200 when it was already there. Audited.',
    tags: ['admin'],
    body: DncAddBody,
    response: DncAddResponse,
    status: 201,
    handler: async ({ body, user, reply }) => {
      const admin = listAdmin(deps);
      const phone = normalise(body.phone, body.country, 'phone');
      const campaignId = body.campaignId ?? null;
      if (campaignId !== null && !(await campaigns.get(campaignId as CampaignId))) {
        throw new NotFoundError(`campaign ${campaignId} does not exist`);
      }
      const existing = (await admin.dnc.lookup(phone, campaignId)).find(
        (e) => e.campaignId === campaignId,
      );
      const entry =
        existing ??
        (await admin.dnc.add({
          phone,
          campaignId,
          addedBy: user?.id ?? null,
          source: 'manual',
          note: body.note ?? '',
        }));
      const created = existing === undefined;
      // Also when it existed: the Redis set may have lost it (restart); SADD is idempotent.
      await admin.dncCache.add(phone, campaignId).catch((err: unknown) => {
        logger.warn({ err, dncId: entry.id }, 'dnc cache not updated');
      });
      if (created) {
        await audit.record({
          userId: user?.id ?? null,
          action: 'dnc.add',
          target: `dnc:${entry.id}`,
          detail: { before: null, after: audited(entry) },
        });
      }
      const described = await admin.dnc.getDescribed(entry.id);
      if (!described) throw new NotFoundError(`DNC entry ${entry.id} was removed meanwhile`);
      const result: DncAddResponse = { entry: view(described), created };
      // Nothing changed: 200 instead of the route's 201.
      return created ? result : reply.code(200).send(result);
    },
  });

  defineRoute(app, {
    method: 'DELETE',
    url: '/api/dnc/:id',
    auth: ADMIN,
    summary:
      'Remove one DNC entry (one number in one scope); entries of the number in other scopes ' +
      'stay. Audited.',
    tags: ['admin'],
    params: IdParams,
    response: DncRemoveResponse,
    handler: async ({ params, user }) => {
      const admin = listAdmin(deps);
      const before = await admin.dnc.getDescribed(params.id);
      if (!before) throw new NotFoundError(`DNC entry ${params.id} does not exist`);
      const removed = await admin.dnc.removeById(params.id);
      if (!removed) throw new NotFoundError(`DNC entry ${params.id} does not exist`);
      await admin.dncCache.remove(removed.phone, removed.campaignId).catch((err: unknown) => {
        // The dialer's periodic rebuild drops it from Redis within minutes.
        logger.warn({ err, dncId: removed.id }, 'dnc cache not updated');
      });
      await audit.record({
        userId: user?.id ?? null,
        action: 'dnc.remove',
        target: `dnc:${params.id}`,
        detail: { before: audited(removed), after: null },
      });
      return { removed: view(before) };
    },
  });
}
