import type { CampaignId, LeadId } from '@ringside/protocol';
import type { Selectable } from 'kysely';
import { NotFoundError, ValidationError } from '../../errors.js';
import type { CallbackStatus, CallbacksTable, Db } from './database.js';
import { idParam, mapErrors } from './pg-errors.js';

/** A scheduled call back to a lead, by one agent or (agentId null) any agent of the campaign. */
export interface Callback {
  id: string;
  leadId: LeadId;
  campaignId: CampaignId;
  agentId: string | null;
  dueAt: Date;
  /** The lead's zone the time was agreed in (shown to the agent). */
  timeZone: string;
  note: string;
  status: CallbackStatus;
  createdBy: string | null;
  createdAt: Date;
}

export interface NewCallback {
  leadId: string;
  campaignId: string;
  agentId?: string | null;
  dueAt: Date;
  timeZone: string;
  note?: string;
  createdBy?: string | null;
}

export interface CallbacksRepo {
  create(input: NewCallback): Promise<Callback>;
  get(id: string): Promise<Callback | null>;
  /** PENDING callbacks of the campaign due at or before `dueBy`, oldest first. */
  due(campaignId: string, dueBy: Date, limit?: number): Promise<Callback[]>;
  /** PENDING callbacks assigned to the agent, soonest first. */
  forAgent(agentId: string): Promise<Callback[]>;
  forLead(leadId: string): Promise<Callback[]>;
  /**
   * Moves a callback to `to` only when it is in one of `from` (compare-and-set, so two processes
   * cannot both queue it). Returns false when it was not.
   */
  setStatus(id: string, to: CallbackStatus, from: CallbackStatus[]): Promise<boolean>;
}

const toCallback = (r: Selectable<CallbacksTable>): Callback => ({
  id: r.id,
  leadId: r.lead_id as LeadId,
  campaignId: r.campaign_id as CampaignId,
  agentId: r.agent_id,
  dueAt: r.due_at,
  timeZone: r.time_zone,
  note: r.note,
  status: r.status,
  createdBy: r.created_by,
  createdAt: r.created_at,
});

const optionalId = (v: string | null | undefined, field: string) =>
  v === undefined || v === null ? null : idParam(v, field);

export function createCallbacksRepo(db: Db): CallbacksRepo {
  /** The callbacks of one agent or lead, soonest first (only the PENDING ones if `pending`). */
  const soonestFirst = async (
    column: 'agent_id' | 'lead_id',
    id: string,
    pending: boolean,
  ): Promise<Callback[]> => {
    let q = db.selectFrom('callbacks').selectAll().where(column, '=', id);
    if (pending) q = q.where('status', '=', 'PENDING');
    return (await q.orderBy('due_at').execute()).map(toCallback);
  };
  return {
    async create(input) {
      if (!(input.dueAt instanceof Date) || Number.isNaN(input.dueAt.getTime())) {
        throw new ValidationError('dueAt must be a valid date', [
          { path: 'dueAt', message: 'must be a date' },
        ]);
      }
      if (!/^[A-Za-z_]+(\/[A-Za-z0-9_+-]+){1,2}$/.test(input.timeZone)) {
        throw new ValidationError('timeZone must be an IANA zone such as America/Chicago', [
          { path: 'timeZone', message: 'must be an IANA zone' },
        ]);
      }
      const note = input.note ?? '';
      if (note.length > 2000) {
        throw new ValidationError('note must be at most 2000 characters', [
          { path: 'note', message: 'too long' },
        ]);
      }
      const row = await mapErrors('callback', () =>
        db
          .insertInto('callbacks')
          .values({
            lead_id: idParam(input.leadId, 'leadId'),
            campaign_id: idParam(input.campaignId, 'campaignId'),
            agent_id: optionalId(input.agentId, 'agentId'),
            due_at: input.dueAt,
            time_zone: input.timeZone,
            note,
            created_by: optionalId(input.createdBy, 'createdBy'),
          })
          .returningAll()
          .executeTakeFirstOrThrow(),
      );
      return toCallback(row);
    },
    async get(id) {
      const row = await db
        .selectFrom('callbacks')
        .selectAll()
        .where('id', '=', idParam(id, 'callbackId'))
        .executeTakeFirst();
      return row ? toCallback(row) : null;
    },
    async due(campaignId, dueBy, limit = 500) {
      const rows = await db
        .selectFrom('callbacks')
        .selectAll()
        .where('campaign_id', '=', idParam(campaignId, 'campaignId'))
        .where('status', '=', 'PENDING')
        .where('due_at', '<=', dueBy)
        .orderBy('due_at')
        .limit(Math.max(1, Math.min(limit, 10_000)))
        .execute();
      return rows.map(toCallback);
    },
    async forAgent(agentId) {
      return soonestFirst('agent_id', idParam(agentId, 'agentId'), true);
    },
    async forLead(leadId) {
      return soonestFirst('lead_id', idParam(leadId, 'leadId'), false);
    },
    async setStatus(id, to, from) {
      if (from.length === 0)
        throw new ValidationError('from must name at least one status', [
          { path: 'from', message: 'empty' },
        ]);
      const r = await db
        .updateTable('callbacks')
        .set({ status: to })
        .where('id', '=', idParam(id, 'callbackId'))
        .where('status', 'in', from)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) > 0) return true;
      const exists = await db
        .selectFrom('callbacks')
        .select('id')
        .where('id', '=', idParam(id, 'callbackId'))
        .executeTakeFirst();
      if (!exists) throw new NotFoundError(`callback ${id} does not exist`);
      return false;
    },
  };
}
