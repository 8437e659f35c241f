import { z } from 'zod';
import { AgentState, DialMethod, Role } from './agent.js';
import { CallStage } from './events.js';
import { code, Hhmm } from './fields.js';

/**
 * HTTP bodies, query strings and responses of the Ringside API. The server validates every
 * request against these and generates its OpenAPI description from them; the browser uses the
 * same schemas and types. Numeric database ids travel as decimal strings.
 */

/** A decimal database id in a path or body ("42"). */
export const NumericId = z
  .string()
  .regex(/^[1-9][0-9]{0,17}$/, 'must be a positive integer id')
  .describe('decimal database id');

export const IdParams = z.object({ id: NumericId });
export type IdParams = z.infer<typeof IdParams>;

/** Every error answer: a stable code, a message, and for validation failures the fields. */
export const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

// ---------------------------------------------------------------------------------------------
// Auth

export const Username = z
  .string()
  .min(2)
  .max(64)
  .regex(/^[a-z0-9._-]+$/, 'must be 2-64 of a-z 0-9 . _ -');

export const LoginBody = z.object({
  username: Username,
  password: z.string().min(1).max(256),
  /** The second factor: a 6-digit TOTP code or a recovery code (docs/security.md). */
  code: z.string().trim().min(1).max(16).optional(),
});
export type LoginBody = z.infer<typeof LoginBody>;

export const Me = z.object({
  id: NumericId,
  username: z.string(),
  displayName: z.string(),
  role: Role,
  phoneType: z.enum(['webrtc', 'sip']),
});
export type Me = z.infer<typeof Me>;

export const LoginResponse = z.object({
  user: Me,
  /** The session token, also set as an HttpOnly cookie; bots send it as `Authorization: Bearer`. */
  token: z.string(),
  expiresAtMs: z.number().int(),
});
export type LoginResponse = z.infer<typeof LoginResponse>;

export const OkResponse = z.object({ ok: z.literal(true) });
export type OkResponse = z.infer<typeof OkResponse>;

// ---------------------------------------------------------------------------------------------
// Health

export const HealthStatus = z.enum(['up', 'down']);
export const HealthResponse = z.object({
  status: HealthStatus,
  postgres: HealthStatus,
  redis: HealthStatus,
  /** Per Asterisk server id (host:port); 'down' when its state is unknown. */
  telephony: z.record(z.string(), HealthStatus),
  /**
   * The codecs agents' browser phones are offered, in order (G.711 first; opus appended only
   * where Asterisk runs codec_opus). Absent when no Asterisk is configured.
   */
  codecs: z.array(z.string()).optional(),
  /** Whether Opus is offered to the browser phones. */
  opusOffered: z.boolean().optional(),
  /** Per server: the modules Ringside needs that its start-up check found missing. */
  missingModules: z.record(z.string(), z.array(z.string())).optional(),
});
export type HealthResponse = z.infer<typeof HealthResponse>;

/** One Asterisk server as the supervisor's telephony status shows it. */
export const TelephonyServerView = z.object({
  serverId: z.string(),
  up: z.boolean(),
  /** Why it is down ('connected' when up). */
  reason: z.string(),
  sinceMs: z.number().int().nullable(),
  /** Modules Ringside needs that are not running (empty: none, or not checked). */
  missingModules: z.array(z.string()),
  /** Why the module check could not run (wrong ARI credentials, unreachable), else null. */
  checkFault: z.string().nullable(),
  /** The browser phones' codecs on this server, in order. */
  codecs: z.array(z.string()),
  opusOffered: z.boolean(),
});
export type TelephonyServerView = z.infer<typeof TelephonyServerView>;

/** GET /api/supervisor/telephony. */
export const TelephonyStatusResponse = z.object({
  servers: z.array(TelephonyServerView),
  /** The codecs of the server agents' phones live on (the first), in order. */
  codecs: z.array(z.string()),
  opusOffered: z.boolean(),
});
export type TelephonyStatusResponse = z.infer<typeof TelephonyStatusResponse>;

// ---------------------------------------------------------------------------------------------
// Campaigns

const DispositionCode = code();

