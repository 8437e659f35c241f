import type { Redis } from 'ioredis';
import type { DncRebuild, DncRow, DncSets } from '../../ports/dialer.js';
import type { RedisKeys } from './keys.js';

/**
 * The do-not-call sets the dial-time check reads (keys.ts dncAll, dncCampaign, dncTmp): one
 * SISMEMBER pair in a pipeline per check, and a rebuild into scratch sets renamed over the live
 * ones (RENAME is atomic: readers see the old or the new set). What to copy and when is the
 * service's (services/dialer/dnc-cache.ts).
 */
export class RedisDncSets implements DncSets {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async isListed(phone: string, campaignId: string): Promise<boolean> {
    const r = await this.redis
      .pipeline()
      .sismember(this.keys.dncAll(), phone)
      .sismember(this.keys.dncCampaign(campaignId), phone)
      .exec();
    return (r ?? []).some(([err, v]) => {
      if (err) throw err;
      return Number(v) === 1;
    });
  }

  async add(phone: string, campaignId: string | null): Promise<void> {
    await this.redis.sadd(this.setOf(campaignId), phone);
  }

  async remove(phone: string, campaignId: string | null): Promise<void> {
    await this.redis.srem(this.setOf(campaignId), phone);
  }

  async addMany(rows: readonly DncRow[]): Promise<void> {
    const p = this.redis.pipeline();
    for (const row of rows) p.sadd(this.setOf(row.campaignId), row.phone);
    await p.exec();
  }

  rebuild(campaignIds: readonly string[]): DncRebuild {
    const redis = this.redis;
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
    // Scratch sets of a crashed rebuild are cleared before the first rows go in.
    let cleared: Promise<unknown> | null = null;
    const clear = () => (cleared ??= redis.del(...scopes.values()));
    return {
      addMany: async (rows) => {
        await clear();
        const p = redis.pipeline();
        for (const row of rows) {
          const c = row.campaignId;
          const live = c === null ? this.keys.dncAll() : this.keys.dncCampaign(c);
          // A scratch set first met here may hold leftovers of a crashed rebuild: cleared first.
          if (!scopes.has(live)) p.del(scratch(live, `c:${c ?? ''}`));
          p.sadd(scratch(live, `c:${c ?? ''}`), row.phone);
        }
        await p.exec();
      },
      commit: async () => {
        await clear();
        for (const [live, tmp] of scopes) {
          if ((await redis.exists(tmp)) === 1) await redis.rename(tmp, live);
          else await redis.del(live);
        }
        return scopes.size;
      },
    };
  }

  private setOf(campaignId: string | null): string {
    return campaignId === null ? this.keys.dncAll() : this.keys.dncCampaign(campaignId);
  }
}
