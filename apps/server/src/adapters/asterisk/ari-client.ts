import {
  ariOperations,
  type AriOperationId,
  type AriOperationParams,
  type AriOperationResult,
  type AriOperationSpec,
  type Bridge,
  type Channel,
  type ConfigTuple,
  type Endpoint,
  type LiveRecording,
  type Module,
  type Playback,
  type AsteriskInfo,
  type AsteriskPing,
  type StoredRecording,
  type Variable,
} from '@ringside/ari';
import http from 'node:http';
import https from 'node:https';
import type { SnoopRequest } from '../../ports/supervisor.js';
import type { OriginateRequest } from '../../ports/telephony.js';
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
   * Asterisk, which are kept alive and reused: opening hundreds of sockets for a burst of
   * originations costs more than queueing them.
   */
  maxInFlight?: number;
  /**
   * Injected for tests. Unset: node:http(s) with a keep-alive agent, about a quarter of the CPU
   * of the global fetch (undici's web streams and Request/Response objects) per request, which
   * is what bounds originations per second (docs/telephony.md, performance).
   */
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

/**
 * How a live recording of a bridge or a channel starts (POST /bridges|channels/{id}/record).
 * Seconds in the names because ARI takes seconds.
 */
export interface AriRecordOptions {
  /** The recording's name: its live handle and its stored file's base name (no extension). */
  name: string;
  /** Audio format; Ringside records wav (8 kHz 16-bit mono on Asterisk's slin). Default wav. */
  format?: 'wav';
  /** A recording of that name exists: fail (409, ARI's default), overwrite, or append. */
  ifExists?: 'fail' | 'overwrite' | 'append';
  /** Play a beep to the target when the recording begins (default false). */
  beep?: boolean;
  /** Stop by itself after this long, s (0 or unset: no limit). */
  maxDurationSeconds?: number;
  /** Stop by itself after this much silence, s (0 or unset: no limit). */
  maxSilenceSeconds?: number;
  /** DTMF that stops the recording (default none). */
  terminateOn?: 'none' | 'any' | '*' | '#';
}

const opsById = new Map<string, AriOperationSpec>(ariOperations.map((o) => [o.id, o]));

function toWire(v: unknown): string {
  if (Array.isArray(v)) return v.map(String).join(',');
  return String(v);
}

/** A response's body, or its AriError (Asterisk's `message`/`error`, else the status text). */
function settle<Id extends AriOperationId>(
  id: Id,
  status: number,
  statusText: string,
  text: string,
): { ok: true; value: AriOperationResult[Id] } | { ok: false; error: AriError } {
  let body: unknown = undefined;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  if (status >= 200 && status < 300) return { ok: true, value: body as AriOperationResult[Id] };
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
  return { ok: false, error: new AriError(status, msg || statusText, id) };
}

/**
 * ARI over REST (node:http with keep-alive, or an injected fetch; basic auth). `call` covers every operation in Asterisk's description,
 * typed from the generated parameters; the named methods are the ones Ringside uses. Errors are
 * AriError with Asterisk's status and message.
 */
export class AriRestClient {
  private readonly baseUrl: string;
  private readonly auth: string;
  private readonly timeoutMs: number;
  private readonly fetchFn: typeof fetch | null;
  /** node:http transport (no injected fetch): the module, its keep-alive agent. */
  private readonly transport: typeof http | typeof https;
  private readonly agent: http.Agent;
  private readonly maxInFlight: number;
  private inFlight = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(opts: AriRestClientOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.auth = `Basic ${Buffer.from(`${opts.user}:${opts.password}`).toString('base64')}`;
    this.timeoutMs = opts.requestTimeoutMs ?? 5_000;
    this.fetchFn = opts.fetch ?? null;
    this.maxInFlight = opts.maxInFlight ?? 32;
    const isHttps = this.baseUrl.startsWith('https:');
    this.transport = isHttps ? https : http;
    // One socket per request slot, kept open between requests (Asterisk keeps HTTP/1.1 alive).
    const agentOpts: http.AgentOptions = {
      keepAlive: true,
      maxSockets: this.maxInFlight,
      maxFreeSockets: this.maxInFlight,
      scheduling: 'lifo',
      // An idle socket is closed after 4 s (undici's default), before a server's keep-alive
      // timeout (Asterisk 15 s, Node 5 s) could close it under a request being sent.
      timeout: 4_000,
    };
    this.agent = isHttps ? new https.Agent(agentOpts) : new http.Agent(agentOpts);
  }