/** A campaign as the API shows it. Durations carry their unit in the name. */
export const Campaign = z.object({
  id: NumericId,
  name: z.string(),
  active: z.boolean(),
  dialMethod: DialMethod,
  dialLevel: z.number(),
  dropRateCapPct: z.number(),
  dropWaitMs: z.number().int(),
  ringTimeoutS: z.number().int(),
  hopperSize: z.number().int(),
  windowStart: Hhmm,
  windowEnd: Hhmm,
  maxAttempts: z.number().int(),
  callerId: z.string().nullable(),
  amdEnabled: z.boolean(),
  machineAction: z.enum(['hangup', 'message']),
  machineMessageAudio: z.string().nullable(),
  safeHarborAudio: z.string(),
  wrapupS: z.number().int(),
  wrapupTimeoutAction: z.enum(['disposition', 'pause']),
  wrapupDefaultDisposition: z.string(),
  script: z.string(),
  /** How many times an agent may extend one call's wrap-up (0: never), and by how many seconds. */
  wrapupExtensions: z.number().int(),
  wrapupExtensionS: z.number().int(),
  /** Dial-time check against the national DNC registry; false only for an exempted campaign. */
  nationalDncScrub: z.boolean(),
  /** AMD error estimate (admin-set), percent: people judged machines, machines judged people. */
  amdHumanAsMachinePct: z.number(),
  amdMachineAsHumanPct: z.number(),
  /** Share of MACHINE verdicts sent to agents for the AMD audit, percent. */
  amdAuditPct: z.number(),
  /** Recording policy (docs/recording.md): all calls, none, a share (recordingPct), on demand. */
  recordingMode: z.enum(['all', 'none', 'percent', 'on_demand']),
  recordingPct: z.number().int(),
  /** Consent notice: off, to leads in two-party-consent states, to everyone. */
  consentMode: z.enum(['off', 'two_party', 'all']),
  /** The notice's Asterisk media URI. */
  consentMedia: z.string(),
  /** PCI pause/resume through the API only, not the agent's button. */
  recordingPauseApiOnly: z.boolean(),
  recordingRetentionDays: z.number().int(),
  agentsHearOwnRecordings: z.boolean(),
});
export type Campaign = z.infer<typeof Campaign>;

export const CampaignList = z.object({ campaigns: z.array(Campaign) });
export type CampaignList = z.infer<typeof CampaignList>;

// ---------------------------------------------------------------------------------------------
// Lead import

/**
 * Column mapping: lead field -> CSV header name (alt_phones may name several). Fields not named
 * are detected from usual header names; other columns go to the lead's custom fields.
 */
export const ImportMapping = z
  .object({
    phone: z.string().min(1).max(128),
    alt_phones: z.union([z.string().min(1).max(128), z.array(z.string().min(1).max(128)).max(10)]),
    first_name: z.string().min(1).max(128),
    last_name: z.string().min(1).max(128),
    address: z.string().min(1).max(128),
    city: z.string().min(1).max(128),
    state: z.string().min(1).max(128),
    postal_code: z.string().min(1).max(128),
    country: z.string().min(1).max(128),
    time_zone: z.string().min(1).max(128),
  })
  .partial()
  .strict();
export type ImportMapping = z.infer<typeof ImportMapping>;

/**
 * Query of POST /api/lists/:id/import. The mapping may come here (JSON text) or in the
 * `X-Import-Mapping` header; the body is the raw CSV (text/csv).
 */
export const ImportQuery = z.object({
  fileName: z.string().min(1).max(255).optional(),
  mapping: z.string().max(8192).optional().describe('JSON object: lead field -> CSV column'),
});
export type ImportQuery = z.infer<typeof ImportQuery>;

/** One problem with one row: `row` is the line in the file (the header is line 1). */
export const ImportRowError = z.object({
  row: z.number().int(),
  /** The CSV header of the offending column, '' when the whole row is at fault. */
  column: z.string(),
  reason: z.string(),
});
export type ImportRowError = z.infer<typeof ImportRowError>;

/** The row-level report of an import (services/import builds it). */
export const ImportReport = z.object({
  jobId: z.string(),
  listId: z.string(),
  fileName: z.string(),
  /** Data rows read (header and empty lines not counted). */
  rowsTotal: z.number().int(),
  imported: z.number().int(),
  /** Rows refused for a bad value or a malformed line; see `errors`. */
  rejected: z.number().int(),
  /** Rows whose phone is already in the list or earlier in the file. */
  duplicates: z.number().int(),
  /** Rows whose phone is on a DNC list. */
  dnc: z.number().int(),
  errors: z.array(ImportRowError),
  errorsTruncated: z.boolean(),
  warnings: z.array(ImportRowError),
  skipped: z.array(z.object({ row: z.number().int(), reason: z.enum(['duplicate', 'dnc']) })),
  /** Imported leads by how their time zone was found. */
  timeZones: z.record(z.string(), z.number().int()),
  /** The mapping used: lead field -> CSV header(s). */
  mapping: z.record(z.string(), z.union([z.string(), z.array(z.string())])),
  durationMs: z.number(),
});
export type ImportReport = z.infer<typeof ImportReport>;

