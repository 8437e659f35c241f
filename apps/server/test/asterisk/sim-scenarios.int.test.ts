// apps/sim has no package exports yet; the source is imported directly.
import { startSimPbx, type SimPbx } from '../../../sim/src/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenarios, SCENARIOS, type ScenarioResult } from './scenarios.js';

/**
 * The telephony scenarios of `npm run test:asterisk`, run here against the simulated PBX (time
 * sped up) so that the suite itself, and the worker against the simulator, are exercised on
 * every CI run.
 */
let pbx: SimPbx;
let results: ScenarioResult[] = [];
let invalid = -1;

beforeAll(async () => {
  pbx = await startSimPbx({ port: 0, speed: 20, seed: 7 });
  const r = await runScenarios(
    { id: 'sim', baseUrl: pbx.ariUrl, user: 'ringside', password: 'ringside', app: 'dialer' },
    SCENARIOS,
    { timeoutMs: 15_000, runId: 'sim' },
  );
  results = r.results;
  invalid = r.invalidEvents;
}, 30_000);

afterAll(async () => {
  await pbx?.stop();
});

describe('telephony scenarios on the simulated PBX', () => {
  it('every event the simulator sent passed validation', () => {
    expect(invalid).toBe(0);
  });
  for (const sc of SCENARIOS) {
    it(`${sc.name}: ${sc.expectTypes.join(' > ')} with outcome ${sc.outcome}`, () => {
      const r = results.find((x) => x.scenario === sc);
      expect(r?.events.map((e) => e.type)).toEqual(sc.expectTypes);
      const end = r?.events.at(-1);
      expect(end).toMatchObject({
        type: 'call.ended',
        outcome: sc.outcome,
        hangupCause: sc.hangupCause,
      });
    });
  }
});
