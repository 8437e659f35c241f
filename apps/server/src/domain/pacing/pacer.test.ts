import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AgentState, CallStage } from '@ringside/protocol';
import { PacingStats } from './estimator.js';
import {
  decidePacing,
  defaultTuning,
  updateControl,
  type AgentView,
  type CallView,
  type PacingInput,
} from './pacer.js';

const NOW = 1_000_000_000;

/** A model learned from a steady, made-up campaign: 15% live, 180 s talks, 15 s wrap-up. */
function learnedStats(): PacingStats {
  const stats = new PacingStats();
  for (let i = 0; i < 2000; i++) {
    const r = i % 20;
    if (r < 3)
      stats.observeDial({
        hour: 10,
        result: 'HUMAN',
        answerDelayMs: 6000 + (i % 9) * 1000,
        amdDelayMs: 1500,
      });
    else if (r < 7)
      stats.observeDial({
        hour: 10,
        result: 'MACHINE',
        answerDelayMs: 12000 + (i % 12) * 1000,
        amdDelayMs: 3000,
      });
    else if (r < 9) stats.observeDial({ hour: 10, result: 'FAILED', answerDelayMs: 3000 });
    else stats.observeDial({ hour: 10, result: 'NO_ANSWER' });
  }
  for (let i = 0; i < 200; i++)
    stats.observeHandle({ talkMs: 60_000 + (i % 10) * 25_000, wrapMs: 15_000 });
  return stats;
}
const model = learnedStats().model(10);

function agents(...list: [AgentState, number][]): AgentView[] {
  return list.map(([state, agoS]) => ({ state, sinceMs: NOW - agoS * 1000 }));
}
function calls(...list: [CallStage, number][]): CallView[] {
  return list.map(([stage, ageS]) => ({
    stage,
    dialedAtMs: NOW - ageS * 1000,
    stageAtMs: NOW - ageS * 1000,
  }));
}

function input(over: Partial<PacingInput> & Pick<PacingInput, 'agents'>): PacingInput {
  return {
    nowMs: NOW,
    settings: {
      mode: 'predictive',
      dialLevel: 1,
      ringTimeoutMs: 25_000,
      dropWaitMs: 2_000,
      maxLinesPerAgent: 30,
    },
    calls: [],
    model,
    ledger: { drops: 20, humans: 1000, capPct: 3 },
    ...over,
  };
}

describe('pacing modes', () => {
  it('places nothing in manual mode', () => {
    const d = decidePacing(
      input({
        agents: agents(['READY', 5]),
        settings: { ...input({ agents: [] }).settings, mode: 'manual' },
      }),
    );
    expect(d.callsToPlace).toBe(0);
    expect(d.reason).toMatch(/Manual/);
  });

  it('places one line per ready agent not already covered in progressive mode', () => {
    const base = input({ agents: [] }).settings;
    const d = decidePacing(
      input({
        agents: agents(['READY', 5], ['READY', 1], ['READY', 0], ['INCALL', 30]),
        calls: calls(['RINGING', 3], ['BRIDGED', 30]),
        settings: { ...base, mode: 'progressive' },
      }),
    );
    expect(d.callsToPlace).toBe(2);
    expect(d.appliedMode).toBe('progressive');
  });

  it('keeps dial level times ready-or-talking agents as lines in ratio mode', () => {
    const base = input({ agents: [] }).settings;
    const d = decidePacing(
      input({
        agents: agents(
          ['READY', 1],
          ['READY', 2],
          ['INCALL', 3],
          ['INCALL', 4],
          ['INCALL', 5],
          ['WRAPUP', 1],
        ),
        calls: calls(['RINGING', 1], ['RINGING', 2], ['AMD', 3], ['WAITING', 4]),
        settings: { ...base, mode: 'ratio', dialLevel: 2 },
      }),
    );
    // round(2 * 5) - 4 pending - 3 talking
    expect(d.callsToPlace).toBe(3);
  });

  it('places nothing when no agent is working the campaign', () => {
    const d = decidePacing(input({ agents: agents(['PAUSED', 10], ['LOGGED_OUT', 100]) }));
    expect(d.callsToPlace).toBe(0);
    expect(d.reason).toMatch(/No agent/);
  });

  it('waits for a READY agent by default; the working-agent guard dials ahead of busy agents', () => {
    const busy = Array.from({ length: 8 }, (): [AgentState, number] => ['INCALL', 1]);
    const team = agents(...busy, ['WRAPUP', 12], ['WRAPUP', 13]);
    const strict = decidePacing(input({ agents: team }));
    expect(strict.callsToPlace).toBe(0);
    expect(strict.reason).toMatch(/No agent is ready/);
    const base = input({ agents: [] }).settings;
    const working = decidePacing(input({ agents: team, settings: { ...base, guard: 'working' } }));
    expect(working.callsToPlace).toBeGreaterThan(0);
    const withOneReady = decidePacing(input({ agents: [...team, ...agents(['READY', 3])] }));
    expect(withOneReady.callsToPlace).toBeGreaterThan(0);
  });

  it('falls back to progressive while it has not learned enough', () => {
    const d = decidePacing(input({ agents: agents(['READY', 1], ['READY', 1]), model: null }));
    expect(d.appliedMode).toBe('progressive');
    expect(d.callsToPlace).toBe(2);
    expect(d.reason).toMatch(/learning/);
  });

  it('forces progressive when the 30-day drop budget is spent', () => {
    const d = decidePacing(
      input({
        agents: agents(['READY', 1], ['INCALL', 10]),
        ledger: { drops: 31, humans: 1000, capPct: 3 },
      }),
    );
    expect(d.appliedMode).toBe('progressive');
    expect(d.callsToPlace).toBe(1);
    expect(d.reason).toMatch(/budget spent/);
  });
});

