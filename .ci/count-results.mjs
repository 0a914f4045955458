// Prints `N passed, N failed[, N skipped]` from vitest's JSON report; exits 1 when the report is
// missing or counts no test run, so a silent CI cannot pass.
import { readFileSync } from 'node:fs';

const path = process.argv[2] ?? 'test-results/vitest.json';
let report;
try {
  report = JSON.parse(readFileSync(path, 'utf8'));
} catch (error) {
  console.log('0 passed, 1 failed');
  console.error(`count-results: no readable vitest report at ${path}: ${String(error)}`);
  process.exit(1);
}
const passed = report.numPassedTests ?? 0;
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
// A test file that fails to load counts no failed test but a failed suite: count it as a failure.
const failedTests = report.numFailedTests ?? 0;
const failedAll = failedTests > 0 ? failedTests : (report.numFailedTestSuites ?? 0);
console.log(`${passed} passed, ${failedAll} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
process.exit(passed === 0 || failedAll > 0 ? 1 : 0);
