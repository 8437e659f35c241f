/**
 * Call recording policy (issue 15; docs/recording.md "Recording the call"). Pure: the caller
 * passes the campaign's settings, the call id and the lead's facts; no clock, no randomness, no
 * I/O. Every process that asks about the same call gets the same answer (the percent draw is a
 * hash of the call id, not a random number), so the ari-worker that records and the api that
 * answers the agent's Record button agree.
 */

/** all calls, none, a share of the calls (recordingPct), or only when the agent presses Record. */
export type RecordingMode = 'all' | 'none' | 'percent' | 'on_demand';

/** The consent notice: never, only to leads in two-party-consent states, or to everyone. */
export type ConsentMode = 'off' | 'two_party' | 'all';

/** The lead's override of the campaign's consent rule (null: the campaign's rule). */
export type LeadConsent = 'always' | 'never' | null;

/** Why a call is recorded from its start (recordings.reason). */
export type RecordingReason = 'policy' | 'sampled';

/** A campaign's recording policy, as the campaigns port carries it. */
export interface RecordingPolicy {
  recordingMode: RecordingMode;
  /** Share of calls recorded in mode 'percent', 0-100. */
  recordingPct: number;
  consentMode: ConsentMode;
}

/**
 * US states whose wiretap law requires the consent of every party to record a telephone call
 * (USPS codes). Sources and the reasoning for the borderline states (Connecticut, Delaware,
 * Michigan included; Oregon's all-party rule covers in-person talk only) are in
 * docs/recording.md, "Two-party-consent states". Reviewed 2026-12.
 */
export const TWO_PARTY_CONSENT_STATES: ReadonlySet<string> = new Set([
  'CA', // Cal. Penal Code § 632
  'CT', // Conn. Gen. Stat. § 52-570d (civil, telephone calls)
  'DE', // Del. Code tit. 11 § 2402 / § 1335 (case law contested: treated as all-party)
  'FL', // Fla. Stat. § 934.03
  'IL', // 720 ILCS 5/14-2
  'MD', // Md. Code, Cts. & Jud. Proc. § 10-402
  'MA', // Mass. Gen. Laws ch. 272 § 99
  'MI', // Mich. Comp. Laws § 750.539c (scope contested: treated as all-party)
  'MT', // Mont. Code § 45-8-213
  'NV', // Nev. Rev. Stat. § 200.620 (telephone: all-party, Lane v. Allstate)
  'NH', // N.H. Rev. Stat. § 570-A:2
  'PA', // 18 Pa. Cons. Stat. § 5703
  'WA', // Rev. Code Wash. § 9.73.030
]);

/**
 * The full names leads are imported with, mapped to their codes, so 'California' and 'ca' count
 * like 'CA'.
 */
const STATE_NAMES: Readonly<Record<string, string>> = {
  CALIFORNIA: 'CA',
  CONNECTICUT: 'CT',
  DELAWARE: 'DE',
  FLORIDA: 'FL',
  ILLINOIS: 'IL',
  MARYLAND: 'MD',
  MASSACHUSETTS: 'MA',
  MICHIGAN: 'MI',
  MONTANA: 'MT',
  NEVADA: 'NV',
  'NEW HAMPSHIRE': 'NH',
  PENNSYLVANIA: 'PA',
  WASHINGTON: 'WA',
};

/** A lead's state as stored ('CA', 'ca', 'California', ' Calif. '?) -> its code, or null. */
export function stateCode(state: string | null): string | null {
  if (state === null) return null;
  const s = state.trim().toUpperCase().replace(/\s+/g, ' ');
  if (s.length === 0) return null;
  if (/^[A-Z]{2}$/.test(s)) return s;
  return STATE_NAMES[s] ?? null;
}

/** True when the lead's state requires every party's consent to record a phone call. */
export function isTwoPartyConsentState(state: string | null): boolean {
  const code = stateCode(state);
  return code !== null && TWO_PARTY_CONSENT_STATES.has(code);
}

/**
 * FNV-1a (32 bit) of the call id -> a bucket 0..99. Stable across processes and releases: the
 * same call always draws the same bucket.
 */
export function recordingBucket(callId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < callId.length; i += 1) {
    h ^= callId.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % 100;
}

/**
 * Whether the call is recorded from the moment the customer reaches the agent, and why; null:
 * not from the start (mode none, on_demand, or a percent draw that missed: the agent's Record
 * button may still start it, see mayStartOnDemand).
 */
export function recordFromStart(
  policy: Pick<RecordingPolicy, 'recordingMode' | 'recordingPct'>,
  callId: string,
): RecordingReason | null {
  switch (policy.recordingMode) {
    case 'all':
      return 'policy';
    case 'percent':
      return recordingBucket(callId) < clampPct(policy.recordingPct) ? 'sampled' : null;
    case 'none':
    case 'on_demand':
      return null;
  }
}

/**
 * Whether the agent's Record button may start a recording of this call: campaigns whose mode is
 * not 'none' (on_demand, and a percent call the draw left out; a call recorded already is
 * refused by the caller as "already recorded"). A 'none' campaign records nothing, ever.
 */
export function mayStartOnDemand(policy: Pick<RecordingPolicy, 'recordingMode'>): boolean {
  return policy.recordingMode !== 'none';
}

/** Why the consent notice is or is not played (logged, and in the tests). */
export type ConsentDecision =
  | { play: true; why: 'lead_always' | 'all' | 'two_party_state' | 'state_unknown' }
  | { play: false; why: 'lead_never' | 'off' | 'one_party_state' | 'not_recorded' };

/**
 * Whether the customer hears the consent notice before the recording starts. The lead's own
 * override wins ('always', 'never'); otherwise the campaign's mode: 'all' plays it to everyone,
 * 'two_party' to leads in two-party-consent states, and, to stay on the safe side, to leads whose
 * state is unknown; 'off' never. A call that is not being recorded needs no notice.
 */
export function consentNotice(
  policy: Pick<RecordingPolicy, 'consentMode'>,
  lead: { state: string | null; recordingConsent: LeadConsent },
  recorded: boolean,
): ConsentDecision {
  if (!recorded) return { play: false, why: 'not_recorded' };
  if (lead.recordingConsent === 'always') return { play: true, why: 'lead_always' };
  if (lead.recordingConsent === 'never') return { play: false, why: 'lead_never' };
  switch (policy.consentMode) {
    case 'off':
      return { play: false, why: 'off' };
    case 'all':
      return { play: true, why: 'all' };
    case 'two_party':
      if (stateCode(lead.state) === null) return { play: true, why: 'state_unknown' };
      return isTwoPartyConsentState(lead.state)
        ? { play: true, why: 'two_party_state' }
        : { play: false, why: 'one_party_state' };
  }
}

function clampPct(pct: number): number {
  if (!Number.isFinite(pct)) return 0;
  return Math.min(100, Math.max(0, pct));
}

/**
 * The name of a segment's live recording on Asterisk (its stored file's base name):
 * rec-<callId>-<seq>.
 */
export function segmentName(callId: string, seq: number): string {
  return `rec-${callId}-${seq}`;
}

/** Sum of the segments' lengths: the time the customer spent bridged to agents, ms. */
export function bridgedMs(segments: ReadonlyArray<{ durationMs: number | null }>): number {
  let sum = 0;
  for (const s of segments) sum += Math.max(0, s.durationMs ?? 0);
  return sum;
}
