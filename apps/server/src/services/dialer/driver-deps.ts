import type { CallId, CampaignId } from '@ringside/protocol';
import type { Logger } from '../../logger.js';
import type { CallLogWriter } from '../../ports/call-log.js';
import type { Clock } from '../../ports/clock.js';
import type { AgentHomes, FleetCrossing, NearReserver } from '../../ports/fleet.js';
import type { Hopper } from '../../ports/hopper.js';
import type { Metrics } from '../../ports/metrics.js';
import type { StateStore } from '../../ports/state-store.js';
import type { DialCompliance } from '../compliance/dial-compliance.js';
import type { VoicemailDeps } from '../voicemail/dialer-voicemail.js';
import type {
  AgentCommands,
  AmdAudit,
  DropLedgerStore,
  PacingControlPort,
  DialerAri,
  DialerLeads,
  DncChecker,
  HandoffSample,
  Originator,
  StatusObserver,
  Timers,
} from '../../ports/dialer.js';

/** Everything a campaign driver uses; shared by the drivers of one dialer instance. */
export interface DriverDeps {
  instanceId: string;
  /**
   * Whether this instance still holds the campaign's lease (renewing it), asked once per decision
   * right before its calls are placed: a holder that lost the lease mid-decision (it stalled past
   * the TTL) places none of them, and `leaseLost` is told. Absent: not asked (tests of one driver).
   */
  holdsLease?(campaignId: CampaignId): Promise<boolean>;
  /** The lease was found lost mid-decision: the driver has stopped; the service lets it go. */
  leaseLost?(campaignId: CampaignId): void;
  store: StateStore;
  /**
   * The store the hand-off reserves agents through; production gives it its own Redis
   * connection so a reservation never queues behind a pacing decision's reads. Default `store`.
   */
  handoffStore?: Pick<StateStore, 'reserveLongestReady'>;
  /**
   * Several Asterisk servers (docs/telephony.md, "Asterisk fleet"): the hand-off reserves an agent
   * homed on the customer's server first, and connects one homed elsewhere over the trunk
   * (`crossing`; null: no trunk, the customer is added to the agent's bridge on its own server as
   * with one server). Absent: reserveLongestReady, one server.
   *
   * `down` names the servers whose ARI connection is lost now (`telephony.status` from their
   * ari-worker), before the server is declared lost and its agents re-homed: the agents homed
   * there are not offered calls and do not count as ready for pacing, and the calls on it do not
   * count as covering anyone (`homes` tells where an agent is homed).
   */
  fleet?: {
    near: NearReserver;
    crossing: FleetCrossing | null;
    down?: () => readonly string[];
    homes?: Pick<AgentHomes, 'homesOf'>;
    /** The server an agent with no home counts as on (the fleet's first). */
    defaultServerId?: string;
  };
  hopper: Hopper;
  originator: Originator;
  /** The ARI client of an Asterisk server, by the id calls carry (live_call.serverId). */
  ari(serverId: string): DialerAri | null;
  agents: AgentCommands;
  dnc: DncChecker;
  leads: DialerLeads;
  /** The drop ledger (counted drops, human answers, and AMD's estimated ones) per UTC day. */
  ledger: Pick<DropLedgerStore, 'add' | 'days'>;
  /** call_log, where each call's AMD error estimate is kept durably (`amd_estimate` step). */
  callLog?: Pick<CallLogWriter, 'step'>;
  /**
   * The AMD audit (agents' "a person" / "a machine" marks): the campaign's counts, and the
   * record that a MACHINE verdict went to an agent and may be marked. Absent: no marks.
   */
  amdAudit?: Pick<AmdAudit, 'marks' | 'pending'>;
  /**
   * Where the predictive controller's state lives between decisions and across lease holders
   * (Redis, beside the lease: PacingControlStore). Absent: kept in memory only.
   */
  pacingControl?: PacingControlPort;
  /** Gets each status, with the dial level applied (status-publisher.ts publishes it). */
  statusObserver?: StatusObserver;
  clock: Clock;
  timers: Timers;
  logger: Logger;
  newCallId(): CallId;
  /** Wall clock for latency measurements (performance.now()). */
  perfNow(): number;
  /** How long a popped lead stays leased before the hopper takes it back, ms. */
  hopperLeaseMs: number;
  /**
   * Virtual ms it takes to start the safe-harbor message once decided (remove from holding, play,
   * the worker seeing it start); subtracted from the drop wait so the message starts within 2 s.
   */
  safeHarborStartMs: number;
  /** Most calls not yet with an agent per working agent (pacing cap). */
  maxLinesPerAgent: number;
  onHandoff?(sample: HandoffSample): void;
  /**
   * State calling rules at dial time (windows, attempts per number per 24 h); the dialer role
   * always gives it. Absent (unit tests of other behaviour): only the federal rules apply.
   */
  compliance?: DialCompliance;
  /** Pacing decisions and theta for the operators' metrics (docs/metrics.md). */
  metrics?: Pick<Metrics, 'pacingDecision'>;
  /**
   * Voicemail drop and the AMD review's recordings (services/voicemail). Absent: a MACHINE
   * verdict's message is the campaign's machine_message_audio played at once, nothing recorded.
   */
  voicemail?: VoicemailDeps;
}
