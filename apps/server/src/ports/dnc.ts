import type { CampaignId } from '@ringside/protocol';

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

/**
 * The dialer's Redis copy of the dnc table (services/dialer/dnc-cache.ts DncCache), told right
 * after each write to the table so that the next dial attempt already sees the change.
 */
export interface DncMirror {
  /** `campaignId` null: the system-wide list. */
  add(phone: string, campaignId: string | null): Promise<void>;
  remove(phone: string, campaignId: string | null): Promise<void>;
}
