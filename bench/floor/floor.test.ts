import { describe, expect, it } from 'vitest';
import { ArgsError, parseFloorArgs } from './args.js';
import {
  formatTable,
  jsonLines,
  parityRow,
  type FloorRow,
  type ReportRow,
  type RoleRow,
} from './report.js';
import { floorPlay, pickScenario, ScenarioFileError, toSimDist } from './scenario.js';

const file = (scenarios: unknown[], defaults: Record<string, unknown> = {}) =>
  JSON.stringify({
    defaults: {
      days: 1,
      hoursPerDay: 8,
      abandonTargetPct: 3,
      dropWaitS: 2,
      ringTimeoutS: 25,
      outcomes: { live: 0.15, machine: 0.2, failed: 0.1 },
      liveAnswerDelayS: { dist: 'gamma', shape: 3, scale: 2.7, offset: 2, max: 25 },
      machineAnswerDelayS: { dist: 'uniform', min: 12, max: 24 },
      failedDelayS: { dist: 'uniform', min: 2, max: 6 },
      amdHumanDecisionS: { dist: 'uniform', min: 1, max: 2.5 },
      amdMachineDecisionS: { dist: 'uniform', min: 2.5, max: 4 },
      talkS: { dist: 'lognormal', mean: 180, cv: 1 },
      wrapS: { dist: 'fixed', value: 15 },
      ...defaults,
    },
    scenarios,
  });

/** The one line bench:floor prints for a scenario file, or null when it is accepted. */
function errorOf(text: string, id = 'S1'): string | null {
  try {
    pickScenario(text, 'f.json', id);
    return null;
  } catch (err) {
    expect(err).toBeInstanceOf(ScenarioFileError);
    return (err as Error).message;
  }
}

describe('bench:floor scenario file', () => {
  it('accepts a file in scenarios.json format and picks the scenario by id', () => {
    const sc = pickScenario(
      file([
        { id: 'S1', agents: 10 },
        { id: 'S2', agents: 50 },
      ]),
      'f.json',
      'S2',
    );
    expect(sc.agents).toBe(50);
  });

  it.each([
    [{ id: 'S1', agents: 'ten' }, {}, 'agents'],
    [{ id: 'S1', agents: 10, talkS: { dist: 'lognormal', mean: -1, cv: 1 } }, {}, 'talkS'],
    [{ id: 'S1', agents: 10, wrapS: 15 }, {}, 'wrapS'],
    [{ id: 'S1', agents: 10, dropWaitS: -2 }, {}, 'dropWaitS'],
    [{ id: 'S1', agents: 10, outcomes: { live: 0.9, machine: 0.2, failed: 0.1 } }, {}, 'outcomes'],
    [{ id: 'S1', agents: 10 }, { liveAnswerDelayS: { dist: 'weibull' } }, 'liveAnswerDelayS'],
  ])('a bad field gives one line naming it (%j)', (scenario, defaults, field) => {
    const msg = errorOf(file([scenario], defaults));
    expect(msg).toContain(field);
    expect(msg).not.toContain('\n');
  });

  it('names a missing scenario, bad JSON, and a drifting live rate it cannot play', () => {
    expect(errorOf(file([{ id: 'S1', agents: 10 }]), 'S9')).toBe('f.json: no scenario S9 (has S1)');
    expect(errorOf('{ nope')).toMatch(/^f\.json: not JSON/);
    expect(
      errorOf(
        file([
          {
            id: 'S1',
            agents: 10,
            outcomes: { live: [{ atS: 0, value: 0.2 }], machine: 0.2, failed: 0.1 },
          },
        ]),
      ),
    ).toContain('outcomes.live');
  });

  it("maps the scenario's distributions onto the simulated PBX's, in virtual ms", () => {
    expect(toSimDist({ dist: 'fixed', value: 15 })).toBe(15_000);
    expect(toSimDist({ dist: 'uniform', min: 1, max: 2.5 })).toEqual({ min: 1000, max: 2500 });
    // cv 1: the exponential of the same mean; the AMD time is added to the customer's talk.
    expect(toSimDist({ dist: 'lognormal', mean: 180, cv: 1 }, 1.75)).toEqual({
      exponentialMean: 181_750,
    });
    expect(toSimDist({ dist: 'lognormal', mean: 90, cv: 1.5 })).toEqual({
      mean: 90_000,
      sd: 135_000,
    });
    const g = toSimDist({ dist: 'gamma', shape: 3, scale: 2.7, offset: 2 });
    expect(g).toEqual({ mean: 10_100, sd: Math.round(Math.sqrt(3) * 2700) });
    const play = floorPlay(pickScenario(file([{ id: 'S1', agents: 10 }]), 'f.json', 'S1'));
    expect(play.profile.mix).toMatchObject({ human: 0.15, machine: 0.2, busy: 0.1, congestion: 0 });
    const mix = play.profile.mix as Record<string, number>;
    expect(mix.noanswer).toBeCloseTo(0.55, 9);
    expect(play.wrapMs).toBe(15_000);
    expect(play.dropWaitMs).toBe(2_000);
    expect(play.profile.amdHumanAccuracy).toBe(1);
  });
});

