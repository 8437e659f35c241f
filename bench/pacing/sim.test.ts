import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { liveAt, parseScenarioFile, type Scenario } from './scenario.js';
import { runOne } from './tasks.js';
import { LeadStream, L_TALK, L_U } from './leads.js';
import { seededRng } from '../../apps/server/src/ports/clock.js';

const here = dirname(fileURLToPath(import.meta.url));
const base: Scenario = parseScenarioFile(
  readFileSync(resolve(here, '../../../shared/pacing/scenarios.json'), 'utf8'),
  'scenarios.json',
)[0] as Scenario;
/** A short S1: one hour, one day, so the test stays fast. */
const small: Scenario = {
  ...base,
  days: 1,
  hoursPerDay: 1,
  agentSchedule: { ...base.agentSchedule, logoutAtS: 3600 },
};

describe('pacing simulator', () => {
  it('gives identical results for the same seed', () => {
    for (const policy of ['progressive', 'ours', 'vicidial', 'oracle', 'ours-known-free'] as const)
      expect(runOne(small, policy, 5, 1)).toEqual(runOne(small, policy, 5, 1));
  }, 30_000); // ten short runs: 3.4 s alone, over 5 s on the loaded shared machine

  it('gives different results for another seed', () => {
    expect(runOne(small, 'progressive', 5, 1)).not.toEqual(runOne(small, 'progressive', 6, 1));
  });

  it('draws the same lead k whatever happened before', () => {
    const a = new LeadStream(small, seededRng(9));
    const b = new LeadStream(small, seededRng(9));
    a.peek(50, L_U); // a policy that peeks ahead does not change what the leads are
    for (let k = 0; k < 100; k++) {
      expect(a.field(L_TALK)).toBe(b.field(L_TALK));
      a.advance();
      b.advance();
    }
  });

  it('never drops under progressive dialing while agents stay logged in', () => {
    const m = runOne(
      { ...small, agentSchedule: { ...small.agentSchedule, logoutAtS: 7200 } },
      'progressive',
      1,
      1,
    );
    expect(m.abandonmentPct).toBeLessThan(0.5);
    expect(m.occupancy).toBeGreaterThan(0.3);
    expect(m.occupancy).toBeLessThan(0.8);
  });

  it('reads drifting answer rates, schedules and pauses from a scenario file', () => {
    const [sc] = parseScenarioFile(
      JSON.stringify({
        defaults: { ...base, id: undefined },
        scenarios: [
          {
            id: 'X',
            agents: 4,
            hoursPerDay: 1,
            outcomes: {
              live: [
                { atS: 0, value: 0.1 },
                { atS: 3600, value: 0.3 },
              ],
              machine: 0.2,
              failed: 0.1,
            },
            agentSchedule: {
              loginAtS: { stagger: 60 },
              logoutAtS: [3000, 3200, 3400, 3600],
              pauses: [{ atS: 600, durationS: 300, share: 0.5, spreadS: 60 }],
            },
          },
        ],
      }),
      'inline',
    );
    if (!sc) throw new Error('no scenario');
    expect(liveAt(sc.outcomes.live, 1800)).toBeCloseTo(0.2);
    const m = runOne({ ...sc, days: 1 }, 'ours', 1, 1);
    expect(m.connectsPerAgentHour).toBeGreaterThan(0);
  });

  it('refuses a scenario whose outcome shares exceed 1', () => {
    expect(() =>
      parseScenarioFile(
        JSON.stringify({
          defaults: base,
          scenarios: [{ id: 'bad', outcomes: { live: 0.6, machine: 0.5, failed: 0 } }],
        }),
        'inline',
      ),
    ).toThrow(/exceed 1/);
  });

  /** Two hours of `small` with AMD erring at these rates. */
  const withAmdErrors = (humanAsMachine: number, machineAsHuman: number): Scenario => ({
    ...small,
    agentSchedule: { ...small.agentSchedule, logoutAtS: 7200 },
    hoursPerDay: 2,
    amdErrors: { humanAsMachine, machineAsHuman },
  });

  it('counts people hung up on by AMD as abandoned and carries their estimate in the ledger', () => {
    const m = runOne(withAmdErrors(0.01, 0.05), 'progressive', 1, 1);
    // Progressive never drops: what abandonment there is comes from AMD, and the ledger knew it.
    expect(m.amdAbandonmentPct).toBeGreaterThan(0);
    expect(m.abandonmentPct).toBeGreaterThanOrEqual(m.amdAbandonmentPct);
    expect(m.estimatedAmdPct).toBeGreaterThan(0.5);
    expect(m.estimatedAmdPct).toBeLessThan(1.5);
    expect(m.machineToAgentsPerAgentHour).toBe(0);
  });

  it("reports the dialer's own ledger rate: the truth without AMD errors, not with them", () => {
    const exact = runOne(small, 'ours', 1, 1);
    expect(exact.ledgerPct).toBeCloseTo(exact.abandonmentPct, 9);
    // Machines judged people are live answers to the dialer (and drops when dropped); people
    // judged machines are its estimate. Progressive drops almost nothing, so the ledger reads
    // the estimate over a denominator inflated by those machines: under the truth.
    const amd = runOne(withAmdErrors(0.01, 0.05), 'progressive', 1, 1);
    expect(amd.ledgerPct).toBeGreaterThan(0);
    expect(amd.ledgerPct).toBeLessThan(amd.abandonmentPct);
  });

  it('sends machine verdicts to agents once AMD alone would spend the cap', () => {
    const m = runOne(withAmdErrors(0.03, 0.1), 'ours', 1, 1);
    expect(m.amdAbandonmentPct).toBe(0);
    // Only machine verdicts dropped for want of an agent count, as their expected share of a person.
    expect(m.estimatedAmdPct).toBeLessThan(0.2);
    expect(m.machineToAgentsPerAgentHour).toBeGreaterThan(5);
  });
});
