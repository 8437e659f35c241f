import { validateDist, type DistSpec } from '../../apps/server/src/domain/pacing/index.js';

/** A point of a drifting live-answer rate: seconds since the start of the day, probability. */
export interface RatePoint {
  atS: number;
  value: number;
}

export interface PauseSpec {
  atS: number;
  durationS: number;
  share: number;
  spreadS?: number;
}

/** Login or logout time: one value for all, one per agent, or staggered by `stagger` s per agent. */
export type ScheduleTime = number | number[] | { stagger: number };

/** One scenario after defaults are applied (README.md beside scenarios.json). */
export interface Scenario {
  id: string;
  about: string;
  agents: number;
  days: number;
  hoursPerDay: number;
  seeds: number[];
  abandonTargetPct: number;
  dropWaitS: number;
  ringTimeoutS: number;
  outcomes: { live: number | RatePoint[]; machine: number; failed: number };
  liveAnswerDelayS: DistSpec;
  machineAnswerDelayS: DistSpec;
  failedDelayS: DistSpec;
  amdHumanDecisionS: DistSpec;
  amdMachineDecisionS: DistSpec;
  amdErrors: { humanAsMachine: number; machineAsHuman: number };
  talkS: DistSpec;
  wrapS: DistSpec;
  agentSchedule: { loginAtS: ScheduleTime; logoutAtS: ScheduleTime; pauses: PauseSpec[] };
}

type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Applies defaults (objects replaced whole, not merged) and validates; throws naming the field. */
export function parseScenarioFile(text: string, source: string): Scenario[] {
  const root: unknown = JSON.parse(text);
  if (!isObj(root) || !Array.isArray(root.scenarios))
    throw new Error(`${source}: expected { defaults, scenarios: [...] }`);
  const defaults = isObj(root.defaults) ? root.defaults : {};
  return root.scenarios.map((raw, i) => {
    if (!isObj(raw)) throw new Error(`${source}: scenarios[${i}] is not an object`);
    const merged: Json = { ...defaults, ...raw };
    return validateScenario(merged, `${source}: ${String(raw.id ?? `scenarios[${i}]`)}`);
  });
}

function num(o: Json, k: string, where: string, min = 0): number {
  const v = o[k];
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min)
    throw new Error(`${where}: ${k} must be a number >= ${min}`);
  return v;
}

function dist(o: Json, k: string, where: string): DistSpec {
  const v = o[k];
  if (!isObj(v)) throw new Error(`${where}: ${k} must be a distribution object`);
  const spec = v as unknown as DistSpec;
  const err = validateDist(spec, k);
  if (err) throw new Error(`${where}: ${err}`);
  return spec;
}

function schedTime(v: unknown, k: string, where: string, agents: number): ScheduleTime {
  if (typeof v === 'number' && v >= 0) return v;
  if (Array.isArray(v) && v.length === agents && v.every((x) => typeof x === 'number' && x >= 0))
    return v as number[];
  if (isObj(v) && typeof v.stagger === 'number') return { stagger: v.stagger };
  throw new Error(
    `${where}: agentSchedule.${k} must be seconds, a list of ${agents}, or {stagger}`,
  );
}

