import { z } from 'zod';
import { DialMethod, Role } from './agent.js';
import { changesSomething, code, Count, Hhmm, patchBody, typedText } from './fields.js';
import { NumericId, Username } from './http.js';

/**
 * Bodies and answers of the admin routes for users, teams, campaigns (every setting, recycle
 * rules, script). Admin role only. The browser validates its forms with these same schemas, so
 * a limit the screen shows is the limit the server enforces; every limit matches a CHECK in
 * apps/server/src/adapters/postgres/migrations/0001_init.sql. Each message names the limit and
 * its unit, and the issue path names the field ("ringTimeoutS: must be between 15 and 120 s").
 */

const between = (lo: number, hi: number, unit = '') =>
  `must be between ${lo} and ${hi}${unit ? ` ${unit}` : ''}`;

/** An integer setting in [lo, hi]; the same message for too small, too large and not whole. */
const intBetween = (lo: number, hi: number, unit = '') => {
  const m = between(lo, hi, unit);
  return z.number(m).int(`${m} (a whole number)`).min(lo, m).max(hi, m);
};

// ---------------------------------------------------------------------------------------------
// Users and teams

export const PhoneType = z.enum(['webrtc', 'sip']);
export type PhoneType = z.infer<typeof PhoneType>;

export const DisplayName = typedText(100);

/**
 * What Asterisk dials for the agent's external phone: a dial string (`Tech/resource`, e.g.
 * PJSIP/desk-104, PJSIP/104@pbx, Local/104@phones) or a bare PJSIP endpoint name (desk-104).
 * A `sip:` URI alone is no dial string (it needs an endpoint: PJSIP/<endpoint>/sip:...).
 */
export const SipEndpoint = typedText(200).regex(
  /^(?:[A-Za-z][A-Za-z0-9_]*\/[A-Za-z0-9_.:@/+-]+|[A-Za-z0-9_.-]+)$/,
  'must be a SIP endpoint or dial string such as PJSIP/desk-104, PJSIP/104@pbx or ' +
    'Local/104@phones (no spaces)',
);

export const Password = z
  .string()
  .min(10, 'must be at least 10 characters')
  .max(256, 'must be at most 256 characters');

/** A user as the admin screens show it; never the password hash. */
export const UserView = z.object({
  id: NumericId,
  username: z.string(),
  displayName: z.string(),
  role: Role,
  teamId: z.string().nullable(),
  phoneType: PhoneType,
  sipEndpoint: z.string().nullable(),
  active: z.boolean(),
});
export type UserView = z.infer<typeof UserView>;

export const UserList = z.object({ users: z.array(UserView) });
export type UserList = z.infer<typeof UserList>;

/** GET /api/users filters; `teamId=none` lists the users without a team. */
export const UsersQuery = z
  .object({
    role: Role.optional(),
    teamId: z.union([NumericId, z.literal('none')]).optional(),
    active: z.enum(['true', 'false']).optional(),
  })
  .strict();
export type UsersQuery = z.infer<typeof UsersQuery>;

const sipNeedsEndpoint = (u: { phoneType?: PhoneType; sipEndpoint?: string | null }) =>
  u.phoneType !== 'sip' || (u.sipEndpoint !== undefined && u.sipEndpoint !== null);

export const UserCreate = z
  .object({
    username: Username,
    displayName: DisplayName,
    role: Role,
    password: Password,
    teamId: NumericId.nullable().optional(),
    phoneType: PhoneType.optional(),
    sipEndpoint: SipEndpoint.nullable().optional(),
  })
  .strict()
  .refine(sipNeedsEndpoint, {
    message: 'is required when the phone type is sip',
    path: ['sipEndpoint'],
  });
export type UserCreate = z.infer<typeof UserCreate>;

