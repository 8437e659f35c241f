/**
 * `npm run test:asterisk`: runs the telephony scenarios against the real Asterisk named by
 * ARI_URL. Without ARI_URL nothing can run, and this says so and exits with status 2 rather than
 * reporting a pass (docs/telephony.md tells how to point it at an Asterisk). The fleet scenarios
 * (real-fleet*.asterisk.test.ts) also need a second Asterisk: ARI_URL_2, ASTERISK_2_KILL_CMD,
 * ASTERISK_2_START_CMD (and SIP_WSS_URL_2 for the browser ones); real-ari-worker-twice needs
 * ASTERISK_KILL_CMD and ASTERISK_START_CMD for the first. Without them those files FAIL, saying
 * what is missing (never skipped).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

if (!process.env.ARI_URL) {
  console.error(
    'test:asterisk: ARI_URL is not set, so NO telephony test ran (nothing passed).\n' +
      'Point it at an Asterisk 20/22 running deploy/asterisk/ (contexts dialer-outbound, agents,\n' +
      'sim-customers), e.g.:\n' +
      '  ARI_URL=http://127.0.0.1:8088/ari ARI_USER=ringside ARI_PASSWORD=... npm run test:asterisk\n' +
      'The fleet scenarios (real-fleet*.asterisk.test.ts) need a second Asterisk with the fleet trunk\n' +
      '(deploy/asterisk/pjsip-fleet.conf) and fails without it: also set\n' +
      '  ARI_URL_2=http://<second>:<port>/ari (same ARI_USER/ARI_PASSWORD)\n' +
      "  ASTERISK_2_KILL_CMD='kill -9 ...'    (kills the second Asterisk with SIGKILL)\n" +
      "  ASTERISK_2_START_CMD='...'           (starts it again; returns once its ARI answers)\n" +
      "  SIP_WSS_URL_2=wss://<second>:<port>/ws (its phones' WebSocket: real-fleet-browser, real-fleet-browser-calls)\n" +
      'ASTERISK_RESTART_CMD (default asterisk -rx "core restart now") restarts the first, and\n' +
      'ASTERISK_KILL_CMD / ASTERISK_START_CMD kill it with SIGKILL and start it (real-ari-worker-twice).\n' +
      'See docs/telephony.md ("Asterisk fleet").',
  );
  process.exit(2);
}
const missing = [
  'ARI_URL_2',
  'ASTERISK_2_KILL_CMD',
  'ASTERISK_2_START_CMD',
  'SIP_WSS_URL_2',
  'ASTERISK_KILL_CMD',
  'ASTERISK_START_CMD',
].filter((k) => !process.env[k]);
if (missing.length > 0) {
  console.error(
    `test:asterisk: ${missing.join(', ')} not set: the fleet scenarios (real-fleet*.asterisk.test.ts,\n` +
      'two Asterisk servers) or the kill -9 of real-ari-worker-twice will FAIL; see docs/telephony.md.',
  );
}
const config = fileURLToPath(new URL('./vitest.asterisk.config.ts', import.meta.url));
const r = spawnSync('npx', ['vitest', 'run', '--config', config], { stdio: 'inherit' });
process.exit(r.status ?? 1);
