import type { SupervisorActions } from '../services/supervisor/supervisor-actions.js';
import type { ReportsService } from '../services/reports/reports-service.js';
import type { Readable } from 'node:stream';
import type {
  BusEnvelope,
  Campaign,
  CampaignId,
  CampaignPatch,
  ImportMapping,
  ImportReport,
  ListId,
  TelephonyStatusResponse,
} from '@ringside/protocol';
import type { AuditLog } from '../ports/audit.js';
import type { LeadsRepo } from '../ports/leads.js';
import type { DispositionsRepo, PauseCodesRepo } from '../ports/dispositions.js';
import type { CampaignsRepo } from '../ports/campaigns.js';
import type { StateRulesRepo } from '../ports/compliance.js';
import type { DncMirror, DncRepo } from '../ports/dnc.js';
import type { ListsRepo } from '../ports/lists.js';
import type { TeamsRepo } from '../ports/teams.js';
import type { UsersAdminRepo } from '../ports/users.js';
import type { WhyNotDialed } from '../services/compliance/why-not-dialed.js';
import type { ImportPreviewResult, PreviewOptions } from '../services/import/index.js';
import type { UsersRepo } from '../ports/users.js';
import type { Logger } from '../logger.js';
import type { Clock } from '../ports/clock.js';
import type { EventBus } from '../ports/event-bus.js';
import type { AgentPresence, AgentSessionApi } from '../ports/agents.js';
import type { StateStore } from '../ports/state-store.js';
import type { AgentTelephony } from '../ports/telephony.js';

/**
 * What the HTTP API and the WebSocket gateway need, as narrow interfaces: roles/api.ts wires the
 * real adapters and services, tests wire the real PostgreSQL/Redis or the port fakes.
 */

/** Up/down per Asterisk server id; a server missing from the answer is reported down. */
export type TelephonyStatus = () => Promise<Record<string, boolean>>;

export interface HealthChecks {
  /** Resolves when PostgreSQL answers; rejects (or false) when it does not. */
  postgres(): Promise<boolean>;
  redis(): Promise<boolean>;
  telephonyStatus: TelephonyStatus;
  /** Servers that must appear in the telephony answer (from the configuration). */
  telephonyServers: readonly string[];
  /**
   * Per server: up/down, the module check and the phones' codecs (roles/api.ts builds it from
   * adapters/asterisk/asterisk-modules.ts). Unset: /health shows no codecs and the supervisor's
   * telephony status answers 503.
   */
  telephonyDetails?: () => TelephonyStatusResponse;
}

/** Campaign read/update (the DB engineer's repository behind it). */
export interface CampaignsApi {
  list(): Promise<Campaign[]>;
  get(id: CampaignId): Promise<Campaign | null>;
  /** Applies a validated partial update; null when the campaign does not exist. */
  update(id: CampaignId, patch: CampaignPatch): Promise<Campaign | null>;
}

export interface ImportLeadsArgs {
  listId: ListId;
  input: Readable;
  fileName?: string;
  mapping?: ImportMapping;
  /** The user running the import. */
  createdBy?: string;
}

/** The lead-import service (services/import). */
export type ImportLeadsFn = (args: ImportLeadsArgs) => Promise<ImportReport>;

/** Telephony commands for the agent's own phone leg and calls (a port: ports/telephony.ts). */
export type { AgentTelephony };

export interface AppConfig {
  sessionSecret: string;
  cookieSecure: boolean;
  /** Session lifetime (ms). */
  sessionTtlMs?: number;
  /** Login attempts per IP per minute. */
  loginPerIpPerMinute?: number;
  /** Failed-login delays per (username, address) and lock per address (login-guard.ts). */
  loginGuard?: Partial<import('./login-guard.js').LoginGuardOptions>;
  /** Whose address a request comes from (TRUST_PROXY, Fastify trustProxy); default false. */
  trustProxy?: import('../config.js').TrustProxy;
  /** Production: source maps of the panel are not served. */
  production?: boolean;
  /**
   * Origins besides the page's own that the panel may connect to (CSP connect-src), e.g. the
   * SIP WebSocket of the browser phones (wss://pbx:8089).
   */
  connectSources?: string[];
  /** WebSocket: server heartbeat period (ms). */
  wsHeartbeatMs?: number;
  /** WebSocket: an agent with no socket and no heartbeat for this long is paused (ms). */
  wsAgentLossMs?: number;
  /** Pause code the system uses when it pauses a vanished agent. */
  wsLossPauseCode?: string;
  /** The built agent panel (apps/web/dist), served on GET outside /api and /ws; null: none. */
  webRoot?: string | null;
  /** METRICS_TOKEN: GET /metrics wants it as a bearer token; null or absent: open. */
  metricsToken?: string | null;
}

/**
 * What the admin screens for users, teams and campaigns write through (roles/api.ts wires the
 * PostgreSQL repositories). Campaign updates go through the same repository the dialer reads,
 * so the running dialer applies them at its next settings reload, as it does the supervisor's
 * dial-level change.
 */
export interface AdminRepos {
  users: UsersAdminRepo;
  teams: TeamsRepo;
  campaigns: CampaignsRepo;
}

/**
 * What the admin routes for lists, imports, dispositions, pause codes and DNC need
 * (AppDeps.listAdmin). Absent: those routes answer 503.
 */
