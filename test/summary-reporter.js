/**
 * Prints one plain closing line, "N passed, N failed[, N skipped]", after jest's
 * own summary, so tools that read the last lines of a run can count the tests.
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const line = `${results.numPassedTests} passed, ${results.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}`;
    process.stdout.write(`\ntests: ${line}\n`);
    // .ci/run repeats it as the very last line of the run
    try {
      require('node:fs').mkdirSync(`${__dirname}/../.cache`, { recursive: true });
      require('node:fs').writeFileSync(`${__dirname}/../.cache/test-summary.txt`, `tests: ${line}\n`);
    } catch {
      /* the summary file is a convenience */
    }
  }
}
module.exports = SummaryReporter;
