import { toValidationError } from '../../ports/campaigns.js';
import {
  CampaignSettingsSchema,
  type Campaign,
  type CampaignsRepo,
} from '../../ports/campaigns.js';
import {
  parseTimeOfDay,
  type CallingWindow,
  type RecycleRule,
} from '../../domain/calling-window.js';
import type { ValidationError } from '../../errors.js';
import type { RecyclePolicy } from '../../ports/dialer.js';

/** A campaign as the dialer uses it: settings in the units it needs, with its recycle rules. */
export interface DialerCampaign extends Pick<
  Campaign,
  | 'id'
  | 'active'
  | 'dialMethod'
  | 'dialLevel'
  | 'dropRateCapPct'
  | 'dropWaitMs'
  | 'ringTimeoutS'
  | 'callerId'
  | 'amdEnabled'
  | 'machineAction'
  | 'machineMessageAudio'
  | 'safeHarborAudio'
> {
  window: CallingWindow;
  recycle: RecyclePolicy;
  /** The admin's AMD error estimate, percent (domain/pacing/amd.ts). */
  amdErrors: { humanAsMachinePct: number; machineAsHumanPct: number };
  /** Share of MACHINE verdicts sent to agents to be marked (the AMD audit), percent. */
  amdAuditPct: number;
  /** Check the national DNC registry at dial time (false only when an admin exempted it). */
  nationalDncScrub: boolean;
}

/** The settings the dialer depends on, checked with the campaigns repository's own schema. */
const DialerSettingsSchema = CampaignSettingsSchema.pick({
  dialMethod: true,
  dialLevel: true,
  dropRateCapPct: true,
  dropWaitMs: true,
  ringTimeoutS: true,
  windowStart: true,
  windowEnd: true,
  maxAttempts: true,
  safeHarborAudio: true,
});

/**
 * Null when the campaign's dialer settings are inside their limits; else the ValidationError that
 * names the field and the limit (e.g. "dropWaitMs: dropWaitMs must be at most 2000 ms"). The
 * repository refuses such values on write; this guards a campaign that got them another way.
 */
export function checkDialerSettings(c: Campaign): ValidationError | null {
  const r = DialerSettingsSchema.safeParse({
    dialMethod: c.dialMethod,
    dialLevel: c.dialLevel,
    dropRateCapPct: c.dropRateCapPct,
    dropWaitMs: c.dropWaitMs,
    ringTimeoutS: c.ringTimeoutS,
    windowStart: c.windowStart,
    windowEnd: c.windowEnd,
    maxAttempts: c.maxAttempts,
    safeHarborAudio: c.safeHarborAudio,
  });
  return r.success ? null : toValidationError(r.error);
}

export function toDialerCampaign(
  c: Campaign,
  rules: readonly { status: string; delayS: number; maxAttempts: number }[],
): DialerCampaign {
  const map: Record<string, RecycleRule> = {};
  for (const r of rules) map[r.status] = { delayS: r.delayS, maxAttempts: r.maxAttempts };
  return {
    id: c.id,
    active: c.active,
    dialMethod: c.dialMethod,
    dialLevel: c.dialLevel,
    dropRateCapPct: c.dropRateCapPct,
    dropWaitMs: c.dropWaitMs,
    ringTimeoutS: c.ringTimeoutS,
    window: { startMinute: parseTimeOfDay(c.windowStart), endMinute: parseTimeOfDay(c.windowEnd) },
    callerId: c.callerId,
    amdEnabled: c.amdEnabled,
    machineAction: c.machineAction,
    machineMessageAudio: c.machineMessageAudio,
    safeHarborAudio: c.safeHarborAudio,
    recycle: { rules: map, maxAttempts: c.maxAttempts },
    amdErrors: {
      humanAsMachinePct: c.amdHumanAsMachinePct ?? 0,
      machineAsHumanPct: c.amdMachineAsHumanPct ?? 0,
    },
    amdAuditPct: c.amdAuditPct ?? 0,
    nationalDncScrub: c.nationalDncScrub ?? true,
  };
}

/** Loads a campaign for the dialer; `invalid` says why it must not be dialed, when it must not. */
export async function loadDialerCampaign(
  repo: CampaignsRepo,
  id: string,
): Promise<{ campaign: DialerCampaign; invalid: ValidationError | null } | null> {
  const c = await repo.get(id);
  if (!c) return null;
  const rules = await repo.recycleRules(id);
  return { campaign: toDialerCampaign(c, rules), invalid: checkDialerSettings(c) };
}
