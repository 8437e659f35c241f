import type {
  AgentId,
  CallId,
  CampaignId,
  DialerStatusChanged,
  E164,
  LeadId,
  ListId,
} from '@ringside/protocol';
import type { RecycleRule } from '../domain/calling-window.js';
import type { KpiSums } from '../domain/kpi/index.js';
import type { LedgerDay, PacingControl } from '../domain/pacing/index.js';
import type { RingsideError } from '../errors.js';
import type { AgentCommand } from './agents.js';

/**
 * Ports of the dialer (services/dialer): what it needs from the world besides the state store,
 * bus and hopper ports. Production: the ARI client, CallOriginator, AgentSessionService,
 * adapters/redis/dialer-state.ts (lease, ledger, controller state, AMD audit),
 * adapters/redis/dialer-live.ts, adapters/redis/dialer-dnc.ts and adapters/postgres/dialer-leads.ts;
 * fakes in the driver's unit tests (services/dialer/driver-test-world.ts) and test/dialer.
 */

/** The part of the ARI client the dialer drives calls with, on the call's own Asterisk server. */
export interface DialerAri {
  createBridge(bridgeId: string, type?: 'mixing' | 'holding', name?: string): Promise<unknown>;
  addChannel(bridgeId: string, channel: string | string[]): Promise<void>;
  removeChannel(bridgeId: string, channel: string | string[]): Promise<void>;
  playOnChannel(channelId: string, media: string | string[], playbackId?: string): Promise<unknown>;
  getPlayback(playbackId: string): Promise<unknown>;
  hangup(channelId: string): Promise<void>;
  /** Sets a channel variable (the voicemail drop's TALK_DETECT). */
  setVariable?(channelId: string, variable: string, value: string): Promise<void>;
  /** Records a channel (the AMD review: `rec-<callId>-1`, wav). */
  recordChannel?(
    channelId: string,
    o: { name: string; format?: 'wav'; ifExists?: 'fail' | 'overwrite' | 'append' },
  ): Promise<unknown>;
  /** A stored recording's file (the AMD review reads its length). */
  getStoredRecordingFile?(name: string): Promise<Buffer>;
}

/** One call to place. Ids are ours: the customer channel is `callId`, its Local peer `callId-2`. */
export interface OriginateCall {
  callId: CallId;
  campaignId: CampaignId;
  leadId: LeadId;
  listId: ListId;
  phone: E164;
  /** This dial is attempt number `attempt` (1 for the first). */
  attempt: number;
  /** The agent for manual/preview dials; null for dialer-placed calls. */
  agentId?: AgentId | null;
  manual?: boolean;
  /** Seconds to ring before no answer (campaign ring_timeout_s; at least 15). */
  ringTimeoutS: number;
  /** Caller id shown to the customer, e.g. "Ringside" <+15550000000>. */
  callerId?: string | null;
  /** Dialplan context run on answer (default dialer-outbound: AMD, then Stasis). */
  context?: string;
}

export type OriginateResult =
  | { ok: true; serverId: string }
  | {
      ok: false;
      /** TelephonyError (Asterisk refused or did not answer) or UnavailableError (no free server). */
      error: RingsideError;
      /** False when no call state was written at all (no server): the lead was never dialed. */
      attempted: boolean;
    };

/** Takes an Asterisk server out of the dialing pool and puts it back (the trunk breaker's lever). */
export interface ServerAvailability {
  setUp(serverId: string, up: boolean): void;
}

/** Places calls: CallOriginator (records live_call and call_log, then POST /channels). */
export interface Originator {
  originate(req: OriginateCall): Promise<OriginateResult>;
}

/** Agent state changes the dialer makes (connect, unreserve, pause): AgentSessionService. */
export interface AgentCommands {
  apply(agentId: AgentId, command: AgentCommand, reason: string): Promise<unknown>;
}

/**
 * Timers in the dialer's clock (virtual milliseconds under a simulation's time scale). Returns a
 * function that cancels the timer.
 */
export interface Timers {
  after(ms: number, fn: () => void): () => void;
}