describe('drop-rate controller', () => {
  const ledger = (drops: number, humans: number) => ({ drops, humans, capPct: 3 });
  it('raises theta after a stretch dropping less than the target', () => {
    const next = updateControl(
      { theta: 0.02, humansAt: 1000, dropsAt: 20 },
      ledger(22, 1400),
      2.7,
      defaultTuning,
    );
    expect(next.theta).toBeGreaterThan(0.02);
    expect(next).toMatchObject({ humansAt: 1400, dropsAt: 22 });
  });

  it('lowers theta after a stretch dropping more than the target', () => {
    const next = updateControl(
      { theta: 0.02, humansAt: 1000, dropsAt: 20 },
      ledger(40, 1400),
      2.7,
      defaultTuning,
    );
    expect(next.theta).toBeLessThan(0.02);
  });

  it('waits for enough answers before judging', () => {
    const prev = { theta: 0.02, humansAt: 1000, dropsAt: 20 };
    expect(updateControl(prev, ledger(25, 1100), 2.7, defaultTuning)).toBe(prev);
  });

  it('while the budget forces progressive, a counted drop lowers theta; estimated AMD drops do not', () => {
    // 30 of a 3% cap over 1000 answers: progressive. Since the marks, 0.004 of a person hung up
    // on by AMD (one MACHINE hang-up's estimate, in drops and answers alike).
    const team = agents(['READY', 1], ['INCALL', 10]);
    const control = { theta: 0.02, humansAt: 1000, dropsAt: 30 };
    const amdOnly = decidePacing(
      input({ agents: team, ledger: { drops: 30.004, humans: 1000.004, capPct: 3 }, control }),
    );
    expect(amdOnly.appliedMode).toBe('progressive');
    expect(amdOnly.control).toEqual({ theta: 0.02, humansAt: 1000.004, dropsAt: 30.004 });
    // Two hundred such hang-ups in a row leave theta where it was.
    let c = control;
    for (let i = 1; i <= 200; i++)
      c = decidePacing(
        input({
          agents: team,
          ledger: { drops: 30 + 0.004 * i, humans: 1000 + 0.004 * i, capPct: 3 },
          control: c,
        }),
      ).control as typeof c;
    expect(c.theta).toBe(0.02);
    // A counted drop still closes the period: theta falls.
    const counted = decidePacing(
      input({ agents: team, ledger: { drops: 31.004, humans: 1001.004, capPct: 3 }, control }),
    );
    expect(counted.control?.theta).toBeLessThan(0.02);
  });

  it('restarts its marks when days leave the window', () => {
    const next = updateControl(
      { theta: 0.03, humansAt: 5000, dropsAt: 100 },
      ledger(50, 3000),
      2.7,
      defaultTuning,
    );
    expect(next).toEqual({ theta: 0.03, humansAt: 3000, dropsAt: 50 });
  });
});

