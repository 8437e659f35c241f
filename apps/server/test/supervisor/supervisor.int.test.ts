import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TelephonyError } from '../../src/ports/telephony-errors.js';
import type { AgentId, BusEnvelope, CallId, RosterResponse } from '@ringside/protocol';
import { buildApp } from '../../src/http/app.js';
import type { AppDeps } from '../../src/http/deps.js';
import { agentStatus } from '../../src/ports/fakes/conformance/fixtures.js';
import type { AgentStatus, LiveCall } from '../../src/ports/state-store.js';
import type { AriRestClient } from '../../src/adapters/asterisk/ari-client.js';
import { SupervisorActions } from '../../src/services/supervisor/supervisor-actions.js';
import { monitoringOn } from './monitoring.js';
import type { MonitorAri } from '../../src/ports/supervisor.js';

// Compile-time (tsc -p apps/server): the real ARI client is a MonitorAri, so roles/api.ts can
// pass it as is; this line stops compiling if the two drift apart.
export const realClientFits: AriRestClient extends MonitorAri ? true : never = true;
import { bearer, createHarness, type Harness } from '../http/harness.js';

let h: Harness;
const tokens = { agent: '', supervisor: '', admin: '' };

beforeAll(async () => {
  h = await createHarness();
  tokens.agent = await h.login('agent1');
  tokens.supervisor = await h.login('super');
  tokens.admin = await h.login('admin');
});
afterAll(async () => h?.close());

const SUPERVISOR_ROUTES = [
  { method: 'GET', url: '/api/supervisor/roster', payload: undefined },
  { method: 'GET', url: '/api/supervisor/phone', payload: undefined },
  { method: 'GET', url: '/api/supervisor/telephony', payload: undefined },
  { method: 'POST', url: '/api/supervisor/agents/1/pause', payload: { code: 'BREAK' } },
  { method: 'POST', url: '/api/supervisor/agents/1/logout', payload: {} },
  { method: 'POST', url: '/api/supervisor/agents/1/monitor', payload: { mode: 'listen' } },
  { method: 'DELETE', url: '/api/supervisor/agents/1/monitor', payload: undefined },
  { method: 'PATCH', url: '/api/supervisor/campaigns/1/dialing', payload: { dialLevel: 2 } },
  { method: 'GET', url: '/api/supervisor/campaigns/1/thresholds', payload: undefined },
  {
    method: 'PUT',
    url: '/api/supervisor/campaigns/1/thresholds',
    payload: { states: {}, dropWarnPct: 1 },
  },
] as const;

async function agentLogin(): Promise<void> {
  const r = await h.app.inject({
    method: 'POST',
    url: '/api/agent/session/login',
    headers: bearer(tokens.agent),
    payload: { campaignId: h.campaignId },
  });
  expect(r.statusCode).toBe(200);
}

