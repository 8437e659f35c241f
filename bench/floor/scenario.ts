import { readFileSync } from 'node:fs';
import type { CustomerProfile, Dist } from '@ringside/sim';
import { distMean, type DistSpec } from '../../apps/server/src/domain/pacing/index.js';
import { parseScenarioFile, type Scenario } from '../pacing/scenario.js';
import { MACHINE_AS_HUMAN_TALK_S } from '../pacing/policy.js';

/**
 * A pacing scenario (../shared/pacing/scenarios.json's format, read and validated by bench:pacing's
 * own parser) turned into what the floor needs: the simulated PBX's customer profile (virtual
 * milliseconds; the PBX divides them by its speed) and the bot agents' wrap time.
 */

/** A scenario file that cannot be used: the message is the one line bench:floor prints (exit 2). */
export class ScenarioFileError extends Error {
  override readonly name = 'ScenarioFileError';
}

/** Reads `file` and returns the scenario `id`; throws ScenarioFileError naming the bad field. */
export function loadScenario(file: string, id: string): Scenario {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ScenarioFileError(`${file}: cannot read (${(err as Error).message})`);
  }
  return pickScenario(text, file, id);
}

/** The scenario `id` of a scenarios file's text; throws ScenarioFileError naming the bad field. */
export function pickScenario(text: string, source: string, id: string): Scenario {
  let all: Scenario[];
  try {
    all = parseScenarioFile(text, source);
  } catch (err) {
    const msg =
      err instanceof SyntaxError
        ? `${source}: not JSON (${err.message})`
        : String((err as Error).message);
    throw new ScenarioFileError(msg.split('\n')[0] ?? msg);
  }
  const sc = all.find((s) => s.id === id);
  if (!sc) {
    throw new ScenarioFileError(
      `${source}: no scenario ${id} (has ${all.map((s) => s.id).join(', ') || 'none'})`,
    );
  }
  if (Array.isArray(sc.outcomes.live)) {
    throw new ScenarioFileError(
      `${source}: ${sc.id}: outcomes.live drifting through the day is not supported by bench:floor (a number is)`,
    );
  }
  return sc;
}

/** The standard deviation of a spec in seconds (gamma: untruncated). */
function distSd(spec: DistSpec): number {
  switch (spec.dist) {
    case 'fixed':
      return 0;
    case 'uniform':
      return (spec.max - spec.min) / Math.sqrt(12);
    case 'gamma':
      return Math.sqrt(spec.shape) * spec.scale;
    case 'lognormal':
      return spec.cv * spec.mean;
    case 'exponential':
      return spec.mean;
  }
}

/**
 * A pacing distribution (seconds) as the simulated PBX's (milliseconds), `plusS` seconds added to
 * its mean. Fixed and uniform map exactly; a coefficient of variation of 1 (exponential, lognormal
 * cv 1) becomes the PBX's exponential (same mean and sd); anything else a normal of the same mean
 * and sd, cut at 0 (the PBX has no gamma or lognormal): the first two moments match, the tail not.
 */
export function toSimDist(spec: DistSpec, plusS = 0): Dist {
  const ms = (s: number) => Math.round(s * 1000);
  if (spec.dist === 'fixed') return ms(spec.value + plusS);
  if (spec.dist === 'uniform') return { min: ms(spec.min + plusS), max: ms(spec.max + plusS) };
  const mean = distMean(spec) + plusS;
  const sd = distSd(spec);
  if (Math.abs(sd - (mean - plusS)) < 1e-9 * Math.max(1, sd) && sd > 0)
    return { exponentialMean: ms(mean) };
  return { mean: ms(mean), sd: ms(sd) };
}

/** What the floor plays for one scenario. */
export interface FloorPlay {
  /** The simulated PBX's default customer profile (virtual time). */
  profile: Partial<CustomerProfile>;
  /** Each bot's wrap time, virtual ms (the bots get it divided by the speed). */
  wrapMs: number;
  /** The campaign's drop wait, virtual ms. */
  dropWaitMs: number;
  /** What could not be mapped exactly, for the report. */
  notes: string[];
}

/**
 * The scenario as the PBX's customers and the bots: outcome weights (failed: busy; the rest never
 * answers and rings until the campaign's ring timeout), ring times, AMD verdict times and errors,
 * talk (the customer hangs up: the PBX counts from the answer, so the mean AMD time is added, and
 * the bots wait for the customer), wrap (the bots wrap for its mean, no jitter).
 */
export function floorPlay(sc: Scenario): FloorPlay {
  const live = typeof sc.outcomes.live === 'number' ? sc.outcomes.live : 0;
  const { machine, failed } = sc.outcomes;
  const noanswer = Math.max(0, 1 - live - machine - failed);
  const amdHumanS = distMean(sc.amdHumanDecisionS);
  const amdMachineS = distMean(sc.amdMachineDecisionS);
  const notes: string[] = [];
  for (const [k, d] of [
    ['liveAnswerDelayS', sc.liveAnswerDelayS],
    ['machineAnswerDelayS', sc.machineAnswerDelayS],
    ['talkS', sc.talkS],
  ] as const) {
    const m = toSimDist(d);
    if (typeof m === 'object' && 'sd' in m)
      notes.push(`${k}: ${d.dist} played as a normal of its mean and sd`);
  }
  if (sc.wrapS.dist !== 'fixed') notes.push(`wrapS: ${sc.wrapS.dist} played as its mean`);
  if (sc.agentSchedule.pauses.length > 0) notes.push('agentSchedule.pauses: not played');
  return {
    profile: {
      mix: { human: live, machine, busy: failed, noanswer, congestion: 0 },
      humanRingMs: toSimDist(sc.liveAnswerDelayS),
      machineRingMs: toSimDist(sc.machineAnswerDelayS),
      amdHumanAccuracy: 1 - sc.amdErrors.humanAsMachine,
      amdMachineAccuracy: 1 - sc.amdErrors.machineAsHuman,
      amdNotSureShare: 0,
      amdHumanDecisionMs: toSimDist(sc.amdHumanDecisionS),
      amdMachineDecisionMs: toSimDist(sc.amdMachineDecisionS),
      humanTalkMs: toSimDist(sc.talkS, amdHumanS),
      // A machine taken for a person talks to the agent as long as bench:pacing says.
      machineHangupMs: Math.round((amdMachineS + MACHINE_AS_HUMAN_TALK_S) * 1000),
    },
    wrapMs: Math.round(distMean(sc.wrapS) * 1000),
    dropWaitMs: Math.round(sc.dropWaitS * 1000),
    notes,
  };
}
