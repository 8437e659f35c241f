import type { CampaignId, E164, LeadId, ListId } from '@ringside/protocol';
import type { CallingWindow, RecycleRule } from '../domain/calling-window.js';

/** Priority classes, highest first. */
export type HopperPriority = 'callback' | 'recycle' | 'new';
export const HOPPER_PRIORITIES: ReadonlyArray<HopperPriority> = ['callback', 'recycle', 'new'];

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
  /**
   * USPS codes of every state whose calling rules apply (address, ZIP, area code; state-rules.ts);
   * absent on entries queued before it existed: the dialer then uses the area code's state.
   */
  states?: string[];
}

export interface HopperLease {
  entry: HopperEntry;
  consumerId: string;
  expiresAtMs: number;
}

/**
 * Per-campaign queue of the next leads to dial, in Redis. Popping is atomic and O(1) and leases
 * the lead: ack() when it has been dialed, release() to put it back; a lease not acked before it
 * expires returns the lead to the hopper exactly once (reclaimExpired).
 *
 * Order: every queued `callback` entry before any `recycle`, before any `new`; FIFO within a
 * class, except that released and reclaimed leads go back to the head of their class.
 * An entry whose `windowClosesAtMs` has passed is never popped; removeClosed() takes it out.
 */
export interface Hopper {
  /** Leads queued and not leased (what the filler tops up). */
  size(campaignId: CampaignId): Promise<number>;
  /** Leads currently leased by some consumer. */
  leasedCount(campaignId: CampaignId): Promise<number>;
  /**
   * Takes the next lead and leases it to `consumerId` until nowMs + leaseMs. Null when no
   * lead is queued (or every queued one's window has closed).
   */
  pop(
    campaignId: CampaignId,
    consumerId: string,
    leaseMs: number,
    nowMs: number,
  ): Promise<HopperLease | null>;
  /**
   * Pops up to `count` leads in one atomic step (same order and leases as `count` pops): the
   * dialer takes the N leads its pacing asks for in one round trip.
   */
  popMany(
    campaignId: CampaignId,
    consumerId: string,
    count: number,
    leaseMs: number,
    nowMs: number,
  ): Promise<HopperLease[]>;
  /**
   * The lead was dialed: forget it. With `consumerId`, only when that consumer still holds the
   * lease (a late ack after the lease expired and moved on does nothing). True when acked.
   */
  ack(campaignId: CampaignId, leadId: LeadId, consumerId?: string): Promise<boolean>;
  /** Not dialed after all: back to the head of its class. Same `consumerId` rule as ack(). */
  release(campaignId: CampaignId, leadId: LeadId, consumerId?: string): Promise<boolean>;
  /**
   * Queues entries (of this campaign) not already in the hopper, at the tail of their class.
   * Returns how many were added.
   */
  add(campaignId: CampaignId, entries: ReadonlyArray<HopperEntry>): Promise<number>;
  /**
   * Puts every lease that expired at or before nowMs back at the head of its class and returns
   * those entries. Atomic: with concurrent reclaimers each expired lease is returned exactly once.
   */
  reclaimExpired(campaignId: CampaignId, nowMs: number): Promise<HopperEntry[]>;
  /**
   * Removes queued (not leased) entries whose window closed at or before nowMs and returns them,
   * so the caller can clear their `hopper_at` mark in PostgreSQL.
   */
  removeClosed(campaignId: CampaignId, nowMs: number): Promise<HopperEntry[]>;
  /** Every entry of the campaign, queued or leased (state rebuild, tests). */
  entries(campaignId: CampaignId): Promise<HopperEntry[]>;
  /** Drops the whole hopper of a campaign (campaign stopped, rebuild). */
  clear(campaignId: CampaignId): Promise<void>;
}

/**
 * Asks for an immediate refill of a campaign's hopper (the dialer calls it when the hopper runs
 * low). Deduplicated: many requests while one is pending make one refill.
 */
export interface HopperRefillRequester {
  request(campaignId: CampaignId): Promise<void>;
}

/** What the hopper filler needs to know about an active campaign. */
export interface HopperCampaign {
  id: CampaignId;
  hopperSize: number;
  window: CallingWindow;
  maxAttempts: number;
  listIds: ListId[];
  /** Recycle rules by last status (campaign_recycle_rules). */
  rules: Record<string, RecycleRule>;
}

/** A lead taken from PostgreSQL for the hopper (its hopper_at is now set). */
export interface TakenLead {
  leadId: LeadId;
  listId: ListId;
  phone: E164;
  tzCandidates: string[];
  tzKey: string;
  attempts: number;
  priority: HopperPriority;
  /** Where the lead is, for the state rules (statesOfLead). */
  state: string | null;
  postalCode: string | null;
  country: string | null;
}

/**
 * The database side of the hopper: which leads may enter, and their in-hopper marks
 * (adapters/postgres/hopper-source.ts PgHopperSource). A mark keeps two fillers from taking the
 * same lead; it is cleared when the lead leaves the hopper undialed or is dialed.
 */
export interface HopperSource {
  /** Active campaigns with their active lists and recycle rules. */
  activeCampaigns(): Promise<HopperCampaign[]>;
  /** Distinct tz_keys among the leads of these lists that are not final nor in a hopper. */
  tzKeys(listIds: ReadonlyArray<ListId>): Promise<string[]>;
  /**
   * Takes up to `limit` eligible leads and marks them in one statement. `dialableKeys` are the
   * tz_keys inside the calling window now (never '').
   */
  take(
    c: HopperCampaign,
    dialableKeys: ReadonlyArray<string>,
    limit: number,
    now: Date,
  ): Promise<TakenLead[]>;
  /**
   * Leads just taken that a state rule keeps from being dialed now: marks cleared, and they wait
   * until `untilMs` (epoch ms) at the earliest. Returns how many leads.
   */
  defer(leads: ReadonlyArray<{ leadId: LeadId; untilMs: number }>): Promise<number>;
  /** Clears the marks of leads that left the hopper undialed. Returns how many leads. */
  clearMarks(leadIds: ReadonlyArray<LeadId>): Promise<number>;
  /** Clears every mark of a campaign except those of `keep` (the leads still in its hopper). */
  clearCampaignMarks(campaignId: CampaignId, keep?: ReadonlyArray<LeadId>): Promise<number>;
  /**
   * The dialer dialed these leads: counts the attempt, clears the mark and holds the lead back
   * for `provisionalDelayMs` until the call's outcome sets when it may be dialed again.
   */
  markDialed(
    leadIds: ReadonlyArray<LeadId>,
    now: Date,
    provisionalDelayMs?: number,
  ): Promise<number>;
}

/** Where a lead stands in its campaign's hopper, for "why is this lead not being dialed?". */
export interface HopperPosition {
  /** 1-based place among the queued (not leased) leads in pop order; null: not queued. */
  position: number | null;
  /** A dialer holds it (popped, being dialed). */
  leased: boolean;
  /** Queued leads in the hopper. */
  size: number;
}
