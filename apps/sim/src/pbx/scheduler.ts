/**
 * One scheduler for every timer of the simulated PBX: a binary min-heap of due tasks in virtual
 * milliseconds, armed with a single real `setTimeout` (or none, for the manual clock). Thousands of
 * concurrent calls therefore cost heap entries, not thousands of Node timers.
 */

/** A scheduled task; pass it to `cancel`. */
export interface SimTimer {
  readonly atMs: number;
  cancelled: boolean;
}

/** Virtual time and timers, shared by everything in one simulated PBX. */
export interface SimScheduler {
  /** Virtual epoch milliseconds (scaled by `speed` for the real scheduler). */
  nowMs(): number;
  /** Runs `fn` after `delayMs` virtual milliseconds (0 runs on the next turn, in order). */
  after(delayMs: number, fn: () => void): SimTimer;
  cancel(timer: SimTimer | null | undefined): void;
  /** Drops every pending task (reset, stop). */
  clear(): void;
  /** Pending task count (for counters). */
  size(): number;
}

interface Task extends SimTimer {
  seq: number;
  fn: () => void;
}

/** Min-heap ordered by (atMs, seq) so that tasks due at the same instant run in schedule order. */
class TaskHeap {
  private items: Task[] = [];
  get length(): number {
    return this.items.length;
  }
  peek(): Task | undefined {
    return this.items[0];
  }
  clear(): void {
    this.items = [];
  }
  push(t: Task): void {
    const a = this.items;
    a.push(t);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = a[p] as Task;
      if (!less(t, parent)) break;
      a[i] = parent;
      i = p;
    }
    a[i] = t;
  }
  pop(): Task | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      let i = 0;
      const n = a.length;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const left = a[l] as Task;
        const right = a[r];
        const c = right && less(right, left) ? r : l;
        const child = a[c] as Task;
        if (!less(child, last)) break;
        a[i] = child;
        i = c;
      }
      a[i] = last;
    }
    return top;
  }
}

function less(a: Task, b: Task): boolean {
  return a.atMs < b.atMs || (a.atMs === b.atMs && a.seq < b.seq);
}

abstract class HeapScheduler implements SimScheduler {
  protected heap = new TaskHeap();
  private seq = 0;
  private live = 0;
  abstract nowMs(): number;
  protected abstract arm(): void;

  after(delayMs: number, fn: () => void): SimTimer {
    const task: Task = {
      atMs: this.nowMs() + Math.max(0, delayMs),
      seq: this.seq++,
      fn,
      cancelled: false,
    };
    this.heap.push(task);
    this.live++;
    if (this.heap.peek() === task) this.arm();
    return task;
  }

  cancel(timer: SimTimer | null | undefined): void {
    if (timer && !timer.cancelled) {
      timer.cancelled = true;
      this.live--;
    }
  }

  clear(): void {
    this.heap.clear();
    this.live = 0;
  }

  size(): number {
    return this.live;
  }

  /** Runs every task due at or before `untilMs`, in order; returns how many ran. */
  protected runDue(untilMs: number, beforeEach?: (atMs: number) => void): number {
    let ran = 0;
    for (;;) {
      const top = this.heap.peek();
      if (!top || top.atMs > untilMs) break;
      this.heap.pop();
      if (top.cancelled) continue;
      top.cancelled = true;
      this.live--;
      beforeEach?.(top.atMs);
      top.fn();
      ran++;
    }
    return ran;
  }
}

/**
 * Real time, optionally sped up: virtual time runs `speed` times faster than the wall clock, so a
 * 12 s ring at speed 10 takes 1.2 s. Timestamps in events use virtual time.
 */
export class RealScheduler extends HeapScheduler {
  private timer: NodeJS.Timeout | null = null;
  private armedAt = Infinity;
  private readonly startReal = performance.now();
  private readonly startVirtual: number;

  constructor(
    private readonly speed = 1,
    epochMs = Date.now(),
  ) {
    super();
    if (!(speed > 0)) throw new RangeError('speed must be > 0');
    this.startVirtual = epochMs;
  }

  nowMs(): number {
    // Whole milliseconds: event schemas and Clock consumers expect integers.
    return Math.floor(this.startVirtual + (performance.now() - this.startReal) * this.speed);
  }

  protected arm(): void {
    const top = this.heap.peek();
    if (!top) return;
    if (this.timer && top.atMs >= this.armedAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.armedAt = top.atMs;
    const waitReal = Math.max(0, (top.atMs - this.nowMs()) / this.speed);
    this.timer = setTimeout(() => this.fire(), waitReal);
    // The PBX's HTTP server keeps the process alive; timers must not block a clean stop.
    this.timer.unref();
  }

  private fire(): void {
    this.timer = null;
    this.armedAt = Infinity;
    this.runDue(this.nowMs());
    this.arm();
  }

  override clear(): void {
    super.clear();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.armedAt = Infinity;
  }
}

/**
 * Time moves only when told to (tests): `advance(ms)` runs every task due within the window, each
 * seeing `nowMs()` equal to its own due time.
 */
export class ManualScheduler extends HeapScheduler {
  private now: number;
  constructor(epochMs = Date.UTC(2026, 10, 24, 20, 0, 0)) {
    super();
    this.now = epochMs;
  }
  nowMs(): number {
    return this.now;
  }
  protected arm(): void {
    // Nothing to arm: tasks run from advance().
  }
  /** Moves virtual time forward by `ms`, running due tasks in order; returns how many ran. */
  advance(ms: number): number {
    const target = this.now + Math.max(0, ms);
    const ran = this.runDue(target, (at) => {
      this.now = Math.max(this.now, at);
    });
    this.now = target;
    return ran;
  }
  /** Runs tasks due now (zero-delay work) without moving time. */
  flush(): number {
    return this.advance(0);
  }
}
