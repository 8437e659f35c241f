import type { LeadId } from '@ringside/protocol';
import type { Db, JsonObject } from './database.js';
import { idParam } from './pg-errors.js';

/** Kinds written so far; free text in the table so later issues can add kinds. */
export type LeadLogKind =
  | 'imported'
  | 'queued'
  | 'dialed'
  | 'answered'
  | 'dropped'
  | 'disposed'
  | 'callback'
  | 'dnc'
  | 'recycled'
  | 'edited'
  /** A transfer handed the call to another agent (agent = the one who handed it over). */
  | 'transferred'
  | (string & {});

export interface LeadLogEntry {
  id: string;
  leadId: LeadId;
  at: Date;
  kind: LeadLogKind;
  callId: string | null;
  agentId: string | null;
  /** Ids and codes only: no phone numbers or names. */
  detail: JsonObject;
}

export interface NewLeadLogEntry {
  leadId: string;
  kind: LeadLogKind;
  /** Default: now (the database clock). */
  at?: Date;
  callId?: string | null;
  agentId?: string | null;
  detail?: JsonObject;
}

/** lead_log: every event in a lead's life, appended in bulk. */
export interface LeadLogRepo {
  append(entries: NewLeadLogEntry[]): Promise<void>;
  /** Oldest first. */
  forLead(leadId: string, opts?: { limit?: number }): Promise<LeadLogEntry[]>;
}

export function createLeadLogRepo(db: Db): LeadLogRepo {
  return {
    async append(entries) {
      if (entries.length === 0) return;
      await db
        .insertInto('lead_log')
        .values(
          entries.map((e) => ({
            lead_id: idParam(e.leadId, 'leadId'),
            kind: e.kind,
            ...(e.at !== undefined && { at: e.at }),
            call_id: e.callId ?? null,
            agent_id: e.agentId ?? null,
            detail: JSON.stringify(e.detail ?? {}),
          })),
        )
        .execute();
    },
    async forLead(leadId, opts = {}) {
      const rows = await db
        .selectFrom('lead_log')
        .selectAll()
        .where('lead_id', '=', idParam(leadId, 'leadId'))
        .orderBy('at')
        .orderBy('id')
        .limit(Math.min(opts.limit ?? 1000, 10_000))
        .execute();
      return rows.map((r) => ({
        id: r.id,
        leadId: r.lead_id as LeadId,
        at: r.at,
        kind: r.kind,
        callId: r.call_id,
        agentId: r.agent_id,
        detail: r.detail,
      }));
    },
  };
}
