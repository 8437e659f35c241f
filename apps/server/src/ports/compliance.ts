import type { CampaignId } from '@ringside/protocol';
import type { CallingWindow } from '../domain/calling-window.js';
import { fmtMinute, type StateRule } from '../domain/state-rules.js';

/**
 * Ports of the compliance capability (services/compliance): the dial attempts per number, the
 * state calling rules as stored, and what "why is this lead not being dialed?" reads.
 */

/** When each number was dialed in the last 24 hours, for the states' attempt caps. */
export interface DialAttempts {
  /** Dial instants (ms) of `phone` after `sinceMs`, oldest first. */
  recent(phone: string, sinceMs: number): Promise<number[]>;
  /** Notes a dial of `phone` at `atMs` (callId makes each attempt one member). */
  record(phone: string, atMs: number, callId: string): Promise<void>;
}

/** A state rule as stored, with who changed it last. */
export interface StoredStateRule extends StateRule {
  updatedAtMs: number;
  updatedBy: string | null;
}

/** Days as stored: ["HH:MM","HH:MM"] or null, Sunday first. */
export const daysJson = (
  days: ReadonlyArray<CallingWindow | null>,
): Array<[string, string] | null> =>
  days.map((d) => (d ? [fmtMinute(d.startMinute), fmtMinute(d.endMinute)] : null));

/** state_calling_rules: read by the rule caches, written by the admin API (adapters/postgres). */
export interface StateRulesRepo {
  list(): Promise<StoredStateRule[]>;
  get(state: string): Promise<StoredStateRule | null>;
  /** Creates or replaces the rule of `rule.state`; `userId` is who changed it. */
  put(rule: StateRule, userId: string | null): Promise<StoredStateRule>;
  /** False when there was no rule for the state. */
  delete(state: string): Promise<boolean>;
}

/** A lead with its list and campaign, as the explainer reads it (one row; snake_case columns). */
export interface WhyNotDialedLead {
  id: string;
  phone: string;
  state: string | null;
  postal_code: string | null;
  country: string;
  tz_candidates: string[];
  status: string;
  final: boolean;
  attempts: number;
  /** Null when infinite: see next_eligible_inf. */
  next_eligible_at: Date | null;
  /** 1: never again ('infinity'), -1: new ('-infinity'), 0: a finite instant. */
  next_eligible_inf: number;
  hopper_at: Date | null;
  list_id: string;
  list_name: string;
  list_active: boolean;
  campaign_id: string;
  campaign_name: string;
  campaign_active: boolean;
  /** 'HH:MM:SS', the lead's local time. */
  window_start: string;
  window_end: string;
  max_attempts: number;
  rules: Array<{ status: string; delay_s: number; max_attempts: number }>;
}

/**
 * What "why is this lead not being dialed?" reads from PostgreSQL (for the screens, never the
 * dialing path; adapters/postgres/why-not-dialed.ts).
 */
export interface WhyNotDialedSource {
  /** Null when the lead does not exist. */
  lead(leadId: string): Promise<WhyNotDialedLead | null>;
  /** The number's DNC entries that apply to the campaign, system-wide ones first. */
  dncEntries(
    phone: string,
    campaignId: CampaignId,
  ): Promise<Array<{ campaign_id: string | null; source: string; added_at: Date }>>;
  /** The lead's pending and queued callbacks, soonest first. */
  openCallbacks(
    leadId: string,
  ): Promise<Array<{ due_at: Date; agent_id: string | null; status: string }>>;
  /** Whether the campaign checks the national DNC registry (false only when turned off). */
  scrubsNationalDnc(campaignId: string): Promise<boolean>;
}
