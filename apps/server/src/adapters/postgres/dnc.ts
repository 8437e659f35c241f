import type { CampaignId } from '@ringside/protocol';
import { sql, type Selectable } from 'kysely';
import { ValidationError } from '../../errors.js';
import type { Db, DncTable } from './database.js';
import { idParam, mapErrors } from './pg-errors.js';
import type { DncEntry, DncRepo, DncEntryDescribed } from '../../ports/dnc.js';

function e164(phone: string): string {
  if (!/^\+[1-9]\d{6,14}$/.test(phone)) {
    throw new ValidationError('phone must be an E.164 number such as +14155550123', [
      { path: 'phone', message: 'must be E.164' },
    ]);
  }
  return phone;
}

const toEntry = (r: Selectable<DncTable>): DncEntry => ({
  id: r.id,
  phone: r.phone,
  campaignId: r.campaign_id as CampaignId | null,
  addedBy: r.added_by,
  source: r.source,
  note: r.note,
  addedAt: r.added_at,
});

export function createDncRepo(db: Db): DncRepo {
  const scope = (campaignId: string | null | undefined) =>
    campaignId === undefined || campaignId === null ? null : idParam(campaignId, 'campaignId');

  const findOne = async (phone: string, campaignId: string | null) =>
    db
      .selectFrom('dnc')
      .selectAll()
      .where('phone', '=', phone)
      .where((eb) =>
        campaignId === null ? eb('campaign_id', 'is', null) : eb('campaign_id', '=', campaignId),
      )
      .executeTakeFirst();

  return {
    async add(entry) {
      const phone = e164(entry.phone);
      const campaignId = scope(entry.campaignId);
      const source = entry.source ?? 'manual';
      if (!/^[a-z_]{1,32}$/.test(source)) {
        throw new ValidationError('source must be 1-32 of a-z _', [
          { path: 'source', message: 'must be 1-32 of a-z _' },
        ]);
      }
      const inserted = await mapErrors('DNC entry', () =>
        db
          .insertInto('dnc')
          .values({
            phone,
            campaign_id: campaignId,
            added_by:
              entry.addedBy === undefined || entry.addedBy === null
                ? null
                : idParam(entry.addedBy, 'addedBy'),
            source,
            note: (entry.note ?? '').slice(0, 500),
          })
          // The unique index is on an expression (coalesce(campaign_id, 0)): name it in the target.
          .onConflict((oc) => oc.expression(sql`phone, coalesce(campaign_id, 0)`).doNothing())
          .returningAll()
          .executeTakeFirst(),
      );
      if (inserted) return toEntry(inserted);
      const existing = await findOne(phone, campaignId);
      if (!existing) throw new Error('DNC entry vanished between insert and read');
      return toEntry(existing);
    },

    async remove(phone, campaignId) {
      const c = scope(campaignId);
      const r = await db
        .deleteFrom('dnc')
        .where('phone', '=', e164(phone))
        .where((eb) => (c === null ? eb('campaign_id', 'is', null) : eb('campaign_id', '=', c)))
        .executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },

    async lookup(phone, campaignId) {
      const c = scope(campaignId);
      const rows = await db
        .selectFrom('dnc')
        .selectAll()
        .where('phone', '=', e164(phone))
        .where((eb) =>
          c === null
            ? eb('campaign_id', 'is', null)
            : eb.or([eb('campaign_id', 'is', null), eb('campaign_id', '=', c)]),
        )
        .orderBy('id')
        .execute();
      return rows.map(toEntry);
    },

    async list(opts) {
      const c = scope(opts.campaignId);
      let q = db
        .selectFrom('dnc')
        .selectAll()
        .where((eb) => (c === null ? eb('campaign_id', 'is', null) : eb('campaign_id', '=', c)));
      if (opts.beforeId !== undefined) q = q.where('id', '<', idParam(opts.beforeId, 'beforeId'));
      const rows = await q
        .orderBy('id', 'desc')
        .limit(Math.max(1, Math.min(opts.limit ?? 100, 1000)))
        .execute();
      return rows.map(toEntry);
    },

    async lookupAll(phone) {
      const rows = await described()
        .where('d.phone', '=', e164(phone))
        .orderBy('d.campaign_id', (ob) => ob.nullsFirst())
        .orderBy('d.id')
        .execute();
      return rows.map(toDescribed);
    },

    async page(opts) {
      const c =
        opts.scope === 'all'
          ? undefined
          : opts.scope === 'system'
            ? null
            : idParam(opts.scope, 'scope');
      let q = described();
      let counted = db.selectFrom('dnc as d').select((eb) => eb.fn.countAll<string>().as('n'));
      if (c === null) {
        q = q.where('d.campaign_id', 'is', null);
        counted = counted.where('d.campaign_id', 'is', null);
      } else if (c !== undefined) {
        q = q.where('d.campaign_id', '=', c);
        counted = counted.where('d.campaign_id', '=', c);
      }
      if (opts.beforeId !== undefined) {
        q = q.where('d.id', '<', idParam(opts.beforeId, 'beforeId'));
      }
      const rows = await q
        .orderBy('d.id', 'desc')
        .limit(Math.max(1, Math.min(opts.limit, 1000)))
        .execute();
      const count = await counted.executeTakeFirstOrThrow();
      return { entries: rows.map(toDescribed), total: Number(count.n) };
    },

    async getDescribed(id) {
      const row = await described().where('d.id', '=', idParam(id, 'dncId')).executeTakeFirst();
      return row ? toDescribed(row) : null;
    },

    async removeById(id) {
      const row = await db
        .deleteFrom('dnc')
        .where('id', '=', idParam(id, 'dncId'))
        .returningAll()
        .executeTakeFirst();
      return row ? toEntry(row) : null;
    },
  };

  function described() {
    return db
      .selectFrom('dnc as d')
      .leftJoin('campaigns as c', 'c.id', 'd.campaign_id')
      .leftJoin('users as u', 'u.id', 'd.added_by')
      .selectAll('d')
      .select(['c.name as campaign_name', 'u.username as added_by_name']);
  }
}

const toDescribed = (
  r: Selectable<DncTable> & { campaign_name: string | null; added_by_name: string | null },
): DncEntryDescribed => ({
  ...toEntry(r),
  campaignName: r.campaign_name,
  addedByName: r.added_by_name,
});
