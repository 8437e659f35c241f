import type { FastifyInstance } from 'fastify';
import type { Readable } from 'node:stream';
import {
  AdminList,
  AdminListsQuery,
  AdminListsResponse,
  IdParams,
  ImportJobDetail,
  ImportJobsResponse,
  ImportPreview,
  ImportPreviewQuery,
  ListCreateBody,
  ListUpdateBody,
} from '@ringside/protocol';
import {
  emptyListCounts,
  type CampaignId,
  type ImportJob,
  type ListCounts,
} from '@ringside/protocol';
import type { ImportJobRecord, LeadList } from '../../ports/lists.js';
import { NotFoundError } from '../../errors.js';
import { csvLine } from '../../services/reports/csv.js';
import type { AppDeps } from '../deps.js';
import { UnsupportedMediaTypeError } from '../errors.js';
import { defineRoute } from '../route.js';
import { registerCodeAdminRoutes } from './admin-codes.js';
import { registerDncAdminRoutes } from './admin-dnc.js';
import { ADMIN, listAdmin, STREAM_CONTENT_TYPES } from './common.js';
import { MAPPING_HEADER, readMapping } from './import.js';

const EMPTY_COUNTS: ListCounts = emptyListCounts();

const toView = (l: LeadList, counts: ListCounts = EMPTY_COUNTS): AdminList => ({
  id: l.id,
  campaignId: l.campaignId,
  name: l.name,
  active: l.active,
  createdAtMs: l.createdAt.getTime(),
  counts,
});

const jobView = (j: Omit<ImportJobRecord, 'errors'>): ImportJob => ({
  id: j.id,
  listId: j.listId,
  fileName: j.fileName,
  status: j.status,
  createdBy: j.createdBy,
  mapping: j.mapping,
  rowsTotal: j.rowsTotal,
  imported: j.imported,
  rejected: j.rejected,
  duplicates: j.duplicates,
  dnc: j.dnc,
  errorCount: j.errorCount,
  error: j.error,
  startedAtMs: j.startedAt.getTime(),
  finishedAtMs: j.finishedAt?.getTime() ?? null,
});

/**
 * Admin routes for lead lists, import previews and import jobs; also registers the dispositions,
 * pause codes and DNC admin routes (admin-codes.ts, admin-dnc.ts). Every change is audited with
 * its before and after.
 */
