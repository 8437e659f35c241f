import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentId, CallId, CampaignId, ServerMessage } from '@ringside/protocol';
import { liveCall } from '../../src/ports/fakes/conformance/fixtures.js';
import { HEARTBEAT_LOST_REASON } from '../../src/services/agents/presence.js';
import { bearer, createHarness, type Harness } from '../http/harness.js';
import { waitFor } from '../helpers/wait.js';
import { isType, TestClient } from './client.js';

let h: Harness;
let url: string;
let tokens: Record<'supervisor' | 'agent' | 'agent2', string>;
const LOSS_MS = 400;
let campaign: CampaignId;
/** Agents "connected to another api process". */
const elsewhere = new Set<string>();

beforeAll(async () => {
  h = await createHarness(
    { wsHeartbeatMs: 100, wsAgentLossMs: LOSS_MS },
    {
      // Port fake of the cross-process presence store: what other api processes would report.
      presence: {
        touch: async () => undefined,
        isPresent: async (agentId) => elsewhere.has(agentId),
      },
    },
  );
  campaign = h.campaignId as CampaignId;
  await h.app.listen({ port: 0, host: '127.0.0.1' });
  const addr = h.app.server.address();
  if (!addr || typeof addr === 'string') throw new Error('no address');
  url = `ws://127.0.0.1:${addr.port}/ws`;
  tokens = {
    supervisor: await h.login('super'),
    agent: await h.login('agent1'),
    agent2: await h.login('agent2'),
  };
});
afterAll(async () => h?.close());

const agentAction = (token: string, action: string, payload?: unknown) =>
  h.app.inject({
    method: 'POST',
    url: `/api/agent/session/${action}`,
    headers: bearer(token),
    ...(payload ? { payload: payload as Record<string, unknown> } : {}),
  });

const agentEvent =
  (agentId: string, to?: string) =>
  (m: ServerMessage): boolean =>
    m.type === 'event' &&
    m.data.event.type === 'agent.state_changed' &&
    m.data.event.agentId === agentId &&
    (to === undefined || m.data.event.to === to);

async function subscribed(token: string, data: unknown = {}, opts = {}): Promise<TestClient> {
  const c = await TestClient.connect(url, token, opts);
  c.send('subscribe', data);
  await c.waitFor(isType('snapshot'));
  return c;
}

describe('authentication before the upgrade', () => {
  it('refuses a connection without a session with HTTP 401', async () => {
    await expect(TestClient.connect(url, null)).rejects.toMatchObject({ statusCode: 401 });
  });

  it('refuses a forged token with HTTP 401', async () => {
    await expect(TestClient.connect(url, `${tokens.agent}x`)).rejects.toMatchObject({
      statusCode: 401,
    });
  });

  it('refuses a cookie-authenticated upgrade from another origin with 403', async () => {
    await expect(
      TestClient.connect(url, tokens.agent, { cookie: true, origin: 'https://evil.example' }),
    ).rejects.toMatchObject({ statusCode: 403 });
    const same = await TestClient.connect(url, tokens.agent, {
      cookie: true,
      origin: `http://${new URL(url).host}`,
    });
    same.close();
  });

  it('compares the scheme too: a page on https:// of this host may not open the http socket', async () => {
    await expect(
      TestClient.connect(url, tokens.agent, {
        cookie: true,
        origin: `https://${new URL(url).host}`,
      }),
    ).rejects.toMatchObject({ statusCode: 403 });
  });

  it('accepts the session cookie and greets with a heartbeat', async () => {
    const c = await TestClient.connect(url, tokens.agent, { cookie: true });
    const hb = await c.waitFor(isType('heartbeat'));
    expect(hb).toMatchObject({ v: 1, seq: 1, data: { intervalMs: 100 } });
    c.close();
  });
});

