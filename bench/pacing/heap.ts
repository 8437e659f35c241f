import { grown } from './typed-array.js';

/**
 * A binary min-heap of events keyed by time, in typed arrays so pushing and popping allocate
 * nothing (the arrays double when full). An event is (time, code, gen): `code` packs the kind and
 * the subject (agent or call slot); `gen` lets a stale event for a reused call slot be ignored.
 */
export class EventHeap {
  private t: Float64Array;
  private c: Int32Array;
  private g: Int32Array;
  size = 0;
  /** Filled by pop(). */
  topTime = 0;
  topCode = 0;
  topGen = 0;

  constructor(capacity = 1024) {
    this.t = new Float64Array(capacity);
    this.c = new Int32Array(capacity);
    this.g = new Int32Array(capacity);
  }

  clear(): void {
    this.size = 0;
  }

  push(time: number, code: number, gen: number): void {
    if (this.size === this.t.length) this.grow();
    const t = this.t;
    let i = this.size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if ((t[p] as number) <= time) break;
      this.move(i, p);
      i = p;
    }
    this.set(i, time, code, gen);
  }

  /** Removes the earliest event into topTime/topCode/topGen; false when empty. */
  pop(): boolean {
    if (this.size === 0) return false;
    const t = this.t;
    const c = this.c;
    const g = this.g;
    this.topTime = t[0] as number;
    this.topCode = c[0] as number;
    this.topGen = g[0] as number;
    const n = --this.size;
    if (n === 0) return true;
    const lt = t[n] as number;
    const lc = c[n] as number;
    const lg = g[n] as number;
    let i = 0;
    for (;;) {
      let k = 2 * i + 1;
      if (k >= n) break;
      if (k + 1 < n && (t[k + 1] as number) < (t[k] as number)) k++;
      if ((t[k] as number) >= lt) break;
      this.move(i, k);
      i = k;
    }
    this.set(i, lt, lc, lg);
    return true;
  }

  /** Slot `to` takes the event in slot `from`. */
  private move(to: number, from: number): void {
    this.set(to, this.t[from] as number, this.c[from] as number, this.g[from] as number);
  }

  private set(i: number, time: number, code: number, gen: number): void {
    this.t[i] = time;
    this.c[i] = code;
    this.g[i] = gen;
  }

  peekTime(): number {
    return this.size > 0 ? (this.t[0] as number) : Infinity;
  }

  private grow(): void {
    const n = this.t.length * 2;
    this.t = grown(this.t, n);
    this.c = grown(this.c, n);
    this.g = grown(this.g, n);
  }
}
