import { metricsOf, type RunMetrics } from './metrics.js';
import {
  OraclePolicy,
  oursPolicy,
  progressivePolicy,
  ratioPolicy,
  VicidialPolicy,
} from './policies.js';
import type { Scenario } from './scenario.js';
import { Sim, type Policy, type PolicyName } from './sim.js';

/** One unit of work for a worker thread. */
export type Task =
  | {
      kind: 'run';
      scenario: Scenario;
      policy: PolicyName;
      seed: number;
      days: number;
      dialLevel?: number;
    }
  | { kind: 'ratioSearch'; scenario: Scenario; seeds: number[]; days: number };

export type TaskResult =
  | { kind: 'run'; metrics: RunMetrics; dialLevel?: number; wallS: number }
  | { kind: 'ratioSearch'; scenario: string; dialLevel: number; wallS: number };

export function makePolicy(sc: Scenario, name: PolicyName, dialLevel = 1): Policy {
  switch (name) {
    case 'progressive':
      return progressivePolicy(sc);
    case 'ratio':
      return ratioPolicy(sc, dialLevel);
    case 'vicidial':
      return new VicidialPolicy();
    case 'ours':
      return oursPolicy(sc);
    case 'oracle':
      return new OraclePolicy(sc);
  }
}

export function runOne(
  sc: Scenario,
  name: PolicyName,
  seed: number,
  days: number,
  dialLevel = 1,
): RunMetrics {
  const r = new Sim(sc, seed, makePolicy(sc, name, dialLevel)).run(days);
  return metricsOf(sc.id, name, seed, r);
}

/** Margin under the cap the ratio search keeps, in percentage points, for the full run's noise. */
export const RATIO_SEARCH_MARGIN_PCT = 0.3;

/**
 * The highest fixed dial level whose worst seed stays under the cap minus a margin, by bisection
 * on a shortened run (abandonment rises with the level). The full run then uses it.
 */
export function searchRatio(sc: Scenario, seeds: number[], days: number): number {
  const limit = sc.abandonTargetPct - RATIO_SEARCH_MARGIN_PCT;
  const worst = (level: number): number =>
    Math.max(...seeds.map((seed) => runOne(sc, 'ratio', seed, days, level).abandonmentPct));
  let lo = 1.0;
  let hi = 2.0;
  // Grow the bracket until the upper end breaks the cap.
  while (worst(hi) <= limit && hi < 32) {
    lo = hi;
    hi *= 2;
  }
  for (let i = 0; i < 7; i++) {
    const mid = (lo + hi) / 2;
    if (worst(mid) <= limit) lo = mid;
    else hi = mid;
  }
  return Math.round(lo * 1000) / 1000;
}

export function runTask(task: Task): TaskResult {
  const t0 = performance.now();
  if (task.kind === 'run') {
    const metrics = runOne(task.scenario, task.policy, task.seed, task.days, task.dialLevel);
    return {
      kind: 'run',
      metrics,
      ...(task.dialLevel !== undefined ? { dialLevel: task.dialLevel } : {}),
      wallS: (performance.now() - t0) / 1000,
    };
  }
  const dialLevel = searchRatio(task.scenario, task.seeds, task.days);
  return {
    kind: 'ratioSearch',
    scenario: task.scenario.id,
    dialLevel,
    wallS: (performance.now() - t0) / 1000,
  };
}
