/**
 * Prints one plain closing line, "tests: N passed, N failed[, N skipped] (projects, files, time)",
 * after jest's own summary, so tools that read the last lines of a run can count
 * the tests, and writes it to .cache/test-summary-<projects>.txt (one file per
 * selection: `npm test` runs unit and integration as two jest runs).
 */
class SummaryReporter {
  onRunComplete(contexts, results) {
    const names = [...contexts].map((c) => c.config.displayName?.name).filter(Boolean).sort();
    const label = names.length > 0 ? names.join('+') : 'all';
    const skipped = results.numPendingTests + results.numTodoTests;
    const seconds = Math.round((Date.now() - results.startTime) / 1000);
    const line = `tests: ${results.numPassedTests} passed, ${results.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''} (${label}: ${results.numTotalTestSuites} files, ${seconds} s)`;
    process.stdout.write(`\n${line}\n`);
    // .ci/run repeats them as the very last lines of the run
    try {
      require('node:fs').mkdirSync(`${__dirname}/../.cache`, { recursive: true });
      require('node:fs').writeFileSync(`${__dirname}/../.cache/test-summary-${label}.txt`, `${line}\n`);
    } catch {
      /* the summary file is a convenience */
    }
  }
}
module.exports = SummaryReporter;