export interface ListAdminDeps {
  lists: ListsRepo;
  dispositions: DispositionsRepo;
  pauseCodes: PauseCodesRepo;
  dnc: DncRepo;
  /**
   * The dialer's Redis DNC sets (services/dialer/dnc-cache.ts DncCache), told right after each write to
   * the dnc table, as the disposition service does: a number added here is refused at the very
   * next dial attempt, even when its lead already sits in a hopper.
   */
  dncCache: DncMirror;
  /** The import's dry run (services/import/preview.ts): reads, never writes. */
  previewImport(opts: PreviewOptions): Promise<ImportPreviewResult>;
}

/** What the compliance routes need (roles/api.ts builds it). */
export interface ComplianceDeps {
  stateRules: StateRulesRepo;
  whyNotDialed: Pick<WhyNotDialed, 'explain'>;
}

export interface AppDeps {
  config: AppConfig;
  /** Reports from PostgreSQL (issue 6); routes answer 503 without it. */
  reports?: ReportsService;
  /** Admin screens: users, teams, campaigns (issue 6); those routes answer 503 without it. */
  admin?: AdminRepos;
  /** Admin: lists, imports, dispositions, pause codes, DNC; those routes answer 503 without it. */
  listAdmin?: ListAdminDeps;
  /** Supervisor actions (roles/api-agents.ts); the supervisor routes answer 503 without them. */
  supervisor?: SupervisorActions;
  /** The supervisor wall's thresholds per campaign (roster, thresholds routes); absent: defaults, 503 on PUT. */
  wallThresholds?: import('../ports/supervisor.js').WallThresholdsRepo;
  /** The last dialer.status of each driven campaign, for supervisors' snapshots (gateway). */
  campaignLive?: {
    listLive(
      nowMs: number,
      maxAgeMs?: number,
      campaignId?: CampaignId,
    ): Promise<import('@ringside/protocol').DialerStatusChanged[]>;
  };
  /** The live calls' recordings, for the snapshots' REC / Paused (gateway); absent: none sent. */
  liveRecordings?: Pick<import('../ports/recording-calls.js').LiveRecordingStore, 'get'>;
  logger: Logger;
  clock: Clock;
  users: UsersRepo;
  audit: AuditLog;
  campaigns: CampaignsApi;
  /** A campaign's dispositions and pause codes, system-wide ones included. */
  dispositions: Pick<DispositionsRepo, 'forCampaign'>;
  pauseCodes: Pick<PauseCodesRepo, 'forCampaign'>;
  /** Leads for the screen pop and search (PostgreSQL; not on the real-time path). */
  leads: Pick<LeadsRepo, 'get' | 'history' | 'search'>;
  importLeads: ImportLeadsFn;
  agentSessions: AgentSessionApi;
  /** The agent's own day and the dispositions' usage (roles/api-agents.ts); absent: 503. */
  agentDesk?: Pick<
    import('../services/agents/agent-desk.js').AgentDesk,
    'myDay' | 'dispositionUsage'
  >;
  stateStore: StateStore;
  eventBus: EventBus;
  health: HealthChecks;
  presence?: AgentPresence;
  telephony?: AgentTelephony;
  /** The AMD audit's marks (ports/dialer.ts AmdAudit); absent: 503. */
  amdAudit?: {
    mark(
      campaignId: CampaignId,
      callId: string,
      mark: 'person' | 'machine',
    ): Promise<'counted' | 'unchanged' | 'changed' | 'not-audited'>;
  };
  /** Voicemail drop messages and settings (routes/voicemail.ts); absent: 503. */
  voicemail?: import('../ports/voicemail.js').VoicemailApi;
  /** Legal holds on leads' and calls' recordings (routes/recording-retention.ts); absent: 503. */
  legalHolds?: import('../services/recordings/store/ports.js').LegalHoldRows;
  /** Sees every bus event the gateway receives (e.g. to track telephony status). */
  observeEvent?: (envelope: BusEnvelope) => void;
  /**
   * Prometheus metrics of this process: GET /metrics serves them (404 without), the gateway
   * reports its clients and push latency to them (docs/metrics.md).
   */
  metrics?: import('../ports/metrics.js').MetricsRegistry;
  /**
   * Two-factor sign-in (TOTP + recovery codes; routes/auth-2fa.ts). The api role always wires it;
   * without it logins have no second step and the /2fa routes answer 503.
   */
  twoFactor?: import('../services/admin/two-factor.js').TwoFactorService;
  /** Agent and supervisor talk over the WebSocket (ws/talk.ts); absent: talk.* answers UNAVAILABLE. */
  talk?: import('../services/messages/talk-service.js').TalkService;
  /** State calling rules and "why not dialed" (routes/compliance.ts); absent: not served. */
  compliance?: ComplianceDeps;
  /** Listening to recordings (routes/recording-play.ts); absent: those routes answer 503. */
  recordingPlay?: import('../services/recordings/play/player.js').RecordingPlayer;
  /** Record, Pause and Resume of a call's recording (routes/recording.ts); absent: 503. */
  recordingControl?: import('../services/recordings/call-recording-control.js').RecordingControl;
  /** Sets a lead's consent-notice override (routes/recording.ts); absent: 503. */
  leadConsent?: Pick<LeadsRepo, 'setRecordingConsent'>;
  /** Scorecards, reviews, scores, the AMD review list (routes/quality.ts); absent: 503. */
  quality?: import('../services/quality/quality-service.js').QualityService;
}
