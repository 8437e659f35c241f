import { z } from 'zod';
import { Count } from './fields.js';
import { AgentId, CallId, CampaignId, EpochMs } from './ids.js';

/**
 * Call recording (issue 15; docs/recording.md). One recording per call, made of one segment per
 * agent the customer was bridged to; its life is told by `recording.changed`, the store's backlog
 * by `recording.backlog`.
 */

/**
 * Where a call's recording is. recording / paused: a segment is being written on Asterisk
 * (paused = muted for payment details: silence in the file); stopped: the last segment ended;
 * pending: waiting to be moved off Asterisk (storage down: retried); stored: moved, checked,
 * encrypted, deleted from Asterisk; failed: Asterisk produced no file; mismatch: the file's length
 * is not the bridged time (kept, flagged); purged: deleted by retention.
 */
export const RecordingState = z.enum([
  'recording',
  'paused',
  'stopped',
  'pending',
  'stored',
  'failed',
  'mismatch',
  'purged',
]);
export type RecordingState = z.infer<typeof RecordingState>;

/** Who caused the change. */
export const RecordingActor = z.enum(['agent', 'api', 'supervisor', 'system']);
export type RecordingActor = z.infer<typeof RecordingActor>;

export const RecordingChanged = z.object({
  type: z.literal('recording.changed'),
  callId: CallId,
  /** recordings.id (decimal string). */
  recordingId: z.string().regex(/^[1-9][0-9]{0,18}$/),
  campaignId: CampaignId,
  /** The agent whose segment this is (null once the call has ended). */
  agentId: AgentId.nullable(),
  state: RecordingState,
  /** The segment number (1, 2, ... one per agent's part) for recording/paused/stopped. */
  segment: z.number().int().positive().nullable(),
  by: RecordingActor,
  /** A short machine-readable cause for failed/mismatch/pending-after-error (no personal data). */
  error: z.string().max(200).nullable(),
  /**
   * True while the consent notice plays to the customer in the agent's bridge (state recording,
   * segment null): the agent hears nothing of the customer until it ends, then segment 1 starts.
   */
  consentPlaying: z.boolean().optional(),
  atMs: EpochMs,
});
export type RecordingChanged = z.infer<typeof RecordingChanged>;

/**
 * The recordings not yet moved off Asterisk (storage down, or a move failing): shown on the
 * supervisor screen and in metrics. Published by the mover when the backlog changes.
 */
export const RecordingBacklog = z.object({
  type: z.literal('recording.backlog'),
  pending: Count,
  /** Age of the oldest pending recording, ms (0 when none). */
  oldestMs: z.number().int().nonnegative(),
  /** False while the last attempt to write to storage failed. */
  storageOk: z.boolean(),
  lastError: z.string().max(200).nullable(),
  atMs: EpochMs,
});
export type RecordingBacklog = z.infer<typeof RecordingBacklog>;

/** A decimal database id (bigint), as the quality rows' ids travel. */
const RowId = z.string().regex(/^[1-9][0-9]{0,18}$/);

/**
 * Quality review (issue 15 point 8; docs/recording.md "Listening and quality review"): each
 * change the api role writes is one of these, published once on the `system` stream after the
 * write (services/quality/quality-service.ts). No comments or scores' text: ids and numbers.
 */

/** An admin saved a campaign's scorecard: its new version (created: the campaign's first). */
export const QualityScorecardSaved = z.object({
  type: z.literal('quality.scorecard_saved'),
  campaignId: CampaignId,
  scorecardId: RowId,
  version: z.number().int().positive(),
  change: z.enum(['created', 'updated']),
  /** How many criteria the new version has. */
  criteria: Count,
  userId: z.string().min(1).max(64),
  atMs: EpochMs,
});
export type QualityScorecardSaved = z.infer<typeof QualityScorecardSaved>;

/** A reviewer saved (created or edited) their review of a recording. */
export const QualityReviewSaved = z.object({
  type: z.literal('quality.review_saved'),
  recordingId: RowId,
  reviewId: RowId,
  callId: CallId,
  campaignId: CampaignId,
  /** The reviewed agent (a transfer's recording has several; the review names one). */
  agentId: AgentId.nullable(),
  reviewerId: z.string().min(1).max(64),
  scorecardId: RowId,
  /** The weighted score, 0-100. */
  scorePct: z.number().min(0).max(100),
  atMs: EpochMs,
});
export type QualityReviewSaved = z.infer<typeof QualityReviewSaved>;

/**
 * A person marked an AMD review recording (a MACHINE verdict kept for review) a person or a
 * machine. result: counted (the first mark, counted in the campaign's AMD audit), changed (the
 * count moved to the other side), unchanged (the same mark again: no count moved).
 */
export const AmdReviewMarked = z.object({
  type: z.literal('quality.amd_marked'),
  recordingId: RowId,
  callId: CallId,
  campaignId: CampaignId,
  mark: z.enum(['person', 'machine']),
  before: z.enum(['person', 'machine']).nullable(),
  result: z.enum(['counted', 'changed', 'unchanged']),
  userId: z.string().min(1).max(64),
  atMs: EpochMs,
});
export type AmdReviewMarked = z.infer<typeof AmdReviewMarked>;

/**
 * POST /api/calls/:callId/recording/start|pause|resume (docs/api.md): where the call's recording
 * is after the command.
 */
export const RecordingControlResponse = z.object({
  callId: CallId,
  recordingId: z.string().regex(/^[1-9][0-9]{0,18}$/),
  /** recording (a segment is being written, or the consent notice plays first), paused, stopped. */
  state: z.enum(['recording', 'paused', 'stopped']),
  /** The open segment's number, null before the first (the consent notice still playing). */
  segment: z.number().int().positive().nullable(),
  /** True while the consent notice plays to the customer; the recording starts after it. */
  consentPlaying: z.boolean(),
  /** Time paused so far on this call, ms (the pause running now included). */
  pausedMs: z.number().int().nonnegative(),
});
export type RecordingControlResponse = z.infer<typeof RecordingControlResponse>;
