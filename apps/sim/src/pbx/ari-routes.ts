/**
 * ARI's REST routes under /ari (after authentication), one function per resource, each calling
 * the engine: parameters come from the query string and, as Asterisk also reads them, from a
 * JSON body (`variables` only from there). A known resource the simulator does not implement
 * answers 501, anything else 404.
 */
import type { AriReply, Params } from './core.js';
import type { SimDynamicConfig } from './dynamic-config.js';
import type { SimEngine } from './engine.js';
import type { EventSockets } from './event-sockets.js';

export interface AriRouteContext {
  engine: SimEngine;
  config: SimDynamicConfig;
  sockets: EventSockets;
}

/** One parsed request: `s` is the path after /ari, split on '/'. */
interface AriRequest {
  method: string;
  s: string[];
  q: Params;
  /** Media URIs (`media` may repeat and hold comma-separated lists). */
  media: string[];
  variables: Record<string, string> | undefined;
}

type Route = (ctx: AriRouteContext, r: AriRequest) => AriReply | undefined;

const KNOWN_RESOURCES = [
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
];

/** `method /ari/<segs...>` with the request's query string and body. */
export function answerAri(
  ctx: AriRouteContext,
  method: string,
  segs: string[],
  search: URLSearchParams,
  rawBody: string,
): AriReply {
  ctx.engine.counters.restRequests++;
  // Its body is a list of ConfigTuple, not parameters: answered before the generic parsing.
  if (segs[0] === 'asterisk' && segs[1] === 'config' && segs[2] === 'dynamic') {
    return dynamicConfig(ctx, method, segs.slice(3), rawBody);
  }
  const q: Params = {};
  const multi: Record<string, string[]> = {};
  for (const [k, v] of search) {
    if (k === 'api_key') continue;
    q[k] = v;
    (multi[k] ??= []).push(v);
  }
  const body = readBody(rawBody, q);
  if ('reply' in body) return body.reply;
  const media = (multi.media ?? []).flatMap((m) => m.split(',')).filter(Boolean);
  const request: AriRequest = { method, s: segs, q, media, variables: body.variables };
  const reply = ROUTES.get(segs[0] ?? '')?.(ctx, request);
  if (reply) return reply;
  if (KNOWN_RESOURCES.includes(segs[0] ?? '')) {
    return { status: 501, body: { message: 'Not implemented by the simulated PBX' } };
  }
  return { status: 404, body: { message: 'Resource not found' } };
}

/**
 * Copies a JSON body's string and number fields into `q` (the query string wins) and returns
 * its `variables`, or the 400 answer for a body Asterisk refuses.
 */
function readBody(
  rawBody: string,
  q: Params,
): { variables: Record<string, string> | undefined } | { reply: AriReply } {
  if (!rawBody.trim()) return { variables: undefined };
  let parsed: unknown;
  try {
    parsed = JSON.parse(rawBody);
  } catch {
    return { reply: { status: 400, body: { message: 'Failed to parse request body' } } };
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { variables: undefined };
  }
  let variables: Record<string, string> | undefined;
  for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
    if (k === 'variables' && v && typeof v === 'object') {
      variables = {};
      for (const [vk, vv] of Object.entries(v as Record<string, unknown>)) {
        if (typeof vv !== 'string') {
          const message = "Only string values in the 'variables' object allowed";
          return { reply: { status: 400, body: { message } } };
        }
        variables[vk] = vv;
      }
    } else if (q[k] === undefined && (typeof v === 'string' || typeof v === 'number')) {
      q[k] = String(v);
    }
  }
  return { variables };
}

