import { z } from 'zod';
import { EpochMs } from './ids.js';

/**
 * State calling rules (admin screen, GET/PUT/DELETE /api/admin/state-rules) and the "why is this
 * lead not being dialed?" answer (GET /api/leads/:id/why-not-dialed). docs/dialer.md.
 */

const noNul = (s: string) => !s.includes('\u0000');
const Text = (max: number) =>
  z.string().max(max).refine(noNul, { message: 'must not contain NUL characters' });

/** 'HH:MM', 00:00 to 24:00. */
export const TimeOfDay = z
  .string()
  .regex(/^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/, { message: 'must be a time HH:MM' });

/** USPS state code, e.g. FL. */
export const StateCode = z
  .string()
  .regex(/^[A-Z]{2}$/, { message: 'must be a 2-letter state code' });
export const StateParams = z.strictObject({ state: StateCode });

const minutes = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));

/** One day's window [start, end) in local time, or null for no calls that day. */
export const StateRuleDay = z
  .tuple([TimeOfDay, TimeOfDay])
  .refine(([a, b]) => minutes(a) < minutes(b), { message: 'start must be before end' })
  .nullable();

export const StateRuleBody = z.strictObject({
  /** Sunday first. */
  days: z.array(StateRuleDay).length(7, { message: 'must have 7 days, Sunday first' }),
  /** Most dial attempts to one number in any rolling 24 hours; null: no cap. */
  maxAttemptsPer24h: z.number().int().min(1).max(100).nullable(),
  statute: Text(500).pipe(z.string().min(1, { message: 'must name the statute' })),
  note: Text(2000),
});
export type StateRuleBody = z.infer<typeof StateRuleBody>;

export const StateRuleView = StateRuleBody.extend({
  state: StateCode,
  updatedAtMs: EpochMs,
  /** User id of the last editor; null for the seed. */
  updatedBy: z.string().nullable(),
});
export type StateRuleView = z.infer<typeof StateRuleView>;

export const StateRulesResponse = z.object({
  rules: z.array(StateRuleView),
  /** Reminder shown with the rules: the seed must be confirmed by counsel. */
  note: z.string(),
});
export type StateRulesResponse = z.infer<typeof StateRulesResponse>;

/** One rule holding a lead back (or a fact about it), for the lead screen's panel. */
export const WhyNotDialedReason = z.object({
  /**
   * DNC, CALLING_WINDOW, STATE_WINDOW, STATE_ATTEMPTS, MAX_ATTEMPTS, RECYCLE_DELAY, FINAL,
   * LIST_INACTIVE, CAMPAIGN_INACTIVE, NO_CAMPAIGN, CALLBACK_PENDING, IN_HOPPER, TIME_ZONE_UNKNOWN.
   */
  code: z.string(),
  message: z.string(),
  /** Until when it holds (ms), when known. */
  untilMs: EpochMs.nullable(),
});
export type WhyNotDialedReason = z.infer<typeof WhyNotDialedReason>;

export const WhyNotDialedZone = z.object({
  zone: z.string(),
  /** Local time 'HH:MM' now; null when the zone is unknown to the server. */
  localTime: z.string().nullable(),
  /** Inside the federal and campaign window now. */
  inside: z.boolean(),
  /** Where the zone comes from: postal_code 42101, area_code 270, country US... */
  sources: z.array(z.string()),
});

export const WhyNotDialedResponse = z.object({
  leadId: z.string(),
  atMs: EpochMs,
  /** True when nothing holds the lead back (it may be dialed as soon as the hopper takes it). */
  dialable: z.boolean(),
  reasons: z.array(WhyNotDialedReason),
  timeZone: z.object({
    candidates: z.array(WhyNotDialedZone),
    /** The effective window (federal hours and the campaign's), 'HH:MM-HH:MM'. */
    window: z.string().nullable(),
    /** The zone that decides: the one that blocks now, else the one whose window closes first. */
    decidingZone: z.string().nullable(),
  }),
  states: z.array(
    z.object({
      state: z.string(),
      sources: z.array(z.string()),
      /** The state's rule for today in the deciding zone, or null when the state has no rule. */
      rule: z
        .object({
          window: z.string(),
          maxAttemptsPer24h: z.number().nullable(),
          statute: z.string(),
        })
        .nullable(),
    }),
  ),
  attempts: z.object({
    made: z.number(),
    max: z.number().nullable(),
    /** Dials to this number in the last 24 hours (every campaign). */
    last24h: z.number(),
    nextEligibleAtMs: EpochMs.nullable(),
  }),
  dnc: z.array(z.string()),
  hopper: z.object({
    /** 1-based position among the queued leads of the campaign's hopper; null: not queued. */
    position: z.number().nullable(),
    leased: z.boolean(),
    size: z.number().nullable(),
  }),
});
export type WhyNotDialedResponse = z.infer<typeof WhyNotDialedResponse>;
