// The result of `mommie verify` as JUnit XML, for CI systems: one testsuite
// per (program, model), one testcase per property. A violated property is a
// <failure> carrying the counterexample as text (the human trace), an
// `unknown` verdict is <skipped>, and an evaluation error is an <error>.

import { attr, countCases, junitDocument, noCounts, text, time, type Counts } from './junit-xml.js';
import type { ModelResult, PropertyResult, VerifyResult } from '../check/result.js';
import { formatBounds, formatCoverage, formatEvaluationError, formatStats, formatTrace, traceSummary } from './human.js';

interface Outcome {
  readonly '@_message': string;
  readonly '@_type': string;
  readonly '#text'?: string;
}

interface TestCase {
  readonly '@_classname': string;
  readonly '@_name': string;
  readonly '@_file': string;
  readonly '@_time': string;
  failure?: Outcome;
  error?: Outcome;
  skipped?: { readonly '@_message': string };
}

function violation(pr: PropertyResult): Outcome {
  const lines = [`${pr.name} violated${pr.detail ? `: ${pr.detail}` : ''}`];
  if (pr.trace !== undefined) {
    lines.push(`counterexample (${traceSummary(pr.trace)}):`, ...formatTrace(pr.trace));
  } else {
    lines.push('(no counterexample reported)');
  }
  return {
    '@_message': attr(`${pr.name} violated${pr.detail ? `: ${pr.detail}` : ''}`),
    '@_type': 'violation',
    '#text': text(lines.join('\n')),
  };
}

function evaluationError(m: ModelResult): Outcome {
  const e = m.error;
  if (e === undefined) {
    return { '@_message': 'evaluation error', '@_type': 'evaluation-error', '#text': `model ${text(m.model)}: evaluation error (no details reported)` };
  }
  const lines = [formatEvaluationError(e)];
  if (e.trace !== undefined) lines.push(`trace to the failing evaluation (${traceSummary(e.trace)}):`, ...formatTrace(e.trace));
  return { '@_message': attr(`${e.code}: ${e.message}`), '@_type': attr(e.code), '#text': text(lines.join('\n')) };
}

function testSuite(r: VerifyResult, m: ModelResult, total: Counts): object {
  const suite = `${r.program}.${m.model}`;
  const failed = m.status === 'error';
  const n = m.properties.length;
  const perCase = n > 0 ? m.stats.seconds / n : m.stats.seconds;
  const base = (name: string): TestCase => ({
    '@_classname': attr(suite),
    '@_name': attr(name),
    '@_file': attr(r.file),
    '@_time': time(perCase),
  });

  const cases: TestCase[] = m.properties.map((pr) => {
    const tc = base(pr.name);
    if (pr.verdict === 'violated') tc.failure = violation(pr);
    else if (pr.verdict === 'unknown' && failed) tc.error = evaluationError(m);
    else if (pr.verdict === 'unknown') tc.skipped = { '@_message': attr(pr.detail ?? 'unknown verdict') };
    return tc;
  });
  // An error must show up somewhere even if every property got a verdict.
  if (failed && !cases.some((c) => c.error !== undefined)) {
    const tc = base(m.model);
    tc.error = evaluationError(m);
    cases.push(tc);
  }

  const counts = countCases(cases, total);

  const b = m.bounds;
  const props: [string, string][] = [
    ['file', r.file],
    ['engine', r.engine],
    ['status', m.status],
    ['bounds', formatBounds(b)],
    ['crashed', b.crashed.join(', ')],
    ['byzantine', b.byzantine.map((z) => `${z.principal} (sends ${z.sends.join(', ')}; budget ${z.budget})`).join(', ')],
    ['symmetry', b.symmetry.join(', ')],
    ...Object.entries(b.constants).map(([k, v]): [string, string] => [`constant.${k}`, v]),
    ['deadlock', String(b.deadlock)],
    ...(b.maxStates !== undefined ? [['maxStates', String(b.maxStates)] as [string, string]] : []),
    ...(b.maxDepth !== undefined ? [['maxDepth', String(b.maxDepth)] as [string, string]] : []),
    ...(b.timeoutSeconds !== undefined ? [['timeoutSeconds', String(b.timeoutSeconds)] as [string, string]] : []),
    ['stats', formatStats(m.stats)],
  ];

  return {
    '@_name': attr(suite),
    '@_tests': String(counts.tests),
    '@_failures': String(counts.failures),
    '@_errors': String(counts.errors),
    '@_skipped': String(counts.skipped),
    '@_time': time(m.stats.seconds),
    properties: { property: props.map(([name, value]) => ({ '@_name': attr(name), '@_value': attr(value) })) },
    testcase: cases,
    // CI shows a suite's output beside its cases: the coverage and any vacuity warning.
    'system-out': text(formatCoverage(m.coverage).join('\n')),
  };
}

/** JUnit XML for one or more verification results (e.g. one per file). */
export function toJUnitXml(results: readonly VerifyResult[]): string {
  const total = noCounts();
  let seconds = 0;
  const suites = results.flatMap((r) =>
    r.models.map((m) => {
      seconds += Number.isFinite(m.stats.seconds) && m.stats.seconds > 0 ? m.stats.seconds : 0;
      return testSuite(r, m, total);
    }),
  );
  return junitDocument('mommie verify', seconds, total, suites);
}
