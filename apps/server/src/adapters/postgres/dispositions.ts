import { z } from 'zod';
import type { CampaignId } from '@ringside/protocol';
import { sql, type Selectable } from 'kysely';
import { NotFoundError } from '../../errors.js';
import type { Db, DispositionsTable, PauseCodesTable } from './database.js';
import { toValidationError } from './campaigns.js';
import { idParam, mapErrors } from './pg-errors.js';

/** What an agent chooses at the end of a call; campaignId null: system-wide. */
export interface Disposition {
  id: string;
  campaignId: CampaignId | null;
  code: string;
  name: string;
  /** Counts as a human answer in the drop-rate denominator and contact KPIs. */
  humanAnswered: boolean;
  sale: boolean;
  /** Adds the number to the campaign's DNC list. */
  dnc: boolean;
  /** Asks for a callback time. */
  callback: boolean;
  /** The lead is never dialed again. */
  final: boolean;
  sortOrder: number;
}

const CODE = /^[A-Z0-9_]{1,16}$/;

const DispositionSchema = z
  .object({
    campaignId: z.string().nullable(),
    code: z.string().regex(CODE, 'code must be 1-16 of A-Z 0-9 _'),
    name: z
      .string()
      .trim()
      .min(1, 'name must not be empty')
      .max(100, 'name must be at most 100 characters'),
    humanAnswered: z.boolean(),
    sale: z.boolean(),
    dnc: z.boolean(),
    callback: z.boolean(),
    final: z.boolean(),
    sortOrder: z.number().int().min(-1000).max(1000),
  })
  .strict();
export type NewDisposition = Partial<z.infer<typeof DispositionSchema>> & {
  code: string;
  name: string;
};
export type DispositionPatch = Partial<
  Omit<z.infer<typeof DispositionSchema>, 'campaignId' | 'code'>
>;

const toDisposition = (r: Selectable<DispositionsTable>): Disposition => ({
  id: r.id,
  campaignId: r.campaign_id as CampaignId | null,
  code: r.code,
  name: r.name,
  humanAnswered: r.human_answered,
  sale: r.sale,
  dnc: r.dnc,
  callback: r.callback,
  final: r.final,
  sortOrder: r.sort_order,
});

export interface DispositionsRepo {
  create(input: NewDisposition): Promise<Disposition>;
  update(id: string, patch: DispositionPatch): Promise<Disposition>;
  remove(id: string): Promise<boolean>;
  /**
   * The dispositions an agent of the campaign may choose: the system-wide ones and the
   * campaign's (a campaign code hides the system code of the same name). Without a campaign:
   * the system-wide ones.
   */
  forCampaign(campaignId: string | null): Promise<Disposition[]>;
  findByCode(campaignId: string | null, code: string): Promise<Disposition | null>;
  get(id: string): Promise<Disposition | null>;
  /** The rows of one scope only: the system-wide ones (null) or the campaign's own. */
  inScope(campaignId: string | null): Promise<Disposition[]>;
  /**
   * Campaigns whose wrap-up default disposition would be left without a definition if this
   * row went: for a system-wide code, the campaigns using it that have no code of their own by
   * that name; for a campaign's code, that campaign when there is no system-wide fallback.
   */
  wrapupDefaultUsers(
    d: Pick<Disposition, 'campaignId' | 'code'>,
  ): Promise<Array<{ id: string; name: string }>>;
}

