import type { Redis } from 'ioredis';
import type { CampaignId } from '@ringside/protocol';
import type { RedisKeys } from './keys.js';
import type { HopperPosition } from '../../ports/hopper.js';

/**
 * Reads a campaign's hopper (adapters/redis/hopper.ts layout) and finds a lead in pop order:
 * callbacks, then recycled, then new; ids that are tombstones (no entry) or leased are skipped,
 * like hopper-pop.lua does. Reads whole lists: for the screens, never the dialing path.
 */
export async function hopperPosition(
  redis: Redis,
  keys: RedisKeys,
  campaignId: CampaignId,
  leadId: string,
): Promise<HopperPosition> {
  const k = keys.hopper(campaignId);
  const r = await redis
    .pipeline()
    .lrange(k.callback, 0, -1)
    .lrange(k.recycle, 0, -1)
    .lrange(k.new, 0, -1)
    .hkeys(k.entries)
    .zrange(k.leases, 0, -1)
    .exec();
  const val = (i: number): string[] => {
    const [err, v] = r?.[i] ?? [null, []];
    if (err) throw err;
    return v as string[];
  };
  const entries = new Set(val(3));
  const leased = new Set(val(4));
  const seen = new Set<string>();
  let n = 0;
  let position: number | null = null;
  for (const q of [val(0), val(1), val(2)]) {
    for (const id of q) {
      if (seen.has(id) || !entries.has(id) || leased.has(id)) continue;
      seen.add(id);
      n++;
      if (id === leadId) position = n;
    }
  }
  return { position, leased: leased.has(leadId), size: n };
}
