import { z } from 'zod';
import type { CampaignId } from '@ringside/protocol';
import { ValidationError } from '../errors.js';
import type { ConsentMode, RecordingMode } from '../domain/recording/policy.js';

/**
 * Campaigns and their settings as services and the API see them (adapters/postgres/campaigns.ts).
 * The settings schema holds the limits of the table's CHECK constraints, so every caller gets a
 * ValidationError naming the field rather than a constraint name.
 */

export type DialMethod = 'manual' | 'progressive' | 'ratio' | 'predictive';

export type MachineAction = 'hangup' | 'message';

export type WrapupTimeoutAction = 'disposition' | 'pause';

/** After an attempt ends with `status`, wait `delayS` before the next; stop after `maxAttempts`. */
export interface RecycleRule {
  /** A disposition code or a system outcome (BUSY, NO_ANSWER, MACHINE, DROPPED...). */
  status: string;
  delayS: number;
  maxAttempts: number;
}

export interface Campaign {
  id: CampaignId;
  name: string;
  active: boolean;
  dialMethod: DialMethod;
  /** Lines per ready agent ('ratio'), starting point for 'predictive'. */
  dialLevel: number;
  /** Cap on drops / human answers over 30 days, percent (<= 3). */
  dropRateCapPct: number;
  /** A live answer with no agent within this is dropped (<= 2000). */
  dropWaitMs: number;
  /** Ring time before giving up, seconds (>= 15). */
  ringTimeoutS: number;
  hopperSize: number;
  /** 'HH:MM', the lead's local time, inside 08:00-21:00. */
  windowStart: string;
  windowEnd: string;
  maxAttempts: number;
  callerId: string | null;
  amdEnabled: boolean;
  machineAction: MachineAction;
  machineMessageAudio: string | null;
  safeHarborAudio: string;
  wrapupS: number;
  wrapupTimeoutAction: WrapupTimeoutAction;
  wrapupDefaultDisposition: string;
  script: string;
  /**
   * How many times an agent may extend the wrap-up of one call, and by how many seconds each
   * time (services/agents/wrapup-extension.ts). Optional for hand-built campaigns; absent: 0, 30.
   */
  wrapupExtensions?: number;
  wrapupExtensionS?: number;
  /**
   * Check the national DNC registry at dial time (default true). Only an admin may turn it off,
   * for a campaign whose calls are exempt (e.g. an established business relationship).
   * Optional for callers that build campaigns by hand; absent means true.
   */
  nationalDncScrub?: boolean;
  /**
   * AMD error estimate, percent: people judged machines, machines judged people (admin-set; the
   * AMD audit measures the first). Optional for hand-built campaigns; absent means 0.
   */
  amdHumanAsMachinePct?: number;
  amdMachineAsHumanPct?: number;
  /** Share of MACHINE verdicts sent to agents to be marked (the AMD audit), percent; absent 0. */
  amdAuditPct?: number;
  /**
   * Recording policy (0130_recordings.sql; docs/recording.md). Optional for hand-built
   * campaigns; absent: mode none, 0 %, consent off, the default notice, pause by the agent, 365
   * days kept, agents hear none of their recordings.
   */
  recordingMode?: RecordingMode;
  /** Share of calls recorded in mode 'percent', 0-100. */
  recordingPct?: number;
  consentMode?: ConsentMode;
  /** The consent notice: an Asterisk media URI (sound:..., recording:...). */
  consentMedia?: string;
  /** PCI pause and resume through the API only (integrations), not the agent's button. */
  recordingPauseApiOnly?: boolean;
  /** Days a recording is kept after its call, 1-3650. */
  recordingRetentionDays?: number;
  /** Agents may play their own calls' recordings. */
  agentsHearOwnRecordings?: boolean;
  createdAt: Date;
  updatedAt: Date;
}

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
const hhmm = (field: string) => z.string().regex(HHMM, `${field} must be HH:MM`);

/** An Asterisk media URI: sound:, recording:, tone:, digits: or number: and a name. */
const MEDIA_URI = /^(sound|recording|tone|digits|number):[A-Za-z0-9_./,-]{1,190}$/;

/** Every limit here mirrors a CHECK in migrations/0001_init.sql; keep them in step. */
/** A percentage setting from 0 to `max`, the message naming the field. */
const percent = (field: string, max: number) =>
  z.number().min(0, `${field} must be at least 0`).max(max, `${field} must be at most ${max} (%)`);

