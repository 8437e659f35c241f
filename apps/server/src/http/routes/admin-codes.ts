import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  AdminDisposition,
  AdminDispositionsResponse,
  AdminPauseCode,
  AdminPauseCodesResponse,
  CodeScopeQuery,
  DispositionCreateBody,
  DispositionUpdateBody,
  IdParams,
  PauseCodeCreateBody,
  PauseCodeUpdateBody,
} from '@ringside/protocol';
import type { CampaignId } from '@ringside/protocol';
import type { Disposition, PauseCode } from '../../ports/dispositions.js';
import { ConflictError, NotFoundError } from '../../errors.js';
import type { AppDeps } from '../deps.js';
import { dispositionChoice } from '../views.js';
import { defineRoute } from '../route.js';
import { ADMIN, listAdmin } from './common.js';

const DeletedResponse = z.object({ deleted: z.boolean() });

const dispositionView = (d: Disposition): AdminDisposition => ({
  id: d.id,
  campaignId: d.campaignId,
  ...dispositionChoice(d),
  sortOrder: d.sortOrder,
});

const pauseCodeView = (p: PauseCode): AdminPauseCode => ({
  id: p.id,
  campaignId: p.campaignId,
  code: p.code,
  name: p.name,
  billable: p.billable,
  dailyLimitMin: p.dailyLimitMin,
});

const scopeName = (campaignId: string | null | undefined) =>
  campaignId ? `campaign ${campaignId}` : 'system-wide';

/**
 * Dispositions and pause codes, system-wide (campaignId null) or a campaign's own (which hide
 * the system code of the same name for that campaign). The code and scope are fixed once
 * created: call logs, reports and recycle rules refer to the code.
 */
