import { sql } from 'kysely';
import type { AgentId } from '@ringside/protocol';
import type { DispositionCall, DispositionLedger, DispositionWrite } from '../../ports/agents.js';
import { createCallbacksRepo } from './callbacks.js';
import type { Db } from './database.js';
import { createDncRepo } from './dnc.js';
import { createLeadLogRepo } from './lead-log.js';
import { type NewLeadLogEntry } from '../../ports/leads.js';

interface CallRow {
  id: string;
  campaign_id: string;
  lead_id: string;
  phone: string;
  agent_id: string | null;
  disposition: string | null;
  handed_over: boolean;
  handoff_disposition: string | null;
}

/** agent ids are bigints in PostgreSQL; anything else (a bot's name in tests) is no agent. */
function numericAgent(agentId: string | null): string | null {
  return agentId !== null && /^\d{1,18}$/.test(agentId) ? agentId : null;
}

/**
 * The disposition's storage: call_log / call_handoffs (the claim), leads, dnc, callbacks and
 * lead_log, in one transaction per disposition. The rules (which part, final or not, when the
 * lead is eligible again) are services/agents/disposition.ts's; this writes what it decided.
 */
export function createDispositionLedger(db: Db): DispositionLedger {
  return {
    async call(callId, agentId: AgentId | null): Promise<DispositionCall | null> {
      const r = await sql<CallRow>`
        SELECT c.id, c.campaign_id::text AS campaign_id, c.lead_id::text AS lead_id, c.phone,
               c.agent_id::text AS agent_id, c.disposition,
               (h.call_id IS NOT NULL) AS handed_over, h.disposition AS handoff_disposition
          FROM call_log c
          LEFT JOIN call_handoffs h ON h.call_id = c.id AND h.agent_id = ${numericAgent(agentId)}
         WHERE c.id = ${callId}`.execute(db);
      const row = r.rows[0];
      if (!row) return null;
      return {
        id: row.id,
        campaignId: row.campaign_id,
        leadId: row.lead_id,
        phone: row.phone,
        agentId: row.agent_id,
        disposition: row.disposition,
        handedOver: row.handed_over,
        handoffDisposition: row.handoff_disposition,
      };
    },

    async owesFinal(callId) {
      const r = await sql<{ owed: boolean }>`
        SELECT (disposition IS NULL AND outcome IS DISTINCT FROM 'ORIGINATE_FAILED') AS owed
          FROM call_log WHERE id = ${callId}`.execute(db);
      return r.rows[0]?.owed ?? false;
    },

    write: (w) => db.transaction().execute((trx) => writeDisposition(trx, w)),
  };
}

async function writeDisposition(
  trx: Db,
  w: DispositionWrite,
): Promise<{ callbackId: string | null } | null> {
  const { call } = w;
  const agent = numericAgent(w.agentId);
  const at = new Date(w.atMs);
  // Claim this agent's part: the first writer wins, a second (agent vs. timeout) writes nothing.
  const claimed =
    w.part === 'final'
      ? await sql<{ id: string }>`
          UPDATE call_log SET disposition = ${w.code}, disposed_at = ${at}
           WHERE id = ${call.id} AND disposition IS NULL RETURNING id`.execute(trx)
      : await sql<{ id: string }>`
          UPDATE call_handoffs SET disposition = ${w.code}, disposed_at = ${at}, auto = ${w.auto}
           WHERE call_id = ${call.id} AND agent_id = ${agent}
             AND disposition IS NULL RETURNING call_id AS id`.execute(trx);
  if (claimed.rows.length === 0) return null;

  const lead =
    w.part === 'final'
      ? await sql<{ time_zone: string | null; tz_candidates: string[] }>`
          UPDATE leads SET status = ${w.code}, final = ${w.final}, hopper_at = NULL,
                 next_eligible_at = CASE WHEN ${w.final} OR attempts >= ${w.maxAttempts}
                                         THEN 'infinity'::timestamptz
                                         ELSE ${new Date(w.nextEligibleAtMs)} END,
                 updated_at = now()
           WHERE id = ${call.leadId}
           RETURNING time_zone, tz_candidates`.execute(trx)
      : // The lead's outcome is the last agent's disposition: only read the zone (callbacks).
        await sql<{ time_zone: string | null; tz_candidates: string[] }>`
          SELECT time_zone, tz_candidates FROM leads WHERE id = ${call.leadId}`.execute(trx);

  const entry = (kind: NewLeadLogEntry['kind'], detail: NewLeadLogEntry['detail']) => ({
    leadId: call.leadId,
    kind,
    at,
    callId: call.id,
    agentId: agent,
    detail,
  });
  const log: NewLeadLogEntry[] = [
    entry(
      'disposed',
      w.part === 'final'
        ? { code: w.code, auto: w.auto, final: w.final }
        : { code: w.code, auto: w.auto, final: w.final, handoff: true },
    ),
  ];
  if (w.dnc) {
    await createDncRepo(trx).add({
      phone: call.phone,
      campaignId: call.campaignId,
      addedBy: agent,
      source: 'disposition',
      note: `disposition ${w.code} on call ${call.id}`,
    });
    log.push(entry('dnc', { scope: 'campaign', campaignId: call.campaignId, code: w.code }));
  }
  let callbackId: string | null = null;
  if (w.callback) {
    const row = lead.rows[0];
    // The time was chosen in the lead's zone (the panel converts it); kept for display.
    const zone = row?.time_zone ?? row?.tz_candidates[0] ?? 'Etc/UTC';
    const cb = await createCallbacksRepo(trx).create({
      leadId: call.leadId,
      campaignId: call.campaignId,
      agentId: w.callback.agentOnly ? agent : null,
      dueAt: new Date(w.callback.atMs),
      timeZone: zone,
      note: w.callback.note,
      createdBy: agent,
    });
    callbackId = cb.id;
    log.push(
      entry('callback', {
        callbackId: cb.id,
        dueAtMs: w.callback.atMs,
        agentOnly: w.callback.agentOnly && agent !== null,
        timeZone: zone,
      }),
    );
  }
  await createLeadLogRepo(trx).append(log);
  return { callbackId };
}
