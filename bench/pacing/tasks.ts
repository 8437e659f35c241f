import type { DialGuardRule } from '../../apps/server/src/domain/pacing/index.js';
import { metricsOf, type RunMetrics } from './metrics.js';
import {
  OraclePolicy,
  oursKnownFreePolicy,
  oursPolicy,
  progressivePolicy,
  ratioPolicy,
  VicidialPolicy,
} from './policies.js';
import type { Scenario } from './scenario.js';
import type { PolicyName } from './policy.js';
import { Sim, type SimPolicy } from './sim.js';

/** One unit of work for a worker thread. */
export type Task =
  | {
      kind: 'run';
      scenario: Scenario;
      policy: PolicyName;
      seed: number;
      days: number;
      dialLevel?: number;
      /** The no-agent guard for the production module's modes (default: the dialer's). */
      guard?: DialGuardRule;
      /** Ours (and the ablation) with the ledger off and this fixed drop-risk threshold. */
      theta?: number;
    }
  | {
      kind: 'ratioSearch';
      scenario: Scenario;
      seeds: number[];
      days: number;
      guard?: DialGuardRule;
    };

export type TaskResult =
  | { kind: 'run'; metrics: RunMetrics; dialLevel?: number; wallS: number }
  | { kind: 'ratioSearch'; scenario: string; dialLevel: number; wallS: number };

/**
 * The guard applies to the policies that run the production module (progressive, ratio, ours);
 * VICIdial keeps its own rule and the oracle is the reference, unchanged.
 */
export function makePolicy(
  sc: Scenario,
  name: PolicyName,
  dialLevel = 1,
  guard?: DialGuardRule,
  theta?: number,
): SimPolicy {
  const fixed = theta !== undefined ? { ledgerControl: false, theta } : undefined;
  switch (name) {
    case 'progressive':
      return progressivePolicy(sc, guard);
    case 'ratio':
      return ratioPolicy(sc, dialLevel, guard);
    case 'vicidial':
      return new VicidialPolicy();
    case 'ours':
      return oursPolicy(sc, fixed, guard);
    case 'oracle':
      return new OraclePolicy(sc);
    case 'ours-known-free':
      return oursKnownFreePolicy(sc, fixed);
  }
}

export function runOne(
  sc: Scenario,
  name: PolicyName,
  seed: number,
  days: number,
  dialLevel = 1,
  guard?: DialGuardRule,
  theta?: number,
): RunMetrics {
  const r = new Sim(sc, seed, makePolicy(sc, name, dialLevel, guard, theta)).run(days);
  return metricsOf(sc.id, name, seed, r);
}

/** Margin under the cap the ratio search keeps, in percentage points, for the full run's noise. */
export const RATIO_SEARCH_MARGIN_PCT = 0.3;

/** Bisection steps of the ratio search after bracketing: the level is found to 1/64 of the bracket. */
const RATIO_SEARCH_STEPS = 6;

/**
 * The highest fixed dial level whose worst seed stays under the cap minus a margin, on a
 * shortened run (abandonment rises with the level). Bisection on the first seed, then the level
 * is stepped down until every seed passes (usually at once); the full run then uses it.
 */
export function searchRatio(
  sc: Scenario,
  seeds: number[],
  days: number,
  guard?: DialGuardRule,
): number {
  const limit = sc.abandonTargetPct - RATIO_SEARCH_MARGIN_PCT;
  const passes = (seed: number, level: number): boolean =>
    runOne(sc, 'ratio', seed, days, level, guard).abandonmentPct <= limit;
  const first = seeds[0] ?? 1;
  let lo = 1.0;
  let hi = 2.0;
  // Grow the bracket until the upper end breaks the cap.
  while (hi < 32 && passes(first, hi)) {
    lo = hi;
    hi *= 2;
  }
  const step = (hi - lo) / 2 ** RATIO_SEARCH_STEPS;
  for (let i = 0; i < RATIO_SEARCH_STEPS; i++) {
    const mid = (lo + hi) / 2;
    if (passes(first, mid)) lo = mid;
    else hi = mid;
  }
  const rest = seeds.slice(1);
  while (lo > 1 && !rest.every((seed) => passes(seed, lo))) lo = Math.max(1, lo - step);
  return Math.round(lo * 1000) / 1000;
}

export function runTask(task: Task): TaskResult {
  const t0 = performance.now();
  if (task.kind === 'run') {
    const metrics = runOne(
      task.scenario,
      task.policy,
      task.seed,
      task.days,
      task.dialLevel,
      task.guard,
      task.theta,
    );
    return {
      kind: 'run',
      metrics,
      ...(task.dialLevel !== undefined ? { dialLevel: task.dialLevel } : {}),
      wallS: (performance.now() - t0) / 1000,
    };
  }
  const dialLevel = searchRatio(task.scenario, task.seeds, task.days, task.guard);
  return {
    kind: 'ratioSearch',
    scenario: task.scenario.id,
    dialLevel,
    wallS: (performance.now() - t0) / 1000,
  };
}
