import type { CampaignId, E164, LeadId, ListId } from '@ringside/protocol';

/** Priority classes, highest first. */
export type HopperPriority = 'callback' | 'recycle' | 'new';

/** A lead ready to dial, as the dialer receives it; carries all it needs to originate. */
export interface HopperEntry {
  leadId: LeadId;
  listId: ListId;
  campaignId: CampaignId;
  phone: E164;
  /** Candidate IANA zones; every one must be inside the calling window at dial time. */
  timeZones: string[];
  priority: HopperPriority;
  /** Attempts so far (this dial will be attempt + 1). */
  attempts: number;
  /** When the first candidate zone leaves the calling window; the lead leaves the hopper then. */
  windowClosesAtMs: number;
}

export interface HopperLease {
  entry: HopperEntry;
  consumerId: string;
  expiresAtMs: number;
}

/**
 * Per-campaign queue of the next leads to dial, in Redis. Popping is atomic and O(1) and leases
 * the lead: ack() when it has been dialed, release() to put it back; a lease not acked before it
 * expires returns the lead to the hopper exactly once.
 */
export interface Hopper {
  size(campaignId: CampaignId): Promise<number>;
  pop(
    campaignId: CampaignId,
    consumerId: string,
    leaseMs: number,
    nowMs: number,
  ): Promise<HopperLease | null>;
  ack(campaignId: CampaignId, leadId: LeadId): Promise<boolean>;
  release(campaignId: CampaignId, leadId: LeadId): Promise<boolean>;
}
