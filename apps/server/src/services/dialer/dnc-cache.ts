import type { Logger } from '../../logger.js';
import type { DncChecker, DncRows, DncSets } from '../../ports/dialer.js';
import type { NationalDncRegistry } from '../../ports/national-dnc.js';

export type { DncChecker } from '../../ports/dialer.js';

/**
 * Do-not-call numbers mirrored from PostgreSQL (DncRows) into Redis sets (DncSets), so the
 * dial-time check costs one round trip and never puts PostgreSQL on the dialing path
 * (docs/architecture.md: nothing real-time reads PostgreSQL). Kept fresh three ways:
 * - add()/remove(): the API calls them right after writing the dnc table (no lag);
 * - syncNew(): every second, rows with an id above the last one seen (dnc.id only grows), which
 *   also catches numbers added by imports or other processes;
 * - rebuild(): at start and every few minutes, a full copy swapped in over the live sets, which
 *   is what removes deleted entries (a removal may lag; an addition may not).
 * Several dialer instances may sync at once: every write is idempotent.
 * The national registry (ports/national-dnc.ts) is asked beside these sets; it is imported by
 * `npm run dnc:registry`, not mirrored from PostgreSQL.
 */
export class DncCache implements DncChecker {
  private lastId = '0';

  constructor(
    private readonly sets: DncSets,
    private readonly rows: DncRows,
    private readonly national: NationalDncRegistry,
    private readonly logger?: Logger,
  ) {}

  async isBlocked(phone: string, campaignId: string, scrubNational = true): Promise<boolean> {
    // The registry's key is in its own slot (one per area code): a separate command sent at the
    // same time as the sets' pipeline, so the check still costs one round trip.
    const [internal, national] = await Promise.all([
      this.sets.isListed(phone, campaignId),
      scrubNational ? this.national.isListed(phone) : false,
    ]);
    return internal || national;
  }

  async add(phone: string, campaignId: string | null): Promise<void> {
    await this.sets.add(phone, campaignId);
  }

  async remove(phone: string, campaignId: string | null): Promise<void> {
    await this.sets.remove(phone, campaignId);
  }

  /** Copies rows added since the last call; returns how many. */
  async syncNew(batch = 5_000): Promise<number> {
    let total = 0;
    for (;;) {
      const rows = await this.rows.after(this.lastId, batch);
      if (rows.length === 0) return total;
      await this.sets.addMany(rows);
      this.lastId = rows[rows.length - 1]?.id ?? this.lastId;
      total += rows.length;
      if (rows.length < batch) return total;
    }
  }

  /**
   * Rebuilds every set from the table (the system-wide one and each campaign's), swapped in over
   * the live ones at the end. `campaignIds` are campaigns whose set must be emptied when the
   * table has no row for them.
   */
  async rebuild(campaignIds: readonly string[] = [], batch = 20_000): Promise<void> {
    const copy = this.sets.rebuild(campaignIds);
    let after = '0';
    for (;;) {
      const rows = await this.rows.after(after, batch);
      if (rows.length === 0) break;
      await copy.addMany(rows);
      after = rows[rows.length - 1]?.id ?? after;
      if (rows.length < batch) break;
    }
    const sets = await copy.commit();
    // Rows committed after the scan may have reached the live sets and been lost in the swap:
    // copy everything above what the scan saw again.
    this.lastId = after;
    await this.syncNew();
    this.logger?.debug({ sets }, 'dnc cache rebuilt');
  }
}
