/**
 * What the take-over test saw after the kill, and its judgement of the survivor (pure, so that
 * resumption.failover.test.ts can check the judgement itself): failover-floor.ts watchFloor takes
 * the samples.
 */

/** One look at the campaign after the kill (ms since the kill). */
export interface FloorSample {
  atMs: number;
  holder: 'dead' | 'survivor' | 'none' | 'other';
  ready: number;
  agents: Record<string, number>;
  calls: Record<string, number>;
  /** Leads queued in the hopper (not leased). */
  queued: number;
  /** Campaign calls in call_log originated since the kill. */
  dialedSince: number;
  /** Leads marked as in a hopper (hopper_at) / never dialed and not marked (PostgreSQL). */
  marked: number;
  fresh: number;
  /** The last dialer.status of the campaign (its publisher's copy in Redis). */
  status: string;
}

/** The samples as lines, one per change of what they show (the test prints them). */
export function formatSamples(samples: readonly FloorSample[]): string {
  let last = '';
  const out: string[] = [];
  for (const s of samples) {
    const line =
      `${s.holder} ready=${s.ready} agents=${JSON.stringify(s.agents)} calls=${JSON.stringify(s.calls)} ` +
      `queued=${s.queued} marked=${s.marked} fresh=${s.fresh} dialed=${s.dialedSince} | ${s.status}`;
    if (line === last) continue;
    last = line;
    out.push(`  +${String(s.atMs).padStart(6)} ms ${line}`);
  }
  return out.join('\n');
}

/** Calls that have not reached an agent yet (domain/pacing census: they cover a READY agent). */
const PENDING_STAGES = ['DIALING', 'RINGING', 'AMD', 'WAITING'];

/**
 * The survivor owes a call: it holds the campaign, a READY agent is not covered by a call in
 * flight, and a lead is queued. Its pacing model is cold after a take-over (it learns 200 dial
 * outcomes of its own first), so it paces progressively: one call per READY agent not covered.
 * A survivor with no READY agent (all talking or in wrap-up), with every READY agent covered by
 * the dead holder's calls still in flight, or with an empty hopper is right not to dial.
 */
export function owesCall(s: FloorSample): boolean {
  const pending = PENDING_STAGES.reduce((n, stage) => n + (s.calls[stage] ?? 0), 0);
  return s.holder === 'survivor' && s.ready > pending && s.queued > 0;
}

export interface Resumption {
  /** When the survivor first owed a call (ms after the kill); null: never in the samples. */
  firstOwedMs: number | null;
  /** The first sample that saw a call placed after the kill (ms after the kill). */
  firstCallMs: number | null;
  /** The longest stretch the survivor owed a call without placing one (ms). */
  longestOwedMs: number;
}

/**
 * Reads the samples up to the first call after the kill: when the survivor first owed one, and
 * the longest it went on owing one (one stretch: consecutive samples that all owe) without
 * dialing. A stretch that ends by itself (the agent taken by a call the dead holder left) is not
 * a failure to dial; one still open at the first call ends there.
 */
export function judgeResumption(samples: readonly FloorSample[]): Resumption {
  let firstOwedMs: number | null = null;
  let owedFrom: number | null = null;
  let longestOwedMs = 0;
  for (const s of samples) {
    if (s.dialedSince > 0) {
      if (owedFrom !== null) longestOwedMs = Math.max(longestOwedMs, s.atMs - owedFrom);
      return { firstOwedMs, firstCallMs: s.atMs, longestOwedMs };
    }
    if (owesCall(s)) {
      firstOwedMs ??= s.atMs;
      owedFrom ??= s.atMs;
      longestOwedMs = Math.max(longestOwedMs, s.atMs - owedFrom);
    } else {
      owedFrom = null;
    }
  }
  return { firstOwedMs, firstCallMs: null, longestOwedMs };
}
