import { describe, expect, it } from 'vitest';
import {
  AUDIT_MIN_MARKS,
  amdEstimate,
  amdRule,
  humanAsMachineFromShare,
  personShareOfMachineVerdicts,
  wilsonInterval,
} from './amd.js';

describe('personShareOfMachineVerdicts', () => {
  it('recovers the people among MACHINE verdicts from the error rates and the verdicts seen', () => {
    // 1,000 people and 2,000 machines answer; 3 % of people judged machines, 10 % of machines
    // judged people: human verdicts 970 + 200, machine verdicts 30 + 1,800.
    const seen = { human: 1_170, machine: 1_830 };
    const q = personShareOfMachineVerdicts({ humanAsMachinePct: 3, machineAsHumanPct: 10 }, seen);
    expect(q).toBeCloseTo(30 / 1_830, 10);
    // and back: the audit's share gives the same rate of people judged machines
    expect(humanAsMachineFromShare(q, 10, seen)).toBeCloseTo(3, 8);
  });

  it('is 0 with a perfect detector or before any MACHINE verdict, 1 for a useless one', () => {
    expect(
      personShareOfMachineVerdicts(
        { humanAsMachinePct: 0, machineAsHumanPct: 5 },
        { human: 10, machine: 10 },
      ),
    ).toBe(0);
    expect(
      personShareOfMachineVerdicts(
        { humanAsMachinePct: 3, machineAsHumanPct: 5 },
        { human: 10, machine: 0 },
      ),
    ).toBe(0);
    expect(
      personShareOfMachineVerdicts(
        { humanAsMachinePct: 60, machineAsHumanPct: 50 },
        { human: 10, machine: 10 },
      ),
    ).toBe(1);
  });
});

describe('wilsonInterval', () => {
  it('matches the textbook 95 % interval', () => {
    // 5 of 50: Wilson 95 % is [0.0435, 0.2136].
    const w = wilsonInterval(5, 50);
    expect(w.p).toBeCloseTo(0.1, 10);
    expect(w.lo).toBeCloseTo(0.0435, 4);
    expect(w.hi).toBeCloseTo(0.2136, 4);
    // No success still leaves room above 0; no trial says nothing.
    expect(wilsonInterval(0, 40).hi).toBeCloseTo(0.0876, 4);
    expect(wilsonInterval(0, 0)).toEqual({ p: 0, lo: 0, hi: 1 });
  });
});

describe('amdEstimate', () => {
  const admin = { humanAsMachinePct: 1, machineAsHumanPct: 5 };
  const seen = { human: 1_000, machine: 1_500 };

  it("keeps the admin's rates until the audit has enough marks", () => {
    const e = amdEstimate(admin, { person: 3, machine: 10 }, seen);
    expect(e.source).toBe('admin');
    expect(e.humanAsMachinePct).toBe(1);
    expect(e.interval).toBeNull();
    expect(e.personPerMachineVerdict).toBeCloseTo(personShareOfMachineVerdicts(admin, seen), 12);
  });

  it('follows the marks once there are enough, with a Wilson interval', () => {
    const e = amdEstimate(admin, { person: 6, machine: AUDIT_MIN_MARKS * 4 - 6 }, seen);
    expect(e.source).toBe('audit');
    expect(e.personPerMachineVerdict).toBeCloseTo(6 / 120, 12);
    expect(e.interval).toMatchObject({ marks: 120 });
    expect(e.interval?.lo).toBeLessThan(0.05);
    expect(e.interval?.hi).toBeGreaterThan(0.05);
    // 6 % of 1,500 machine verdicts are people: 90 of about 1,000 + 90 - (5 % of the machines).
    expect(e.humanAsMachinePct).toBeGreaterThan(7);
    expect(e.humanAsMachinePct).toBeLessThan(9);
  });
});

describe('amdRule', () => {
  it('keeps hanging up while AMD errors leave room under the cap', () => {
    expect(amdRule(1, 3, { estimated: 10, humans: 1_000 }).hangups).toBe(true);
    expect(amdRule(0, 3, { estimated: 0, humans: 0 })).toEqual({ hangups: true, reason: '' });
  });

  it('stops hanging up when AMD alone would spend the cap, and says so', () => {
    const r = amdRule(3, 3, { estimated: 0, humans: 0 });
    expect(r.hangups).toBe(false);
    expect(r.reason).toMatch(/machine verdicts go to agents/);
    expect(amdRule(2.9, 3, { estimated: 0, humans: 0 }).hangups).toBe(false);
    // The 30-day window's estimated drops alone at the cap also stop it.
    expect(amdRule(1, 3, { estimated: 31, humans: 969 }).hangups).toBe(false);
  });
});
