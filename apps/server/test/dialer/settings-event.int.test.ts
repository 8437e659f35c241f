import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  Campaign,
  CallId,
  CampaignId,
  CampaignSettingsChanged,
  E164,
  LeadId,
  ListId,
} from '@ringside/protocol';
import type { CampaignsRepo } from '../../src/ports/campaigns.js';
import { ConflictError } from '../../src/errors.js';
import { createLogger } from '../../src/logger.js';
import { systemClock } from '../../src/ports/clock.js';
import type { Subscription } from '../../src/ports/event-bus.js';
import { MemoryHopper } from '../../src/ports/fakes/memory-hopper.js';
import { newLiveCall, type LiveCall } from '../../src/ports/state-store.js';
import { AgentSessionService } from '../../src/services/agents/agent-session.js';
import { CampaignLeases } from '../../src/adapters/redis/dialer-state.js';
import { RedisKeys } from '../../src/adapters/redis/keys.js';
import type { DialerAri, DialerStatus } from '../../src/ports/dialer.js';
import { DialerService } from '../../src/services/dialer/index.js';
import { buildAdminApp, injectLogin } from '../helpers/admin-app.js';
import { inertDialerParts, testDialerDefaults } from '../helpers/dialer.js';
import { testRedisPrefix } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';
import { bearer, createHarness, type Harness } from '../http/harness.js';
import { isType, TestClient } from '../ws/client.js';

/**
 * campaign.settings_changed end to end on the real PostgreSQL and Redis: the admin and
 * supervisor routes publish it once per change (nothing for a change that changes nothing), and
 * a running DialerService whose periodic settings reload is switched off (one hour) applies it:
 * a new dial level, a campaign created active, and a deactivation that stops new calls at once
 * while the call in flight is seen through.
 */

let h: Harness;
let app: FastifyInstance;
let repo: CampaignsRepo;
let dialer: DialerService;
let sub: Subscription;
let wsUrl: string;
const tokens = { admin: '', supervisor: '' };
const seen: CampaignSettingsChanged[] = [];
/** The last status each campaign's driver reported, with the dial level it applied. */
const reported = new Map<string, { status: DialerStatus; dialLevel: number }>();
let originations = 0;
const logger = createLogger('error');

const send = (token: string, method: 'POST' | 'PATCH' | 'PUT', url: string, payload: object) =>
  app.inject({ method, url, headers: bearer(token), payload: payload as Record<string, unknown> });

beforeAll(async () => {
  h = await createHarness({ loginPerIpPerMinute: 200 });
  ({ app, campaigns: repo } = await buildAdminApp(h));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  if (!addr || typeof addr === 'string') throw new Error('no address');
  wsUrl = `ws://127.0.0.1:${addr.port}/ws`;
  for (const [who, username] of [
    ['admin', 'admin'],
    ['supervisor', 'super'],
  ] as const) {
    tokens[who] = await injectLogin(app, username);
  }
  // The harness's own campaign is not under test: keep the dialer off it.
  await repo.update(h.campaignId, { active: false });

  sub = await h.bus.subscribe({
    from: 'latest',
    onEvent: (env) => {
      if (env.event.type === 'campaign.settings_changed') seen.push(env.event);
    },
  });
  const ari: DialerAri = {
    createBridge: async () => ({}),
    addChannel: async () => undefined,
    removeChannel: async () => undefined,
    playOnChannel: async () => undefined,
    getPlayback: async () => ({}),
    hangup: async () => undefined,
  };
  dialer = new DialerService({
    instanceId: 'settings-event',
    store: h.store,
    hopper: new MemoryHopper(),
    originator: {
      originate: async () => {
        originations += 1;
        return { ok: false, attempted: false, error: new ConflictError('not in this test') };
      },
    },
    ari: () => ari,
    agents: new AgentSessionService({
      store: h.store,
      log: { record: async () => undefined },
      clock: systemClock,
    }),
    ...inertDialerParts(),
    statusObserver: {
      observe: (status, dialLevel) => reported.set(status.campaignId, { status, dialLevel }),
    },
    ...testDialerDefaults(logger),
    campaigns: repo,
    leases: new CampaignLeases(h.redis, new RedisKeys(testRedisPrefix('settings_ev')), 'd1', 5_000),
    bus: h.bus,
    rebuildLedger: async () => undefined,
    leaseIntervalMs: 100,
    // Off for the test: only campaign.settings_changed can bring a change to the dialer.
    reloadIntervalMs: 3_600_000,
  });
  await dialer.start();
});

