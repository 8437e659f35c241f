import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorBody, RecordingList, RecordingView } from '@ringside/protocol';
import { bearer, createHarness, type Harness } from '../http/harness.js';
import { addCampaign, TestVault, seedRecording, wirePlayer } from './fixture.js';

/**
 * Who may hear which recording, route by route (issue 15 point 6; docs/recording.md "Listening
 * and quality review"): supervisors and admins every call; an agent only calls with a segment of
 * theirs in campaigns that allow it; anyone else a 404 that reads exactly like a missing one.
 */

let h: Harness;
let vault: TestVault;
const tokens: Record<'admin' | 'super' | 'agent1' | 'agent2', string> = {
  admin: '',
  super: '',
  agent1: '',
  agent2: '',
};
/** Recordings by what they are to agent1. */
const rec: Record<string, { id: string; callId: string }> = {};
let leadId = '';

beforeAll(async () => {
  h = await createHarness({ loginPerIpPerMinute: 100 });
  vault = await TestVault.open();
  wirePlayer(h, vault);
  await h.db.pool.query(`UPDATE campaigns SET agents_hear_own_recordings = true WHERE id = $1`, [
    h.campaignId,
  ]);
  const closed = await addCampaign(h, 'Closed', false);
  const lead = await h.db.pool.query<{ id: string }>(
    `INSERT INTO leads (list_id, phone) VALUES ($1, '+12025550100') RETURNING id::text AS id`,
    [h.listId],
  );
  leadId = lead.rows[0]?.id ?? '';
  const a1 = h.users.agent.id;
  const a2 = h.users.agent2.id;
  const open = h.campaignId;
  rec.own = await seedRecording(h, vault, { campaignId: open, leadId, agents: [a1] });
  rec.other = await seedRecording(h, vault, { campaignId: open, leadId, agents: [a2] });
  rec.ownClosed = await seedRecording(h, vault, { campaignId: closed, agents: [a1] });
  rec.transferred = await seedRecording(h, vault, {
    campaignId: open,
    agents: [a2, a1],
    marks: [{ kind: 'transfer', offsetMs: 1000 }],
  });
  rec.ownPending = await seedRecording(h, vault, {
    campaignId: open,
    agents: [a1],
    state: 'pending',
  });
  tokens.admin = await h.login('admin');
  tokens.super = await h.login('super');
  tokens.agent1 = await h.login('agent1');
  tokens.agent2 = await h.login('agent2');
});
afterAll(async () => {
  await h?.close();
  await vault?.dispose();
});

const get = (who: keyof typeof tokens, url: string) =>
  h.app.inject({ method: 'GET', url, headers: bearer(tokens[who]) });

/** Every route of one recording. */
const ROUTES = ['', '/audio', '/peaks'] as const;

