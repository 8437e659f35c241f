import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type AriServerConfig } from '../../src/config.js';
import { bridgeIntegrityChecks, startBridgeRig, type BridgeRig } from './bridge-scenarios.js';

/**
 * `npm run test:asterisk`: bridge integrity (docs/telephony.md) on the real Asterisk named by
 * ARI_URL, running deploy/asterisk's configuration: channels removed from the agent's bridge
 * over ARI (as Asterisk's own ejection leaves them: alive in the app, in no bridge) are put back
 * once, a second removal loses the call, and hang-ups and moves are not mistaken for either.
 * Customers are sim-customers humans (they hang up by themselves ~13 s after answering, so each
 * check fits well within one call). About 20 s.
 */
const server = loadConfig().ari[0] as AriServerConfig;
let rig: BridgeRig;

beforeAll(async () => {
  rig = await startBridgeRig(server, { runId: Date.now().toString(36) });
}, 60_000);

afterAll(async () => {
  await rig?.close();
});

describe(`bridge integrity on the real Asterisk at ${server.baseUrl}`, () => {
  // Last digit 1-4: a human in sim-customers.
  bridgeIntegrityChecks(
    () => rig,
    { it, expect },
    (n) => `55512350${n}1`,
  );
});
