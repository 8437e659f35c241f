import { z } from 'zod';
import { Count } from './fields.js';
import { AgentState, DialMethod } from './agent.js';
import { AgentId, CallId, CampaignId, EpochMs, LeadId, ListId } from './ids.js';
import { TalkHandChanged, TalkMessageSent, TalkMessagesRead } from './talk.js';
import {
  AmdReviewMarked,
  QualityReviewSaved,
  QualityScorecardSaved,
  RecordingBacklog,
  RecordingChanged,
} from './recording.js';
import { CallTalking, CallVoicemail } from './voicemail.js';

/**
 * Domain events: every state change in Ringside is exactly one of these, published once on the
 * event bus (Redis Streams) with a per-stream sequence number. Sender and receiver share the schema.
 */

/** Where a live call is in its life. */
export const CallStage = z.enum([
  'DIALING', // origination sent, no ring yet
  'RINGING',
  'AMD', // answered, answering-machine detection running
  'WAITING', // human answer parked in the holding bridge, waiting for an agent
  'BRIDGED', // talking to an agent
  'SAFE_HARBOR', // dropped: safe-harbor message playing
  'MACHINE_MESSAGE', // leaving the campaign's message after the beep
  'ENDED',
]);
export type CallStage = z.infer<typeof CallStage>;

/** How an attempt ended; drives recycling and reports. */
export const CallOutcome = z.enum([
  'HUMAN', // a live answer that reached an agent
  'MACHINE',
  'DROPPED', // a live answer that no agent took within the drop wait
  'BUSY',
  'CONGESTION',
  'NO_ANSWER',
  'INVALID',
  'ORIGINATE_FAILED', // ARI refused the origination
  'CANCELED', // hung up by us before an answer (e.g. campaign stopped)
]);
export type CallOutcome = z.infer<typeof CallOutcome>;

export const AmdResult = z.enum(['HUMAN', 'MACHINE', 'NOTSURE']);
export type AmdResult = z.infer<typeof AmdResult>;

const nullableAgent = AgentId.nullable();

/** An event of one call: its type, the call, `fields`, and when (atMs). */
const callEvent = <T extends string, F extends z.ZodRawShape>(type: T, fields: F) =>
  z.object({ type: z.literal(type), callId: CallId, ...fields, atMs: EpochMs });

export const AgentStateChanged = z.object({
  type: z.literal('agent.state_changed'),
  agentId: AgentId,
  campaignId: CampaignId.nullable(),
  from: AgentState,
  to: AgentState,
  pauseCode: z.string().max(32).nullable(),
  callId: CallId.nullable(),
  /** Why: 'agent', 'system:heartbeat-lost', 'supervisor:<userId>', 'dialer', ... */
  reason: z.string().max(128),
  /** When the previous state began; atMs - sinceMs is the duration written to agent_log. */
  sinceMs: EpochMs,
  atMs: EpochMs,
  /** The wrap-up deadline after the agent extended it (reason WRAPUP_EXTENDED_REASON). */
  wrapupUntilMs: EpochMs.optional(),
});

export const CallOriginated = callEvent('call.originated', {
  campaignId: CampaignId,
  leadId: LeadId,
  listId: ListId,
  /** Set for manual/preview dials, null for dialer-placed calls. */
  agentId: nullableAgent,
  /** Which Asterisk server carries the call. */
  serverId: z.string().max(64),
  channelId: z.string().max(128),
});

export const CallRinging = callEvent('call.ringing', {});

export const CallAnswered = callEvent('call.answered', {});

export const CallAmdDecided = callEvent('call.amd', {
  result: AmdResult,
  /** Asterisk's AMDCAUSE, e.g. HUMAN-801-800 or MAXWORDS-4-3. */
  cause: z.string().max(64),
});

export const CallWaiting = callEvent('call.waiting', {});

export const CallBridged = callEvent('call.bridged', {
  agentId: AgentId,
  bridgeId: z.string().max(128),
});

