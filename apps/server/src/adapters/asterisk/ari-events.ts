import { parseAriEvent, type AriEvent } from '@ringside/ari';
import WebSocket from 'ws';
import type { Logger } from '../../logger.js';
import type { AriConnection } from './ari-client.js';
import { backoffDelayMs } from './backoff.js';

export interface AriEventStreamOptions extends AriConnection {
  /** Stasis application name (ARI_APP). */
  app: string;
  logger: Logger;
  /** How often to ping, ms (default 5,000); no pong before the next ping: the link is dead. */
  pingIntervalMs?: number;
  /** First reconnection delay, ms (default 500). */
  reconnectBaseMs?: number;
  /** Largest reconnection delay, ms (default 30,000). */
  reconnectMaxMs?: number;
  /** Connect (upgrade) timeout, ms (default 5,000). */
  connectTimeoutMs?: number;
  /**
   * Event types the owner consumes. Others are counted and dropped before schema validation:
   * nothing reads them, and validating thousands of ChannelDialplan/ChannelVarset events per
   * second would cost the consumed ones their latency. Unset: every event is validated and
   * delivered.
   */
  consumedTypes?: ReadonlySet<string>;
  /** Random source for jitter, [0, 1). */
  random?: () => number;
  /** Valid events, in arrival order, with the local receive time (performance.now(), ms). */
  onEvent(event: AriEvent, receivedAt: number): void;
  /**
   * The socket is open (again). `reconnected` is false the first time. Asterisk does not replay
   * what was missed, so the owner resyncs here.
   */
  onUp?(reconnected: boolean): void;
  /** The socket was lost or could not be opened; `reason` is safe to log. */
  onDown?(reason: string): void;
}

const TYPE_KEY = /"type"\s*:\s*"([A-Za-z]+)"/;

/**
 * The events WebSocket of one Asterisk (`/ari/events?app=...&subscribeAll=true`). Keeps one
 * connection: heartbeat with ws ping/pong, reconnection with exponential backoff and jitter.
 * Every message is validated against the generated schemas; an invalid one is logged (type and
 * failing fields, never values) and skipped.
 */
export class AriEventStream {
  private ws: WebSocket | null = null;
  private stopped = false;
  private attempt = 0;
  private everUp = false;
  private up = false;
  private pingTimer: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private awaitingPong = false;
  private downLogged = false;
  /** Counters for health and benchmarks. */
  readonly stats = { received: 0, invalid: 0, ignored: 0, reconnects: 0 };

  constructor(private readonly opts: AriEventStreamOptions) {}

  get isUp(): boolean {
    return this.up;
  }

  start(): void {
    this.stopped = false;
    this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.clearPing();
    const ws = this.ws;
    this.ws = null;
    if (ws && ws.readyState !== WebSocket.CLOSED) {
      await new Promise<void>((resolve) => {
        ws.once('close', () => resolve());
        ws.close(1000, 'stopping');
        setTimeout(() => {
          ws.terminate();
          resolve();
        }, 1_000).unref();
      });
    }
  }

  private url(): string {
    const u = new URL(`${this.opts.baseUrl.replace(/\/+$/, '')}/events`);
    u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
    u.searchParams.set('app', this.opts.app);
    u.searchParams.set('subscribeAll', 'true');
    return u.toString();
  }

