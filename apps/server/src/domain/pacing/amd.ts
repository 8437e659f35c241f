/**
 * AMD errors in the drop-rate ledger (docs/pacing.md, "AMD errors"). Pure.
 *
 * A person that answering-machine detection takes for a machine is hung up on (or played the
 * machine message): under 16 CFR 310.4 that is an abandoned call, which the dialer never sees.
 * The campaign's AMD error estimate (set by an admin, or measured by the AMD audit) turns every
 * MACHINE hang-up into an expected share of an abandoned person, which the ledger carries apart
 * from the counted drops and pacing budgets for.
 */

/** Share of people judged machines and of machines judged people, in percent. */
export interface AmdErrorRates {
  humanAsMachinePct: number;
  machineAsHumanPct: number;
}

/** Where a campaign's estimate comes from. */
export type AmdEstimateSource = 'admin' | 'audit';

export interface AmdEstimate extends AmdErrorRates {
  source: AmdEstimateSource;
  /**
   * Expected people among MACHINE verdicts (0..1): what one MACHINE hang-up adds to the ledger's
   * estimated drops. Measured directly by the audit; from the rates otherwise.
   */
  personPerMachineVerdict: number;
  /** The audit's 95 % Wilson interval of personPerMachineVerdict; null for an admin estimate. */
  interval: { lo: number; hi: number; marks: number } | null;
}

/** AMD verdicts seen so far (HUMAN or NOTSURE count as human: they go to agents). */
export interface VerdictCounts {
  human: number;
  machine: number;
}

/**
 * Expected people among MACHINE verdicts, from the error rates a (people judged machines) and
 * b (machines judged people) and the verdicts seen: with P people and Q machines answering,
 * human verdicts = P(1 - a) + Q b and machine verdicts = P a + Q(1 - b), so
 * P = (H(1 - b) - M b) / (1 - a - b) and the share is a P / M. Clamped to [0, 1]; 0 before any
 * MACHINE verdict; with a + b >= 1 (a detector no better than chance) every verdict is suspect: 1.
 */
export function personShareOfMachineVerdicts(rates: AmdErrorRates, seen: VerdictCounts): number {
  const a = rates.humanAsMachinePct / 100;
  const b = rates.machineAsHumanPct / 100;
  if (!(a > 0) || seen.machine <= 0) return 0;
  if (a + b >= 1) return 1;
  const people = Math.max(0, (seen.human * (1 - b) - seen.machine * b) / (1 - a - b));
  return Math.min(1, Math.max(0, (a * people) / seen.machine));
}

/**
 * The reverse: people judged machines (percent) from q, the share of people among MACHINE
 * verdicts (what the audit measures), and the verdicts seen. People judged machines are q M;
 * machines Q = (1 - q) M / (1 - b), of which b Q were judged people; so the people are
 * P = H - b Q + q M and the rate is q M / P.
 */
export function humanAsMachineFromShare(
  q: number,
  machineAsHumanPct: number,
  seen: VerdictCounts,
): number {
  const b = Math.min(0.99, Math.max(0, machineAsHumanPct / 100));
  if (seen.machine <= 0) return 0;
  const machines = ((1 - q) * seen.machine) / (1 - b);
  const peopleJudgedMachines = q * seen.machine;
  const people = Math.max(peopleJudgedMachines, seen.human - b * machines + peopleJudgedMachines);
  return people > 0 ? (100 * peopleJudgedMachines) / people : 0;
}

/** Wilson score interval of k successes in n trials (z = 1.96: 95 %). n = 0: the whole [0, 1]. */
export function wilsonInterval(
  k: number,
  n: number,
  z = 1.96,
): { p: number; lo: number; hi: number } {
  if (!(n > 0)) return { p: 0, lo: 0, hi: 1 };
  const p = k / n;
  const z2 = z * z;
  const den = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / den;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / den;
  return { p, lo: Math.max(0, centre - half), hi: Math.min(1, centre + half) };
}

/** Audit marks of a campaign: MACHINE verdicts sent to agents, marked by them. */
export interface AuditMarks {
  person: number;
  machine: number;
}

/** Marks below this count leave the admin's estimate in force (the interval is still shown). */
export const AUDIT_MIN_MARKS = 30;

/**
 * The campaign's AMD estimate: the audit's once it has AUDIT_MIN_MARKS marks (the share of
 * people among audited MACHINE verdicts, with its Wilson interval, and the people-judged-machines
 * rate that share implies), else the admin's rates.
 */
export function amdEstimate(
  admin: AmdErrorRates,
  marks: AuditMarks,
  seen: VerdictCounts,
): AmdEstimate {
  const n = marks.person + marks.machine;
  if (n >= AUDIT_MIN_MARKS) {
    const w = wilsonInterval(marks.person, n);
    return {
      source: 'audit',
      humanAsMachinePct: humanAsMachineFromShare(w.p, admin.machineAsHumanPct, seen),
      machineAsHumanPct: admin.machineAsHumanPct,
      personPerMachineVerdict: w.p,
      interval: { lo: w.lo, hi: w.hi, marks: n },
    };
  }
  return {
    source: 'admin',
    ...admin,
    personPerMachineVerdict: personShareOfMachineVerdicts(admin, seen),
    interval: null,
  };
}

/** Whether MACHINE verdicts may still be hung up on, and why not. */
export interface AmdRule {
  hangups: boolean;
  /** One sentence for the supervisor screen when hang-ups are off; '' otherwise. */
  reason: string;
}

/**
 * When the estimated AMD abandonment alone would spend the cap (people judged machines at or
 * above the cap minus the pacing margin, or the window's estimated drops alone at the cap), the
 * dialer stops hanging up on MACHINE verdicts: they go to agents like NOTSURE, which costs agent
 * time but abandons no one.
 */
export function amdRule(
  humanAsMachinePct: number,
  capPct: number,
  window: { estimated: number; humans: number },
  marginPct = 0.2,
): AmdRule {
  const r = (x: number): string => (Math.round(x * 100) / 100).toString();
  if (humanAsMachinePct > 0 && humanAsMachinePct >= capPct - marginPct)
    return {
      hangups: false,
      reason: `AMD misjudges about ${r(humanAsMachinePct)}% of people as machines, which alone would spend the ${r(capPct)}% abandonment cap: machine verdicts go to agents instead of being hung up.`,
    };
  const humans = window.humans + window.estimated;
  if (window.estimated > 0 && humans > 0 && (100 * window.estimated) / humans >= capPct - marginPct)
    return {
      hangups: false,
      reason: `Estimated AMD abandonment over 30 days (${r((100 * window.estimated) / humans)}%) has spent the ${r(capPct)}% cap: machine verdicts go to agents instead of being hung up.`,
    };
  return { hangups: true, reason: '' };
}
