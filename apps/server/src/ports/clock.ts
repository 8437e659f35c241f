/** The time source the domain and services use; tests and the simulator pass a virtual one. */
export interface Clock {
  /** Epoch milliseconds. */
  nowMs(): number;
}

/** A source of uniform random numbers in [0, 1); seeded in tests and simulations. */
export interface Rng {
  next(): number;
}

export const systemClock: Clock = { nowMs: () => Date.now() };

/** A clock that moves only when told to (tests, the pacing simulator). */
export class ManualClock implements Clock {
  constructor(private now = 0) {}
  nowMs(): number {
    return this.now;
  }
  set(ms: number): void {
    this.now = ms;
  }
  advance(ms: number): void {
    this.now += ms;
  }
}

/** Mulberry32: small, fast, seeded; good enough for simulations, not for secrets. */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  return {
    next() {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
}
