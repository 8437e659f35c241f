import {
  ariOperations,
  type AriOperationId,
  type AriOperationParams,
  type AriOperationResult,
  type AriOperationSpec,
  type Bridge,
  type Channel,
  type Endpoint,
  type Playback,
  type AsteriskInfo,
  type AsteriskPing,
  type Variable,
} from '@ringside/ari';
import { AriError } from './ari-error.js';

/** Where one Asterisk's ARI is and how to log in. */
export interface AriConnection {
  /** e.g. http://127.0.0.1:8088/ari (no trailing slash) */
  baseUrl: string;
  user: string;
  password: string;
}

export interface AriRestClientOptions extends AriConnection {
  /** Per-request timeout, ms (default 5,000). */
  requestTimeoutMs?: number;
  /**
   * Requests in flight at once (default 32); more wait their turn. Bounds the connections to one
   * Asterisk, which fetch then keeps alive and reuses: opening hundreds of sockets for a burst
   * of originations costs more than queueing them.
   */
  maxInFlight?: number;
  /** Injected for tests; defaults to the global fetch. */
  fetch?: typeof fetch;
}

/** One request as the client sent it (for the contract tests and debugging). */
export interface AriRequestRecord {
  method: string;
  /** Path under /ari, e.g. /channels/c1/play */
  path: string;
  query: Record<string, string>;
  body?: unknown;
}

const opsById = new Map<string, AriOperationSpec>(ariOperations.map((o) => [o.id, o]));

function toWire(v: unknown): string {
  if (Array.isArray(v)) return v.map(String).join(',');
  return String(v);
}

/**
 * ARI over REST (fetch, basic auth). `call` covers every operation in Asterisk's description,
 * typed from the generated parameters; the named methods are the ones Ringside uses. Errors are
 * AriError with Asterisk's status and message.
 */
export class AriRestClient {
  private readonly baseUrl: string;
  private readonly auth: string;
  private readonly timeoutMs: number;
  private readonly fetchFn: typeof fetch;
  private readonly maxInFlight: number;
  private inFlight = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(opts: AriRestClientOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.auth = `Basic ${Buffer.from(`${opts.user}:${opts.password}`).toString('base64')}`;
    this.timeoutMs = opts.requestTimeoutMs ?? 5_000;
    this.fetchFn = opts.fetch ?? fetch;
    this.maxInFlight = opts.maxInFlight ?? 32;
  }

  private async slot(): Promise<void> {
    if (this.inFlight < this.maxInFlight) {
      this.inFlight += 1;
      return;
    }
    // The releasing request hands its slot over directly, so inFlight stays counted.
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.inFlight -= 1;
  }

  /** Builds method, path, query and body of an operation from its parameters. */
  static build<Id extends AriOperationId>(
    id: Id,
    params: AriOperationParams[Id],
  ): AriRequestRecord {
    const op = opsById.get(id);
    if (!op) throw new TypeError(`unknown ARI operation ${id}`);
    const values = params as unknown as Record<string, unknown>;
    let path = op.path;
    const query: Record<string, string> = {};
    let body: Record<string, unknown> | undefined;
    for (const p of op.params) {
      const v = values[p.name];
      if (v === undefined || v === null) continue;
      if (p.in === 'path') path = path.replace(`{${p.name}}`, encodeURIComponent(String(v)));
      else if (p.in === 'query') query[p.name] = toWire(v);
      else body = { ...(body ?? {}), [p.name]: v };
    }
    return { method: op.method, path, query, ...(body ? { body } : {}) };
  }

  /** Sends any ARI operation; resolves with its typed response body (void: undefined). */
  async call<Id extends AriOperationId>(
    id: Id,
    params: AriOperationParams[Id],
  ): Promise<AriOperationResult[Id]> {
    const req = AriRestClient.build(id, params);
    const qs = new URLSearchParams(req.query).toString();
    const url = `${this.baseUrl}${req.path}${qs ? `?${qs}` : ''}`;
    await this.slot();
    try {
      return await this.send<Id>(id, url, req);
    } finally {
      this.release();
    }
  }