afterAll(async () => {
  await dialer?.stop();
  await sub?.close();
  await app?.close();
  await h?.close();
});

/** The next campaign.settings_changed after `before` of them were seen. */
async function nextEvent(before: number): Promise<CampaignSettingsChanged> {
  await waitFor('campaign.settings_changed', () => seen.length > before);
  return seen[before] as CampaignSettingsChanged;
}

let campaign: Campaign;

describe('campaign.settings_changed', () => {
  it('an admin creating an active campaign publishes one event and the dialer drives it at once', async () => {
    const before = seen.length;
    const r = await send(tokens.admin, 'POST', '/api/campaigns', {
      name: 'Evented',
      active: true,
      dialMethod: 'ratio',
      dialLevel: 2,
    });
    expect(r.statusCode).toBe(201);
    campaign = r.json() as Campaign;
    const e = await nextEvent(before);
    expect(e).toMatchObject({
      campaignId: campaign.id,
      change: 'created',
      by: 'admin',
      userId: h.users.admin.id,
      active: true,
      dialMethod: 'ratio',
      dialLevel: 2,
    });
    expect(e.fields).toEqual(expect.arrayContaining(['active', 'dialMethod', 'dialLevel']));
    await waitFor('the dialer to take the campaign', () =>
      dialer.driven().includes(campaign.id as CampaignId),
    );
  });

  it("a supervisor's dial-level change is published once, applied by the dialer and pushed to supervisors", async () => {
    const board = await TestClient.connect(wsUrl, tokens.supervisor);
    board.send('subscribe', {});
    await board.waitFor(isType('snapshot'));
    const before = seen.length;
    const r = await send(
      tokens.supervisor,
      'PATCH',
      `/api/supervisor/campaigns/${campaign.id}/dialing`,
      {
        dialLevel: 3.5,
      },
    );
    expect(r.statusCode).toBe(200);
    const e = await nextEvent(before);
    expect(e).toMatchObject({
      campaignId: campaign.id,
      change: 'updated',
      fields: ['dialLevel'],
      by: 'supervisor',
      userId: h.users.supervisor.id,
      dialMethod: 'ratio',
      dialLevel: 3.5,
      active: true,
    });
    await waitFor(
      'the driver to apply level 3.5',
      () => reported.get(campaign.id)?.dialLevel === 3.5,
    );
    // The supervisors' dashboards get it through the gateway (model.ts updates the header).
    const pushed = await board.waitFor(
      (m) => m.type === 'event' && m.data.event.type === 'campaign.settings_changed',
    );
    expect(pushed.type === 'event' && pushed.data.event).toMatchObject({
      campaignId: campaign.id,
      dialLevel: 3.5,
    });
    board.close();
    // Audited as before.
    const audits = await h.deps.audit.list({ target: `campaign:${campaign.id}` });
    expect(audits.map((a) => a.action)).toContain('supervisor.campaign_dialing');
  });

  it('a change that changes nothing publishes nothing; the next real change is the next event', async () => {
    const before = seen.length;
    const same = await send(tokens.admin, 'PATCH', `/api/campaigns/${campaign.id}`, {
      dialLevel: 3.5,
    });
    expect(same.statusCode).toBe(200);
    const sameDialing = await send(
      tokens.supervisor,
      'PATCH',
      `/api/supervisor/campaigns/${campaign.id}/dialing`,
      { dialMethod: 'ratio' },
    );
    expect(sameDialing.statusCode).toBe(200);
    const real = await send(tokens.admin, 'PATCH', `/api/campaigns/${campaign.id}`, {
      dialMethod: 'predictive',
      dropWaitMs: 1500,
    });
    expect(real.statusCode).toBe(200);
    const e = await nextEvent(before);
    expect(e).toMatchObject({ by: 'admin', dialMethod: 'predictive', dialLevel: 3.5 });
    expect([...e.fields].sort()).toEqual(['dialMethod', 'dropWaitMs']);
    await waitFor(
      'the driver to apply predictive',
      () => reported.get(campaign.id)?.status.mode === 'predictive',
    );
    expect(seen.length).toBe(before + 1);
  });

  it('new recycle rules are announced with the field recycleRules', async () => {
    const before = seen.length;
    const r = await send(tokens.admin, 'PUT', `/api/campaigns/${campaign.id}/recycle-rules`, {
      rules: [{ status: 'BUSY', delayS: 600, maxAttempts: 3 }],
    });
    expect(r.statusCode).toBe(200);
    expect(await nextEvent(before)).toMatchObject({ fields: ['recycleRules'], by: 'admin' });
  });

  it('an admin deactivating the campaign stops new calls at once; the call in flight is seen through', async () => {
    const id = campaign.id as CampaignId;
    const list = await h.db.pool.query<{ id: string }>(
      `INSERT INTO lists (campaign_id, name) VALUES ($1, 'ev') RETURNING id::text AS id`,
      [id],
    );
    const now = Date.now();
    const call: LiveCall = {
      ...newLiveCall({
        callId: 'cev1' as CallId,
        campaignId: id,
        leadId: '1' as LeadId,
        listId: list.rows[0]?.id as ListId,
        phone: '+12125550100' as E164,
        serverId: 's',
        attempt: 1,
        originatedAtMs: now,
      }),
      stage: 'RINGING',
      ringingAtMs: now,
    };
    await h.store.putCall(call, {
      type: 'call.originated',
      callId: call.callId,
      campaignId: id,
      leadId: call.leadId,
      listId: call.listId,
      agentId: null,
      serverId: 's',
      channelId: 'cev1',
      atMs: now,
    });
    await waitFor(
      'the driver to follow the call',
      () => (reported.get(id)?.status.callsInFlight ?? 0) > 0,
    );

    const before = seen.length;
    const placed = originations;
    const r = await send(tokens.admin, 'PATCH', `/api/campaigns/${id}`, { active: false });
    expect(r.statusCode).toBe(200);
    expect(await nextEvent(before)).toMatchObject({ fields: ['active'], active: false });
    await waitFor('the driver to drain', () =>
      (reported.get(id)?.status.reason ?? '').startsWith('Campaign stopped'),
    );
    // Still driven while its call is live, placing nothing new.
    expect(dialer.driven()).toContain(id);
    expect(originations).toBe(placed);

    await h.store.endCall(
      { ...call, stage: 'ENDED', endedAtMs: Date.now() },
      {
        type: 'call.ended',
        callId: call.callId,
        campaignId: id,
        leadId: call.leadId,
        outcome: 'NO_ANSWER',
        hangupCause: 19,
        agentId: null,
        atMs: Date.now(),
      },
    );
    await waitFor('the dialer to let the campaign go', () => !dialer.driven().includes(id));
  });

  it('an admin reactivating the campaign has it driven again without waiting for a reload', async () => {
    const id = campaign.id as CampaignId;
    const r = await send(tokens.admin, 'PATCH', `/api/campaigns/${id}`, { active: true });
    expect(r.statusCode).toBe(200);
    await waitFor('the dialer to take it again', () => dialer.driven().includes(id));
  });
});