/** Real timers, with virtual time running `speed` times faster than the wall clock. */
export function scaledTimers(speed = 1): Timers {
  return {
    after(ms, fn) {
      const t = setTimeout(fn, Math.max(0, ms / speed));
      return () => clearTimeout(t);
    },
  };
}

/** One hand-off measured from the AMD decision to the customer's entry in the agent's bridge. */
export interface HandoffSample {
  callId: CallId;
  agentId: AgentId;
  /** Parked in the holding bridge first (no agent was ready at the decision). */
  parked: boolean;
  /** Wall-clock ms from the dialer seeing call.amd to ARI confirming the bridge add. */
  realMs: number;
  /** performance.now() when the dialer saw call.amd, and when ARI confirmed the add. */
  seenAtPerf: number;
  doneAtPerf: number;
}

/** What the dialer writes about leads (adapters/postgres/dialer-leads.ts); a fake in unit tests. */
export interface DialerLeads {
  /** The lead was dialed (attempt counted, last call noted). */
  dialed(leadId: LeadId, callId: string, atMs: number): void;
  /**
   * The attempt ended with `outcome`: the lead leaves the hopper mark and becomes eligible again
   * at `next.eligibleAtMs`, or never once it has had `next.maxAttempts` attempts (the campaign's
   * recycle rules decide both: services/dialer/campaign-run.ts leadRecycle).
   */
  ended(leadId: LeadId, callId: string, outcome: string, atMs: number, next: LeadRecycle): void;
  /** Popped but not dialed (DNC, window, attempts): out of the hopper, back to the filler's rules. */
  skipped(leadId: LeadId, rule: string, atMs: number, retryAtMs: number | null): void;
  /** Resolves when every write queued so far is done (tests, shutdown). */
  flush(): Promise<void>;
  /**
   * Dialer calls of the campaign originated since `sinceMs` whose lead still carries its hopper
   * mark although the call was placed during that stay: the lead's end was never applied (a
   * previous lease holder died between recording the call and acking its hopper lease, or the
   * call ended while no dialer held the campaign). Read by the new holder when it takes over.
   */
  unsettled?(campaignId: CampaignId, sinceMs: number): Promise<UnsettledCall[]>;
}

/** A call whose lead was not settled (DialerLeads.unsettled); `outcome` null while it is live. */
export interface UnsettledCall {
  callId: CallId;
  leadId: LeadId;
  outcome: string | null;
  endedAtMs: number | null;
}

export interface RecyclePolicy {
  rules: Readonly<Record<string, RecycleRule>>;
  maxAttempts: number;
}

/** When an ended lead may be dialed again: epoch ms, and the attempts after which never. */
export interface LeadRecycle {
  eligibleAtMs: number;
  maxAttempts: number;
}

/** A lead as a manual dial needs it. */
export interface DialLead {
  id: LeadId;
  listId: ListId;
  campaignId: CampaignId;
  phone: E164;
  tzCandidates: string[];
  attempts: number;
  /** Where the lead is, for the state rules (statesOfLead). */
  state: string | null;
  postalCode: string | null;
  country: string | null;
}

/** The leads a manual dial looks up or adds (adapters/postgres/dialer-leads.ts). */
export interface ManualDialLeads extends DialerLeads {
  /** A lead of one of the campaign's lists. */
  leadInCampaign(campaignId: string, leadId: string): Promise<DialLead | null>;
  /** The campaign's lead with this number (the most recent one). */
  leadByPhone(campaignId: string, phone: string): Promise<DialLead | null>;
  /** A lead for a number no list of the campaign holds; null when the campaign has no list. */
  createManualLead(
    campaignId: string,
    phone: string,
    tz: { timeZone: string | null; candidates: string[]; key: string; source: string },
  ): Promise<DialLead | null>;
}

/** The dial-time DNC question the dialer asks (services/dialer/dnc-cache.ts); a fake in unit tests. */
export interface DncChecker {
  /**
   * True when the number is on the internal (system-wide) list, the campaign's list, or, unless
   * `scrubNational` is false (a campaign the admin exempted), the national registry.
   */
  isBlocked(phone: string, campaignId: string, scrubNational?: boolean): Promise<boolean>;
}