describe('snapshots and events', () => {
  it('gives an agent a snapshot of its own state, then only its own events', async () => {
    expect((await agentAction(tokens.agent, 'login', { campaignId: campaign })).statusCode).toBe(
      200,
    );
    expect((await agentAction(tokens.agent, 'ready')).statusCode).toBe(200);
    const agent = await subscribed(tokens.agent);
    const sup = await subscribed(tokens.supervisor);
    const snap = await agent.waitFor(isType('snapshot'));
    expect(snap.data).toMatchObject({
      scope: 'agent',
      reason: 'subscribe',
      agent: { agentId: h.users.agent.id, state: 'READY', campaignId: campaign },
      agents: [],
    });
    const supSnap = await sup.waitFor(isType('snapshot'));
    expect(supSnap.data.agents.map((a) => a.agentId)).toContain(h.users.agent.id);

    // agent2's change reaches the supervisor only; agent1's own change reaches both.
    await agentAction(tokens.agent2, 'login', { campaignId: campaign });
    await sup.waitFor(agentEvent(h.users.agent2.id, 'PAUSED'));
    await agentAction(tokens.agent, 'pause', { code: 'BREAK' });
    await agent.waitFor(agentEvent(h.users.agent.id, 'PAUSED'));
    await sup.waitFor(agentEvent(h.users.agent.id, 'PAUSED'));
    expect(agent.messages.some(agentEvent(h.users.agent2.id))).toBe(false);

    // Envelope seq numbers are 1, 2, 3, ... per connection.
    expect(agent.messages.map((m) => m.seq)).toEqual(agent.messages.map((_, i) => i + 1));
    agent.close();
    sup.close();
  });

  it("routes a call's events to the agent it was reserved for, and no other", async () => {
    // Connected first: a READY agent without a socket for longer than the loss time (LOSS_MS) is
    // paused, and connecting can take that long on a busy machine.
    const agent = await subscribed(tokens.agent);
    const other = await subscribed(tokens.agent2);
    await agentAction(tokens.agent, 'ready');
    const callId = 'call-ws-1' as CallId;
    const reserved = await h.store.reserveLongestReady(campaign, callId, Date.now());
    expect(reserved?.agentId).toBe(h.users.agent.id);
    await agent.waitFor(agentEvent(h.users.agent.id, 'RESERVED'));
    const call = liveCall(callId, { campaignId: campaign, stage: 'BRIDGED' });
    // call.answered carries no agent id: the gateway knows the call's agent from the reservation.
    await h.store.putCall(call, { type: 'call.answered', callId, atMs: Date.now() });
    await agent.waitFor(
      (m) =>
        m.type === 'event' &&
        m.data.event.type === 'call.answered' &&
        m.data.event.callId === callId,
    );
    const stranger = 'call-ws-2' as CallId;
    await h.store.putCall(liveCall(stranger, { campaignId: campaign }), {
      type: 'call.ringing',
      callId: stranger,
      atMs: Date.now(),
    });
    await h.store.putCall(call, {
      type: 'call.bridged',
      callId,
      agentId: h.users.agent.id as AgentId,
      bridgeId: 'b1',
      atMs: Date.now(),
    });
    await agent.waitFor((m) => m.type === 'event' && m.data.event.type === 'call.bridged');
    const callEvents = agent.messages.filter(
      (m) => m.type === 'event' && m.data.event.type.startsWith('call.'),
    );
    expect(
      callEvents.every(
        (m) => m.type === 'event' && 'callId' in m.data.event && m.data.event.callId === callId,
      ),
    ).toBe(true);
    expect(
      other.messages.some((m) => m.type === 'event' && m.data.event.type.startsWith('call.')),
    ).toBe(false);
    agent.close();
    other.close();
  });

  it("filters a supervisor's feed by campaign when asked", async () => {
    const all = await subscribed(tokens.supervisor);
    const other = await subscribed(tokens.supervisor, { campaignId: '999' });
    const snap = await other.waitFor(isType('snapshot'));
    expect(snap.data.agents).toEqual([]);
    await agentAction(tokens.agent2, 'pause', { code: 'FILTER' });
    await all.waitFor(agentEvent(h.users.agent2.id, 'PAUSED'));
    // Both sockets read the same bus; the filtered one must not have it after the other did.
    await new Promise((r) => setTimeout(r, 50));
    expect(other.messages.some(agentEvent(h.users.agent2.id))).toBe(false);
    all.close();
    other.close();
  });

  it('re-snapshots subscribers when the event bus shows a sequence gap', async () => {
    const agent = await subscribed(tokens.agent);
    const from = agent.messages.length;
    // The agents stream restarts (as after a Redis restart without persistence): seq goes back.
    await h.redis.del(h.keys.stream('agents'), h.keys.streamSeq('agents'));
    const current = await h.store.getAgent(h.users.agent2.id as AgentId);
    if (!current) throw new Error('agent2 should be logged in by now');
    await h.store.transitionAgent({ ...current, pauseCode: 'GAP', sinceMs: Date.now() }, 'PAUSED', {
      type: 'agent.state_changed',
      agentId: h.users.agent2.id as AgentId,
      campaignId: campaign,
      from: 'PAUSED',
      to: 'PAUSED',
      pauseCode: 'GAP',
      callId: null,
      reason: 'test',
      sinceMs: 1,
      atMs: Date.now(),
    });
    const snap = await agent.waitFor(isType('snapshot'), { from });
    expect(snap.data.reason).toBe('gap');
    expect(snap.data.agent?.agentId).toBe(h.users.agent.id);
    expect(h.app.gateway.stats().gaps).toBeGreaterThan(0);
    agent.close();
  });
});

