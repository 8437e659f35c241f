import type {
  AgentId,
  AgentStateChanged,
  BusEnvelope,
  CampaignId,
  DispositionBody,
} from '@ringside/protocol';
import type { AgentEffect, AgentEvent } from '../domain/agent-state.js';
import type { AgentStatus } from './state-store.js';

/**
 * Ports of the agents capability (services/agents): the agent's own session actions the HTTP API
 * and the WebSocket gateway call, and what the session, disposition and presence services need
 * from storage. Adapters: adapters/postgres/{agent-log,call-dispositions,dispositions}.ts and
 * adapters/redis/presence.ts.
 */

/** Reason of the events a state rebuild publishes: a restore, not a change, so no log row. */
export const REBUILD_REASON = 'system:rebuild';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** An agent event without its instant: the session service stamps it with its clock. */
export type AgentCommand = DistributiveOmit<AgentEvent, 'atMs'>;

export interface AgentSessionResult {
  status: AgentStatus;
  /** What the caller carries out (hang up, end the phone leg, auto-disposition). */
  effects: AgentEffect[];
  envelope: BusEnvelope;
}

/**
 * Applies one command to an agent through the state machine and the store's compare-and-set
 * (services/agents/agent-session.ts AgentSessionService; built once per role in roles/).
 */
export interface AgentTransitions {
  apply(agentId: AgentId, command: AgentCommand, reason: string): Promise<AgentSessionResult>;
}

/**
 * The agent's own session actions (services/agents/agent-session.ts). Each one validates the
 * transition with the agent state machine and throws IllegalTransitionError when refused.
 */
export interface AgentSessionApi {
  login(agentId: AgentId, campaignId: CampaignId): Promise<AgentStatus>;
  ready(agentId: AgentId): Promise<AgentStatus>;
  /** `reason`: 'agent', or 'system:heartbeat-lost' when the gateway pauses a vanished agent. */
  pause(agentId: AgentId, code: string, reason: string): Promise<AgentStatus>;
  logout(agentId: AgentId): Promise<AgentStatus | null>;
  dispose(agentId: AgentId, input: DispositionBody): Promise<AgentStatus>;
  /**
   * Extends the agent's own wrap-up by the campaign's extension (services/agents/
   * wrapup-extension.ts); absent where the role has no extension store (the route answers 503).
   */
  extendWrapup?(agentId: AgentId): Promise<WrapupExtended>;
}

/** What one wrap-up extension did: the agent's status (with the new deadline), the allowance. */
export interface WrapupExtended {
  status: AgentStatus;
  /** The new deadline, epoch ms. */
  untilMs: number;
  /** Extensions taken on this call, and the campaign's allowance per call. */
  used: number;
  allowed: number;
}

/**
 * Where agents' WebSocket heartbeats are visible to every api process (Redis, with a TTL), so
 * that the process an agent left does not pause it while it is connected to another one.
 * Optional: without it each process judges by its own sockets only.
 */
export interface AgentPresence {
  /** The agent is alive on some socket; forget it after `ttlMs` without another touch. */
  touch(agentId: AgentId, ttlMs: number): Promise<void>;
  isPresent(agentId: AgentId): Promise<boolean>;
}

/**
 * "Pause after this call" requests: a pause asked for on a call or in wrap-up, applied when the
 * wrap-up ends (adapters/redis/presence.ts RedisPendingPause).
 */
export interface PendingPauses {
  set(agentId: AgentId, code: string): Promise<void>;
  /** Returns and forgets the request; two callers never both get it. */
  take(agentId: AgentId): Promise<string | null>;
}

/** The wrap-up extensions an agent took on one call (services/agents/wrapup-extension.ts). */
export interface WrapupExtension {
  callId: string;
  /** The start (sinceMs) of the DEAD or WRAPUP state the deadline belongs to. */
  sinceMs: number;
  /** Extensions taken on this call. */
  used: number;
  /** The extended deadline, epoch ms. */
  untilMs: number;
}

/**
 * Where wrap-up extensions are counted (adapters/redis/wrapup-extensions.ts): per agent, its
 * current call's; atomic, so two clicks never take more than the campaign allows.
 */
export interface WrapupExtensions {
  /**
   * Takes one extension of the agent's wrap-up of `callId` in the state that began at `sinceMs`:
   * the deadline becomes the later of `baseUntilMs` and the one already extended, plus `addMs`.
   * Null when `max` were already taken on this call (nothing changes).
   */
  take(
    agentId: AgentId,
    t: { callId: string; sinceMs: number; baseUntilMs: number; addMs: number; max: number },
  ): Promise<WrapupExtension | null>;
  /** The agent's last extension record, or null. */
  get(agentId: AgentId): Promise<WrapupExtension | null>;
}

/** An agent's work between two instants, from call_log and agent_log (the agent's own day). */
export interface AgentDayFigures {
  /** Calls the agent was connected to a customer on (the agent who had it last). */
  calls: number;
  talkMs: number;
  /** DEAD and WRAPUP time. */
  wrapMs: number;
  /** Calls whose disposition is flagged `sale`. */
  sales: number;
  /** Paused time per pause code (clipped to the range). */
  pauses: ReadonlyArray<{ code: string; usedMs: number }>;
}

