import type { LeadId, ListId } from '@ringside/protocol';
import type { JsonObject } from './json.js';

/**
 * Leads as the API and the agent's screen pop see them, and their lead_log history
 * (adapters/postgres/leads.ts, lead-log.ts). Not on the real-time path.
 */

/** How a lead's time zone was derived. */
export type TzSource = 'postal_code' | 'area_code' | 'country' | 'manual' | 'unknown';

/** Kinds written so far; free text in the table so later issues can add kinds. */
export type LeadLogKind =
  | 'imported'
  | 'queued'
  | 'dialed'
  | 'answered'
  | 'dropped'
  | 'disposed'
  | 'callback'
  | 'dnc'
  | 'recycled'
  | 'edited'
  /** A transfer handed the call to another agent (agent = the one who handed it over). */
  | 'transferred'
  | (string & {});

export interface LeadLogEntry {
  id: string;
  leadId: LeadId;
  at: Date;
  kind: LeadLogKind;
  callId: string | null;
  agentId: string | null;
  /** Ids and codes only: no phone numbers or names. */
  detail: JsonObject;
}

export interface NewLeadLogEntry {
  leadId: string;
  kind: LeadLogKind;
  /** Default: now (the database clock). */
  at?: Date;
  callId?: string | null;
  agentId?: string | null;
  detail?: JsonObject;
}

/** lead_log: every event in a lead's life, appended in bulk. */
export interface LeadLogRepo {
  append(entries: NewLeadLogEntry[]): Promise<void>;
  /** Oldest first. */
  forLead(leadId: string, opts?: { limit?: number }): Promise<LeadLogEntry[]>;
}

/** A lead's own fields (the ones a CSV column fills; LEAD_FIELDS in @ringside/protocol). */
export interface LeadFields {
  /** E.164. */
  phone: string;
  altPhones: string[];
  firstName: string | null;
  lastName: string | null;
  address: string | null;
  city: string | null;
  state: string | null;
  postalCode: string | null;
  country: string;
  /** The one zone when known; null when unknown or split (see Lead.tzCandidates). */
  timeZone: string | null;
}

export interface Lead extends LeadFields {
  id: LeadId;
  /**
   * The lead's override of the campaign's consent-notice rule (0130; domain/recording/policy.ts):
   * 'always' hears the notice, 'never' does not, null follows the campaign.
   */
  recordingConsent: 'always' | 'never' | null;
  /** Legal hold (0130): the lead's recordings are kept past retention while it is set. */
  legalHold: boolean;
  listId: ListId;
  tzCandidates: string[];
  tzSource: TzSource;
  status: string;
  final: boolean;
  attempts: number;
  lastCalledAt: Date | null;
  lastCallId: string | null;
  nextEligibleAt: Date;
  custom: JsonObject;
  createdAt: Date;
  updatedAt: Date;
}

export interface LeadSearch {
  /** Exact E.164 number (digits and a leading + only). */
  phone?: string;
  /** Prefix of the last name or first name, case-insensitive (at least 2 characters). */
  name?: string;
  listId?: string;
  campaignId?: string;
  /** Default 50, at most 500. */
  limit?: number;
}

export interface LeadsRepo {
  get(id: string): Promise<Lead | null>;
  /** Sets the lead's consent-notice override; NotFoundError when the lead is missing. */
  setRecordingConsent(id: string, consent: 'always' | 'never' | null): Promise<Lead>;
  search(q: LeadSearch): Promise<Lead[]>;
  /** The lead's lead_log, oldest first. */
  history(id: string, opts?: { limit?: number }): Promise<LeadLogEntry[]>;
}
