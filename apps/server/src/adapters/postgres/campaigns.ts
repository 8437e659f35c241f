import { z } from 'zod';
import type { CampaignId } from '@ringside/protocol';
import type { Selectable } from 'kysely';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.js';
import type { CampaignsTable, Db } from './database.js';
import { idParam, mapPgError } from './pg-errors.js';
import {
  CampaignSettingsSchema,
  toValidationError,
  type Campaign,
  type CampaignSettings,
  type CampaignsRepo,
} from '../../ports/campaigns.js';

/**
 * Campaigns and their recycle rules. Input is checked against the same limits as the table's
 * CHECK constraints, so a caller gets a ValidationError naming the field and the limit rather than
 * a constraint name. The limits are the law's and the schema's, not policy: policy lives in the
 * services.
 */

const RecycleRuleSchema = z.object({
  status: z.string().regex(/^[A-Z0-9_]{1,32}$/, 'status must be a code of A-Z 0-9 _'),
  delayS: z
    .number()
    .int()
    .min(0, 'delayS must be at least 0 s')
    .max(2_592_000, 'delayS must be at most 30 days'),
  maxAttempts: z
    .number()
    .int()
    .min(1, 'maxAttempts must be at least 1')
    .max(100, 'maxAttempts must be at most 100'),
});

/** The calling window must be inside 08:00-21:00 local time and not empty. */
function checkWindow(start: string, end: string): void {
  if (start < '08:00') {
    throw new ValidationError(
      'windowStart: must be 08:00 or later (legal calling hours 08:00-21:00)',
      [{ path: 'windowStart', message: 'must be 08:00 or later' }],
    );
  }
  if (end > '21:00') {
    throw new ValidationError(
      'windowEnd: must be 21:00 or earlier (legal calling hours 08:00-21:00)',
      [{ path: 'windowEnd', message: 'must be 21:00 or earlier' }],
    );
  }
  if (start >= end) {
    throw new ValidationError('windowEnd: must be after windowStart', [
      { path: 'windowEnd', message: 'must be after windowStart' },
    ]);
  }
}

/** A range CHECK: the field and its bounds (with their unit, e.g. ' s'), as the 400 names them. */
const between = (path: string, lo: number, hi: number, unit = '') => ({
  path,
  message: `must be between ${lo} and ${hi}${unit}`,
});

/**
 * The CHECK constraints of the admin tables (0001_init.sql, PostgreSQL's generated names) as the
 * API field they guard and its limit, so that a value that reaches the database anyway (a race
 * between two updates, a caller that skipped the schema) is a 400 naming the field, never a 500.
 */
