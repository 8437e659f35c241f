import { resolve } from 'node:path';

/** bench:floor's command line; see run.ts. */
export interface FloorArgs {
  scenario: string;
  scenariosFile: string;
  /** Virtual time per wall-clock time for the PBX and the bots. */
  speed: number;
  /** Bot agents; null: the scenario's agent count. */
  agents: number | null;
  /** Wall-clock minutes measured per run. */
  minutes: number;
  /** Wall-clock seconds from switching the campaign on to the measured stretch (not measured). */
  warmupS: number;
  /** Runs per scenario (the run-to-run spread). */
  runs: number;
  json: boolean;
  parity: boolean;
  /** The scenarios --parity runs: S1 and S2, or the one --scenario names. */
  parityIds: string[];
  /** Days per seed of the in-process bench:pacing reference (--parity). */
  pacingDays: number;
  /** Write a V8 CPU profile of every process into this directory. */
  cpuProf: string | null;
  seed: number;
}

/** A bad option: the one line printed before exiting 2. */
export class ArgsError extends Error {
  override readonly name = 'ArgsError';
}

export function parseFloorArgs(argv: readonly string[], defaultScenarios: string): FloorArgs {
  const a: FloorArgs = {
    scenario: 'S1',
    scenariosFile: defaultScenarios,
    speed: 10,
    agents: null,
    minutes: 3,
    warmupS: 5,
    runs: 1,
    json: false,
    parity: false,
    parityIds: ['S1', 'S2'],
    pacingDays: 5,
    cpuProf: null,
    seed: 1,
  };
  let runsSet = false;
  let scenarioSet = false;
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i] as string;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new ArgsError(`${k} needs a value`);
      return v;
    };
    const num = (min: number, max: number, int = false): number => {
      const raw = value();
      const v = Number(raw);
      if (!Number.isFinite(v) || v < min || v > max || (int && !Number.isInteger(v)))
        throw new ArgsError(
          `${k} must be ${int ? 'an integer' : 'a number'} from ${min} to ${max} (got ${raw})`,
        );
      return v;
    };
    if (k === '--json') a.json = true;
    else if (k === '--parity') a.parity = true;
    else if (k === '--scenario') {
      a.scenario = value();
      scenarioSet = true;
    } else if (k === '--scenarios') a.scenariosFile = resolve(process.cwd(), value());
    else if (k === '--speed') a.speed = num(0.1, 100);
    else if (k === '--agents') a.agents = num(1, 2000, true);
    else if (k === '--minutes') a.minutes = num(0.1, 120);
    else if (k === '--warmup') a.warmupS = num(0, 600);
    else if (k === '--runs') {
      a.runs = num(1, 20, true);
      runsSet = true;
    } else if (k === '--pacing-days') a.pacingDays = num(1, 30, true);
    else if (k === '--seed') a.seed = num(0, 2 ** 31, true);
    else if (k === '--cpu-prof') a.cpuProf = resolve(process.cwd(), value());
    else throw new ArgsError(`unknown option ${k}`);
  }
  // The parity check measures its spread: at least two runs per scenario.
  if (a.parity && !runsSet) a.runs = 2;
  if (scenarioSet) a.parityIds = [a.scenario];
  return a;
}
