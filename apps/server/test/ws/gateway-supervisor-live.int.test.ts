import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type {
  AgentId,
  CallId,
  CampaignId,
  DialerStatusChanged,
  LeadId,
  ListId,
  ServerMessage,
} from '@ringside/protocol';
import { buildApp } from '../../src/http/app.js';
import type { AppDeps } from '../../src/http/deps.js';
import { liveCall } from '../../src/ports/fakes/conformance/fixtures.js';
import { CampaignLiveStore } from '../../src/adapters/redis/dialer-live.js';
import { SupervisorActions } from '../../src/services/supervisor/supervisor-actions.js';
import { monitoringOn } from '../supervisor/monitoring.js';
import { RedisMonitorRegistry } from '../../src/adapters/redis/supervisor-monitors.js';
import type { MonitorAri } from '../../src/ports/supervisor.js';
import { bearer, createHarness, type Harness } from '../http/harness.js';
import { isType, TestClient } from './client.js';

/**
 * The supervisor's live extras through the real gateway, Redis and PostgreSQL: the campaign's
 * dialer status in the snapshot and as pushes, and the monitoring indicator (whisper shown to
 * the agent, listen never), ended by the supervisor or by the call's end. ARI is a port fake.
 */

let h: Harness;
let app: FastifyInstance;
let url: string;
let live: CampaignLiveStore;
const ariSent: string[] = [];
let tokens: Record<'supervisor' | 'agent', string>;
let agentId: AgentId;
let campaign: CampaignId;

beforeAll(async () => {
  h = await createHarness({ wsHeartbeatMs: 200, wsAgentLossMs: 60_000 });
  live = new CampaignLiveStore(h.redis, h.keys);
  const ari: MonitorAri = {
    snoop: async () => void ariSent.push('snoop'),
    createBridge: async () => void ariSent.push('createBridge'),
    addChannel: async () => void ariSent.push('addChannel'),
    originate: async () => void ariSent.push('originate'),
    hangup: async (channelId) => void ariSent.push(`hangup ${channelId}`),
    destroyBridge: async (bridgeId) => void ariSent.push(`destroyBridge ${bridgeId}`),
  };
  const supervisor = new SupervisorActions({
    sessions: { apply: () => Promise.reject(new Error('not used')) },
    store: h.store,
    audit: h.deps.audit,
    monitor: monitoringOn(ari, h.deps.users),
    monitors: new RedisMonitorRegistry(h.redis, h.keys),
    bus: h.bus,
    supervisorName: async (id) => (await h.deps.users.findById(id))?.displayName ?? '',
  });
  const deps: AppDeps = { ...h.deps, supervisor, campaignLive: live };
  app = await buildApp(deps);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  if (!addr || typeof addr === 'string') throw new Error('no address');
  url = `ws://127.0.0.1:${addr.port}/ws`;
  tokens = { supervisor: await h.login('super'), agent: await h.login('agent1') };
  agentId = h.users.agent.id as AgentId;
  campaign = h.campaignId as CampaignId;
});
afterAll(async () => {
  await app?.close();
  await h?.close();
});

async function subscribed(token: string): Promise<TestClient> {
  const c = await TestClient.connect(url, token);
  c.send('subscribe', {});
  await c.waitFor(isType('snapshot'));
  return c;
}

const monitorEvent =
  (type: 'agent.monitor.started' | 'agent.monitor.ended', mode?: string) =>
  (m: ServerMessage): boolean =>
    m.type === 'event' &&
    m.data.event.type === type &&
    (mode === undefined || ('mode' in m.data.event && m.data.event.mode === mode));

