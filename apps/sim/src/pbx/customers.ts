/**
 * Simulated customers behind the trunk (`Local/<number>@sim-customers`): what each dialed number
 * does, drawn reproducibly from a seed. With no scenario configured the last digit decides, as in
 * the dialplan the reference traces were recorded with (../shared/ari/traces/README.md).
 */

/** What the far end does with one call attempt. */
export type CustomerOutcome = 'human' | 'machine' | 'noanswer' | 'busy' | 'congestion';

/** The verdict AMD() writes to AMDSTATUS. */
export type AmdStatus = 'HUMAN' | 'MACHINE' | 'NOTSURE';

/**
 * A duration in milliseconds: fixed; uniform in [min, max]; normal (mean, sd; cut at 0); or
 * exponential with the given mean (talk times have a long tail).
 */
export type Dist =
  | number
  | { min: number; max: number }
  | { mean: number; sd: number }
  | { exponentialMean: number };

/** How the customers of one list (number prefix) behave. Every duration is in milliseconds. */
export interface CustomerProfile {
  /**
   * Relative weights of the outcomes (need not sum to 1), or 'lastDigit': 0-4 human, 5-6 machine,
   * 7 never answers, 8 busy, 9 congestion (the reference dialplan).
   */
  mix: Record<CustomerOutcome, number> | 'lastDigit';
  /** From the start of ringing to a human's answer. */
  humanRingMs: Dist;
  /** From the start of ringing to an answering machine's pick-up. */
  machineRingMs: Dist;
  /** Probability that AMD calls a human HUMAN (else MACHINE or NOTSURE, see notSureShare). */
  amdHumanAccuracy: number;
  /** Probability that AMD calls a machine MACHINE (else HUMAN or NOTSURE). */
  amdMachineAccuracy: number;
  /** Share of the wrong verdicts that come out NOTSURE instead of the opposite class. */
  amdNotSureShare: number;
  /** From answer to AMD's verdict when it hears a human. */
  amdHumanDecisionMs: Dist;
  /** From answer to AMD's verdict when it hears a machine. */
  amdMachineDecisionMs: Dist;
  /** From answer to a human's own hang-up (the whole conversation if nobody ends it first). */
  humanTalkMs: Dist;
  /** From answer to the machine hanging up (greeting plus beep and recording time). */
  machineHangupMs: Dist;
  /** Length of the human's "hello" (silence/1&hello-world&silence/2) after answer. */
  humanGreetingMs: Dist;
  /** Length of the machine's greeting playback. */
  machineGreetingMs: Dist;
}

/** A profile for numbers starting with `prefix` (longest prefix wins). */
export interface CustomerRule {
  prefix: string;
  profile: Partial<CustomerProfile>;
}

/** The scenario the simulated customers follow; see docs/sim.md. */
export interface CustomerScenario {
  /** Seed of every draw; the same seed and the same dialing order give the same calls. */
  seed: number;
  /** Profile for numbers no rule matches; unset fields take the reference profile's values. */
  defaultProfile?: Partial<CustomerProfile>;
  rules?: CustomerRule[];
}

/** Everything decided about one call attempt when it is dialed. */
export interface CustomerPlan {
  outcome: CustomerOutcome;
  /** Ring time before answer (human/machine); noanswer rings forever. */
  ringMs: number;
  amdStatus: AmdStatus;
  amdCause: string;
  /** From answer to the AMD verdict. */
  amdDecisionMs: number;
  /** From answer to the end of the greeting playback. */
  greetingMs: number;
  /** From answer to the customer's own hang-up. */
  hangupMs: number;
}

/**
 * The reference behaviour (traces): the last digit decides; humans ring 1-6 s (whole seconds),
 * machines 12 s; AMD decides 3.6 s (human) or 2.1 s (machine) after answer; humans hang up ~15 s
 * after answer.
 */
export const referenceProfile: CustomerProfile = {
  mix: 'lastDigit',
  humanRingMs: { min: 1000, max: 6000 },
  machineRingMs: 12000,
  amdHumanAccuracy: 1,
  amdMachineAccuracy: 1,
  amdNotSureShare: 0.5,
  amdHumanDecisionMs: 3623,
  amdMachineDecisionMs: 2062,
  humanTalkMs: 14901,
  machineHangupMs: 30000,
  humanGreetingMs: 4901,
  machineGreetingMs: 9500,
};