export function registerListAdminRoutes(app: FastifyInstance, deps: AppDeps): void {
  const { audit, campaigns } = deps;

  const campaignMustExist = async (id: string) => {
    if (!(await campaigns.get(id as CampaignId))) {
      throw new NotFoundError(`campaign ${id} does not exist`);
    }
  };
  const listMustExist = async (id: string): Promise<LeadList> => {
    const list = await listAdmin(deps).lists.get(id);
    if (!list) throw new NotFoundError(`list ${id} does not exist`);
    return list;
  };
  const countsOf = async (list: LeadList): Promise<ListCounts> => {
    const all = await listAdmin(deps).lists.summaries(list.campaignId);
    const { listId: _id, ...c } = all.find((s) => s.listId === list.id) ?? {
      listId: list.id,
      ...EMPTY_COUNTS,
    };
    return c;
  };

  defineRoute(app, {
    method: 'GET',
    url: '/api/lists',
    auth: ADMIN,
    summary: "A campaign's lead lists with their lead counts (by status, dialable, final).",
    tags: ['admin'],
    query: AdminListsQuery,
    response: AdminListsResponse,
    handler: async ({ query }) => {
      const { lists } = listAdmin(deps);
      await campaignMustExist(query.campaignId);
      const [rows, summaries] = await Promise.all([
        lists.listByCampaign(query.campaignId),
        lists.summaries(query.campaignId),
      ]);
      const byList = new Map(summaries.map(({ listId, ...c }) => [listId as string, c]));
      return { lists: rows.map((l) => toView(l, byList.get(l.id))) };
    },
  });

  defineRoute(app, {
    method: 'POST',
    url: '/api/lists',
    auth: ADMIN,
    summary: 'Create a lead list in a campaign. Audited.',
    tags: ['admin'],
    body: ListCreateBody,
    response: AdminList,
    status: 201,
    handler: async ({ body, user }) => {
      const { lists } = listAdmin(deps);
      await campaignMustExist(body.campaignId);
      const list = await lists.create(body);
      const after = toView(list);
      await audit.record({
        userId: user?.id ?? null,
        action: 'list.create',
        target: `list:${list.id}`,
        detail: { before: null, after: { ...after, counts: undefined } },
      });
      return after;
    },
  });

  defineRoute(app, {
    method: 'PATCH',
    url: '/api/lists/:id',
    auth: ADMIN,
    summary: 'Rename a list, or activate / deactivate it (inactive lists are not dialed). Audited.',
    tags: ['admin'],
    params: IdParams,
    body: ListUpdateBody,
    response: AdminList,
    handler: async ({ params, body, user }) => {
      const { lists } = listAdmin(deps);
      const before = await listMustExist(params.id);
      const after = await lists.update(params.id, body);
      const changes: Record<string, { from: unknown; to: unknown }> = {};
      for (const key of Object.keys(body) as Array<keyof ListUpdateBody>) {
        if (before[key] !== after[key]) changes[key] = { from: before[key], to: after[key] };
      }
      await audit.record({
        userId: user?.id ?? null,
        action: 'list.update',
        target: `list:${params.id}`,
        detail: {
          changes,
          before: { name: before.name, active: before.active },
          after: { name: after.name, active: after.active },
        },
      });
      return toView(after, await countsOf(after));
    },
  });

  defineRoute(app, {
    method: 'POST',
    url: '/api/lists/:id/import/preview',
    auth: ADMIN,
    summary:
      'Dry run of an import: the body is the CSV (or its first part, up to 1 MiB is read) as ' +
      'text/csv; answers the header, the column mapping used, and the first rows normalised ' +
      'with their errors and whether the list or a DNC list would skip them. Writes nothing.',
    tags: ['admin'],
    params: IdParams,
    query: ImportPreviewQuery,
    streamBody: { contentTypes: STREAM_CONTENT_TYPES },
    response: ImportPreview,
    handler: async ({ req, params, query }) => {
      const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
      if (!STREAM_CONTENT_TYPES.includes(type)) {
        throw new UnsupportedMediaTypeError(
          `send the CSV file as the body with Content-Type text/csv (got ${type || 'none'})`,
        );
      }
      const mapping = readMapping(query.mapping, req.headers[MAPPING_HEADER]);
      return listAdmin(deps).previewImport({
        listId: params.id,
        input: req.body as Readable,
        rows: query.rows,
        ...(mapping !== undefined ? { mapping } : {}),
      });
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/lists/:id/imports',
    auth: ADMIN,
    summary: "A list's imports, newest first: status and counts (row errors: /api/imports/:id).",
    tags: ['admin'],
    params: IdParams,
    response: ImportJobsResponse,
    handler: async ({ params }) => {
      await listMustExist(params.id);
      const jobs = await listAdmin(deps).lists.importJobs(params.id);
      return { jobs: jobs.map(jobView) };
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/imports/:id',
    auth: ADMIN,
    summary: 'One import: status, counts and its row errors (the first 1,000).',
    tags: ['admin'],
    params: IdParams,
    response: ImportJobDetail,
    handler: async ({ params }) => {
      const job = await listAdmin(deps).lists.importJob(params.id);
      if (!job) throw new NotFoundError(`import ${params.id} does not exist`);
      return { ...jobView(job), errors: job.errors };
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/imports/:id/errors.csv',
    auth: ADMIN,
    summary: "An import's row-error report as a CSV attachment: row, column, reason.",
    tags: ['admin'],
    params: IdParams,
    handler: async ({ params, reply }) => {
      const job = await listAdmin(deps).lists.importJob(params.id);
      if (!job) throw new NotFoundError(`import ${params.id} does not exist`);
      const body =
        csvLine(['row', 'column', 'reason']) +
        job.errors.map((e) => csvLine([e.row, e.column, e.reason])).join('');
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="import-${job.id}-errors.csv"`)
        .header('cache-control', 'no-store')
        .send(body);
    },
  });

  registerCodeAdminRoutes(app, deps);
  registerDncAdminRoutes(app, deps);
}