  private connect(): void {
    if (this.stopped) return;
    const auth = Buffer.from(`${this.opts.user}:${this.opts.password}`).toString('base64');
    const ws = new WebSocket(this.url(), {
      headers: { authorization: `Basic ${auth}` },
      handshakeTimeout: this.opts.connectTimeoutMs ?? 5_000,
      perMessageDeflate: false,
    });
    this.ws = ws;
    ws.on('open', () => {
      const reconnected = this.everUp;
      this.everUp = true;
      this.up = true;
      this.attempt = 0;
      if (reconnected) this.stats.reconnects += 1;
      if (this.downLogged || reconnected) {
        this.opts.logger.info({ url: this.redactedUrl() }, 'ari events connected again');
      }
      this.downLogged = false;
      this.startPing(ws);
      this.opts.onUp?.(reconnected);
    });
    ws.on('message', (data: WebSocket.RawData) => this.onMessage(data));
    ws.on('pong', () => {
      this.awaitingPong = false;
    });
    ws.on('error', () => {
      // 'close' follows and carries the reconnection; the reason is reported there.
    });
    ws.on('unexpected-response', (_req, res) => {
      // 401 (bad credentials) or 400 (unknown app) will not heal by itself, but retrying with
      // backoff costs little and picks up a fixed configuration without a restart.
      this.lastReason = `HTTP ${res.statusCode ?? '?'} on upgrade`;
      ws.terminate();
    });
    ws.on('close', (code: number) => {
      this.clearPing();
      const wasUp = this.up;
      this.up = false;
      if (this.ws === ws) this.ws = null;
      if (this.stopped) return;
      const reason = this.lastReason ?? (wasUp ? `connection closed (${code})` : 'cannot connect');
      this.lastReason = null;
      this.scheduleReconnect(reason, wasUp);
    });
  }

  private lastReason: string | null = null;

  private redactedUrl(): string {
    return this.url();
  }

  private scheduleReconnect(reason: string, wasUp: boolean): void {
    const delay = backoffDelayMs(
      this.attempt,
      { baseMs: this.opts.reconnectBaseMs ?? 500, maxMs: this.opts.reconnectMaxMs ?? 30_000 },
      this.opts.random ?? Math.random,
    );
    this.attempt += 1;
    // One clear line when the link goes, not one per retry; then a debug line per attempt.
    if (wasUp || !this.downLogged) {
      this.opts.logger.error(
        { url: this.redactedUrl(), reason, retryInMs: delay },
        'ari events down; retrying with backoff',
      );
      this.downLogged = true;
      this.opts.onDown?.(reason);
    } else {
      this.opts.logger.debug(
        { reason, retryInMs: delay, attempt: this.attempt },
        'ari events retry',
      );
    }
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  private startPing(ws: WebSocket): void {
    this.clearPing();
    this.awaitingPong = false;
    this.pingTimer = setInterval(() => {
      if (this.awaitingPong) {
        // No pong since the last ping: the peer or the path is gone (a half-open TCP link would
        // otherwise look up for minutes).
        this.lastReason = 'heartbeat lost (no pong)';
        ws.terminate();
        return;
      }
      this.awaitingPong = true;
      try {
        ws.ping();
      } catch {
        ws.terminate();
      }
    }, this.opts.pingIntervalMs ?? 5_000);
    this.pingTimer.unref();
  }

  private clearPing(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = null;
  }

  private onMessage(data: WebSocket.RawData): void {
    const receivedAt = performance.now();
    this.stats.received += 1;
    const text = data.toString();
    const consumed = this.opts.consumedTypes;
    if (consumed) {
      // Most of Asterisk's traffic is events nobody consumes; skip them before JSON.parse. The
      // first "type" key is the event's own: no model an event carries has a `type` property
      // (an escaped quote inside a string value cannot match).
      const type = TYPE_KEY.exec(text)?.[1];
      if (type !== undefined && !consumed.has(type)) {
        this.stats.ignored += 1;
        return;
      }
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      this.stats.invalid += 1;
      this.opts.logger.warn({ type: null, reason: 'not JSON' }, 'ari event skipped: invalid');
      return;
    }
    const parsed = parseAriEvent(json);
    if (!parsed.ok) {
      this.stats.invalid += 1;
      this.opts.logger.warn(
        { type: parsed.type, reason: parsed.reason },
        'ari event skipped: invalid',
      );
      return;
    }
    try {
      this.opts.onEvent(parsed.event, receivedAt);
    } catch (err) {
      // A handler bug must not take the connection (and every other call) down with it.
      this.opts.logger.error({ err, type: parsed.event.type }, 'ari event handler failed');
    }
  }
}
