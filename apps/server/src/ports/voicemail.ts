import type {
  CallId,
  CampaignId,
  LeadId,
  VoicemailMessage,
  VoicemailOutcome,
  VoicemailSettingsPatch,
  VoicemailView,
} from '@ringside/protocol';

/**
 * What the voicemail drop and its admin routes need from storage (docs/recording.md, "Voicemail
 * drop"); adapters/postgres/voicemail.ts implements every part.
 */

/** A campaign's drop as stored: its settings and its message's media. Durations in ms. */
export interface StoredDropPlan {
  /** none: play at once; greeting_end: wait for the greeting to end first. */
  wait: 'none' | 'greeting_end';
  /** The longest wait for the greeting's end. */
  maxWaitMs: number;
  /** The wait ran out with the greeting still going: leave the message anyway, or hang up. */
  noBeepAction: 'leave' | 'hangup';
  /** The media URI Asterisk plays; null when the campaign has no message at all. */
  media: string | null;
  /** vm_messages.id, null for a plain media URI. */
  messageId: string | null;
  /** The message's length (null: unknown). */
  messageMs: number | null;
  /** Share of acted-on MACHINE verdicts recorded for the AMD review, percent. */
  amdReviewPct: number;
}

/** The recordings rows of the AMD review's recordings. */
export interface ReviewStore {
  /** False when the lead's number is on a do-not-call list now: never recorded. */
  mayRecord(leadId: LeadId, campaignId: CampaignId): Promise<boolean>;
  /** Inserts the recording (state recording, reason amd_review) and its segment; its id. */
  started(r: {
    callId: CallId;
    campaignId: CampaignId;
    leadId: LeadId;
    serverId: string;
    name: string;
    atMs: number;
  }): Promise<string>;
  /**
   * The call ended: the segment finished, the recording pending with bridged_ms = `recordedMs`
   * (null: the time since the start).
   */
  ended(recordingId: string, atMs: number, recordedMs: number | null): Promise<void>;
}

/** The dialer's voicemail store. */
export interface VoicemailStore extends ReviewStore {
  plan(campaignId: CampaignId): Promise<StoredDropPlan>;
  /** call_log.vm_outcome of the call. */
  recordOutcome(callId: CallId, outcome: VoicemailOutcome): Promise<void>;
}

/** A converted message to keep. */
export interface NewVmMessage {
  campaignId: CampaignId;
  name: string;
  sourceFormat: 'wav' | 'mp3';
  durationMs: number;
  audio: Buffer;
  createdBy: string | null;
}

/** What the admin routes need (routes/voicemail.ts). */
export interface VoicemailApi {
  view(campaignId: CampaignId): Promise<VoicemailView>;
  addMessage(m: NewVmMessage): Promise<VoicemailMessage>;
  /** Applies a settings change; the names of the campaign fields that changed. */
  update(campaignId: CampaignId, p: VoicemailSettingsPatch): Promise<string[]>;
  /** A message's converted audio in a campaign (the admin's preview); null: none. */
  audio(campaignId: CampaignId, messageId: string): Promise<Buffer | null>;
  /** A message's converted audio by its media token (Asterisk's fetch); null: none. */
  audioByToken(token: string): Promise<Buffer | null>;
}
