import type {
  AgentId,
  AmdReviewList,
  CallId,
  CampaignId,
  DomainEvent,
  QualityScores,
  Review,
  ReviewPut,
  ReviewsOfRecording,
  Scorecard,
  ScorecardPut,
} from '@ringside/protocol';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { AuditLog } from '../../ports/audit.js';
import type { AmdAudit } from '../../ports/dialer.js';
import type { Clock } from '../../ports/clock.js';
import type { EventBus } from '../../ports/event-bus.js';
import type { RecordingPlayer, Listener } from '../recordings/play/player.js';
import type { RecordingsReadRepo } from '../../ports/recording-play.js';
import { scoreReview } from './scoring.js';
import type { QualityRepo } from '../../ports/quality.js';

export interface QualityDeps {
  repo: QualityRepo;
  recordings: RecordingsReadRepo;
  player: RecordingPlayer;
  audit: AuditLog;
  /** The AMD audit's store (Redis): the campaign's AMD estimate reads its counts. */
  amdAudit: Pick<AmdAudit, 'pending' | 'mark'> | null;
  /** Each saved scorecard, review and AMD mark is published once (quality.* events). */
  bus: Pick<EventBus, 'publish'>;
  clock: Clock;
  logger: Logger;
}

/**
 * Quality review (issue 15 point 8; docs/recording.md "Listening and quality review"): the
 * campaigns' scorecards, one review per reviewer and recording scored on the campaign's current
 * scorecard, scores per agent and criterion, and the AMD review list whose marks feed the AMD
 * audit's counts, which the dialer's AMD estimate already follows.
 */
export class QualityService {
  constructor(private readonly d: QualityDeps) {}

  scorecard(campaignId: string): Promise<Scorecard> {
    return this.d.repo.scorecard(campaignId);
  }

  async saveScorecard(user: Listener, campaignId: string, body: ScorecardPut): Promise<Scorecard> {
    const before = await this.d.repo.scorecard(campaignId);
    const saved = await this.d.repo.saveScorecard(campaignId, body.criteria, user.id);
    if (!saved) throw new NotFoundError(`campaign ${campaignId} not found`);
    await this.d.audit.record({
      userId: user.id,
      action: 'quality.scorecard.update',
      target: `campaign:${campaignId}`,
      detail: {
        version: saved.version,
        old: before.criteria.map((c) => ({ label: c.label, weight: c.weight, kind: c.kind })),
        new: saved.criteria.map((c) => ({ label: c.label, weight: c.weight, kind: c.kind })),
      },
    });
    this.d.logger.info(
      { campaignId, version: saved.version, criteria: saved.criteria.length },
      'scorecard saved',
    );
    if (saved.id !== null) {
      await this.publish({
        type: 'quality.scorecard_saved',
        campaignId: campaignId as CampaignId,
        scorecardId: saved.id,
        version: saved.version,
        change: before.id === null ? 'created' : 'updated',
        criteria: saved.criteria.length,
        userId: user.id,
        atMs: this.d.clock.nowMs(),
      });
    }
    return saved;
  }

  async reviewsOf(user: Listener, recordingId: string): Promise<ReviewsOfRecording> {
    const rec = await this.d.player.view(user, recordingId);
    const [scorecard, reviews] = await Promise.all([
      this.d.repo.scorecard(rec.campaignId),
      this.d.repo.reviewsOf(recordingId),
    ]);
    return { scorecard, reviews };
  }

  /** Saves the user's one review of the recording, scored on the campaign's current scorecard. */
  async saveReview(user: Listener, recordingId: string, body: ReviewPut): Promise<Review> {
    const rec = await this.d.player.view(user, recordingId);
    const scorecard = await this.d.repo.scorecard(rec.campaignId);
    if (!scorecard.id || scorecard.criteria.length === 0)
      throw new ConflictError(
        `campaign ${rec.campaignId} has no scorecard yet: an admin sets one up first`,
      );
    const agents = rec.segments.map((s) => s.agentId).filter((a): a is string => a !== null);
    if (body.agentId !== undefined && !agents.includes(body.agentId))
      throw new ValidationError(
        `agentId: agent ${body.agentId} has no part in recording ${recordingId}`,
        [{ path: 'agentId', message: `agent ${body.agentId} has no part in this recording` }],
      );
    const scorePct = scoreReview(scorecard.criteria, body.scores);
    const review = await this.d.repo.saveReview({
      recordingId,
      reviewerId: user.id,
      scorecardId: scorecard.id,
      campaignId: rec.campaignId,
      agentId: body.agentId ?? agents[0] ?? null,
      scorePct,
      comment: body.comment,
      scores: body.scores,
    });
    await this.d.audit.record({
      userId: user.id,
      action: 'quality.review',
      target: `recording:${recordingId}`,
      detail: { reviewId: review.id, scorePct, scorecardId: scorecard.id, agentId: review.agentId },
    });
    this.d.logger.info({ recordingId, reviewId: review.id, scorePct }, 'quality review saved');
    await this.publish({
      type: 'quality.review_saved',
      recordingId,
      reviewId: review.id,
      callId: rec.callId as CallId,
      campaignId: rec.campaignId as CampaignId,
      agentId: review.agentId as AgentId | null,
      reviewerId: user.id,
      scorecardId: scorecard.id,
      scorePct: review.scorePct,
      atMs: this.d.clock.nowMs(),
    });
    return review;
  }

