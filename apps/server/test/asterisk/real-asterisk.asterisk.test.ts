import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AriRestClient } from '../../src/adapters/asterisk/ari-client.js';
import { loadConfig, type AriServerConfig } from '../../src/config.js';
import { runScenarios, SCENARIOS, type ScenarioResult } from './scenarios.js';

/**
 * `npm run test:asterisk`: the telephony scenarios against a real Asterisk (ARI_URL, ARI_USER,
 * ARI_PASSWORD, ARI_APP) running deploy/asterisk's configuration. Real time: about a minute.
 * run-real.ts refuses to start without ARI_URL, so nothing here is skipped silently.
 */
const servers = loadConfig().ari;
const server = servers[0] as AriServerConfig;
let results: ScenarioResult[] = [];
let invalid = -1;

beforeAll(async () => {
  const r = await runScenarios(server, SCENARIOS, { timeoutMs: 110_000 });
  results = r.results;
  invalid = r.invalidEvents;
}, 120_000);

describe(`telephony scenarios on the real Asterisk at ${server.baseUrl}`, () => {
  it('answers ARI with the credentials given', async () => {
    const info = await new AriRestClient(server).asteriskInfo();
    expect(info.system?.version ?? '').toMatch(/^(2[0-9])\./);
  });
  it('every event Asterisk sent passed validation against the generated schemas', () => {
    expect(invalid).toBe(0);
  });
  for (const sc of SCENARIOS) {
    it(`${sc.name}: ${sc.expectTypes.join(' > ')} with outcome ${sc.outcome}`, () => {
      const r = results.find((x) => x.scenario === sc);
      expect(r?.events.map((e) => e.type)).toEqual(sc.expectTypes);
      expect(r?.events.at(-1)).toMatchObject({
        type: 'call.ended',
        outcome: sc.outcome,
        hangupCause: sc.hangupCause,
      });
    });
  }
});

afterAll(() => undefined);
