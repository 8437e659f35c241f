import type { FastifyInstance } from 'fastify';
import type { Readable } from 'node:stream';
import { IdParams, ImportMapping, ImportQuery, ImportReport } from '@ringside/protocol';
import type { ListId } from '@ringside/protocol';
import { ValidationError } from '../../errors.js';
import type { AppDeps } from '../deps.js';
import { fromZod, UnsupportedMediaTypeError } from '../errors.js';
import { defineRoute } from '../route.js';
import { SUPERVISOR, STREAM_CONTENT_TYPES } from './common.js';

export const MAPPING_HEADER = 'x-import-mapping';

/** The mapping from `?mapping=` or the X-Import-Mapping header (JSON), validated. */
export function readMapping(query: string | undefined, header: unknown): ImportMapping | undefined {
  const raw = query ?? (typeof header === 'string' ? header : undefined);
  if (raw === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new ValidationError('mapping: must be a JSON object', [
      { path: 'mapping', message: 'must be a JSON object' },
    ]);
  }
  const r = ImportMapping.safeParse(json);
  if (!r.success) throw fromZod(r.error, 'mapping');
  return r.data;
}

export function registerImportRoutes(app: FastifyInstance, deps: AppDeps): void {
  defineRoute(app, {
    method: 'POST',
    url: '/api/lists/:id/import',
    auth: SUPERVISOR,
    summary:
      'Import leads: the body is the CSV file itself (text/csv), streamed. The column mapping ' +
      'comes as JSON in ?mapping= or the X-Import-Mapping header. Answers the row-level report.',
    tags: ['leads'],
    params: IdParams,
    query: ImportQuery,
    streamBody: { contentTypes: STREAM_CONTENT_TYPES },
    response: ImportReport,
    handler: async ({ req, params, query, user }) => {
      const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
      if (!STREAM_CONTENT_TYPES.includes(type)) {
        throw new UnsupportedMediaTypeError(
          `send the CSV file as the body with Content-Type text/csv (got ${type || 'none'})`,
        );
      }
      const mapping = readMapping(query.mapping, req.headers[MAPPING_HEADER]);
      const input = req.body as Readable;
      const fileName = query.fileName;
      const report = await deps.importLeads({
        listId: params.id as ListId,
        input,
        ...(fileName !== undefined ? { fileName } : {}),
        ...(mapping !== undefined ? { mapping } : {}),
        ...(user ? { createdBy: user.id } : {}),
      });
      await deps.audit.record({
        userId: user?.id ?? null,
        action: 'list.import',
        target: `list:${params.id}`,
        detail: {
          rowsTotal: report.rowsTotal,
          imported: report.imported,
          rejected: report.rejected,
        },
      });
      return report;
    },
  });
}
