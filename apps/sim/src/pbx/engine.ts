/**
 * The simulated PBX's core: channels, bridges, playbacks and phones, and the ARI events Asterisk 22
 * sends for each change, in Asterisk's order (as recorded in ../shared/ari/traces). No I/O here:
 * the HTTP/WebSocket shell (server.ts) calls the `ari*` methods and forwards emitted events.
 */
import {
  planCustomer,
  planTalkingCustomer,
  TALKING_TALK_MS,
  type AmdStatus,
  type CustomerOutcome,
  type CustomerScenario,
} from './customers.js';
import {
  SimBridge,
  SimChannel,
  SimPhone,
  SimPlayback,
  type ChannelRole,
  type CustomerCall,
  type DialplanJson,
  type EndpointJson,
} from './model.js';
import type { SimScheduler, SimTimer } from './scheduler.js';
import {
  BROWSER_OFFER,
  DEFAULT_ALLOW,
  DESK_PHONE_OFFER,
  MODULE_CATALOGUE,
  applyAllow,
  canTranslate,
  moduleFile,
  negotiate,
  type Codec,
} from './codecs.js';

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

const CAUSE_TXT: Record<number, string> = {
  0: 'Unknown',
  1: 'Unallocated (unassigned) number',
  16: 'Normal Clearing',
  17: 'User busy',
  19: 'User alerting, no answer',
  21: 'Call Rejected',
  26: 'Answered elsewhere',
  28: 'Invalid number format (addr incomplete)',
  31: 'Normal, unspecified',
  34: 'Circuit/channel congestion',
  38: 'Network out of order',
  58: 'Bearer capability not available',
  127: 'Interworking, unspecified',
};

/** DELETE /channels/{id}?reason=... -> Q.850 cause, as Asterisk 22 maps them. */
const HANGUP_REASONS: Record<string, number> = {
  normal: 16,
  busy: 17,
  congestion: 34,
  no_answer: 19,
  timeout: 19,
  rejected: 21,
  unallocated: 1,
  normal_unspecified: 31,
  number_incomplete: 28,
  codec_mismatch: 58,
  interworking: 127,
  failure: 38,
  answered_elsewhere: 26,
};

/** ARI's softhangup flag for an explicit hangup request (AST_SOFTHANGUP_EXPLICIT). */
const SOFT_EXPLICIT = 32;

const HUMAN_GREETING = 'silence/1&hello-world&silence/2';
/** sim-customers-talking's greeting, then its talk: a 1400 Hz tone, 300 ms on, 200 ms off. */
const TALKING_GREETING = 'silence/1&hello&silence/2';
const TALKING_TONE = '1400/300,0/200';
const TALKING_TALK_S = TALKING_TALK_MS / 1000;
/** sim-agent-phones: the bot agent's "voice", a 440 Hz tone, and its Wait(36000). */
const AGENT_PHONE_TONE = '440/300,0/200';

/**
 * The dialplan contexts a `Local/<exten>@<context>` can be dialed into (deploy/asterisk/
 * extensions.conf), with the extensions each matches: `_X.` is two digits or more,
 * `_[a-z0-9].` two characters or more starting with a lower-case letter or digit. Any other
 * Local channel answers 500 "Allocation failed", as an unknown context does on Asterisk.
 */
const LOCAL_CONTEXTS: Record<string, RegExp> = {
  'sim-customers': /^.+$/,
  'sim-customers-talking': /^[0-9]{2,}$/,
  agents: /^.+$/,
  'sim-agent-phones': /^[a-z0-9].+$/,
};
const MACHINE_GREETING = 'vm-intro&vm-theperson&vm-isunavail&vm-intro';

const msg = (status: number, message: string): AriReply => ({ status, body: { message } });
const allocFailed: AriReply = { status: 500, body: { error: 'Allocation failed' } };

