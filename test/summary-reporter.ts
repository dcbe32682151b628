/**
 * Prints the last line of every test run in the form CI reads: `N passed, N failed` (plus `, N skipped`).
 * A test file that fails to load and an unhandled error each count as one failure, so a broken run can
 * never print "0 failed".
 */
import type { Reporter, TestModule } from 'vitest/node';

type SerializedErrors = Parameters<NonNullable<Reporter['onTestRunEnd']>>[1];

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: readonly TestModule[], unhandledErrors: SerializedErrors): void {
    let passed = 0;
    let failed = unhandledErrors.length;
    let skipped = 0;
    for (const testModule of testModules) {
      let testsInModule = 0;
      for (const test of testModule.children.allTests()) {
        testsInModule++;
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else skipped++;
      }
      if (testsInModule === 0 && testModule.state() === 'failed') failed++;
      else if (testModule.errors().length > 0 && testModule.state() === 'failed' && testsInModule > 0) {
        // errors outside any test (e.g. in afterAll) fail the module without failing a test
        const anyTestFailed = [...testModule.children.allTests('failed')].length > 0;
        if (!anyTestFailed) failed++;
      }
    }
    const parts = [`${passed} passed`, `${failed} failed`];
    if (skipped > 0) parts.push(`${skipped} skipped`);
    process.stdout.write(`\n${parts.join(', ')}\n`);
  }
}