  scores(q: { campaignId?: string; from?: number; to?: number }): Promise<QualityScores> {
    return this.d.repo.scores({
      ...(q.campaignId ? { campaignId: q.campaignId } : {}),
      ...(q.from !== undefined ? { fromMs: q.from } : {}),
      ...(q.to !== undefined ? { toMs: q.to } : {}),
    });
  }

  async amdReviews(q: {
    campaignId?: string;
    status: 'open' | 'marked' | 'all';
    page: number;
    pageSize: number;
  }): Promise<AmdReviewList> {
    const page = await this.d.repo.amdReviews(q);
    const views = await this.d.recordings.list(
      { kind: 'ids', ids: page.ids },
      { kind: 'all' },
      { page: 1, pageSize: Math.max(1, page.ids.length) },
    );
    const byId = new Map(views.recordings.map((r) => [r.id, r]));
    const items = page.ids.flatMap((id, i) => {
      const recording = byId.get(id);
      const m = page.items[i];
      return recording && m ? [{ recording, ...m }] : [];
    });
    return { items, page: q.page, pageSize: q.pageSize, hasMore: page.hasMore };
  }

  /**
   * A person's verdict on an amd_review recording. Kept in amd_review_marks, and counted in the
   * campaign's AMD audit (the same counts agents' marks move), once; a changed mind moves the count.
   */
  async markAmd(
    user: Listener,
    recordingId: string,
    mark: 'person' | 'machine',
  ): Promise<'counted' | 'unchanged' | 'changed'> {
    const rec = await this.d.player.view(user, recordingId);
    if (rec.reason !== 'amd_review')
      throw new ConflictError(`recording ${recordingId} is not on the AMD review list`);
    const before = await this.d.repo.markAmd(recordingId, rec.campaignId, mark, user.id);
    const result = before === null ? 'counted' : before === mark ? 'unchanged' : 'changed';
    const campaignId = rec.campaignId as CampaignId;
    if (result !== 'unchanged' && this.d.amdAudit) {
      // The AMD audit counts a call once. An agent may have marked this call already (it was
      // sent to them): the reviewer's mark then replaces theirs; else the first mark opens it.
      let r = await this.d.amdAudit.mark(campaignId, rec.callId, mark);
      if (r === 'not-audited' && result === 'counted') {
        await this.d.amdAudit.pending(campaignId, rec.callId);
        r = await this.d.amdAudit.mark(campaignId, rec.callId, mark);
      }
      if (r === 'not-audited')
        this.d.logger.warn(
          { recordingId, callId: rec.callId },
          'AMD review mark changed after the audit forgot the call; the estimate keeps the first mark',
        );
    }
    await this.d.audit.record({
      userId: user.id,
      action: 'quality.amd_mark',
      target: `recording:${recordingId}`,
      detail: { mark, before, callId: rec.callId },
    });
    this.d.logger.info({ recordingId, callId: rec.callId, mark, result }, 'AMD review marked');
    // The dialer holding the campaign re-reads the audit's counts on it (its AMD estimate).
    await this.publish({
      type: 'quality.amd_marked',
      recordingId,
      callId: rec.callId as CallId,
      campaignId,
      mark,
      before,
      result,
      userId: user.id,
      atMs: this.d.clock.nowMs(),
    });
    return result;
  }

  /**
   * Publishes one quality event after its write (logged once, above, by the caller). The row is
   * the truth: a bus that is down loses the live update, not the change; a warning says so.
   */
  private async publish(event: DomainEvent): Promise<void> {
    try {
      await this.d.bus.publish(event);
    } catch (err) {
      this.d.logger.warn({ err, type: event.type }, 'quality event not published');
    }
  }
}
