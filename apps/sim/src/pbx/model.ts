/**
 * The objects the simulated PBX keeps (channels, bridges, playbacks, phones) and their ARI JSON
 * shapes, exactly as Asterisk 22 serialises them (see ../shared/ari/api-docs).
 */
import type { SimTimer } from './scheduler.js';
import type { CustomerPlan } from './customers.js';
import type { Codec } from './codecs.js';

export interface CallerIdJson {
  name: string;
  number: string;
}

export interface DialplanJson {
  context: string;
  exten: string;
  priority: number;
  app_name: string;
  app_data: string;
}

export interface ChannelJson {
  id: string;
  name: string;
  state: string;
  protocol_id: string;
  caller: CallerIdJson;
  connected: CallerIdJson;
  accountcode: string;
  dialplan: DialplanJson;
  creationtime: string;
  language: string;
}

export interface BridgeJson {
  id: string;
  technology: string;
  bridge_type: string;
  bridge_class: string;
  creator: string;
  name: string;
  channels: string[];
  creationtime: string;
  video_mode: string;
}

export interface PlaybackJson {
  id: string;
  media_uri: string;
  next_media_uri?: string;
  target_uri: string;
  language: string;
  state: string;
}

export interface EndpointJson {
  technology: string;
  resource: string;
  state: string;
  channel_ids: string[];
}

/** Which simulated thing a channel stands for; decides its dialplan and its teardown order. */
export type ChannelRole =
  | 'customer' // Local/<number>@sim-customers or @sim-customers-talking, either half
  | 'agent-local' // Local/<exten>@agents or @sim-agent-phones: a nailed-up agent leg
  | 'phone' // PJSIP/<agent>: a simulated agent phone
  | 'trunk' // PJSIP/<trunk>: one end of a call between two PBXes of a fleet (trunks.ts)
  | 'snoop';

export interface StasisState {
  app: string;
  args: string[];
  /** Entered through the dialplan application Stasis() (not originate app=): one more soft hangup. */
  viaDialplan: boolean;
}

export class SimChannel {
  state: string;
  protocolId = '';
  caller: CallerIdJson = { name: '', number: '' };
  connected: CallerIdJson = { name: '', number: '' };
  dialplan: DialplanJson;
  readonly vars = new Map<string, string>();
  /** Apps subscribed to this channel's events (for apps connected without subscribeAll). */
  readonly apps = new Set<string>();
  stasis: StasisState | null = null;
  bridge: SimBridge | null = null;
  /** The negotiated audio codec (CHANNEL(audionativeformat) without the parentheses). */
  codec: Codec = 'ulaw';
  /** The other half of a Local channel. */
  peer: SimChannel | null = null;
  /** 1 or 2 for Local channel halves, 0 otherwise. */
  half: 0 | 1 | 2 = 0;
  /** Originated by ARI (dialed through ast_dial): the destroyed snapshot shows AppDial2. */
  outgoing = false;
  call: CustomerCall | null = null;
  phone: SimPhone | null = null;
  /** For snoop channels: the channel spied on. */
  snoopTarget: SimChannel | null = null;
  readonly snoops = new Set<SimChannel>();
  readonly playbacks = new Set<SimPlayback>();
  readonly timers: SimTimer[] = [];
  /** The originate timeout while the channel rings. */
  ringTimer: SimTimer | null = null;
  /** A trunk channel: tells the far PBX this end hung up (trunks.ts); null otherwise. */
  farHangup: ((cause: number) => void) | null = null;
  /** An inbound trunk channel not answered yet: tells the far PBX it was answered; null otherwise. */
  farAnswer: (() => void) | null = null;
  hangingUp = false;
  destroyed = false;
  /** Hung up but kept alive (snoop channels live until their target goes). */
  zombie = false;
  private snap: ChannelJson | null = null;

  constructor(
    readonly id: string,
    readonly name: string,
    readonly role: ChannelRole,
    state: string,
    dialplan: DialplanJson,
    readonly creationtime: string,
  ) {
    this.state = state;
    this.dialplan = dialplan;
  }

  /** Marks the cached snapshot stale; every mutation calls this. */
  touch(): void {
    this.snap = null;
  }