/** Small seeded generator (mulberry32); simulations only, never secrets. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a over a string, mixed with a seed: the per-attempt seed. */
export function hashSeed(seed: number, text: string): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** Always consumes two numbers, whatever the kind, so one field's kind never shifts the others. */
function draw(d: Dist, rnd: () => number): number {
  const u1 = rnd();
  const u2 = rnd();
  if (typeof d === 'number') return d;
  if ('min' in d) return Math.round(d.min + (d.max - d.min) * u1);
  if ('mean' in d) {
    const z = Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    return Math.max(0, Math.round(d.mean + d.sd * z));
  }
  return Math.round(-d.exponentialMean * Math.log(1 - u1));
}

function pickOutcome(
  mix: Record<CustomerOutcome, number> | 'lastDigit',
  number: string,
  rnd: () => number,
): CustomerOutcome {
  const roll = rnd();
  if (mix === 'lastDigit') return outcomeByLastDigit(number);
  const order: CustomerOutcome[] = ['human', 'machine', 'noanswer', 'busy', 'congestion'];
  const total = order.reduce((s, o) => s + Math.max(0, mix[o] ?? 0), 0);
  if (total <= 0) return 'human';
  let x = roll * total;
  for (const o of order) {
    x -= Math.max(0, mix[o] ?? 0);
    if (x < 0) return o;
  }
  return 'congestion';
}

function outcomeByLastDigit(number: string): CustomerOutcome {
  const d = Number(number.slice(-1));
  if (Number.isNaN(d) || d <= 4) return 'human';
  if (d <= 6) return 'machine';
  if (d === 7) return 'noanswer';
  if (d === 8) return 'busy';
  return 'congestion';
}

/** Decides reproducibly what one attempt to `number` does. `attempt` counts from 0 per number. */
export function planCustomer(
  scenario: CustomerScenario,
  number: string,
  attempt: number,
): CustomerPlan {
  const rnd = mulberry32(hashSeed(scenario.seed, `${number}#${attempt}`));
  let rule: CustomerRule | undefined;
  for (const r of scenario.rules ?? []) {
    if (number.startsWith(r.prefix) && (!rule || r.prefix.length > rule.prefix.length)) rule = r;
  }
  const p: CustomerProfile = {
    ...referenceProfile,
    ...(scenario.defaultProfile ?? {}),
    ...(rule?.profile ?? {}),
  };
  // Draw every value in a fixed order so that changing one outcome never shifts another draw.
  const byDigit = p.mix === 'lastDigit';
  const outcome = pickOutcome(p.mix, number, rnd);
  const humanRing = draw(p.humanRingMs, rnd);
  const machineRing = draw(p.machineRingMs, rnd);
  const verdictRoll = rnd();
  const notSureRoll = rnd();
  const humanDecision = draw(p.amdHumanDecisionMs, rnd);
  const machineDecision = draw(p.amdMachineDecisionMs, rnd);
  const talk = draw(p.humanTalkMs, rnd);
  const machineHangup = draw(p.machineHangupMs, rnd);
  const humanGreeting = draw(p.humanGreetingMs, rnd);
  const machineGreeting = draw(p.machineGreetingMs, rnd);

  // Whole-second rings, as Wait(n) in the reference dialplan.
  const ringMs =
    outcome === 'machine' ? machineRing : byDigit ? Math.round(humanRing / 1000) * 1000 : humanRing;
  let amdStatus: AmdStatus;
  if (outcome === 'machine') {
    amdStatus =
      verdictRoll < p.amdMachineAccuracy
        ? 'MACHINE'
        : notSureRoll < p.amdNotSureShare
          ? 'NOTSURE'
          : 'HUMAN';
  } else {
    amdStatus =
      verdictRoll < p.amdHumanAccuracy
        ? 'HUMAN'
        : notSureRoll < p.amdNotSureShare
          ? 'NOTSURE'
          : 'MACHINE';
  }
  const amdDecisionMs = outcome === 'machine' ? machineDecision : humanDecision;
  return {
    outcome,
    ringMs,
    amdStatus,
    amdCause: amdCauseFor(amdStatus, outcome),
    amdDecisionMs,
    greetingMs: outcome === 'machine' ? machineGreeting : humanGreeting,
    hangupMs: outcome === 'machine' ? machineHangup : talk,
  };
}

/** sim-customers-talking's ring: `Wait(1)` before `Answer()`. */
export const TALKING_RING_MS = 1000;
/** sim-customers-talking's `Wait(300)` of talk after the greeting, before `Hangup()`. */
export const TALKING_TALK_MS = 300_000;

/**
 * What a call to `Local/<number>@sim-customers-talking` does (deploy/asterisk/extensions.conf):
 * every number is a person who answers after 1 s, says hello and keeps talking. AMD hears a short
 * greeting and silence: HUMAN, with the cause and delay Asterisk 22.10.1 gave for it (the
 * webrtc-opus-refused trace: `HUMAN-803-800`, 2970 ms after answer). `greetingMs` is from answer
 * to the end of the greeting playback; the talk (`PlayTones`, `Wait(300)`) follows it.
 */
