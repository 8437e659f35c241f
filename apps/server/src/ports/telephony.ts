import type { PlacementState } from '../domain/fleet.js';
import type { AriEvent, Bridge, Channel, ConfigTuple } from '@ringside/ari';
import type {
  AgentId,
  CallId,
  DialBody,
  LeadId,
  PhoneConfig,
  TransferBody,
} from '@ringside/protocol';

/**
 * Ports of the telephony capability (services/telephony): the parts of Asterisk's REST interface
 * (ARI) each service uses, its events connection, the agents' phone-leg index and the stores the
 * agent's call control needs. Adapters: adapters/asterisk (AriRestClient, AriEventStream,
 * TelephonyHealth), adapters/redis/{agent-leg-index,presence}.ts, adapters/postgres. Errors:
 * ports/telephony-errors.ts.
 */

// ------------------------------------------------------------------ ARI, by consumer

/** What a call origination sends (ARI channels.originate). */
export interface OriginateRequest {
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
}

/** The part of the ARI client the worker uses (a fake in trace replays). */
export interface WorkerAri {
  listChannels(): Promise<Channel[]>;
  createBridge(bridgeId: string, type?: 'mixing' | 'holding', name?: string): Promise<Bridge>;
  addChannel(bridgeId: string, channel: string | string[]): Promise<void>;
  hangup(channelId: string): Promise<void>;
  /** Tears down a monitoring's snoop bridge (optional: trace replays need none). */
  destroyBridge?(bridgeId: string): Promise<unknown>;
  /** Answers a channel that entered the app unanswered: a fleet trunk call (optional, as above). */
  answer?(channelId: string): Promise<void>;
}

/** The ARI client of one server the worker supervises: what it uses, and its close. */
export interface WorkerClient extends WorkerAri {
  close(): void;
}

/** The part of the ARI client an agent's leg needs. */
export interface AgentLegAri {
  createBridge(bridgeId: string, type?: 'mixing' | 'holding', name?: string): Promise<unknown>;
  destroyBridge(bridgeId: string): Promise<void>;
  addChannel(bridgeId: string, channel: string | string[]): Promise<void>;
  hangup(channelId: string): Promise<void>;
  originate(p: OriginateRequest): Promise<unknown>;
}

/** The ARI operations call control uses (AriRestClient has them all). */
export interface CallControlAri {
  hangup(channelId: string, reason?: 'normal'): Promise<void>;
  sendDtmf(channelId: string, dtmf: string): Promise<void>;
  mute(channelId: string, direction?: 'both' | 'in' | 'out'): Promise<void>;
  unmute(channelId: string, direction?: 'both' | 'in' | 'out'): Promise<void>;
  createBridge(bridgeId: string, type?: 'mixing' | 'holding', name?: string): Promise<unknown>;
  destroyBridge(bridgeId: string): Promise<void>;
  addChannel(bridgeId: string, channel: string | string[]): Promise<void>;
  startBridgeMoh(bridgeId: string, mohClass?: string): Promise<void>;
  originate(p: OriginateRequest): Promise<unknown>;
}

/** Asterisk's dynamic configuration (res_pjsip objects through sorcery), for SIP accounts. */
export interface DynamicConfigAri {
  putConfigObject(
    configClass: string,
    objectType: string,
    id: string,
    fields: ReadonlyArray<ConfigTuple>,
  ): Promise<unknown>;
  deleteConfigObject(configClass: string, objectType: string, id: string): Promise<void>;
}

/** One Asterisk server calls can be placed on. */
export interface TelephonyServer {
  id: string;
  client: { originate(p: OriginateRequest): Promise<unknown> };
}

/**
 * The servers the originator places calls on (adapters/asterisk/server-pool.ts ServerPool): the
 * least-loaded one up with a free line, and each server's count of calls placed.
 */
export interface OriginationPool {
  pick(): TelephonyServer | null;
  /**
   * The server for a campaign's next call by the fleet's placement (domain/fleet.ts placeCall:
   * in proportion to `readyByServer`, among servers up with a free line); `state` is the
   * campaign's. Absent: pick().
   */
  place?(state: PlacementState, readyByServer: ReadonlyMap<string, number>): TelephonyServer | null;
  /** That server when it is up with a free line, else null. */
  openServer?(serverId: string): TelephonyServer | null;
  acquire(serverId: string): void;
  release(serverId: string): void;
}

