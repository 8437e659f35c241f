import { ArgsError } from '../floor/args.js';

export { ArgsError };

/** bench:chaos's command line; see run.ts. */
export interface ChaosArgs {
  agents: number;
  /** Wall-clock minutes of faults (after the warm-up). */
  minutes: number;
  /** Seconds between two role kills. */
  faultEveryS: number;
  /** Seconds a killed role stays down before it is started again. */
  restartAfterS: number;
  /** Seconds a PBX stays away. */
  pbxAwayS: number;
  /** Redis master failovers in the run (spread evenly). */
  failovers: number;
  /** PBXes taken away in the run (spread evenly, alternating). */
  pbxAways: number;
  /** Wall-clock seconds of dialing before the first fault. */
  warmupS: number;
  /** The simulated PBXes' speed, as bench:floor's --speed. */
  speed: number;
  scenario: string;
  scenariosFile: string;
  seed: number;
  json: boolean;
}

export function parseChaosArgs(argv: readonly string[], defaultScenarios: string): ChaosArgs {
  const a: ChaosArgs = {
    agents: 40,
    minutes: 5,
    faultEveryS: 15,
    restartAfterS: 3,
    pbxAwayS: 30,
    failovers: -1,
    pbxAways: -1,
    warmupS: 20,
    speed: 10,
    scenario: 'S1',
    scenariosFile: defaultScenarios,
    seed: 1,
    json: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i] as string;
    const num = (min: number, max: number, int = false): number => {
      const raw = argv[++i];
      const v = Number(raw);
      if (
        raw === undefined ||
        !Number.isFinite(v) ||
        v < min ||
        v > max ||
        (int && !Number.isInteger(v))
      )
        throw new ArgsError(
          `${k} must be ${int ? 'an integer' : 'a number'} from ${min} to ${max} (got ${raw ?? 'nothing'})`,
        );
      return v;
    };
    if (k === '--json') a.json = true;
    else if (k === '--agents') a.agents = num(2, 500, true);
    else if (k === '--minutes') a.minutes = num(0.5, 120);
    else if (k === '--fault-every') a.faultEveryS = num(1, 3600);
    else if (k === '--restart-after') a.restartAfterS = num(0, 600);
    else if (k === '--pbx-away') a.pbxAwayS = num(1, 600);
    else if (k === '--failovers') a.failovers = num(0, 100, true);
    else if (k === '--pbx-aways') a.pbxAways = num(0, 100, true);
    else if (k === '--warmup') a.warmupS = num(0, 600);
    else if (k === '--speed') a.speed = num(0.1, 100);
    else if (k === '--seed') a.seed = num(0, 2 ** 31, true);
    else if (k === '--scenario') {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new ArgsError(`${k} needs a value`);
      a.scenario = v;
    } else throw new ArgsError(`unknown option ${k}`);
  }
  // One failover every 2.5 minutes and one PBX away every 4 (at least one of each).
  if (a.failovers < 0) a.failovers = Math.max(1, Math.round(a.minutes / 2.5));
  if (a.pbxAways < 0) a.pbxAways = Math.max(1, Math.round(a.minutes / 4));
  return a;
}

/**
 * When the run's Redis failovers and PBX aways start, seconds after the first fault: each kind
 * spread evenly over the run, the aways offset from the failovers (at 30 % and 80 % of their
 * share of the run) so that with the default counts the two do not overlap.
 */
export function faultSchedule(
  a: Pick<ChaosArgs, 'minutes' | 'failovers' | 'pbxAways' | 'pbxAwayS'>,
): {
  failoversAtS: number[];
  pbxAwaysAtS: number[];
} {
  const total = a.minutes * 60;
  const failoversAtS = Array.from({ length: a.failovers }, (_, k) =>
    Math.round(((k + 0.3) / a.failovers) * total),
  );
  // A PBX is back 45 s before the end at the latest, so its agents can be seen taking calls again.
  const pbxAwaysAtS = Array.from({ length: a.pbxAways }, (_, k) =>
    Math.round(Math.min(((k + 0.8) / a.pbxAways) * total, Math.max(0, total - a.pbxAwayS - 45))),
  );
  return { failoversAtS, pbxAwaysAtS };
}