/** The reads of the agent's desk (adapters/postgres/agent-desk.ts). */
export interface AgentDeskReads {
  /** How often each disposition code was filed on the campaign's calls since `sinceMs`. */
  dispositionUsage(campaignId: string, sinceMs: number): Promise<Map<string, number>>;
  agentDay(agentId: AgentId, fromMs: number, toMs: number): Promise<AgentDayFigures>;
  /**
   * The lead's callable hours: the campaign's calling window ("HH:MM") in the lead's zone (null
   * when the lead has none); null when the lead or campaign is unknown.
   */
  callableHours(
    leadId: string,
    campaignId: string,
  ): Promise<{ zone: string | null; start: string; end: string } | null>;
}

/** What the previous state carried, for its agent_log row (the event only has the new one's). */
export interface PreviousState {
  pauseCode: string | null;
  callId: string | null;
  campaignId: string | null;
}

/** Where agent transitions are made durable (adapters/postgres/agent-log.ts: agent_log, agent_sessions). */
export interface AgentLogWriter {
  /**
   * Records one agent.state_changed; idempotent. `prev`: the ended state's pause code and call;
   * `next`: the new state's phone leg. replaceSameInstant (default true): a snapshot that began
   * at the same ms is replaced (a late bus consumer passes false).
   */
  record(
    e: AgentStateChanged,
    prev?: PreviousState,
    next?: Pick<AgentStatus, 'bridgeId' | 'legChannelId'>,
    opts?: { replaceSameInstant?: boolean },
  ): Promise<void>;
}

/** The flags of a disposition code that decide what recording it does. */
export interface DispositionFlags {
  code: string;
  /** Adds the number to the campaign's DNC list. */
  dnc: boolean;
  /** Asks for a callback time. */
  callback: boolean;
  /** The lead is never dialed again. */
  final: boolean;
}

/** A campaign's disposition codes (system-wide ones included; adapters/postgres/dispositions.ts). */
export interface DispositionCodes {
  findByCode(campaignId: string | null, code: string): Promise<DispositionFlags | null>;
}

/** The campaign settings the wrap-up and the disposition use (adapters/postgres/campaigns.ts). */
export interface WrapupSettingsSource {
  get(campaignId: string): Promise<{
    wrapupS: number;
    wrapupTimeoutAction: 'disposition' | 'pause';
    wrapupDefaultDisposition: string;
    maxAttempts: number;
    /** Extensions an agent may take per call (absent: 0), and the seconds each adds. */
    wrapupExtensions?: number;
    wrapupExtensionS?: number;
  } | null>;
  recycleRules(
    campaignId: string,
  ): Promise<ReadonlyArray<{ status: string; delayS: number; maxAttempts: number }>>;
}

/**
 * Which disposition an agent owes for a call: `final` - the call's and the lead's (the agent who
 * had the customer last, or nobody recorded); `handoff` - its own part of a call it transferred
 * to another agent.
 */
export type DispositionPart = 'final' | 'handoff';

/** A call as a disposition sees it (call_log, and the asking agent's handed-over part). */
export interface DispositionCall {
  id: string;
  campaignId: string;
  leadId: string;
  phone: string;
  /** The agent who has, or had last, the customer: its disposition is the call's. */
  agentId: string | null;
  disposition: string | null;
  /** The asking agent handed this call over (call_handoffs has its part). */
  handedOver: boolean;
  /** Its part's disposition, when already recorded. */
  handoffDisposition: string | null;
}

/** One disposition to write, every rule already applied by services/agents/disposition.ts. */
export interface DispositionWrite {
  call: DispositionCall;
  part: DispositionPart;
  code: string;
  dnc: boolean;
  /** The lead is done (never dialed again); only for the `final` part. */
  final: boolean;
  /** The agent's numeric id, or null (the system). */
  agentId: string | null;
  auto: boolean;
  atMs: number;
  /** The lead's attempt cap and its next eligible instant unless done (the `final` part). */
  maxAttempts: number;
  nextEligibleAtMs: number;
  /** The callback to schedule; its time zone is the lead's. */
  callback: { atMs: number; agentOnly: boolean; note: string } | null;
}

/**
 * The disposition's storage (adapters/postgres/call-dispositions.ts): one transaction claims the
 * agent's part (first writer wins), updates the lead, adds the DNC entry, the callback and
 * lead_log.
 */
export interface DispositionLedger {
  /** The call, and the asking agent's handed-over part of it if any; null when unknown. */
  call(callId: string, agentId: AgentId | null): Promise<DispositionCall | null>;
  /** The call has no disposition and its origination was not refused. */
  owesFinal(callId: string): Promise<boolean>;
  /** Null when the part already had a disposition (nothing written). */
  write(w: DispositionWrite): Promise<{ callbackId: string | null } | null>;
}

/** The dialer's DNC sets, told right after the dnc row is written (no lag at dial time). */
export interface DncListener {
  add(phone: string, campaignId: string | null): Promise<void>;
}

/** The agents still logged in, as PostgreSQL last recorded them (agent_sessions). */
export interface AgentSessionsReader {
  activeSessions(): Promise<AgentStatus[]>;
}

/**
 * Whether the live state is complete (adapters/redis/boot-sentinel.ts): a marker lost with the
 * state, and a lock so that one process rebuilds it (services/agents/state-rebuild.ts).
 */
export interface BootSentinel {
  isComplete(): Promise<boolean>;
  /** Takes the rebuild lock for `lockMs` (ms); false when another holder has it. */
  tryLock(holder: string, lockMs: number): Promise<boolean>;
  /** Marks the state complete, with the rebuild's report. */
  complete(report: Record<string, unknown>): Promise<void>;
  /** Releases the lock if `holder` still holds it. */
  unlock(holder: string): Promise<void>;
}
