import type { CallView } from '../../apps/server/src/domain/pacing/index.js';
import { NIL, SlotList } from './slot-list.js';
import { grown } from './typed-array.js';

/** Call stages in the simulator (a bridged call leaves the table: its agent carries it). */
export const C_FREE = 0;
export const C_RINGING = 1;
export const C_AMD = 2;
export const C_WAITING = 3;

/** What the lead will do (the truth the production dialer never sees). */
export const K_LIVE = 0;
export const K_MACHINE = 1;
export const K_FAILED = 2;
export const K_NOANSWER = 3;

/** CallTable's typed arrays, one element per slot: grow() grows them together. */
const SLOT_COLUMNS = [
  'stage',
  'kind',
  'err',
  'gen',
  'activeIdx',
  'nextFree',
  'activeSlots',
  'dialAt',
  'stageAt',
  'answerDelay',
  'amdDelay',
  'talk',
  'wrap',
] as const;
type SlotColumn = (typeof SLOT_COLUMNS)[number];

/**
 * The simulator's calls in flight: one slot per call in typed arrays (doubled when full, slots
 * reused through a free list, each reuse a new generation so that a stale event is ignored), the
 * views the pacing module reads (dense, `activeCount` long), and the calls waiting for an agent.
 */
export class CallTable {
  private cap = 0;
  stage = new Int8Array(0);
  kind = new Int8Array(0);
  gen = new Int32Array(0);
  dialAt = new Float64Array(0);
  stageAt = new Float64Array(0);
  answerDelay = new Float64Array(0);
  amdDelay = new Float64Array(0);
  talk = new Float64Array(0);
  wrap = new Float64Array(0);
  /** Bit 1: human taken for a machine; bit 2: machine passed to an agent. */
  err = new Int8Array(0);
  /** Each slot's place in `views`. */
  private activeIdx = new Int32Array(0);
  private nextFree = new Int32Array(0);
  private freeHead = NIL;
  private activeSlots = new Int32Array(0);
  /** Calls dialed and not yet bridged or ended: the views the pacing module reads. */
  readonly views: CallView[] = [];
  activeCount = 0;
  /** Answered calls that wait for an agent, oldest first. */
  readonly waiting = new SlotList(0);

  constructor(capacity: number) {
    this.grow(capacity);
  }

  private grow(cap: number): void {
    const old = this.cap;
    // Every per-slot column by name (private ones included, hence the cast): one list to extend.
    const columns = this as unknown as Record<SlotColumn, Int8Array | Int32Array | Float64Array>;
    for (const k of SLOT_COLUMNS) columns[k] = grown(columns[k], cap);
    this.waiting.grow(cap);
    // New slots join the free list.
    for (let i = cap - 1; i >= old; i--) {
      this.nextFree[i] = this.freeHead;
      this.freeHead = i;
    }
    this.cap = cap;
  }

  /** A slot for a new call, a new generation, with a view at the end of `views`. */
  alloc(): number {
    if (this.freeHead === NIL) this.grow(this.cap * 2);
    const s = this.freeHead;
    this.freeHead = this.nextFree[s] as number;
    this.gen[s] = ((this.gen[s] as number) + 1) | 0;
    const idx = this.activeCount++;
    this.activeSlots[idx] = s;
    this.activeIdx[s] = idx;
    if (idx >= this.views.length)
      this.views.push({ stage: 'RINGING', dialedAtMs: 0, stageAtMs: 0 });
    return s;
  }

  /** The call left the table (ended, or bridged to an agent): the last view fills its place. */
  free(s: number): void {
    const idx = this.activeIdx[s] as number;
    const last = --this.activeCount;
    if (idx !== last) {
      const moved = this.activeSlots[last] as number;
      this.activeSlots[idx] = moved;
      this.activeIdx[moved] = idx;
      const a = this.views[idx] as CallView;
      const b = this.views[last] as CallView;
      a.stage = b.stage;
      a.dialedAtMs = b.dialedAtMs;
      a.stageAtMs = b.stageAtMs;
    }
    this.stage[s] = C_FREE;
    this.gen[s] = ((this.gen[s] as number) + 1) | 0;
    this.nextFree[s] = this.freeHead;
    this.freeHead = s;
  }

  /** The slot's pacing view. */
  view(s: number): CallView {
    return this.views[this.activeIdx[s] as number] as CallView;
  }

  /** Moves a call to `stage` at simulator time `t` (`nowMs` on the virtual clock). */
  setStage(s: number, stage: number, t: number, nowMs: number): void {
    this.stage[s] = stage;
    this.stageAt[s] = t;
    const v = this.view(s);
    v.stage = stage === C_RINGING ? 'RINGING' : stage === C_AMD ? 'AMD' : 'WAITING';
    v.stageAtMs = nowMs;
  }

  /** A MACHINE verdict (a human taken for a machine, or a machine AMD did not pass as human). */
  machineVerdict(s: number): boolean {
    const kind = this.kind[s];
    const err = this.err[s];
    return (kind === K_LIVE && err === 1) || (kind === K_MACHINE && err !== 2);
  }
}
