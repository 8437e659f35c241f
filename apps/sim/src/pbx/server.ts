/**
 * The simulated PBX's shell: ARI REST under /ari (basic auth or api_key, like Asterisk), the events
 * WebSocket /ari/events, and a small control API under /_sim for tests and demos. Listens on
 * loopback only.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  parseScenario,
  type CustomerProfile,
  type CustomerRule,
  type CustomerScenario,
} from './customers.js';
import {
  SimEngine,
  ariTimestamp,
  type AriEventOut,
  type AriReply,
  type EventScope,
  type Params,
  type SimEndpointSpec,
} from './engine.js';
import {
  BROWSER_OFFER,
  MODULE_CATALOGUE,
  NOT_LOADED_BY_DEFAULT,
  moduleFile,
  type Codec,
} from './codecs.js';
import { ManualScheduler, RealScheduler, type SimScheduler } from './scheduler.js';
import { SimDynamicConfig, type StaticConfigObject } from './dynamic-config.js';

/** Event types left out by default: nothing in Ringside consumes them (docs/sim.md). */
export const DEFAULT_OMITTED_EVENTS: ReadonlyArray<string> = ['DeviceStateChanged'];

export interface SimPbxOptions {
  /** TCP port on 127.0.0.1; 0 picks a free one. Default 8088. */
  port?: number;
  host?: string;
  /** ARI credentials accepted (basic auth or api_key=user:password). Default ringside/ringside. */
  user?: string;
  password?: string;
  /** App the dialplan hands calls to (Stasis(<app>,...)). Default 'dialer'. */
  app?: string;
  /** Seed of every customer draw. Default 1. */
  seed?: number;
  /** Customer behaviour; unset: the last digit decides (see customers.ts). */
  defaultProfile?: Partial<CustomerProfile>;
  rules?: CustomerRule[];
  /** Virtual time runs this many times faster than the wall clock (default 1). */
  speed?: number;
  /** Inject a scheduler (tests pass a ManualScheduler); overrides `speed`. */
  scheduler?: SimScheduler;
  /**
   * PJSIP endpoints known from the start, each with a simulated phone behind it: an id, or
   * `{ id, allow: ['ulaw'], webrtc, offers, registered }`. Default none: originating to
   * PJSIP/<name> of an endpoint neither listed here nor written through ARI's dynamic
   * configuration answers 500 "Allocation failed", as Asterisk does.
   */
  endpoints?: ReadonlyArray<string | SimEndpointSpec>;
  /** @deprecated Same as `endpoints` with ids only. */
  phoneEndpoints?: ReadonlyArray<string>;
  /** The `endpoints` phones are registered from the start (unless a spec says). Default true. */
  phonesRegistered?: boolean;
  /**
   * Any PJSIP/<name> exists: originating to an unknown one creates a registered, auto-answering
   * phone (ulaw). For the demo's simulated phones and tests that need arbitrary endpoints.
   * Default false.
   */
  anyEndpoint?: boolean;
  /** @deprecated Same as `anyEndpoint`. */
  acceptAnyPhone?: boolean;
  /**
   * Modules loaded at start, as modules.conf's load/noload: everything the build of issue 11
   * has (codec_ulaw, codec_alaw, codec_a_mu, bridges, ARI, PJSIP...), not codec_opus. Names with
   * or without `.so`. `load: ['codec_opus']` installs and loads the Opus translator.
   */
  modules?: { load?: ReadonlyArray<string>; noload?: ReadonlyArray<string> };
  /** From ringing a simulated phone to its auto-answer, ms. Default 200. */
  phoneAnswerMs?: number;
  /** Event types never sent. Default DEFAULT_OMITTED_EVENTS. */
  omitEvents?: ReadonlyArray<string>;
  /** Sound durations in ms by name (`vm-goodbye`), for playback timing. */
  soundDurationsMs?: Record<string, number>;
  /** Entity id in every event. Default 02:fc:00:00:00:01 as in the traces. */
  asteriskId?: string;
  /**
   * Sorcery objects of the static configuration (pjsip.conf): ARI's dynamic configuration reads
   * them but refuses to change them (403), as with deploy/asterisk/sorcery.conf. Default none.
   */
  staticConfig?: ReadonlyArray<StaticConfigObject>;
}

