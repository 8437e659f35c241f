import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SocketLike } from '@ringside/web/core';
// The panel's own call builder: the bot reads calls with the panel's client.
import { callView } from '../../../web/src/core/panel/fixtures.test-helper.js';
import { BotAgent } from './bot-agent.js';
import { startBotAgents } from './index.js';

/**
 * A fake API and gateway: records the bot's requests, answers like the server does.
 * `phoneFailures`: the phone connect route refuses that many times (409, as for a phone that
 * does not exist), then connects; unset: the server has no such route (404).
 */
function fakeServer(phoneFailures?: number, leg: 'up' | 'down' = 'up') {
  let phoneRefusals = phoneFailures ?? 0;
  const calls: Array<{ method: string; path: string; body: unknown }> = [];
  let agentState = 'LOGGED_OUT';
  const agent = (state: string, callId: string | null = null) => ({
    agentId: '7',
    state,
    sinceMs: Date.now(),
    campaignId: '1',
    callId,
    pauseCode: state === 'PAUSED' ? 'LOGIN' : null,
  });
  const json = (status: number, body: unknown) =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  const fetchFn = (async (url: string | URL | Request, init?: RequestInit) => {
    const path = new URL(String(url)).pathname;
    const method = init?.method ?? 'GET';
    calls.push({ method, path, body: init?.body ? JSON.parse(String(init.body)) : null });
    if (path === '/api/auth/login') {
      return json(200, {
        user: { id: '7', username: 'agent1', displayName: 'A', role: 'agent', phoneType: 'webrtc' },
        token: 'tok',
        expiresAtMs: Date.now() + 3600_000,
      });
    }
    if (path === '/api/agent/session' && method === 'GET') return json(200, { agent: null });
    if (path === '/api/agent/session/login') {
      agentState = 'PAUSED';
      return json(200, { agent: agent('PAUSED') });
    }
    if (path === '/api/agent/session/ready') {
      agentState = 'READY';
      return json(200, { agent: agent('READY') });
    }
    if (path === '/api/agent/session/disposition') {
      agentState = 'PAUSED';
      return json(200, { agent: agent('PAUSED') });
    }
    if (path.startsWith('/api/calls/')) {
      const callId = path.split('/')[3] ?? '';
      return json(200, {
        call: callView(callId, { originatedAtMs: 1, answeredAtMs: 2, bridgedAtMs: 3 }),
      });
    }
    if (path === '/api/agent/phone/connect' && phoneFailures !== undefined) {
      if (phoneRefusals-- > 0) {
        return json(409, {
          error: { code: 'PHONE_UNREACHABLE', message: 'Asterisk could not call your phone' },
        });
      }
      return json(200, { leg });
    }
    if (path.endsWith('/hangup')) return json(200, { ok: true });
    if (path === '/api/agent/session/logout') return json(200, { agent: null });
    return json(404, { error: { code: 'NOT_FOUND', message: `no route ${method} ${path}` } });
  }) as typeof fetch;

  let socket: FakeSocket | null = null;
  let seq = 1;
  class FakeSocket implements SocketLike {
    readyState = 0;
    onopen: SocketLike['onopen'] = null;
    onmessage: SocketLike['onmessage'] = null;
    onclose: SocketLike['onclose'] = null;
    onerror: SocketLike['onerror'] = null;
    constructor() {
      setTimeout(() => {
        this.readyState = 1;
        this.onopen?.({});
      }, 0);
    }
    send(d: string) {
      const m = JSON.parse(d) as { type: string };
      if (m.type === 'subscribe') {
        push('snapshot', {
          scope: 'agent',
          reason: 'subscribe',
          agent: agent(agentState),
          agents: [],
          calls: [],
        });
      }
    }
    close() {
      this.readyState = 3;
    }
  }
  function push(type: string, data: unknown) {
    socket?.onmessage?.({
      data: JSON.stringify({ v: 1, type, seq: seq++, tsMs: Date.now(), data }),
    });
  }
  let busSeq = 1;
  function moved(from: string, to: string, callId: string | null) {
    agentState = to;
    push('event', {
      stream: 'agents',
      busSeq: busSeq++,
      event: {
        type: 'agent.state_changed',
        agentId: '7',
        campaignId: '1',
        from,
        to,
        pauseCode: null,
        callId,
        reason: 'dialer',
        sinceMs: Date.now() - 1,
        atMs: Date.now(),
      },
    });
  }
  function ended(callId: string) {
    push('event', {
      stream: 'calls',
      busSeq: busSeq++,
      event: {
        type: 'call.ended',
        callId,
        campaignId: '1',
        leadId: '42',
        outcome: 'HUMAN',
        hangupCause: 16,
        agentId: '7',
        atMs: Date.now(),
      },
    });
  }
  const createSocket = () => {
    socket = new FakeSocket();
    return socket;
  };
  const requests = (suffix: string) => calls.filter((c) => c.path.endsWith(suffix));
  return { fetchFn, createSocket, moved, ended, requests, state: () => agentState };
}

