import { Redis } from 'ioredis';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../e2e/system.js';
import {
  AGENT_HZ,
  CUSTOMER_HZ,
  agentApi,
  bridgeHas as inBridge,
  until,
  whatChannelHears,
  type RealSystem,
} from './real-system.js';
import { startTalkingSystem, stopRealRig } from './real-talking.js';

/**
 * Call controls on the real Asterisk (npm run test:asterisk): hold, mute, DTMF, blind and warm
 * transfer between two agents whose phones Asterisk rings (Local/<name>@sim-agent-phones, which
 * "speak" a 440 Hz tone), with one talking customer (sim-customers-talking, 1400 Hz), all through
 * the agents' HTTP API. What the customer hears is measured on Asterisk.
 */

const HEARD = 200;
const SILENT = 100;
let sys: RealSystem;
let redis: Redis;
let probe: WebSocket;
const probeEvents: Array<{ type: string; digit?: string; channel?: { name?: string } }> = [];
const tokens: Record<string, string> = {};
const ids: Record<string, string> = {};
let callId = '';

const api = (user: string, method: string, path: string, body?: unknown) =>
  agentApi(sys.apiUrl, tokens[user] ?? '', method, path, body);

async function status(user: string): Promise<Record<string, string>> {
  return redis.hgetall(`${sys.redisPrefix}:{agents}:status:${ids[user]}`);
}

const bridgeHas = (bridgeId: string, channelId: string) => inBridge(sys.ari, bridgeId, channelId);