export const CallDropped = callEvent('call.dropped', {
  campaignId: CampaignId,
  /** How long the live answer waited for an agent before the drop. */
  waitMs: z.number().int().nonnegative(),
});

export const CallSafeHarborPlayed = callEvent('call.safe_harbor', {
  playbackId: z.string().max(128),
  startedAtMs: EpochMs,
});

/**
 * Why Ringside ended a call itself as a failure (docs/telephony.md, "Bridge integrity"); absent
 * on calls that ended the ordinary way.
 */
export const CallEndReason = z.enum([
  // Asterisk removed a leg from the agent's bridge the instant it joined (no codec the members
  // share or can translate to): the call could not carry audio.
  'BRIDGE_REFUSED',
  // Asterisk removed a leg from the agent's bridge and putting it back did not hold.
  'BRIDGE_EJECTED',
  // A fleet: the call's Asterisk server was declared lost (unreachable FLEET_REHOME_AFTER_MS;
  // alone, lostCallsAfterMs): the call was ended in state, its channels unreachable.
  'SERVER_LOST',
  // A fleet: the trunk leg of a call crossing between two servers ended while the call was
  // bridged through it (the other server died or stopped sending audio: rtp_timeout).
  'TRUNK_LOST',
]);
export type CallEndReason = z.infer<typeof CallEndReason>;

export const CallEnded = callEvent('call.ended', {
  campaignId: CampaignId,
  leadId: LeadId,
  outcome: CallOutcome,
  /** Q.850 cause from Asterisk, when known. */
  hangupCause: z.number().int().nullable(),
  agentId: nullableAgent,
  /** Set when Ringside ended the call as a failure (the agent's panel says so). */
  reason: CallEndReason.optional(),
});

/**
 * An agent was homed on an Asterisk server for its shift (docs/telephony.md, "Asterisk fleet"):
 * its phone registers there (browser) or is called from there (external), and the dialer prefers
 * to hand it calls answered on that server. `login`: chosen when the agent first needed a phone
 * line; `server_lost`: its home went down and it was moved (the panel registers its phone again).
 */
export const AgentHomed = z.object({
  type: z.literal('agent.homed'),
  agentId: AgentId,
  serverId: z.string().max(64),
  /** The home it had before (null: none). */
  previousServerId: z.string().max(64).nullable(),
  reason: z.enum(['login', 'server_lost']),
  atMs: EpochMs,
});

export const TelephonyStatusChanged = z.object({
  type: z.literal('telephony.status'),
  serverId: z.string().max(64),
  up: z.boolean(),
  reason: z.string().max(256),
  atMs: EpochMs,
});

/**
 * What a campaign's dialer is doing and why, for the supervisors' campaign header. Published by
 * the dialer holding the campaign (services/dialer/status-publisher.ts) only when something a
 * supervisor reads changed (state, reason, mode, dial level, counts, hopper, KPIs), and at most
 * once per second per campaign; the last one is also in the WebSocket snapshot.
 */
