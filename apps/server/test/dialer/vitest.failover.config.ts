import { defineConfig } from 'vitest/config';

/**
 * Only for `npm run test:failover`: the two-dialer take-over test runs every production role as
 * its own process for about two minutes, too long for the suite CI runs on every change (kept
 * under ten minutes), so it is run on purpose, like the real-telephony suite.
 */
export default defineConfig({
  test: {
    include: ['apps/server/test/dialer/**/*.failover.test.ts'],
    root: new URL('../../../../', import.meta.url).pathname,
    environment: 'node',
    testTimeout: 240_000,
    hookTimeout: 240_000,
    fileParallelism: false,
    globalSetup: ['./apps/server/test/helpers/global-setup.ts'],
    reporters: ['default', './scripts/summary-reporter.ts'],
  },
});
