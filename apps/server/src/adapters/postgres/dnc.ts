import type { CampaignId } from '@ringside/protocol';
import { sql, type Selectable } from 'kysely';
import { ValidationError } from '../../errors.js';
import type { Db, DncTable } from './database.js';
import { idParam, mapErrors } from './pg-errors.js';

/** One do-not-call entry: system-wide when campaignId is null. */
export interface DncEntry {
  id: string;
  /** E.164. */
  phone: string;
  campaignId: CampaignId | null;
  /** The user who added it; null for imports of a national list or a deleted user. */
  addedBy: string | null;
  /** manual, disposition, import, api... */
  source: string;
  note: string;
  addedAt: Date;
}

export interface DncAdd {
  phone: string;
  /** Omit or null: system-wide. */
  campaignId?: string | null;
  addedBy?: string | null;
  source?: string;
  note?: string;
}

/** Do-not-call numbers, system-wide and per campaign, with who added them and when. */
export interface DncRepo {
  /** Adds the number; adding it again changes nothing and returns the existing entry. */
  add(entry: DncAdd): Promise<DncEntry>;
  /** Removes the entry of that scope (system-wide when campaignId is null); false when absent. */
  remove(phone: string, campaignId?: string | null): Promise<boolean>;
  /**
   * The entries that block this number: the system-wide one and, when campaignId is given, the
   * campaign's. Empty: the number may be called.
   */
  lookup(phone: string, campaignId?: string | null): Promise<DncEntry[]>;
  /** Newest first; campaignId null lists the system-wide entries. */
  list(opts: {
    campaignId?: string | null;
    limit?: number;
    beforeId?: string;
  }): Promise<DncEntry[]>;
  /** Every entry of the number in every scope, with the campaign's and adder's names. */
  lookupAll(phone: string): Promise<DncEntryDescribed[]>;
  /** Newest first, with names; scope 'all' (every list), 'system', or a campaign id. */
  page(opts: { scope: 'all' | 'system' | string; limit: number; beforeId?: string }): Promise<{
    entries: DncEntryDescribed[];
    total: number;
  }>;
  getDescribed(id: string): Promise<DncEntryDescribed | null>;
  /** Removes one entry by id; the removed entry, null when absent. */
  removeById(id: string): Promise<DncEntry | null>;
}

/** An entry with the names an admin screen shows. */
export interface DncEntryDescribed extends DncEntry {
  campaignName: string | null;
  addedByName: string | null;
}

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
