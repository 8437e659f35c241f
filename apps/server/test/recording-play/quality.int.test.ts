import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  AmdReviewList,
  CampaignId,
  DomainEvent,
  ErrorBody,
  QualityScores,
  Review,
  ReviewsOfRecording,
  Scorecard,
} from '@ringside/protocol';
import { AmdAuditStore } from '../../src/adapters/redis/dialer-state.js';
import { RedisKeys } from '../../src/adapters/redis/keys.js';
import { bearer, createHarness, type Harness } from '../http/harness.js';
import { TestVault, seedRecording, wirePlayer } from './fixture.js';

/**
 * Quality review through the API on the real PostgreSQL and Redis: the admin's scorecard with its
 * checks, one editable review per reviewer, scores per agent and criterion, and the AMD review
 * list whose marks move the campaign's AMD audit counts (the AMD estimate's input).
 */

let h: Harness;
let vault: TestVault;
let amd: AmdAuditStore;
let admin = '';
let sup = '';
let recId = '';
/** The quality.* events published on the harness's bus since the last take(). */
let quality: DomainEvent[] = [];
const take = (): DomainEvent[] => {
  const out = quality;
  quality = [];
  return out;
};

beforeAll(async () => {
  h = await createHarness({ loginPerIpPerMinute: 100 });
  vault = await TestVault.open();
  amd = new AmdAuditStore(h.redis, new RedisKeys(h.keys.prefix));
  wirePlayer(h, vault, amd);
  const publish = h.bus.publish.bind(h.bus);
  h.bus.publish = async (e) => {
    if (e.type.startsWith('quality.')) quality.push(e);
    return publish(e);
  };
  recId = (
    await seedRecording(h, vault, {
      campaignId: h.campaignId,
      agents: [h.users.agent.id, h.users.agent2.id],
    })
  ).id;
  admin = await h.login('admin');
  sup = await h.login('super');
});
afterAll(async () => {
  await h?.close();
  await vault?.dispose();
});

const call = (method: 'GET' | 'PUT', url: string, token: string, payload?: unknown) =>
  h.app.inject({
    method,
    url,
    headers: bearer(token),
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  });

const CRITERIA = [
  { label: 'Greeting', weight: 20, kind: 'yes_no' },
  { label: 'Empathy', weight: 50, kind: 'scale_5' },
  { label: 'Closing', weight: 30, kind: 'yes_no' },
];

describe('scorecards', () => {
  it('refuses a review before the campaign has a scorecard (409)', async () => {
    const r = await call('PUT', `/api/quality/recordings/${recId}/review`, sup, { scores: [] });
    expect(r.statusCode).toBe(409);
    expect((r.json() as ErrorBody).error.message).toMatch(/no scorecard yet/);
    expect(take()).toEqual([]);
  });

  it('refuses bad weights and kinds with the field named, and keeps the card unchanged', async () => {
    const bad = await call('PUT', `/api/quality/scorecards/${h.campaignId}`, admin, {
      criteria: [
        { label: 'Greeting', weight: 20, kind: 'yes_no' },
        { label: 'Empathy', weight: 50, kind: 'stars' },
      ],
    });
    expect(bad.statusCode).toBe(400);
    const paths = (bad.json() as ErrorBody).error.issues?.map((i) => i.path);
    expect(paths).toContain('criteria.1.kind');
    const sum = await call('PUT', `/api/quality/scorecards/${h.campaignId}`, admin, {
      criteria: CRITERIA.slice(0, 2),
    });
    expect(sum.statusCode).toBe(400);
    expect((sum.json() as ErrorBody).error.message).toMatch(/add up to 100 \(they add up to 70\)/);
    const now = (await call('GET', `/api/quality/scorecards/${h.campaignId}`, sup)).json();
    expect(now).toMatchObject({ version: 0, criteria: [], id: null });
  });

  it('saves a scorecard as a new version each time, audited and published once', async () => {
    expect(take()).toEqual([]); // the refused saves above published nothing
    const r1 = await call('PUT', `/api/quality/scorecards/${h.campaignId}`, admin, {
      criteria: CRITERIA,
    });
    expect(r1.statusCode).toBe(200);
    expect(r1.json()).toMatchObject({ version: 1, criteria: CRITERIA });
    expect(take()).toEqual([
      {
        type: 'quality.scorecard_saved',
        campaignId: h.campaignId,
        scorecardId: (r1.json() as Scorecard).id,
        version: 1,
        change: 'created',
        criteria: 3,
        userId: h.users.admin.id,
        atMs: expect.any(Number) as number,
      },
    ]);
    const audit = await h.deps.audit.list({ target: `campaign:${h.campaignId}` });
    expect(audit[0]).toMatchObject({
      action: 'quality.scorecard.update',
      userId: h.users.admin.id,
    });
    expect(
      (await call('PUT', `/api/quality/scorecards/999999`, admin, { criteria: CRITERIA }))
        .statusCode,
    ).toBe(404);
    expect(take()).toEqual([]);
  });
});

