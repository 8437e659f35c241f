import { z } from 'zod';
import { Count } from './fields.js';
import { NumericId } from './http.js';

/**
 * Listening and quality review (issue 15 points 6 and 8; docs/recording.md "Listening and quality
 * review"): the recordings a person may hear with their segments and marks, the player's
 * waveform, per-campaign scorecards, reviews, scores, and the AMD review list. Instants travel as
 * epoch ms in answers and as ISO 8601 strings in query strings, as in the reports.
 */

const Ms = z.number().int().nonnegative();

const Instant = z.iso
  .datetime({ offset: true })
  .transform((s) => Date.parse(s))
  .describe('ISO 8601 instant, e.g. 2026-01-01T00:00:00Z');

/** Where a stored recording is, as the player sees it (recordings.state, 0130). */
export const RecordingRowState = z.enum([
  'recording',
  'pending',
  'stored',
  'failed',
  'mismatch',
  'purged',
]);
export type RecordingRowState = z.infer<typeof RecordingRowState>;

export const RecordingReason = z.enum(['policy', 'sampled', 'on_demand', 'amd_review']);
export type RecordingReason = z.infer<typeof RecordingReason>;

export const RecordingMarkKind = z.enum([
  'pause',
  'resume',
  'transfer',
  'barge_start',
  'barge_end',
  'consent',
]);
export type RecordingMarkKind = z.infer<typeof RecordingMarkKind>;

export const RecordingSegmentView = z.object({
  seq: z.number().int().positive(),
  agentId: NumericId.nullable(),
  /** Where the segment starts in the file, ms. */
  offsetMs: Ms,
  durationMs: Ms.nullable(),
  startedAtMs: Ms,
});
export type RecordingSegmentView = z.infer<typeof RecordingSegmentView>;

export const RecordingMarkView = z.object({
  kind: RecordingMarkKind,
  /** Offset into the file, ms. */
  offsetMs: Ms,
  atMs: Ms,
  source: z.enum(['agent', 'api', 'supervisor', 'system']),
});
export type RecordingMarkView = z.infer<typeof RecordingMarkView>;

export const RecordingView = z.object({
  id: NumericId,
  callId: z.string(),
  campaignId: NumericId,
  leadId: NumericId.nullable(),
  state: RecordingRowState,
  reason: RecordingReason,
  startedAtMs: Ms,
  endedAtMs: Ms.nullable(),
  durationMs: Ms.nullable(),
  pausedMs: Ms,
  /** The plain WAV's length in bytes once stored. */
  sizeBytes: Count.nullable(),
  legalHold: z.boolean(),
  /** A short machine-readable cause for failed / mismatch (no personal data). */
  lastError: z.string().nullable(),
  /** The audio route answers (stored, or mismatch kept with its file). */
  playable: z.boolean(),
  segments: z.array(RecordingSegmentView),
  marks: z.array(RecordingMarkView),
});
export type RecordingView = z.infer<typeof RecordingView>;

export const RecordingIdParams = z.object({ id: NumericId });
export const RecordingCallParams = z.object({ callId: z.string().min(1).max(64) });
export const RecordingLeadParams = z.object({ leadId: NumericId });

export const RECORDING_PAGE_MAX = 100;

export const RecordingSearchQuery = z
  .object({
    campaignId: NumericId.optional(),
    agentId: NumericId.optional(),
    from: Instant.optional(),
    to: Instant.optional(),
    state: RecordingRowState.optional(),
    reason: RecordingReason.optional(),
    /** 1-based page. */
    page: z.coerce.number().int().min(1).max(10_000).default(1),
    pageSize: z.coerce.number().int().min(1).max(RECORDING_PAGE_MAX).default(25),
  })
  .superRefine((q, ctx) => {
    if (q.from !== undefined && q.to !== undefined && !(q.to > q.from))
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'to must be after from' });
  });
export type RecordingSearchQuery = z.output<typeof RecordingSearchQuery>;

export const RecordingList = z.object({
  recordings: z.array(RecordingView),
  page: z.number().int().positive(),
  pageSize: z.number().int().positive(),
  /** More rows after this page. */
  hasMore: z.boolean(),
});
export type RecordingList = z.infer<typeof RecordingList>;

export const RecordingAudioQuery = z.object({
  /** 1: as an attachment (audited as a download). */
  download: z.enum(['0', '1']).optional(),
});

/**
 * The waveform of a recording: `peaks` holds `buckets` pairs [min, max] of the samples in each
 * bucket, scaled to -127..127, interleaved (min0, max0, min1, max1, ...).
 */
export const RecordingPeaks = z.object({
  recordingId: NumericId,
  durationMs: Ms,
  buckets: z.number().int().positive(),
  peaks: z.array(z.number().int().min(-127).max(127)),
});
export type RecordingPeaks = z.infer<typeof RecordingPeaks>;

// ---------------------------------------------------------------------------------------------
// Quality review

export const CriterionKind = z.enum(['yes_no', 'scale_5']);
export type CriterionKind = z.infer<typeof CriterionKind>;

export const SCORECARD_MAX_CRITERIA = 30;

export const ScorecardCriterionInput = z.object({
  label: z.string().trim().min(1, 'a criterion needs a label').max(120),
  /** A whole number 1-100; the weights of a scorecard add up to 100. */
  weight: z
    .number({ error: 'weight must be a whole number from 1 to 100' })
    .int('weight must be a whole number from 1 to 100')
    .min(1, 'weight must be a whole number from 1 to 100')
    .max(100, 'weight must be a whole number from 1 to 100'),
  kind: CriterionKind,
});
export type ScorecardCriterionInput = z.infer<typeof ScorecardCriterionInput>;

