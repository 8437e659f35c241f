import { recordingLookups } from '../../src/services/recordings/lookups.js';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  AgentId,
  CallId,
  CampaignId,
  ErrorBody,
  LeadId,
  ListId,
  RecordingControlResponse,
} from '@ringside/protocol';
import { createAuditLog } from '../../src/adapters/postgres/audit.js';
import { createCampaignsRepo } from '../../src/adapters/postgres/campaigns.js';
import { createDb } from '../../src/adapters/postgres/database.js';
import { createLeadsRepo } from '../../src/adapters/postgres/leads.js';
import { createRecordingCallsRepo } from '../../src/adapters/postgres/recording-calls.js';
import { RedisLiveRecordings } from '../../src/adapters/redis/live-recordings.js';
import { buildApp } from '../../src/http/app.js';
import { createLogger } from '../../src/logger.js';
import { systemClock } from '../../src/ports/clock.js';
import type { RecordingAri } from '../../src/ports/recording-calls.js';
import { RecordingControl } from '../../src/services/recordings/call-recording-control.js';
import { answeredHuman } from '../helpers/live-call.js';
import { bearer, createHarness, type Harness } from '../http/harness.js';

/**
 * The recording routes (routes/recording.ts, docs/api.md) over HTTP: who may Record, Pause and
 * Resume which call, and the answers' codes and messages; the ARI side is a recorder of the
 * commands (the call flow itself is proven on the simulated PBX and the real Asterisk).
 */

let h: Harness;
let app: FastifyInstance;
const tokens: Record<string, string> = {};
const ariCalls: string[] = [];
let apiOnlyCampaign = '';
let leadId = '';

const ari: RecordingAri = {
  recordBridge: async (bridgeId, o) => {
    ariCalls.push(`record ${bridgeId} ${o.name}`);
    return {};
  },
  stopRecording: async (name) => void ariCalls.push(`stop ${name}`),
  muteRecording: async (name) => void ariCalls.push(`mute ${name}`),
  unmuteRecording: async (name) => void ariCalls.push(`unmute ${name}`),
  playOnChannel: async (channelId) => void ariCalls.push(`play ${channelId}`),
};

/** A bridged live call of `agent` in `campaignId`, the agent INCALL on it. */
async function liveCall(callId: string, agent: 'agent' | 'agent2', campaignId: string) {
  const agentId = h.users[agent].id as AgentId;
  const bridgeId = `agent-${agentId}`;
  const call = {
    ...answeredHuman(
      {
        callId: callId as CallId,
        campaignId: campaignId as CampaignId,
        leadId: (leadId || '1') as LeadId,
        listId: h.listId as ListId,
        phone: '+14155550100' as never,
        serverId: 'pbx-a',
        attempt: 1,
      },
      Date.now(),
      bridgeId,
    ),
    agentId,
  };
  await h.store.putCall(call, {
    type: 'call.bridged',
    callId: call.callId,
    agentId,
    bridgeId,
    atMs: Date.now(),
  });
  const prev = await h.store.getAgent(agentId);
  await h.store.transitionAgent(
    {
      agentId,
      state: 'INCALL',
      sinceMs: Date.now(),
      campaignId: campaignId as CampaignId,
      callId: call.callId,
      pauseCode: null,
      bridgeId,
      legChannelId: `leg-${agentId}`,
    },
    prev?.state ?? null,
    {
      type: 'agent.state_changed',
      agentId,
      campaignId: campaignId as CampaignId,
      from: prev?.state ?? 'LOGGED_OUT',
      to: 'INCALL',
      pauseCode: null,
      callId: call.callId,
      reason: 'test',
      sinceMs: Date.now(),
      atMs: Date.now(),
    },
  );
}

const post = (user: string, callId: string, verb: string) =>
  app.inject({
    method: 'POST',
    url: `/api/calls/${callId}/recording/${verb}`,
    headers: bearer(tokens[user] ?? ''),
  });
const errorOf = (body: string) => (JSON.parse(body) as ErrorBody).error;

beforeAll(async () => {
  h = await createHarness({ loginPerIpPerMinute: 200 });
  const db = createDb(h.db.pool);
  const campaigns = createCampaignsRepo(db);
  const leads = createLeadsRepo(db);
  await campaigns.update(h.campaignId, { recordingMode: 'on_demand' });
  apiOnlyCampaign = (
    await campaigns.create({ name: 'PCI', recordingMode: 'on_demand', recordingPauseApiOnly: true })
  ).id;
  const { rows } = await h.db.pool.query<{ id: string }>(
    `INSERT INTO leads (list_id, phone, state) VALUES ($1, '+14155550100', 'TX') RETURNING id::text`,
    [h.listId],
  );
  leadId = rows[0]?.id ?? '';
  const lookups = recordingLookups(campaigns, leads);
  const control = new RecordingControl({
    ariOf: (id) => (id === 'pbx-a' ? ari : null),
    store: h.store,
    live: new RedisLiveRecordings(h.redis, h.keys.prefix),
    repo: createRecordingCallsRepo(db),
    settingsOf: lookups.settingsOf,
    leadOf: lookups.leadOf,
    audit: createAuditLog(h.db.pool),
    bus: h.bus,
    clock: systemClock,
    logger: createLogger('silent'),
  });
  app = await buildApp({ ...h.deps, recordingControl: control, leadConsent: leads });
  await app.ready();
  for (const u of ['admin', 'agent1', 'agent2', 'super']) tokens[u] = await h.login(u);
  await liveCall('c-own', 'agent', h.campaignId);
  await liveCall('c-other', 'agent2', apiOnlyCampaign);
}, 60_000);

