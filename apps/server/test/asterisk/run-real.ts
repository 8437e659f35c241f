/**
 * `npm run test:asterisk`: runs the telephony scenarios against the real Asterisk named by
 * ARI_URL. Without ARI_URL nothing can run, and this says so and exits with status 2 rather than
 * reporting a pass (docs/telephony.md tells how to point it at an Asterisk).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

if (!process.env.ARI_URL) {
  console.error(
    'test:asterisk: ARI_URL is not set, so NO telephony test ran (nothing passed).\n' +
      'Point it at an Asterisk 20/22 running deploy/asterisk/ (contexts dialer-outbound, agents,\n' +
      'sim-customers), e.g.:\n' +
      '  ARI_URL=http://127.0.0.1:8088/ari ARI_USER=ringside ARI_PASSWORD=... npm run test:asterisk\n' +
      'See docs/telephony.md.',
  );
  process.exit(2);
}
const config = fileURLToPath(new URL('./vitest.asterisk.config.ts', import.meta.url));
const r = spawnSync('npx', ['vitest', 'run', '--config', config], { stdio: 'inherit' });
process.exit(r.status ?? 1);
