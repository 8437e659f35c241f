import type { LeadId, ListId } from '@ringside/protocol';
import type { Selectable } from 'kysely';
import { NotFoundError, ValidationError } from '../../errors.js';
import type { Db, LeadsTable } from './database.js';
import type { Lead, LeadsRepo } from '../../ports/leads.js';
import { createLeadLogRepo } from './lead-log.js';
import { idParam } from './pg-errors.js';

export function toLead(r: Selectable<LeadsTable>): Lead {
  return {
    id: r.id as LeadId,
    listId: r.list_id as ListId,
    phone: r.phone,
    altPhones: r.alt_phones,
    firstName: r.first_name,
    lastName: r.last_name,
    address: r.address,
    city: r.city,
    state: r.state,
    postalCode: r.postal_code,
    country: r.country,
    timeZone: r.time_zone,
    tzCandidates: r.tz_candidates,
    tzSource: r.tz_source,
    status: r.status,
    final: r.final,
    attempts: r.attempts,
    lastCalledAt: r.last_called_at,
    lastCallId: r.last_call_id,
    nextEligibleAt: r.next_eligible_at,
    custom: r.custom,
    recordingConsent: r.recording_consent,
    legalHold: r.legal_hold,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** Escapes LIKE wildcards so a search for "o_b" matches those three characters only. */
const likePrefix = (s: string): string => `${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export function createLeadsRepo(db: Db): LeadsRepo {
  const leadLog = createLeadLogRepo(db);
  return {
    async get(id) {
      const row = await db
        .selectFrom('leads')
        .selectAll()
        .where('id', '=', idParam(id, 'leadId'))
        .executeTakeFirst();
      return row ? toLead(row) : null;
    },

    async setRecordingConsent(id, consent) {
      const row = await db
        .updateTable('leads')
        .set({ recording_consent: consent, updated_at: new Date() })
        .where('id', '=', idParam(id, 'leadId'))
        .returningAll()
        .executeTakeFirst();
      if (!row) throw new NotFoundError(`lead ${id} not found`);
      return toLead(row);
    },

    async search(q) {
      if (q.phone === undefined && q.name === undefined) {
        throw new ValidationError('search needs a phone or a name', [
          { path: 'phone', message: 'phone or name required' },
        ]);
      }
      let query = db.selectFrom('leads').selectAll('leads');
      if (q.phone !== undefined) {
        if (!/^\+[1-9]\d{6,14}$/.test(q.phone)) {
          throw new ValidationError('phone must be an E.164 number such as +14155550123', [
            { path: 'phone', message: 'must be E.164' },
          ]);
        }
        query = query.where('leads.phone', '=', q.phone);
      }
      if (q.name !== undefined) {
        const name = q.name.trim().toLowerCase();
        if (name.length < 2 || name.length > 100) {
          throw new ValidationError('name must be 2 to 100 characters', [
            { path: 'name', message: 'must be 2 to 100 characters' },
          ]);
        }
        const pattern = likePrefix(name);
        // Two prefix conditions, each matching one of the lower(name) text_pattern_ops indexes.
        query = query.where((eb) =>
          eb.or([
            eb(eb.fn('lower', ['leads.last_name']), 'like', pattern),
            eb(eb.fn('lower', ['leads.first_name']), 'like', pattern),
          ]),
        );
      }
      if (q.listId !== undefined)
        query = query.where('leads.list_id', '=', idParam(q.listId, 'listId'));
      if (q.campaignId !== undefined) {
        const campaignId = idParam(q.campaignId, 'campaignId');
        query = query.where('leads.list_id', 'in', (eb) =>
          eb.selectFrom('lists').select('lists.id').where('lists.campaign_id', '=', campaignId),
        );
      }
      const limit = Math.max(1, Math.min(q.limit ?? 50, 500));
      const rows = await query.orderBy('leads.id').limit(limit).execute();
      return rows.map(toLead);
    },

    history(id, opts) {
      return leadLog.forLead(id, opts);
    },
  };
}
