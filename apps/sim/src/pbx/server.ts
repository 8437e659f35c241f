/**
 * The simulated PBX's shell: ARI REST under /ari (basic auth or api_key, like Asterisk), the events
 * WebSocket /ari/events, and a small control API under /_sim for tests and demos. Listens on
 * loopback only. This file builds the engine from the options and serves HTTP; the routes are in
 * ari-routes.ts and control-routes.ts, the events sockets in event-sockets.ts.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { answerAri } from './ari-routes.js';
import { MODULE_CATALOGUE, NOT_LOADED_BY_DEFAULT, moduleFile } from './codecs.js';
import {
  answerControl,
  defineEndpoint,
  endpointSpec,
  type ControlContext,
} from './control-routes.js';
import type { AriReply, SimEndpointSpec } from './core.js';
import type { CustomerProfile, CustomerRule, CustomerScenario } from './customers.js';
import { SimDynamicConfig, type StaticConfigObject } from './dynamic-config.js';
import { SimEngine } from './engine.js';
import { EventSockets } from './event-sockets.js';
import { DirRecordingStore } from './recording-files.js';
import { RealScheduler, type SimScheduler } from './scheduler.js';

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
  /**
   * Directory of the stored recordings (`<name>.wav`), kept on stop. Default: a new temporary
   * directory of this PBX's own, removed on stop.
   */
  recordingsDir?: string;
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
  /** Where the stored recordings are (`<name>.wav`). */
  recordingsDir: string;
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

const JSON_HEADERS = { 'Content-Type': 'application/json' };

export async function startSimPbx(opts: SimPbxOptions = {}): Promise<SimPbx> {
  const host = opts.host ?? '127.0.0.1';
  const user = opts.user ?? 'ringside';
  const password = opts.password ?? 'ringside';
  const app = opts.app ?? 'dialer';
  const asteriskId = opts.asteriskId ?? '02:fc:00:00:00:01';
  const scheduler = opts.scheduler ?? new RealScheduler(opts.speed ?? 1);
  const sockets = new EventSockets({ scheduler, asteriskId, authorized });

  const config = new SimDynamicConfig(opts.staticConfig ?? []);
  const ownRecordingsDir = opts.recordingsDir === undefined;
  const recordingsDir =
    opts.recordingsDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'ringside-sim-recordings-'));
  const registered = opts.phonesRegistered ?? true;
  const endpoints = [...(opts.endpoints ?? []), ...(opts.phoneEndpoints ?? [])].map((e) =>
    endpointSpec(e, registered),
  );
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
    asteriskId,
    endpoints,
    phoneAnswerMs: opts.phoneAnswerMs ?? 200,
    anyEndpoint: opts.anyEndpoint ?? opts.acceptAnyPhone ?? false,
    modules: new Set(installed.filter((m) => !noload.has(m))),
    installedModules: new Set(installed),
    omitEvents: new Set(opts.omitEvents ?? DEFAULT_OMITTED_EVENTS),
    soundDurationsMs: { ...SOUNDS_MS, ...(opts.soundDurationsMs ?? {}) },
    defaultSoundMs: 1000,
    isAppRegistered: (name) => sockets.hasApp(name),
    recordingStore: new DirRecordingStore(recordingsDir),
  });

  engine.onEvent((ev, scope) => sockets.deliver(ev, scope));
  // pjsip.conf's endpoints exist from the start (no phone registered on them yet).
  for (const o of opts.staticConfig ?? []) {
    if (o.configClass !== 'res_pjsip' || o.objectType !== 'endpoint') continue;
    const phone = engine.endpointConfigured(
      o.id,
      new Map(o.fields.map((f) => [f.attribute, f.value])),
    );
    phone.fixed = true;
  }
  const control: ControlContext = { engine, scheduler, sockets, registered };

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
      // A Buffer body is a file (a stored recording), sent as it is with its own Content-Type.
      const raw = Buffer.isBuffer(reply.body);
      const headers = {
        ...(reply.body === undefined || raw ? {} : JSON_HEADERS),
        ...reply.headers,
      };
      res.writeHead(reply.status, headers);
      res.end(
        reply.body === undefined
          ? undefined
          : Buffer.isBuffer(reply.body)
            ? reply.body
            : JSON.stringify(reply.body),
      );
    });
  });

  function handle(req: http.IncomingMessage, rawBody: string): AriReply {
    const url = new URL(req.url ?? '/', 'http://sim');
    const method = (req.method ?? 'GET').toUpperCase();
    const segs = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    if (segs[0] === '_sim') return answerControl(control, method, segs.slice(1), rawBody);
    if (segs[0] !== 'ari') return { status: 404, body: { message: 'Not found' } };
    if (!authorized(req, url)) {
      return {
        status: 401,
        body: { error: 'Authentication required' },
        headers: { 'WWW-Authenticate': 'Basic realm="Asterisk REST Interface"' },
      };
    }
    return answerAri({ engine, config, sockets }, method, segs.slice(1), url.searchParams, rawBody);
  }

  server.on('upgrade', (req, socket, head) => sockets.upgrade(req, socket, head));

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
    recordingsDir,
    defineEndpoint: (spec) => defineEndpoint(control, spec),
    setScenario(s: Partial<CustomerScenario>) {
      engine.scenario = {
        seed: typeof s.seed === 'number' ? s.seed : engine.scenario.seed,
        defaultProfile: 'defaultProfile' in s ? s.defaultProfile : engine.scenario.defaultProfile,
        rules: 'rules' in s ? s.rules : engine.scenario.rules,
      };
    },
    dropEventSockets: () => sockets.drop(),
    setEventsDown: (down) => sockets.setDown(down),
    async stop() {
      scheduler.clear();
      // Taken away: the PBXes it has a trunk with stop hearing it (their RTP timeout).
      engine.trunks.halt();
      sockets.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (ownRecordingsDir) fs.rmSync(recordingsDir, { recursive: true, force: true });
    },
  };
}

