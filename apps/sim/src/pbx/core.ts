/**
 * What every resource of the simulated PBX shares: the options, the live objects (channels,
 * bridges, playbacks, phones, customer calls), the counters, and the primitives that change a
 * channel and emit the ARI event Asterisk 22 sends for that change. No resource logic here: the
 * resource files (channels.ts, bridges.ts, ...) build on these primitives, engine.ts composes them.
 */
import type { AmdStatus, CustomerOutcome, CustomerScenario } from './customers.js';
import {
  SimBridge,
  SimChannel,
  SimPhone,
  SimPlayback,
  type ChannelRole,
  type CustomerCall,
  type DialplanJson,
} from './model.js';
import type { SimScheduler, SimTimer } from './scheduler.js';
import type { Codec } from './codecs.js';
import type { SimRecordingStore } from './recording-store.js';

/** A PJSIP endpoint the simulated Asterisk knows from the start (startSimPbx's `endpoints`). */
export interface SimEndpointSpec {
  id: string;
  /** The endpoint's codecs in order (its `allow`). Default ['ulaw']. */
  allow?: ReadonlyArray<Codec>;
  /** A browser phone (WebRTC): it offers Opus, G.722, ulaw, alaw. Default false. */
  webrtc?: boolean;
  /** What the phone offers; default a browser's (webrtc) or a desk phone's (ulaw, alaw). */
  offers?: ReadonlyArray<Codec>;
  /** Registered from the start. Default: startSimPbx's `phonesRegistered` (true). */
  registered?: boolean;
  /** Dialplan context of calls from the phone. Default 'agents'. */
  context?: string;
  /**
   * The AOR qualifies its contacts (`qualify_frequency` > 0, as services/telephony/sip-accounts.ts and
   * pjsip.conf set it): a registration sends ContactStatusChange NonQualified (endpoint still
   * offline), then PeerStatusChange Reachable and ContactStatusChange Reachable once the OPTIONS
   * ping answers (webrtc-opus-refused). Default false: PeerStatusChange Reachable, then
   * ContactStatusChange NonQualified (webrtc-agent-leg).
   */
  qualify?: boolean;
}

/** One message for the events WebSocket, without `application` (added per app by the shell). */
export type AriEventOut = Record<string, unknown> & { type: string };

/** Which apps may see an event when they did not connect with subscribeAll. */
export interface EventScope {
  channels?: ReadonlyArray<SimChannel>;
  bridge?: SimBridge | null;
}

export type EventSink = (event: AriEventOut, scope: EventScope) => void;

/** A REST answer: status and JSON body (undefined for 204). */
export interface AriReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Params = Record<string, string | undefined>;

export interface EngineOptions {
  scheduler: SimScheduler;
  scenario: CustomerScenario;
  /** App named in the dialplan (Stasis(<app>,amd,...) and Stasis(<app>,agent,...)). */
  dialplanApp: string;
  /** `asterisk_id` of every event (Asterisk uses the host's MAC address). */
  asteriskId: string;
  /** PJSIP endpoints known from the start (registered unless the spec says otherwise). */
  endpoints: ReadonlyArray<SimEndpointSpec>;
  /**
   * An originate to an unknown PJSIP/<name> creates a registered phone on the fly (the demo's
   * simulated phones). False: an unknown endpoint answers 500 "Allocation failed", as Asterisk.
   */
  anyEndpoint: boolean;
  /** Module files loaded at start (`codec_ulaw.so`, ...); see codecs.ts. */
  modules: ReadonlySet<string>;
  /** Module files present on disk: ARI can load these (others: 409 "Module load declined"). */
  installedModules: ReadonlySet<string>;
  /** From an INVITE to a simulated phone to its auto-answer. */
  phoneAnswerMs: number;
  /** Event types never sent (docs/sim.md lists the ones left out by default). */
  omitEvents: ReadonlySet<string>;
  /** Durations of sounds by name (sound:<name>), milliseconds; the rest last defaultSoundMs. */
  soundDurationsMs: Readonly<Record<string, number>>;
  defaultSoundMs: number;
  /** Apps that have a connected WebSocket (Stasis() fails for others, as in Asterisk). */
  isAppRegistered: (app: string) => boolean;
  /** Where stored recordings go (recording-store.ts). Default: in memory. */
  recordingStore?: SimRecordingStore;
}