describe('bench:floor options', () => {
  it('reads the options and refuses a bad one with one line', () => {
    const a = parseFloorArgs(
      ['--scenario', 'S2', '--speed', '20', '--agents', '200', '--json'],
      'd.json',
    );
    expect(a).toMatchObject({ scenario: 'S2', speed: 20, agents: 200, json: true, runs: 1 });
    expect(parseFloorArgs(['--parity'], 'd.json')).toMatchObject({
      runs: 2,
      parityIds: ['S1', 'S2'],
    });
    expect(parseFloorArgs(['--parity', '--scenario', 'S2'], 'd.json').parityIds).toEqual(['S2']);
    expect(() => parseFloorArgs(['--speed', '0'], 'd.json')).toThrow(ArgsError);
    expect(parseFloorArgs(['--warmup', '60'], 'd.json').warmupS).toBe(60);
    expect(parseFloorArgs([], 'd.json').warmupS).toBe(5);
    expect(() => parseFloorArgs(['--warmup', '-1'], 'd.json')).toThrow(
      '--warmup must be a number from 0 to 600 (got -1)',
    );
    expect(() => parseFloorArgs(['--agents'], 'd.json')).toThrow('--agents needs a value');
    expect(() => parseFloorArgs(['--bogus'], 'd.json')).toThrow('unknown option --bogus');
  });
});

const floor: FloorRow = {
  kind: 'floor',
  scenario: 'S1',
  run: 1,
  agents: 10,
  speed: 10,
  minutes: 3,
  warmupS: 5,
  occupancy: 0.84123456,
  abandonmentPct: 2.9876,
  dialsPerAgentHour: 110.04,
  connectsPerAgentHour: 15.96,
  handoffP50Ms: 12.345,
  handoffP99Ms: 48.9,
  handoffs: 80,
  pushP99Ms: 3.21,
  stalenessP99Ms: 40,
  stalenessMaxMs: 120,
  calls: 900,
  loadStart: 3.2,
  loadEnd: 4.1,
};
const role: RoleRow = {
  kind: 'role',
  scenario: 'S1',
  run: 1,
  role: 'dialer',
  cpuCores: 0.1234,
  rssMb: 180.44,
};

describe('bench:floor output', () => {
  it('parity passes within 0.02 occupancy and 0.3 points, fails outside', () => {
    expect(
      parityRow(floor, { reference: 'same length', occupancy: 0.83, abandonmentPct: 2.8 }).pass,
    ).toBe(true);
    expect(
      parityRow(floor, { reference: 'same length', occupancy: 0.81, abandonmentPct: 2.8 }).pass,
    ).toBe(false);
    expect(
      parityRow(floor, { reference: 'same length', occupancy: 0.84, abandonmentPct: 2.6 }).pass,
    ).toBe(false);
    expect(
      parityRow(
        { ...floor, abandonmentPct: null },
        { reference: 'same length', occupancy: 0.84, abandonmentPct: 2.9 },
      ).pass,
    ).toBe(false);
  });

  it('emits one JSON object per row, rounded, tagged bench floor', () => {
    const rows: ReportRow[] = [
      floor,
      role,
      parityRow(floor, { reference: 'same length', occupancy: 0.83, abandonmentPct: 2.8 }),
    ];
    const lines = jsonLines(rows).trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    const [f, r, p] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(f).toMatchObject({
      bench: 'floor',
      kind: 'floor',
      occupancy: 0.8412,
      abandonmentPct: 2.99,
      handoffP99Ms: 48.9,
    });
    expect(r).toMatchObject({ kind: 'role', role: 'dialer', cpuCores: 0.123, rssMb: 180.4 });
    expect(p).toMatchObject({
      kind: 'parity',
      occupancyDelta: 0.0112,
      abandonmentDeltaPts: 0.19,
      pass: true,
    });
  });

  it('prints a table per kind of row, with a verdict per parity row', () => {
    const text = formatTable([
      floor,
      role,
      parityRow(floor, { reference: 'same length', occupancy: 0.5, abandonmentPct: 2.8 }),
    ]);
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^ {2}scenario +run +agents .* occupancy +abandon .*handoff p99 +push p99 +staleness p99/,
    );
    expect(lines[1]).toMatch(
      /^ {2}S1 +1 +10 +10 +3 +5 s +900 +0\.841 +2\.99 % +110\.0 +16\.0 +12\.3 ms +48\.9 ms +3\.2 ms +40 ms +3\.2->4\.1$/,
    );
    expect(text).toMatch(/dialer +S1 +1 +0\.12 +180 MB/);
    expect(text).toMatch(/S1 +1 +same length +0\.841 +0\.500 +0\.341 .* FAIL$/m);
    expect(formatTable([{ ...floor, handoffP99Ms: null }])).toMatch(/ - +3\.2 ms/);
  });
});