const CHECK_LIMITS: Record<string, { path: string; message: string }> = {
  campaigns_name_check: { path: 'name', message: 'must be 1-100 characters' },
  campaigns_dial_method_check: {
    path: 'dialMethod',
    message: 'must be manual, progressive, ratio or predictive',
  },
  campaigns_dial_level_check: { path: 'dialLevel', message: 'must be above 0 and at most 10' },
  campaigns_drop_rate_cap_pct_check: between('dropRateCapPct', 0, 3, ' %'),
  campaigns_drop_wait_ms_check: between('dropWaitMs', 0, 2000, ' ms'),
  campaigns_ring_timeout_s_check: between('ringTimeoutS', 15, 120, ' s'),
  campaigns_hopper_size_check: between('hopperSize', 1, 50000),
  campaigns_max_attempts_check: between('maxAttempts', 1, 100),
  campaigns_caller_id_check: {
    path: 'callerId',
    message: 'must be an E.164 number such as +14155550123',
  },
  campaigns_machine_action_check: { path: 'machineAction', message: 'must be hangup or message' },
  campaigns_amd_human_as_machine_pct_check: between('amdHumanAsMachinePct', 0, 50, ' %'),
  campaigns_amd_machine_as_human_pct_check: between('amdMachineAsHumanPct', 0, 50, ' %'),
  campaigns_amd_audit_pct_check: between('amdAuditPct', 0, 100, ' %'),
  campaigns_wrapup_s_check: between('wrapupS', 0, 3600, ' s'),
  campaigns_recording_mode_check: {
    path: 'recordingMode',
    message: 'must be all, none, percent or on_demand',
  },
  campaigns_recording_pct_check: between('recordingPct', 0, 100, ' %'),
  campaigns_consent_mode_check: { path: 'consentMode', message: 'must be off, two_party or all' },
  campaigns_consent_media_check: { path: 'consentMedia', message: 'must be 1-200 characters' },
  campaigns_recording_retention_days_check: between('recordingRetentionDays', 1, 3650, ' days'),
  campaigns_wrapup_extensions_check: between('wrapupExtensions', 0, 10),
  campaigns_wrapup_extension_s_check: between('wrapupExtensionS', 5, 600, ' s'),
  campaigns_wrapup_timeout_action_check: {
    path: 'wrapupTimeoutAction',
    message: 'must be disposition or pause',
  },
  campaigns_check: {
    path: 'windowEnd',
    message: 'the window must be inside 08:00-21:00 and end after it starts',
  },
  campaign_recycle_rules_status_check: { path: 'rules.status', message: 'must be 1-32 characters' },
  campaign_recycle_rules_delay_s_check: between('rules.delayS', 0, 2592000, ' s (30 days)'),
  campaign_recycle_rules_max_attempts_check: between('rules.maxAttempts', 1, 100),
  teams_name_check: { path: 'name', message: 'must be 1-100 characters' },
  users_username_check: { path: 'username', message: 'must be 2-64 of a-z 0-9 . _ -' },
  users_display_name_check: { path: 'displayName', message: 'must be 1-100 characters' },
  users_role_check: { path: 'role', message: 'must be admin, supervisor or agent' },
  users_phone_type_check: { path: 'phoneType', message: 'must be webrtc or sip' },
};

/**
 * A PostgreSQL CHECK violation (raw, or already mapped to a ValidationError by pg-errors.ts) on a
 * known constraint -> ValidationError naming the API field and its limit; null for anything else.
 */
export function mapCheckViolation(err: unknown): ValidationError | null {
  const pgErr = err instanceof ValidationError ? err.cause : err;
  if (typeof pgErr !== 'object' || pgErr === null) return null;
  const { code, constraint } = pgErr as { code?: unknown; constraint?: unknown };
  if (code !== '23514' || typeof constraint !== 'string') return null;
  const limit = CHECK_LIMITS[constraint];
  if (!limit) return null;
  return new ValidationError(`${limit.path}: ${limit.message}`, [limit], { cause: pgErr });
}

/** Runs a write; database errors become Ringside errors that name the field. */
async function mapWrite<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if ((err as { code?: string }).code === '23505' && what === 'campaign') {
      throw new ConflictError('name: a campaign with this name already exists', { cause: err });
    }
    throw mapCheckViolation(err) ?? mapPgError(err, what);
  }
}

type Row = Selectable<CampaignsTable>;

