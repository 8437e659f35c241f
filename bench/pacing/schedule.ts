import { seededRng, type Rng } from '../../apps/server/src/ports/clock.js';
import * as scenarioModule from './scenario.js';
import type { Scenario } from './scenario.js';

const scheduleTimeFor = scenarioModule.scheduleTimeFor;

/**
 * Who works when, day by day: each agent's login and logout instants (seconds into the day) and
 * the scenario's pauses, which fall on agents drawn from the seed's own generator (the same for
 * every policy, so that no policy can be lucky in who leaves).
 */
export class DaySchedule {
  readonly loginAtS: Float64Array;
  readonly logoutAtS: Float64Array;
  /** The latest logout of the day. */
  lastLogoutS = 0;
  /** The day's pause requests, by number: the agent and how long it pauses, s. */
  pauseAgent: Int32Array = new Int32Array(0);
  pauseDurS: Float64Array = new Float64Array(0);
  private readonly rng: Rng;

  constructor(
    private readonly sc: Scenario,
    seed: number,
  ) {
    this.loginAtS = new Float64Array(sc.agents);
    this.logoutAtS = new Float64Array(sc.agents);
    this.rng = seededRng(seed * 104729 + 5);
  }

  /** Fills the day's logins and logouts for a day `dayLenS` long. */
  planShifts(dayLenS: number): void {
    const sched = this.sc.agentSchedule;
    const n = this.sc.agents;
    const logoutBase =
      typeof sched.logoutAtS === 'object' && !Array.isArray(sched.logoutAtS)
        ? dayLenS - sched.logoutAtS.stagger * (n - 1)
        : dayLenS;
    let lastLogout = 0;
    for (let i = 0; i < n; i++) {
      const login = scheduleTimeFor(sched.loginAtS, i, 0);
      const logout = scheduleTimeFor(sched.logoutAtS, i, logoutBase);
      this.loginAtS[i] = login;
      this.logoutAtS[i] = logout;
      if (logout > lastLogout) lastLogout = logout;
    }
    this.lastLogoutS = lastLogout;
  }

  /** Draws the day's pauses; `request(atS, k)` is called for pause request k, in order. */
  planPauses(request: (atS: number, k: number) => void): void {
    const n = this.sc.agents;
    const pauses = this.sc.agentSchedule.pauses;
    let total = 0;
    const counts = pauses.map((p) => Math.round(p.share * n));
    for (const c of counts) total += c;
    if (this.pauseAgent.length < total) {
      this.pauseAgent = new Int32Array(total);
      this.pauseDurS = new Float64Array(total);
    }
    let k = 0;
    for (let pi = 0; pi < pauses.length; pi++) {
      const p = pauses[pi];
      const count = counts[pi] ?? 0;
      if (p === undefined || count === 0) continue;
      const order = Int32Array.from({ length: n }, (_, i) => i);
      for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(this.rng.next() * (i + 1));
        const tmp = order[i] as number;
        order[i] = order[j] as number;
        order[j] = tmp;
      }
      for (let c = 0; c < count; c++) {
        const at = p.atS + ((p.spreadS ?? 0) * c) / Math.max(1, count);
        this.pauseAgent[k] = order[c] as number;
        this.pauseDurS[k] = p.durationS;
        request(at, k);
        k++;
      }
    }
  }
}