export const DialerStatusChanged = z.object({
  type: z.literal('dialer.status'),
  campaignId: CampaignId,
  /** idle: not dialing now (see reason); dialing: placed calls in the last decision. */
  state: z.enum(['idle', 'dialing', 'blocked']),
  /** One sentence a supervisor can read: the pacing module's, or why it does not dial. */
  reason: z.string().max(1024),
  /** The campaign's dial method, and the one pacing applied (predictive may fall back). */
  mode: DialMethod,
  appliedMode: DialMethod,
  /** The dial level the dialer applies (the campaign setting it last read). */
  dialLevel: z.number().nonnegative(),
  readyAgents: Count,
  callsInFlight: Count,
  waitingForAgent: Count,
  /** Leads queued in the campaign's hopper (not leased). */
  hopperSize: Count,
  /**
   * Due leads of the campaign's active lists outside the hopper (not final, next attempt due, in
   * a zone whose calling window is open), counted by the hopper filler; null until counted.
   */
  dialableLeads: Count.nullable(),
  dialableAtMs: EpochMs.nullable(),
  /** Today's (UTC) handle and answer figures, from the bus (docs/kpi.md); null: no call yet. */
  kpi: z.object({
    dayStartMs: EpochMs,
    handledCalls: Count,
    ahtMs: z.number().int().nonnegative().nullable(),
    connectedCalls: Count,
    asaMs: z.number().int().nonnegative().nullable(),
    /**
     * Occupancy today, percent: agents' INCALL + DEAD + WRAPUP time over that plus READY time
     * (docs/kpi.md), of the state intervals that ended; null: none yet. Absent: older dialer.
     */
    occupancyPct: z.number().nonnegative().nullable().optional(),
  }),
  /**
   * The 30-day drop ledger as pacing budgets it: counted drops apart from the estimated drops
   * (people AMD hung up on, the expected share per MACHINE hang-up; docs/pacing.md, AMD errors).
   * Absent from dialers that predate it.
   */
  drops: z
    .object({
      counted: z.number().nonnegative(),
      estimated: z.number().nonnegative(),
      humans: z.number().nonnegative(),
      /** (counted + estimated) / (humans + estimated), percent. */
      ratePct: z.number().nonnegative(),
      capPct: z.number().nonnegative(),
      /** Today's (the ledger's day) counted drops and human answers; absent: older dialer. */
      today: z
        .object({ drops: z.number().nonnegative(), humans: z.number().nonnegative() })
        .optional(),
    })
    .optional(),
  /** The AMD rule and estimate: hangups false means MACHINE verdicts go to agents (note says why). */
  amd: z
    .object({
      hangups: z.boolean(),
      note: z.string().max(512),
      source: z.enum(['admin', 'audit']),
      humanAsMachinePct: z.number().nonnegative(),
      machineAsHumanPct: z.number().nonnegative(),
      /** The AMD audit's 95 % Wilson interval of people among MACHINE verdicts. */
      interval: z.object({ lo: z.number(), hi: z.number(), marks: Count }).nullable(),
      auditPct: z.number().nonnegative(),
    })
    .optional(),
  atMs: EpochMs,
});

/**
 * How a supervisor is on an agent's call (same values as MonitorMode in supervisor.ts, which
 * cannot be imported here without an import cycle).
 */
export const AgentMonitorMode = z.enum(['listen', 'whisper', 'barge']);
export type AgentMonitorMode = z.infer<typeof AgentMonitorMode>;

/**
 * A supervisor started listening to, whispering to or barging on an agent's call. Published
 * once by the api role's supervisor actions; the agent's panel shows whisper and barge (the agent
 * hears the supervisor), never listen.
 */
/** Which monitoring of whose call, by whom: what both monitor events carry. */
const monitorFields = {
  agentId: AgentId,
  callId: CallId,
  mode: AgentMonitorMode,
  supervisorId: z.string().min(1).max(64),
};

export const AgentMonitorStarted = z.object({
  type: z.literal('agent.monitor.started'),
  ...monitorFields,
  supervisorName: z.string().max(128),
  atMs: EpochMs,
});

/** The monitoring ended: the supervisor stopped it, or the call (or the agent's session) ended. */
export const AgentMonitorEnded = z.object({
  type: z.literal('agent.monitor.ended'),
  ...monitorFields,
  /** supervisor_hung_up: the supervisor's own phone hung up (or never answered). */
  reason: z.enum(['stopped', 'call_ended', 'agent_left', 'supervisor_hung_up']),
  atMs: EpochMs,
});

/**
 * An admin or a supervisor changed a campaign's settings (or created it, or replaced its recycle
 * rules). Published once per change, after the write, by the api role (routes/campaigns.ts,
 * routes/supervisor.ts) on the `system` stream. The dialer re-reads that campaign at once (its
 * periodic reload stays as the safety net); supervisors' headers take the new method and level.
 */
