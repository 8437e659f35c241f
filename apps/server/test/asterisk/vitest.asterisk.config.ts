import { defineConfig } from 'vitest/config';

/** Only for `npm run test:asterisk` (run-real.ts): the scenarios against a real Asterisk. */
export default defineConfig({
  test: {
    include: ['apps/server/test/asterisk/**/*.asterisk.test.ts'],
    root: new URL('../../../../', import.meta.url).pathname,
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 130_000,
    fileParallelism: false,
  },
});
