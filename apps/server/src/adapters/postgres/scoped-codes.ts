import type { Insertable, Updateable } from 'kysely';
import type { z } from 'zod';
import { NotFoundError } from '../../errors.js';
import type { ScopedCodesRepo } from '../../ports/dispositions.js';
import { toValidationError } from '../../ports/campaigns.js';
import type { Db, DispositionsTable } from './database.js';
import { idParam, mapErrors } from './pg-errors.js';

/** A table of codes scoped system-wide (campaign_id NULL) or to one campaign. */
interface CodeRow {
  id: string;
  campaign_id: string | null;
  code: string;
}

export interface ScopedCodesSpec<T, Row extends CodeRow> {
  table: 'dispositions' | 'pause_codes';
  /** How errors name a row ('disposition', 'pause code') and its id field ('dispositionId'). */
  what: string;
  idField: string;
  /** Validates a create body and a patch (a ValidationError names the field). */
  createSchema: z.ZodType<{ campaignId?: string | null; code: string } & Record<string, unknown>>;
  patchSchema: z.ZodType<Record<string, unknown>>;
  /** Field of the body -> its column (campaignId and code aside). */
  columns: Readonly<Record<string, string>>;
  /** Row order of the lists. */
  orderBy: ReadonlyArray<'sort_order' | 'code'>;
  toItem(row: Row): T;
}

/**
 * The CRUD the dispositions and the pause codes share (ports/dispositions.ts ScopedCodesRepo),
 * defined once over the table the spec names. The two tables have the same key, scope and code
 * columns; Kysely is typed with the dispositions table for them, the spec's columns carry the
 * rest.
 */
export function createScopedCodesRepo<T, Row extends CodeRow, New, Patch>(
  db: Db,
  spec: ScopedCodesSpec<T, Row>,
): ScopedCodesRepo<T, New, Patch> {
  const table = spec.table as 'dispositions';
  const toColumns = (fields: Record<string, unknown>): Record<string, unknown> =>
    Object.fromEntries(
      Object.entries(spec.columns)
        .filter(([field]) => fields[field] !== undefined)
        .map(([field, column]) => [column, fields[field]]),
    );
  const list = async (campaignId: string | null, withSystem: boolean): Promise<Row[]> => {
    const c = campaignId === null ? null : idParam(campaignId, 'campaignId');
    let q = db
      .selectFrom(table)
      .selectAll()
      .where((eb) =>
        c === null
          ? eb('campaign_id', 'is', null)
          : withSystem
            ? eb.or([eb('campaign_id', 'is', null), eb('campaign_id', '=', c)])
            : eb('campaign_id', '=', c),
      );
    for (const column of spec.orderBy) q = q.orderBy(column);
    return (await q.execute()) as unknown as Row[];
  };
  const byId = async (id: string): Promise<Row | undefined> =>
    (await db
      .selectFrom(table)
      .selectAll()
      .where('id', '=', idParam(id, spec.idField))
      .executeTakeFirst()) as unknown as Row | undefined;

  return {
    async create(input) {
      const r = spec.createSchema.safeParse(input);
      if (!r.success) throw toValidationError(r.error);
      const d = r.data;
      const row = await mapErrors(spec.what, () =>
        db
          .insertInto(table)
          .values({
            campaign_id: d.campaignId ? idParam(d.campaignId, 'campaignId') : null,
            code: d.code,
            ...toColumns(d),
          } as Insertable<DispositionsTable>)
          .returningAll()
          .executeTakeFirstOrThrow(),
      );
      return spec.toItem(row as unknown as Row);
    },

    async update(id, patch) {
      const r = spec.patchSchema.safeParse(patch);
      if (!r.success) throw toValidationError(r.error);
      const set = toColumns(r.data);
      const rowId = idParam(id, spec.idField);
      const row =
        Object.keys(set).length === 0
          ? await byId(id)
          : ((await mapErrors(spec.what, () =>
              db
                .updateTable(table)
                .set(set as Updateable<DispositionsTable>)
                .where('id', '=', rowId)
                .returningAll()
                .executeTakeFirst(),
            )) as unknown as Row | undefined);
      if (!row) throw new NotFoundError(`${spec.what} ${id} does not exist`);
      return spec.toItem(row);
    },

    async remove(id) {
      const r = await db
        .deleteFrom(table)
        .where('id', '=', idParam(id, spec.idField))
        .executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },

    async forCampaign(campaignId) {
      return campaignOverSystem(await list(campaignId, true)).map((r) => spec.toItem(r));
    },

    async get(id) {
      const row = await byId(id);
      return row ? spec.toItem(row) : null;
    },

    async inScope(campaignId) {
      return (await list(campaignId, false)).map((r) => spec.toItem(r));
    },
  };
}

/**
 * A campaign's own code replaces the system-wide code of the same name; order is kept (the
 * first row of each code decides its place).
 */
function campaignOverSystem<R extends CodeRow>(rows: R[]): R[] {
  const byCode = new Map<string, R>();
  for (const row of rows) {
    const prev = byCode.get(row.code);
    if (!prev || (prev.campaign_id === null && row.campaign_id !== null)) byCode.set(row.code, row);
  }
  return [...byCode.values()];
}
