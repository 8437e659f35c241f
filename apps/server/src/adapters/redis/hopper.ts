import type { Redis } from 'ioredis';
import type { CampaignId, LeadId } from '@ringside/protocol';
import { ValidationError } from '../../errors.js';
import type { Hopper, HopperEntry, HopperLease } from '../../ports/hopper.js';
import { HopperEntrySchema, parseHopperEntry } from './codec.js';
import { RedisKeys, type HopperKeys } from './keys.js';
import { loadScripts, type Scripts } from './scripts.js';

export interface RedisHopperOptions {
  /** REDIS_PREFIX (config.redisPrefix). */
  prefix: string;
  /** Entries per hopper-add script call (bounds how long one script holds Redis). */
  addChunk?: number;
  /** Leases / closed entries handled per script run. */
  sweepLimit?: number;
  /**
   * Called after every pop with the number of leads still queued, so the dialer can ask for an
   * immediate refill when a hopper runs low (HopperRefillRequester). Must not throw.
   */
  onPopped?: (campaignId: CampaignId, queued: number) => void;
}

/** The entries a sweep script (reclaim, remove-closed) took out of the hopper. */
const swept = (out: unknown): HopperEntry[] => (out as string[]).map(parseHopperEntry);

/**
 * Hopper on Redis: per campaign, three lists of lead ids (one per priority class), a hash of
 * entries, a zset of window closing times and a zset of lease expiries; every operation is one
 * Lua script on the campaign's `{hopper:<id>}` slot (see lua/hopper-*.lua).
 */
export class RedisHopper implements Hopper {
  private readonly keys: RedisKeys;
  private readonly scripts: Scripts;
  private readonly addChunk: number;
  private readonly sweepLimit: number;
  private readonly onPopped: RedisHopperOptions['onPopped'];
  /** Pop's KEYS per campaign, built once: pop is the hot path. */
  private readonly popKeys = new Map<CampaignId, string[]>();

  constructor(
    private readonly redis: Redis,
    opts: RedisHopperOptions,
  ) {
    this.keys = new RedisKeys(opts.prefix);
    this.scripts = loadScripts(redis);
    this.addChunk = opts.addChunk ?? 500;
    this.sweepLimit = opts.sweepLimit ?? 10_000;
    this.onPopped = opts.onPopped;
  }

  async size(campaignId: CampaignId): Promise<number> {
    return (await this.counts(campaignId))[0];
  }

  async leasedCount(campaignId: CampaignId): Promise<number> {
    return (await this.counts(campaignId))[1];
  }

  async pop(
    campaignId: CampaignId,
    consumerId: string,
    leaseMs: number,
    nowMs: number,
  ): Promise<HopperLease | null> {
    return (await this.popMany(campaignId, consumerId, 1, leaseMs, nowMs))[0] ?? null;
  }

  async popMany(
    campaignId: CampaignId,
    consumerId: string,
    count: number,
    leaseMs: number,
    nowMs: number,
  ): Promise<HopperLease[]> {
    if (count <= 0) return [];
    let keys = this.popKeys.get(campaignId);
    if (!keys) {
      const k = this.keys.hopper(campaignId);
      keys = [k.callback, k.recycle, k.new, k.entries, k.closes, k.leases, k.owners];
      if (this.popKeys.size > 10_000) this.popKeys.clear();
      this.popKeys.set(campaignId, keys);
    }
    const expiresAtMs = nowMs + leaseMs;
    const [queued, ...out] = (await this.scripts.hopperPop(keys, [
      consumerId,
      expiresAtMs,
      nowMs,
      count,
    ])) as [number, ...string[]];
    this.onPopped?.(campaignId, queued);
    return out.map((json) => ({ entry: parseHopperEntry(json), consumerId, expiresAtMs }));
  }

  async ack(campaignId: CampaignId, leadId: LeadId, consumerId?: string): Promise<boolean> {
    return this.settle('ack', campaignId, leadId, consumerId);
  }

  async release(campaignId: CampaignId, leadId: LeadId, consumerId?: string): Promise<boolean> {
    return this.settle('release', campaignId, leadId, consumerId);
  }

  async add(campaignId: CampaignId, entries: ReadonlyArray<HopperEntry>): Promise<number> {
    const k = this.keys.hopper(campaignId);
    let added = 0;
    for (let i = 0; i < entries.length; i += this.addChunk) {
      const argv: Array<string | number> = [];
      for (const e of entries.slice(i, i + this.addChunk)) {
        if (e.campaignId !== campaignId) {
          throw new ValidationError('hopper entry of another campaign', [
            { path: 'campaignId', message: `lead ${e.leadId} belongs to ${e.campaignId}` },
          ]);
        }
        const valid = HopperEntrySchema.parse(e);
        argv.push(valid.leadId, valid.priority, valid.windowClosesAtMs, JSON.stringify(valid));
      }
      added += Number(
        await this.scripts.hopperAdd([k.entries, k.closes, k.callback, k.recycle, k.new], argv),
      );
    }
    return added;
  }

  async reclaimExpired(campaignId: CampaignId, nowMs: number): Promise<HopperEntry[]> {
    const k = this.keys.hopper(campaignId);
    const keys = [k.entries, k.leases, k.owners, k.callback, k.recycle, k.new];
    return swept(await this.scripts.hopperReclaim(keys, [nowMs, this.sweepLimit]));
  }

  async removeClosed(campaignId: CampaignId, nowMs: number): Promise<HopperEntry[]> {
    const k = this.keys.hopper(campaignId);
    const keys = [k.entries, k.closes, k.leases, k.callback, k.recycle, k.new];
    return swept(await this.scripts.hopperRemoveClosed(keys, [nowMs, this.sweepLimit]));
  }

  async entries(campaignId: CampaignId): Promise<HopperEntry[]> {
    const all = await this.redis.hvals(this.keys.hopper(campaignId).entries);
    return all.map(parseHopperEntry);
  }

  async clear(campaignId: CampaignId): Promise<void> {
    await this.redis.del(...Object.values(this.keys.hopper(campaignId)));
  }

  /** The hopper keys of a campaign (benchmarks measure their memory). */
  keysOf(campaignId: CampaignId): HopperKeys {
    return this.keys.hopper(campaignId);
  }

  private async counts(campaignId: CampaignId): Promise<[number, number]> {
    const k = this.keys.hopper(campaignId);
    const [queued, leased] = (await this.scripts.hopperSize([k.entries, k.leases], [])) as [
      number,
      number,
    ];
    return [queued, leased];
  }

  private async settle(
    mode: 'ack' | 'release',
    campaignId: CampaignId,
    leadId: LeadId,
    consumerId: string | undefined,
  ): Promise<boolean> {
    const k = this.keys.hopper(campaignId);
    const res = await this.scripts.hopperSettle(
      [k.entries, k.closes, k.leases, k.owners, k.callback, k.recycle, k.new],
      [mode, leadId, consumerId ?? ''],
    );
    return Number(res) === 1;
  }
}