/** One row of the dnc table: `campaignId` null for the system-wide list. */
export interface DncRow {
  id: string;
  phone: string;
  campaignId: string | null;
}

/** The dnc table, read in id order (ids only grow): adapters/postgres/dialer-leads.ts. */
export interface DncRows {
  /** Up to `limit` rows with an id above `afterId`, in id order. */
  after(afterId: string, limit: number): Promise<DncRow[]>;
}

/**
 * The DNC sets the dial-time check reads (adapters/redis/dialer-dnc.ts): the system-wide set and
 * one per campaign (`campaignId` null: the system-wide one).
 */
export interface DncSets {
  /** On the system-wide set or the campaign's: one round trip. */
  isListed(phone: string, campaignId: string): Promise<boolean>;
  add(phone: string, campaignId: string | null): Promise<void>;
  remove(phone: string, campaignId: string | null): Promise<void>;
  /** Adds rows in one round trip. */
  addMany(rows: readonly DncRow[]): Promise<void>;
  /**
   * A full copy: rows added to scratch sets, then each renamed over its live set (atomic for
   * readers); a live set of `campaignIds` (or the system-wide one) no row filled is emptied.
   */
  rebuild(campaignIds: readonly string[]): DncRebuild;
}

export interface DncRebuild {
  addMany(rows: readonly DncRow[]): Promise<void>;
  /** Swaps every scratch set in; returns how many sets it replaced or emptied. */
  commit(): Promise<number>;
}

/** What a campaign's dialer is doing, for supervisors (published as dialer.status: status-publisher.ts). */
export interface DialerStatus {
  campaignId: CampaignId;
  /** The instance driving it. */
  instanceId: string;
  /** idle: not dialing now (see reason); dialing: placed calls in the last decision. */
  state: 'idle' | 'dialing' | 'blocked';
  /** One sentence a supervisor can read: why it dials this much, or why it does not dial. */
  reason: string;
  mode: string;
  appliedMode: string;
  readyAgents: number;
  callsInFlight: number;
  waitingForAgent: number;
  atMs: number;
  /** The 30-day ledger: counted drops apart from the estimated AMD drops (docs/pacing.md). */
  drops?: DialerStatusDrops;
  /** The AMD rule and the campaign's AMD error estimate. */
  amd?: DialerStatusAmd;
}

export interface DialerStatusDrops {
  counted: number;
  estimated: number;
  /** Human answers counted (the estimated people come on top in ratePct's denominator). */
  humans: number;
  /** (counted + estimated) / (humans + estimated), percent: what pacing budgets against. */
  ratePct: number;
  capPct: number;
  /** Today's counted drops and human answers (the ledger's current day). */
  today?: { drops: number; humans: number };
}

export interface DialerStatusAmd {
  /** False: MACHINE verdicts go to agents, AMD's errors alone would spend the cap (`note`). */
  hangups: boolean;
  note: string;
  source: 'admin' | 'audit';
  humanAsMachinePct: number;
  machineAsHumanPct: number;
  /** The audit's 95 % Wilson interval of people among MACHINE verdicts, with its mark count. */
  interval: { lo: number; hi: number; marks: number } | null;
  auditPct: number;
}

/** What a campaign driver calls with each status it writes (services/dialer/pacing.ts `report`). */
export interface StatusObserver {
  /** `dialLevel`: the campaign's dial level the driver applies. Never throws, never waits. */
  observe(status: DialerStatus, dialLevel: number): void;
}

/**
 * One dialer instance drives a campaign at a time: a lease with a TTL, renewed by its owner
 * (adapters/redis/dialer-state.ts CampaignLeases).
 */
export interface CampaignLeaseStore {
  readonly ownerId: string;
  /** Lease TTL, ms (real time). */
  readonly ttlMs: number;
  /** Takes the lease when free, renews it when ours; true when we hold it afterwards. */
  acquireOrRenew(campaignId: CampaignId): Promise<boolean>;
  give(campaignId: CampaignId): Promise<void>;
  owner(campaignId: CampaignId): Promise<string | null>;
}