describe('reviews', () => {
  it('saves one review per reviewer, editable, scored with the weights, each save published once', async () => {
    const card = (
      await call('GET', `/api/quality/scorecards/${h.campaignId}`, sup)
    ).json() as Scorecard;
    const ids = card.criteria.map((c) => c.id);
    const put = (scores: number[], comment: string, token = sup, agentId?: string) =>
      call('PUT', `/api/quality/recordings/${recId}/review`, token, {
        scores: ids.map((criterionId, i) => ({ criterionId, value: scores[i] })),
        comment,
        ...(agentId ? { agentId } : {}),
      });
    const first = await put([1, 3, 0], 'ok start');
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ scorePct: 45, agentId: h.users.agent.id });
    const edited = await put([1, 5, 1], 'better on a second listen');
    expect((edited.json() as Review).id).toBe((first.json() as Review).id);
    expect(edited.json()).toMatchObject({ scorePct: 100, comment: 'better on a second listen' });
    const reviewId = (first.json() as Review).id;
    expect(take()).toEqual(
      [45, 100].map((scorePct) => ({
        type: 'quality.review_saved',
        recordingId: recId,
        reviewId,
        callId: expect.any(String) as string,
        campaignId: h.campaignId,
        agentId: h.users.agent.id,
        reviewerId: h.users.supervisor.id,
        scorecardId: card.id,
        scorePct,
        atMs: expect.any(Number) as number,
      })),
    );
    // A value outside its kind: 400 naming it, the saved review unchanged.
    const bad = await put([2, 5, 1], 'x');
    expect(bad.statusCode).toBe(400);
    expect((bad.json() as ErrorBody).error.issues).toEqual([
      { path: 'scores.0.value', message: '"Greeting" is yes (1) or no (0)' },
    ]);
    // An agent with no part in the call.
    const stranger = await put([1, 1, 1], 'x', sup, h.users.admin.id);
    expect(stranger.statusCode).toBe(400);
    expect((stranger.json() as ErrorBody).error.issues?.[0]?.path).toBe('agentId');
    expect(take()).toEqual([]); // refused: nothing saved, nothing published
    // The admin's own review of the second agent's part.
    expect((await put([0, 1, 0], 'weak close', admin, h.users.agent2.id)).statusCode).toBe(200);
    expect(take()).toMatchObject([
      { type: 'quality.review_saved', reviewerId: h.users.admin.id, agentId: h.users.agent2.id },
    ]);
    const all = (
      await call('GET', `/api/quality/recordings/${recId}/reviews`, sup)
    ).json() as ReviewsOfRecording;
    expect(all.scorecard.version).toBe(1);
    expect(all.reviews.map((r) => [r.reviewerId, r.agentId, r.scorePct, r.comment]).sort()).toEqual(
      [
        [h.users.supervisor.id, h.users.agent.id, 100, 'better on a second listen'],
        [h.users.admin.id, h.users.agent2.id, 0, 'weak close'],
      ].sort(),
    );
  });

  it('reports the scores per agent, per criterion and per agent and criterion', async () => {
    const r = await call('GET', `/api/quality/scores?campaignId=${h.campaignId}`, sup);
    expect(r.statusCode).toBe(200);
    const s = r.json() as QualityScores;
    expect(s.agents.map((a) => [a.agentId, a.reviews, a.avgPct])).toEqual(
      expect.arrayContaining([
        [h.users.agent.id, 1, 100],
        [h.users.agent2.id, 1, 0],
      ]),
    );
    expect(s.criteria.find((c) => c.label === 'Empathy')).toMatchObject({
      reviews: 2,
      avgPct: 50,
      kind: 'scale_5',
    });
    expect(
      s.agentCriteria.find((c) => c.agentId === h.users.agent2.id && c.label === 'Greeting'),
    ).toMatchObject({ reviews: 1, avgPct: 0 });
    const bad = await call('GET', '/api/quality/scores?from=yesterday', sup);
    expect(bad.statusCode).toBe(400);
    expect((bad.json() as ErrorBody).error.issues?.[0]?.path).toBe('query.from');
  });
});