export interface SimPbx {
  /** http://127.0.0.1:<port> */
  url: string;
  /** http://127.0.0.1:<port>/ari, the ARI_URL to give Ringside. */
  ariUrl: string;
  /** ws://127.0.0.1:<port>/ari/events?app=<app>&subscribeAll=true&api_key=<user>:<password> */
  eventsUrl: string;
  port: number;
  engine: SimEngine;
  scheduler: SimScheduler;
  /** ARI's dynamic configuration (/asterisk/config/dynamic): the objects pushed so far. */
  config: SimDynamicConfig;
  /**
   * Adds or updates a PJSIP endpoint and its phone at run time (as the `endpoints` option);
   * registered unless `registered: false`.
   */
  defineEndpoint(spec: string | SimEndpointSpec): void;
  /** Replaces the customer scenario (new calls only). */
  setScenario(s: Partial<CustomerScenario>): void;
  /** Cuts every events WebSocket (calls go on); for reconnect and resync tests. */
  dropEventSockets(): void;
  /**
   * true: cuts every events WebSocket and refuses new ones (503) until called with false, so a
   * test can act on the PBX while no client hears its events. Calls go on meanwhile.
   */
  setEventsDown(down: boolean): void;
  stop(): Promise<void>;
}

const SOUNDS_MS: Record<string, number> = {
  'vm-goodbye': 864,
  'hello-world': 1130,
  beep: 250,
  'tt-monkeys': 9800,
  'tt-weasels': 3500,
  'vm-intro': 2500,
  'demo-congrats': 18000,
};

interface AppSocket {
  ws: WebSocket;
  /** The TCP socket under the WebSocket, corked while one burst of events is written. */
  raw: Duplex;
  corked: boolean;
  apps: string[];
  subscribeAll: boolean;
}

const JSON_HEADERS = { 'Content-Type': 'application/json' };