/** What every bot of these tests is: agent1 of campaign 1 on the fake server. */
const onFakeServer = (server: ReturnType<typeof fakeServer>) => ({
  baseUrl: 'http://api.test',
  username: 'agent1',
  password: 'pw',
  campaignId: '1',
  fetchFn: server.fetchFn,
  createSocket: server.createSocket,
});

function bot(server: ReturnType<typeof fakeServer>, hangup: 'agent' | 'customer') {
  return new BotAgent({
    ...onFakeServer(server),
    talkMs: 1000,
    wrapMs: 500,
    hangup,
    dispositions: ['SALE'],
    random: () => 0.5,
  });
}

/** A bot with the default timings, started, and the log lines it writes. */
async function startLoggingBot(server: ReturnType<typeof fakeServer>) {
  const logs: string[] = [];
  const b = new BotAgent({
    ...onFakeServer(server),
    onLog: (msg, f) => logs.push(`${msg} ${JSON.stringify(f)}`),
  });
  await start(b);
  return { b, logs };
}

/** A bot on a fresh fake server, started and READY. */
async function readyBot(hangup: 'agent' | 'customer') {
  const server = fakeServer();
  const b = bot(server, hangup);
  await start(b);
  await vi.advanceTimersByTimeAsync(250);
  return { server, b };
}

/** The dialer hands the agent call `callId`: READY, RESERVED, then INCALL. */
function callArrives(server: ReturnType<typeof fakeServer>, callId: string): void {
  server.moved('READY', 'RESERVED', callId);
  server.moved('RESERVED', 'INCALL', callId);
}

/** The customer of `callId` hangs up: the call ends, the agent goes from INCALL to DEAD. */
function customerHangsUp(server: ReturnType<typeof fakeServer>, callId: string): void {
  server.ended(callId);
  server.moved('INCALL', 'DEAD', callId);
}

