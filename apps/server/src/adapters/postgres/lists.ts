import { z } from 'zod';
import type { CampaignId, ListId } from '@ringside/protocol';
import type { Selectable } from 'kysely';
import { NotFoundError } from '../../errors.js';
import type { Db, ListsTable } from './database.js';
import { toValidationError } from './campaigns.js';
import { idParam, mapErrors } from './pg-errors.js';

export interface LeadList {
  id: ListId;
  campaignId: CampaignId;
  name: string;
  active: boolean;
  createdAt: Date;
}

/** Lead counts of one list. */
export interface ListCounts {
  total: number;
  /** Never called. */
  new: number;
  /** Final (sale, DNC, ... or max attempts reached): never dialed again. */
  final: number;
  /** Time zone unknown: the hopper never dials them. */
  unknownTimeZone: number;
}

const NameSchema = z
  .string()
  .trim()
  .min(1, 'name must not be empty')
  .max(100, 'name must be at most 100 characters');

export interface ListsRepo {
  create(input: { campaignId: string; name: string; active?: boolean }): Promise<LeadList>;
  get(id: string): Promise<LeadList | null>;
  listByCampaign(campaignId: string): Promise<LeadList[]>;
  update(id: string, patch: { name?: string; active?: boolean }): Promise<LeadList>;
  counts(id: string): Promise<ListCounts>;
}

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
  };
}
