import { describe, expect, it } from 'vitest';
import {
  parseScenario,
  planCustomer,
  type CustomerOutcome,
  type CustomerScenario,
} from './customers.js';

describe('planCustomer', () => {
  it('follows the last digit with the reference dialplan when no mix is configured', () => {
    const s: CustomerScenario = { seed: 1 };
    const byDigit = Array.from(
      { length: 10 },
      (_, d) => planCustomer(s, `555123000${d}`, 0).outcome,
    );
    expect(byDigit).toEqual([
      'human',
      'human',
      'human',
      'human',
      'human',
      'machine',
      'machine',
      'noanswer',
      'busy',
      'congestion',
    ]);
    const human = planCustomer(s, '5551230001', 0);
    expect(human.ringMs % 1000).toBe(0);
    expect(human.ringMs).toBeGreaterThanOrEqual(1000);
    expect(human.ringMs).toBeLessThanOrEqual(6000);
    expect(human).toMatchObject({ amdStatus: 'HUMAN', amdCause: 'HUMAN-801-800' });
    expect(planCustomer(s, '5551230005', 0)).toMatchObject({
      ringMs: 12000,
      amdStatus: 'MACHINE',
      amdCause: 'MAXWORDS-4-3',
    });
  });

  it('gives the same plan for the same seed, number and attempt, and another for another seed', () => {
    const a = { seed: 42, defaultProfile: { humanRingMs: { min: 1000, max: 9000 } } };
    const plans = (s: CustomerScenario) =>
      Array.from({ length: 50 }, (_, i) => planCustomer(s, `+1555${i}`, i % 3));
    expect(plans(a)).toEqual(plans({ ...a }));
    expect(plans(a)).not.toEqual(plans({ ...a, seed: 43 }));
  });

  it('draws outcomes in proportion to the configured mix of the longest matching prefix', () => {
    const s: CustomerScenario = {
      seed: 7,
      defaultProfile: { mix: { human: 1, machine: 0, noanswer: 0, busy: 0, congestion: 0 } },
      rules: [
        {
          prefix: '+44',
          profile: { mix: { human: 0, machine: 0, noanswer: 0, busy: 1, congestion: 0 } },
        },
        {
          prefix: '+4420',
          profile: { mix: { human: 3, machine: 1, noanswer: 0, busy: 0, congestion: 0 } },
        },
      ],
    };
    const count = (prefix: string) => {
      const c: Record<CustomerOutcome, number> = {
        human: 0,
        machine: 0,
        noanswer: 0,
        busy: 0,
        congestion: 0,
      };
      for (let i = 0; i < 4000; i++) c[planCustomer(s, `${prefix}${i}`, 0).outcome]++;
      return c;
    };
    expect(count('+1')).toMatchObject({ human: 4000 });
    expect(count('+449')).toMatchObject({ busy: 4000 });
    const london = count('+4420');
    expect(london.human / 4000).toBeGreaterThan(0.7);
    expect(london.human / 4000).toBeLessThan(0.8);
    expect(london.machine + london.human).toBe(4000);
  });

  it('misclassifies at the configured AMD accuracy, part of the errors as NOTSURE', () => {
    const s: CustomerScenario = {
      seed: 3,
      defaultProfile: {
        mix: { human: 1, machine: 0, noanswer: 0, busy: 0, congestion: 0 },
        amdHumanAccuracy: 0.8,
        amdNotSureShare: 0.5,
      },
    };
    const verdicts = { HUMAN: 0, MACHINE: 0, NOTSURE: 0 };
    for (let i = 0; i < 5000; i++) verdicts[planCustomer(s, `n${i}`, 0).amdStatus]++;
    expect(verdicts.HUMAN / 5000).toBeGreaterThan(0.77);
    expect(verdicts.HUMAN / 5000).toBeLessThan(0.83);
    expect(verdicts.NOTSURE / 5000).toBeGreaterThan(0.08);
    expect(verdicts.MACHINE / 5000).toBeGreaterThan(0.08);
  });

  it('draws normal and exponential durations around their means', () => {
    const mean = (profile: CustomerScenario['defaultProfile']) => {
      let sum = 0;
      for (let i = 0; i < 4000; i++)
        sum += planCustomer({ seed: 11, defaultProfile: profile }, `n${i}`, 0).hangupMs;
      return sum / 4000;
    };
    const human = { mix: { human: 1, machine: 0, noanswer: 0, busy: 0, congestion: 0 } };
    expect(mean({ ...human, humanTalkMs: { mean: 60000, sd: 10000 } })).toBeGreaterThan(59000);
    expect(mean({ ...human, humanTalkMs: { mean: 60000, sd: 10000 } })).toBeLessThan(61000);
    expect(mean({ ...human, humanTalkMs: { exponentialMean: 90000 } })).toBeGreaterThan(85000);
    expect(mean({ ...human, humanTalkMs: { exponentialMean: 90000 } })).toBeLessThan(95000);
  });

  it('accepts a valid scenario from outside and names the field of an invalid one', () => {
    const current: CustomerScenario = { seed: 1 };
    const valid = {
      seed: 5,
      rules: [{ prefix: '+44', profile: { mix: 'lastDigit', humanTalkMs: { mean: 1, sd: 0 } } }],
    };
    expect(parseScenario(valid, current)).toMatchObject({ ok: true, scenario: { seed: 5 } });
    expect(parseScenario({ seed: 'x' }, current)).toEqual({
      ok: false,
      error: 'seed must be an integer',
    });
    const badRing = parseScenario({ defaultProfile: { humanRingMs: { min: 5, max: 1 } } }, current);
    expect(badRing.ok ? '' : badRing.error).toContain('defaultProfile.humanRingMs');
    const badRate = parseScenario(
      { rules: [{ prefix: '1', profile: { amdHumanAccuracy: 2 } }] },
      current,
    );
    expect(badRate.ok ? '' : badRate.error).toContain('rules[0].profile.amdHumanAccuracy');
    expect(parseScenario({ speed: 3 }, current)).toEqual({
      ok: false,
      error: 'speed is not a scenario field',
    });
  });
});