// ------------------------------------------------------------------ events and health

/** What an events connection delivers to its owner (the worker's server supervisor). */
export interface TelephonyEventHandlers {
  /** Valid events, in arrival order, with the local receive time (performance.now(), ms). */
  onEvent(event: AriEvent, receivedAt: number): void;
  /** The connection is open (again); `reconnected` is false the first time. */
  onUp(reconnected: boolean): void;
  /** The connection was lost or could not be opened; `reason` is safe to log. */
  onDown(reason: string): void;
}

/** One server's events connection (adapters/asterisk/ari-events.ts AriEventStream). */
export interface TelephonyEventStream {
  start(): void;
  stop(): Promise<void>;
  readonly isUp: boolean;
}

/** Opens a server's events connection for these handlers (event types: those consumed). */
export type OpenTelephonyEvents = (
  handlers: TelephonyEventHandlers,
  consumedTypes: ReadonlySet<string>,
) => TelephonyEventStream;

/** Telephony up/down per server in this process (adapters/asterisk/telephony-health.ts). */
export interface TelephonyHealthSink {
  /** Records the server's status; false when it did not change. */
  set(serverId: string, up: boolean, reason: string, atMs: number): boolean;
}

// ------------------------------------------------------------------ agents' phone legs

/** An agent's phone entered the app (`Stasis(dialer,agent,<endpoint>)`). */
export interface AgentLeg {
  serverId: string;
  channelId: string;
  /** The endpoint the dialplan passed (e.g. PJSIP/agent1), or the channel name. */
  endpoint: string;
}

/**
 * What to do with an agent's leg. The ari-worker role uses AgentLegService.workerHandler (it
 * knows which agent the endpoint belongs to); without a handler (trace replays) the leg is
 * nailed up in a mixing bridge named `agent-<endpoint>`.
 */
export interface AgentLegHandler {
  onAgentLeg(leg: AgentLeg, ari: WorkerAri): Promise<void>;
  /**
   * A channel that is not a call's went away: if it was an agent's phone leg, the agent must not
   * be offered calls until it is back (AgentLegService.legGone).
   */
  legGone?(channelId: string, ari: WorkerAri): Promise<unknown>;
  /**
   * Channel ids of the agents' legs known to be on Asterisk server `serverId`. On each resync
   * the worker hands every one missing from that server's channels to `legGone`: its
   * ChannelDestroyed may have been lost with the events WebSocket.
   */
  legsOn?(serverId: string): Promise<string[]>;
}

/**
 * A supervisor's monitoring leg (`sup-<id>`) is gone: MonitorLegWatcher
 * (services/supervisor/supervisor-actions.ts) ends the monitoring it was in.
 */
export interface MonitorLegHandler {
  legGone(channelId: string, ari: WorkerAri): Promise<unknown>;
}

/** Which agent a phone-leg channel belongs to (adapters/redis/agent-leg-index.ts). */
export interface AgentLegIndex {
  /** `serverId`: the Asterisk server the channel is on, when the caller knows it. */
  set(channelId: string, agentId: AgentId, serverId?: string): Promise<void>;
  get(channelId: string): Promise<AgentId | null>;
  delete(channelId: string): Promise<void>;
  /**
   * Every indexed leg, for the ARI worker's resync (a leg destroyed while its events were lost).
   * An index without it leaves lost legs to the live ChannelDestroyed only.
   */
  list?(): Promise<IndexedLeg[]>;
}

/** One entry of the leg index. */
export interface IndexedLeg {
  channelId: string;
  agentId: AgentId;
  /** The Asterisk server the leg is on; null when its recorder did not say. */
  serverId: string | null;
}

/** A user as its phone is concerned (adapters/postgres/users.ts UserRecord has these). */
export interface PhoneUser {
  id: string;
  username: string;
  active: boolean;
  phoneType: 'webrtc' | 'sip';
  /** users.sip_endpoint: the external phone's dial string, if set. */
  sipEndpoint: string | null;
}