/** Counters for the control API and the benchmark. */
export interface SimCounters {
  originations: number;
  originateErrors: number;
  outcomes: Record<CustomerOutcome, number>;
  amdVerdicts: Record<AmdStatus, number>;
  stasisStarts: number;
  channelsCreated: number;
  channelsDestroyed: number;
  hangupCauses: Record<string, number>;
  bridgesCreated: number;
  playbacks: number;
  eventsEmitted: number;
  restRequests: number;
  /** Channels a bridge ejected because no translation path joins their codecs. */
  codecEjections: number;
}

export function emptyCounters(): SimCounters {
  return {
    originations: 0,
    originateErrors: 0,
    outcomes: { human: 0, machine: 0, noanswer: 0, busy: 0, congestion: 0 },
    amdVerdicts: { HUMAN: 0, MACHINE: 0, NOTSURE: 0 },
    stasisStarts: 0,
    channelsCreated: 0,
    channelsDestroyed: 0,
    hangupCauses: {},
    bridgesCreated: 0,
    playbacks: 0,
    eventsEmitted: 0,
    restRequests: 0,
    codecEjections: 0,
  };
}

/** An ARI error answer: `{ message }` with the status. */
export const msg = (status: number, message: string): AriReply => ({ status, body: { message } });
/** What ARI answers when the channel driver or a lookup cannot create the object. */
export const allocFailed: AriReply = { status: 500, body: { error: 'Allocation failed' } };

/** The serial in a channel name (`PJSIP/agent1-0000000a`): 8 hex digits, as Asterisk prints it. */
export const hex8 = (n: number): string => n.toString(16).padStart(8, '0');

let lastTsMs = NaN;
let lastTs = '';

/** Asterisk's timestamp format: 2026-11-24T20:27:24.272+0000 (bursts share one millisecond). */
export function ariTimestamp(ms: number): string {
  const whole = Math.floor(ms);
  if (whole !== lastTsMs) {
    lastTsMs = whole;
    lastTs = `${new Date(whole).toISOString().slice(0, 23)}+0000`;
  }
  return lastTs;
}

export class PbxCore {
  readonly channels = new Map<string, SimChannel>();
  readonly bridges = new Map<string, SimBridge>();
  readonly playbacks = new Map<string, SimPlayback>();
  readonly phones = new Map<string, SimPhone>();
  readonly calls = new Map<string, CustomerCall>();
  counters: SimCounters = emptyCounters();
  scenario: CustomerScenario;
  /** Loaded module files (`codec_ulaw.so`); ARI's /asterisk/modules loads and unloads them. */
  readonly modules: Set<string>;
  /** Asterisk's WARNING lines the simulation produces (translation failures), newest last. */
  readonly warnings: string[] = [];
  readonly startedAtMs: number;
  private readonly sinks = new Set<EventSink>();
  private uniqueSeq = 0;
  private readonly serials = { local: 0, pjsip: 0, snoop: 0, playback: 0 };

  constructor(readonly opts: EngineOptions) {
    this.scenario = opts.scenario;
    this.startedAtMs = opts.scheduler.nowMs();
    this.modules = new Set(opts.modules);
  }

  now(): number {
    return this.opts.scheduler.nowMs();
  }

  onEvent(sink: EventSink): () => void {
    this.sinks.add(sink);
    return () => this.sinks.delete(sink);
  }

  warn(line: string): void {
    this.warnings.push(line);
    if (this.warnings.length > 200) this.warnings.splice(0, this.warnings.length - 200);
  }

  /** Asterisk's uniqueid: seconds since the epoch, a dot, a serial (`1764014844.12`). */
  uniqueId(): string {
    return `${Math.floor(this.now() / 1000)}.${this.uniqueSeq++}`;
  }

