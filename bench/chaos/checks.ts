/**
 * bench:chaos's invariants and recovery times, as pure functions of what the run recorded (the
 * simulated PBXes' originates, call_log, the hopper, the state store). floor.ts reads those; the
 * definitions live here, with their unit tests (checks.test.ts), and in docs/scaling.md ("Chaos").
 */

export type FaultKind =
  'kill api' | 'kill ari-worker' | 'kill dialer' | 'kill scheduler' | 'redis failover' | 'pbx away';

export const FAULT_KINDS: readonly FaultKind[] = [
  'kill api',
  'kill ari-worker',
  'kill dialer',
  'kill scheduler',
  'redis failover',
  'pbx away',
];

/** One injected fault, wall-clock ms. */
export interface Fault {
  kind: FaultKind;
  /** What was hit: a role process (`dialer-2`), a Redis node (`7201`), a PBX (`pbx 1`). */
  target: string;
  /** Extra facts: the process held a lease, the slots the master served... */
  note: string;
  atMs: number;
  /** The fault undone: the process restarted, the old master back as a replica, the PBX back. */
  endMs: number | null;
  /**
   * Recovery (see recoveryMs): the first hand-off of a call originated after `atMs`; for a PBX
   * away, to an agent who was homed on that PBX when it went.
   */
  recoveredMs: number | null;
}

/** A call of the run as call_log has it (times in ms). */
export interface CallRow {
  leadId: string;
  digits: string;
  serverId: string;
  agentId: string | null;
  outcome: string | null;
  originatedMs: number;
  connectedMs: number | null;
  dropped: boolean;
  /** A person answered: dropped, or handed to an agent and not a machine. */
  human: boolean;
}

/**
 * Leads dialed twice: a lead whose number either simulated PBX accepted more than one customer
 * originate for (the ground truth: what the customer's phone saw), or with more than one call_log
 * row that is not ORIGINATE_FAILED (an originate the PBX refused puts the lead back at the head of
 * the hopper, and it is rightly dialed again). Every lead may be dialed once in the run
 * (database.ts: max_attempts 1), so either count over one is a doubled call.
 */
export function doubledLeads(
  originates: ReadonlyArray<Readonly<Record<string, number>>>,
  calls: readonly CallRow[],
): string[] {
  const byDigits = new Map<string, number>();
  for (const pbx of originates)
    for (const [digits, n] of Object.entries(pbx))
      byDigits.set(digits, (byDigits.get(digits) ?? 0) + n);
  const rows = new Map<string, number>();
  const leadOf = new Map<string, string>();
  for (const c of calls) {
    leadOf.set(c.digits, c.leadId);
    if (c.outcome !== 'ORIGINATE_FAILED') rows.set(c.leadId, (rows.get(c.leadId) ?? 0) + 1);
  }
  const out = new Set<string>();
  for (const [digits, n] of byDigits) if (n > 1) out.add(leadOf.get(digits) ?? `digits ${digits}`);
  for (const [lead, n] of rows) if (n > 1) out.add(lead);
  return [...out].sort();
}

/** A lead marked as in the hopper in PostgreSQL at the end (hopper_at set). */
export interface MarkedLead {
  leadId: string;
  digits: string;
}

/**
 * Leads lost from the hopper: marked in PostgreSQL as in the hopper (`hopper_at` set, so no fill
 * takes them again) but in no hopper entry in Redis (queued or leased: a lease that expires
 * returns the lead), with no call in call_log and no originate on either PBX. Nothing would ever
 * dial them again.
 */
export function lostLeads(
  marked: readonly MarkedLead[],
  inHopper: ReadonlySet<string>,
  calls: readonly CallRow[],
  originates: ReadonlyArray<Readonly<Record<string, number>>>,
): string[] {
  const called = new Set(calls.map((c) => c.leadId));
  const dialed = new Set(originates.flatMap((o) => Object.keys(o)));
  return marked
    .filter((l) => !inHopper.has(l.leadId) && !called.has(l.leadId) && !dialed.has(l.digits))
    .map((l) => l.leadId)
    .sort();
}

/** Agent states an agent leaves only through a call's end or its own disposition. */
const BUSY_STATES = new Set(['RESERVED', 'INCALL', 'DEAD', 'WRAPUP']);

/**
 * Agents stuck: after the drain (no call live, campaign stopped, the bots' wrap-up time and a
 * grace passed) an agent still RESERVED, INCALL, DEAD or WRAPUP. The bots dispose every call
 * within their wrap time and go ready, so nothing legitimate keeps an agent there; READY, PAUSED
 * (a bot goes ready again from it) and LOGGED_OUT are states one can leave.
 */
export function stuckAgents(agents: ReadonlyArray<{ agentId: string; state: string }>): string[] {
  return agents
    .filter((a) => BUSY_STATES.has(a.state))
    .map((a) => `${a.agentId}:${a.state}`)
    .sort();
}

/**
 * Recovery: from the fault to the first call handed to an agent (call_log.agent_connected_at)
 * among calls originated after the fault; for a PBX away, among calls handed to an agent who was
 * homed on that PBX when it went (its agents re-homed, or back home, and taking calls again).
 * null: none by the end of the run.
 */
export function recoveryMs(
  fault: Pick<Fault, 'kind' | 'atMs'>,
  calls: readonly CallRow[],
  homedThere: ReadonlySet<string> = new Set(),
): number | null {
  let first: number | null = null;
  for (const c of calls) {
    if (c.connectedMs === null || c.originatedMs < fault.atMs) continue;
    if (fault.kind === 'pbx away' && !(c.agentId && homedThere.has(c.agentId))) continue;
    if (first === null || c.connectedMs < first) first = c.connectedMs;
  }
  return first === null ? null : first - fault.atMs;
}

/** How long after a fault's end its window stays open for the abandonment count, ms. */
export const FAULT_TAIL_MS = 10_000;

/**
 * Abandonment during the faults: drops over people answering (bench:floor's definition) among
 * the calls originated inside a fault window, from the fault to FAULT_TAIL_MS after it was undone
 * (or recovered, whichever is later; open to the end of the run when neither happened).
 */
export function abandonmentInFaults(
  faults: readonly Fault[],
  calls: readonly CallRow[],
  runEndMs: number,
): { humans: number; drops: number; pct: number | null } {
  const windows = faults.map((f) => {
    const ends = [f.endMs, f.recoveredMs === null ? null : f.atMs + f.recoveredMs].filter(
      (x): x is number => x !== null,
    );
    return [f.atMs, ends.length ? Math.max(...ends) + FAULT_TAIL_MS : runEndMs] as const;
  });
  let humans = 0;
  let drops = 0;
  for (const c of calls) {
    if (!windows.some(([a, b]) => c.originatedMs >= a && c.originatedMs <= b)) continue;
    if (c.human) humans++;
    if (c.dropped) drops++;
  }
  return { humans, drops, pct: humans > 0 ? (100 * drops) / humans : null };
}

/** p50 (nearest rank) and max of the recovery times of one kind; unrecovered faults counted apart. */
export function recoveryStats(ms: ReadonlyArray<number | null>): {
  n: number;
  unrecovered: number;
  p50Ms: number | null;
  maxMs: number | null;
} {
  const ok = ms.filter((x): x is number => x !== null).sort((a, b) => a - b);
  return {
    n: ms.length,
    unrecovered: ms.length - ok.length,
    p50Ms: ok.length ? (ok[Math.ceil(ok.length / 2) - 1] ?? null) : null,
    maxMs: ok.length ? (ok[ok.length - 1] ?? null) : null,
  };
}