/** The drop-rate ledger's counts per UTC day (adapters/redis/dialer-state.ts LedgerStore). */
export interface DropLedgerStore {
  /** `estimated`: expected people AMD hung up on; `estimatedAnswers`: people among MACHINE verdicts agents got. */
  add(
    campaignId: CampaignId,
    day: number,
    drops: number,
    humans: number,
    estimated?: number,
    estimatedAnswers?: number,
  ): Promise<void>;
  days(campaignId: CampaignId): Promise<LedgerDay[]>;
  exists(campaignId: CampaignId): Promise<boolean>;
  /** Replaces the counts (rebuild from call_log); estimated drops kept unless `days` carry them. */
  replace(campaignId: CampaignId, days: readonly LedgerDay[]): Promise<void>;
}

/** Each campaign's predictive controller state, beside its lease (PacingControlStore). */
export interface PacingControlPort {
  load(campaignId: CampaignId): Promise<PacingControl | null>;
  /** False when this instance no longer holds the campaign (nothing written). */
  save(campaignId: CampaignId, control: PacingControl): Promise<boolean>;
}

export type AmdMark = 'person' | 'machine';

/** The AMD audit's marks (AmdAuditStore; docs/pacing.md). */
export interface AmdAudit {
  /** The dialer sent this MACHINE verdict to an agent: it may be marked. */
  pending(campaignId: CampaignId, callId: string): Promise<void>;
  /** 'not-audited' when the call is no MACHINE verdict of the campaign sent to an agent. */
  mark(
    campaignId: CampaignId,
    callId: string,
    mark: AmdMark,
  ): Promise<'counted' | 'unchanged' | 'changed' | 'not-audited'>;
  marks(campaignId: CampaignId): Promise<{ person: number; machine: number }>;
}

/** Last count of dialable leads (hopper filler). */
export interface DialableCount {
  count: number;
  atMs: number;
}

/**
 * The campaign's live figures (adapters/redis/dialer-live.ts CampaignLiveStore): the dialable-lead
 * count the filler writes, the last published status per campaign (snapshots), the KPI sums.
 */
export interface CampaignLive {
  putDialable(campaignId: CampaignId, c: DialableCount): Promise<void>;
  getDialable(campaignId: CampaignId): Promise<DialableCount | null>;
  /** Keeps the campaign's last status; `refreshedAtMs` says its dialer is still there. */
  putLive(e: DialerStatusChanged, refreshedAtMs: number): Promise<void>;
  /** The statuses refreshed within `maxAgeMs` of `nowMs`; stale ones are removed. */
  listLive(
    nowMs: number,
    maxAgeMs?: number,
    campaignId?: CampaignId,
  ): Promise<DialerStatusChanged[]>;
  /** Adds to the day's sums once per (stream, seq); true when this call applied it. */
  addKpi(
    campaignId: CampaignId,
    day: number,
    stream: string,
    seq: number,
    add: Partial<KpiSums>,
  ): Promise<boolean>;
  /** Adds whole sums to a day's figures, with no event mark (rebuild from PostgreSQL). */
  addKpiTotals(campaignId: CampaignId, day: number, sums: KpiSums): Promise<void>;
  kpi(campaignId: CampaignId, day: number): Promise<KpiSums>;
}

/** One UTC day, ms. */
export const DAY_MS = 86_400_000;

/** A status older than this (ms, no refresh from its dialer) is left out of snapshots. */
export const LIVE_STATUS_MAX_AGE_MS = 15_000;

/** The drop budget's durable side (adapters/postgres/drop-ledger.ts). */
export interface DropLedgerSource {
  /** The campaign's drop-rate cap, percent; null for an unknown campaign. */
  capPct(campaignId: CampaignId): Promise<number | null>;
  /** The ledger's days rebuilt from call_log (counted and estimated), as of `nowMs`. */
  fromCallLog(campaignId: CampaignId, nowMs: number): Promise<LedgerDay[]>;
}

/** The dnc table, for a check that may not wait for the Redis sets to catch up (manual dials). */
export interface DncTable {
  /** Whether `phone` is on the global list or the campaign's. */
  listed(phone: string, campaignId: string): Promise<boolean>;
}
