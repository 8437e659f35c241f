import {
  ServerMessage,
  WS_PROTOCOL_VERSION,
  type ClientMessage,
  type EventData,
  type SnapshotData,
  type WsErrorData,
} from '@ringside/protocol';

/**
 * The realtime client of the agent panel and the bot agents: one WebSocket to the gateway
 * (`/ws`), subscribe on every (re)connect so that a fresh snapshot replaces what was known,
 * pings at the interval the server announces, and a new subscription when the server's message
 * numbers jump (a message was lost). Nothing polls: after the snapshot only pushed events change
 * the panel. Every message is validated against packages/protocol/src/ws.ts.
 */

/** What the client needs of a WebSocket; the browser's and the `ws` package's both fit. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

/**
 * idle: not started; connecting: first attempt; live: snapshot received; reconnecting: the
 * socket went away and a new one is being tried; unauthorized: the server refused the session
 * (sign in again); stopped: stop() was called.
 */
export type RealtimeStatus =
  'idle' | 'connecting' | 'live' | 'reconnecting' | 'unauthorized' | 'stopped';

export interface RealtimeHandlers {
  onSnapshot(data: SnapshotData): void;
  onEvent(data: EventData): void;
  onStatus?(status: RealtimeStatus, detail: { attempt: number; retryInMs: number | null }): void;
  onServerError?(data: WsErrorData): void;
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  nowMs(): number;
}

export interface RealtimeOptions {
  /** ws://host/ws (browser: derived from location). */
  url: string;
  createSocket(url: string): SocketLike;
  handlers: RealtimeHandlers;
  timers?: Timers;
  /** First reconnect delay (ms); doubles to `maxBackoffMs`. Default 250. */
  minBackoffMs?: number;
  /** Default 5,000. */
  maxBackoffMs?: number;
  /** Random in [0, 1) for jitter; default Math.random. */
  random?: () => number;
  /** Ping period until the server announces its own (ms). Default 10,000. */
  defaultIntervalMs?: number;
}

/** Close codes meaning "your session is not valid": reconnecting would not help. */
const UNAUTHORIZED_CLOSE_CODES = new Set([1008, 4401, 4403]);

const OPEN = 1;

const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  nowMs: () => Date.now(),
};

export class RealtimeClient {
  private socket: SocketLike | null = null;
  private status: RealtimeStatus = 'idle';
  private outSeq = 1;
  private lastInSeq = 0;
  private attempt = 0;
  private intervalMs: number;
  private pingTimer: unknown = null;
  private watchdog: unknown = null;
  private retryTimer: unknown = null;
  private lastHeardMs = 0;
  private readonly timers: Timers;
  /** Counts for tests and the status line. */
  readonly stats = { connects: 0, snapshots: 0, events: 0, gaps: 0, invalid: 0 };

  constructor(private readonly opts: RealtimeOptions) {
    this.timers = opts.timers ?? realTimers;
    this.intervalMs = opts.defaultIntervalMs ?? 10_000;
  }

  get state(): RealtimeStatus {
    return this.status;
  }

  start(): void {
    if (this.status !== 'idle' && this.status !== 'stopped' && this.status !== 'unauthorized') {
      return;
    }
    this.attempt = 0;
    this.setStatus('connecting', null);
    this.connect();
  }

  stop(): void {
    this.setStatus('stopped', null);
    this.clearTimers();
    const s = this.socket;
    this.socket = null;
    if (s) {
      s.onclose = null;
      s.close(1000, 'client stopped');
    }
  }

  private readonly talkTaps = new Set<Partial<RealtimeHandlers>>();

  /**
   * Extra listeners beside the handlers (the agent and supervisor Messages panels): each
   * snapshot, event and error frame reaches them too. Returns the function that removes them.
   */
  tap(listener: Partial<RealtimeHandlers>): () => void {
    this.talkTaps.add(listener);
    return () => void this.talkTaps.delete(listener);
  }

  /** Sends a talk client message (agent and supervisor talk); its seq, or null when offline. */
  sendTalk<T extends 'talk.send' | 'talk.read' | 'talk.hand'>(
    type: T,
    data: Extract<ClientMessage, { type: T }>['data'],
  ): number | null {
    const seq = this.outSeq;
    return this.send({ type, data: data as Record<string, unknown> }) ? seq : null;
  }

  /** Asks for a fresh snapshot (e.g. after the panel changed campaign). */
  resubscribe(): void {
    this.send({ type: 'subscribe', data: {} });
  }

