import { defineConfig } from 'vitest/config';

/**
 * Three tiers (STYLE.md §10): unit tests live next to the code and do no I/O; integration tests
 * run against the real PostgreSQL and Redis (a unique schema and key prefix per file); e2e tests
 * drive Debian's chromium through playwright-core. `npm test` runs all three and ends with the
 * plain `N passed, N failed` line CI reads.
 */
export default defineConfig({
  test: {
    reporters: ['default', './scripts/summary-reporter.ts'],
    // Vitest's default is one worker fewer than the cores: on the 2-core CI machine that is one,
    // and the unit and integration files ran one after another. Integration files spend most of
    // their time waiting on PostgreSQL, Redis and timers (each has its own schema and key prefix),
    // so they run two at a time, one per core of the CI machine.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'bench/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['apps/*/test/**/*.int.test.ts', 'packages/*/test/**/*.int.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
          globalSetup: ['./apps/server/test/helpers/global-setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['apps/*/test/**/*.e2e.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // Two files at a time, after the unit and integration files (groupOrder): each file
          // starts its own system (schema, Redis prefix, ephemeral ports) and browser, and spends
          // most of its time waiting on them. The panel is built once, before any file starts.
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
          globalSetup: [
            './apps/server/test/helpers/global-setup.ts',
            './apps/server/test/e2e/web-build.ts',
          ],
        },
      },
    ],
  },
});