  /** Closes the kept-alive sockets (shutdown; requests still work afterwards). */
  close(): void {
    this.agent.destroy();
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
  call<Id extends AriOperationId>(
    id: Id,
    params: AriOperationParams[Id],
  ): Promise<AriOperationResult[Id]> {
    return this.dispatch(id, params, false) as Promise<AriOperationResult[Id]>;
  }

  /**
   * Sends an operation whose success body is binary (a stored recording's file): resolves with
   * the bytes as sent, never read as text or JSON. Errors are AriError as for `call`.
   */
  callBinary<Id extends AriOperationId>(id: Id, params: AriOperationParams[Id]): Promise<Buffer> {
    return this.dispatch(id, params, true) as Promise<Buffer>;
  }

  private async dispatch<Id extends AriOperationId>(
    id: Id,
    params: AriOperationParams[Id],
    binary: boolean,
  ): Promise<AriOperationResult[Id] | Buffer> {
    const req = AriRestClient.build(id, params);
    const qs = new URLSearchParams(req.query).toString();
    const url = `${this.baseUrl}${req.path}${qs ? `?${qs}` : ''}`;
    await this.slot();
    try {
      return this.fetchFn
        ? await this.send<Id>(this.fetchFn, id, url, req, binary)
        : await this.sendHttp<Id>(id, url, req, binary);
    } finally {
      this.release();
    }
  }

  private sendHttp<Id extends AriOperationId>(
    id: Id,
    url: string,
    req: AriRequestRecord,
    binary: boolean,
  ): Promise<AriOperationResult[Id] | Buffer> {
    return new Promise((resolve, reject) => {
      const payload = req.body ? JSON.stringify(req.body) : undefined;
      const headers: http.OutgoingHttpHeaders = { authorization: this.auth };
      if (payload !== undefined) headers['content-type'] = 'application/json';
      // An explicit length (0 too) keeps Node from chunking a POST, as fetch does.
      if (req.method !== 'GET') headers['content-length'] = Buffer.byteLength(payload ?? '');
      let done = false;
      const fail = (reason: string, cause?: unknown, timedOut = false): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        reject(new AriError(0, reason, id, { cause, timedOut }));
      };
      let r: http.ClientRequest;
      try {
        r = this.transport.request(url, { method: req.method, headers, agent: this.agent });
      } catch (err) {
        reject(
          new AriError(0, err instanceof Error ? err.message : 'request failed', id, {
            cause: err,
          }),
        );
        return;
      }
      // The whole exchange (connect, send, the response body) within the timeout, like fetch's
      // AbortSignal.timeout.
      const timer = setTimeout(() => {
        fail('timed out', undefined, true);
        r.destroy();
      }, this.timeoutMs);
      r.on('error', (err) => fail(err.message, err));
      r.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) => fail(err.message, err));
        res.on('end', () => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          const status = res.statusCode ?? 0;
          if (binary && status >= 200 && status < 300) {
            resolve(Buffer.concat(chunks));
            return;
          }
          const text = chunks.length ? Buffer.concat(chunks).toString('utf8') : '';
          const out = settle<Id>(id, status, res.statusMessage ?? '', text);
          if (out.ok) resolve(out.value);
          else reject(out.error);
        });
      });
      r.end(payload);
    });
  }

  private async send<Id extends AriOperationId>(
    fetchFn: typeof fetch,
    id: Id,
    url: string,
    req: AriRequestRecord,
    binary: boolean,
  ): Promise<AriOperationResult[Id] | Buffer> {
    let res: Response;
    try {
      res = await fetchFn(url, {
        method: req.method,
        headers: {
          authorization: this.auth,
          ...(req.body ? { 'content-type': 'application/json' } : {}),
        },
        body: req.body ? JSON.stringify(req.body) : undefined,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      const timedOut = err instanceof Error && err.name === 'TimeoutError';
      const reason = timedOut ? 'timed out' : err instanceof Error ? err.message : 'fetch failed';
      throw new AriError(0, reason, id, { cause: err, timedOut });
    }
    if (binary && res.status >= 200 && res.status < 300) {
      try {
        return Buffer.from(await res.arrayBuffer());
      } catch (err) {
        throw new AriError(0, err instanceof Error ? err.message : 'body lost', id, {
          cause: err,
        });
      }
    }
    const text = await res.text().catch(() => '');
    const out = settle<Id>(id, res.status, res.statusText, text);
    if (!out.ok) throw out.error;
    return out.value;
  }

  // ----- channels -----

  /**
   * Originates a channel with ids we choose (`channelId`, and `otherChannelId` for the second
   * half of a Local channel), into the dialplan (context/extension/priority) or straight into
   * the Stasis app (app/appArgs).
   */
  originate(p: OriginateRequest): Promise<Channel> {
    // The request's fields are ARI's parameters, but for the timeout's unit in the name.
    const { timeoutS, ...params } = p;
    return this.call('channels.originate', { ...params, timeout: timeoutS });
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
  snoop(p: SnoopRequest): Promise<Channel> {
    // The request's fields are ARI's parameters.
    return this.call('channels.snoopChannel', p);
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

  // ----- recordings (live: by name while it runs; stored: the finished files) -----

  /**
   * Starts recording a bridge's mix under `name` (409 when the name exists and ifExists is fail,
   * 404 no bridge, 422 the bridge is not in the app). Resolves with the live recording, state
   * queued; RecordingStarted follows on the event stream.
   */
  recordBridge(bridgeId: string, o: AriRecordOptions): Promise<LiveRecording> {
    return this.call('bridges.record', { bridgeId, ...recordParams(o) });
  }

  /** Starts recording one channel (what it hears and says), as recordBridge. */
  recordChannel(channelId: string, o: AriRecordOptions): Promise<LiveRecording> {
    return this.call('channels.record', { channelId, ...recordParams(o) });
  }

  /** The live recording's state and duration so far; AriError 404 when none by that name. */
  getLiveRecording(name: string): Promise<LiveRecording> {
    return this.call('recordings.getLive', { recordingName: name });
  }

  /** Stops and keeps the file (RecordingFinished follows). */
  stopRecording(name: string): Promise<void> {
    return this.call('recordings.stop', { recordingName: name });
  }

  /** Stops and discards the file (DELETE /recordings/live/{name}). */
  cancelRecording(name: string): Promise<void> {
    return this.call('recordings.cancel', { recordingName: name });
  }

  /** Pauses: the paused time is left out of the file (409 when not recording). */
  pauseRecording(name: string): Promise<void> {
    return this.call('recordings.pause', { recordingName: name });
  }

  unpauseRecording(name: string): Promise<void> {
    return this.call('recordings.unpause', { recordingName: name });
  }

  /** Mutes: the muted time is silence in the file, which keeps its length (PCI pause). */
  muteRecording(name: string): Promise<void> {
    return this.call('recordings.mute', { recordingName: name });
  }

  unmuteRecording(name: string): Promise<void> {
    return this.call('recordings.unmute', { recordingName: name });
  }

  listStoredRecordings(): Promise<StoredRecording[]> {
    return this.call('recordings.listStored', {});
  }

  getStoredRecording(name: string): Promise<StoredRecording> {
    return this.call('recordings.getStored', { recordingName: name });
  }

  /** The stored recording's file, as Asterisk wrote it (audio/wav for wav); 404 when none. */
  getStoredRecordingFile(name: string): Promise<Buffer> {
    return this.callBinary('recordings.getStoredFile', { recordingName: name });
  }

  deleteStoredRecording(name: string): Promise<void> {
    return this.call('recordings.deleteStored', { recordingName: name });
  }

  /** Copies a stored recording to `destination` (409 when that name exists). */
  copyStoredRecording(name: string, destination: string): Promise<StoredRecording> {
    return this.call('recordings.copyStored', {
      recordingName: name,
      destinationRecordingName: destination,
    });
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

  /** The loaded modules (GET /asterisk/modules; names as Asterisk gives them, e.g. res_ari.so). */
  listModules(): Promise<Module[]> {
    return this.call('asterisk.listModules', {});
  }

  // ----- dynamic configuration (sorcery objects, e.g. res_pjsip endpoint/auth/aor) -----

  /** The object's attributes (all of them, defaults included); AriError 404 when unknown. */
  getConfigObject(configClass: string, objectType: string, id: string): Promise<ConfigTuple[]> {
    return this.call('asterisk.getObject', { configClass, objectType, id });
  }

  /**
   * Creates the object, or updates the given attributes of an existing one; resolves with all
   * its attributes. 403 when no writable sorcery backend holds the type (or the object lives in
   * a read-only one such as pjsip.conf), 400 for an attribute or value the type refuses.
   */
  putConfigObject(
    configClass: string,
    objectType: string,
    id: string,
    fields: ReadonlyArray<ConfigTuple>,
  ): Promise<ConfigTuple[]> {
    return this.call('asterisk.updateObject', {
      configClass,
      objectType,
      id,
      // The description types `fields` as "containers"; Asterisk reads a list of ConfigTuple
      // (packages/ari contract.ts, BODY_TYPE_FIXES).
      fields: fields as unknown as Record<string, unknown>,
    });
  }

  deleteConfigObject(configClass: string, objectType: string, id: string): Promise<void> {
    return this.call('asterisk.deleteObject', { configClass, objectType, id });
  }
}

function recordParams(o: AriRecordOptions): {
  name: string;
  format: string;
  ifExists?: AriRecordOptions['ifExists'];
  beep?: boolean;
  maxDurationSeconds?: number;
  maxSilenceSeconds?: number;
  terminateOn?: AriRecordOptions['terminateOn'];
} {
  return {
    name: o.name,
    format: o.format ?? 'wav',
    ifExists: o.ifExists,
    beep: o.beep,
    maxDurationSeconds: o.maxDurationSeconds,
    maxSilenceSeconds: o.maxSilenceSeconds,
    terminateOn: o.terminateOn,
  };
}