/** Starts the bot (log-in and phone) on the fake timers. */
async function start(b: BotAgent): Promise<void> {
  const started = b.start();
  await vi.advanceTimersByTimeAsync(10);
  await started;
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('bot agent', () => {
  it('logs in, goes ready, talks for talkMs, hangs up, dispositions and goes ready again', async () => {
    const { server, b } = await readyBot('agent');
    expect(server.state()).toBe('READY');

    callArrives(server, 'c1');
    await vi.advanceTimersByTimeAsync(900);
    expect(server.requests('/hangup')).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(200);
    expect(server.requests('/hangup').map((c) => c.path)).toEqual(['/api/agent/calls/c1/hangup']);

    server.ended('c1');
    server.moved('INCALL', 'WRAPUP', 'c1');
    await vi.advanceTimersByTimeAsync(600);
    expect(server.requests('/disposition').map((c) => c.body)).toEqual([
      { callId: 'c1', code: 'SALE' },
    ]);
    await vi.advanceTimersByTimeAsync(250);
    expect(server.state()).toBe('READY');
    expect(b.stats).toMatchObject({ calls: 1, hangups: 1, dispositions: 1, errors: 0 });
  });

  it('in customer mode waits for the customer to hang up, then dispositions from DEAD', async () => {
    const { server, b } = await readyBot('customer');
    callArrives(server, 'c2');
    await vi.advanceTimersByTimeAsync(5000);
    expect(server.requests('/hangup')).toHaveLength(0);
    customerHangsUp(server, 'c2');
    await vi.advanceTimersByTimeAsync(600);
    expect(server.requests('/disposition')).toHaveLength(1);
    expect(b.stats).toMatchObject({ calls: 1, hangups: 0, customerHangups: 1, dispositions: 1 });
  });

  it('never goes ready while a disposition is owed', async () => {
    const { server, b } = await readyBot('customer');
    const readiesBefore = server.requests('/ready').length;
    callArrives(server, 'c3');
    customerHangsUp(server, 'c3');
    await vi.advanceTimersByTimeAsync(300);
    expect(server.requests('/ready').length).toBe(readiesBefore);
    expect(b.panel.dispositionDue).toBe('c3');
  });

  it('backs off when the system keeps pausing it without a call', async () => {
    const { server, b } = await readyBot('agent');
    expect(server.requests('/ready')).toHaveLength(1);
    server.moved('READY', 'PAUSED', null);
    await vi.advanceTimersByTimeAsync(250);
    expect(server.requests('/ready')).toHaveLength(2);
    server.moved('READY', 'PAUSED', null);
    await vi.advanceTimersByTimeAsync(250);
    expect(server.requests('/ready')).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(200);
    expect(server.requests('/ready')).toHaveLength(3);
    expect(b.panel.agent?.state).toBe('READY');
  });

  it('a phone that cannot be reached stops nothing: the bot stays logged in, paused, and retries with backoff', async () => {
    const server = fakeServer(2);
    const { b, logs } = await startLoggingBot(server);
    expect(b.phoneProblem).toContain('could not call your phone');
    await vi.advanceTimersByTimeAsync(500);
    // Not ready without a phone.
    expect(server.requests('/ready')).toHaveLength(0);
    expect(server.state()).toBe('PAUSED');
    await vi.advanceTimersByTimeAsync(600); // 1 s: second attempt, refused
    expect(server.requests('/phone/connect')).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1_500);
    expect(server.requests('/phone/connect')).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(600); // 2 s later: connected
    expect(server.requests('/phone/connect')).toHaveLength(3);
    expect(b.phoneProblem).toBeNull();
    await vi.advanceTimersByTimeAsync(300);
    expect(server.state()).toBe('READY');
    expect(logs.filter((l) => l.startsWith('phone not connected'))).toHaveLength(2);
    expect(logs.some((l) => l.startsWith('phone connected'))).toBe(true);
    await b.stop();
  });

  it('startBotAgents starts every bot even when their phones cannot be reached', async () => {
    const server = fakeServer(1_000);
    const started = startBotAgents({
      baseUrl: 'http://api.test',
      campaignId: '1',
      count: 3,
      staggerMs: 0,
      fetchFn: server.fetchFn,
      createSocket: server.createSocket,
    });
    await vi.advanceTimersByTimeAsync(50);
    const bots = await started;
    expect(bots.agents).toHaveLength(3);
    expect(bots.agents.every((a) => a.phoneProblem !== null)).toBe(true);
    const stopping = bots.stop();
    await vi.advanceTimersByTimeAsync(10);
    await stopping;
  });

  it('a browser-phone user on a real Asterisk (leg "down") is told to use an external phone, and waits', async () => {
    const server = fakeServer(0, 'down');
    const { b } = await startLoggingBot(server);
    expect(b.phoneProblem).toContain('sim-agent-phones');
    await vi.advanceTimersByTimeAsync(500);
    expect(server.requests('/ready')).toHaveLength(0);
    await b.stop();
  });
});
