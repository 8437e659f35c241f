import { grown } from './typed-array.js';

/** The empty link of a SlotList (and "no agent" / "no call" in the simulator). */
export const NIL = -1;

/**
 * A first-in, first-out list of slot numbers (agents or calls), doubly linked through typed
 * arrays so that pushing, and removing from anywhere, allocate nothing and take constant time.
 * The simulator keeps its ready agents (longest ready first) and its calls waiting for an agent
 * (oldest first) in these.
 */
export class SlotList {
  private prev: Int32Array;
  private next: Int32Array;
  head = NIL;
  tail = NIL;
  count = 0;

  constructor(capacity: number) {
    this.prev = new Int32Array(capacity).fill(NIL);
    this.next = new Int32Array(capacity).fill(NIL);
  }

  /** Room for slots up to `capacity - 1`; the slots already linked keep their links. */
  grow(capacity: number): void {
    this.prev = grown(this.prev, capacity);
    this.next = grown(this.next, capacity);
  }

  push(s: number): void {
    this.prev[s] = this.tail;
    this.next[s] = NIL;
    if (this.tail !== NIL) this.next[this.tail] = s;
    else this.head = s;
    this.tail = s;
    this.count++;
  }

  remove(s: number): void {
    const p = this.prev[s] as number;
    const nx = this.next[s] as number;
    if (p !== NIL) this.next[p] = nx;
    else this.head = nx;
    if (nx !== NIL) this.prev[nx] = p;
    else this.tail = p;
    this.count--;
  }
}