afterAll(async () => {
  await app?.close();
  await h?.close();
});

describe('recording routes', () => {
  it('404 for a call that is not live', async () => {
    const r = await post('agent1', 'nope', 'start');
    expect(r.statusCode).toBe(404);
    expect(errorOf(r.body).message).toMatch(/no live call nope/);
  });

  it("403 for an agent on another agent's call, whatever the command", async () => {
    for (const verb of ['start', 'pause', 'resume']) {
      const r = await post('agent1', 'c-other', verb);
      expect(r.statusCode).toBe(403);
      expect(errorOf(r.body).message).toBe('not your call');
    }
  });

  it('409 to pause a call not recorded', async () => {
    const r = await post('agent1', 'c-own', 'pause');
    expect(r.statusCode).toBe(409);
    expect(errorOf(r.body).message).toMatch(/not being recorded/);
  });

  it('the agent records their own call on demand: segment 1 on the agent bridge; twice is 409', async () => {
    const r = await post('agent1', 'c-own', 'start');
    expect(r.statusCode).toBe(200);
    expect(JSON.parse(r.body) as RecordingControlResponse).toMatchObject({
      callId: 'c-own',
      state: 'recording',
      segment: 1,
      consentPlaying: false,
      pausedMs: 0,
    });
    expect(ariCalls).toContain(`record agent-${h.users.agent.id} rec-c-own-1`);
    const again = await post('agent1', 'c-own', 'start');
    expect(again.statusCode).toBe(409);
    expect(errorOf(again.body).message).toMatch(/already recorded/);
  });

  it('pause, pause again (409), resume, resume again (409)', async () => {
    const p = await post('agent1', 'c-own', 'pause');
    expect(p.statusCode).toBe(200);
    expect(JSON.parse(p.body)).toMatchObject({ state: 'paused', segment: 1 });
    expect(ariCalls).toContain('mute rec-c-own-1');
    const p2 = await post('agent1', 'c-own', 'pause');
    expect(p2.statusCode).toBe(409);
    expect(errorOf(p2.body).message).toMatch(/already paused/);
    await new Promise((r) => setTimeout(r, 50));
    const q = await post('agent1', 'c-own', 'resume');
    expect(q.statusCode).toBe(200);
    const body = JSON.parse(q.body) as RecordingControlResponse;
    expect(body.state).toBe('recording');
    expect(body.pausedMs).toBeGreaterThanOrEqual(40);
    const q2 = await post('agent1', 'c-own', 'resume');
    expect(q2.statusCode).toBe(409);
    expect(errorOf(q2.body).message).toMatch(/not paused/);
  });

  it('a campaign that pauses through the API only: its agent gets 409, an admin may', async () => {
    const start = await post('agent2', 'c-other', 'start');
    expect(start.statusCode).toBe(200);
    const r = await post('agent2', 'c-other', 'pause');
    expect(r.statusCode).toBe(409);
    expect(errorOf(r.body).message).toMatch(/through the API only/);
    const a = await post('admin', 'c-other', 'pause');
    expect(a.statusCode).toBe(200);
    expect(JSON.parse(a.body)).toMatchObject({ state: 'paused' });
    const s = await post('super', 'c-other', 'resume');
    expect(s.statusCode).toBe(200);
    const { rows } = await h.db.pool.query<{ kind: string; source: string }>(
      `SELECT m.kind, m.source FROM recording_marks m JOIN recordings r ON r.id = m.recording_id
        WHERE r.call_id = 'c-other' ORDER BY m.id`,
    );
    expect(rows.map((x) => [x.kind, x.source])).toEqual([
      ['pause', 'api'],
      ['resume', 'supervisor'],
    ]);
  });

  it("PUT /api/leads/:id/recording-consent: an admin sets the lead's override, audited; others 403; bad values 400", async () => {
    const put = (user: string, body: unknown) =>
      app.inject({
        method: 'PUT',
        url: `/api/leads/${leadId}/recording-consent`,
        headers: bearer(tokens[user] ?? ''),
        payload: body as Record<string, unknown>,
      });
    const ok = await put('admin', { recordingConsent: 'always' });
    expect(ok.statusCode).toBe(200);
    expect(JSON.parse(ok.body)).toMatchObject({ id: leadId, recordingConsent: 'always' });
    expect((await put('agent1', { recordingConsent: 'never' })).statusCode).toBe(403);
    const bad = await put('admin', { recordingConsent: 'sometimes' });
    expect(bad.statusCode).toBe(400);
    expect(errorOf(bad.body).message).toMatch(/recordingConsent/);
    const cleared = await put('admin', { recordingConsent: null });
    expect(JSON.parse(cleared.body)).toMatchObject({ recordingConsent: null });
    const { rows } = await h.db.pool.query<{ detail: Record<string, unknown> }>(
      `SELECT detail FROM audit_log WHERE action = 'lead.recording_consent' ORDER BY id`,
    );
    expect(rows.map((x) => x.detail)).toEqual([
      { from: null, to: 'always' },
      { from: 'always', to: null },
    ]);
  });
});