export const ScorecardPut = z
  .object({
    criteria: z
      .array(ScorecardCriterionInput)
      .min(1, 'a scorecard needs at least one criterion')
      .max(SCORECARD_MAX_CRITERIA, `a scorecard has at most ${SCORECARD_MAX_CRITERIA} criteria`),
  })
  .superRefine((s, ctx) => {
    const seen = new Map<string, number>();
    s.criteria.forEach((c, i) => {
      const key = c.label.toLowerCase();
      const first = seen.get(key);
      if (first !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['criteria', i, 'label'],
          message: `"${c.label}" is already criterion ${first + 1}`,
        });
      else seen.set(key, i);
    });
    const total = s.criteria.reduce((a, c) => a + (Number.isInteger(c.weight) ? c.weight : 0), 0);
    if (total !== 100)
      ctx.addIssue({
        code: 'custom',
        path: ['criteria'],
        message: `the weights must add up to 100 (they add up to ${total})`,
      });
  });
export type ScorecardPut = z.infer<typeof ScorecardPut>;

export const ScorecardCriterion = ScorecardCriterionInput.extend({ id: NumericId });
export type ScorecardCriterion = z.infer<typeof ScorecardCriterion>;

export const Scorecard = z.object({
  campaignId: NumericId,
  /** Null until an admin saves the first one. */
  id: NumericId.nullable(),
  version: z.number().int().nonnegative(),
  criteria: z.array(ScorecardCriterion),
  updatedAtMs: Ms.nullable(),
});
export type Scorecard = z.infer<typeof Scorecard>;

export const CampaignIdParams = z.object({ campaignId: NumericId });

/** yes_no: 0 (no) or 1 (yes); scale_5: 1-5. */
export const ReviewScoreInput = z.object({
  criterionId: NumericId,
  value: z.number().int().min(0).max(5),
});

export const ReviewPut = z.object({
  scores: z.array(ReviewScoreInput).max(SCORECARD_MAX_CRITERIA),
  comment: z.string().max(4000).default(''),
  /** The agent whose part is reviewed: one of the recording's segments' agents (default: the first). */
  agentId: NumericId.optional(),
});
export type ReviewPut = z.infer<typeof ReviewPut>;

export const Review = z.object({
  id: NumericId,
  recordingId: NumericId,
  reviewerId: NumericId,
  reviewerName: z.string(),
  agentId: NumericId.nullable(),
  scorecardId: NumericId,
  scores: z.array(z.object({ criterionId: NumericId, value: z.number().int() })),
  /** Weighted score, 0-100. */
  scorePct: z.number().min(0).max(100),
  comment: z.string(),
  updatedAtMs: Ms,
});
export type Review = z.infer<typeof Review>;

export const ReviewsOfRecording = z.object({
  /** The scorecard a new or edited review is scored on (the campaign's current one). */
  scorecard: Scorecard,
  reviews: z.array(Review),
});
export type ReviewsOfRecording = z.infer<typeof ReviewsOfRecording>;

export const QualityScoresQuery = z
  .object({
    campaignId: NumericId.optional(),
    from: Instant.optional(),
    to: Instant.optional(),
  })
  .superRefine((q, ctx) => {
    if (q.from !== undefined && q.to !== undefined && !(q.to > q.from))
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'to must be after from' });
  });

export const QualityScores = z.object({
  agents: z.array(
    z.object({
      agentId: NumericId,
      agentName: z.string(),
      reviews: Count,
      avgPct: z.number(),
    }),
  ),
  /** Per criterion (by label and kind, across scorecard versions): the mean as a percent. */
  criteria: z.array(
    z.object({
      label: z.string(),
      kind: CriterionKind,
      reviews: Count,
      avgPct: z.number(),
    }),
  ),
  /** Per agent and criterion. */
  agentCriteria: z.array(
    z.object({
      agentId: NumericId,
      label: z.string(),
      kind: CriterionKind,
      reviews: Count,
      avgPct: z.number(),
    }),
  ),
});
export type QualityScores = z.infer<typeof QualityScores>;

// AMD review list: MACHINE verdicts kept (reason amd_review) for a person to confirm.

export const AmdReviewQuery = z.object({
  campaignId: NumericId.optional(),
  /** open: not yet marked; marked; all. */
  status: z.enum(['open', 'marked', 'all']).default('open'),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(RECORDING_PAGE_MAX).default(25),
});

export const AmdReviewItem = z.object({
  recording: RecordingView,
  mark: z.enum(['person', 'machine']).nullable(),
  markedBy: NumericId.nullable(),
  markedAtMs: Ms.nullable(),
});
export type AmdReviewItem = z.infer<typeof AmdReviewItem>;

export const AmdReviewList = z.object({
  items: z.array(AmdReviewItem),
  page: z.number().int().positive(),
  pageSize: z.number().int().positive(),
  hasMore: z.boolean(),
});
export type AmdReviewList = z.infer<typeof AmdReviewList>;

export const AmdReviewMarkBody = z.object({ mark: z.enum(['person', 'machine']) });
export const AmdReviewMarkResponse = z.object({
  ok: z.literal(true),
  /** counted: the campaign's AMD estimate took it; changed / unchanged: a second mark. */
  result: z.enum(['counted', 'unchanged', 'changed']),
});