describe('AMD review list', () => {
  it("lists amd_review recordings, and a person's marks move the campaign's AMD audit counts once", async () => {
    const campaignId = h.campaignId as CampaignId;
    const r1 = await seedRecording(h, vault, {
      campaignId: h.campaignId,
      agents: [],
      reason: 'amd_review',
    });
    const r2 = await seedRecording(h, vault, {
      campaignId: h.campaignId,
      agents: [],
      reason: 'amd_review',
    });
    const open = (await call('GET', '/api/quality/amd-reviews', sup)).json() as AmdReviewList;
    expect(open.items.map((i) => i.recording.id).sort()).toEqual([r1.id, r2.id].sort());
    const mark = (id: string, m: string) =>
      call('PUT', `/api/quality/amd-reviews/${id}`, sup, { mark: m });
    take();
    expect((await mark(r1.id, 'person')).json()).toEqual({ ok: true, result: 'counted' });
    expect((await mark(r1.id, 'person')).json()).toEqual({ ok: true, result: 'unchanged' });
    expect((await mark(r2.id, 'machine')).json()).toEqual({ ok: true, result: 'counted' });
    expect(await amd.marks(campaignId)).toEqual({ person: 1, machine: 1 });
    expect((await mark(r1.id, 'machine')).json()).toEqual({ ok: true, result: 'changed' });
    expect(await amd.marks(campaignId)).toEqual({ person: 0, machine: 2 });
    // Each mark written (its row's marked_by / marked_at too) is one event.
    expect(take()).toEqual(
      (
        [
          [r1, 'person', null, 'counted'],
          [r1, 'person', 'person', 'unchanged'],
          [r2, 'machine', null, 'counted'],
          [r1, 'machine', 'person', 'changed'],
        ] as const
      ).map(([r, mark, before, result]) => ({
        type: 'quality.amd_marked',
        recordingId: r.id,
        callId: r.callId,
        campaignId: h.campaignId,
        mark,
        before,
        result,
        userId: h.users.supervisor.id,
        atMs: expect.any(Number) as number,
      })),
    );
    const marked = (
      await call('GET', '/api/quality/amd-reviews?status=marked', sup)
    ).json() as AmdReviewList;
    expect(marked.items.map((i) => [i.recording.id, i.mark]).sort()).toEqual(
      [
        [r1.id, 'machine'],
        [r2.id, 'machine'],
      ].sort(),
    );
    expect(
      ((await call('GET', '/api/quality/amd-reviews', sup)).json() as AmdReviewList).items,
    ).toEqual([]);
    // A recording kept for another reason is not on the list.
    const notAmd = await mark(recId, 'person');
    expect(notAmd.statusCode).toBe(409);
    expect(take()).toEqual([]);
    expect(await amd.marks(campaignId)).toEqual({ person: 0, machine: 2 });
  });

  it("replaces an agent's earlier mark of the same call instead of counting it twice", async () => {
    const campaignId = h.campaignId as CampaignId;
    const r = await seedRecording(h, vault, {
      campaignId: h.campaignId,
      agents: [],
      reason: 'amd_review',
    });
    const before = await amd.marks(campaignId);
    await amd.pending(campaignId, r.callId as never);
    await amd.mark(campaignId, r.callId, 'person');
    const res = await call('PUT', `/api/quality/amd-reviews/${r.id}`, sup, { mark: 'machine' });
    expect(res.json()).toEqual({ ok: true, result: 'counted' });
    expect(await amd.marks(campaignId)).toEqual({
      person: before.person,
      machine: before.machine + 1,
    });
  });
});