describe('heartbeats', () => {
  it('sends heartbeats and answers pings with pong', async () => {
    const c = await TestClient.connect(url, tokens.supervisor, { pingMs: null });
    const seq = c.send('ping', { nonce: 'n-1' });
    const pong = await c.waitFor(isType('pong'));
    expect(pong.data).toEqual({ nonce: 'n-1', replyTo: seq });
    await c.waitFor((m) => m.type === 'heartbeat' && m.seq >= 3);
    c.close();
  });

  it('pauses a READY agent whose socket is gone past the loss time, with a system reason', async () => {
    await agentAction(tokens.agent2, 'ready');
    const sup = await subscribed(tokens.supervisor);
    const c = await TestClient.connect(url, tokens.agent2);
    c.close();
    // A liveness bound, not the loss time (the agent that reconnects in time stays READY, below).
    const ev = await sup.waitFor(agentEvent(h.users.agent2.id, 'PAUSED'), { timeoutMs: 10_000 });
    expect(
      ev.type === 'event' && ev.data.event.type === 'agent.state_changed' && ev.data.event.reason,
    ).toBe(HEARTBEAT_LOST_REASON);
    expect((await h.store.getAgent(h.users.agent2.id as AgentId))?.state).toBe('PAUSED');
    sup.close();
  });

  it('leaves an agent alone while another api process reports it present', async () => {
    await agentAction(tokens.agent2, 'ready');
    elsewhere.add(h.users.agent2.id);
    const c = await TestClient.connect(url, tokens.agent2);
    c.close();
    await new Promise((r) => setTimeout(r, LOSS_MS * 2.5));
    expect((await h.store.getAgent(h.users.agent2.id as AgentId))?.state).toBe('READY');
    // Gone from the other process too: paused after another loss time.
    elsewhere.delete(h.users.agent2.id);
    await waitFor(
      'agent2 paused',
      async () => (await h.store.getAgent(h.users.agent2.id as AgentId))?.state === 'PAUSED',
    );
  });

  it('closes a silent socket and pauses its agent', async () => {
    await agentAction(tokens.agent2, 'ready');
    const c = await TestClient.connect(url, tokens.agent2, { pingMs: null });
    await waitFor('the silent socket closed', () => c.closed);
    await waitFor(
      'agent2 paused',
      async () => (await h.store.getAgent(h.users.agent2.id as AgentId))?.state === 'PAUSED',
    );
    expect(c.closed).toBe(true);
    const a = await h.store.getAgent(h.users.agent2.id as AgentId);
    expect(a?.state).toBe('PAUSED');
  });

  it('leaves an agent that reconnects in time READY', async () => {
    await agentAction(tokens.agent2, 'ready');
    const first = await TestClient.connect(url, tokens.agent2);
    first.close();
    await new Promise((r) => setTimeout(r, LOSS_MS / 2));
    const second = await TestClient.connect(url, tokens.agent2);
    await new Promise((r) => setTimeout(r, LOSS_MS * 2));
    expect((await h.store.getAgent(h.users.agent2.id as AgentId))?.state).toBe('READY');
    second.close();
    await agentAction(tokens.agent2, 'pause', { code: 'END' });
  });
});

describe('bad client messages', () => {
  it('answers each with a typed error naming the problem, and changes nothing', async () => {
    const c = await subscribed(tokens.agent);
    const before = await h.store.getAgent(h.users.agent.id as AgentId);
    const snapshots = c.messages.filter((m) => m.type === 'snapshot').length;
    const errors = async (from: number) => c.waitFor(isType('error'), { from });

    let from = c.messages.length;
    c.sendRaw('{not json');
    expect((await errors(from)).data.code).toBe('BAD_JSON');

    from = c.messages.length;
    const seq = c.send('agent.dial', { phone: '+14155550100' });
    const unknown = await errors(from);
    expect(unknown.data).toMatchObject({ code: 'UNKNOWN_TYPE', replyTo: seq });

    from = c.messages.length;
    c.send('subscribe', { campaignId: 'abc' });
    const invalid = await errors(from);
    expect(invalid.data.code).toBe('VALIDATION');
    expect(invalid.data.issues?.[0]?.path).toBe('data.campaignId');

    from = c.messages.length;
    c.sendRaw(JSON.stringify({ v: 1, type: 'ping', tsMs: 1, data: {} }));
    expect((await errors(from)).data.issues?.[0]?.path).toBe('seq');

    from = c.messages.length;
    c.send('ping', { nonce: 'x'.repeat(5000) });
    expect((await errors(from)).data.code).toBe('TOO_LARGE');

    expect(c.messages.filter((m) => m.type === 'snapshot').length).toBe(snapshots);
    expect(await h.store.getAgent(h.users.agent.id as AgentId)).toEqual(before);
    expect(c.closed).toBe(false);
    c.close();
  });

  it('closes the connection on a message beyond the hard frame limit', async () => {
    const c = await TestClient.connect(url, tokens.supervisor);
    c.sendRaw('x'.repeat(200_000));
    await new Promise((r) => setTimeout(r, 300));
    expect(c.closed).toBe(true);
    expect(c.closeCode).toBe(1009);
  });
});