describe('recordings: access route by route', () => {
  it('supervisors and admins hear every recording on every route', async () => {
    for (const who of ['admin', 'super'] as const)
      for (const key of ['own', 'other', 'ownClosed', 'transferred'])
        for (const r of ROUTES) {
          const res = await get(who, `/api/recordings/${rec[key]?.id}${r}`);
          expect(res.statusCode, `${who} ${key} ${r}`).toBe(200);
        }
  });

  it('an agent hears their own calls, a transferred call they had a part in, where allowed', async () => {
    for (const key of ['own', 'transferred'])
      for (const r of ROUTES) {
        const res = await get('agent1', `/api/recordings/${rec[key]?.id}${r}`);
        expect(res.statusCode, `${key} ${r}`).toBe(200);
      }
  });

  it("another agent's call, or their own in a campaign that does not allow it, is a 404 like a missing one", async () => {
    const missing = '999999999';
    for (const r of ROUTES) {
      const none = await get('agent1', `/api/recordings/${missing}${r}`);
      expect(none.statusCode).toBe(404);
      const noneMsg = (none.json() as ErrorBody).error;
      for (const key of ['other', 'ownClosed']) {
        const id = rec[key]?.id ?? '';
        const res = await get('agent1', `/api/recordings/${id}${r}`);
        expect(res.statusCode, `${key} ${r}`).toBe(404);
        const e = (res.json() as ErrorBody).error;
        expect(e.code).toBe(noneMsg.code);
        expect(e.message.replace(id, 'N')).toBe(noneMsg.message.replace(missing, 'N'));
      }
    }
    // agent2 had a part in the transferred call too.
    expect((await get('agent2', `/api/recordings/${rec.transferred?.id}`)).statusCode).toBe(200);
    expect((await get('agent2', `/api/recordings/${rec.own?.id}/audio`)).statusCode).toBe(404);
  });

  it('lists hold only what the caller may hear: by call, by lead, search', async () => {
    const ids = async (who: keyof typeof tokens, url: string) => {
      const res = await get(who, url);
      expect(res.statusCode, url).toBe(200);
      return (res.json() as RecordingList).recordings.map((r) => r.id).sort();
    };
    const sorted = (...keys: string[]) => keys.map((k) => rec[k]?.id ?? '').sort();
    expect(await ids('agent1', `/api/recordings/by-call/${rec.other?.callId}`)).toEqual([]);
    expect(await ids('super', `/api/recordings/by-call/${rec.other?.callId}`)).toEqual(
      sorted('other'),
    );
    expect(await ids('agent1', `/api/recordings/by-lead/${leadId}`)).toEqual(sorted('own'));
    expect(await ids('admin', `/api/recordings/by-lead/${leadId}`)).toEqual(sorted('own', 'other'));
    expect(await ids('agent1', '/api/recordings')).toEqual(
      sorted('own', 'transferred', 'ownPending'),
    );
    expect(await ids('admin', '/api/recordings')).toEqual(
      sorted('own', 'other', 'ownClosed', 'transferred', 'ownPending'),
    );
    expect(await ids('admin', `/api/recordings?agentId=${h.users.agent2.id}`)).toEqual(
      sorted('other', 'transferred'),
    );
    expect(await ids('admin', '/api/recordings?state=pending')).toEqual(sorted('ownPending'));
  });

  it('a recording with no audio yet says so instead of playing (409), to those who may see it', async () => {
    const id = rec.ownPending?.id ?? '';
    const view = (await get('agent1', `/api/recordings/${id}`)).json() as RecordingView;
    expect(view).toMatchObject({ state: 'pending', playable: false });
    for (const r of ['/audio', '/peaks']) {
      const res = await get('agent1', `/api/recordings/${id}${r}`);
      expect(res.statusCode).toBe(409);
      expect((res.json() as ErrorBody).error.message).toMatch(/is pending/);
      expect((await get('agent2', `/api/recordings/${id}${r}`)).statusCode).toBe(404);
    }
  });

  it('refuses without a session (401), and quality review to agents (403)', async () => {
    for (const url of [
      `/api/recordings/${rec.own?.id}`,
      `/api/recordings/${rec.own?.id}/audio`,
      `/api/recordings/${rec.own?.id}/peaks`,
      '/api/recordings',
      `/api/recordings/by-lead/${leadId}`,
      `/api/recordings/by-call/${rec.own?.callId}`,
    ])
      expect((await h.app.inject({ method: 'GET', url })).statusCode, url).toBe(401);
    for (const url of [
      `/api/quality/scorecards/${h.campaignId}`,
      `/api/quality/recordings/${rec.own?.id}/reviews`,
      '/api/quality/scores',
      '/api/quality/amd-reviews',
    ])
      expect((await get('agent1', url)).statusCode, url).toBe(403);
    const put = await h.app.inject({
      method: 'PUT',
      url: `/api/quality/recordings/${rec.own?.id}/review`,
      headers: bearer(tokens.agent1),
      payload: { scores: [] },
    });
    expect(put.statusCode).toBe(403);
    const card = await h.app.inject({
      method: 'PUT',
      url: `/api/quality/scorecards/${h.campaignId}`,
      headers: bearer(tokens.super),
      payload: { criteria: [{ label: 'A', weight: 100, kind: 'yes_no' }] },
    });
    expect(card.statusCode).toBe(403);
  });

  it('answers the segments and the marks of the timeline', async () => {
    const v = (
      await get('super', `/api/recordings/${rec.transferred?.id}`)
    ).json() as RecordingView;
    expect(v.segments.map((s) => [s.seq, s.agentId, s.offsetMs])).toEqual([
      [1, h.users.agent2.id, 0],
      [2, h.users.agent.id, 1000],
    ]);
    expect(v.marks).toEqual([expect.objectContaining({ kind: 'transfer', offsetMs: 1000 })]);
  });
});