/** Answers ARI's dynamic configuration and keeps the engine's endpoints in step with it. */
function dynamicConfig(
  { engine, config }: AriRouteContext,
  method: string,
  segs: string[],
  rawBody: string,
): AriReply {
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

/** POST /channels/{id}/<sub> and DELETE ...: the channel actions without a body of their own. */
const CHANNEL_ACTIONS: Record<string, string> = {
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

const channels: Route = ({ engine }, { method, s, q, media, variables }) => {
  const [, id, sub, subId] = s;
  const n = s.length;
  if (n === 1 && method === 'GET') return engine.ariListChannels();
  if (n === 1 && method === 'POST') return engine.ariOriginate(q, variables);
  if (!id) return undefined;
  if (n === 2 && method === 'GET') return engine.ariGetChannel(id);
  if (n === 2 && method === 'POST') return engine.ariOriginate({ ...q, channelId: id }, variables);
  if (n === 2 && method === 'DELETE') return engine.ariHangup(id, q);
  if (n === 3 && sub) {
    if (sub === 'variable' && method === 'GET') return engine.ariGetVar(id, q);
    if (sub === 'variable' && method === 'POST') return engine.ariSetVar(id, q);
    if (sub === 'play' && method === 'POST') return engine.ariPlay('channel', id, media, q);
    if (sub === 'snoop' && method === 'POST') return engine.ariSnoop(id, q);
    if (sub === 'continue' && method === 'POST') return engine.ariContinue(id, q);
    if (sub === 'record' && method === 'POST') return engine.ariRecord('channel', id, q);
    const action = CHANNEL_ACTIONS[`${method} ${sub}`];
    if (action) return engine.ariChannelAction(id, action, q);
  }
  if (n === 4 && sub === 'play' && subId && method === 'POST') {
    return engine.ariPlay('channel', id, media, q, subId);
  }
  if (n === 4 && sub === 'snoop' && subId && method === 'POST') {
    return engine.ariSnoop(id, q, subId);
  }
  return undefined;
};

const bridges: Route = ({ engine }, { method, s, q, media }) => {
  const [, id, sub, subId] = s;
  const n = s.length;
  if (n === 1 && method === 'GET') return engine.ariListBridges();
  if (n === 1 && method === 'POST') return engine.ariCreateBridge(q);
  if (!id) return undefined;
  if (n === 2 && method === 'GET') return engine.ariGetBridge(id);
  if (n === 2 && method === 'POST') return engine.ariCreateBridge(q, id);
  if (n === 2 && method === 'DELETE') return engine.ariDestroyBridge(id);
  if (n === 3 && method === 'POST' && sub === 'addChannel') return engine.ariAddChannel(id, q);
  if (n === 3 && method === 'POST' && sub === 'removeChannel') {
    return engine.ariRemoveChannel(id, q);
  }
  if (n === 3 && sub === 'moh' && (method === 'POST' || method === 'DELETE')) {
    return engine.ariBridgeMoh(id, method === 'POST', q);
  }
  if (n === 3 && sub === 'play' && method === 'POST') {
    return engine.ariPlay('bridge', id, media, q);
  }
  if (n === 3 && sub === 'record' && method === 'POST') return engine.ariRecord('bridge', id, q);
  if (n === 4 && sub === 'play' && subId && method === 'POST') {
    return engine.ariPlay('bridge', id, media, q, subId);
  }
  return undefined;
};

const playbacks: Route = ({ engine }, { method, s }) => {
  const [, id] = s;
  if (s.length === 2 && id && method === 'GET') return engine.ariGetPlayback(id);
  if (s.length === 2 && id && method === 'DELETE') return engine.ariStopPlayback(id);
  return undefined;
};

const endpoints: Route = ({ engine }, { method, s }) => {
  const [, id, sub] = s;
  const n = s.length;
  if (n === 1 && method === 'GET') return engine.ariListEndpoints();
  if (n === 2 && id && method === 'GET') return engine.ariListEndpoints(id);
  if (n === 3 && id && sub && method === 'GET') return engine.ariGetEndpoint(id, sub);
  return undefined;
};

const applications: Route = ({ engine, sockets }, { method, s }) => {
  const [, id] = s;
  if (s.length === 1 && method === 'GET') {
    return { status: 200, body: sockets.appNames().map((a) => engine.ariApplication(a)) };
  }
  if (s.length === 2 && id && method === 'GET') {
    return sockets.hasApp(id)
      ? { status: 200, body: engine.ariApplication(id) }
      : { status: 404, body: { message: 'Application not found' } };
  }
  return undefined;
};

const asterisk: Route = ({ engine }, { method, s, q }) => {
  const [, id, sub] = s;
  const n = s.length;
  if (n === 2 && id === 'info' && method === 'GET') return engine.ariInfo(q.only);
  if (n === 2 && id === 'ping' && method === 'GET') return engine.ariPing();
  if (n === 2 && id === 'modules' && method === 'GET') return engine.ariListModules();
  if (n === 3 && id === 'modules' && sub) {
    if (method === 'GET') return engine.ariGetModule(sub);
    if (method === 'POST') return engine.ariLoadModule(sub);
    if (method === 'DELETE') return engine.ariUnloadModule(sub);
    if (method === 'PUT') return engine.ariReloadModule(sub);
  }
  return undefined;
};

/** POST .../pause and DELETE .../pause, ... : the live recording operations. */
const RECORDING_OPS: Record<string, 'stop' | 'pause' | 'unpause' | 'mute' | 'unmute'> = {
  'POST stop': 'stop',
  'POST pause': 'pause',
  'DELETE pause': 'unpause',
  'POST mute': 'mute',
  'DELETE mute': 'unmute',
};

const recordings: Route = ({ engine }, { method, s, q }) => {
  const [, kind, name, sub] = s;
  const n = s.length;
  if (kind === 'stored') {
    if (n === 2 && method === 'GET') return engine.ariListStoredRecordings();
    if (!name) return undefined;
    if (n === 3 && method === 'GET') return engine.ariGetStoredRecording(name);
    if (n === 3 && method === 'DELETE') return engine.ariDeleteStoredRecording(name);
    if (n === 4 && sub === 'file' && method === 'GET') {
      return engine.ariGetStoredRecordingFile(name);
    }
    if (n === 4 && sub === 'copy' && method === 'POST') {
      return engine.ariCopyStoredRecording(name, q);
    }
    return undefined;
  }
  if (kind !== 'live' || !name) return undefined;
  if (n === 3 && method === 'GET') return engine.ariGetLiveRecording(name);
  if (n === 3 && method === 'DELETE') return engine.ariRecordingControl(name, 'cancel');
  const op = n === 4 && sub ? RECORDING_OPS[`${method} ${sub}`] : undefined;
  return op ? engine.ariRecordingControl(name, op) : undefined;
};

const ROUTES = new Map<string, Route>([
  ['channels', channels],
  ['bridges', bridges],
  ['playbacks', playbacks],
  ['endpoints', endpoints],
  ['applications', applications],
  ['asterisk', asterisk],
  ['recordings', recordings],
]);