export const CampaignSettingsSchema = z.object({
  name: z
    .string()
    .trim()
    .min(1, 'name must not be empty')
    .max(100, 'name must be at most 100 characters'),
  active: z.boolean(),
  dialMethod: z.enum(['manual', 'progressive', 'ratio', 'predictive']),
  dialLevel: z
    .number()
    .gt(0, 'dialLevel must be greater than 0')
    .max(10, 'dialLevel must be at most 10'),
  dropRateCapPct: percent('dropRateCapPct', 3),
  dropWaitMs: z
    .number()
    .int('dropWaitMs must be an integer')
    .min(0, 'dropWaitMs must be at least 0 ms')
    .max(2000, 'dropWaitMs must be at most 2000 ms (safe harbor: 2 s)'),
  ringTimeoutS: z
    .number()
    .int('ringTimeoutS must be an integer')
    .min(15, 'ringTimeoutS must be at least 15 s')
    .max(120, 'ringTimeoutS must be at most 120 s'),
  hopperSize: z
    .number()
    .int()
    .min(1, 'hopperSize must be at least 1')
    .max(50000, 'hopperSize must be at most 50000'),
  windowStart: hhmm('windowStart'),
  windowEnd: hhmm('windowEnd'),
  maxAttempts: z
    .number()
    .int()
    .min(1, 'maxAttempts must be at least 1')
    .max(100, 'maxAttempts must be at most 100'),
  callerId: z
    .string()
    .regex(/^\+[1-9]\d{6,14}$/, 'callerId must be an E.164 number such as +14155550123')
    .nullable(),
  amdEnabled: z.boolean(),
  machineAction: z.enum(['hangup', 'message']),
  machineMessageAudio: z.string().min(1).max(200).nullable(),
  safeHarborAudio: z.string().min(1, 'safeHarborAudio must not be empty').max(200),
  wrapupS: z
    .number()
    .int()
    .min(0, 'wrapupS must be at least 0 s')
    .max(3600, 'wrapupS must be at most 3600 s'),
  wrapupTimeoutAction: z.enum(['disposition', 'pause']),
  wrapupDefaultDisposition: z
    .string()
    .regex(/^[A-Z0-9_]{1,16}$/, 'wrapupDefaultDisposition must be a disposition code'),
  script: z.string().max(100_000, 'script must be at most 100000 characters'),
  wrapupExtensions: z
    .number()
    .int('wrapupExtensions must be an integer')
    .min(0, 'wrapupExtensions must be at least 0')
    .max(10, 'wrapupExtensions must be at most 10'),
  wrapupExtensionS: z
    .number()
    .int('wrapupExtensionS must be an integer')
    .min(5, 'wrapupExtensionS must be at least 5 s')
    .max(600, 'wrapupExtensionS must be at most 600 s'),
  nationalDncScrub: z.boolean(),
  amdHumanAsMachinePct: percent('amdHumanAsMachinePct', 50),
  amdMachineAsHumanPct: percent('amdMachineAsHumanPct', 50),
  amdAuditPct: percent('amdAuditPct', 100),
  recordingMode: z.enum(['all', 'none', 'percent', 'on_demand'], {
    error: 'recordingMode must be all, none, percent or on_demand',
  }),
  recordingPct: z
    .number()
    .int('recordingPct must be an integer')
    .min(0, 'recordingPct must be at least 0')
    .max(100, 'recordingPct must be at most 100 (%)'),
  consentMode: z.enum(['off', 'two_party', 'all'], {
    error: 'consentMode must be off, two_party or all',
  }),
  consentMedia: z
    .string()
    .regex(
      MEDIA_URI,
      'consentMedia must be an Asterisk media URI such as sound:ringside-recording-notice',
    )
    .max(200, 'consentMedia must be at most 200 characters'),
  recordingPauseApiOnly: z.boolean(),
  recordingRetentionDays: z
    .number()
    .int('recordingRetentionDays must be an integer')
    .min(1, 'recordingRetentionDays must be at least 1 day')
    .max(3650, 'recordingRetentionDays must be at most 3650 days'),
  agentsHearOwnRecordings: z.boolean(),
});

export type CampaignSettings = z.infer<typeof CampaignSettingsSchema>;

/** Create: a name, every other setting optional (the table's defaults apply). */
export type NewCampaign = Partial<CampaignSettings> & { name: string };

export interface CampaignsRepo {
  create(input: NewCampaign): Promise<Campaign>;
  /** Applies the given settings; the others stay. NotFoundError when the campaign is missing. */
  update(id: string, patch: Partial<CampaignSettings>): Promise<Campaign>;
  get(id: string): Promise<Campaign | null>;
  list(opts?: { activeOnly?: boolean }): Promise<Campaign[]>;
  recycleRules(id: string): Promise<RecycleRule[]>;
  /** Replaces the campaign's recycle rules. */
  setRecycleRules(id: string, rules: RecycleRule[]): Promise<void>;
}

/** zod issues -> one ValidationError naming the first field and listing all. */
export function toValidationError(error: z.ZodError, prefix = ''): ValidationError {
  const issues = error.issues.map((i) => ({
    path: prefix + i.path.map(String).join('.'),
    message: i.message,
  }));
  const first = issues[0];
  return new ValidationError(first ? `${first.path}: ${first.message}` : 'invalid input', issues);
}