// ---------------------------------------------------------------------------------------------
// The agent's own session

export const AgentLoginBody = z.object({ campaignId: NumericId });
export type AgentLoginBody = z.infer<typeof AgentLoginBody>;

export const PauseBody = z.object({
  code: z.string().regex(/^[A-Z0-9_]{1,16}$/, 'must be a pause code: 1-16 of A-Z 0-9 _'),
});
export type PauseBody = z.infer<typeof PauseBody>;

export const DispositionBody = z.object({
  callId: z.string().min(1).max(64),
  code: DispositionCode,
  /** For a callback disposition: when (epoch ms) and whether only this agent may take it. */
  callbackAtMs: z.number().int().positive().optional(),
  callbackAgentOnly: z.boolean().optional(),
  note: z.string().max(2000).optional(),
});
export type DispositionBody = z.infer<typeof DispositionBody>;

/** An agent's live status, as the API and the WebSocket snapshot show it. */
export const AgentStatusView = z.object({
  agentId: z.string(),
  state: AgentState,
  sinceMs: z.number().int(),
  campaignId: z.string().nullable(),
  callId: z.string().nullable(),
  pauseCode: z.string().nullable(),
  /**
   * The wrap-up deadline (epoch ms) after the agent extended it; absent: sinceMs + the campaign's
   * wrapupS (docs/agent-panel.md, "Wrap-up").
   */
  wrapupUntilMs: z.number().int().optional(),
});
export type AgentStatusView = z.infer<typeof AgentStatusView>;

/** A live call as the API and the WebSocket snapshot show it. */
export const LiveCallView = z.object({
  callId: z.string(),
  campaignId: z.string(),
  leadId: z.string(),
  listId: z.string(),
  phone: z.string(),
  stage: CallStage,
  agentId: z.string().nullable(),
  manual: z.boolean(),
  attempt: z.number().int(),
  originatedAtMs: z.number().int(),
  answeredAtMs: z.number().int().nullable(),
  bridgedAtMs: z.number().int().nullable(),
  endedAtMs: z.number().int().nullable(),
  /** AMD's verdict; MACHINE on a call an agent has: it may be marked (AMD audit). */
  amdResult: z.enum(['HUMAN', 'MACHINE', 'NOTSURE']).nullable().optional(),
});
export type LiveCallView = z.infer<typeof LiveCallView>;

export const AgentSessionResponse = z.object({ agent: AgentStatusView.nullable() });
export type AgentSessionResponse = z.infer<typeof AgentSessionResponse>;

export const AgentListResponse = z.object({ agents: z.array(AgentStatusView) });
export type AgentListResponse = z.infer<typeof AgentListResponse>;

export const CallResponse = z.object({ call: LiveCallView });
export type CallResponse = z.infer<typeof CallResponse>;

// ---------------------------------------------------------------------------------------------
// Leads (screen pop)

export const LeadView = z.object({
  id: z.string(),
  listId: z.string(),
  phone: z.string(),
  altPhones: z.array(z.string()),
  firstName: z.string().nullable(),
  lastName: z.string().nullable(),
  address: z.string().nullable(),
  city: z.string().nullable(),
  state: z.string().nullable(),
  postalCode: z.string().nullable(),
  country: z.string(),
  timeZone: z.string().nullable(),
  status: z.string(),
  attempts: z.number().int(),
  custom: z.record(z.string(), z.unknown()),
  /**
   * The lead's override of the campaign's recording consent notice (docs/recording.md):
   * always, never, null = the campaign's rule. Always sent by the server.
   */
  recordingConsent: z.enum(['always', 'never']).nullable().optional(),
  /** The lead's recordings are on legal hold (kept past retention). Always sent by the server. */
  legalHold: z.boolean().optional(),
});
export type LeadView = z.infer<typeof LeadView>;

/** PUT /api/leads/:id/legal-hold and /api/recordings/:id/legal-hold (admins; audited). */
export const LegalHoldBody = z.object({ hold: z.boolean() });
export const LegalHoldResponse = z.object({ id: z.string(), hold: z.boolean() });

/**
 * A lead's own fields by their snake_case names, each with the LeadView property it fills: what a
 * CSV column can map to (the import) and what a call script may name as {{field}} (the panel).
 * Every other CSV column goes to the lead's custom fields under its header.
 */
