import { z } from 'zod';
import { CallId, CampaignId, EpochMs, LeadId } from './ids.js';

/**
 * Voicemail drop (issue 15, point 7; docs/recording.md, "Voicemail drop"): on a MACHINE verdict
 * given the campaign's message, the dialer may wait for the greeting's end (talk detection over
 * ARI), plays the message and hangs up. The ARI worker reports what talk detection hears
 * (`call.talking`); the dialer reports how the drop ended (`call.voicemail`), once per call.
 */

/**
 * Talk detection on a call's customer channel (Asterisk's TALK_DETECT: ChannelTalkingStarted and
 * ChannelTalkingFinished), published by the ARI worker only for channels it was set on.
 */
export const CallTalking = z.object({
  type: z.literal('call.talking'),
  callId: CallId,
  /** true: talking started; false: it stopped (after the silence threshold). */
  talking: z.boolean(),
  /** How long the talking lasted, ms (on the finish; null on the start). */
  durationMs: z.number().int().nonnegative().nullable(),
  atMs: EpochMs,
});
export type CallTalking = z.infer<typeof CallTalking>;

/**
 * How a voicemail drop ended. VM_LEFT: the message played to its end after the greeting ended
 * (or at once, when the campaign does not wait); VM_NO_BEEP: the greeting had not ended when the
 * campaign's wait ran out (the message was then left anyway or not at all, per the campaign);
 * VM_FAILED: the message could not be played or was cut (the far end hung up first).
 */
export const VoicemailOutcome = z.enum(['VM_LEFT', 'VM_NO_BEEP', 'VM_FAILED']);
export type VoicemailOutcome = z.infer<typeof VoicemailOutcome>;

export const CallVoicemail = z.object({
  type: z.literal('call.voicemail'),
  callId: CallId,
  campaignId: CampaignId,
  leadId: LeadId,
  outcome: VoicemailOutcome,
  /** Time from the verdict to the message's start, ms (null: it never started). */
  waitedMs: z.number().int().nonnegative().nullable(),
  /** Whether the message was played to its end. */
  played: z.boolean(),
  /** vm_messages.id (decimal string) of the message, null for a plain media URI. */
  messageId: z
    .string()
    .regex(/^[1-9][0-9]{0,18}$/)
    .nullable(),
  atMs: EpochMs,
});
export type CallVoicemail = z.infer<typeof CallVoicemail>;

/** A campaign's voicemail message, as the admin screens list it. */
export const VoicemailMessage = z.object({
  id: z.string().regex(/^[1-9][0-9]{0,18}$/),
  campaignId: CampaignId,
  name: z.string().min(1).max(100),
  sourceFormat: z.enum(['wav', 'mp3']),
  durationMs: z.number().int().positive(),
  sizeBytes: z.number().int().positive(),
  createdAtMs: EpochMs,
});
export type VoicemailMessage = z.infer<typeof VoicemailMessage>;

/** A campaign's voicemail drop settings (campaign columns of migration 0145). */
export const VoicemailSettings = z.object({
  /** The message left (vm_messages.id), null: none chosen. */
  messageId: z
    .string()
    .regex(/^[1-9][0-9]{0,18}$/)
    .nullable(),
  /** none: play at once after the verdict; greeting_end: wait for the greeting's end first. */
  wait: z.enum(['none', 'greeting_end']),
  /** The longest wait for the greeting's end, s. */
  maxWaitS: z.number().int().min(5).max(120),
  /** The greeting never ended within the wait: leave the message anyway, or hang up. */
  noBeepAction: z.enum(['leave', 'hangup']),
  /** Share of acted-on MACHINE verdicts recorded for the AMD review list, percent. */
  amdReviewPct: z.number().int().min(0).max(100),
});
export type VoicemailSettings = z.infer<typeof VoicemailSettings>;

export const VoicemailSettingsPatch = VoicemailSettings.partial();
export type VoicemailSettingsPatch = z.infer<typeof VoicemailSettingsPatch>;

/** GET /api/campaigns/:id/voicemail: the settings and the campaign's messages, newest first. */
export const VoicemailView = z.object({
  settings: VoicemailSettings,
  messages: z.array(VoicemailMessage),
});
export type VoicemailView = z.infer<typeof VoicemailView>;

/** POST /api/campaigns/:id/voicemail/messages query: the message's name, the file's format. */
export const VoicemailUploadQuery = z.object({
  name: z.string().trim().min(1).max(100),
});
export type VoicemailUploadQuery = z.infer<typeof VoicemailUploadQuery>;