/** The parts of the users repository that map a phone's endpoint to its user. */
export interface EndpointUsers {
  findByUsername(username: string): Promise<Pick<PhoneUser, 'id' | 'active'> | null>;
  list(filter: { active: boolean }): Promise<Array<Pick<PhoneUser, 'id' | 'sipEndpoint'>>>;
}

/** A user by id, for its phone. */
export interface PhoneUsers {
  findById(id: string): Promise<PhoneUser | null>;
}

// ------------------------------------------------------------------ the agent's call control

/** A warm transfer in progress: the customer on hold, a consult leg to the target. */
export interface WarmTransfer {
  callId: CallId;
  serverId: string;
  /** The consult channel we originated (to a number), or null when the target is an agent. */
  consultChannelId: string | null;
  /** The target agent (its own bridge), or null when the target is a number. */
  targetAgentId: AgentId | null;
  /** Bridge the customer waits in while the agent consults. */
  holdBridgeId: string;
  startedAtMs: number;
}

/** Warm transfers in progress, one per agent (adapters/redis/presence.ts RedisTransferStore). */
export interface TransferStore {
  start(agentId: AgentId, t: WarmTransfer): Promise<boolean>;
  get(agentId: AgentId): Promise<WarmTransfer | null>;
  take(agentId: AgentId): Promise<WarmTransfer | null>;
}

/** A lead an agent may preview, with the zones it may be in (adapters/postgres/preview-leads.ts). */
export interface PreviewCandidate {
  id: string;
  tzCandidates: string[];
}

/** Where preview finds the next lead of a campaign. */
export interface PreviewLeads {
  /** The campaign's calling window ('HH:MM...') and whether it dials manually; null: unknown. */
  campaign(
    campaignId: string,
  ): Promise<{ windowStart: string; windowEnd: string; manual: boolean } | null>;
  /**
   * Up to 200 leads of the campaign that may be called now, by next eligible time: not final,
   * due, not queued in a hopper (unless `hopperToo`), not on a DNC list, not on a call, not
   * another agent's callback. The calling window is checked by the caller.
   */
  candidates(q: {
    campaignId: string;
    agentId: string;
    nowMs: number;
    hopperToo: boolean;
  }): Promise<PreviewCandidate[]>;
}

/**
 * Telephony commands for the agent's own phone leg and calls (services/telephony/agent-telephony.ts;
 * the api role wires them, else the routes answer 503). The route has already checked that the
 * call is the agent's own.
 */
export interface AgentTelephony {
  phoneConfig(agentId: AgentId, phoneType: 'webrtc' | 'sip'): Promise<PhoneConfig>;
  connectLeg(agentId: AgentId): Promise<'up' | 'down'>;
  disconnectLeg(agentId: AgentId): Promise<'up' | 'down'>;
  /** Ends the customer's leg, never the agent's phone leg. */
  hangup(agentId: AgentId, callId: CallId): Promise<void>;
  hold(agentId: AgentId, callId: CallId, on: boolean): Promise<void>;
  mute(agentId: AgentId, callId: CallId, on: boolean): Promise<void>;
  dtmf(agentId: AgentId, callId: CallId, digits: string): Promise<void>;
  transfer(agentId: AgentId, callId: CallId, body: TransferBody): Promise<void>;
  transferComplete(agentId: AgentId, callId: CallId): Promise<void>;
  transferCancel(agentId: AgentId, callId: CallId): Promise<void>;
  /** Manual dial with DNC and calling-window checks (ComplianceError, 422, when refused). */
  dial(agentId: AgentId, target: DialBody): Promise<{ callId: CallId }>;
  /** The next lead the agent may preview; null when none. */
  preview(agentId: AgentId): Promise<LeadId | null>;
  /**
   * Removes the user's browser-phone account from Asterisk (a deactivated user); nothing when it
   * has none. Absent where there are no such accounts (the simulated PBX).
   */
  forgetPhone?(user: { id: string; username: string }): Promise<void>;
}

/** The agent's phone leg (services/telephony/agent-leg.ts AgentLegService). */
export interface PhoneLegs {
  attach(agentId: AgentId, endpoint: string): Promise<unknown>;
  detach(agentId: AgentId): Promise<void>;
}