export function createDispositionsRepo(db: Db): DispositionsRepo {
  return {
    async create(input) {
      const r = DispositionSchema.partial().required({ code: true, name: true }).safeParse(input);
      if (!r.success) throw toValidationError(r.error);
      const d = r.data;
      const row = await mapErrors('disposition', () =>
        db
          .insertInto('dispositions')
          .values({
            campaign_id: d.campaignId ? idParam(d.campaignId, 'campaignId') : null,
            code: d.code,
            name: d.name,
            ...(d.humanAnswered !== undefined && { human_answered: d.humanAnswered }),
            ...(d.sale !== undefined && { sale: d.sale }),
            ...(d.dnc !== undefined && { dnc: d.dnc }),
            ...(d.callback !== undefined && { callback: d.callback }),
            ...(d.final !== undefined && { final: d.final }),
            ...(d.sortOrder !== undefined && { sort_order: d.sortOrder }),
          })
          .returningAll()
          .executeTakeFirstOrThrow(),
      );
      return toDisposition(row);
    },

    async update(id, patch) {
      const r = DispositionSchema.omit({ campaignId: true, code: true }).partial().safeParse(patch);
      if (!r.success) throw toValidationError(r.error);
      const d = r.data;
      const set = {
        ...(d.name !== undefined && { name: d.name }),
        ...(d.humanAnswered !== undefined && { human_answered: d.humanAnswered }),
        ...(d.sale !== undefined && { sale: d.sale }),
        ...(d.dnc !== undefined && { dnc: d.dnc }),
        ...(d.callback !== undefined && { callback: d.callback }),
        ...(d.final !== undefined && { final: d.final }),
        ...(d.sortOrder !== undefined && { sort_order: d.sortOrder }),
      };
      const dispId = idParam(id, 'dispositionId');
      const row =
        Object.keys(set).length === 0
          ? await db
              .selectFrom('dispositions')
              .selectAll()
              .where('id', '=', dispId)
              .executeTakeFirst()
          : await mapErrors('disposition', () =>
              db
                .updateTable('dispositions')
                .set(set)
                .where('id', '=', dispId)
                .returningAll()
                .executeTakeFirst(),
            );
      if (!row) throw new NotFoundError(`disposition ${id} does not exist`);
      return toDisposition(row);
    },

    async remove(id) {
      const r = await db
        .deleteFrom('dispositions')
        .where('id', '=', idParam(id, 'dispositionId'))
        .executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },

    async forCampaign(campaignId) {
      const c = campaignId === null ? null : idParam(campaignId, 'campaignId');
      const rows = await db
        .selectFrom('dispositions')
        .selectAll()
        .where((eb) =>
          c === null
            ? eb('campaign_id', 'is', null)
            : eb.or([eb('campaign_id', 'is', null), eb('campaign_id', '=', c)]),
        )
        .orderBy('sort_order')
        .orderBy('code')
        .execute();
      return campaignOverSystem(rows).map(toDisposition);
    },

    async findByCode(campaignId, code) {
      const all = await this.forCampaign(campaignId);
      return all.find((d) => d.code === code) ?? null;
    },

    async get(id) {
      const row = await db
        .selectFrom('dispositions')
        .selectAll()
        .where('id', '=', idParam(id, 'dispositionId'))
        .executeTakeFirst();
      return row ? toDisposition(row) : null;
    },

    async inScope(campaignId) {
      const c = campaignId === null ? null : idParam(campaignId, 'campaignId');
      const rows = await db
        .selectFrom('dispositions')
        .selectAll()
        .where((eb) => (c === null ? eb('campaign_id', 'is', null) : eb('campaign_id', '=', c)))
        .orderBy('sort_order')
        .orderBy('code')
        .execute();
      return rows.map(toDisposition);
    },

    async wrapupDefaultUsers(d) {
      const r =
        d.campaignId === null
          ? await sql<{ id: string; name: string }>`
              SELECT c.id::text AS id, c.name FROM campaigns c
               WHERE c.wrapup_default_disposition = ${d.code}
                 AND NOT EXISTS (SELECT 1 FROM dispositions x
                                  WHERE x.campaign_id = c.id AND x.code = ${d.code})
               ORDER BY c.id`.execute(db)
          : await sql<{ id: string; name: string }>`
              SELECT c.id::text AS id, c.name FROM campaigns c
               WHERE c.id = ${idParam(d.campaignId, 'campaignId')}
                 AND c.wrapup_default_disposition = ${d.code}
                 AND NOT EXISTS (SELECT 1 FROM dispositions x
                                  WHERE x.campaign_id IS NULL AND x.code = ${d.code})`.execute(db);
      return r.rows;
    },
  };
}

/** A reason an agent gives for a pause; campaignId null: system-wide. */
export interface PauseCode {
  id: string;
  campaignId: CampaignId | null;
  code: string;
  name: string;
  /** Paid time (training, meeting) as opposed to unpaid breaks. */
  billable: boolean;
}

const PauseCodeSchema = z
  .object({
    campaignId: z.string().nullable().optional(),
    code: z.string().regex(CODE, 'code must be 1-16 of A-Z 0-9 _'),
    name: z
      .string()
      .trim()
      .min(1, 'name must not be empty')
      .max(100, 'name must be at most 100 characters'),
    billable: z.boolean().optional(),
  })
  .strict();