export const LEAD_FIELD_PROPS = {
  phone: 'phone',
  alt_phones: 'altPhones',
  first_name: 'firstName',
  last_name: 'lastName',
  address: 'address',
  city: 'city',
  state: 'state',
  postal_code: 'postalCode',
  country: 'country',
  time_zone: 'timeZone',
} as const satisfies Record<string, keyof LeadView>;
export type LeadField = keyof typeof LEAD_FIELD_PROPS;
/** The lead fields in import order (phone first). */
export const LEAD_FIELDS = Object.keys(LEAD_FIELD_PROPS) as readonly LeadField[];
/** The lead fields a call script may use: every one but the list of alternate numbers. */
export const SCRIPT_LEAD_FIELDS: readonly LeadField[] = LEAD_FIELDS.filter(
  (f) => f !== 'alt_phones',
);

export const LeadHistoryEntry = z.object({
  atMs: z.number().int(),
  kind: z.string(),
  callId: z.string().nullable(),
  agentId: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()),
});
export type LeadHistoryEntry = z.infer<typeof LeadHistoryEntry>;

export const LeadResponse = z.object({ lead: LeadView, history: z.array(LeadHistoryEntry) });
export type LeadResponse = z.infer<typeof LeadResponse>;

export const LeadSearchQuery = z
  .object({
    phone: z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 number such as +14155550123'),
    name: z.string().min(2).max(100),
    listId: NumericId,
    campaignId: NumericId,
    limit: z.coerce.number().int().min(1).max(500),
  })
  .partial()
  .refine((q) => q.phone !== undefined || q.name !== undefined, {
    message: 'give phone or name',
    path: ['phone'],
  });
export type LeadSearchQuery = z.infer<typeof LeadSearchQuery>;

export const LeadList = z.object({ leads: z.array(LeadView) });
export type LeadList = z.infer<typeof LeadList>;

// ---------------------------------------------------------------------------------------------
// Dispositions and pause codes of a campaign (system-wide ones included)

export const DispositionView = z.object({
  code: z.string(),
  name: z.string(),
  humanAnswered: z.boolean(),
  sale: z.boolean(),
  /** Adds the number to DNC. */
  dnc: z.boolean(),
  /** Asks for a callback time. */
  callback: z.boolean(),
  /** The lead is never dialed again. */
  final: z.boolean(),
  /** How often the campaign used it in the last 30 days (only with ?order=usage). */
  uses30d: z.number().int().optional(),
});
export type DispositionView = z.infer<typeof DispositionView>;
export const DispositionList = z.object({ dispositions: z.array(DispositionView) });
export type DispositionList = z.infer<typeof DispositionList>;

export const PauseCodeView = z.object({
  code: z.string(),
  name: z.string(),
  /** Paid time (training, meeting) as opposed to unpaid breaks. */
  billable: z.boolean(),
  /** Minutes per day an agent may spend in this pause (null or absent: no limit). */
  dailyLimitMin: z.number().int().nullable().optional(),
});
export type PauseCodeView = z.infer<typeof PauseCodeView>;
export const PauseCodeList = z.object({ pauseCodes: z.array(PauseCodeView) });
export type PauseCodeList = z.infer<typeof PauseCodeList>;

/** GET /api/campaigns/:id/dispositions?order=usage: the campaign's most used first. */
export const DispositionListQuery = z.object({ order: z.enum(['display', 'usage']).optional() });
export type DispositionListQuery = z.infer<typeof DispositionListQuery>;

// ---------------------------------------------------------------------------------------------
// The agent's desk: wrap-up extension, the agent's own day

/** POST /api/agent/session/wrapup/extend: the new deadline and what is left of the allowance. */
export const WrapupExtendResponse = z.object({
  agent: AgentStatusView,
  /** The new wrap-up deadline, epoch ms. */
  wrapupUntilMs: z.number().int(),
  /** Extensions taken on this call, and the campaign's allowance per call. */
  used: z.number().int(),
  allowed: z.number().int(),
});
export type WrapupExtendResponse = z.infer<typeof WrapupExtendResponse>;

/** One pause code's use today against its daily limit. */
export const MyDayPause = z.object({
  code: z.string(),
  name: z.string(),
  usedMs: z.number().int(),
  /** Minutes per day (null: no limit). */
  limitMin: z.number().int().nullable(),
});
export type MyDayPause = z.infer<typeof MyDayPause>;

