import {
  AmdReviewList,
  AmdReviewMarkResponse,
  CampaignList,
  LeadResponse,
  LeadView,
  LegalHoldResponse,
  QualityScores,
  RecordingList,
  RecordingPeaks,
  Review,
  ReviewsOfRecording,
  Scorecard,
  type ReviewPut,
  type ScorecardCriterionInput,
} from '@ringside/protocol';
import { ApiError, refusalError } from '../../core/api.js';

type Schema<T> = { parse(v: unknown): T };

/**
 * The recordings' and quality review's HTTP client (same origin, session cookie): every answer is
 * checked with the protocol's schema; a refusal is an ApiError with the server's issues, which
 * the forms show next to their fields. Routes: docs/api.md.
 */
export class RecordingsApi {
  constructor(
    private readonly baseUrl = '',
    private readonly fetchFn: typeof fetch = (...a) => fetch(...a),
  ) {}

  private async call<T>(
    method: 'GET' | 'PUT',
    path: string,
    schema: Schema<T>,
    body?: unknown,
    signal?: AbortSignal,
  ): Promise<T> {
    let res: Response;
    try {
      res = await this.fetchFn(`${this.baseUrl}${path}`, {
        method,
        headers: {
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        credentials: 'same-origin',
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal,
      });
    } catch (err) {
      if (signal?.aborted) throw err;
      throw new ApiError(0, 'NETWORK', 'the server could not be reached');
    }
    const json: unknown = await res.json().catch(() => null);
    if (!res.ok) throw refusalError(res.status, json, `${method} ${path}`);
    try {
      return schema.parse(json);
    } catch (err) {
      const detail = err instanceof Error ? err.message : String(err);
      throw new ApiError(res.status, 'BAD_RESPONSE', `${method} ${path}: ${detail}`);
    }
  }

  byLead(leadId: string, signal?: AbortSignal) {
    return this.call(
      'GET',
      `/api/recordings/by-lead/${encodeURIComponent(leadId)}`,
      RecordingList,
      undefined,
      signal,
    );
  }
  byCall(callId: string, signal?: AbortSignal) {
    return this.call(
      'GET',
      `/api/recordings/by-call/${encodeURIComponent(callId)}`,
      RecordingList,
      undefined,
      signal,
    );
  }
  search(q: URLSearchParams, signal?: AbortSignal) {
    return this.call('GET', `/api/recordings?${q.toString()}`, RecordingList, undefined, signal);
  }
  peaks(id: string, signal?: AbortSignal) {
    return this.call('GET', `/api/recordings/${id}/peaks`, RecordingPeaks, undefined, signal);
  }
  /** The audio as the player's `src`: the browser asks for byte ranges itself. */
  audioUrl(id: string): string {
    return `${this.baseUrl}/api/recordings/${id}/audio`;
  }
  downloadUrl(id: string): string {
    return `${this.baseUrl}/api/recordings/${id}/audio?download=1`;
  }

  campaigns(signal?: AbortSignal) {
    return this.call('GET', '/api/campaigns', CampaignList, undefined, signal);
  }
  scorecard(campaignId: string, signal?: AbortSignal) {
    return this.call('GET', `/api/quality/scorecards/${campaignId}`, Scorecard, undefined, signal);
  }
  saveScorecard(campaignId: string, criteria: ScorecardCriterionInput[]) {
    return this.call('PUT', `/api/quality/scorecards/${campaignId}`, Scorecard, { criteria });
  }
  reviews(recordingId: string, signal?: AbortSignal) {
    return this.call(
      'GET',
      `/api/quality/recordings/${recordingId}/reviews`,
      ReviewsOfRecording,
      undefined,
      signal,
    );
  }
  saveReview(recordingId: string, body: ReviewPut) {
    return this.call('PUT', `/api/quality/recordings/${recordingId}/review`, Review, body);
  }
  scores(q: URLSearchParams, signal?: AbortSignal) {
    return this.call(
      'GET',
      `/api/quality/scores?${q.toString()}`,
      QualityScores,
      undefined,
      signal,
    );
  }
  amdReviews(q: URLSearchParams, signal?: AbortSignal) {
    return this.call(
      'GET',
      `/api/quality/amd-reviews?${q.toString()}`,
      AmdReviewList,
      undefined,
      signal,
    );
  }
  markAmd(recordingId: string, mark: 'person' | 'machine') {
    return this.call('PUT', `/api/quality/amd-reviews/${recordingId}`, AmdReviewMarkResponse, {
      mark,
    });
  }

  /** The lead as the recording settings show it (its consent override and legal hold). */
  lead(leadId: string, signal?: AbortSignal) {
    return this.call(
      'GET',
      `/api/leads/${encodeURIComponent(leadId)}`,
      LeadResponse,
      undefined,
      signal,
    );
  }
  setConsent(leadId: string, recordingConsent: 'always' | 'never' | null) {
    return this.call(
      'PUT',
      `/api/leads/${encodeURIComponent(leadId)}/recording-consent`,
      LeadView,
      { recordingConsent },
    );
  }
  setLeadHold(leadId: string, hold: boolean) {
    return this.call(
      'PUT',
      `/api/leads/${encodeURIComponent(leadId)}/legal-hold`,
      LegalHoldResponse,
      { hold },
    );
  }
}
