/**
 * One ari-worker follows an Asterisk server at a time: the holder of the server's lease, a TTL it
 * renews (adapters/redis/ari-lease.ts AriServerLeases). Its standby takes the server when the
 * holder stops renewing (docs/scaling.md, "Every role twice").
 */
export interface ServerLeaseStore {
  /** This instance's owner id (written into the leases it holds). */
  readonly ownerId: string;
  /** Lease TTL, ms (real time). */
  readonly ttlMs: number;
  /** Takes the server's lease when free, renews it when ours; true when we hold it afterwards. */
  acquireOrRenew(serverId: string): Promise<boolean>;
  /** Gives the lease back when ours (a clean stop: the standby takes over at once). */
  give(serverId: string): Promise<void>;
  /** Who holds the server's lease now (null: nobody). */
  owner(serverId: string): Promise<string | null>;
}