  private connect(): void {
    this.clearTimers();
    this.outSeq = 1;
    this.lastInSeq = 0;
    let socket: SocketLike;
    try {
      socket = this.opts.createSocket(this.opts.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    this.stats.connects++;
    this.heard();
    socket.onopen = () => {
      if (this.socket !== socket) return;
      this.heard();
      this.send({ type: 'subscribe', data: {} });
    };
    socket.onmessage = (ev) => {
      if (this.socket !== socket) return;
      this.onMessage(ev.data);
    };
    socket.onclose = (ev) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.clearTimers();
      if (UNAUTHORIZED_CLOSE_CODES.has(ev.code)) {
        this.setStatus('unauthorized', null);
        return;
      }
      this.scheduleReconnect();
    };
    socket.onerror = () => {
      // A close event follows; reconnecting is handled there.
    };
    this.armWatchdog();
  }

  private scheduleReconnect(): void {
    if (this.status === 'stopped') return;
    const min = this.opts.minBackoffMs ?? 250;
    const max = this.opts.maxBackoffMs ?? 5_000;
    const base = Math.min(max, min * 2 ** Math.min(this.attempt, 10));
    // Jitter so that a thousand agents whose gateway restarted do not reconnect in lock-step.
    const delay = Math.round(base * (0.5 + 0.5 * (this.opts.random ?? Math.random)()));
    this.attempt++;
    this.setStatus('reconnecting', delay);
    this.retryTimer = this.timers.setTimeout(() => {
      this.retryTimer = null;
      this.connect();
    }, delay);
  }

  private onMessage(raw: unknown): void {
    this.heard();
    let json: unknown;
    try {
      json = JSON.parse(typeof raw === 'string' ? raw : String(raw));
    } catch {
      this.stats.invalid++;
      return;
    }
    const parsed = ServerMessage.safeParse(json);
    if (!parsed.success) {
      this.stats.invalid++;
      return;
    }
    const msg = parsed.data;
    // The server numbers its messages 1, 2, 3... per connection: a jump means one was lost, and
    // only a fresh snapshot makes the panel right again.
    const gap = this.lastInSeq > 0 && msg.seq !== this.lastInSeq + 1;
    this.lastInSeq = msg.seq;
    if (gap && msg.type !== 'snapshot') {
      this.stats.gaps++;
      this.resubscribe();
    }
    switch (msg.type) {
      case 'heartbeat':
        if (msg.data.intervalMs !== this.intervalMs || this.pingTimer === null) {
          this.intervalMs = msg.data.intervalMs;
          this.schedulePing();
        }
        return;
      case 'pong':
        return;
      case 'snapshot':
        this.stats.snapshots++;
        this.attempt = 0;
        this.setStatus('live', null);
        this.opts.handlers.onSnapshot(msg.data);
        for (const t of this.talkTaps) t.onSnapshot?.(msg.data);
        return;
      case 'event':
        this.stats.events++;
        this.opts.handlers.onEvent(msg.data);
        for (const t of this.talkTaps) t.onEvent?.(msg.data);
        return;
      case 'error':
        this.opts.handlers.onServerError?.(msg.data);
        for (const t of this.talkTaps) t.onServerError?.(msg.data);
        return;
    }
  }

  private send(m: { type: ClientMessage['type']; data: Record<string, unknown> }): boolean {
    const s = this.socket;
    if (!s || s.readyState !== OPEN) return false;
    s.send(
      JSON.stringify({
        v: WS_PROTOCOL_VERSION,
        type: m.type,
        seq: this.outSeq++,
        tsMs: Math.max(0, Math.round(this.timers.nowMs())),
        data: m.data,
      }),
    );
    return true;
  }

  private schedulePing(): void {
    if (this.pingTimer !== null) this.timers.clearTimeout(this.pingTimer);
    this.pingTimer = this.timers.setTimeout(() => {
      this.pingTimer = null;
      this.send({ type: 'ping', data: {} });
      this.schedulePing();
    }, this.intervalMs);
  }

  private heard(): void {
    this.lastHeardMs = this.timers.nowMs();
  }

  /**
   * A socket can look open long after the network went away; with no message for three
   * heartbeat periods (or no open within that time) the connection is dropped and redone.
   */
  private armWatchdog(): void {
    if (this.watchdog !== null) this.timers.clearTimeout(this.watchdog);
    const limit = this.intervalMs * 3;
    this.watchdog = this.timers.setTimeout(() => {
      this.watchdog = null;
      const s = this.socket;
      if (!s) return;
      if (this.timers.nowMs() - this.lastHeardMs >= limit || s.readyState !== OPEN) {
        this.socket = null;
        s.onclose = null;
        s.close(4000, 'no heartbeat');
        this.clearTimers();
        this.scheduleReconnect();
        return;
      }
      this.armWatchdog();
    }, limit);
  }

  private clearTimers(): void {
    for (const t of [this.pingTimer, this.watchdog, this.retryTimer]) {
      if (t !== null) this.timers.clearTimeout(t);
    }
    this.pingTimer = this.watchdog = this.retryTimer = null;
  }

  private setStatus(s: RealtimeStatus, retryInMs: number | null): void {
    this.status = s;
    this.opts.handlers.onStatus?.(s, { attempt: this.attempt, retryInMs });
  }
}

/** The gateway URL for a page served by the API (http -> ws, https -> wss). */
export function gatewayUrl(origin: string): string {
  return `${origin.replace(/^http/, 'ws')}/ws`;
}