beforeAll(async () => {
  // One lead: the single call of this test; agents going ready later get no other call.
  ({ sys, redis } = await startTalkingSystem(3, 1));
  await sys.db.pool.query(
    `UPDATE users SET phone_type = 'sip', sip_endpoint = 'Local/' || username || '@sim-agent-phones'
      WHERE username IN ('agent2', 'agent3')`,
  );
  const server = sys.server;
  probe = new WebSocket(
    `${server.baseUrl.replace(/^http/, 'ws')}/events?app=ringside-probe-dtmf&subscribeAll=true&api_key=${encodeURIComponent(`${server.user}:${server.password}`)}`,
  );
  probe.on('message', (d: Buffer) => probeEvents.push(JSON.parse(d.toString('utf8')) as never));
  await new Promise((r) => probe.once('open', r));
  for (const u of ['agent2', 'agent3']) {
    const r = await fetch(`${sys.apiUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: u, password: DEMO_PASSWORD }),
    });
    const body = (await r.json()) as { token: string; user: { id: string } };
    tokens[u] = body.token;
    ids[u] = body.user.id;
    expect(
      (await api(u, 'POST', '/api/agent/session/login', { campaignId: sys.seed.campaignId }))
        .status,
    ).toBe(200);
    expect((await api(u, 'POST', '/api/agent/phone/connect')).body).toEqual({ leg: 'up' });
  }
  expect((await api('agent2', 'POST', '/api/agent/session/ready')).status).toBe(200);
  await until('agent2 in call', async () => (await status('agent2')).state === 'INCALL', 60_000);
  callId = (await status('agent2')).callId ?? '';
  await until('the customer in agent2 bridge', async () =>
    bridgeHas((await status('agent2')).bridgeId ?? '', callId),
  );
  await new Promise((r) => setTimeout(r, 1_000));
}, 150_000);

afterAll(() => stopRealRig(sys, redis, probe));

describe('call controls on the real Asterisk', () => {
  it('the customer hears agent2 and agent2 hears the customer', async () => {
    const heard = await whatChannelHears(sys.server, callId, [AGENT_HZ, CUSTOMER_HZ]);
    const agentHears = await whatChannelHears(
      sys.server,
      (await status('agent2')).legChannelId ?? '',
      [AGENT_HZ, CUSTOMER_HZ],
    );
    expect(heard[AGENT_HZ]).toBeGreaterThan(HEARD);
    expect(agentHears[CUSTOMER_HZ]).toBeGreaterThan(HEARD);
  });

  it('hold moves the customer to its own bridge with music and back', async () => {
    expect(
      (await api('agent2', 'POST', `/api/agent/calls/${callId}/hold`, { on: true })).status,
    ).toBe(200);
    await until('customer on hold', () => bridgeHas(`hold-${callId}`, callId));
    const onHold = await whatChannelHears(sys.server, callId, [AGENT_HZ]);
    expect(onHold[AGENT_HZ]).toBeLessThan(SILENT);
    expect(
      (await api('agent2', 'POST', `/api/agent/calls/${callId}/hold`, { on: false })).status,
    ).toBe(200);
    await until('customer back', async () =>
      bridgeHas((await status('agent2')).bridgeId ?? '', callId),
    );
    const back = await whatChannelHears(sys.server, callId, [AGENT_HZ]);
    expect(back[AGENT_HZ]).toBeGreaterThan(HEARD);
  });

  it('mute: the customer stops hearing the agent, and hears it again after unmute', async () => {
    expect(
      (await api('agent2', 'POST', `/api/agent/calls/${callId}/mute`, { on: true })).status,
    ).toBe(200);
    const muted = await whatChannelHears(sys.server, callId, [AGENT_HZ]);
    expect(muted[AGENT_HZ]).toBeLessThan(SILENT);
    expect(
      (await api('agent2', 'POST', `/api/agent/calls/${callId}/mute`, { on: false })).status,
    ).toBe(200);
    const unmuted = await whatChannelHears(sys.server, callId, [AGENT_HZ]);
    expect(unmuted[AGENT_HZ]).toBeGreaterThan(HEARD);
  });

  it('DTMF reaches the customer', async () => {
    probeEvents.length = 0;
    expect(
      (await api('agent2', 'POST', `/api/agent/calls/${callId}/dtmf`, { digits: '42#' })).status,
    ).toBe(200);
    await until(
      'digits received',
      async () => probeEvents.filter((e) => e.type === 'ChannelDtmfReceived').length >= 3,
    );
    const digits = probeEvents
      .filter((e) => e.type === 'ChannelDtmfReceived' && e.channel?.name?.endsWith(';2'))
      .map((e) => e.digit)
      .join('');
    expect(digits).toBe('42#');
  });

  it('blind transfer to another agent: the customer moves to its bridge, agent2 wraps up', async () => {
    expect((await api('agent3', 'POST', '/api/agent/session/ready')).status).toBe(200);
    const r = await api('agent2', 'POST', `/api/agent/calls/${callId}/transfer`, {
      kind: 'blind',
      to: { agentId: ids.agent3 },
    });
    expect(r.status).toBe(200);
    await until('agent3 in call', async () => (await status('agent3')).state === 'INCALL');
    await until('customer in agent3 bridge', async () =>
      bridgeHas((await status('agent3')).bridgeId ?? '', callId),
    );
    expect((await status('agent2')).state).toBe('WRAPUP');
    const heard = await whatChannelHears(sys.server, callId, [AGENT_HZ]);
    expect(heard[AGENT_HZ]).toBeGreaterThan(HEARD);
  });

  it('warm transfer back to agent2: consult, then complete', async () => {
    const d = await api('agent2', 'POST', '/api/agent/session/disposition', {
      callId,
      code: 'NI',
    });
    expect(d.status).toBe(200);
    // The disposition in, agent2 is READY again (it asked for no pause).
    await until('agent2 ready', async () => (await status('agent2')).state === 'READY');
    const r = await api('agent3', 'POST', `/api/agent/calls/${callId}/transfer`, {
      kind: 'warm',
      to: { agentId: ids.agent2 },
    });
    expect(r.status).toBe(200);
    // Consulting: the customer waits on hold; agent2's line is in agent3's bridge.
    await until('customer on hold during the consult', () => bridgeHas(`hold-${callId}`, callId));
    await until('agent2 in agent3 bridge', async () =>
      bridgeHas(
        (await status('agent3')).bridgeId ?? '',
        (await status('agent2')).legChannelId ?? '',
      ),
    );
    const c = await api('agent3', 'POST', `/api/agent/calls/${callId}/transfer/complete`);
    expect(c.status).toBe(200);
    await until('customer in agent2 bridge', async () =>
      bridgeHas((await status('agent2')).bridgeId ?? '', callId),
    );
    expect((await status('agent2')).state).toBe('INCALL');
    expect((await status('agent3')).state).toBe('WRAPUP');
    const heard = await whatChannelHears(sys.server, callId, [AGENT_HZ]);
    expect(heard[AGENT_HZ]).toBeGreaterThan(HEARD);
  });

  it('hang-up ends the customer only; both agents keep their lines', async () => {
    expect((await api('agent2', 'POST', `/api/agent/calls/${callId}/hangup`)).status).toBe(200);
    await until('call gone from Asterisk', async () =>
      (await sys.ari.listChannels()).every((ch) => ch.id !== callId),
    );
    const channels = (await sys.ari.listChannels()).map((ch) => ch.id);
    expect(channels).toContain((await status('agent2')).legChannelId);
    expect(channels).toContain((await status('agent3')).legChannelId);
  });
});
