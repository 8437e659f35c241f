/**
 * Test helpers for the simulated PBX: the recorded Asterisk traces, a small ARI client (fetch +
 * basic auth), an events collector, and the normalisation used to compare the simulator's output
 * with what Asterisk sent.
 */
import { onTestFinished } from 'vitest';
import WebSocket from 'ws';
import {
  startSimPbx,
  type CustomerProfile,
  type CustomerRule,
  type SimPbx,
  type SimPbxOptions,
} from '../src/index.js';

import { loadTrace as readTrace, type TraceLine as AriTraceLine } from '@ringside/ari/traces';

export { ariTracesDir as tracesDir, traceFiles } from '@ringside/ari/traces';

/** A trace line with its event typed as an ARI message. */
export type TraceLine = AriTraceLine<AriMessage>;

export type AriMessage = Record<string, unknown> & { type: string };

export function loadTrace(file: string): TraceLine[] {
  return readTrace<TraceLine>(file);
}

export interface AriResult {
  status: number;
  body: unknown;
}

/** The PBX the running test started with startTestPbx (control() talks to it). */
let current: SimPbx | null = null;

/** Starts a simulated PBX that is stopped when the current test finishes. */
export async function startTestPbx(opts: SimPbxOptions): Promise<SimPbx> {
  const pbx = await startSimPbx(opts);
  current = pbx;
  onTestFinished(async () => {
    if (current === pbx) current = null;
    await pbx.stop();
  });
  return pbx;
}

/** A request to the control API of the PBX the running test started. */
export function control(method: string, path: string, body?: unknown): Promise<AriResult> {
  if (!current) throw new Error('no pbx');
  return controlRequest(current.url, method, path, body);
}

/** Sends one ARI request the way the trace recorded it (query parameters, optional JSON body). */
export async function ariRequest(
  baseUrl: string,
  method: string,
  pathUnderAri: string,
  query: Record<string, string> = {},
  body?: unknown,
  auth = 'ringside:ringside',
): Promise<AriResult> {
  const qs = new URLSearchParams(query).toString();
  const authorization = `Basic ${Buffer.from(auth).toString('base64')}`;
  return jsonRequest(`${baseUrl}/ari${pathUnderAri}${qs ? `?${qs}` : ''}`, method, body, {
    authorization,
  });
}