/** A partial update; `active: false` is the same as POST /api/users/:id/deactivate. */
export const UserUpdate = patchBody({
  displayName: DisplayName,
  role: Role,
  teamId: NumericId.nullable(),
  phoneType: PhoneType,
  sipEndpoint: SipEndpoint.nullable(),
  active: z.boolean(),
});
export type UserUpdate = z.infer<typeof UserUpdate>;

export const DeactivateResponse = z.object({
  user: UserView,
  /** The agent was logged in and its session was ended (a live call is left up). */
  sessionEnded: z.boolean(),
});
export type DeactivateResponse = z.infer<typeof DeactivateResponse>;

export const PasswordReset = z.object({ password: Password }).strict();
export type PasswordReset = z.infer<typeof PasswordReset>;

export const TeamView = z.object({
  id: NumericId,
  name: z.string(),
  /** Users in the team (active or not). */
  members: Count,
});
export type TeamView = z.infer<typeof TeamView>;

export const TeamList = z.object({ teams: z.array(TeamView) });
export type TeamList = z.infer<typeof TeamList>;

export const TeamBody = z
  .object({
    name: typedText(100),
  })
  .strict();
export type TeamBody = z.infer<typeof TeamBody>;

// ---------------------------------------------------------------------------------------------
// Campaigns

/** Legal calling hours (the lead's local time). */
export const CALLING_HOURS = { start: '08:00', end: '21:00' } as const;
const inCallingHours = Hhmm.refine(
  (v) => v >= CALLING_HOURS.start && v <= CALLING_HOURS.end,
  `must be between ${CALLING_HOURS.start} and ${CALLING_HOURS.end} (legal calling hours)`,
);
const Code = code('must be a code of 1-16 A-Z 0-9 _');
const Audio = typedText(200);

/** Every campaign setting with its limit; the keys are the API's names of the columns. */
export const CampaignFields = z.object({
  name: typedText(100),
  active: z.boolean(),
  dialMethod: DialMethod,
  dialLevel: z
    .number('must be above 0 and at most 10')
    .gt(0, 'must be above 0 and at most 10')
    .max(10, 'must be above 0 and at most 10'),
  dropRateCapPct: z
    .number(between(0, 3, '%'))
    .min(0, between(0, 3, '%'))
    .max(3, between(0, 3, '%')),
  dropWaitMs: intBetween(0, 2000, 'ms'),
  ringTimeoutS: intBetween(15, 120, 's'),
  hopperSize: intBetween(1, 50_000),
  windowStart: inCallingHours,
  windowEnd: inCallingHours,
  maxAttempts: intBetween(1, 100),
  callerId: z
    .string()
    .regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 number such as +14155550123')
    .nullable(),
  amdEnabled: z.boolean(),
  machineAction: z.enum(['hangup', 'message']),
  machineMessageAudio: Audio.nullable(),
  safeHarborAudio: Audio,
  wrapupS: intBetween(0, 3600, 's'),
  wrapupTimeoutAction: z.enum(['disposition', 'pause']),
  wrapupDefaultDisposition: Code,
  /** Wrap-up extensions an agent may take per call (0: none), and the seconds each adds. */
  wrapupExtensions: intBetween(0, 10),
  wrapupExtensionS: intBetween(5, 600, 's'),
  script: z.string().max(20_000, 'must be at most 20000 characters'),
  /** false exempts the campaign from the national DNC registry (e.g. established business relationship). */
  nationalDncScrub: z.boolean(),
  /** AMD error estimate, %: people judged machines (each MACHINE hang-up adds its expected share of an abandoned person to the ledger). */
  amdHumanAsMachinePct: z
    .number(between(0, 50, '%'))
    .min(0, between(0, 50, '%'))
    .max(50, between(0, 50, '%')),
  /** AMD error estimate, %: machines judged people. */
  amdMachineAsHumanPct: z
    .number(between(0, 50, '%'))
    .min(0, between(0, 50, '%'))
    .max(50, between(0, 50, '%')),
  /** Share of MACHINE verdicts sent to agents to be marked a person or a machine (the AMD audit), %. */
  amdAuditPct: z
    .number(between(0, 100, '%'))
    .min(0, between(0, 100, '%'))
    .max(100, between(0, 100, '%')),
  /** Recording (docs/recording.md): all calls, none, a share of them (recordingPct), or on the agent's Record button. */
  recordingMode: z.enum(['all', 'none', 'percent', 'on_demand'], {
    error: 'must be all, none, percent or on_demand',
  }),
  recordingPct: intBetween(0, 100, '%'),
  /** Consent notice: off, to leads in two-party-consent states (and unknown states), to everyone. */
  consentMode: z.enum(['off', 'two_party', 'all'], { error: 'must be off, two_party or all' }),
  /** The notice: an Asterisk media URI (sound:name, recording:name). */
  consentMedia: z
    .string('must be an Asterisk media URI such as sound:ringside-recording-notice')
    .max(200, 'must be at most 200 characters')
    .regex(
      /^(sound|recording|tone|digits|number):[A-Za-z0-9_./,-]{1,190}$/,
      'must be an Asterisk media URI such as sound:ringside-recording-notice',
    ),
  /** PCI pause/resume through the API only (integrations), not the agent's button. */
  recordingPauseApiOnly: z.boolean(),
  recordingRetentionDays: intBetween(1, 3650, 'days'),
  /** Agents may play their own calls' recordings. */
  agentsHearOwnRecordings: z.boolean(),
});
export type CampaignFields = z.infer<typeof CampaignFields>;
export type CampaignField = keyof CampaignFields;

