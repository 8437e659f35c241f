import type {
  AmdReviewItem,
  QualityScores,
  Review,
  Scorecard,
  ScorecardCriterionInput,
} from '@ringside/protocol';

/** What a review saves (the scores already checked against its scorecard). */
export interface ReviewWrite {
  recordingId: string;
  reviewerId: string;
  scorecardId: string;
  campaignId: string;
  agentId: string | null;
  scorePct: number;
  comment: string;
  scores: readonly { criterionId: string; value: number }[];
}

/** The quality store (adapters/postgres/quality.ts, tables of 0140). */
export interface QualityRepo {
  /** The campaign's current scorecard (version 0 and no criteria before the first save). */
  scorecard(campaignId: string): Promise<Scorecard>;
  /** Saves a new version; null when the campaign does not exist. */
  saveScorecard(
    campaignId: string,
    criteria: readonly ScorecardCriterionInput[],
    by: string,
  ): Promise<Scorecard | null>;
  reviewsOf(recordingId: string): Promise<Review[]>;
  /** Inserts or replaces the reviewer's one review of the recording. */
  saveReview(w: ReviewWrite): Promise<Review>;
  scores(q: { campaignId?: string; fromMs?: number; toMs?: number }): Promise<QualityScores>;
  /** The AMD review list's page: amd_review recordings (newest first) with their mark. */
  amdReviews(q: {
    campaignId?: string;
    status: 'open' | 'marked' | 'all';
    page: number;
    pageSize: number;
  }): Promise<{ items: Omit<AmdReviewItem, 'recording'>[]; ids: string[]; hasMore: boolean }>;
  /** Sets the recording's mark; answers the mark it had before (null: none). */
  markAmd(
    recordingId: string,
    campaignId: string,
    mark: 'person' | 'machine',
    by: string,
  ): Promise<'person' | 'machine' | null>;
}