/** A request to the simulator's control API (`/_sim<path>`, no authentication). */
async function controlRequest(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<AriResult> {
  return jsonRequest(`${baseUrl}/_sim${path}`, method, body);
}

async function jsonRequest(
  url: string,
  method: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<AriResult> {
  const res = await fetch(url, {
    method,
    headers: {
      ...headers,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as unknown) : null };
}

/** Connects to the events WebSocket and keeps every message in order. */
export async function collectEvents(eventsUrl: string): Promise<{
  events: AriMessage[];
  settle(quietMs?: number): Promise<void>;
  close(): void;
}> {
  const ws = new WebSocket(eventsUrl);
  const events: AriMessage[] = [];
  let lastAt = Date.now();
  ws.on('message', (data) => {
    events.push(JSON.parse(String(data)) as AriMessage);
    lastAt = Date.now();
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    events,
    /** Resolves once no message arrived for quietMs (the simulator writes synchronously). */
    async settle(quietMs = 60) {
      lastAt = Date.now();
      while (Date.now() - lastAt < quietMs) await new Promise((r) => setTimeout(r, 10));
    },
    close() {
      ws.close();
    },
  };
}

/**
 * Events the simulator leaves out on purpose (docs/sim.md): device states, caller-id refreshes of
 * an answered channel, and RTP quality variables at hang-up.
 */
export function ignorable(e: AriMessage): boolean {
  if (e.type === 'DeviceStateChanged') return true;
  const ch = e.channel as { state?: string } | undefined;
  if (e.type === 'ChannelCallerId' && ch?.state === 'Up') return true;
  if (e.type === 'ChannelVarset' && String(e.variable).startsWith('RTPAUDIOQOS')) return true;
  return false;
}

/** Channel names carry a per-Asterisk counter (-0000000f;1); ids like 1795552514.0 differ too. */
export function normName(s: string): string {
  return s.replace(/-[0-9a-f]{8}(?=;|$|,)/g, '-N');
}

/** One comparable line per event: type, entity and the fields Ringside reads. */
export function eventKey(e: AriMessage, idMap: Record<string, string> = {}): string {
  const id = (v: unknown) => {
    const s = String(v ?? '');
    return idMap[s] ?? s;
  };
  const ch = e.channel as { id: string; state: string } | undefined;
  const br = e.bridge as { id: string; channels: string[] } | undefined;
  const pb = e.playback as { id: string; state: string; media_uri: string } | undefined;
  const peer = e.peer as { id?: string } | undefined;
  let k = `${e.type} ${id(ch?.id ?? br?.id ?? pb?.id ?? peer?.id ?? '')}`;
  switch (e.type) {
    case 'ChannelVarset':
      k +=
        e.variable === 'BRIDGEPVTCALLID'
          ? ` ${String(e.variable)}`
          : ` ${String(e.variable)}=${normName(String(e.value))}`;
      break;
    case 'ChannelHangupRequest':
      k += ` cause=${String(e.cause)}${e.soft ? ' soft' : ''}`;
      break;
    case 'ChannelDestroyed':
      k += ` cause=${String(e.cause)} ${String(e.cause_txt)}`;
      break;
    case 'Dial':
      k += ` ${String(e.dialstatus)}`;
      break;
    case 'StasisStart':
      k += ` [${(e.args as string[]).join(',')}]`;
      break;
    case 'ChannelStateChange':
      k += ` ${ch?.state ?? ''}`;
      break;
    case 'ChannelDialplan':
      k += ` ${String(e.dialplan_app)}(${String(e.dialplan_app_data)})`;
      break;
    case 'ChannelEnteredBridge':
    case 'ChannelLeftBridge':
      k += ` ${br?.id ?? ''} [${(br?.channels ?? []).map(id).join(',')}]`;
      break;
    case 'BridgeCreated':
    case 'BridgeDestroyed':
      k += ` [${(br?.channels ?? []).map(id).join(',')}]`;
      break;
    case 'PlaybackStarted':
    case 'PlaybackFinished':
      k += ` ${pb?.state ?? ''} ${pb?.media_uri ?? ''}`;
      break;
    default:
      break;
  }
  return k;
}

/** A response or snapshot with times and counters blanked, lists sorted by id. */
export function normalizeBody(v: unknown): unknown {
  if (Array.isArray(v)) {
    const items = v.map(normalizeBody);
    return items.every((i) => i && typeof i === 'object' && 'id' in i)
      ? [...items].sort((a, b) =>
          String((a as { id: string }).id).localeCompare(String((b as { id: string }).id)),
        )
      : items;
  }
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
      if (k === 'creationtime' || k === 'timestamp') out[k] = '<time>';
      else if (k === 'name' && typeof val === 'string') out[k] = normName(val);
      else out[k] = normalizeBody(val);
    }
    return out;
  }
  return v;
}

/** The entity an event belongs to (its channel, bridge or playback). */
export function entityOf(key: string): string {
  return key.split(' ')[1] ?? '';
}

/**
 * Events a dialer acts on. Their relative order must match Asterisk's exactly; the rest must
 * match per channel/bridge/playback, since Asterisk interleaves different channels' threads
 * differently from run to run (the traces themselves disagree, e.g. Dial RINGING vs Wait()).
 */
export function isKeyEvent(key: string): boolean {
  return /^(StasisStart|StasisEnd|ChannelEnteredBridge|ChannelLeftBridge|BridgeCreated|BridgeDestroyed|PlaybackStarted|PlaybackFinished|Dial \S+ (BUSY|CONGESTION|ANSWER|CANCEL))/.test(
    key,
  );
}

/** Differences between two event-key sequences: per entity, as a whole, and in key-event order. */
export function sequenceProblems(got: string[], want: string[]): string[] {
  const problems: string[] = [];
  const group = (keys: string[]) => {
    const m = new Map<string, string[]>();
    for (const k of keys) {
      const e = entityOf(k);
      const list = m.get(e) ?? [];
      list.push(k);
      m.set(e, list);
    }
    return m;
  };
  const g = group(got);
  const w = group(want);
  for (const entity of new Set([...g.keys(), ...w.keys()])) {
    const a = g.get(entity) ?? [];
    const b = w.get(entity) ?? [];
    const n = Math.max(a.length, b.length);
    for (let i = 0; i < n; i++) {
      if (a[i] !== b[i]) {
        problems.push(
          `${entity} #${i}: got ${a[i] ?? '(nothing)'}, Asterisk sent ${b[i] ?? '(nothing)'}`,
        );
        break;
      }
    }
  }
  const ga = got.filter(isKeyEvent);
  const wa = want.filter(isKeyEvent);
  for (let i = 0; i < Math.max(ga.length, wa.length); i++) {
    if (ga[i] !== wa[i]) {
      problems.push(
        `key event #${i}: got ${ga[i] ?? '(nothing)'}, Asterisk sent ${wa[i] ?? '(nothing)'}`,
      );
      break;
    }
  }
  return problems;
}

/**
 * The reference customers ring a random 1-6 s and Asterisk's timings wander by some hundred ms;
 * pin each number to what the trace shows: its Wait(n), and the answer -> AMD verdict, greeting
 * end and hang-up delays.
 */
export function timingRules(lines: TraceLine[]): CustomerRule[] {
  const perNumber = new Map<string, Partial<CustomerProfile> & { answerAt?: number }>();
  const get = (n: string) => {
    let p = perNumber.get(n);
    if (!p) perNumber.set(n, (p = { mix: 'lastDigit' }));
    return p;
  };
  const numberOf = new Map<string, string>();
  lines.forEach((l, i) => {
    const ev = l.event;
    if (l.dir !== 'event' || !ev) return;
    const ch = ev.channel as
      { id: string; dialplan: { context: string; exten: string; priority: number } } | undefined;
    if (!ch) return;
    if (ch.dialplan.context === 'sim-customers')
      numberOf.set(ch.id.replace(/-2$/, ''), ch.dialplan.exten);
    const number = numberOf.get(ch.id.replace(/-2$/, ''));
    if (!number) return;
    const p = get(number);
    if (
      ev.type === 'ChannelDialplan' &&
      ev.dialplan_app === 'Wait' &&
      ch.dialplan.priority === 10
    ) {
      p.humanRingMs = Number(ev.dialplan_app_data) * 1000;
    }
    if (ev.type === 'ChannelDialplan' && ev.dialplan_app === 'Answer') p.answerAt = l.tMs;
    const since = l.tMs - (p.answerAt ?? l.tMs);
    if (ev.type === 'ChannelVarset' && ev.variable === 'AMDSTATUS') {
      p.amdHumanDecisionMs = since;
      p.amdMachineDecisionMs = since;
    }
    if (
      ev.type === 'ChannelVarset' &&
      ev.variable === 'PLAYBACKSTATUS' &&
      p.humanGreetingMs === undefined &&
      // The greeting ended on its own (the next step of the script follows), not by a hang-up.
      lines[i + 1]?.event?.type === 'ChannelDialplan'
    ) {
      p.humanGreetingMs = since;
    }
    if (ev.type === 'ChannelDialplan' && ev.dialplan_app === 'Hangup') p.humanTalkMs = since;
  });
  return [...perNumber].map(([prefix, { answerAt: _answerAt, ...profile }]) => ({
    prefix,
    profile,
  }));
}