export const CampaignSettingsChanged = z.object({
  type: z.literal('campaign.settings_changed'),
  campaignId: CampaignId,
  /** Names of the settings whose value changed (Campaign field names, `recycleRules`). */
  fields: z.array(z.string().min(1).max(64)).max(64),
  /** created: a new campaign (fields: every setting it has). */
  change: z.enum(['created', 'updated']),
  /** The user who changed it, and as what (the admin screens or the supervisor dashboard). */
  userId: z.string().min(1).max(64),
  by: z.enum(['admin', 'supervisor']),
  /** The campaign's values after the change, for readers that need no more than these. */
  active: z.boolean(),
  dialMethod: DialMethod,
  dialLevel: z.number().nonnegative(),
  atMs: EpochMs,
});

/**
 * An admin changed a state calling rule (or deleted it). Published once after the write by the
 * api role (routes/admin-state-rules.ts) on the `system` stream; every process's rule cache
 * re-reads the rules at once (their periodic refresh stays as the safety net).
 */
export const StateRulesChanged = z.object({
  type: z.literal('compliance.state_rules_changed'),
  state: z.string().regex(/^[A-Z]{2}$/),
  change: z.enum(['updated', 'deleted']),
  userId: z.string().min(1).max(64),
  atMs: EpochMs,
});

export const DomainEvent = z.discriminatedUnion('type', [
  AgentStateChanged,
  CallOriginated,
  CallRinging,
  CallAnswered,
  CallAmdDecided,
  CallWaiting,
  CallBridged,
  CallDropped,
  CallSafeHarborPlayed,
  CallEnded,
  TelephonyStatusChanged,
  AgentHomed,
  DialerStatusChanged,
  AgentMonitorStarted,
  AgentMonitorEnded,
  CampaignSettingsChanged,
  StateRulesChanged,
  TalkMessageSent,
  TalkMessagesRead,
  TalkHandChanged,
  RecordingChanged,
  RecordingBacklog,
  QualityScorecardSaved,
  QualityReviewSaved,
  AmdReviewMarked,
  CallTalking,
  CallVoicemail,
]);
export type DomainEvent = z.infer<typeof DomainEvent>;
export type DomainEventType = DomainEvent['type'];
export type EventOf<T extends DomainEventType> = Extract<DomainEvent, { type: T }>;

/** A domain event as carried on the bus: which stream, its sequence number in that stream. */
export const BusEnvelope = z.object({
  v: z.literal(1),
  stream: z.string().max(128),
  /** 1, 2, 3, ... per stream; a consumer that sees a jump re-snapshots. */
  seq: z.number().int().positive(),
  tsMs: EpochMs,
  event: DomainEvent,
});
export type BusEnvelope = z.infer<typeof BusEnvelope>;

export type AgentStateChanged = z.infer<typeof AgentStateChanged>;
export type AgentHomed = z.infer<typeof AgentHomed>;
export type CallOriginated = z.infer<typeof CallOriginated>;
export type CallRinging = z.infer<typeof CallRinging>;
export type CallAnswered = z.infer<typeof CallAnswered>;
export type CallAmdDecided = z.infer<typeof CallAmdDecided>;
export type CallWaiting = z.infer<typeof CallWaiting>;
export type CallBridged = z.infer<typeof CallBridged>;
export type CallDropped = z.infer<typeof CallDropped>;
export type CallSafeHarborPlayed = z.infer<typeof CallSafeHarborPlayed>;
export type CallEnded = z.infer<typeof CallEnded>;
export type TelephonyStatusChanged = z.infer<typeof TelephonyStatusChanged>;
export type DialerStatusChanged = z.infer<typeof DialerStatusChanged>;
export type AgentMonitorStarted = z.infer<typeof AgentMonitorStarted>;
export type AgentMonitorEnded = z.infer<typeof AgentMonitorEnded>;
export type CampaignSettingsChanged = z.infer<typeof CampaignSettingsChanged>;
