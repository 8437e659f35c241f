import { z } from 'zod';
import { DispositionFlags, type CampaignId } from '@ringside/protocol';
import { sql, type Selectable } from 'kysely';
import type {
  Disposition,
  DispositionPatch,
  DispositionsRepo,
  NewDisposition,
  NewPauseCode,
  PauseCode,
  PauseCodePatch,
  PauseCodesRepo,
} from '../../ports/dispositions.js';
import type { Db, DispositionsTable, PauseCodesTable } from './database.js';
import { idParam } from './pg-errors.js';
import { createScopedCodesRepo } from './scoped-codes.js';

/** Disposition and pause codes in PostgreSQL: one CRUD (scoped-codes.ts) over two tables. */

const CODE = /^[A-Z0-9_]{1,16}$/;
const codeField = z.string().regex(CODE, 'code must be 1-16 of A-Z 0-9 _');
const nameField = z
  .string()
  .trim()
  .min(1, 'name must not be empty')
  .max(100, 'name must be at most 100 characters');

const DispositionSchema = z
  .object({
    campaignId: z.string().nullable(),
    code: codeField,
    name: nameField,
    ...DispositionFlags,
  })
  .strict();

/** The columns both code tables share: id, scope, code and name. */
const scopedCode = (r: Selectable<DispositionsTable> | Selectable<PauseCodesTable>) => ({
  id: r.id,
  campaignId: r.campaign_id as CampaignId | null,
  code: r.code,
  name: r.name,
});

const toDisposition = (r: Selectable<DispositionsTable>): Disposition => ({
  ...scopedCode(r),
  humanAnswered: r.human_answered,
  sale: r.sale,
  dnc: r.dnc,
  callback: r.callback,
  final: r.final,
  sortOrder: r.sort_order,
});

export function createDispositionsRepo(db: Db): DispositionsRepo {
  const crud = createScopedCodesRepo<
    Disposition,
    Selectable<DispositionsTable>,
    NewDisposition,
    DispositionPatch
  >(db, {
    table: 'dispositions',
    what: 'disposition',
    idField: 'dispositionId',
    createSchema: DispositionSchema.partial().required({ code: true, name: true }),
    patchSchema: DispositionSchema.omit({ campaignId: true, code: true }).partial(),
    columns: {
      name: 'name',
      humanAnswered: 'human_answered',
      sale: 'sale',
      dnc: 'dnc',
      callback: 'callback',
      final: 'final',
      sortOrder: 'sort_order',
    },
    orderBy: ['sort_order', 'code'],
    toItem: toDisposition,
  });
  return {
    ...crud,

    async findByCode(campaignId, code) {
      const all = await crud.forCampaign(campaignId);
      return all.find((d) => d.code === code) ?? null;
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

const PauseCodeSchema = z
  .object({
    campaignId: z.string().nullable().optional(),
    code: codeField,
    name: nameField,
    billable: z.boolean().optional(),
    dailyLimitMin: z
      .number()
      .int('dailyLimitMin must be a whole number of minutes')
      .min(1, 'dailyLimitMin must be between 1 and 1440 minutes')
      .max(1440, 'dailyLimitMin must be between 1 and 1440 minutes')
      .nullable()
      .optional(),
  })
  .strict();

const toPauseCode = (r: Selectable<PauseCodesTable>): PauseCode => ({
  ...scopedCode(r),
  billable: r.billable,
  dailyLimitMin: r.daily_limit_min,
});

export function createPauseCodesRepo(db: Db): PauseCodesRepo {
  return createScopedCodesRepo<
    PauseCode,
    Selectable<PauseCodesTable>,
    NewPauseCode,
    PauseCodePatch
  >(db, {
    table: 'pause_codes',
    what: 'pause code',
    idField: 'pauseCodeId',
    createSchema: PauseCodeSchema,
    patchSchema: PauseCodeSchema.pick({
      name: true,
      billable: true,
      dailyLimitMin: true,
    }).partial(),
    columns: { name: 'name', billable: 'billable', dailyLimitMin: 'daily_limit_min' },
    orderBy: ['code'],
    toItem: toPauseCode,
  });
}
