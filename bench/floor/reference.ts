import type { Scenario } from '../pacing/scenario.js';
import { runOne } from '../pacing/tasks.js';

/** Seeds of the short, cold-start reference (noisier than days of dialing: more of them). */
const SHORT_REFERENCE_SEEDS = 20;

/**
 * bench:pacing's own simulator (policy ours) on the same scenario, seeds averaged: over `days`
 * days per seed, or (`hours` given) over one stretch of that many scenario hours from a cold
 * start, as long as a floor run, on SHORT_REFERENCE_SEEDS seeds.
 */
export function pacingReference(
  sc: Scenario,
  days: number,
  hours?: number,
): { occupancy: number; abandonmentPct: number } {
  const runs =
    hours === undefined
      ? sc.seeds.map((seed) => runOne(sc, 'ours', seed, Math.min(days, sc.days)))
      : Array.from({ length: SHORT_REFERENCE_SEEDS }, (_, i) =>
          runOne(
            {
              ...sc,
              days: 1,
              hoursPerDay: hours,
              agentSchedule: { ...sc.agentSchedule, loginAtS: 0, logoutAtS: hours * 3600 },
            },
            'ours',
            i + 1,
            1,
          ),
        );
  const avg = (f: (m: (typeof runs)[number]) => number) =>
    runs.reduce((s, m) => s + f(m), 0) / runs.length;
  return { occupancy: avg((m) => m.occupancy), abandonmentPct: avg((m) => m.abandonmentPct) };
}
