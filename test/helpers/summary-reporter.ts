// Ends every test run with the suites that skipped tests and why, then one
// plain line, `tests: N passed, N failed, N skipped`, which CI reads whatever
// the runner. Skipped is not passed: a run without TLC, tlapm or a browser
// stays green, but its last lines say which checks did not run, and a
// skipped TLC differential test (the evidence that the TLA+ translation and
// the built-in checker agree) is named on the `tests:` line itself.
import { relative } from 'node:path';
import type { UserConsoleLog } from 'vitest';
import type { Reporter, TestModule } from 'vitest/node';

/** The file whose skip must not go unnoticed, and what it would have shown. */
const DIFFERENTIAL = 'test/differential.test.ts';
/** What test/differential.test.ts prints when it cannot run. */
const DIFFERENTIAL_REASON = 'the TLC/built-in differential test did not run';

export default class SummaryReporter implements Reporter {
  /** The `SKIPPED: ...` lines the test files print, in order, without repeats. */
  private readonly reasons: string[] = [];

  onUserConsoleLog(log: UserConsoleLog): void {
    for (const line of log.content.split('\n')) {
      const at = line.indexOf('SKIPPED');
      if (at >= 0 && !this.reasons.includes(line.trim())) this.reasons.push(line.trim());
    }
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    const skippedBy: [string, number][] = [];
    for (const m of testModules) {
      let here = 0;
      for (const t of m.children.allTests()) {
        const state = t.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else {
          skipped++;
          here++;
        }
      }
      if (m.state() === 'failed' && [...m.children.allTests()].length === 0) failed++;
      if (here > 0) skippedBy.push([relative(process.cwd(), m.moduleId), here]);
    }
    const lines: string[] = [];
    if (skippedBy.length > 0) {
      lines.push('', 'skipped suites (these checks did not run; the run is green without them):');
      for (const [file, k] of skippedBy.sort()) lines.push(`  ${file}: ${k} skipped`);
      for (const r of this.reasons) lines.push(`  ${r}`);
    }
    // npm test must stay under 20 minutes on two cores: the files that cost most, for whoever trims next.
    const slowest = testModules
      .map((m) => [relative(process.cwd(), m.moduleId), m.diagnostic().duration] as const)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 12);
    if (testModules.length > 12) lines.push('', `slowest files: ${slowest.map(([f, ms]) => `${f.replace(/^test\//, '')} ${(ms / 1000).toFixed(0)} s`).join(', ')}`);
    // The file says so when TLC is absent; tests left out by a name filter (-t) are not that.
    const differentialSkipped = skippedBy.some(([file]) => file === DIFFERENTIAL) && this.reasons.some((r) => r.includes(DIFFERENTIAL_REASON));
    const tail = differentialSkipped ? ' -- TLC DIFFERENTIAL TEST SKIPPED: TLC and the built-in checker were not compared (set TLA2TOOLS_JAR)' : '';
    lines.push('', `tests: ${passed} passed, ${failed} failed, ${skipped} skipped${tail}`);
    process.stdout.write(`${lines.join('\n')}\n`);
  }
}
