// The test summary names what was skipped (issue 21 item 19): skipped is not passed.
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { UserConsoleLog } from 'vitest';
import type { TestModule } from 'vitest/node';
import SummaryReporter from './helpers/summary-reporter.js';

/** The little of a TestModule the reporter reads. */
function fakeModule(file: string, states: readonly ('passed' | 'failed' | 'skipped')[], durationMs = 0): TestModule {
  const tests = states.map((state) => ({ result: () => ({ state }) }));
  return { moduleId: join(process.cwd(), file), state: () => 'passed', diagnostic: () => ({ duration: durationMs }), children: { allTests: () => tests[Symbol.iterator]() } } as unknown as TestModule;
}

function runReporter(modules: TestModule[], logs: string[]): string {
  const out: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    out.push(String(s));
    return true;
  });
  try {
    const r = new SummaryReporter();
    for (const content of logs) r.onUserConsoleLog({ content } as UserConsoleLog);
    r.onTestRunEnd(modules);
  } finally {
    spy.mockRestore();
  }
  return out.join('');
}

afterEach(() => vi.restoreAllMocks());

describe('summary reporter', () => {
  it('lists the suites that skipped, with their reasons, and names a skipped differential test on the last line', () => {
    const text = runReporter(
      [fakeModule('test/verify.test.ts', ['passed', 'passed']), fakeModule('test/differential.test.ts', ['skipped', 'skipped', 'skipped']), fakeModule('test/prove.test.ts', ['passed', 'skipped'])],
      ['SKIPPED: the TLC/built-in differential test did not run: no jar', 'some other output', 'SKIPPED: the TLC/built-in differential test did not run: no jar'],
    );
    const lines = text.trimEnd().split('\n');
    expect(lines[lines.length - 1]).toBe('tests: 3 passed, 0 failed, 4 skipped -- TLC DIFFERENTIAL TEST SKIPPED: TLC and the built-in checker were not compared (set TLA2TOOLS_JAR)');
    expect(text).toContain('skipped suites (these checks did not run; the run is green without them):\n  test/differential.test.ts: 3 skipped\n  test/prove.test.ts: 1 skipped\n  SKIPPED: the TLC/built-in differential test did not run: no jar\n');
    expect(text).not.toContain('some other output');
  });

  it('does not blame TLC for differential tests left out by a name filter', () => {
    const text = runReporter([fakeModule('test/differential.test.ts', ['passed', 'skipped'])], []);
    expect(text.trimEnd().split('\n').pop()).toBe('tests: 1 passed, 0 failed, 1 skipped');
  });

  it('says nothing more than the counts when nothing was skipped', () => {
    const text = runReporter([fakeModule('test/verify.test.ts', ['passed', 'failed'])], []);
    expect(text).toBe('\ntests: 1 passed, 1 failed, 0 skipped\n');
  });

  it('names the twelve slowest files of a full run, slowest first', () => {
    const modules = Array.from({ length: 14 }, (_, i) => fakeModule(`test/f${i}.test.ts`, ['passed'], (i + 1) * 1000));
    const text = runReporter(modules, []);
    expect(text).toContain('slowest files: f13.test.ts 14 s, f12.test.ts 13 s');
    expect(text).not.toContain('f1.test.ts');
    // A run of a few files (a filter, a single file) says nothing of it.
    expect(runReporter(modules.slice(0, 3), [])).not.toContain('slowest');
  });
});