/** GET /api/agent/my-day: the signed-in agent's day so far (in the floor's time zone). */
export const MyDayResponse = z.object({
  /** The day's first instant (epoch ms) and the zone "today" is read in. */
  dayStartMs: z.number().int(),
  timeZone: z.string(),
  /** Calls the agent talked on (connected to a customer) today. */
  calls: z.number().int(),
  talkMs: z.number().int(),
  /** Talk plus wrap-up per call; 0 without calls. */
  avgHandleMs: z.number().int(),
  /** Calls whose disposition is a sale. */
  sales: z.number().int(),
  pauses: z.array(MyDayPause),
  /** When the figures were read (epoch ms): an open pause counts up to here. */
  atMs: z.number().int(),
});
export type MyDayResponse = z.infer<typeof MyDayResponse>;

// ---------------------------------------------------------------------------------------------
// The agent's phone leg and call controls

/**
 * How the agent's audio reaches calls: the browser softphone (`webrtc`, with its SIP account), a
 * leg the API sets up on the simulated PBX (`sim`), or the user's own SIP phone (`external`).
 */
export const PhoneConfig = z.object({
  mode: z.enum(['webrtc', 'sim', 'external']),
  sip: z
    .object({
      wsUri: z.string(),
      uri: z.string(),
      password: z.string(),
      loginExten: z.string(),
      /** RTCIceServer entries; TURN ones carry this account's credentials when configured. */
      iceServers: z.array(
        z.object({
          urls: z.union([z.string(), z.array(z.string())]),
          username: z.string().optional(),
          credential: z.string().optional(),
        }),
      ),
    })
    .nullable(),
});
export type PhoneConfig = z.infer<typeof PhoneConfig>;

export const PhoneLegResponse = z.object({ leg: z.enum(['up', 'down']) });
export type PhoneLegResponse = z.infer<typeof PhoneLegResponse>;

export const CallIdParams = z.object({ callId: z.string().min(1).max(64) });
export type CallIdParams = z.infer<typeof CallIdParams>;

/** POST /api/agent/calls/:callId/amd-mark: the agent's mark on a machine verdict (AMD audit). */
export const AmdMarkBody = z.object({ mark: z.enum(['person', 'machine']) }).strict();
export type AmdMarkBody = z.infer<typeof AmdMarkBody>;
export const AmdMarkResponse = z.object({
  ok: z.literal(true),
  /** counted; unchanged (the same mark again); changed (the previous mark was replaced). */
  result: z.enum(['counted', 'unchanged', 'changed']),
});
export type AmdMarkResponse = z.infer<typeof AmdMarkResponse>;

export const ToggleBody = z.object({ on: z.boolean() }).strict();
export type ToggleBody = z.infer<typeof ToggleBody>;

export const DtmfBody = z
  .object({ digits: z.string().regex(/^[0-9*#A-D]{1,32}$/, 'must be 1-32 of 0-9 * # A-D') })
  .strict();
export type DtmfBody = z.infer<typeof DtmfBody>;

export const TransferTarget = z.union([
  z.object({ agentId: NumericId }).strict(),
  z
    .object({
      number: z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 number such as +14155550123'),
    })
    .strict(),
]);
export type TransferTarget = z.infer<typeof TransferTarget>;

export const TransferBody = z
  .object({ kind: z.enum(['blind', 'warm']), to: TransferTarget })
  .strict();
export type TransferBody = z.infer<typeof TransferBody>;

/**
 * Another logged-in agent, as the transfer picker lists it (GET /api/agent/transfer-targets).
 * `available`: READY with its phone leg up, which a transfer to an agent needs right now; the
 * others are listed with their state so the agent sees who is busy.
 */
export const TransferTargetAgent = z.object({
  agentId: z.string(),
  displayName: z.string(),
  state: AgentState,
  campaignId: z.string().nullable(),
  available: z.boolean(),
});
export type TransferTargetAgent = z.infer<typeof TransferTargetAgent>;

/** The other logged-in agents: READY first, then by display name; never the caller itself. */
export const TransferTargetsResponse = z.object({ agents: z.array(TransferTargetAgent) });
export type TransferTargetsResponse = z.infer<typeof TransferTargetsResponse>;

export const DialBody = z.union([
  z.object({ leadId: NumericId }).strict(),
  z
    .object({
      phone: z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 number such as +14155550123'),
    })
    .strict(),
]);
export type DialBody = z.infer<typeof DialBody>;

export const PreviewResponse = z.object({ lead: LeadView.nullable() });
export type PreviewResponse = z.infer<typeof PreviewResponse>;