export function registerCodeAdminRoutes(app: FastifyInstance, deps: AppDeps): void {
  const { audit, campaigns } = deps;
  const campaignMustExist = async (id: string | null | undefined) => {
    if (id && !(await campaigns.get(id as CampaignId))) {
      throw new NotFoundError(`campaign ${id} does not exist`);
    }
  };

  // --- dispositions ---------------------------------------------------------------------------

  defineRoute(app, {
    method: 'GET',
    url: '/api/dispositions',
    auth: ADMIN,
    summary:
      'The dispositions of one scope: system-wide (no campaignId) or a campaign’s own, in ' +
      'display order.',
    tags: ['admin'],
    query: CodeScopeQuery,
    response: AdminDispositionsResponse,
    handler: async ({ query }) => {
      await campaignMustExist(query.campaignId);
      const rows = await listAdmin(deps).dispositions.inScope(query.campaignId ?? null);
      return { dispositions: rows.map(dispositionView) };
    },
  });

  defineRoute(app, {
    method: 'POST',
    url: '/api/dispositions',
    auth: ADMIN,
    summary: 'Create a disposition (code ^[A-Z0-9_]{1,16}$, unique in its scope). Audited.',
    tags: ['admin'],
    body: DispositionCreateBody,
    response: AdminDisposition,
    status: 201,
    handler: async ({ body, user }) => {
      const repo = listAdmin(deps).dispositions;
      const campaignId = body.campaignId ?? null;
      await campaignMustExist(campaignId);
      const taken = (await repo.inScope(campaignId)).some((d) => d.code === body.code);
      if (taken) throw codeTaken('disposition', body.code, campaignId);
      const created = await repo
        .create({ ...body, campaignId })
        .catch(rethrowTaken('disposition', body.code, campaignId));
      const after = dispositionView(created);
      await audit.record({
        userId: user?.id ?? null,
        action: 'disposition.create',
        target: `disposition:${created.id}`,
        detail: { before: null, after },
      });
      return after;
    },
  });

  defineRoute(app, {
    method: 'PATCH',
    url: '/api/dispositions/:id',
    auth: ADMIN,
    summary: 'Change a disposition’s name, flags or sort order (not its code or scope). Audited.',
    tags: ['admin'],
    params: IdParams,
    body: DispositionUpdateBody,
    response: AdminDisposition,
    handler: async ({ params, body, user }) => {
      const repo = listAdmin(deps).dispositions;
      const before = await repo.get(params.id);
      if (!before) throw new NotFoundError(`disposition ${params.id} does not exist`);
      const after = dispositionView(await repo.update(params.id, body));
      await audit.record({
        userId: user?.id ?? null,
        action: 'disposition.update',
        target: `disposition:${params.id}`,
        detail: {
          changes: changes(dispositionView(before), after),
          before: dispositionView(before),
          after,
        },
      });
      return after;
    },
  });

  defineRoute(app, {
    method: 'DELETE',
    url: '/api/dispositions/:id',
    auth: ADMIN,
    summary:
      'Delete a disposition. Refused (409) while a campaign uses its code as the wrap-up ' +
      'default with no other definition of that code. Audited.',
    tags: ['admin'],
    params: IdParams,
    response: DeletedResponse,
    handler: async ({ params, user }) => {
      const repo = listAdmin(deps).dispositions;
      const before = await repo.get(params.id);
      if (!before) throw new NotFoundError(`disposition ${params.id} does not exist`);
      const users = await repo.wrapupDefaultUsers(before);
      if (users.length > 0) {
        const names = users.map((c) => `"${c.name}" (${c.id})`).join(', ');
        throw new ConflictError(
          `disposition ${before.code} is the wrap-up default of campaign${users.length > 1 ? 's' : ''} ` +
            `${names}; choose another wrap-up default there first`,
        );
      }
      const deleted = await repo.remove(params.id);
      await audit.record({
        userId: user?.id ?? null,
        action: 'disposition.delete',
        target: `disposition:${params.id}`,
        detail: { before: dispositionView(before), after: null },
      });
      return { deleted };
    },
  });

  // --- pause codes ----------------------------------------------------------------------------

  defineRoute(app, {
    method: 'GET',
    url: '/api/pause-codes',
    auth: ADMIN,
    summary: 'The pause codes of one scope: system-wide (no campaignId) or a campaign’s own.',
    tags: ['admin'],
    query: CodeScopeQuery,
    response: AdminPauseCodesResponse,
    handler: async ({ query }) => {
      await campaignMustExist(query.campaignId);
      const rows = await listAdmin(deps).pauseCodes.inScope(query.campaignId ?? null);
      return { pauseCodes: rows.map(pauseCodeView) };
    },
  });

  defineRoute(app, {
    method: 'POST',
    url: '/api/pause-codes',
    auth: ADMIN,
    summary: 'Create a pause code (code ^[A-Z0-9_]{1,16}$, unique in its scope). Audited.',
    tags: ['admin'],
    body: PauseCodeCreateBody,
    response: AdminPauseCode,
    status: 201,
    handler: async ({ body, user }) => {
      const repo = listAdmin(deps).pauseCodes;
      const campaignId = body.campaignId ?? null;
      await campaignMustExist(campaignId);
      const taken = (await repo.inScope(campaignId)).some((p) => p.code === body.code);
      if (taken) throw codeTaken('pause code', body.code, campaignId);
      const created = await repo
        .create({ ...body, campaignId })
        .catch(rethrowTaken('pause code', body.code, campaignId));
      const after = pauseCodeView(created);
      await audit.record({
        userId: user?.id ?? null,
        action: 'pause_code.create',
        target: `pause_code:${created.id}`,
        detail: { before: null, after },
      });
      return after;
    },
  });

  defineRoute(app, {
    method: 'PATCH',
    url: '/api/pause-codes/:id',
    auth: ADMIN,
    summary:
      'Change a pause code’s name, billable flag or daily limit (not its code or scope). Audited.',
    tags: ['admin'],
    params: IdParams,
    body: PauseCodeUpdateBody,
    response: AdminPauseCode,
    handler: async ({ params, body, user }) => {
      const repo = listAdmin(deps).pauseCodes;
      const before = await repo.get(params.id);
      if (!before) throw new NotFoundError(`pause code ${params.id} does not exist`);
      const after = pauseCodeView(await repo.update(params.id, body));
      await audit.record({
        userId: user?.id ?? null,
        action: 'pause_code.update',
        target: `pause_code:${params.id}`,
        detail: {
          changes: changes(pauseCodeView(before), after),
          before: pauseCodeView(before),
          after,
        },
      });
      return after;
    },
  });

  defineRoute(app, {
    method: 'DELETE',
    url: '/api/pause-codes/:id',
    auth: ADMIN,
    summary:
      'Delete a pause code. Agents paused with it keep their pause; reports keep the code. Audited.',
    tags: ['admin'],
    params: IdParams,
    response: DeletedResponse,
    handler: async ({ params, user }) => {
      const repo = listAdmin(deps).pauseCodes;
      const before = await repo.get(params.id);
      if (!before) throw new NotFoundError(`pause code ${params.id} does not exist`);
      const deleted = await repo.remove(params.id);
      await audit.record({
        userId: user?.id ?? null,
        action: 'pause_code.delete',
        target: `pause_code:${params.id}`,
        detail: { before: pauseCodeView(before), after: null },
      });
      return { deleted };
    },
  });
}

function codeTaken(what: string, code: string, campaignId: string | null): ConflictError {
  return new ConflictError(`code: ${what} ${code} already exists (${scopeName(campaignId)})`);
}

/** The fields whose value changed, as the audit log records updates: {field: {from, to}}. */
function changes<T extends object>(
  before: T,
  after: T,
): Record<string, { from: unknown; to: unknown }> {
  const out: Record<string, { from: unknown; to: unknown }> = {};
  for (const key of Object.keys(after) as Array<keyof T>) {
    if (before[key] !== after[key]) out[String(key)] = { from: before[key], to: after[key] };
  }
  return out;
}

/** A concurrent create of the same code loses on the unique index: same clear 409. */
function rethrowTaken(what: string, code: string, campaignId: string | null) {
  return (err: unknown): never => {
    if (err instanceof ConflictError) throw codeTaken(what, code, campaignId);
    throw err;
  };
}
