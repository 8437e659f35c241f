import type { FastifyInstance } from 'fastify';
import {
  AmdReviewList,
  AmdReviewMarkBody,
  AmdReviewMarkResponse,
  AmdReviewQuery,
  CampaignIdParams,
  QualityScores,
  QualityScoresQuery,
  RecordingIdParams,
  Review,
  ReviewPut,
  ReviewsOfRecording,
  Scorecard,
  ScorecardPut,
} from '@ringside/protocol';
import { UnauthorizedError, UnavailableError } from '../../errors.js';
import type { QualityService } from '../../services/quality/quality-service.js';
import type { SessionUser } from '../auth.js';
import type { AppDeps } from '../deps.js';
import { defineRoute } from '../route.js';
import { ADMIN, SUPERVISOR } from './common.js';

/**
 * Quality review (issue 15 point 8; docs/recording.md "Listening and quality review"):
 * scorecards (admins edit, supervisors read), reviews beside the player, scores per agent and
 * criterion, and the AMD review list. Supervisors and admins only.
 */
export function registerQualityRoutes(app: FastifyInstance, deps: AppDeps): void {
  const quality = (): QualityService => {
    if (!deps.quality) throw new UnavailableError('quality review is not available');
    return deps.quality;
  };
  const who = (user: SessionUser | null) => {
    if (!user) throw new UnauthorizedError('sign in first');
    return { id: user.id, role: user.role };
  };

  defineRoute(app, {
    method: 'GET',
    url: '/api/quality/scorecards/:campaignId',
    auth: SUPERVISOR,
    summary: "A campaign's current scorecard (version 0, no criteria, before the first save).",
    tags: ['quality'],
    params: CampaignIdParams,
    response: Scorecard,
    handler: async ({ params }) => quality().scorecard(params.campaignId),
  });

  defineRoute(app, {
    method: 'PUT',
    url: '/api/quality/scorecards/:campaignId',
    auth: ADMIN,
    summary: "Save a campaign's scorecard as a new version (weights 1-100 adding up to 100).",
    tags: ['quality'],
    params: CampaignIdParams,
    body: ScorecardPut,
    response: Scorecard,
    handler: async ({ user, params, body }) =>
      quality().saveScorecard(who(user), params.campaignId, body),
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/quality/recordings/:id/reviews',
    auth: SUPERVISOR,
    summary: "A recording's reviews and the scorecard a review is scored on.",
    tags: ['quality'],
    params: RecordingIdParams,
    response: ReviewsOfRecording,
    handler: async ({ user, params }) => quality().reviewsOf(who(user), params.id),
  });

  defineRoute(app, {
    method: 'PUT',
    url: '/api/quality/recordings/:id/review',
    auth: SUPERVISOR,
    summary: "Save the caller's review of a recording (one per reviewer, editable).",
    tags: ['quality'],
    params: RecordingIdParams,
    body: ReviewPut,
    response: Review,
    handler: async ({ user, params, body }) => quality().saveReview(who(user), params.id, body),
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/quality/scores',
    auth: SUPERVISOR,
    summary: 'Review scores per agent, per criterion, and per agent and criterion.',
    tags: ['quality'],
    query: QualityScoresQuery,
    response: QualityScores,
    handler: async ({ query }) => quality().scores(query),
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/quality/amd-reviews',
    auth: SUPERVISOR,
    summary: 'The AMD review list: MACHINE verdicts kept for a person to confirm.',
    tags: ['quality'],
    query: AmdReviewQuery,
    response: AmdReviewList,
    handler: async ({ query }) => quality().amdReviews(query),
  });

  defineRoute(app, {
    method: 'PUT',
    url: '/api/quality/amd-reviews/:id',
    auth: SUPERVISOR,
    summary: 'Mark an AMD review recording "a person" or "a machine" (feeds the AMD estimate).',
    tags: ['quality'],
    params: RecordingIdParams,
    body: AmdReviewMarkBody,
    response: AmdReviewMarkResponse,
    handler: async ({ user, params, body }) => ({
      ok: true as const,
      result: await quality().markAmd(who(user), params.id, body.mark),
    }),
  });
}
