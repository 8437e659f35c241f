import type { AgentView } from '../../apps/server/src/domain/pacing/index.js';
import { SlotList } from './slot-list.js';

/** Agent states in the simulator (AgentTable.state), indexes of their names below. */
export const A_OUT = 0;
export const A_READY = 1;
export const A_PAUSED = 2;
export const A_INCALL = 3;
export const A_WRAP = 4;
const stateName = ['LOGGED_OUT', 'READY', 'PAUSED', 'INCALL', 'WRAPUP'] as const;

/**
 * The simulator's agents: one slot per agent in typed arrays (state and since when, the call in
 * hand, a pending pause), the READY ones longest first, the views the pacing module reads, and
 * the counts and times the policies and metrics read.
 */
export class AgentTable {
  /** A_OUT, A_READY, ... */
  readonly state: Int8Array;
  readonly since: Float64Array;
  /** Bumped at every state change: a pause's end event is stale once the agent moved on. */
  readonly token: Int32Array;
  /** When the agent is next expected free, for the oracle (talk end + wrap, pause end, login). */
  readonly freeAt: Float64Array;
  /** The call in hand: talk and wrap, s, and whether its talk counts (not a machine). */
  readonly talk: Float64Array;
  readonly wrap: Float64Array;
  readonly countsTalk: Uint8Array;
  /** A pause (its length, s) asked for while busy, taken when free; 0: none. */
  readonly pausePending: Float64Array;
  readonly loggedSince: Float64Array;
  /** READY agents, longest ready first. */
  readonly ready: SlotList;
  readonly views: AgentView[];
  incallCount = 0;
  wrapCount = 0;
  pausedCount = 0;
  loggedInCount = 0;
  /** READY time and logged-in time summed over agents, s. */
  waitS = 0;
  loggedS = 0;

  constructor(n: number) {
    this.state = new Int8Array(n);
    this.since = new Float64Array(n);
    this.token = new Int32Array(n);
    this.freeAt = new Float64Array(n);
    this.talk = new Float64Array(n);
    this.wrap = new Float64Array(n);
    this.countsTalk = new Uint8Array(n);
    this.pausePending = new Float64Array(n);
    this.loggedSince = new Float64Array(n);
    this.ready = new SlotList(n);
    this.views = Array.from({ length: n }, () => ({ state: 'LOGGED_OUT', sinceMs: 0 }));
  }

  /** Moves agent `a` to `state` at simulator time `t` (`nowMs` on the virtual clock). */
  set(a: number, state: number, t: number, nowMs: number): void {
    if (this.state[a] === A_READY) {
      this.waitS += t - (this.since[a] as number);
      this.ready.remove(a);
    }
    this.state[a] = state;
    this.since[a] = t;
    this.token[a] = ((this.token[a] as number) + 1) | 0;
    const v = this.views[a] as AgentView;
    v.state = stateName[state] ?? 'LOGGED_OUT';
    v.sinceMs = nowMs;
  }
}