function toCampaign(r: Row): Campaign {
  return {
    id: r.id as CampaignId,
    name: r.name,
    active: r.active,
    dialMethod: r.dial_method,
    dialLevel: Number(r.dial_level),
    dropRateCapPct: Number(r.drop_rate_cap_pct),
    dropWaitMs: r.drop_wait_ms,
    ringTimeoutS: r.ring_timeout_s,
    hopperSize: r.hopper_size,
    windowStart: r.window_start.slice(0, 5),
    windowEnd: r.window_end.slice(0, 5),
    maxAttempts: r.max_attempts,
    callerId: r.caller_id,
    amdEnabled: r.amd_enabled,
    machineAction: r.machine_action,
    machineMessageAudio: r.machine_message_audio,
    safeHarborAudio: r.safe_harbor_audio,
    wrapupS: r.wrapup_s,
    wrapupTimeoutAction: r.wrapup_timeout_action,
    wrapupDefaultDisposition: r.wrapup_default_disposition,
    wrapupExtensions: r.wrapup_extensions,
    wrapupExtensionS: r.wrapup_extension_s,
    script: r.script,
    nationalDncScrub: r.national_dnc_scrub,
    amdHumanAsMachinePct: Number(r.amd_human_as_machine_pct),
    amdMachineAsHumanPct: Number(r.amd_machine_as_human_pct),
    amdAuditPct: Number(r.amd_audit_pct),
    recordingMode: r.recording_mode,
    recordingPct: r.recording_pct,
    consentMode: r.consent_mode,
    consentMedia: r.consent_media,
    recordingPauseApiOnly: r.recording_pause_api_only,
    recordingRetentionDays: r.recording_retention_days,
    agentsHearOwnRecordings: r.agents_hear_own_recordings,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function toColumns(s: Partial<CampaignSettings>) {
  return {
    ...(s.name !== undefined && { name: s.name }),
    ...(s.active !== undefined && { active: s.active }),
    ...(s.dialMethod !== undefined && { dial_method: s.dialMethod }),
    ...(s.dialLevel !== undefined && { dial_level: s.dialLevel }),
    ...(s.dropRateCapPct !== undefined && { drop_rate_cap_pct: s.dropRateCapPct }),
    ...(s.dropWaitMs !== undefined && { drop_wait_ms: s.dropWaitMs }),
    ...(s.ringTimeoutS !== undefined && { ring_timeout_s: s.ringTimeoutS }),
    ...(s.hopperSize !== undefined && { hopper_size: s.hopperSize }),
    ...(s.windowStart !== undefined && { window_start: s.windowStart }),
    ...(s.windowEnd !== undefined && { window_end: s.windowEnd }),
    ...(s.maxAttempts !== undefined && { max_attempts: s.maxAttempts }),
    ...(s.callerId !== undefined && { caller_id: s.callerId }),
    ...(s.amdEnabled !== undefined && { amd_enabled: s.amdEnabled }),
    ...(s.machineAction !== undefined && { machine_action: s.machineAction }),
    ...(s.machineMessageAudio !== undefined && { machine_message_audio: s.machineMessageAudio }),
    ...(s.safeHarborAudio !== undefined && { safe_harbor_audio: s.safeHarborAudio }),
    ...(s.wrapupS !== undefined && { wrapup_s: s.wrapupS }),
    ...(s.wrapupTimeoutAction !== undefined && { wrapup_timeout_action: s.wrapupTimeoutAction }),
    ...(s.wrapupDefaultDisposition !== undefined && {
      wrapup_default_disposition: s.wrapupDefaultDisposition,
    }),
    ...(s.wrapupExtensions !== undefined && { wrapup_extensions: s.wrapupExtensions }),
    ...(s.wrapupExtensionS !== undefined && { wrapup_extension_s: s.wrapupExtensionS }),
    ...(s.script !== undefined && { script: s.script }),
    ...(s.nationalDncScrub !== undefined && { national_dnc_scrub: s.nationalDncScrub }),
    ...(s.amdHumanAsMachinePct !== undefined && {
      amd_human_as_machine_pct: s.amdHumanAsMachinePct,
    }),
    ...(s.amdMachineAsHumanPct !== undefined && {
      amd_machine_as_human_pct: s.amdMachineAsHumanPct,
    }),
    ...(s.amdAuditPct !== undefined && { amd_audit_pct: s.amdAuditPct }),
    ...(s.recordingMode !== undefined && { recording_mode: s.recordingMode }),
    ...(s.recordingPct !== undefined && { recording_pct: s.recordingPct }),
    ...(s.consentMode !== undefined && { consent_mode: s.consentMode }),
    ...(s.consentMedia !== undefined && { consent_media: s.consentMedia }),
    ...(s.recordingPauseApiOnly !== undefined && {
      recording_pause_api_only: s.recordingPauseApiOnly,
    }),
    ...(s.recordingRetentionDays !== undefined && {
      recording_retention_days: s.recordingRetentionDays,
    }),
    ...(s.agentsHearOwnRecordings !== undefined && {
      agents_hear_own_recordings: s.agentsHearOwnRecordings,
    }),
  };
}

const DEFAULT_WINDOW = { start: '09:00', end: '20:00' };

export function createCampaignsRepo(db: Db): CampaignsRepo {
  const parse = (input: unknown, partial: boolean): Partial<CampaignSettings> => {
    const schema = partial
      ? CampaignSettingsSchema.partial().strict()
      : CampaignSettingsSchema.partial().strict().required({ name: true });
    const r = schema.safeParse(input);
    if (!r.success) throw toValidationError(r.error);
    return r.data;
  };

  const get = async (id: string): Promise<Campaign | null> => {
    const row = await db
      .selectFrom('campaigns')
      .selectAll()
      .where('id', '=', idParam(id, 'campaignId'))
      .executeTakeFirst();
    return row ? toCampaign(row) : null;
  };

  return {
    async create(input) {
      const s = parse(input, false);
      checkWindow(s.windowStart ?? DEFAULT_WINDOW.start, s.windowEnd ?? DEFAULT_WINDOW.end);
      const row = await mapWrite('campaign', () =>
        db
          .insertInto('campaigns')
          .values({ ...toColumns(s), name: s.name ?? '' })
          .returningAll()
          .executeTakeFirstOrThrow(),
      );
      return toCampaign(row);
    },

    async update(id, patch) {
      const s = parse(patch, true);
      const current = await get(id);
      if (!current) throw new NotFoundError(`campaign ${id} does not exist`);
      checkWindow(s.windowStart ?? current.windowStart, s.windowEnd ?? current.windowEnd);
      const columns = toColumns(s);
      if (Object.keys(columns).length === 0) return current;
      const row = await mapWrite('campaign', () =>
        db
          .updateTable('campaigns')
          .set({ ...columns, updated_at: new Date() })
          .where('id', '=', current.id)
          .returningAll()
          .executeTakeFirst(),
      );
      if (!row) throw new NotFoundError(`campaign ${id} does not exist`);
      return toCampaign(row);
    },

    get,

    async list(opts = {}) {
      let q = db.selectFrom('campaigns').selectAll().orderBy('id');
      if (opts.activeOnly) q = q.where('active', '=', true);
      return (await q.execute()).map(toCampaign);
    },

    async recycleRules(id) {
      const rows = await db
        .selectFrom('campaign_recycle_rules')
        .selectAll()
        .where('campaign_id', '=', idParam(id, 'campaignId'))
        .orderBy('status')
        .execute();
      return rows.map((r) => ({
        status: r.status,
        delayS: r.delay_s,
        maxAttempts: r.max_attempts,
      }));
    },

    async setRecycleRules(id, rules) {
      const campaignId = idParam(id, 'campaignId');
      const parsed = z.array(RecycleRuleSchema).safeParse(rules);
      if (!parsed.success) throw toValidationError(parsed.error, 'recycleRules.');
      const statuses = new Set(parsed.data.map((r) => r.status));
      if (statuses.size !== parsed.data.length) {
        throw new ValidationError('recycleRules: a status appears twice', [
          { path: 'recycleRules', message: 'duplicate status' },
        ]);
      }
      await mapWrite('recycle rule', () =>
        db.transaction().execute(async (tx) => {
          await tx
            .deleteFrom('campaign_recycle_rules')
            .where('campaign_id', '=', campaignId)
            .execute();
          if (parsed.data.length === 0) return;
          await tx
            .insertInto('campaign_recycle_rules')
            .values(
              parsed.data.map((r) => ({
                campaign_id: campaignId,
                status: r.status,
                delay_s: r.delayS,
                max_attempts: r.maxAttempts,
              })),
            )
            .execute();
        }),
      );
    },
  };
}
