import { describe, expect, it } from 'vitest';
import { RealtimeClient, type RealtimeStatus, type SocketLike, type Timers } from './realtime.js';

class FakeSocket implements SocketLike {
  readyState = 0;
  sent: Array<{ type: string; seq: number; data: unknown }> = [];
  onopen: SocketLike['onopen'] = null;
  onmessage: SocketLike['onmessage'] = null;
  onclose: SocketLike['onclose'] = null;
  onerror: SocketLike['onerror'] = null;
  closed: number | null = null;
  send(d: string) {
    this.sent.push(JSON.parse(d) as { type: string; seq: number; data: unknown });
  }
  close(code = 1000) {
    this.closed = code;
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  push(type: string, seq: number, data: unknown) {
    this.onmessage?.({ data: JSON.stringify({ v: 1, type, seq, tsMs: 1, data }) });
  }
  drop(code = 1006) {
    this.readyState = 3;
    this.onclose?.({ code, reason: '' });
  }
}

class ManualTimers implements Timers {
  now = 0;
  private next = 1;
  private tasks = new Map<number, { at: number; fn: () => void }>();
  setTimeout(fn: () => void, ms: number) {
    const id = this.next++;
    this.tasks.set(id, { at: this.now + ms, fn });
    return id;
  }
  clearTimeout(h: unknown) {
    this.tasks.delete(h as number);
  }
  nowMs() {
    return this.now;
  }
  advance(ms: number) {
    const end = this.now + ms;
    for (;;) {
      const due = [...this.tasks.entries()]
        .filter(([, t]) => t.at <= end)
        .sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.tasks.delete(due[0]);
      this.now = due[1].at;
      due[1].fn();
    }
    this.now = end;
  }
}

const snap = { scope: 'agent', reason: 'subscribe', agent: null, agents: [], calls: [] };

function setup() {
  const sockets: FakeSocket[] = [];
  const timers = new ManualTimers();
  const statuses: RealtimeStatus[] = [];
  const snapshots: unknown[] = [];
  const events: unknown[] = [];
  const client = new RealtimeClient({
    url: 'ws://x/ws',
    createSocket: () => {
      const s = new FakeSocket();
      sockets.push(s);
      return s;
    },
    timers,
    random: () => 0.5,
    handlers: {
      onSnapshot: (d) => snapshots.push(d),
      onEvent: (d) => events.push(d),
      onStatus: (s) => statuses.push(s),
    },
  });
  return { sockets, timers, statuses, snapshots, events, client };
}

/** A started client whose first socket is open. */
function opened() {
  const t = setup();
  t.client.start();
  const s = t.sockets[0] as FakeSocket;
  s.open();
  return { ...t, s };
}

describe('realtime client', () => {
  it('subscribes on open and is live once the snapshot arrives', () => {
    const t = setup();
    t.client.start();
    t.sockets[0]?.open();
    expect(t.sockets[0]?.sent.map((m) => m.type)).toEqual(['subscribe']);
    t.sockets[0]?.push('heartbeat', 1, { intervalMs: 1000 });
    t.sockets[0]?.push('snapshot', 2, snap);
    expect(t.client.state).toBe('live');
    expect(t.snapshots).toHaveLength(1);
  });

  it('pings at the interval the server announces', () => {
    const { s, ...t } = opened();
    s.push('heartbeat', 1, { intervalMs: 1000 });
    t.timers.advance(1000);
    s.push('pong', 2, { nonce: null, replyTo: 2 });
    expect(s.sent.map((m) => m.type)).toEqual(['subscribe', 'ping']);
  });

  it('reconnects with backoff after the socket drops and subscribes again', () => {
    const t = setup();
    t.client.start();
    t.sockets[0]?.open();
    t.sockets[0]?.push('snapshot', 1, snap);
    t.sockets[0]?.drop();
    expect(t.client.state).toBe('reconnecting');
    t.timers.advance(100);
    expect(t.sockets).toHaveLength(1);
    t.timers.advance(200);
    expect(t.sockets).toHaveLength(2);
    t.sockets[1]?.open();
    t.sockets[1]?.push('snapshot', 1, snap);
    expect(t.client.state).toBe('live');
    expect(t.snapshots).toHaveLength(2);
  });

  it('asks for a fresh snapshot when the server message numbers jump', () => {
    const { s, ...t } = opened();
    s.push('snapshot', 1, snap);
    s.push('heartbeat', 3, { intervalMs: 1000 });
    expect(s.sent.map((m) => m.type)).toEqual(['subscribe', 'subscribe']);
    expect(t.client.stats.gaps).toBe(1);
  });

  it('drops a silent connection after three heartbeat periods and reconnects', () => {
    const { s, ...t } = opened();
    s.push('heartbeat', 1, { intervalMs: 10_000 });
    s.push('snapshot', 2, snap);
    t.timers.advance(30_000);
    expect(s.closed).toBe(4000);
    expect(t.client.state).toBe('reconnecting');
  });

  it('stops trying when the server refuses the session', () => {
    const t = setup();
    t.client.start();
    t.sockets[0]?.drop(1008);
    expect(t.client.state).toBe('unauthorized');
    t.timers.advance(60_000);
    expect(t.sockets).toHaveLength(1);
  });

  it('ignores messages that do not match the protocol', () => {
    const { s, ...t } = opened();
    s.onmessage?.({ data: 'not json' });
    s.push('event', 1, { nonsense: true });
    expect(t.events).toHaveLength(0);
    expect(t.client.stats.invalid).toBe(2);
  });
});
