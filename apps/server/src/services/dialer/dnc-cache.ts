import type { Redis } from 'ioredis';
import type pg from 'pg';
import { RedisKeys } from '../../adapters/redis/keys.js';
import { RedisNationalDnc } from '../../adapters/redis/national-dnc.js';
import type { Logger } from '../../logger.js';
import type { NationalDncRegistry } from '../../ports/national-dnc.js';
import type { DialerKeys } from './redis-state.js';

/** The dial-time DNC question the dialer asks; a fake in unit tests. */
export interface DncChecker {
  /**
   * True when the number is on the internal (system-wide) list, the campaign's list, or, unless
   * `scrubNational` is false (a campaign the admin exempted), the national registry.
   */
  isBlocked(phone: string, campaignId: string, scrubNational?: boolean): Promise<boolean>;
}

/**
 * Do-not-call numbers mirrored from PostgreSQL into Redis sets, so the dial-time check costs one
 * round trip (two SISMEMBER in a pipeline) and never puts PostgreSQL on the dialing path
 * (docs/architecture.md: nothing real-time reads PostgreSQL). Kept fresh three ways:
 * - add()/remove(): the API calls them right after writing the dnc table (no lag);
 * - syncNew(): every second, rows with an id above the last one seen (dnc.id only grows), which
 *   also catches numbers added by imports or other processes;
 * - rebuild(): at start and every few minutes, a full copy renamed over the live sets, which is
 *   what removes deleted entries (a removal may lag; an addition may not).
 * Several dialer instances may sync at once: every write is idempotent.
 * The national registry (ports/national-dnc.ts) is asked beside these sets; it is imported by
 * `npm run dnc:registry`, not mirrored from PostgreSQL.
 */
export class DncCache implements DncChecker {
  private lastId = '0';
  private readonly national: NationalDncRegistry;

  constructor(
    private readonly redis: Redis,
    private readonly keys: DialerKeys,
    private readonly pool: pg.Pool,
    private readonly logger?: Logger,
    national?: NationalDncRegistry,
  ) {
    this.national = national ?? new RedisNationalDnc(redis, new RedisKeys(keys.prefix));
  }

  async isBlocked(phone: string, campaignId: string, scrubNational = true): Promise<boolean> {
    // The registry's key is in its own slot (one per area code): a separate command sent at the
    // same time as the pipeline, so the check still costs one round trip.
    const [internal, national] = await Promise.all([
      this.redis
        .pipeline()
        .sismember(this.keys.dncAll(), phone)
        .sismember(this.keys.dncCampaign(campaignId), phone)
        .exec(),
      scrubNational ? this.national.isListed(phone) : false,
    ]);
    const onInternal = (internal ?? []).some(([err, v]) => {
      if (err) throw err;
      return Number(v) === 1;
    });
    return onInternal || national;
  }

  async add(phone: string, campaignId: string | null): Promise<void> {
    await this.redis.sadd(this.setOf(campaignId), phone);
  }

  async remove(phone: string, campaignId: string | null): Promise<void> {
    await this.redis.srem(this.setOf(campaignId), phone);
  }

  /** Copies rows added since the last call; returns how many. */
  async syncNew(batch = 5_000): Promise<number> {
    let total = 0;
    for (;;) {
      const r = await this.pool.query<{ id: string; phone: string; campaign_id: string | null }>(
        'SELECT id, phone, campaign_id FROM dnc WHERE id > $1 ORDER BY id LIMIT $2',
        [this.lastId, batch],
      );
      if (r.rows.length === 0) return total;
      const p = this.redis.pipeline();
      for (const row of r.rows) p.sadd(this.setOf(row.campaign_id), row.phone);
      await p.exec();
      this.lastId = r.rows[r.rows.length - 1]?.id ?? this.lastId;
      total += r.rows.length;
      if (r.rows.length < batch) return total;
    }
  }

  /**
   * Rebuilds every set from the table (the system-wide one and each campaign's), each into a
   * scratch set renamed over the live one (RENAME is atomic: readers see the old or the new set).
   * `campaignIds` are campaigns whose set must be emptied when the table has no row for them.
   */
  async rebuild(campaignIds: readonly string[] = [], batch = 20_000): Promise<void> {
    const scopes = new Map<string, string>(); // live key -> scratch key
    const scratch = (live: string, name: string): string => {
      let tmp = scopes.get(live);
      if (tmp === undefined) {
        tmp = this.keys.dncTmp(name);
        scopes.set(live, tmp);
      }
      return tmp;
    };
    scratch(this.keys.dncAll(), 'all');
    for (const c of campaignIds) scratch(this.keys.dncCampaign(c), `c:${c}`);
    await this.redis.del(...scopes.values());
    let after = '0';
    for (;;) {
      const r = await this.pool.query<{ id: string; phone: string; campaign_id: string | null }>(
        'SELECT id, phone, campaign_id FROM dnc WHERE id > $1 ORDER BY id LIMIT $2',
        [after, batch],
      );
      if (r.rows.length === 0) break;
      const p = this.redis.pipeline();
      for (const row of r.rows) {
        const c = row.campaign_id;
        const live = c === null ? this.keys.dncAll() : this.keys.dncCampaign(c);
        // A scratch set first met here may hold leftovers of a crashed rebuild: cleared first.
        if (!scopes.has(live)) p.del(scratch(live, `c:${c ?? ''}`));
        p.sadd(scratch(live, `c:${c ?? ''}`), row.phone);
      }
      await p.exec();
      after = r.rows[r.rows.length - 1]?.id ?? after;
      if (r.rows.length < batch) break;
    }
    for (const [live, tmp] of scopes) {
      if ((await this.redis.exists(tmp)) === 1) await this.redis.rename(tmp, live);
      else await this.redis.del(live);
    }
    // Rows committed after the scan may have reached the live sets and been lost in the rename:
    // copy everything above what the scan saw again.
    this.lastId = after;
    await this.syncNew();
    this.logger?.debug({ sets: scopes.size }, 'dnc cache rebuilt');
  }

  private setOf(campaignId: string | null): string {
    return campaignId === null ? this.keys.dncAll() : this.keys.dncCampaign(campaignId);
  }
}