describe('predictive mode', () => {
  it('dials several lines per idle agent when the live rate is low', () => {
    const team = agents(...Array.from({ length: 10 }, (): [AgentState, number] => ['READY', 5]));
    const d = decidePacing(input({ agents: team }));
    expect(d.appliedMode).toBe('predictive');
    expect(d.callsToPlace).toBeGreaterThan(10);
    expect(d.reason).toMatch(/^Predictive: 10 ready/);
  });

  it('does not dial while every agent has just started a call', () => {
    const team = agents(...Array.from({ length: 10 }, (): [AgentState, number] => ['INCALL', 1]));
    expect(decidePacing(input({ agents: team })).callsToPlace).toBe(0);
  });

  it('dials ahead for agents whose wrap-up is about to end (working-agent guard)', () => {
    const busy = Array.from({ length: 8 }, (): [AgentState, number] => ['INCALL', 1]);
    const settings = { ...input({ agents: [] }).settings, guard: 'working' as const };
    const soon = decidePacing(
      input({ agents: agents(...busy, ['WRAPUP', 12], ['WRAPUP', 13]), settings }),
    );
    const late = decidePacing(
      input({ agents: agents(...busy, ['WRAPUP', 0], ['WRAPUP', 0]), settings }),
    );
    expect(soon.callsToPlace).toBeGreaterThan(0);
    expect(soon.callsToPlace).toBeGreaterThan(late.callsToPlace);
  });

  it('counts young calls in flight against the agents they will need', () => {
    const team = agents(['READY', 1], ['READY', 1], ['INCALL', 1], ['INCALL', 1]);
    const none = decidePacing(input({ agents: team }));
    const some = decidePacing(
      input({
        agents: team,
        calls: calls(...Array.from({ length: 6 }, (): [CallStage, number] => ['RINGING', 1])),
      }),
    );
    const waiting = decidePacing(
      input({ agents: team, calls: calls(['WAITING', 1], ['WAITING', 1]) }),
    );
    expect(some.callsToPlace).toBeLessThan(none.callsToPlace);
    expect(waiting.callsToPlace).toBe(0);
  });

  it('dials more with a higher drop-risk threshold', () => {
    const team = agents(
      ['READY', 1],
      ['READY', 1],
      ['WRAPUP', 10],
      ['INCALL', 100],
      ['INCALL', 50],
    );
    const ledger = { drops: 20, humans: 1000, capPct: 3 };
    const loose = decidePacing(
      input({ agents: team, ledger, control: { theta: 0.2, humansAt: 1000, dropsAt: 20 } }),
    );
    const tight = decidePacing(
      input({ agents: team, ledger, control: { theta: 0.01, humansAt: 1000, dropsAt: 20 } }),
    );
    expect(loose.callsToPlace).toBeGreaterThan(tight.callsToPlace);
  });

  it('stays progressive while less than one drop is left under the cap minus its reserve', () => {
    const d = decidePacing(
      input({
        agents: agents(['READY', 1], ['INCALL', 10]),
        ledger: { drops: 29, humans: 1000, capPct: 3 },
      }),
    );
    expect(d.appliedMode).toBe('progressive');
  });

  it('uses known free instants instead of the learned talk times (the benchmark ablation)', () => {
    // Two READY agents and eight that have just started talking: predicted, the talkers free up
    // minutes from now. Told that all eight are free within a second, it dials for them too;
    // told they are free only in an hour, it dials no more than predicted.
    const team = agents(
      ['READY', 1],
      ['READY', 1],
      ...Array.from({ length: 8 }, (): [AgentState, number] => ['INCALL', 1]),
    );
    const at = (inS: number): number[] => team.map(() => NOW + inS * 1000);
    const predicted = decidePacing(input({ agents: team })).callsToPlace;
    const soon = decidePacing(input({ agents: team, knownFreeAtMs: at(1) })).callsToPlace;
    const late = decidePacing(input({ agents: team, knownFreeAtMs: at(3600) })).callsToPlace;
    expect(soon).toBeGreaterThan(predicted);
    expect(late).toBeLessThanOrEqual(predicted);
    expect(late).toBeGreaterThan(0);
  });

  it('is a pure function of its input', () => {
    const team = agents(['READY', 1], ['WRAPUP', 10], ['INCALL', 100]);
    const i = input({ agents: team, calls: calls(['RINGING', 2], ['AMD', 8]) });
    expect(decidePacing(i)).toEqual(decidePacing(i));
  });
});