function status(over: Partial<DialerStatusChanged> = {}): DialerStatusChanged {
  return {
    type: 'dialer.status',
    campaignId: campaign,
    state: 'dialing',
    reason: 'Predictive: 3 ready and 1.5 more expected free soon: placing 2.',
    mode: 'predictive',
    appliedMode: 'predictive',
    dialLevel: 2,
    readyAgents: 3,
    callsInFlight: 4,
    waitingForAgent: 0,
    hopperSize: 120,
    dialableLeads: 4_500,
    dialableAtMs: 1_000,
    kpi: { dayStartMs: 0, handledCalls: 2, ahtMs: 90_000, connectedCalls: 2, asaMs: 700 },
    atMs: Date.now(),
    ...over,
  };
}

/** The agent INCALL on a live call of the campaign, as the dialer would leave it. */
async function agentOnCall(callId: CallId): Promise<void> {
  await h.store.putCall(
    liveCall(callId, {
      campaignId: campaign,
      stage: 'BRIDGED',
      leadId: '1' as LeadId,
      listId: h.listId as ListId,
      agentId,
      bridgeId: `agent-${agentId}`,
    }),
    {
      type: 'call.bridged',
      callId,
      agentId,
      bridgeId: `agent-${agentId}`,
      atMs: Date.now(),
    },
  );
  const before = await h.store.getAgent(agentId);
  await h.store.transitionAgent(
    {
      agentId,
      state: 'INCALL',
      sinceMs: Date.now(),
      campaignId: campaign,
      callId,
      pauseCode: null,
      bridgeId: `agent-${agentId}`,
      legChannelId: `leg-${agentId}`,
    },
    before?.state ?? null,
    {
      type: 'agent.state_changed',
      agentId,
      campaignId: campaign,
      from: before?.state ?? 'LOGGED_OUT',
      to: 'INCALL',
      pauseCode: null,
      callId,
      reason: 'test',
      sinceMs: before?.sinceMs ?? Date.now(),
      atMs: Date.now(),
    },
  );
}

const monitor = (token: string, mode: string) =>
  app.inject({
    method: 'POST',
    url: `/api/supervisor/agents/${agentId}/monitor`,
    headers: bearer(token),
    payload: { mode },
  });

describe('dialer status for supervisors', () => {
  it("puts each campaign's last dialer.status in the supervisor snapshot, fresh ones only", async () => {
    await live.putLive(status(), Date.now());
    await live.putLive(status({ campaignId: '999999' as CampaignId }), Date.now() - 60_000);
    const sup = await subscribed(tokens.supervisor);
    const snap = await sup.waitFor(isType('snapshot'));
    expect(snap.data.campaigns).toEqual([
      expect.objectContaining({
        campaignId: campaign,
        reason: expect.stringContaining('Predictive'),
        hopperSize: 120,
        dialableLeads: 4_500,
      }),
    ]);
    sup.close();
  });

  it('pushes a published dialer.status to supervisors and not to agents', async () => {
    const sup = await subscribed(tokens.supervisor);
    const agent = await subscribed(tokens.agent);
    await h.bus.publish(status({ reason: 'No agent is ready: not dialing.', state: 'idle' }));
    const ev = await sup.waitFor(
      (m) => m.type === 'event' && m.data.event.type === 'dialer.status',
    );
    expect(ev.type === 'event' && ev.data.event).toMatchObject({ state: 'idle' });
    // A later event of the agent's own arrives; the status never did.
    await h.bus.publish({
      type: 'agent.monitor.ended',
      agentId,
      callId: 'none' as CallId,
      mode: 'whisper',
      supervisorId: h.users.supervisor.id,
      reason: 'stopped',
      atMs: Date.now(),
    });
    await agent.waitFor(monitorEvent('agent.monitor.ended'));
    expect(
      agent.messages.some((m) => m.type === 'event' && m.data.event.type === 'dialer.status'),
    ).toBe(false);
    sup.close();
    agent.close();
  });
});