const toPauseCode = (r: Selectable<PauseCodesTable>): PauseCode => ({
  id: r.id,
  campaignId: r.campaign_id as CampaignId | null,
  code: r.code,
  name: r.name,
  billable: r.billable,
});

export interface PauseCodesRepo {
  create(input: {
    campaignId?: string | null;
    code: string;
    name: string;
    billable?: boolean;
  }): Promise<PauseCode>;
  update(id: string, patch: { name?: string; billable?: boolean }): Promise<PauseCode>;
  remove(id: string): Promise<boolean>;
  /** System-wide codes plus the campaign's (a campaign code hides the system one). */
  forCampaign(campaignId: string | null): Promise<PauseCode[]>;
  get(id: string): Promise<PauseCode | null>;
  /** The rows of one scope only: the system-wide ones (null) or the campaign's own. */
  inScope(campaignId: string | null): Promise<PauseCode[]>;
}

export function createPauseCodesRepo(db: Db): PauseCodesRepo {
  return {
    async create(input) {
      const r = PauseCodeSchema.safeParse(input);
      if (!r.success) throw toValidationError(r.error);
      const p = r.data;
      const row = await mapErrors('pause code', () =>
        db
          .insertInto('pause_codes')
          .values({
            campaign_id: p.campaignId ? idParam(p.campaignId, 'campaignId') : null,
            code: p.code,
            name: p.name,
            ...(p.billable !== undefined && { billable: p.billable }),
          })
          .returningAll()
          .executeTakeFirstOrThrow(),
      );
      return toPauseCode(row);
    },
    async update(id, patch) {
      const r = PauseCodeSchema.pick({ name: true, billable: true }).partial().safeParse(patch);
      if (!r.success) throw toValidationError(r.error);
      const set = {
        ...(r.data.name !== undefined && { name: r.data.name }),
        ...(r.data.billable !== undefined && { billable: r.data.billable }),
      };
      const pcId = idParam(id, 'pauseCodeId');
      const row =
        Object.keys(set).length === 0
          ? await db.selectFrom('pause_codes').selectAll().where('id', '=', pcId).executeTakeFirst()
          : await mapErrors('pause code', () =>
              db
                .updateTable('pause_codes')
                .set(set)
                .where('id', '=', pcId)
                .returningAll()
                .executeTakeFirst(),
            );
      if (!row) throw new NotFoundError(`pause code ${id} does not exist`);
      return toPauseCode(row);
    },
    async get(id) {
      const row = await db
        .selectFrom('pause_codes')
        .selectAll()
        .where('id', '=', idParam(id, 'pauseCodeId'))
        .executeTakeFirst();
      return row ? toPauseCode(row) : null;
    },
    async inScope(campaignId) {
      const c = campaignId === null ? null : idParam(campaignId, 'campaignId');
      const rows = await db
        .selectFrom('pause_codes')
        .selectAll()
        .where((eb) => (c === null ? eb('campaign_id', 'is', null) : eb('campaign_id', '=', c)))
        .orderBy('code')
        .execute();
      return rows.map(toPauseCode);
    },
    async remove(id) {
      const r = await db
        .deleteFrom('pause_codes')
        .where('id', '=', idParam(id, 'pauseCodeId'))
        .executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
    async forCampaign(campaignId) {
      const c = campaignId === null ? null : idParam(campaignId, 'campaignId');
      const rows = await db
        .selectFrom('pause_codes')
        .selectAll()
        .where((eb) =>
          c === null
            ? eb('campaign_id', 'is', null)
            : eb.or([eb('campaign_id', 'is', null), eb('campaign_id', '=', c)]),
        )
        .orderBy('code')
        .execute();
      return campaignOverSystem(rows).map(toPauseCode);
    },
  };
}

/**
 * A campaign's own code replaces the system-wide code of the same name; order is kept (the
 * first row of each code decides its place).
 */
function campaignOverSystem<R extends { code: string; campaign_id: string | null }>(
  rows: R[],
): R[] {
  const byCode = new Map<string, R>();
  for (const row of rows) {
    const prev = byCode.get(row.code);
    if (!prev || (prev.campaign_id === null && row.campaign_id !== null)) byCode.set(row.code, row);
  }
  return [...byCode.values()];
}
