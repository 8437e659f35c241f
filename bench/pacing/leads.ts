import { distSampler } from '../../apps/server/src/domain/pacing/distributions.js';
import type { Rng } from '../../apps/server/src/ports/clock.js';
import type { Scenario } from './scenario.js';

/** Fields stored per lead, drawn in this order from the lead stream's own generator. */
export const L_U = 0; // uniform that picks the outcome at dial time
export const L_LIVE_DELAY = 1;
export const L_MACHINE_DELAY = 2;
export const L_FAILED_DELAY = 3;
export const L_AMD_HUMAN = 4;
export const L_AMD_MACHINE = 5;
export const L_U_ERR = 6; // uniform for AMD errors
export const L_TALK = 7;
export const L_WRAP = 8;
const FIELDS = 9;

/**
 * The seed's leads, in order. Every field of a lead is drawn before any policy sees it, from a
 * generator that only this stream uses, so lead k is the same for every policy whatever the
 * policy does; only when it is dialed differs. The outcome is picked at dial time from the
 * lead's uniform and the answer rates of that moment (they may drift during the day), so with a
 * constant rate every policy meets exactly the same live leads in the same order.
 *
 * A ring buffer keeps a window of drawn leads (the oracle peeks ahead) without holding the whole
 * run in memory.
 */
export class LeadStream {
  private buf: Float64Array;
  private cap: number;
  /** Index of the next lead to dial, and of the first lead not yet drawn. */
  next = 0;
  private drawn = 0;
  private readonly liveDelay: (rng: Rng) => number;
  private readonly machineDelay: (rng: Rng) => number;
  private readonly failedDelay: (rng: Rng) => number;
  private readonly amdHuman: (rng: Rng) => number;
  private readonly amdMachine: (rng: Rng) => number;
  private readonly talk: (rng: Rng) => number;
  private readonly wrap: (rng: Rng) => number;

  constructor(
    sc: Scenario,
    private readonly rng: Rng,
    capacity = 1 << 14,
  ) {
    this.cap = capacity;
    this.buf = new Float64Array(capacity * FIELDS);
    this.liveDelay = distSampler(sc.liveAnswerDelayS);
    this.machineDelay = distSampler(sc.machineAnswerDelayS);
    this.failedDelay = distSampler(sc.failedDelayS);
    this.amdHuman = distSampler(sc.amdHumanDecisionS);
    this.amdMachine = distSampler(sc.amdMachineDecisionS);
    this.talk = distSampler(sc.talkS);
    this.wrap = distSampler(sc.wrapS);
  }

  private draw(): void {
    if (this.drawn - this.next >= this.cap) this.growBuffer();
    const base = (this.drawn % this.cap) * FIELDS;
    const r = this.rng;
    const b = this.buf;
    b[base + L_U] = r.next();
    b[base + L_LIVE_DELAY] = this.liveDelay(r);
    b[base + L_MACHINE_DELAY] = this.machineDelay(r);
    b[base + L_FAILED_DELAY] = this.failedDelay(r);
    b[base + L_AMD_HUMAN] = this.amdHuman(r);
    b[base + L_AMD_MACHINE] = this.amdMachine(r);
    b[base + L_U_ERR] = r.next();
    b[base + L_TALK] = this.talk(r);
    b[base + L_WRAP] = this.wrap(r);
    this.drawn++;
  }

  private growBuffer(): void {
    const cap = this.cap * 2;
    const nb = new Float64Array(cap * FIELDS);
    for (let k = this.next; k < this.drawn; k++) {
      const from = (k % this.cap) * FIELDS;
      const to = (k % cap) * FIELDS;
      for (let f = 0; f < FIELDS; f++) nb[to + f] = this.buf[from + f] as number;
    }
    this.buf = nb;
    this.cap = cap;
  }

  /** Field f of lead `next + ahead` (drawing it if needed). */
  peek(ahead: number, f: number): number {
    const k = this.next + ahead;
    while (this.drawn <= k) this.draw();
    return this.buf[(k % this.cap) * FIELDS + f] as number;
  }

  /** Field f of the next lead. */
  field(f: number): number {
    return this.peek(0, f);
  }

  advance(): void {
    this.next++;
  }
}