  /** The ARI Channel model; a new object after every change, so emitted events stay immutable. */
  json(): ChannelJson {
    if (!this.snap) {
      this.snap = {
        id: this.id,
        name: this.name,
        state: this.state,
        protocol_id: this.protocolId,
        caller: { name: this.caller.name, number: this.caller.number },
        connected: { name: this.connected.name, number: this.connected.number },
        accountcode: '',
        dialplan: { ...this.dialplan },
        creationtime: this.creationtime,
        language: 'en',
      };
    }
    return this.snap;
  }
}

export class SimBridge {
  readonly channels: SimChannel[] = [];
  readonly apps = new Set<string>();
  readonly playbacks = new Set<SimPlayback>();
  mohClass: string | null = null;

  constructor(
    readonly id: string,
    readonly name: string,
    readonly type: 'mixing' | 'holding',
    readonly creationtime: string,
  ) {}

  json(): BridgeJson {
    const technology =
      this.type === 'holding'
        ? 'holding_bridge'
        : this.channels.length > 2
          ? 'softmix'
          : 'simple_bridge';
    return {
      id: this.id,
      technology,
      bridge_type: this.type,
      bridge_class: 'stasis',
      creator: 'Stasis',
      name: this.name,
      channels: this.channels.map((c) => c.id),
      creationtime: this.creationtime,
      video_mode: 'talker',
    };
  }
}

export class SimPlayback {
  index = 0;
  state: 'queued' | 'playing' | 'continuing' | 'done' | 'failed' = 'queued';
  timer: SimTimer | null = null;

  constructor(
    readonly id: string,
    readonly media: string[],
    readonly targetUri: string,
    readonly language: string,
    readonly target: SimChannel | SimBridge,
  ) {}

  json(): PlaybackJson {
    const j: PlaybackJson = {
      id: this.id,
      media_uri: this.media[this.index] ?? this.media[0] ?? '',
      target_uri: this.targetUri,
      language: this.language,
      state: this.state,
    };
    const next = this.media[this.index + 1];
    if (next !== undefined && this.state !== 'done') j.next_media_uri = next;
    return j;
  }
}

/**
 * A PJSIP endpoint the simulated Asterisk knows (from the `endpoints` option, the static
 * configuration, or ARI's dynamic configuration) and the simulated phone behind it, which
 * registers and answers by itself.
 */
export class SimPhone {
  registered = false;
  readonly channels = new Set<SimChannel>();
  contactUri: string;
  /** The endpoint's codecs in its order (`allow`). */
  allow: Codec[];
  /** The codecs the phone (the device) offers and accepts. */
  offers: Codec[];
  /** Given at start (`endpoints` option or static configuration): a dynamic DELETE keeps it. */
  fixed = false;
  /** Written through ARI's dynamic configuration. */
  dynamic = false;
  /** Its AOR qualifies contacts (SimEndpointSpec.qualify). */
  qualify = false;
  constructor(
    readonly endpoint: string,
    readonly context: string,
    allow: ReadonlyArray<Codec>,
    offers: ReadonlyArray<Codec>,
  ) {
    this.contactUri = `sip:${endpoint}@127.0.0.1:5060;transport=ws`;
    this.allow = [...allow];
    this.offers = [...offers];
  }
  json(): EndpointJson {
    return {
      technology: 'PJSIP',
      resource: this.endpoint,
      state: this.registered ? 'online' : 'offline',
      channel_ids: [...this.channels].map((c) => c.id),
    };
  }
}

/** One attempt to a simulated customer, with both Local halves. */
export interface CustomerCall {
  id: string;
  number: string;
  plan: CustomerPlan;
  one: SimChannel;
  two: SimChannel;
  startedAtMs: number;
  answeredAtMs: number | null;
  endedAtMs: number | null;
  phase: 'ringing' | 'amd' | 'stasis' | 'answered' | 'ended';
  /** Where ;1 goes when answered: the dialer-outbound dialplan (AMD) or straight into an app. */
  after: { kind: 'amd' } | { kind: 'app'; app: string; args: string[] } | { kind: 'none' };
  /**
   * Which customer script runs on ;2: the reference one of `sim-customers` (the last digit
   * decides), or `sim-customers-talking`'s person who answers after 1 s and keeps talking.
   */
  script: 'reference' | 'talking';
}