function emptyCounters(): SimCounters {
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

/** Parses a callerId like `"Ringside" <5550000000>` the way ast_callerid_parse does. */
export function parseCallerId(raw: string): { name: string; number: string } {
  const m = /^\s*(?:"([^"]*)"|([^<]*?))\s*<([^>]*)>\s*$/.exec(raw);
  if (m) return { name: (m[1] ?? m[2] ?? '').trim(), number: (m[3] ?? '').trim() };
  const s = raw.trim().replace(/^"|"$/g, '');
  return /^[0-9+*#()\-\s.]+$/.test(s)
    ? { name: '', number: s.replace(/[()\-\s.]/g, '') }
    : { name: s, number: '' };
}

export class SimEngine {
  readonly channels = new Map<string, SimChannel>();
  readonly bridges = new Map<string, SimBridge>();
  readonly playbacks = new Map<string, SimPlayback>();
  readonly phones = new Map<string, SimPhone>();
  readonly calls = new Map<string, CustomerCall>();
  /** Attempts per dialed number, so that each attempt has its own reproducible draw. */
  private readonly attempts = new Map<string, number>();
  counters: SimCounters = emptyCounters();
  scenario: CustomerScenario;
  private readonly sinks = new Set<EventSink>();
  private localSeq = 0;
  private snoopSeq = 0;
  private pjsipSeq = 0;
  private uniqueSeq = 0;
  private playbackSeq = 0;
  private readonly startedAtMs: number;
  /** Loaded module files (`codec_ulaw.so`); ARI's /asterisk/modules loads and unloads them. */
  readonly modules: Set<string>;
  /** Asterisk's WARNING lines the simulation produces (translation failures), newest last. */
  readonly warnings: string[] = [];

  constructor(private readonly opts: EngineOptions) {
    this.scenario = opts.scenario;
    this.startedAtMs = opts.scheduler.nowMs();
    this.modules = new Set(opts.modules);
    for (const spec of opts.endpoints) {
      const phone = this.defineEndpoint(spec.id, {
        allow: spec.allow ?? DEFAULT_ALLOW,
        offers: spec.offers ?? (spec.webrtc ? BROWSER_OFFER : DESK_PHONE_OFFER),
        context: spec.context,
      });
      phone.qualify = spec.qualify ?? false;
      phone.fixed = true;
      phone.registered = spec.registered ?? true;
    }
  }

  // ---------------------------------------------------------------- endpoints

  /**
   * Creates or updates a PJSIP endpoint (a new one is not registered). Existing channels keep
   * their codec; new calls negotiate with the new lists.
   */
  defineEndpoint(
    id: string,
    o: { allow?: ReadonlyArray<Codec>; offers?: ReadonlyArray<Codec>; context?: string },
  ): SimPhone {
    let phone = this.phones.get(id);
    if (!phone) {
      phone = new SimPhone(
        id,
        o.context ?? 'agents',
        o.allow ?? DEFAULT_ALLOW,
        o.offers ?? DESK_PHONE_OFFER,
      );
      this.phones.set(id, phone);
      return phone;
    }
    if (o.allow) phone.allow = [...o.allow];
    if (o.offers) phone.offers = [...o.offers];
    return phone;
  }

  /**
   * ARI's dynamic configuration wrote res_pjsip endpoint `id` (attributes as now stored): the
   * endpoint exists, with the codecs of its disallow/allow and, with webrtc=yes, a browser
   * behind it.
   */
  endpointConfigured(id: string, attributes: ReadonlyMap<string, string>): SimPhone {
    const allow = applyAllow([], attributes.get('disallow'), attributes.get('allow'));
    const webrtc = /^(yes|true|on|1)$/i.test(attributes.get('webrtc') ?? '');
    const phone = this.defineEndpoint(id, {
      allow: allow.length ? allow : DEFAULT_ALLOW,
      offers: webrtc ? BROWSER_OFFER : undefined,
      context: attributes.get('context'),
    });
    phone.dynamic = true;
    return phone;
  }

  /** ARI's dynamic configuration deleted endpoint `id`: gone unless it was given at start. */
  endpointDeleted(id: string): void {
    const phone = this.phones.get(id);
    if (!phone || phone.fixed) return;
    if (phone.registered) this.registerPhone(id, false);
    for (const ch of [...phone.channels]) this.phoneHangsUp(ch);
    this.phones.delete(id);
  }

  /** Each endpoint with its codecs and state (control API). */
  listEndpoints(): Array<Record<string, unknown>> {
    return [...this.phones.values()].map((p) => ({
      ...p.json(),
      allow: [...p.allow],
      offers: [...p.offers],
      negotiated: negotiate(p.allow, p.offers),
    }));
  }

  /** Channels with their negotiated codec and bridge (control API). */
  listChannels(): Array<Record<string, unknown>> {
    return [...this.channels.values()].map((c) => ({
      id: c.id,
      name: c.name,
      state: c.state,
      codec: c.codec,
      bridgeId: c.bridge?.id ?? null,
    }));
  }

  private warn(line: string): void {
    this.warnings.push(line);
    if (this.warnings.length > 200) this.warnings.splice(0, this.warnings.length - 200);
  }

  onEvent(sink: EventSink): () => void {
    this.sinks.add(sink);
    return () => this.sinks.delete(sink);
  }

  get startTimeMs(): number {
    return this.startedAtMs;
  }

  now(): number {
    return this.opts.scheduler.nowMs();
  }

  // ---------------------------------------------------------------- events

  private emit(type: string, fields: Record<string, unknown>, scope: EventScope): void {
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

  private chanEvent(type: string, ch: SimChannel, extra: Record<string, unknown> = {}): void {
    this.emit(type, { ...extra, channel: ch.json() }, { channels: [ch] });
  }

  private varset(ch: SimChannel, variable: string, value: string): void {
    ch.vars.set(variable, value);
    this.emit('ChannelVarset', { variable, value, channel: ch.json() }, { channels: [ch] });
  }

  private setState(ch: SimChannel, state: string): void {
    if (ch.state === state) return;
    ch.state = state;
    ch.touch();
    this.chanEvent('ChannelStateChange', ch);
  }

  /** The channel executes a dialplan application (ChannelDialplan). */
  private exec(ch: SimChannel, dp: Partial<DialplanJson> & { app_name: string; app_data: string }) {
    ch.dialplan = { ...ch.dialplan, ...dp };
    ch.touch();
    this.chanEvent('ChannelDialplan', ch, {
      dialplan_app: dp.app_name,
      dialplan_app_data: dp.app_data,
    });
  }

  private hangupRequest(ch: SimChannel, cause: number, soft = false): void {
    this.chanEvent('ChannelHangupRequest', ch, soft ? { cause, soft: true } : { cause });
  }

  private dial(peer: SimChannel, dialstring: string, dialstatus: string): void {
    this.emit(
      'Dial',
      { dialstatus, forward: '', dialstring, peer: peer.json() },
      { channels: [peer] },
    );
  }

  private uniqueId(): string {
    return `${Math.floor(this.now() / 1000)}.${this.uniqueSeq++}`;
  }

  private after(ch: SimChannel, delayMs: number, fn: () => void): SimTimer {
    const t = this.opts.scheduler.after(delayMs, () => {
      if (!ch.destroyed && !ch.hangingUp) fn();
    });
    ch.timers.push(t);
    return t;
  }

  private newChannel(
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

  private destroy(ch: SimChannel, cause: number): void {
    if (ch.destroyed) return;
    ch.destroyed = true;
    ch.hangingUp = true;
    for (const t of ch.timers) this.opts.scheduler.cancel(t);
    ch.timers.length = 0;
    for (const pb of [...ch.playbacks]) this.finishPlayback(pb);
    if (ch.bridge) this.leaveBridge(ch);
    // Asterisk shows the dial application again on a destroyed outgoing channel.
    ch.dialplan = ch.outgoing
      ? { ...ch.dialplan, app_name: 'AppDial2', app_data: '(Outgoing Line)' }
      : { ...ch.dialplan, app_name: '', app_data: '' };
    ch.touch();
    this.channels.delete(ch.id);
    this.counters.channelsDestroyed++;
    this.counters.hangupCauses[String(cause)] =
      (this.counters.hangupCauses[String(cause)] ?? 0) + 1;
    this.chanEvent('ChannelDestroyed', ch, { cause, cause_txt: CAUSE_TXT[cause] ?? 'Unknown' });
    if (ch.call && ch.call.one === ch) {
      ch.call.phase = 'ended';
      ch.call.endedAtMs = this.now();
      this.calls.delete(ch.call.id);
    }
    if (ch.phone) ch.phone.channels.delete(ch);
    if (ch.snoopTarget) ch.snoopTarget.snoops.delete(ch);
    // Snoop channels outlive their own hang-up until the channel they spy on goes.
    for (const snoop of [...ch.snoops]) {
      if (snoop.zombie) this.destroy(snoop, 16);
      else this.hangupSnoop(snoop, 16, false);
    }
  }

  // ---------------------------------------------------------------- Stasis

  private enterStasis(ch: SimChannel, app: string, args: string[], viaDialplan: boolean): boolean {
    ch.dialplan = {
      ...ch.dialplan,
      app_name: 'Stasis',
      app_data: [app, ...args].join(','),
    };
    ch.touch();
    if (!this.opts.isAppRegistered(app)) {
      // Stasis() of an app nobody registered fails; the dialplan ends and the channel hangs up.
      this.varset(ch, 'STASISSTATUS', 'FAILED');
      return false;
    }
    ch.apps.add(app);
    this.varset(ch, 'STASISSTATUS', '');
    ch.stasis = { app, args, viaDialplan };
    this.counters.stasisStarts++;
    this.chanEvent('StasisStart', ch, { args });
    if (ch.call && ch.call.one === ch) ch.call.phase = 'stasis';
    return true;
  }

  private leaveStasis(ch: SimChannel): void {
    if (!ch.stasis) return;
    if (ch.bridge) this.leaveBridge(ch);
    ch.stasis = null;
    this.chanEvent('StasisEnd', ch);
    this.varset(ch, 'STASISSTATUS', 'SUCCESS');
  }

  // ---------------------------------------------------------------- bridges

  private joinBridge(b: SimBridge, ch: SimChannel, inhibitConnectedLine: boolean): void {
    if (ch.bridge === b) return;
    if (ch.bridge) this.leaveBridge(ch);
    b.channels.push(ch);
    ch.bridge = b;
    if (ch.stasis) b.apps.add(ch.stasis.app);
    this.emit(
      'ChannelEnteredBridge',
      { bridge: b.json(), channel: ch.json() },
      { channels: [ch], bridge: b },
    );
    if (b.type !== 'mixing' || b.channels.length < 2) return;
    const stranger = b.channels.find(
      (o) => o !== ch && !canTranslate(ch.codec, o.codec, this.modules),
    );
    if (stranger) {
      // Asterisk 22.10.1 (traces/webrtc-opus-refused.jsonl): the bridge takes the newcomer in
      // (BRIDGEPEER on each member, BRIDGEPVTCALLID towards a PJSIP peer), logs `WARNING
      // channel.c: No path to translate from <newcomer> to <member>` and ejects the newcomer in
      // the same millisecond, leaving every BRIDGEPEER as it was; the members' connected line
      // then names the newcomer. It stays in its Stasis app, unbridged.
      this.updateBridgePeers(b, false);
      this.warn(`No path to translate from ${ch.name} to ${stranger.name}`);
      this.counters.codecEjections++;
      b.channels.splice(b.channels.indexOf(ch), 1);
      ch.bridge = null;
      this.emit(
        'ChannelLeftBridge',
        { bridge: b.json(), channel: ch.json() },
        { channels: [ch], bridge: b },
      );
      if (inhibitConnectedLine || b.channels.length !== 1) return;
      const member = b.channels[0] as SimChannel;
      if (
        member.connected.name !== ch.caller.name ||
        member.connected.number !== ch.caller.number
      ) {
        member.connected = { ...ch.caller };
        member.touch();
        this.chanEvent('ChannelConnectedLine', member);
      }
      return;
    }
    this.updateBridgePeers(b, false);
    if (inhibitConnectedLine || b.channels.length !== 2) return;
    const [a, c] = b.channels as [SimChannel, SimChannel];
    // The newcomer's connected line first, then the one already there (as in the traces).
    for (const [self, other] of [
      [c, a],
      [a, c],
    ] as const) {
      if (
        self.connected.name !== other.caller.name ||
        self.connected.number !== other.caller.number
      ) {
        self.connected = { ...other.caller };
        self.touch();
        this.chanEvent('ChannelConnectedLine', self);
      }
    }
  }

  /** BRIDGEPEER (and BRIDGEPVTCALLID towards a PJSIP peer) of every member, when it changes. */
  private updateBridgePeers(b: SimBridge, force: boolean): void {
    if (b.type !== 'mixing') return;
    for (const ch of b.channels) {
      const others = b.channels.filter((o) => o !== ch);
      const value = others.map((o) => o.name).join(',');
      if (force || ch.vars.get('BRIDGEPEER') !== value) this.varset(ch, 'BRIDGEPEER', value);
      const pjsipPeer = others.length === 1 && others[0]?.role === 'phone' ? others[0] : null;
      if (pjsipPeer && !force) this.varset(ch, 'BRIDGEPVTCALLID', pjsipPeer.protocolId);
    }
  }

  private leaveBridge(ch: SimChannel): void {
    const b = ch.bridge;
    if (!b) return;
    const i = b.channels.indexOf(ch);
    if (i >= 0) b.channels.splice(i, 1);
    ch.bridge = null;
    if (ch.vars.get('BRIDGEPEER')) this.varset(ch, 'BRIDGEPEER', '');
    if (ch.vars.get('BRIDGEPVTCALLID')) this.varset(ch, 'BRIDGEPVTCALLID', '');
    this.emit(
      'ChannelLeftBridge',
      { bridge: b.json(), channel: ch.json() },
      { channels: [ch], bridge: b },
    );
  }

  // ---------------------------------------------------------------- playbacks

  private soundMs(uri: string): number {
    const [scheme, rest = ''] = uri.includes(':') ? uri.split(/:(.*)/s, 2) : ['sound', uri];
    if (scheme === 'silence' || rest.startsWith('silence/')) {
      const secs = Number(rest.replace(/^silence\//, ''));
      if (Number.isFinite(secs)) return secs * 1000;
    }
    if (scheme === 'tone') return Number.POSITIVE_INFINITY;
    return this.opts.soundDurationsMs[rest] ?? this.opts.defaultSoundMs;
  }

  private startPlayback(pb: SimPlayback): void {
    pb.state = 'playing';
    this.emit('PlaybackStarted', { playback: pb.json() }, this.playbackScope(pb));
    this.schedulePlaybackItem(pb);
  }

  private schedulePlaybackItem(pb: SimPlayback): void {
    const ms = this.soundMs(pb.media[pb.index] ?? '');
    if (!Number.isFinite(ms)) return;
    pb.timer = this.opts.scheduler.after(ms, () => {
      pb.timer = null;
      if (pb.index + 1 < pb.media.length) {
        pb.index++;
        pb.state = 'continuing';
        this.emit('PlaybackContinuing', { playback: pb.json() }, this.playbackScope(pb));
        pb.state = 'playing';
        this.schedulePlaybackItem(pb);
      } else {
        this.finishPlayback(pb);
      }
    });
  }

  private finishPlayback(pb: SimPlayback): void {
    if (pb.state === 'done' || pb.state === 'failed') return;
    this.opts.scheduler.cancel(pb.timer);
    pb.timer = null;
    pb.state = 'done';
    this.playbacks.delete(pb.id);
    pb.target.playbacks.delete(pb);
    this.emit('PlaybackFinished', { playback: pb.json() }, this.playbackScope(pb));
  }

  private playbackScope(pb: SimPlayback): EventScope {
    return pb.target instanceof SimChannel ? { channels: [pb.target] } : { bridge: pb.target };
  }

  // ---------------------------------------------------------------- customers

  private startCustomerDialplan(call: CustomerCall): void {
    const two = call.two;
    if (call.script === 'talking') {
      // sim-customers-talking: NoOp, Ringing(), Wait(1), then the answer (webrtc-opus-refused).
      const dialstring = `${call.number}@sim-customers-talking`;
      this.exec(two, {
        priority: 1,
        app_name: 'NoOp',
        app_data: `talking sim customer ${call.number}`,
      });
      this.exec(two, { priority: 2, app_name: 'Ringing', app_data: '' });
      this.setState(call.one, 'Ringing');
      this.dial(call.one, dialstring, 'RINGING');
      this.exec(two, { priority: 3, app_name: 'Wait', app_data: String(call.plan.ringMs / 1000) });
      this.after(two, call.plan.ringMs, () => this.customerAnswers(call));
      return;
    }
    const { outcome, ringMs } = call.plan;
    const digit = call.number.slice(-1) || '0';
    this.exec(two, { priority: 1, app_name: 'NoOp', app_data: `sim customer ${call.number}` });
    this.exec(two, { priority: 2, app_name: 'Set', app_data: `D=${digit}` });
    this.varset(two, 'D', digit);
    const branches: Array<[CustomerOutcome, string]> = [
      ['human', 'human'],
      ['machine', 'machine'],
      ['noanswer', 'noanswer'],
      ['busy', 'busy'],
    ];
    let prio = 3;
    for (const [o, label] of branches) {
      this.exec(two, {
        priority: prio,
        app_name: 'GotoIf',
        app_data: `${o === outcome ? 1 : 0}?${label}`,
      });
      prio++;
      if (o === outcome) break;
    }
    const dialstring = `${call.number}@sim-customers`;
    if (outcome === 'busy' || outcome === 'congestion') {
      const busy = outcome === 'busy';
      this.exec(two, {
        priority: busy ? 24 : 7,
        app_name: busy ? 'Busy' : 'Congestion',
        app_data: '5',
      });
      this.setState(two, 'Busy');
      this.dial(call.one, dialstring, busy ? 'BUSY' : 'CONGESTION');
      this.hangupRequest(two, 0);
      this.destroy(call.one, 0);
      this.hangupRequest(two, 16, true);
      this.destroy(two, busy ? 17 : 34);
      return;
    }
    const ringPrio = outcome === 'human' ? 9 : outcome === 'machine' ? 15 : 21;
    this.exec(two, { priority: ringPrio, app_name: 'Ringing', app_data: '' });
    this.setState(call.one, 'Ringing');
    const waitSecs = outcome === 'noanswer' ? 60 : ringMs / 1000;
    this.exec(two, { priority: ringPrio + 1, app_name: 'Wait', app_data: String(waitSecs) });
    this.dial(call.one, dialstring, 'RINGING');
    if (outcome !== 'noanswer') this.after(two, ringMs, () => this.customerAnswers(call));
    // Wait(60) runs out without an originate timeout (timeout=-1): the script hangs up.
    else this.after(two, 60_000, () => this.customerHangsUp(call, false));
  }

  private customerAnswers(call: CustomerCall): void {
    const { one, two, plan } = call;
    const human = plan.outcome === 'human';
    const talking = call.script === 'talking';
    const base = talking ? 4 : human ? 11 : 17;
    call.answeredAtMs = this.now();
    call.phase = 'answered';
    this.exec(two, { priority: base, app_name: 'Answer', app_data: '' });
    this.setState(two, 'Up');
    this.setState(one, 'Up');
    this.dial(one, `${call.number}@${two.dialplan.context}`, 'ANSWER');
    this.clearRingTimeout(one);

    // The customer's side of the conversation (the sim-customers dialplan).
    const greetStart = Math.min(500, plan.hangupMs);
    if (plan.hangupMs > greetStart) {
      this.after(two, greetStart, () =>
        this.exec(two, {
          priority: base + 1,
          app_name: 'Playback',
          app_data: talking ? TALKING_GREETING : human ? HUMAN_GREETING : MACHINE_GREETING,
        }),
      );
    }
    if (plan.hangupMs > plan.greetingMs && plan.greetingMs > greetStart) {
      this.after(two, plan.greetingMs, () => {
        this.varset(two, 'PLAYBACKSTATUS', 'SUCCESS');
        if (talking) {
          // PlayTones starts the tone and returns; Wait(300) is the talk.
          this.exec(two, { priority: 6, app_name: 'PlayTones', app_data: TALKING_TONE });
          this.exec(two, { priority: 7, app_name: 'Wait', app_data: String(TALKING_TALK_S) });
          return;
        }
        const restSecs = Math.max(0, Math.round((plan.hangupMs - plan.greetingMs) / 1000));
        this.exec(
          two,
          human
            ? { priority: base + 2, app_name: 'Playback', app_data: `silence/${restSecs}` }
            : { priority: base + 2, app_name: 'Wait', app_data: String(restSecs) },
        );
      });
    }
    this.after(two, plan.hangupMs, () => this.customerHangsUp(call, true));

    // The dialer's side: AMD in dialer-outbound, or straight into the app.
    if (call.after.kind === 'amd') {
      call.phase = 'amd';
      this.exec(one, {
        context: 'dialer-outbound',
        exten: 's',
        priority: 1,
        app_name: 'NoOp',
        app_data: 'dialer outbound',
      });
      this.exec(one, { priority: 2, app_name: 'AMD', app_data: '' });
      if (plan.amdDecisionMs < plan.hangupMs) {
        this.after(one, plan.amdDecisionMs, () => this.amdVerdict(call));
      }
    } else if (call.after.kind === 'app') {
      if (!this.enterStasis(one, call.after.app, call.after.args, false)) {
        this.dialplanEnds(call);
      }
    } else {
      this.dialplanEnds(call);
    }
  }

  private amdVerdict(call: CustomerCall): void {
    const { one, plan } = call;
    const app = this.opts.dialplanApp;
    this.counters.amdVerdicts[plan.amdStatus]++;
    this.varset(one, 'AMDSTATUS', plan.amdStatus);
    this.varset(one, 'AMDCAUSE', plan.amdCause);
    const args = ['amd', plan.amdStatus, plan.amdCause];
    this.exec(one, { priority: 3, app_name: 'Stasis', app_data: [app, ...args].join(',') });
    if (!this.enterStasis(one, app, args, true)) this.dialplanEnds(call);
  }

  /** The ;1 dialplan ran out (no app, or Stasis failed): it hangs up, then the ;2 half. */
  private dialplanEnds(call: CustomerCall): void {
    const { one, two } = call;
    one.hangingUp = true;
    this.hangupRequest(one, 16, true);
    this.hangupRequest(two, 16);
    this.destroy(one, 16);
    two.hangingUp = true;
    this.hangupRequest(two, 16, true);
    this.destroy(two, 16);
  }

  /** The customer hangs up (end of the script, or the control API's "hang up now"). */
  customerHangsUp(call: CustomerCall, natural: boolean): void {
    const { one, two, plan } = call;
    if (two.hangingUp || two.destroyed) return;
    const human = plan.outcome === 'human';
    const talking = call.script === 'talking';
    // The reference script's last step is a Playback; the talking one's a Wait.
    if (natural && !talking && plan.hangupMs > plan.greetingMs) {
      this.varset(two, 'PLAYBACKSTATUS', 'SUCCESS');
    }
    const hangupPrio = talking ? 8 : human ? 14 : plan.outcome === 'machine' ? 20 : 23;
    this.exec(two, { priority: hangupPrio, app_name: 'Hangup', app_data: '' });
    two.hangingUp = true;
    this.hangupRequest(two, 16, true);
    if (!one.destroyed && !one.hangingUp) {
      one.hangingUp = true;
      this.hangupRequest(one, 16);
    }
    this.destroy(two, 16);
    if (!one.destroyed) {
      const via = one.stasis?.viaDialplan ?? false;
      this.leaveStasis(one);
      if (via) this.hangupRequest(one, 16, true);
      this.destroy(one, 16);
    }
  }

  private armRingTimeout(one: SimChannel, timeoutMs: number, onTimeout: () => void): void {
    if (timeoutMs > 0) one.ringTimer = this.after(one, timeoutMs, onTimeout);
  }

  private clearRingTimeout(one: SimChannel): void {
    this.opts.scheduler.cancel(one.ringTimer);
    one.ringTimer = null;
  }

  /** The originate timeout ran out while ringing: cause 19 on both halves, dialstatus stays. */
  private noAnswer(call: CustomerCall): void {
    const { one, two } = call;
    if (one.state === 'Up') return;
    two.hangingUp = true;
    one.hangingUp = true;
    this.hangupRequest(two, 19);
    this.destroy(one, 19);
    this.hangupRequest(two, 16, true);
    this.destroy(two, 19);
  }

  // ---------------------------------------------------------------- REST: channels

  ariListChannels(): AriReply {
    return { status: 200, body: [...this.channels.values()].map((c) => c.json()) };
  }

  ariGetChannel(id: string): AriReply {
    const ch = this.channels.get(id);
    return ch ? { status: 200, body: ch.json() } : msg(404, 'Channel not found');
  }

  ariOriginate(p: Params, variables: Record<string, string> | undefined): AriReply {
    const r = this.originate(p, variables);
    if (r.status === 200) this.counters.originations++;
    else this.counters.originateErrors++;
    return r;
  }

  private originate(p: Params, variables: Record<string, string> | undefined): AriReply {
    const endpoint = p.endpoint ?? '';
    if (!endpoint) return msg(400, 'Endpoint must be specified');
    if (p.originator && p.formats) {
      return msg(400, "Originator and formats can't both be specified");
    }
    const slash = endpoint.indexOf('/');
    const tech = slash > 0 ? endpoint.slice(0, slash) : '';
    const resource = slash > 0 ? endpoint.slice(slash + 1) : '';
    if (!tech || !resource) return msg(400, 'Invalid endpoint specified');
    const app = p.app ?? '';
    const appArgs = p.appArgs ? p.appArgs.split(',') : [];
    if (!app && !p.extension) return msg(400, 'Application or extension must be specified');
    for (const id of [p.channelId, p.otherChannelId]) {
      if (id && this.channels.has(id)) {
        return msg(409, 'Channel with given unique ID already exists');
      }
    }
    const timeoutSecs = p.timeout === undefined || p.timeout === '' ? 30 : Number(p.timeout);
    const timeoutMs = timeoutSecs === -1 ? 0 : timeoutSecs > 0 ? timeoutSecs * 1000 : 30_000;
    const cid = p.callerId ? parseCallerId(p.callerId) : null;
    const apps = app ? [app] : [];

    if (tech.toLowerCase() === 'local') {
      const at = resource.indexOf('@');
      const exten = at >= 0 ? resource.slice(0, at) : resource;
      const context = at >= 0 ? (resource.slice(at + 1).split('/')[0] ?? '') : 'default';
      const extens = Object.hasOwn(LOCAL_CONTEXTS, context) ? LOCAL_CONTEXTS[context] : undefined;
      if (!extens?.test(exten)) return allocFailed;
      return this.originateLocal({
        exten,
        context,
        id: p.channelId || this.uniqueId(),
        otherId: p.otherChannelId || this.uniqueId(),
        app,
        appArgs,
        dialContext: p.context || 'default',
        extension: p.extension ?? '',
        cid,
        variables,
        timeoutMs,
        apps,
      });
    }
    if (tech.toUpperCase() === 'PJSIP') {
      // PJSIP/<endpoint> (PJSIP/<endpoint>/<uri> dials a given contact of the endpoint).
      const name = resource.split('/')[0] ?? '';
      let phone = this.phones.get(name);
      if (!phone && this.opts.anyEndpoint && /^[A-Za-z0-9_.-]+$/.test(name)) {
        phone = this.defineEndpoint(name, {});
        phone.registered = true;
      }
      // An unknown endpoint, or one with no contact (not registered): chan_pjsip creates no
      // channel and ARI answers 500 "Allocation failed".
      if (!phone || !phone.registered) return allocFailed;
      return this.originatePhone(phone, {
        id: p.channelId || this.uniqueId(),
        app,
        appArgs,
        cid,
        variables,
        timeoutMs,
        apps,
      });
    }
    return allocFailed;
  }

  private originateLocal(o: {
    exten: string;
    context: string;
    id: string;
    otherId: string;
    app: string;
    appArgs: string[];
    dialContext: string;
    extension: string;
    cid: { name: string; number: string } | null;
    variables: Record<string, string> | undefined;
    timeoutMs: number;
    apps: string[];
  }): AriReply {
    const n = (this.localSeq++).toString(16).padStart(8, '0');
    const base = `Local/${o.exten}@${o.context}-${n}`;
    const role: ChannelRole =
      o.context === 'agents' || o.context === 'sim-agent-phones' ? 'agent-local' : 'customer';
    const dp = { context: o.context, exten: o.exten, priority: 1 };
    const one = this.newChannel(o.id, `${base};1`, role, 'Down', dp, o.apps);
    const two = this.newChannel(o.otherId, `${base};2`, role, 'Ring', dp, o.apps);
    one.half = 1;
    two.half = 2;
    one.peer = two;
    two.peer = one;
    one.outgoing = true;
    this.exec(one, { app_name: 'AppDial2', app_data: '(Outgoing Line)' });
    if (o.cid && (o.cid.name || o.cid.number)) {
      one.caller = { ...o.cid };
      one.touch();
      this.chanEvent('ChannelCallerId', one, {
        caller_presentation: 0,
        caller_presentation_txt: 'Presentation Allowed, Not Screened',
      });
      one.connected = { ...o.cid };
      one.touch();
      this.chanEvent('ChannelConnectedLine', one);
      two.caller = { ...o.cid };
      two.connected = { ...o.cid };
      two.touch();
      this.chanEvent('ChannelCallerId', two, {
        caller_presentation: 0,
        caller_presentation_txt: 'Presentation Allowed, Not Screened',
      });
      this.chanEvent('ChannelConnectedLine', two);
    }
    for (const [k, v] of Object.entries(o.variables ?? {})) this.varset(one, k, v);
    const reply: AriReply = { status: 200, body: one.json() };
    this.dial(one, `${o.exten}@${o.context}`, '');

    if (role === 'agent-local') {
      // The agents context: Answer(), Wait(3600); sim-agent-phones: NoOp, Answer(), PlayTones,
      // Wait(36000). The leg stays up until hung up (the simulator never runs the Wait out).
      const botPhone = o.context === 'sim-agent-phones';
      if (botPhone) {
        this.exec(two, { app_name: 'NoOp', app_data: `sim agent phone ${o.exten}` });
      }
      this.exec(two, { priority: botPhone ? 2 : 1, app_name: 'Answer', app_data: '' });
      this.setState(two, 'Up');
      this.setState(one, 'Up');
      this.dial(one, `${o.exten}@${o.context}`, 'ANSWER');
      // Answer() of a ringing channel waits 500 ms for media before the next step (traces).
      this.after(two, 500, () => {
        if (!botPhone) {
          this.exec(two, { priority: 2, app_name: 'Wait', app_data: '3600' });
          return;
        }
        this.exec(two, { priority: 3, app_name: 'PlayTones', app_data: AGENT_PHONE_TONE });
        this.exec(two, { priority: 4, app_name: 'Wait', app_data: '36000' });
      });
      if (o.app) {
        if (!this.enterStasis(one, o.app, o.appArgs, false)) this.localEnds(one, two);
      } else {
        this.localEnds(one, two);
      }
      return reply;
    }

    const attempt = this.attempts.get(o.exten) ?? 0;
    this.attempts.set(o.exten, attempt + 1);
    const talking = o.context === 'sim-customers-talking';
    const plan = talking
      ? planTalkingCustomer(
          500 + TALKING_GREETING.split('&').reduce((sum, m) => sum + this.soundMs(m), 0),
        )
      : planCustomer(this.scenario, o.exten, attempt);
    this.counters.outcomes[plan.outcome]++;
    const call: CustomerCall = {
      id: one.id,
      number: o.exten,
      plan,
      one,
      two,
      startedAtMs: this.now(),
      answeredAtMs: null,
      endedAtMs: null,
      phase: 'ringing',
      after: o.app
        ? { kind: 'app', app: o.app, args: o.appArgs }
        : o.dialContext === 'dialer-outbound'
          ? { kind: 'amd' }
          : { kind: 'none' },
      script: talking ? 'talking' : 'reference',
    };
    one.call = call;
    two.call = call;
    this.calls.set(call.id, call);
    this.armRingTimeout(one, o.timeoutMs, () => this.noAnswer(call));
    this.startCustomerDialplan(call);
    return reply;
  }

  /** A Local pair whose ;1 has nowhere to go: both halves hang up normally. */
  private localEnds(one: SimChannel, two: SimChannel): void {
    one.hangingUp = true;
    two.hangingUp = true;
    this.hangupRequest(one, 16, true);
    this.hangupRequest(two, 16);
    this.destroy(one, 16);
    this.hangupRequest(two, 16, true);
    this.destroy(two, 16);
  }

  private originatePhone(
    phone: SimPhone,
    o: {
      id: string;
      app: string;
      appArgs: string[];
      cid: { name: string; number: string } | null;
      variables: Record<string, string> | undefined;
      timeoutMs: number;
      apps: string[];
    },
  ): AriReply {
    const n = (this.pjsipSeq++).toString(16).padStart(8, '0');
    const ch = this.newChannel(
      o.id,
      `PJSIP/${phone.endpoint}-${n}`,
      'phone',
      'Down',
      { context: phone.context, exten: 's', priority: 1 },
      o.apps,
    );
    ch.outgoing = true;
    ch.phone = phone;
    ch.protocolId = `sim-${ch.id}`;
    const codec = negotiate(phone.allow, phone.offers);
    if (codec) ch.codec = codec;
    phone.channels.add(ch);
    this.exec(ch, { app_name: 'AppDial2', app_data: '(Outgoing Line)' });
    if (o.cid && (o.cid.name || o.cid.number)) {
      ch.caller = { ...o.cid };
      ch.connected = { ...o.cid };
      ch.touch();
      this.chanEvent('ChannelCallerId', ch, {
        caller_presentation: 0,
        caller_presentation_txt: 'Presentation Allowed, Not Screened',
      });
      this.chanEvent('ChannelConnectedLine', ch);
    }
    for (const [k, v] of Object.entries(o.variables ?? {})) this.varset(ch, k, v);
    const reply: AriReply = { status: 200, body: ch.json() };
    const dialstring = phone.endpoint;
    this.dial(ch, dialstring, '');
    this.setState(ch, 'Ringing');
    this.dial(ch, dialstring, 'RINGING');
    if (!codec) {
      // The phone shares no codec with the endpoint's allow list: it refuses the INVITE (488
      // Not Acceptable Here), which Asterisk maps to cause 58.
      this.after(ch, this.opts.phoneAnswerMs, () => {
        ch.hangingUp = true;
        this.dial(ch, dialstring, 'CHANUNAVAIL');
        this.hangupRequest(ch, 58);
        this.destroy(ch, 58);
      });
      return reply;
    }
    // The simulated phone auto-answers (the web panel's softphone is the phone in production).
    this.after(ch, this.opts.phoneAnswerMs, () => {
      this.setState(ch, 'Up');
      this.dial(ch, dialstring, 'ANSWER');
      const ok = o.app ? this.enterStasis(ch, o.app, o.appArgs, false) : false;
      if (!ok) {
        ch.hangingUp = true;
        this.hangupRequest(ch, 16, true);
        this.destroy(ch, 16);
      }
    });
    return reply;
  }

  ariHangup(id: string, p: Params): AriReply {
    const ch = this.channels.get(id);
    if (!ch) return msg(404, 'Channel not found');
    let cause: number;
    if (p.reason_code) {
      cause = Number(p.reason_code);
      if (!Number.isInteger(cause)) return msg(400, 'Invalid reason for hangup provided');
    } else if (!p.reason) {
      cause = 16;
    } else {
      const c = HANGUP_REASONS[p.reason];
      if (c === undefined) return msg(400, 'Invalid reason for hangup provided');
      cause = c;
    }
    this.hangupChannel(ch, cause);
    return { status: 204 };
  }

  /** ARI hang-up (softhangup explicit) and everything that follows from it. */
  private hangupChannel(ch: SimChannel, cause: number): void {
    if (ch.hangingUp || ch.destroyed) return;
    ch.hangingUp = true;
    this.hangupRequest(ch, SOFT_EXPLICIT, true);
    const wasBridged = ch.bridge !== null;
    const via = ch.stasis?.viaDialplan ?? false;
    this.leaveStasis(ch);
    if (via) this.hangupRequest(ch, 16, true);
    if (ch.role === 'snoop') {
      ch.zombie = true;
      if (ch.snoopTarget?.destroyed !== false) this.destroy(ch, cause);
      return;
    }
    const peer = ch.peer;
    if (!peer || peer.destroyed) {
      this.destroy(ch, cause);
      return;
    }
    if (ch.half === 1 && ch.state !== 'Up') {
      // Cancelled while still ringing.
      this.dial(ch, `${ch.dialplan.exten}@${ch.dialplan.context}`, 'CANCEL');
    }
    peer.hangingUp = true;
    const peerVia = peer.stasis?.viaDialplan ?? false;
    this.hangupRequest(peer, 16);
    this.leaveStasis(peer);
    if (peerVia) this.hangupRequest(peer, 16, true);
    const peerInPlayback = peer.dialplan.app_name === 'Playback';
    const tearPeer = () => {
      if (peerInPlayback) this.varset(peer, 'PLAYBACKSTATUS', 'SUCCESS');
      this.hangupRequest(peer, 16, true);
      this.destroy(peer, cause);
    };
    // A bridged customer's far half goes first; otherwise the hung-up half does (traces).
    if (ch.role === 'customer' && wasBridged) {
      tearPeer();
      this.destroy(ch, cause);
    } else {
      this.destroy(ch, cause);
      tearPeer();
    }
  }

  private hangupSnoop(snoop: SimChannel, cause: number, explicit: boolean): void {
    if (snoop.hangingUp || snoop.destroyed) return;
    snoop.hangingUp = true;
    this.hangupRequest(snoop, explicit ? SOFT_EXPLICIT : cause, explicit);
    this.leaveStasis(snoop);
    this.destroy(snoop, cause);
  }

  private stasisControl(id: string): { ch?: SimChannel; err?: AriReply } {
    const ch = this.channels.get(id);
    if (!ch || ch.hangingUp) return { err: msg(404, 'Channel not found') };
    if (!ch.stasis) return { err: msg(409, 'Channel not in Stasis application') };
    return { ch };
  }

  private stateOk(ch: SimChannel): AriReply | null {
    return ch.state === 'Down' || ch.state === 'Rsrved' || ch.state === 'Ringing'
      ? msg(412, 'Channel in invalid state')
      : null;
  }

  /** answer, ring, ringStop, hold, unhold, mute, unmute, dtmf, moh, silence: Stasis + state checks. */
  ariChannelAction(id: string, action: string, p: Params): AriReply {
    const { ch, err } = this.stasisControl(id);
    if (!ch) return err ?? msg(404, 'Channel not found');
    const bad = this.stateOk(ch);
    if (bad) return bad;
    switch (action) {
      case 'answer':
        if (ch.state !== 'Up') this.setState(ch, 'Up');
        break;
      // hold/unhold only indicate towards the device: Asterisk sends no ChannelHold for an
      // application-initiated hold (ChannelHold reports a hold received from the far end).
      case 'mute':
      case 'unmute': {
        const dir = p.direction ?? 'both';
        if (!['in', 'out', 'both'].includes(dir)) return msg(400, 'Invalid direction specified');
        break;
      }
      case 'dtmf':
        if (!p.dtmf) return msg(400, 'DTMF is required');
        break;
      default:
        break;
    }
    return { status: 204 };
  }

  ariContinue(id: string, p: Params): AriReply {
    const { ch, err } = this.stasisControl(id);
    if (!ch) return err ?? msg(404, 'Channel not found');
    const bad = this.stateOk(ch);
    if (bad) return bad;
    const context = p.context || ch.dialplan.context;
    const exten = p.extension || (p.context ? 's' : ch.dialplan.exten);
    const priority = p.priority
      ? Number(p.priority)
      : !p.context && !p.extension
        ? ch.dialplan.priority + 1
        : 1;
    this.leaveStasis(ch);
    // The simulated dialplan has nothing there: the channel runs off the end and hangs up.
    this.exec(ch, { context, exten, priority, app_name: '', app_data: '' });
    const call = ch.call;
    if (call && ch === call.one) {
      this.dialplanEnds(call);
    } else {
      ch.hangingUp = true;
      this.hangupRequest(ch, 16, true);
      const peer = ch.peer;
      this.destroy(ch, 16);
      if (peer && !peer.destroyed) {
        peer.hangingUp = true;
        this.hangupRequest(peer, 16, true);
        this.destroy(peer, 16);
      }
    }
    return { status: 204 };
  }

  ariGetVar(id: string, p: Params): AriReply {
    const variable = p.variable ?? '';
    if (!variable) return msg(400, 'Variable name is required');
    const ch = this.channels.get(id);
    if (!ch) return msg(404, 'Provided channel was not found');
    if (variable.endsWith(')')) {
      const fn = this.readFunction(ch, variable);
      if (fn === null) return msg(500, 'Unable to read provided function');
      return { status: 200, body: { value: fn } };
    }
    const value = ch.vars.get(variable);
    if (value === undefined) return msg(404, 'Provided variable was not found');
    return { status: 200, body: { value } };
  }

  private readFunction(ch: SimChannel, expr: string): string | null {
    const m = /^([A-Z_]+)\(([^)]*)\)$/i.exec(expr);
    if (!m) return null;
    const fn = (m[1] ?? '').toUpperCase();
    const arg = (m[2] ?? '').toLowerCase();
    if (fn === 'CALLERID') {
      if (arg === 'num' || arg === 'number') return ch.caller.number;
      if (arg === 'name') return ch.caller.name;
      if (arg === 'all') return `"${ch.caller.name}" <${ch.caller.number}>`;
    }
    if (fn === 'CHANNEL') {
      if (arg === 'name') return ch.name;
      if (arg === 'uniqueid') return ch.id;
      if (arg === 'state') return ch.state;
      if (arg === 'endpoint' && ch.phone) return ch.phone.endpoint;
      if (arg === 'audionativeformat') return `(${ch.codec})`;
      if (arg === 'audioreadformat' || arg === 'audiowriteformat') return ch.codec;
    }
    return null;
  }

  ariSetVar(id: string, p: Params): AriReply {
    const variable = p.variable ?? '';
    if (!variable) return msg(400, 'Variable name is required');
    const { ch, err } = this.stasisControl(id);
    if (!ch) return err ?? msg(404, 'Channel not found');
    this.varset(ch, variable, p.value ?? '');
    return { status: 204 };
  }

  ariPlay(
    targetKind: 'channel' | 'bridge',
    targetId: string,
    media: string[],
    p: Params,
    pathPlaybackId?: string,
  ): AriReply {
    let target: SimChannel | SimBridge;
    if (targetKind === 'channel') {
      const { ch, err } = this.stasisControl(targetId);
      if (!ch) return err ?? msg(404, 'Channel not found');
      const bad = this.stateOk(ch);
      if (bad) return bad;
      target = ch;
    } else {
      const b = this.bridges.get(targetId);
      if (!b) return msg(404, 'Bridge not found');
      target = b;
    }
    if (media.length === 0) return msg(400, 'media: missing required parameter');
    if (Number(p.skipms ?? 0) < 0) return msg(400, 'skipms cannot be negative');
    if (Number(p.offsetms ?? 0) < 0) return msg(400, 'offsetms cannot be negative');
    const id = pathPlaybackId || p.playbackId || `${this.uniqueId()}-pb${this.playbackSeq++}`;
    if (this.playbacks.has(id)) return allocFailed;
    const pb = new SimPlayback(id, media, `${targetKind}:${targetId}`, p.lang || 'en', target);
    this.playbacks.set(id, pb);
    target.playbacks.add(pb);
    this.counters.playbacks++;
    const reply: AriReply = {
      status: 201,
      body: pb.json(),
      headers: { Location: `/playbacks/${id}` },
    };
    this.startPlayback(pb);
    return reply;
  }

  ariSnoop(id: string, p: Params, pathSnoopId?: string): AriReply {
    const dirs = ['none', 'both', 'out', 'in'];
    const spy = p.spy || 'none';
    const whisper = p.whisper || 'none';
    if (!dirs.includes(spy)) return msg(400, 'Invalid direction specified for spy');
    if (!dirs.includes(whisper)) return msg(400, 'Invalid direction specified for whisper');
    if (spy === 'none' && whisper === 'none') {
      return msg(400, 'Direction must be specified for at least spy or whisper');
    }
    if (!p.app) return msg(400, 'Application name is required');
    const target = this.channels.get(id);
    if (!target || target.hangingUp) return msg(404, 'Provided channel was not found');
    const snoopId = pathSnoopId || p.snoopId || this.uniqueId();
    if (this.channels.has(snoopId)) return msg(500, 'Snoop channel could not be created');
    const n = (this.snoopSeq++).toString(16).padStart(8, '0');
    const snoop = this.newChannel(
      snoopId,
      `Snoop/${target.id}-${n}`,
      'snoop',
      'Up',
      { context: 'default', exten: 's', priority: 1 },
      [p.app],
    );
    snoop.snoopTarget = target;
    target.snoops.add(snoop);
    const reply: AriReply = { status: 200, body: snoop.json() };
    // Attaching the audiohook makes the bridge re-evaluate its peers (seen in the traces).
    if (target.bridge) this.updateBridgePeers(target.bridge, true);
    const args = p.appArgs ? p.appArgs.split(',') : [];
    this.exec(snoop, { app_name: 'Stasis', app_data: [p.app, ...args].join(',') });
    if (!this.enterStasis(snoop, p.app, args, false)) this.hangupSnoop(snoop, 16, false);
    return reply;
  }

  // ---------------------------------------------------------------- REST: bridges

  ariListBridges(): AriReply {
    return { status: 200, body: [...this.bridges.values()].map((b) => b.json()) };
  }

  ariGetBridge(id: string): AriReply {
    const b = this.bridges.get(id);
    return b ? { status: 200, body: b.json() } : msg(404, 'Bridge not found');
  }

  ariCreateBridge(p: Params, pathId?: string): AriReply {
    const id = pathId || p.bridgeId || `${this.uniqueId()}-br`;
    const existing = this.bridges.get(id);
    if (existing) {
      if (pathId) return { status: 200, body: existing.json() };
      return msg(409, 'Bridge with the same bridgeId already exists');
    }
    const types = (p.type || 'mixing').split(',').map((s) => s.trim());
    const type = types.includes('holding') ? 'holding' : 'mixing';
    const b = new SimBridge(id, p.name ?? '', type, ariTimestamp(this.now()));
    this.bridges.set(id, b);
    this.counters.bridgesCreated++;
    const reply: AriReply = { status: 200, body: b.json() };
    this.emit('BridgeCreated', { bridge: b.json() }, { bridge: b });
    return reply;
  }

  ariDestroyBridge(id: string): AriReply {
    const b = this.bridges.get(id);
    if (!b) return msg(404, 'Bridge not found');
    this.destroyBridge(b);
    return { status: 204 };
  }

  private destroyBridge(b: SimBridge): void {
    for (const ch of [...b.channels]) this.leaveBridge(ch);
    for (const pb of [...b.playbacks]) this.finishPlayback(pb);
    this.bridges.delete(b.id);
    this.emit('BridgeDestroyed', { bridge: b.json() }, { bridge: b });
  }

  private bridgeMembers(raw: string | undefined): { list?: SimChannel[]; err?: AriReply } {
    const ids = (raw ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (ids.length === 0) return { err: msg(400, 'Missing parameter channel') };
    const list: SimChannel[] = [];
    for (const cid of ids) {
      const ch = this.channels.get(cid);
      if (!ch || ch.hangingUp) return { err: msg(400, 'Channel not found') };
      if (!ch.stasis) return { err: msg(422, 'Channel not in Stasis application') };
      list.push(ch);
    }
    return { list };
  }

  ariAddChannel(id: string, p: Params): AriReply {
    const b = this.bridges.get(id);
    if (!b) return msg(404, 'Bridge not found');
    const { list, err } = this.bridgeMembers(p.channel);
    if (!list) return err ?? msg(400, 'Missing parameter channel');
    const inhibit = p.inhibitConnectedLineUpdates === 'true';
    for (const ch of list) this.joinBridge(b, ch, inhibit);
    return { status: 204 };
  }

  ariRemoveChannel(id: string, p: Params): AriReply {
    const b = this.bridges.get(id);
    if (!b) return msg(404, 'Bridge not found');
    const { list, err } = this.bridgeMembers(p.channel);
    if (!list) return err ?? msg(400, 'Missing parameter channel');
    if (list.some((ch) => ch.bridge !== b)) return msg(422, 'Channel not in this bridge');
    for (const ch of list) this.leaveBridge(ch);
    return { status: 204 };
  }

  ariBridgeMoh(id: string, start: boolean, p: Params): AriReply {
    const b = this.bridges.get(id);
    if (!b) return msg(404, 'Bridge not found');
    if (start) {
      b.mohClass = p.mohClass || 'default';
    } else {
      if (b.mohClass === null) return msg(409, "Bridge isn't playing music");
      b.mohClass = null;
    }
    return { status: 204 };
  }

  // ---------------------------------------------------------------- REST: playbacks

  ariGetPlayback(id: string): AriReply {
    const pb = this.playbacks.get(id);
    return pb ? { status: 200, body: pb.json() } : msg(404, 'The playback cannot be found');
  }

  ariStopPlayback(id: string): AriReply {
    const pb = this.playbacks.get(id);
    if (!pb) return msg(404, 'The playback cannot be found');
    this.finishPlayback(pb);
    return { status: 204 };
  }

  // ---------------------------------------------------------------- REST: endpoints, apps, info

  ariListEndpoints(tech?: string): AriReply {
    if (tech !== undefined && tech.toUpperCase() !== 'PJSIP') {
      return msg(404, `No Endpoints found - invalid tech ${tech}`);
    }
    const list: EndpointJson[] = [...this.phones.values()].map((ph) => ph.json());
    return { status: 200, body: list };
  }

  ariGetEndpoint(tech: string, resource: string): AriReply {
    const phone = tech.toUpperCase() === 'PJSIP' ? this.phones.get(resource) : undefined;
    return phone ? { status: 200, body: phone.json() } : msg(404, 'Endpoint not found');
  }

  ariApplication(name: string): Record<string, unknown> {
    const channelIds: string[] = [];
    const bridgeIds = new Set<string>();
    for (const ch of this.channels.values()) {
      if (ch.stasis?.app === name) channelIds.push(ch.id);
    }
    for (const b of this.bridges.values()) if (b.apps.has(name)) bridgeIds.add(b.id);
    return {
      name,
      channel_ids: channelIds,
      bridge_ids: [...bridgeIds],
      endpoint_ids: [],
      device_names: [],
      events_allowed: [],
      events_disallowed: [],
    };
  }

  ariInfo(only: string | undefined): AriReply {
    const started = ariTimestamp(this.startedAtMs);
    const all: Record<string, unknown> = {
      build: {
        os: 'Linux',
        kernel: 'ringside-sim',
        options: '',
        machine: 'x86_64',
        date: started,
        user: 'ringside',
      },
      system: { version: '22.10.1', entity_id: this.opts.asteriskId },
      config: {
        name: 'ringside-sim',
        default_language: 'en',
        setid: { user: '', group: '' },
      },
      status: { startup_time: started, last_reload_time: started },
    };
    if (!only) return { status: 200, body: all };
    const want = only.split(',').map((s) => s.trim());
    return {
      status: 200,
      body: Object.fromEntries(Object.entries(all).filter(([k]) => want.includes(k))),
    };
  }

  // ---------------------------------------------------------------- REST: modules

  private moduleJson(file: string): Record<string, unknown> | null {
    const info = MODULE_CATALOGUE.find((m) => m.name === file);
    if (!info) return null;
    return {
      name: info.name,
      description: info.description,
      use_count: 0,
      status: 'Running',
      support_level: info.support_level,
    };
  }

  /** Whether a module is loaded; `codec_opus` and `codec_opus.so` are the same (ast_module_check). */
  private loadedModule(name: string): string | null {
    const file = moduleFile(name).toLowerCase();
    return [...this.modules].find((m) => m.toLowerCase() === file) ?? null;
  }

  ariListModules(): AriReply {
    const body = [...this.modules]
      .sort()
      .map((m) => this.moduleJson(m))
      .filter((m): m is Record<string, unknown> => m !== null);
    return { status: 200, body };
  }

  /**
   * GET /asterisk/modules/{name}: Asterisk finds the module with or without `.so`, then looks
   * its details up by the exact file name, so `codec_ulaw` answers 409 and `codec_ulaw.so` 200.
   */
  ariGetModule(name: string): AriReply {
    const file = this.loadedModule(name);
    if (!file) return msg(404, 'Module could not be found in running modules');
    const json = file === name ? this.moduleJson(file) : null;
    return json
      ? { status: 200, body: json }
      : msg(409, 'Module information could not be retrieved');
  }

  ariLoadModule(name: string): AriReply {
    if (this.loadedModule(name)) return msg(409, 'Module is already loaded');
    const file = [...this.opts.installedModules].find(
      (m) => m.toLowerCase() === moduleFile(name).toLowerCase(),
    );
    // Not installed (codec_opus on most builds): ast_load_resource declines.
    if (!file) return msg(409, 'Module load declined');
    this.modules.add(file);
    return { status: 204 };
  }

  ariUnloadModule(name: string): AriReply {
    const file = this.loadedModule(name);
    if (!file) return msg(404, 'Module not found in running modules');
    this.modules.delete(file);
    return { status: 204 };
  }

  ariReloadModule(name: string): AriReply {
    return this.loadedModule(name)
      ? { status: 204 }
      : msg(404, 'Module not found in running modules');
  }

  ariPing(): AriReply {
    return {
      status: 200,
      body: {
        asterisk_id: this.opts.asteriskId,
        ping: 'pong',
        timestamp: ariTimestamp(this.now()),
      },
    };
  }

  // ---------------------------------------------------------------- phones (control API)

  /** A phone registers: PeerStatusChange then ContactStatusChange, as chan_pjsip reports it. */
  registerPhone(endpoint: string, registered: boolean): boolean {
    const phone = this.phones.get(endpoint);
    if (!phone) return false;
    if (phone.registered === registered) return true;
    phone.registered = registered;
    if (registered && phone.qualify) {
      const contact = (status: string, rtt: string) => ({
        uri: phone.contactUri,
        contact_status: status,
        aor: endpoint,
        roundtrip_usec: rtt,
      });
      // The contact is added before the first OPTIONS ping has answered: endpoint offline.
      this.emit(
        'ContactStatusChange',
        {
          endpoint: { ...phone.json(), state: 'offline' },
          contact_info: contact('NonQualified', '0'),
        },
        {},
      );
      const online = phone.json();
      this.emit('PeerStatusChange', { endpoint: online, peer: { peer_status: 'Reachable' } }, {});
      this.emit(
        'ContactStatusChange',
        { endpoint: online, contact_info: contact('Reachable', '8590') },
        {},
      );
      return true;
    }
    const ep = phone.json();
    this.emit(
      'PeerStatusChange',
      { endpoint: ep, peer: { peer_status: registered ? 'Reachable' : 'Unreachable' } },
      {},
    );
    this.emit(
      'ContactStatusChange',
      {
        endpoint: ep,
        contact_info: {
          uri: phone.contactUri,
          contact_status: registered ? 'NonQualified' : 'Removed',
          aor: endpoint,
          roundtrip_usec: '0',
        },
      },
      {},
    );
    // The phone's calls stay up when its contact goes, as on Asterisk (webrtc-opus-refused: the
    // browser's contact is Removed while its leg stays in the bridge until Ringside hangs it up).
    return true;
  }

  /**
   * The agent's phone dials `login` in context `agents` (Answer, then Stasis(<app>,agent,<ep>)),
   * as the WebRTC phone does in the webrtc-agent-leg trace. Returns the channel id.
   */
  phoneLogin(endpoint: string, channelId?: string): { channelId?: string; error?: string } {
    const phone = this.phones.get(endpoint);
    if (!phone) return { error: 'unknown endpoint' };
    if (!phone.registered) return { error: 'endpoint not registered' };
    // No codec in common: Asterisk answers the INVITE 488 Not Acceptable Here, no channel.
    const codec = negotiate(phone.allow, phone.offers);
    if (!codec) return { error: 'no codec in common (488 Not Acceptable Here)' };
    if (channelId && this.channels.has(channelId)) return { error: 'channel id in use' };
    const id = channelId || this.uniqueId();
    const n = (this.pjsipSeq++).toString(16).padStart(8, '0');
    const ch = this.newChannel(
      id,
      `PJSIP/${endpoint}-${n}`,
      'phone',
      'Ring',
      { context: 'agents', exten: 'login', priority: 1 },
      [],
    );
    ch.caller = { name: '', number: endpoint };
    ch.protocolId = `sim${id.replace('.', '')}${endpoint}`;
    ch.phone = phone;
    ch.codec = codec;
    phone.channels.add(ch);
    ch.touch();
    this.varset(ch, 'SIPDOMAIN', '127.0.0.1');
    this.exec(ch, { app_name: 'Answer', app_data: '' });
    this.setState(ch, 'Up');
    this.after(ch, 30, () => {
      const app = this.opts.dialplanApp;
      const args = ['agent', endpoint];
      this.exec(ch, { priority: 2, app_name: 'Stasis', app_data: [app, ...args].join(',') });
      if (!this.enterStasis(ch, app, args, true)) {
        ch.hangingUp = true;
        this.hangupRequest(ch, 16, true);
        this.destroy(ch, 16);
      }
    });
    return { channelId: id };
  }

  /** The phone hangs up its own leg (the agent closes the softphone). */
  phoneHangsUp(ch: SimChannel): void {
    if (ch.hangingUp || ch.destroyed) return;
    ch.hangingUp = true;
    this.hangupRequest(ch, 16);
    const via = ch.stasis?.viaDialplan ?? false;
    this.leaveStasis(ch);
    if (via) this.hangupRequest(ch, 16, true);
    this.destroy(ch, 16);
  }

  /** Control API: the customer of this call hangs up now. */
  hangupCustomer(callId: string): boolean {
    const call = this.calls.get(callId);
    if (!call) return false;
    this.customerHangsUp(call, false);
    return true;
  }

  /** Hangs everything up (with the events a client would see) and clears the counters. */
  reset(scenario?: CustomerScenario): void {
    for (const ch of [...this.channels.values()]) {
      if (!ch.destroyed && !ch.hangingUp) this.hangupChannel(ch, 16);
    }
    for (const ch of [...this.channels.values()]) this.destroy(ch, 16);
    for (const b of [...this.bridges.values()]) this.destroyBridge(b);
    this.attempts.clear();
    this.calls.clear();
    if (scenario) this.scenario = scenario;
    this.counters = emptyCounters();
  }

  /** Summary of live customer calls for the control API (no personal data beyond the number). */
  listCalls(): Array<Record<string, unknown>> {
    return [...this.calls.values()].map((c) => ({
      channelId: c.one.id,
      otherChannelId: c.two.id,
      number: c.number,
      outcome: c.plan.outcome,
      amdStatus: c.plan.amdStatus,
      phase: c.phase,
      startedAtMs: c.startedAtMs,
      answeredAtMs: c.answeredAtMs,
      bridgeId: c.one.bridge?.id ?? null,
    }));
  }
}
