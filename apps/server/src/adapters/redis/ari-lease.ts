import type { Redis } from 'ioredis';
import type { ServerLeaseStore } from '../../ports/server-lease.js';
import type { RedisKeys } from './keys.js';
import { loadScripts, type Scripts } from './scripts.js';

/**
 * The ari-worker leases, one per Asterisk server (keys.ts ariLease): a key holding the owner's id
 * with a TTL, the same scheme as the dialer's campaign leases (dialer-state.ts CampaignLeases) and
 * the same two scripts (take-or-renew only when free or ours, release only when ours). The key is
 * in the `{calls}` slot so the call-write script can check it (RedisStateStore's fence).
 */
export class AriServerLeases implements ServerLeaseStore {
  private readonly scripts: Scripts;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    readonly ownerId: string,
    /** Lease TTL, ms (real time). */
    readonly ttlMs: number,
  ) {
    this.scripts = loadScripts(redis);
  }

  async acquireOrRenew(serverId: string): Promise<boolean> {
    const r = await this.scripts.dialerLeaseTake(
      [this.keys.ariLease(serverId)],
      [this.ownerId, this.ttlMs],
    );
    return Number(r) === 1;
  }

  async give(serverId: string): Promise<void> {
    await this.scripts.dialerLeaseRelease([this.keys.ariLease(serverId)], [this.ownerId]);
  }

  async owner(serverId: string): Promise<string | null> {
    return this.redis.get(this.keys.ariLease(serverId));
  }
}