describe('monitoring indicator', () => {
  it("whisper: the agent gets agent.monitor.started with the supervisor's name, once", async () => {
    await agentOnCall('mon-1' as CallId);
    const agent = await subscribed(tokens.agent);
    const sup = await subscribed(tokens.supervisor);
    expect((await monitor(tokens.supervisor, 'whisper')).statusCode).toBe(200);
    const started = await agent.waitFor(monitorEvent('agent.monitor.started', 'whisper'));
    expect(started.type === 'event' && started.data.event).toMatchObject({
      agentId,
      callId: 'mon-1',
      supervisorId: h.users.supervisor.id,
      supervisorName: 'super',
    });
    await sup.waitFor(monitorEvent('agent.monitor.started', 'whisper'));

    // A fresh snapshot (reconnect) still shows it while it lasts.
    const again = await subscribed(tokens.agent);
    const snap = await again.waitFor(isType('snapshot'));
    expect(snap.data.monitor).toMatchObject({ mode: 'whisper', supervisorName: 'super' });

    // The supervisor stops: one ended event, the supervisor's leg hung up, audited.
    const stop = await app.inject({
      method: 'DELETE',
      url: `/api/supervisor/agents/${agentId}/monitor`,
      headers: bearer(tokens.supervisor),
    });
    expect(stop.statusCode).toBe(200);
    const ended = await agent.waitFor(monitorEvent('agent.monitor.ended'));
    expect(ended.type === 'event' && ended.data.event).toMatchObject({ reason: 'stopped' });
    expect(ariSent).toContain('hangup sup-m1');
    const rows = await h.deps.audit.list({ target: `agent:${agentId}` });
    expect(rows.map((r) => r.action)).toEqual(
      expect.arrayContaining(['supervisor.whisper', 'supervisor.monitor_stop']),
    );
    const started2 = agent.messages.filter(monitorEvent('agent.monitor.started'));
    expect(started2).toHaveLength(1);
    // Stopping again: nobody is monitoring.
    const twice = await app.inject({
      method: 'DELETE',
      url: `/api/supervisor/agents/${agentId}/monitor`,
      headers: bearer(tokens.supervisor),
    });
    expect(twice.statusCode).toBe(409);
    agent.close();
    again.close();
    sup.close();
  });

  it('listen is silent: supervisors see it, the agent receives nothing', async () => {
    const agent = await subscribed(tokens.agent);
    const sup = await subscribed(tokens.supervisor);
    expect((await monitor(tokens.supervisor, 'listen')).statusCode).toBe(200);
    await sup.waitFor(monitorEvent('agent.monitor.started', 'listen'));
    const snap = await (await subscribed(tokens.agent)).waitFor(isType('snapshot'));
    expect(snap.data.monitor ?? null).toBeNull();
    expect((await monitor(tokens.supervisor, 'barge')).statusCode).toBe(200);
    // The barge replaced the listen: the agent sees the barge only.
    await agent.waitFor(monitorEvent('agent.monitor.started', 'barge'));
    expect(agent.messages.some(monitorEvent('agent.monitor.started', 'listen'))).toBe(false);
    expect(agent.messages.some(monitorEvent('agent.monitor.ended', 'listen'))).toBe(false);
    await sup.waitFor(monitorEvent('agent.monitor.ended', 'listen'));
    agent.close();
    sup.close();
  });

  it("the call's end ends the monitoring: one agent.monitor.ended with reason call_ended", async () => {
    const agent = await subscribed(tokens.agent);
    const call = await h.store.getCall('mon-1' as CallId);
    if (!call) throw new Error('call mon-1 not live');
    await h.store.endCall(call, {
      type: 'call.ended',
      callId: 'mon-1' as CallId,
      campaignId: campaign,
      leadId: '1' as LeadId,
      outcome: 'HUMAN',
      hangupCause: 16,
      agentId,
      atMs: Date.now(),
    });
    const ended = await agent.waitFor(monitorEvent('agent.monitor.ended', 'barge'));
    expect(ended.type === 'event' && ended.data.event).toMatchObject({ reason: 'call_ended' });
    expect(await new RedisMonitorRegistry(h.redis, h.keys).get(agentId)).toBeNull();
    agent.close();
  });
});