/** pjsip-fleet.conf's `rtp_timeout` (5 s), virtual ms: a PBX taken away ends the other's trunk legs. */
export const FLEET_RTP_TIMEOUT_MS = 5_000;

/**
 * Links two simulated PBXes by a trunk (trunks.ts), as deploy/asterisk/pjsip-fleet.conf links two
 * Asterisk servers: on `a`, `PJSIP/<exten>@<aEndpoint>` reaches `b` (context `fleet-in`), and on
 * `b`, `PJSIP/<exten>@<bEndpoint>` reaches `a`; every INVITE, answer and BYE takes `latencyMs`
 * (virtual ms of the receiving side's scheduler). When one PBX is stopped, the other's channels
 * on the trunk end after `rtpTimeoutMs` (default FLEET_RTP_TIMEOUT_MS; null: never). Returns how
 * to cut the trunk (new calls fail; calls up go on).
 */
export function linkSimPbxes(
  a: Pick<SimPbx, 'engine'>,
  b: Pick<SimPbx, 'engine'>,
  o: { aEndpoint: string; bEndpoint: string; latencyMs?: number; rtpTimeoutMs?: number | null },
): () => void {
  const latencyMs = o.latencyMs ?? 20;
  const rtp = o.rtpTimeoutMs === undefined ? FLEET_RTP_TIMEOUT_MS : o.rtpTimeoutMs;
  a.engine.trunks.link(o.aEndpoint, b.engine.trunks, o.bEndpoint, latencyMs, rtp);
  b.engine.trunks.link(o.bEndpoint, a.engine.trunks, o.aEndpoint, latencyMs, rtp);
  return () => {
    a.engine.trunks.unlink(o.aEndpoint);
    b.engine.trunks.unlink(o.bEndpoint);
  };
}
