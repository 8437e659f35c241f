import type { LeadId } from '@ringside/protocol';
import type { Db } from './database.js';
import { idParam } from './pg-errors.js';
import type { LeadLogRepo } from '../../ports/leads.js';

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