export function planTalkingCustomer(greetingMs: number): CustomerPlan {
  return {
    outcome: 'human',
    ringMs: TALKING_RING_MS,
    amdStatus: 'HUMAN',
    amdCause: 'HUMAN-803-800',
    amdDecisionMs: 2970,
    greetingMs,
    hangupMs: greetingMs + TALKING_TALK_MS,
  };
}

/** AMDCAUSE strings as AMD() writes them. */
function amdCauseFor(status: AmdStatus, outcome: CustomerOutcome): string {
  if (status === 'HUMAN') return 'HUMAN-801-800';
  if (status === 'NOTSURE') return 'TOOLONG-5000';
  return outcome === 'machine' ? 'MAXWORDS-4-3' : 'LONGGREETING-1510-1500';
}

const OUTCOMES: ReadonlyArray<CustomerOutcome> = [
  'human',
  'machine',
  'noanswer',
  'busy',
  'congestion',
];
const DIST_FIELDS = [
  'humanRingMs',
  'machineRingMs',
  'amdHumanDecisionMs',
  'amdMachineDecisionMs',
  'humanTalkMs',
  'machineHangupMs',
  'humanGreetingMs',
  'machineGreetingMs',
] as const;
const RATE_FIELDS = ['amdHumanAccuracy', 'amdMachineAccuracy', 'amdNotSureShare'] as const;

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const nonNeg = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

function checkDist(v: unknown): boolean {
  if (nonNeg(v)) return true;
  if (!isObj(v)) return false;
  if ('min' in v) return nonNeg(v.min) && nonNeg(v.max) && v.max >= v.min;
  if ('mean' in v) return nonNeg(v.mean) && nonNeg(v.sd);
  return nonNeg(v.exponentialMean) && v.exponentialMean > 0;
}

function checkProfile(v: unknown, where: string): string | null {
  if (!isObj(v)) return `${where} must be an object`;
  for (const key of Object.keys(v)) {
    if (key === 'mix') {
      const mix = v.mix;
      if (mix === 'lastDigit') continue;
      if (!isObj(mix) || !OUTCOMES.every((o) => nonNeg(mix[o] ?? 0))) {
        return `${where}.mix must be "lastDigit" or weights for ${OUTCOMES.join(', ')}`;
      }
    } else if ((DIST_FIELDS as ReadonlyArray<string>).includes(key)) {
      if (!checkDist(v[key])) {
        return `${where}.${key} must be ms, {min,max}, {mean,sd} or {exponentialMean}`;
      }
    } else if ((RATE_FIELDS as ReadonlyArray<string>).includes(key)) {
      const r = v[key];
      if (!nonNeg(r) || r > 1) return `${where}.${key} must be between 0 and 1`;
    } else {
      return `${where}.${key} is not a profile field`;
    }
  }
  return null;
}

/**
 * Validates a scenario from outside (the control API); the error names the field. Missing fields
 * keep `current`'s values.
 */
export function parseScenario(
  input: unknown,
  current: CustomerScenario,
): { ok: true; scenario: CustomerScenario } | { ok: false; error: string } {
  if (!isObj(input)) return { ok: false, error: 'scenario must be a JSON object' };
  const out: CustomerScenario = { ...current };
  for (const key of Object.keys(input)) {
    if (!['seed', 'defaultProfile', 'rules'].includes(key)) {
      return { ok: false, error: `${key} is not a scenario field` };
    }
  }
  if ('seed' in input) {
    if (typeof input.seed !== 'number' || !Number.isInteger(input.seed)) {
      return { ok: false, error: 'seed must be an integer' };
    }
    out.seed = input.seed;
  }
  if ('defaultProfile' in input) {
    if (input.defaultProfile === null || input.defaultProfile === undefined) {
      out.defaultProfile = undefined;
    } else {
      const err = checkProfile(input.defaultProfile, 'defaultProfile');
      if (err) return { ok: false, error: err };
      out.defaultProfile = input.defaultProfile as Partial<CustomerProfile>;
    }
  }
  if ('rules' in input) {
    if (!Array.isArray(input.rules)) return { ok: false, error: 'rules must be an array' };
    for (const [i, r] of input.rules.entries()) {
      if (!isObj(r) || typeof r.prefix !== 'string') {
        return { ok: false, error: `rules[${i}].prefix must be a string` };
      }
      const err = checkProfile(r.profile, `rules[${i}].profile`);
      if (err) return { ok: false, error: err };
    }
    out.rules = input.rules as CustomerRule[];
  }
  return { ok: true, scenario: out };
}