describe('supervisor routes', () => {
  it('every supervisor route is declared for supervisors and admins only', () => {
    const declared = h.app.routeTable.filter((r) => r.url.startsWith('/api/supervisor/'));
    expect(declared.map((r) => `${r.method} ${r.url}`).sort()).toEqual(
      [
        'GET /api/supervisor/roster',
        'GET /api/supervisor/phone',
        'GET /api/supervisor/telephony',
        'POST /api/supervisor/agents/:agentId/pause',
        'POST /api/supervisor/agents/:agentId/logout',
        'POST /api/supervisor/agents/:agentId/monitor',
        'DELETE /api/supervisor/agents/:agentId/monitor',
        'PATCH /api/supervisor/campaigns/:id/dialing',
        'GET /api/supervisor/campaigns/:id/thresholds',
        'PUT /api/supervisor/campaigns/:id/thresholds',
      ].sort(),
    );
    for (const r of declared) expect(r.auth).toEqual(['supervisor', 'admin']);
  });

  it('answers 403 to an agent on every supervisor route and writes nothing', async () => {
    for (const r of SUPERVISOR_ROUTES) {
      const res = await h.app.inject({
        method: r.method,
        url: r.url,
        headers: bearer(tokens.agent),
        ...(r.payload ? { payload: r.payload } : {}),
      });
      expect({ route: r.url, status: res.statusCode }).toEqual({ route: r.url, status: 403 });
    }
    const audit = await h.deps.audit.list();
    expect(audit.filter((a) => a.action.startsWith('supervisor.'))).toEqual([]);
  });

  it('force logout moves the agent to LOGGED_OUT and writes an audit row', async () => {
    await agentLogin();
    const agentId = h.users.agent.id;
    const res = await h.app.inject({
      method: 'POST',
      url: `/api/supervisor/agents/${agentId}/logout`,
      headers: bearer(tokens.supervisor),
      payload: {},
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ agent: { state: 'LOGGED_OUT' }, hungUp: false });
    expect((await h.store.getAgent(agentId as AgentId))?.state ?? 'LOGGED_OUT').toBe('LOGGED_OUT');
    const rows = await h.deps.audit.list({ target: `agent:${agentId}` });
    expect(rows[0]).toMatchObject({
      userId: h.users.supervisor.id,
      action: 'supervisor.force_logout',
      detail: { from: 'PAUSED', hangupCall: false },
    });
  });

  it('force logout of an agent who is not logged in is a 409', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: `/api/supervisor/agents/${h.users.agent2.id}/logout`,
      headers: bearer(tokens.supervisor),
      payload: {},
    });
    expect(res.statusCode).toBe(409);
  });

  it('force pause sets PAUSED with the code and the supervisor as reason, audited', async () => {
    await agentLogin();
    const agentId = h.users.agent.id;
    await h.app.inject({
      method: 'POST',
      url: '/api/agent/session/ready',
      headers: bearer(tokens.agent),
    });
    const res = await h.app.inject({
      method: 'POST',
      url: `/api/supervisor/agents/${agentId}/pause`,
      headers: bearer(tokens.admin),
      payload: { code: 'COACH' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ agent: { state: 'PAUSED', pauseCode: 'COACH' } });
    const rows = await h.deps.audit.list({ target: `agent:${agentId}` });
    expect(rows[0]).toMatchObject({
      userId: h.users.admin.id,
      action: 'supervisor.force_pause',
      detail: { code: 'COACH' },
    });
  });

  it('the roster names the agents in the live state and lists the campaigns', async () => {
    const res = await h.app.inject({
      method: 'GET',
      url: '/api/supervisor/roster',
      headers: bearer(tokens.supervisor),
    });
    expect(res.statusCode).toBe(200);
    const body = res.json() as RosterResponse;
    expect(body.agents).toContainEqual({
      agentId: h.users.agent.id,
      displayName: 'agent1',
      teamId: null,
      callsToday: 0,
    });
    // Without the reports service the drop counts are unknown, not zero.
    expect(body.campaigns.find((c) => c.id === h.campaignId)).toMatchObject({ drops: null });
  });

  it('changes the dial method and level within limits, audited; refuses a level over 10', async () => {
    const bad = await h.app.inject({
      method: 'PATCH',
      url: `/api/supervisor/campaigns/${h.campaignId}/dialing`,
      headers: bearer(tokens.supervisor),
      payload: { dialLevel: 11 },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('dialLevel');
    const ok = await h.app.inject({
      method: 'PATCH',
      url: `/api/supervisor/campaigns/${h.campaignId}/dialing`,
      headers: bearer(tokens.supervisor),
      payload: { dialMethod: 'ratio', dialLevel: 2.5 },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ dialMethod: 'ratio', dialLevel: 2.5 });
    const rows = await h.deps.audit.list({ target: `campaign:${h.campaignId}` });
    expect(rows[0]).toMatchObject({
      action: 'supervisor.campaign_dialing',
      detail: { dialLevel: { to: 2.5 }, dialMethod: { to: 'ratio' } },
    });
  });

  it('monitoring answers 503 when no ARI is wired', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: `/api/supervisor/agents/${h.users.agent.id}/monitor`,
      headers: bearer(tokens.supervisor),
      payload: { mode: 'listen' },
    });
    expect(res.statusCode).toBe(503);
  });
});

/** Agent `n` INCALL on call c-<n>, with its bridge agent-<n> and phone leg leg-<n>. */
function inCall(n: string): AgentStatus {
  return agentStatus(n, 'INCALL', 1, {
    campaignId: null,
    callId: `c-${n}` as CallId,
    bridgeId: `agent-${n}`,
    legChannelId: `leg-${n}`,
  });
}

