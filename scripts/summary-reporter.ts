import type { Reporter, TestCase, TestModule } from 'vitest/node';

/**
 * Prints the plain closing line CI reads: `N passed, N failed` (and `, N skipped`).
 * A file that fails to load counts as one failure, and a test skipped because a hook of its
 * suite failed (a beforeAll that threw) counts as failed, so nothing can pass silently.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(
    testModules: ReadonlyArray<TestModule>,
    unhandledErrors: ReadonlyArray<unknown>,
  ): void {
    let passed = 0;
    let failed = unhandledErrors.length;
    let skipped = 0;
    for (const mod of testModules) {
      let failedHere = 0;
      for (const test of mod.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed += 1;
        else if (state === 'failed' || inFailedSuite(test)) failedHere += 1;
        else skipped += 1;
      }
      // A module that failed with no failed test (it did not load, or a hook outside any suite
      // threw) still counts once.
      if (failedHere === 0 && mod.state() === 'failed') failedHere = 1;
      failed += failedHere;
    }
    process.stdout.write(
      `\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`,
    );
  }
}

/** Whether a suite around the test failed (its beforeAll/afterAll threw): vitest then skips it. */
function inFailedSuite(test: TestCase): boolean {
  let parent = test.parent;
  while (parent.type === 'suite') {
    if (parent.state() === 'failed') return true;
    parent = parent.parent;
  }
  return parent.state() === 'failed' && parent.errors().length > 0;
}