function validateScenario(o: Json, where: string): Scenario {
  const id = typeof o.id === 'string' ? o.id : where;
  const agents = Math.floor(num(o, 'agents', where, 1));
  const outcomes = o.outcomes;
  if (!isObj(outcomes)) throw new Error(`${where}: outcomes must be an object`);
  let live: number | RatePoint[];
  if (Array.isArray(outcomes.live)) {
    live = outcomes.live.map((p, i) => {
      if (!isObj(p) || typeof p.atS !== 'number' || typeof p.value !== 'number')
        throw new Error(`${where}: outcomes.live[${i}] must be { atS, value }`);
      return { atS: p.atS, value: p.value };
    });
    live.sort((a, b) => a.atS - b.atS);
    if (live.length === 0) throw new Error(`${where}: outcomes.live is empty`);
  } else live = num(outcomes, 'live', `${where} outcomes`);
  const machine = num(outcomes, 'machine', `${where} outcomes`);
  const failed = num(outcomes, 'failed', `${where} outcomes`);
  const maxLive = Array.isArray(live) ? Math.max(...live.map((p) => p.value)) : live;
  if (maxLive + machine + failed > 1 + 1e-9)
    throw new Error(`${where}: outcomes live + machine + failed exceed 1`);
  const amdErrors = isObj(o.amdErrors) ? o.amdErrors : {};
  const sched = isObj(o.agentSchedule) ? o.agentSchedule : {};
  const pausesRaw = Array.isArray(sched.pauses) ? sched.pauses : [];
  const pauses: PauseSpec[] = pausesRaw.map((p, i) => {
    if (!isObj(p)) throw new Error(`${where}: pauses[${i}] must be an object`);
    const spec: PauseSpec = {
      atS: num(p, 'atS', `${where} pauses[${i}]`),
      durationS: num(p, 'durationS', `${where} pauses[${i}]`),
      share: num(p, 'share', `${where} pauses[${i}]`),
    };
    if (typeof p.spreadS === 'number') spec.spreadS = p.spreadS;
    return spec;
  });
  const seeds = Array.isArray(o.seeds) ? o.seeds.map((s) => Number(s)) : [1];
  return {
    id,
    about: typeof o.about === 'string' ? o.about : '',
    agents,
    days: Math.floor(num(o, 'days', where, 1)),
    hoursPerDay: num(o, 'hoursPerDay', where),
    seeds,
    abandonTargetPct: num(o, 'abandonTargetPct', where),
    dropWaitS: num(o, 'dropWaitS', where),
    ringTimeoutS: num(o, 'ringTimeoutS', where),
    outcomes: { live, machine, failed },
    liveAnswerDelayS: dist(o, 'liveAnswerDelayS', where),
    machineAnswerDelayS: dist(o, 'machineAnswerDelayS', where),
    failedDelayS: dist(o, 'failedDelayS', where),
    amdHumanDecisionS: dist(o, 'amdHumanDecisionS', where),
    amdMachineDecisionS: dist(o, 'amdMachineDecisionS', where),
    amdErrors: {
      humanAsMachine: typeof amdErrors.humanAsMachine === 'number' ? amdErrors.humanAsMachine : 0,
      machineAsHuman: typeof amdErrors.machineAsHuman === 'number' ? amdErrors.machineAsHuman : 0,
    },
    talkS: dist(o, 'talkS', where),
    wrapS: dist(o, 'wrapS', where),
    agentSchedule: {
      loginAtS: schedTime(sched.loginAtS ?? 0, 'loginAtS', where, agents),
      logoutAtS: schedTime(
        sched.logoutAtS ?? num(o, 'hoursPerDay', where) * 3600,
        'logoutAtS',
        where,
        agents,
      ),
      pauses,
    },
  };
}

/** Live-answer probability at a time of day: the scalar, or the points interpolated linearly. */
export function liveAt(live: number | RatePoint[], atS: number): number {
  if (typeof live === 'number') return live;
  const first = live[0] as RatePoint;
  if (atS <= first.atS) return first.value;
  for (let i = 1; i < live.length; i++) {
    const b = live[i] as RatePoint;
    if (atS <= b.atS) {
      const a = live[i - 1] as RatePoint;
      return a.value + ((b.value - a.value) * (atS - a.atS)) / (b.atS - a.atS || 1);
    }
  }
  return (live[live.length - 1] as RatePoint).value;
}

/** Login or logout second of agent i. `{stagger}` spreads agents from `base` by that step. */
export function scheduleTimeFor(t: ScheduleTime, i: number, base: number): number {
  if (typeof t === 'number') return t;
  if (Array.isArray(t)) return t[i] ?? base;
  return base + t.stagger * i;
}
