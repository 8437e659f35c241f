import { z } from 'zod';
import { Count } from './fields.js';
import { DialMethod } from './agent.js';
import { NumericId } from './http.js';

/**
 * Bodies and answers of the supervisor routes (`/api/supervisor/*`, supervisor and admin only;
 * every action is written to the audit log). The live grid itself is fed by the WebSocket
 * snapshot and events (ws.ts); these routes only act, or load the names the events do not carry.
 */

export const AgentIdParams = z.object({ agentId: NumericId });
export type AgentIdParams = z.infer<typeof AgentIdParams>;

export const ForcePauseBody = z
  .object({
    code: z.string().regex(/^[A-Z0-9_]{1,16}$/, 'must be a pause code: 1-16 of A-Z 0-9 _'),
  })
  .strict();
export type ForcePauseBody = z.infer<typeof ForcePauseBody>;

export const ForceLogoutBody = z
  .object({
    /** Also hang up the customer of a live call; by default the call is left up. */
    hangupCall: z.boolean().optional(),
  })
  .strict();
export type ForceLogoutBody = z.infer<typeof ForceLogoutBody>;

/** Limits match the campaign settings (CampaignFields in admin-people.ts). */
export const CampaignDialBody = z
  .object({
    dialMethod: DialMethod,
    dialLevel: z.number().gt(0, 'must be above 0').max(10, 'must be 10 or less'),
  })
  .partial()
  .strict()
  .refine((b) => b.dialMethod !== undefined || b.dialLevel !== undefined, {
    message: 'give dialMethod or dialLevel',
    path: ['dialMethod'],
  });
export type CampaignDialBody = z.infer<typeof CampaignDialBody>;

/**
 * listen: the supervisor hears both sides (snoop spy=both); whisper: the agent alone hears the
 * supervisor (snoop whisper=out); barge: the supervisor joins the call's bridge.
 */
export const MonitorMode = z.enum(['listen', 'whisper', 'barge']);
export type MonitorMode = z.infer<typeof MonitorMode>;

export const MonitorBody = z.object({ mode: MonitorMode }).strict();
export type MonitorBody = z.infer<typeof MonitorBody>;

export const MonitorResponse = z.object({
  mode: MonitorMode,
  callId: z.string(),
  /** The channel (snoop) or bridge the supervisor's leg was joined to. */
  target: z.string(),
});
export type MonitorResponse = z.infer<typeof MonitorResponse>;

/** DELETE /api/supervisor/agents/:agentId/monitor: the call whose monitoring was stopped. */
export const MonitorStopResponse = z.object({ callId: z.string() });
export type MonitorStopResponse = z.infer<typeof MonitorStopResponse>;

/**
 * Names and teams for the grid, with today's counts so far, loaded once (the events carry ids
 * only); read from PostgreSQL, so it is not on the live path.
 */
export const RosterAgent = z.object({
  agentId: z.string(),
  displayName: z.string(),
  teamId: z.string().nullable(),
  /** Calls connected today (UTC) before the roster was read; the grid adds ended calls after. */
  callsToday: Count,
});
export type RosterAgent = z.infer<typeof RosterAgent>;

/**
 * The supervisor wall's alert thresholds of one campaign (table campaign_wall_thresholds, set on
 * the admin campaign form or by a supervisor): per agent state, the seconds in that state after
 * which a row turns amber (warn) and red (alert); and the 30-day drop rate, percent, from which
 * the campaign's drop tile turns amber (it is red at the campaign's cap).
 */
const thresholdSeconds = (what: string) =>
  z
    .number(`${what} must be a number of seconds`)
    .int(`${what} must be whole seconds`)
    .min(1, `${what} must be at least 1 s`)
    .max(86_400, `${what} must be at most 86400 s (a day)`);

export const StateThreshold = z
  .object({ warnS: thresholdSeconds('warn'), alertS: thresholdSeconds('alert') })
  .strict()
  .refine((t) => t.alertS > t.warnS, {
    message: 'alert must be after warn',
    path: ['alertS'],
  });
export type StateThreshold = z.infer<typeof StateThreshold>;

/** The agent states a wall threshold applies to (LOGGED_OUT agents are not on the wall). */
export const WALL_STATES = ['READY', 'RESERVED', 'INCALL', 'DEAD', 'WRAPUP', 'PAUSED'] as const;
export type WallState = (typeof WALL_STATES)[number];

export const WallThresholds = z
  .object({
    states: z
      .object({
        READY: StateThreshold,
        RESERVED: StateThreshold,
        INCALL: StateThreshold,
        DEAD: StateThreshold,
        WRAPUP: StateThreshold,
        PAUSED: StateThreshold,
      })
      .strict(),
    dropWarnPct: z
      .number('must be a percentage')
      .min(0, 'must be between 0 and 3 %')
      .max(3, 'must be between 0 and 3 %'),
  })
  .strict();
export type WallThresholds = z.infer<typeof WallThresholds>;

/** A campaign's thresholds until someone sets them (also the migration's documented default). */
export const DEFAULT_WALL_THRESHOLDS: WallThresholds = {
  states: {
    READY: { warnS: 60, alertS: 300 },
    RESERVED: { warnS: 5, alertS: 15 },
    INCALL: { warnS: 600, alertS: 1200 },
    DEAD: { warnS: 10, alertS: 30 },
    WRAPUP: { warnS: 60, alertS: 180 },
    PAUSED: { warnS: 300, alertS: 900 },
  },
  dropWarnPct: 2.5,
};

export const RosterCampaign = z.object({
  id: z.string(),
  name: z.string(),
  dialMethod: DialMethod,
  dialLevel: z.number(),
  dropRateCapPct: z.number(),
  /**
   * Drops and human answers (drops included) today (UTC) and over the rolling 30 days, as
   * PostgreSQL had them when the roster was read; null when reports are not available.
   */
  drops: z
    .object({
      today: z.object({ drops: z.number().int(), humanAnswers: z.number().int() }),
      window: z.object({ drops: z.number().int(), humanAnswers: z.number().int() }),
    })
    .nullable(),
  /** The wall's thresholds (DEFAULT_WALL_THRESHOLDS when never set); absent: older server. */
  thresholds: WallThresholds.optional(),
});
export type RosterCampaign = z.infer<typeof RosterCampaign>;

export const RosterResponse = z.object({
  agents: z.array(RosterAgent),
  campaigns: z.array(RosterCampaign),
});
export type RosterResponse = z.infer<typeof RosterResponse>;
