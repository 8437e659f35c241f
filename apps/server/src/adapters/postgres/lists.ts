import { z } from 'zod';
import { emptyListCounts, type CampaignId, type ListId } from '@ringside/protocol';
import { sql, type Selectable } from 'kysely';
import { NotFoundError } from '../../errors.js';
import type { Db, ListsTable } from './database.js';
import { toValidationError } from '../../ports/campaigns.js';
import { idParam, mapErrors } from './pg-errors.js';
import type {
  LeadList,
  ListSummary,
  ImportJobStatus,
  ImportJobRecord,
  ListsRepo,
} from '../../ports/lists.js';

const NameSchema = z
  .string()
  .trim()
  .min(1, 'name must not be empty')
  .max(100, 'name must be at most 100 characters');

interface JobRow {
  id: string;
  list_id: string;
  file_name: string;
  status: ImportJobStatus;
  created_by: string | null;
  mapping: Record<string, unknown>;
  rows_total: number;
  rows_imported: number;
  rows_rejected: number;
  rows_duplicate: number;
  rows_dnc: number;
  error_count: number;
  error: string | null;
  started_at: Date;
  finished_at: Date | null;
  errors?: ImportJobRecord['errors'];
}

const JOB_COLUMNS = sql`id::text AS id, list_id::text AS list_id, file_name, status,
  created_by::text AS created_by, mapping, rows_total, rows_imported, rows_rejected,
  rows_duplicate, rows_dnc, jsonb_array_length(errors) AS error_count, error, started_at,
  finished_at`;

const toJob = (r: JobRow): Omit<ImportJobRecord, 'errors'> => ({
  id: r.id,
  listId: r.list_id as ListId,
  fileName: r.file_name,
  status: r.status,
  createdBy: r.created_by,
  mapping: r.mapping,
  rowsTotal: r.rows_total,
  imported: r.rows_imported,
  rejected: r.rows_rejected,
  duplicates: r.rows_duplicate,
  dnc: r.rows_dnc,
  errorCount: r.error_count,
  error: r.error,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
});

const toList = (r: Selectable<ListsTable>): LeadList => ({
  id: r.id as ListId,
  campaignId: r.campaign_id as CampaignId,
  name: r.name,
  active: r.active,
  createdAt: r.created_at,
});

export function createListsRepo(db: Db): ListsRepo {
  const name = (v: unknown): string => {
    const r = NameSchema.safeParse(v);
    if (!r.success) throw toValidationError(r.error, 'name');
    return r.data;
  };
  return {
    async create(input) {
      const row = await mapErrors('list', () =>
        db
          .insertInto('lists')
          .values({
            campaign_id: idParam(input.campaignId, 'campaignId'),
            name: name(input.name),
            ...(input.active !== undefined && { active: input.active }),
          })
          .returningAll()
          .executeTakeFirstOrThrow(),
      );
      return toList(row);
    },
    async get(id) {
      const row = await db
        .selectFrom('lists')
        .selectAll()
        .where('id', '=', idParam(id, 'listId'))
        .executeTakeFirst();
      return row ? toList(row) : null;
    },
    async listByCampaign(campaignId) {
      const rows = await db
        .selectFrom('lists')
        .selectAll()
        .where('campaign_id', '=', idParam(campaignId, 'campaignId'))
        .orderBy('id')
        .execute();
      return rows.map(toList);
    },
    async update(id, patch) {
      const set = {
        ...(patch.name !== undefined && { name: name(patch.name) }),
        ...(patch.active !== undefined && { active: patch.active }),
      };
      const listId = idParam(id, 'listId');
      const row =
        Object.keys(set).length === 0
          ? await db.selectFrom('lists').selectAll().where('id', '=', listId).executeTakeFirst()
          : await mapErrors('list', () =>
              db
                .updateTable('lists')
                .set(set)
                .where('id', '=', listId)
                .returningAll()
                .executeTakeFirst(),
            );
      if (!row) throw new NotFoundError(`list ${id} does not exist`);
      return toList(row);
    },
    async counts(id) {
      const r = await db
        .selectFrom('leads')
        .select((eb) => [
          eb.fn.countAll<string>().as('total'),
          eb.fn.countAll<string>().filterWhere('attempts', '=', 0).as('new'),
          eb.fn.countAll<string>().filterWhere('final', '=', true).as('final'),
          eb.fn.countAll<string>().filterWhere('tz_key', '=', '').as('unknown_tz'),
        ])
        .where('list_id', '=', idParam(id, 'listId'))
        .executeTakeFirstOrThrow();
      return {
        total: Number(r.total),
        new: Number(r.new),
        final: Number(r.final),
        unknownTimeZone: Number(r.unknown_tz),
      };
    },
    async summaries(campaignId) {
      const r = await sql<{
        list_id: string;
        status: string;
        total: string;
        new: string;
        dialable: string;
        final: string;
        unknown_tz: string;
      }>`
        SELECT l.list_id::text AS list_id, l.status, count(*)::text AS total,
               count(*) FILTER (WHERE l.attempts = 0)::text AS new,
               count(*) FILTER (WHERE NOT l.final AND l.tz_key <> ''
                                  AND l.next_eligible_at <= now())::text AS dialable,
               count(*) FILTER (WHERE l.final)::text AS final,
               count(*) FILTER (WHERE l.tz_key = '')::text AS unknown_tz
          FROM leads l
         WHERE l.list_id IN (SELECT id FROM lists WHERE campaign_id = ${idParam(campaignId, 'campaignId')})
         GROUP BY l.list_id, l.status`.execute(db);
      const byList = new Map<string, ListSummary>();
      for (const row of r.rows) {
        let s = byList.get(row.list_id);
        if (!s) {
          s = { listId: row.list_id as ListId, ...emptyListCounts() };
          byList.set(row.list_id, s);
        }
        s.total += Number(row.total);
        s.new += Number(row.new);
        s.dialable += Number(row.dialable);
        s.final += Number(row.final);
        s.unknownTimeZone += Number(row.unknown_tz);
        s.byStatus[row.status] = Number(row.total);
      }
      return [...byList.values()];
    },
    async importJobs(listId, limit = 20) {
      const r = await sql<JobRow>`
        SELECT ${JOB_COLUMNS} FROM import_jobs
         WHERE list_id = ${idParam(listId, 'listId')}
         ORDER BY id DESC LIMIT ${Math.max(1, Math.min(limit, 100))}`.execute(db);
      return r.rows.map(toJob);
    },
    async importJob(id) {
      const r = await sql<JobRow>`
        SELECT ${JOB_COLUMNS}, errors FROM import_jobs WHERE id = ${idParam(id, 'importJobId')}`.execute(
        db,
      );
      const row = r.rows[0];
      return row ? { ...toJob(row), errors: row.errors ?? [] } : null;
    },
  };
}