export async function startSimPbx(opts: SimPbxOptions = {}): Promise<SimPbx> {
  const host = opts.host ?? '127.0.0.1';
  const user = opts.user ?? 'ringside';
  const password = opts.password ?? 'ringside';
  const app = opts.app ?? 'dialer';
  const scheduler = opts.scheduler ?? new RealScheduler(opts.speed ?? 1);
  const sockets = new Set<AppSocket>();
  /** App name -> the socket that currently owns it (a newer connection replaces an older one). */
  const appOwners = new Map<string, AppSocket>();

  const config = new SimDynamicConfig(opts.staticConfig ?? []);
  const registered = opts.phonesRegistered ?? true;
  const endpointSpec = (e: string | SimEndpointSpec): SimEndpointSpec =>
    typeof e === 'string' ? { id: e, registered } : { registered, ...e };
  const endpoints = [...(opts.endpoints ?? []), ...(opts.phoneEndpoints ?? [])].map(endpointSpec);
  const load = new Set((opts.modules?.load ?? []).map((m) => moduleFile(m).toLowerCase()));
  const noload = new Set((opts.modules?.noload ?? []).map((m) => moduleFile(m).toLowerCase()));
  const installed = MODULE_CATALOGUE.map((m) => m.name).filter(
    (m) => !NOT_LOADED_BY_DEFAULT.includes(m) || load.has(m),
  );
  const unknownModule = [...load].find((m) => !installed.includes(m));
  if (unknownModule) throw new TypeError(`modules.load: no module ${unknownModule} in the sim`);
  const engine = new SimEngine({
    scheduler,
    scenario: { seed: opts.seed ?? 1, defaultProfile: opts.defaultProfile, rules: opts.rules },
    dialplanApp: app,
    asteriskId: opts.asteriskId ?? '02:fc:00:00:00:01',
    endpoints,
    phoneAnswerMs: opts.phoneAnswerMs ?? 200,
    anyEndpoint: opts.anyEndpoint ?? opts.acceptAnyPhone ?? false,
    modules: new Set(installed.filter((m) => !noload.has(m))),
    installedModules: new Set(installed),
    omitEvents: new Set(opts.omitEvents ?? DEFAULT_OMITTED_EVENTS),
    soundDurationsMs: { ...SOUNDS_MS, ...(opts.soundDurationsMs ?? {}) },
    defaultSoundMs: 1000,
    isAppRegistered: (name) => appOwners.has(name),
  });

  engine.onEvent((ev, scope) => deliver(ev, scope));
  // pjsip.conf's endpoints exist from the start (no phone registered on them yet).
  for (const o of opts.staticConfig ?? []) {
    if (o.configClass !== 'res_pjsip' || o.objectType !== 'endpoint') continue;
    const phone = engine.endpointConfigured(
      o.id,
      new Map(o.fields.map((f) => [f.attribute, f.value])),
    );
    phone.fixed = true;
  }

  /** Answers ARI's dynamic configuration and keeps the engine's endpoints in step with it. */
  function dynamicConfig(method: string, segs: string[], rawBody: string): AriReply {
    const reply = config.handle(method, segs, rawBody);
    const [configClass, objectType, id] = segs;
    if (configClass !== 'res_pjsip' || objectType !== 'endpoint' || !id) return reply;
    if (method === 'PUT' && reply.status === 200) {
      const fields = config.object(configClass, objectType, id) ?? [];
      engine.endpointConfigured(id, new Map(fields.map((f) => [f.attribute, f.value])));
    }
    if (method === 'DELETE' && reply.status === 204) engine.endpointDeleted(id);
    return reply;
  }

  function deliver(ev: AriEventOut, scope: EventScope): void {
    if (appOwners.size === 0) return;
    // Serialise once; the per-app `application` field is spliced onto the end.
    const body = JSON.stringify(ev).slice(0, -1);
    for (const [name, s] of appOwners) {
      if (!s.subscribeAll && !inScope(name, scope)) continue;
      if (s.ws.readyState !== s.ws.OPEN) continue;
      // One originate or hang-up emits a burst of events: write them with one syscall.
      if (!s.corked) {
        s.corked = true;
        s.raw.cork();
        process.nextTick(() => {
          s.corked = false;
          s.raw.uncork();
        });
      }
      s.ws.send(`${body},"application":${JSON.stringify(name)}}`);
    }
  }

  function inScope(name: string, scope: EventScope): boolean {
    if (scope.bridge?.apps.has(name)) return true;
    return (scope.channels ?? []).some((c) => c.apps.has(name));
  }

  function authorized(req: http.IncomingMessage, url: URL): boolean {
    const key = url.searchParams.get('api_key');
    if (key !== null) return key === `${user}:${password}`;
    const h = req.headers.authorization ?? '';
    if (!h.startsWith('Basic ')) return false;
    return Buffer.from(h.slice(6), 'base64').toString('utf8') === `${user}:${password}`;
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let reply: AriReply;
      try {
        reply = handle(req, Buffer.concat(chunks).toString('utf8'));
      } catch (err) {
        reply = {
          status: 500,
          body: { message: err instanceof Error ? err.message : 'Internal Server Error' },
        };
      }
      const headers = { ...(reply.body === undefined ? {} : JSON_HEADERS), ...reply.headers };
      res.writeHead(reply.status, headers);
      res.end(reply.body === undefined ? undefined : JSON.stringify(reply.body));
    });
  });

  function handle(req: http.IncomingMessage, rawBody: string): AriReply {
    const url = new URL(req.url ?? '/', 'http://sim');
    const method = (req.method ?? 'GET').toUpperCase();
    const segs = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    if (segs[0] === '_sim') return control(method, segs.slice(1), rawBody);
    if (segs[0] !== 'ari') return { status: 404, body: { message: 'Not found' } };
    if (!authorized(req, url)) {
      return {
        status: 401,
        body: { error: 'Authentication required' },
        headers: { 'WWW-Authenticate': 'Basic realm="Asterisk REST Interface"' },
      };
    }
    engine.counters.restRequests++;
    // Its body is a list of ConfigTuple, not parameters: answered before the generic parsing.
    if (segs[1] === 'asterisk' && segs[2] === 'config' && segs[3] === 'dynamic') {
      return dynamicConfig(method, segs.slice(4), rawBody);
    }
    const q: Params = {};
    const multi: Record<string, string[]> = {};
    for (const [k, v] of url.searchParams) {
      if (k === 'api_key') continue;
      q[k] = v;
      (multi[k] ??= []).push(v);
    }
    // Asterisk also reads parameters from a JSON body; `variables` only comes from there.
    let variables: Record<string, string> | undefined;
    if (rawBody.trim()) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(rawBody);
      } catch {
        return { status: 400, body: { message: 'Failed to parse request body' } };
      }
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
        for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
          if (k === 'variables' && v && typeof v === 'object') {
            variables = {};
            for (const [vk, vv] of Object.entries(v as Record<string, unknown>)) {
              if (typeof vv !== 'string') {
                return {
                  status: 400,
                  body: { message: "Only string values in the 'variables' object allowed" },
                };
              }
              variables[vk] = vv;
            }
          } else if (q[k] === undefined && (typeof v === 'string' || typeof v === 'number')) {
            q[k] = String(v);
          }
        }
      }
    }
    return route(method, segs.slice(1), q, multi, variables);
  }

  function route(
    method: string,
    s: string[],
    q: Params,
    multi: Record<string, string[]>,
    variables: Record<string, string> | undefined,
  ): AriReply {
    const [res, id, sub, subId] = s;
    const n = s.length;
    const media = (multi.media ?? []).flatMap((m) => m.split(',')).filter(Boolean);
    switch (res) {
      case 'channels':
        if (n === 1 && method === 'GET') return engine.ariListChannels();
        if (n === 1 && method === 'POST') return engine.ariOriginate(q, variables);
        if (!id) break;
        if (n === 2 && method === 'GET') return engine.ariGetChannel(id);
        if (n === 2 && method === 'POST')
          return engine.ariOriginate({ ...q, channelId: id }, variables);
        if (n === 2 && method === 'DELETE') return engine.ariHangup(id, q);
        if (n === 3 && sub) {
          if (sub === 'variable' && method === 'GET') return engine.ariGetVar(id, q);
          if (sub === 'variable' && method === 'POST') return engine.ariSetVar(id, q);
          if (sub === 'play' && method === 'POST') return engine.ariPlay('channel', id, media, q);
          if (sub === 'snoop' && method === 'POST') return engine.ariSnoop(id, q);
          if (sub === 'continue' && method === 'POST') return engine.ariContinue(id, q);
          const actions: Record<string, string> = {
            'POST answer': 'answer',
            'POST ring': 'ring',
            'DELETE ring': 'ringStop',
            'POST hold': 'hold',
            'DELETE hold': 'unhold',
            'POST mute': 'mute',
            'DELETE mute': 'unmute',
            'POST dtmf': 'dtmf',
            'POST moh': 'mohStart',
            'DELETE moh': 'mohStop',
            'POST silence': 'silenceStart',
            'DELETE silence': 'silenceStop',
          };
          const action = actions[`${method} ${sub}`];
          if (action) return engine.ariChannelAction(id, action, q);
        }
        if (n === 4 && sub === 'play' && subId && method === 'POST') {
          return engine.ariPlay('channel', id, media, q, subId);
        }
        if (n === 4 && sub === 'snoop' && subId && method === 'POST') {
          return engine.ariSnoop(id, q, subId);
        }
        break;
      case 'bridges':
        if (n === 1 && method === 'GET') return engine.ariListBridges();
        if (n === 1 && method === 'POST') return engine.ariCreateBridge(q);
        if (!id) break;
        if (n === 2 && method === 'GET') return engine.ariGetBridge(id);
        if (n === 2 && method === 'POST') return engine.ariCreateBridge(q, id);
        if (n === 2 && method === 'DELETE') return engine.ariDestroyBridge(id);
        if (n === 3 && method === 'POST' && sub === 'addChannel')
          return engine.ariAddChannel(id, q);
        if (n === 3 && method === 'POST' && sub === 'removeChannel') {
          return engine.ariRemoveChannel(id, q);
        }
        if (n === 3 && sub === 'moh' && (method === 'POST' || method === 'DELETE')) {
          return engine.ariBridgeMoh(id, method === 'POST', q);
        }
        if (n === 3 && sub === 'play' && method === 'POST') {
          return engine.ariPlay('bridge', id, media, q);
        }
        if (n === 4 && sub === 'play' && subId && method === 'POST') {
          return engine.ariPlay('bridge', id, media, q, subId);
        }
        break;
      case 'playbacks':
        if (n === 2 && id && method === 'GET') return engine.ariGetPlayback(id);
        if (n === 2 && id && method === 'DELETE') return engine.ariStopPlayback(id);
        break;
      case 'endpoints':
        if (n === 1 && method === 'GET') return engine.ariListEndpoints();
        if (n === 2 && id && method === 'GET') return engine.ariListEndpoints(id);
        if (n === 3 && id && sub && method === 'GET') return engine.ariGetEndpoint(id, sub);
        break;
      case 'applications': {
        if (n === 1 && method === 'GET') {
          return { status: 200, body: [...appOwners.keys()].map((a) => engine.ariApplication(a)) };
        }
        if (n === 2 && id && method === 'GET') {
          return appOwners.has(id)
            ? { status: 200, body: engine.ariApplication(id) }
            : { status: 404, body: { message: 'Application not found' } };
        }
        break;
      }
      case 'asterisk':
        if (n === 2 && id === 'info' && method === 'GET') return engine.ariInfo(q.only);
        if (n === 2 && id === 'ping' && method === 'GET') return engine.ariPing();
        if (n === 2 && id === 'modules' && method === 'GET') return engine.ariListModules();
        if (n === 3 && id === 'modules' && sub) {
          if (method === 'GET') return engine.ariGetModule(sub);
          if (method === 'POST') return engine.ariLoadModule(sub);
          if (method === 'DELETE') return engine.ariUnloadModule(sub);
          if (method === 'PUT') return engine.ariReloadModule(sub);
        }
        break;
      default:
        break;
    }
    if (knownAriResource(res)) {
      return { status: 501, body: { message: 'Not implemented by the simulated PBX' } };
    }
    return { status: 404, body: { message: 'Resource not found' } };
  }

  function control(method: string, s: string[], rawBody: string): AriReply {
    let body: Record<string, unknown> = {};
    if (rawBody.trim()) {
      try {
        const parsed: unknown = JSON.parse(rawBody);
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
          body = parsed as Record<string, unknown>;
        }
      } catch {
        return { status: 400, body: { error: 'body is not JSON' } };
      }
    }
    const [what, id, action] = s;
    if (what === 'health' && method === 'GET') return { status: 200, body: { ok: true } };
    if (what === 'stats' && method === 'GET') {
      return {
        status: 200,
        body: {
          ...engine.counters,
          activeChannels: engine.channels.size,
          activeBridges: engine.bridges.size,
          activeCalls: engine.calls.size,
          pendingTimers: scheduler.size(),
          connectedApps: [...appOwners.keys()],
          nowMs: scheduler.nowMs(),
        },
      };
    }
    if (what === 'calls' && !id && method === 'GET') {
      return { status: 200, body: engine.listCalls() };
    }
    if (what === 'calls' && id && action === 'hangup' && method === 'POST') {
      return engine.hangupCustomer(id)
        ? { status: 204 }
        : { status: 404, body: { error: 'no such call' } };
    }
    if (what === 'scenario' && method === 'GET') return { status: 200, body: engine.scenario };
    if (what === 'scenario' && method === 'PUT') {
      const parsed = parseScenario(body, engine.scenario);
      if (!parsed.ok) return { status: 400, body: { error: parsed.error } };
      engine.scenario = parsed.scenario;
      return { status: 200, body: engine.scenario };
    }
    if (what === 'reset' && method === 'POST') {
      const parsed = parseScenario(body, engine.scenario);
      if (!parsed.ok) return { status: 400, body: { error: parsed.error } };
      engine.reset(parsed.scenario);
      return { status: 204 };
    }
    if (what === 'events' && (id === 'down' || id === 'up') && method === 'POST') {
      // A longer outage: no events socket until `up`.
      setEventsDown(id === 'down');
      return { status: 204 };
    }
    if (what === 'events' && id === 'drop' && method === 'POST') {
      // A network cut: calls go on, clients must reconnect and resync (Asterisk replays nothing).
      dropEventSockets();
      return { status: 204 };
    }
    if (what === 'phones' && !id && method === 'GET') {
      return { status: 200, body: [...engine.phones.values()].map((p) => p.json()) };
    }
    if (what === 'endpoints' && !id && method === 'GET') {
      return { status: 200, body: engine.listEndpoints() };
    }
    if (what === 'endpoints' && id && !action && method === 'PUT') {
      const spec = endpointBody(id, body);
      if (typeof spec === 'string') return { status: 400, body: { error: spec } };
      defineEndpoint(spec);
      return { status: 200, body: engine.listEndpoints().find((e) => e.resource === id) };
    }
    if (what === 'channels' && !id && method === 'GET') {
      return { status: 200, body: engine.listChannels() };
    }
    if (what === 'log' && !id && method === 'GET') {
      return { status: 200, body: engine.warnings.map((line) => `WARNING: ${line}`) };
    }
    if (what === 'phones' && id && method === 'POST') {
      if (action === 'register' || action === 'unregister') {
        // Asterisk refuses a REGISTER for an endpoint it does not have.
        if (!engine.phones.has(id)) return { status: 404, body: { error: 'unknown endpoint' } };
        engine.registerPhone(id, action === 'register');
        return { status: 204 };
      }
      if (action === 'login') {
        const channelId = typeof body.channelId === 'string' ? body.channelId : undefined;
        const r = engine.phoneLogin(id, channelId);
        return r.channelId
          ? { status: 200, body: { channelId: r.channelId } }
          : { status: 409, body: { error: r.error } };
      }
      if (action === 'hangup') {
        const phone = engine.phones.get(id);
        if (!phone) return { status: 404, body: { error: 'unknown endpoint' } };
        for (const ch of [...phone.channels]) engine.phoneHangsUp(ch);
        return { status: 204 };
      }
    }
    return { status: 404, body: { error: 'unknown control route' } };
  }

  function defineEndpoint(e: string | SimEndpointSpec): void {
    const spec = endpointSpec(e);
    const phone = engine.defineEndpoint(spec.id, {
      allow: spec.allow,
      offers: spec.offers ?? (spec.webrtc ? BROWSER_OFFER : undefined),
      context: spec.context,
    });
    if (spec.qualify !== undefined) phone.qualify = spec.qualify;
    engine.registerPhone(spec.id, spec.registered ?? true);
  }

  function dropEventSockets(): void {
    for (const s of sockets) s.ws.terminate();
  }

  let eventsDown = false;
  function setEventsDown(down: boolean): void {
    eventsDown = down;
    if (down) dropEventSockets();
  }

  function setScenario(s: Partial<CustomerScenario>): void {
    engine.scenario = {
      seed: typeof s.seed === 'number' ? s.seed : engine.scenario.seed,
      defaultProfile: 'defaultProfile' in s ? s.defaultProfile : engine.scenario.defaultProfile,
      rules: 'rules' in s ? s.rules : engine.scenario.rules,
    };
  }

  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://sim');
    if (url.pathname !== '/ari/events') {
      socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
      return;
    }
    if (eventsDown) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\n\r\n');
      return;
    }
    if (!authorized(req, url)) {
      socket.end(
        'HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm="Asterisk REST Interface"\r\n\r\n',
      );
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const apps = (url.searchParams.get('app') ?? '').split(',').filter(Boolean);
      if (apps.length === 0) {
        ws.send(JSON.stringify({ type: 'MissingParams', params: ['app'] }));
        ws.close();
        return;
      }
      const sub = url.searchParams.get('subscribeAll');
      const s: AppSocket = {
        ws,
        raw: socket,
        corked: false,
        apps,
        subscribeAll: sub === 'true' || sub === '1',
      };
      sockets.add(s);
      for (const name of apps) {
        const old = appOwners.get(name);
        if (old && old !== s && old.ws.readyState === old.ws.OPEN) {
          old.ws.send(
            JSON.stringify({
              type: 'ApplicationReplaced',
              timestamp: ariTimestamp(scheduler.nowMs()),
              application: name,
              asterisk_id: opts.asteriskId ?? '02:fc:00:00:00:01',
            }),
          );
        }
        appOwners.set(name, s);
      }
      ws.on('close', () => {
        sockets.delete(s);
        for (const name of s.apps) if (appOwners.get(name) === s) appOwners.delete(name);
      });
      ws.on('error', () => ws.terminate());
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 8088, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const base = `http://${host}:${port}`;

  return {
    url: base,
    ariUrl: `${base}/ari`,
    eventsUrl: `ws://${host}:${port}/ari/events?app=${encodeURIComponent(app)}&subscribeAll=true&api_key=${encodeURIComponent(`${user}:${password}`)}`,
    port,
    engine,
    scheduler,
    config,
    defineEndpoint,
    setScenario,
    dropEventSockets,
    setEventsDown,
    async stop() {
      scheduler.clear();
      for (const s of sockets) s.ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const CODEC_NAME = /^[a-z0-9_]{2,16}$/;

/** A control-API endpoint body: `{ allow?, offers?, webrtc?, registered?, qualify?, context? }`. */
function endpointBody(id: string, body: Record<string, unknown>): SimEndpointSpec | string {
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(id)) return 'endpoint id: 1-64 of A-Z a-z 0-9 . _ -';
  const codecs = (field: string): Codec[] | undefined | string => {
    const v = body[field];
    if (v === undefined) return undefined;
    const list = typeof v === 'string' ? v.split(',').map((c) => c.trim()) : v;
    if (!Array.isArray(list) || list.length === 0) return `${field}: a list of codec names`;
    if (!list.every((c): c is string => typeof c === 'string' && CODEC_NAME.test(c))) {
      return `${field}: a list of codec names`;
    }
    return list;
  };
  const allow = codecs('allow');
  if (typeof allow === 'string') return allow;
  const offers = codecs('offers');
  if (typeof offers === 'string') return offers;
  for (const flag of ['webrtc', 'registered', 'qualify'] as const) {
    if (body[flag] !== undefined && typeof body[flag] !== 'boolean') return `${flag}: a boolean`;
  }
  if (body.context !== undefined && typeof body.context !== 'string') return 'context: a string';
  return {
    id,
    allow,
    offers,
    webrtc: body.webrtc as boolean | undefined,
    registered: body.registered as boolean | undefined,
    qualify: body.qualify as boolean | undefined,
    context: body.context as string | undefined,
  };
}

function knownAriResource(res: string | undefined): boolean {
  return [
    'channels',
    'bridges',
    'playbacks',
    'endpoints',
    'applications',
    'asterisk',
    'deviceStates',
    'mailboxes',
    'recordings',
    'sounds',
    'events',
  ].includes(res ?? '');
}

export { ManualScheduler, RealScheduler };