  private async send<Id extends AriOperationId>(
    id: Id,
    url: string,
    req: AriRequestRecord,
  ): Promise<AriOperationResult[Id]> {
    let res: Response;
    try {
      res = await this.fetchFn(url, {
        method: req.method,
        headers: {
          authorization: this.auth,
          ...(req.body ? { 'content-type': 'application/json' } : {}),
        },
        body: req.body ? JSON.stringify(req.body) : undefined,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      const reason =
        err instanceof Error
          ? err.name === 'TimeoutError'
            ? 'timed out'
            : err.message
          : 'fetch failed';
      throw new AriError(0, reason, id, { cause: err });
    }
    const text = await res.text().catch(() => '');
    let body: unknown = undefined;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    if (!res.ok) {
      const msg =
        typeof body === 'object' && body !== null
          ? String(
              (body as { message?: unknown; error?: unknown }).message ??
                (body as { error?: unknown }).error ??
                '',
            )
          : typeof body === 'string'
            ? body.slice(0, 200)
            : '';
      throw new AriError(res.status, msg || res.statusText, id);
    }
    return body as AriOperationResult[Id];
  }

  // ----- channels -----

  /**
   * Originates a channel with ids we choose (`channelId`, and `otherChannelId` for the second
   * half of a Local channel), into the dialplan (context/extension/priority) or straight into
   * the Stasis app (app/appArgs).
   */
  originate(p: {
    endpoint: string;
    channelId: string;
    otherChannelId?: string;
    context?: string;
    extension?: string;
    priority?: number;
    app?: string;
    appArgs?: string;
    callerId?: string;
    /** Seconds to ring before giving up. */
    timeoutS?: number;
    variables?: Record<string, string>;
  }): Promise<Channel> {
    return this.call('channels.originate', {
      endpoint: p.endpoint,
      channelId: p.channelId,
      otherChannelId: p.otherChannelId,
      context: p.context,
      extension: p.extension,
      priority: p.priority,
      app: p.app,
      appArgs: p.appArgs,
      callerId: p.callerId,
      timeout: p.timeoutS,
      variables: p.variables,
    });
  }

  listChannels(): Promise<Channel[]> {
    return this.call('channels.list', {});
  }

  getChannel(channelId: string): Promise<Channel> {
    return this.call('channels.get', { channelId });
  }

  hangup(
    channelId: string,
    reason: NonNullable<AriOperationParams['channels.hangup']['reason']> = 'normal',
  ): Promise<void> {
    return this.call('channels.hangup', { channelId, reason });
  }

  answer(channelId: string): Promise<void> {
    return this.call('channels.answer', { channelId });
  }

  /** Plays media (e.g. sound:vm-goodbye) to a channel, with our playback id. */
  playOnChannel(
    channelId: string,
    media: string | string[],
    playbackId?: string,
  ): Promise<Playback> {
    return this.call('channels.play', { channelId, media, playbackId });
  }

  /** Snoops a channel into the app: spy (listen) and/or whisper, with our snoop channel id. */
  snoop(p: {
    channelId: string;
    snoopId: string;
    app: string;
    appArgs?: string;
    spy?: 'none' | 'both' | 'out' | 'in';
    whisper?: 'none' | 'both' | 'out' | 'in';
  }): Promise<Channel> {
    return this.call('channels.snoopChannel', {
      channelId: p.channelId,
      snoopId: p.snoopId,
      app: p.app,
      appArgs: p.appArgs,
      spy: p.spy,
      whisper: p.whisper,
    });
  }

  getVariable(channelId: string, variable: string): Promise<Variable> {
    return this.call('channels.getChannelVar', { channelId, variable });
  }

  setVariable(channelId: string, variable: string, value: string): Promise<void> {
    return this.call('channels.setChannelVar', { channelId, variable, value });
  }

  sendDtmf(channelId: string, dtmf: string): Promise<void> {
    return this.call('channels.sendDTMF', { channelId, dtmf });
  }

  hold(channelId: string): Promise<void> {
    return this.call('channels.hold', { channelId });
  }

  unhold(channelId: string): Promise<void> {
    return this.call('channels.unhold', { channelId });
  }

  mute(channelId: string, direction: 'both' | 'in' | 'out' = 'both'): Promise<void> {
    return this.call('channels.mute', { channelId, direction });
  }

  unmute(channelId: string, direction: 'both' | 'in' | 'out' = 'both'): Promise<void> {
    return this.call('channels.unmute', { channelId, direction });
  }

  // ----- bridges -----

  createBridge(
    bridgeId: string,
    type: 'mixing' | 'holding' = 'mixing',
    name?: string,
  ): Promise<Bridge> {
    return this.call('bridges.create', { bridgeId, type, name: name ?? bridgeId });
  }

  listBridges(): Promise<Bridge[]> {
    return this.call('bridges.list', {});
  }

  getBridge(bridgeId: string): Promise<Bridge> {
    return this.call('bridges.get', { bridgeId });
  }

  destroyBridge(bridgeId: string): Promise<void> {
    return this.call('bridges.destroy', { bridgeId });
  }

  addChannel(bridgeId: string, channel: string | string[]): Promise<void> {
    return this.call('bridges.addChannel', { bridgeId, channel });
  }

  removeChannel(bridgeId: string, channel: string | string[]): Promise<void> {
    return this.call('bridges.removeChannel', { bridgeId, channel });
  }

  startBridgeMoh(bridgeId: string, mohClass?: string): Promise<void> {
    return this.call('bridges.startMoh', { bridgeId, mohClass });
  }

  stopBridgeMoh(bridgeId: string): Promise<void> {
    return this.call('bridges.stopMoh', { bridgeId });
  }

  playOnBridge(bridgeId: string, media: string | string[], playbackId?: string): Promise<Playback> {
    return this.call('bridges.play', { bridgeId, media, playbackId });
  }

  // ----- playbacks, endpoints, asterisk -----

  getPlayback(playbackId: string): Promise<Playback> {
    return this.call('playbacks.get', { playbackId });
  }

  stopPlayback(playbackId: string): Promise<void> {
    return this.call('playbacks.stop', { playbackId });
  }

  listEndpoints(): Promise<Endpoint[]> {
    return this.call('endpoints.list', {});
  }

  getEndpoint(tech: string, resource: string): Promise<Endpoint> {
    return this.call('endpoints.get', { tech, resource });
  }

  /** Cheapest liveness probe (GET /asterisk/ping). */
  ping(): Promise<AsteriskPing> {
    return this.call('asterisk.ping', {});
  }

  asteriskInfo(): Promise<AsteriskInfo> {
    return this.call('asterisk.getInfo', {});
  }
}