describe('pacing invariants (property)', () => {
  const agentArb = fc.tuple(
    fc.constantFrom(...AgentState.options),
    fc.integer({ min: 0, max: 900 }),
  );
  const callArb = fc.tuple(
    fc.constantFrom<CallStage>('DIALING', 'RINGING', 'AMD', 'WAITING', 'BRIDGED'),
    fc.integer({ min: 0, max: 40 }),
  );
  interface Case {
    team: [AgentState, number][];
    inFlight: [CallStage, number][];
    mode: 'progressive' | 'ratio' | 'predictive';
    dialLevel: number;
    maxLinesPerAgent: number;
    humans: number;
    dropPct: number;
    theta: number;
    guard: 'working' | 'ready';
  }
  const caseArb: fc.Arbitrary<Case> = fc.record({
    team: fc.array(agentArb, { minLength: 0, maxLength: 25 }),
    inFlight: fc.array(callArb, { maxLength: 40 }),
    mode: fc.constantFrom('progressive', 'ratio', 'predictive' as const),
    dialLevel: fc.double({ min: 0.5, max: 4, noNaN: true }),
    maxLinesPerAgent: fc.integer({ min: 1, max: 6 }),
    humans: fc.integer({ min: 0, max: 20_000 }),
    dropPct: fc.double({ min: 0, max: 5, noNaN: true }),
    theta: fc.double({ min: 0.002, max: 0.5, noNaN: true }),
    guard: fc.constantFrom('working', 'ready' as const),
  });
  const build = (c: Case): PacingInput => {
    const base = input({ agents: [] }).settings;
    const drops = Math.floor((c.humans * c.dropPct) / 100);
    return input({
      agents: agents(...c.team),
      calls: calls(...c.inFlight),
      settings: {
        ...base,
        mode: c.mode,
        dialLevel: c.dialLevel,
        maxLinesPerAgent: c.maxLinesPerAgent,
        guard: c.guard,
      },
      ledger: { drops, humans: c.humans, capPct: 3 },
      control: { theta: c.theta, humansAt: c.humans, dropsAt: drops },
    });
  };
  const count = (c: Case, states: AgentState[]): number =>
    c.team.filter(([s]) => states.includes(s)).length;
  const WORKING: AgentState[] = ['READY', 'RESERVED', 'INCALL', 'DEAD', 'WRAPUP'];
  const pending = (c: Case): number => c.inFlight.filter(([s]) => s !== 'BRIDGED').length;

  it('never places more pending calls than maxLinesPerAgent per working agent', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const d = decidePacing(build(c));
        const room = Math.floor(c.maxLinesPerAgent * count(c, WORKING)) - pending(c);
        expect(d.callsToPlace).toBeGreaterThanOrEqual(0);
        expect(d.callsToPlace).toBeLessThanOrEqual(Math.max(0, room));
      }),
    );
  });

  it('never places a call when the guard finds no agent taking calls', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const d = decidePacing(build(c));
        const agentsUnderRule = count(c, c.guard === 'ready' ? ['READY'] : WORKING);
        if (agentsUnderRule === 0) expect(d.callsToPlace).toBe(0);
      }),
    );
  });

  it('risks no drop once the budget is spent: one line per uncovered READY agent at most', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const i = build({ ...c, mode: 'predictive' });
        // At or over the cap: the budget (cap x humans - drops) is below one drop.
        const humans = Math.max(1, c.humans);
        const ledger = { drops: Math.ceil(0.03 * humans), humans, capPct: 3 };
        const d = decidePacing({ ...i, ledger });
        if (d.callsToPlace > 0) expect(d.appliedMode).toBe('progressive');
        const uncovered = count(c, ['READY']) - pending(c);
        expect(d.callsToPlace).toBeLessThanOrEqual(Math.max(0, uncovered));
      }),
    );
  });
});