describe('listen, whisper and barge', () => {
  const agentId = '77' as AgentId;
  const callId = 'c-77' as CallId;
  const agent = inCall('77');
  const call = { callId, channelId: 'cust-77' } as LiveCall;

  /** `snoopNotInAppYet`: the snoop's add is refused as Asterisk does before its StasisStart. */
  async function withMonitor(snoopNotInAppYet = false) {
    const sent: Array<{ op: string; args: unknown }> = [];
    const ari: MonitorAri = {
      snoop: async (p) => void sent.push({ op: 'snoop', args: p }),
      createBridge: async (bridgeId) => void sent.push({ op: 'createBridge', args: bridgeId }),
      addChannel: async (bridgeId, channel) => {
        sent.push({ op: 'addChannel', args: { bridgeId, channel } });
        if (snoopNotInAppYet && String(channel).startsWith('snoop-'))
          throw new TelephonyError(422, 'Channel not in Stasis application', 'bridges.addChannel');
      },
      originate: async (p) => void sent.push({ op: 'originate', args: p }),
    };
    const supervisor = new SupervisorActions({
      sessions: { apply: () => Promise.reject(new Error('not used')) },
      store: {
        getAgent: async (id) => (id === agentId ? agent : null),
        getCall: async (id) => (id === callId ? call : null),
      },
      audit: h.deps.audit,
      monitor: monitoringOn(ari, h.deps.users),
    });
    const deps: AppDeps = { ...h.deps, supervisor };
    const app = await buildApp(deps);
    await app.ready();
    return { app, sent };
  }

  /** Asks to monitor the agent in `mode` (200 expected); what the fake ARI was sent. */
  async function monitorAs(mode: 'listen' | 'whisper' | 'barge', snoopNotInAppYet = false) {
    const { app, sent } = await withMonitor(snoopNotInAppYet);
    const res = await app.inject({
      method: 'POST',
      url: `/api/supervisor/agents/${agentId}/monitor`,
      headers: bearer(tokens.supervisor),
      payload: { mode },
    });
    await app.close();
    expect(res.statusCode).toBe(200);
    return { res, sent };
  }

  it('listen snoops the agent leg with spy=both into a bridge with the supervisor phone', async () => {
    const { sent } = await monitorAs('listen');
    expect(sent.find((s) => s.op === 'snoop')?.args).toMatchObject({
      channelId: 'leg-77',
      spy: 'both',
      whisper: 'none',
      app: 'ringside',
    });
    expect(sent.find((s) => s.op === 'originate')?.args).toMatchObject({
      endpoint: 'PJSIP/super',
    });
    const rows = await h.deps.audit.list({ target: `agent:${agentId}` });
    expect(rows[0]).toMatchObject({ action: 'supervisor.listen', detail: { callId } });
  });

  it('whisper snoops with whisper=out so only the agent hears the supervisor', async () => {
    const { sent } = await monitorAs('whisper');
    expect(sent.find((s) => s.op === 'snoop')?.args).toMatchObject({ whisper: 'out' });
  });

  it('whisper goes on when the snoop is not in the app yet: the worker adds it at its StasisStart', async () => {
    // Seen on the real Asterisk under load: 422 "Channel not in Stasis application" (a 502 before).
    const { sent } = await monitorAs('whisper', true);
    expect(sent.find((s) => s.op === 'snoop')?.args).toMatchObject({
      appArgs: expect.stringMatching(/^supmon,supbr-/) as unknown,
    });
    expect(sent.map((s) => s.op)).toContain('originate');
  });

  it("barge calls the supervisor phone into the agent's bridge without a snoop", async () => {
    const { res, sent } = await monitorAs('barge');
    expect(res.json()).toMatchObject({ mode: 'barge', target: 'agent-77' });
    expect(sent.map((s) => s.op)).toEqual(['originate']);
    expect(sent[0]?.args).toMatchObject({ appArgs: 'supmon,agent-77' });
  });
});

describe('force logout of an agent on a live call', () => {
  const agentId = '88' as AgentId;
  const callId = 'c-88' as CallId;
  const incall = inCall('88');

  function actions() {
    const done: string[] = [];
    const supervisor = new SupervisorActions({
      // The state machine's answer for INCALL --force_logout--> LOGGED_OUT.
      sessions: {
        apply: async () => ({
          status: { ...incall, state: 'LOGGED_OUT', callId: null, legChannelId: null },
          effects: [
            { type: 'hangup_call', callId },
            { type: 'end_agent_leg', legChannelId: 'leg-88' },
          ],
          envelope: {} as BusEnvelope,
        }),
      },
      store: {
        getAgent: async () => incall,
        getCall: async () => ({ callId, channelId: 'cust-88' }) as LiveCall,
      },
      audit: h.deps.audit,
      hangupCall: async (c) => void done.push(`hangup ${c.channelId}`),
      endLeg: async (_a, leg) => void done.push(`end ${leg}`),
    });
    return { supervisor, done };
  }

  it('leaves the call and the agent leg up by default', async () => {
    const { supervisor, done } = actions();
    const r = await supervisor.forceLogout(h.users.supervisor.id, agentId, false);
    expect(r).toMatchObject({ callId, hungUp: false, status: { state: 'LOGGED_OUT' } });
    expect(done).toEqual([]);
  });

  it('hangs up the customer and ends the leg when the supervisor asks', async () => {
    const { supervisor, done } = actions();
    const r = await supervisor.forceLogout(h.users.supervisor.id, agentId, true);
    expect(r.hungUp).toBe(true);
    expect(done).toEqual(['hangup cust-88', 'end leg-88']);
    const rows = await h.deps.audit.list({ target: `agent:${agentId}` });
    expect(rows[0]).toMatchObject({ detail: { from: 'INCALL', hangupCall: true, hungUp: true } });
  });
});