type WindowPart = { windowStart?: string; windowEnd?: string };
const windowOrdered = (u: WindowPart) =>
  !(u.windowStart && u.windowEnd) || u.windowStart < u.windowEnd;
const WINDOW_ORDER = { message: 'must be after the window start', path: ['windowEnd'] };

/** POST /api/campaigns: a name; every other setting optional (the table's defaults apply). */
export const CampaignCreate = CampaignFields.partial()
  .required({ name: true })
  .strict()
  .refine(windowOrdered, WINDOW_ORDER);
export type CampaignCreate = z.infer<typeof CampaignCreate>;

/** PATCH /api/campaigns/:id: any settings; the others stay. */
export const CampaignPatch = CampaignFields.partial()
  .strict()
  .refine(...changesSomething)
  .refine(windowOrdered, WINDOW_ORDER);
export type CampaignPatch = z.infer<typeof CampaignPatch>;

/** After an attempt ends with `status`, wait `delayS` before the next; stop after `maxAttempts`. */
export const RecycleRuleView = z.object({
  /** A disposition code or a system outcome: BUSY, NO_ANSWER, MACHINE, DROPPED, ... */
  status: z.string().regex(/^[A-Z0-9_]{1,32}$/, 'must be a status of 1-32 A-Z 0-9 _'),
  delayS: intBetween(0, 2_592_000, 's (30 days)'),
  maxAttempts: intBetween(1, 100),
});
export type RecycleRuleView = z.infer<typeof RecycleRuleView>;

/** System outcomes a recycle rule may name besides the disposition codes (CallOutcome). */
export const RECYCLE_OUTCOMES = ['BUSY', 'NO_ANSWER', 'MACHINE', 'DROPPED', 'CONGESTION'] as const;

export const RecycleRules = z
  .object({ rules: z.array(RecycleRuleView).max(100, 'must be at most 100 rules') })
  .strict()
  .superRefine((b, ctx) => {
    const seen = new Set<string>();
    b.rules.forEach((r, i) => {
      if (seen.has(r.status)) {
        ctx.addIssue({
          code: 'custom',
          message: `${r.status} appears twice`,
          path: ['rules', i, 'status'],
        });
      }
      seen.add(r.status);
    });
  });
export type RecycleRules = z.infer<typeof RecycleRules>;
