/**
 * The simulator's control API under /_sim (no authentication, loopback only), for tests, demos
 * and the benchmark: health and counters, customer calls and the scenario, events socket
 * outages, endpoints and their phones (register, log in, hang up), channels and the log, live
 * recordings (list, fail one).
 */
import { BROWSER_OFFER, type Codec } from './codecs.js';
import type { AriReply, SimEndpointSpec } from './core.js';
import { parseScenario } from './customers.js';
import type { SimEngine } from './engine.js';
import type { EventSockets } from './event-sockets.js';
import type { SimScheduler } from './scheduler.js';

export interface ControlContext {
  engine: SimEngine;
  scheduler: SimScheduler;
  sockets: EventSockets;
  /** `registered` of an endpoint spec that does not say (startSimPbx's `phonesRegistered`). */
  registered: boolean;
}

/**
 * Adds or updates a PJSIP endpoint and its phone at run time (startSimPbx's `defineEndpoint`);
 * registered unless the spec says otherwise.
 */
export function defineEndpoint(ctx: ControlContext, e: string | SimEndpointSpec): void {
  const spec = endpointSpec(e, ctx.registered);
  const phone = ctx.engine.defineEndpoint(spec.id, {
    allow: spec.allow,
    offers: spec.offers ?? (spec.webrtc ? BROWSER_OFFER : undefined),
    context: spec.context,
  });
  if (spec.qualify !== undefined) phone.qualify = spec.qualify;
  ctx.engine.registerPhone(spec.id, spec.registered ?? true);
}

/** An endpoint given by id only, or a spec without `registered`, gets the default. */
export function endpointSpec(e: string | SimEndpointSpec, registered: boolean): SimEndpointSpec {
  return typeof e === 'string' ? { id: e, registered } : { registered, ...e };
}

/** `method /_sim/<segs...>` with the request body. */
export function answerControl(
  ctx: ControlContext,
  method: string,
  s: string[],
  rawBody: string,
): AriReply {
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
  const { engine } = ctx;
  if (what === 'health' && method === 'GET') return { status: 200, body: { ok: true } };
  if (what === 'stats' && method === 'GET') {
    return {
      status: 200,
      body: {
        ...engine.counters,
        activeChannels: engine.channels.size,
        activeBridges: engine.bridges.size,
        activeCalls: engine.calls.size,
        pendingTimers: ctx.scheduler.size(),
        connectedApps: ctx.sockets.appNames(),
        nowMs: ctx.scheduler.nowMs(),
      },
    };
  }
  if (what === 'recordings' && !id && method === 'GET') {
    return { status: 200, body: engine.listRecordings() };
  }
  if (what === 'recordings' && id && action === 'fail' && method === 'POST') {
    // The recorder fails (disk full...): RecordingFailed with this cause, no file.
    const cause = typeof body.cause === 'string' && body.cause ? body.cause : 'simulated failure';
    return engine.failRecording(id, cause)
      ? { status: 204 }
      : { status: 404, body: { error: 'no live recording by that name' } };
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
    ctx.sockets.setDown(id === 'down');
    return { status: 204 };
  }
  if (what === 'events' && id === 'drop' && method === 'POST') {
    // A network cut: calls go on, clients must reconnect and resync (Asterisk replays nothing).
    ctx.sockets.drop();
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
    defineEndpoint(ctx, spec);
    return { status: 200, body: engine.listEndpoints().find((e) => e.resource === id) };
  }
  if (what === 'channels' && !id && method === 'GET') {
    return { status: 200, body: engine.listChannels() };
  }
  if (what === 'log' && !id && method === 'GET') {
    return { status: 200, body: engine.warnings.map((line) => `WARNING: ${line}`) };
  }
  if (what === 'phones' && id && method === 'POST') {
    const reply = phoneAction(engine, id, action, body);
    if (reply) return reply;
  }
  return { status: 404, body: { error: 'unknown control route' } };
}

/** POST /_sim/phones/{endpoint}/{register|unregister|login|hangup}. */
function phoneAction(
  engine: SimEngine,
  id: string,
  action: string | undefined,
  body: Record<string, unknown>,
): AriReply | undefined {
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
  return undefined;
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