  /** The next serial of a kind of name (channel names per technology, playback ids). */
  serial(kind: 'local' | 'pjsip' | 'snoop' | 'playback'): number {
    return this.serials[kind]++;
  }

  // ---------------------------------------------------------------- events

  emit(type: string, fields: Record<string, unknown>, scope: EventScope): void {
    if (this.opts.omitEvents.has(type)) return;
    const ev: AriEventOut = {
      type,
      timestamp: ariTimestamp(this.now()),
      ...fields,
      asterisk_id: this.opts.asteriskId,
    };
    this.counters.eventsEmitted++;
    for (const sink of this.sinks) sink(ev, scope);
  }

  chanEvent(type: string, ch: SimChannel, extra: Record<string, unknown> = {}): void {
    this.emit(type, { ...extra, channel: ch.json() }, { channels: [ch] });
  }

  varset(ch: SimChannel, variable: string, value: string): void {
    ch.vars.set(variable, value);
    this.emit('ChannelVarset', { variable, value, channel: ch.json() }, { channels: [ch] });
  }

  setState(ch: SimChannel, state: string): void {
    if (ch.state === state) return;
    ch.state = state;
    ch.touch();
    this.chanEvent('ChannelStateChange', ch);
  }

  /** The channel executes a dialplan application (ChannelDialplan). */
  exec(ch: SimChannel, dp: Partial<DialplanJson> & { app_name: string; app_data: string }): void {
    ch.dialplan = { ...ch.dialplan, ...dp };
    ch.touch();
    this.chanEvent('ChannelDialplan', ch, {
      dialplan_app: dp.app_name,
      dialplan_app_data: dp.app_data,
    });
  }

  hangupRequest(ch: SimChannel, cause: number, soft = false): void {
    this.chanEvent('ChannelHangupRequest', ch, soft ? { cause, soft: true } : { cause });
  }

  dial(peer: SimChannel, dialstring: string, dialstatus: string): void {
    this.emit(
      'Dial',
      { dialstatus, forward: '', dialstring, peer: peer.json() },
      { channels: [peer] },
    );
  }

  // ---------------------------------------------------------------- channel basics

  /** Runs `fn` after `delayMs` unless the channel is gone or going by then. */
  after(ch: SimChannel, delayMs: number, fn: () => void): SimTimer {
    const t = this.opts.scheduler.after(delayMs, () => {
      if (!ch.destroyed && !ch.hangingUp) fn();
    });
    ch.timers.push(t);
    return t;
  }

  newChannel(
    id: string,
    name: string,
    role: ChannelRole,
    state: string,
    dp: Omit<DialplanJson, 'app_name' | 'app_data'>,
    apps: Iterable<string>,
  ): SimChannel {
    const ch = new SimChannel(
      id,
      name,
      role,
      state,
      { ...dp, app_name: '', app_data: '' },
      ariTimestamp(this.now()),
    );
    for (const a of apps) ch.apps.add(a);
    // Local channels carry G.711 (ulaw first); a snoop's audiohook is signed linear. A phone's
    // codec is set by the caller once negotiated.
    ch.codec = role === 'snoop' ? 'slin' : 'ulaw';
    this.channels.set(id, ch);
    this.counters.channelsCreated++;
    this.chanEvent('ChannelCreated', ch);
    return ch;
  }

  /**
   * The channel `id` if an app controls it (in Stasis and not hanging up), else ARI's answer
   * (404, 409). With `needsMedia`, a channel not yet answered or ringing also answers 412.
   */
  stasisChannel(id: string, needsMedia: boolean): SimChannel | AriReply {
    const ch = this.channels.get(id);
    if (!ch || ch.hangingUp) return msg(404, 'Channel not found');
    if (!ch.stasis) return msg(409, 'Channel not in Stasis application');
    if (needsMedia && (ch.state === 'Down' || ch.state === 'Rsrved' || ch.state === 'Ringing')) {
      return msg(412, 'Channel in invalid state');
    }
    return ch;
  }
}
