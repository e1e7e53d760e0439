// `mommie refine` as JUnit XML: one testsuite for the module-level checks and
// one for the composed models, one testcase per check. A failed check is a
// <failure> with its counterexample; too large is <skipped> (no verdict);
// TLC failing is an <error>.

import { attr, countCases, junitDocument, noCounts, text, time, type Counts } from '../report/junit-xml.js';
import type { RefineCheck, RefineReport } from './result.js';

interface TestCase {
  readonly '@_classname': string;
  readonly '@_name': string;
  readonly '@_time': string;
  failure?: { readonly '@_message': string; readonly '@_type': string; readonly '#text': string };
  error?: { readonly '@_message': string; readonly '@_type': string; readonly '#text': string };
  skipped?: { readonly '@_message': string };
  'system-out'?: string;
}

function caseOf(suite: string, c: RefineCheck): TestCase {
  const tc: TestCase = { '@_classname': attr(suite), '@_name': attr(c.name), '@_time': time(c.seconds) };
  if (c.verdict === 'fail') {
    const steps = (c.counterexample?.steps ?? []).flatMap((s) => [`${s.index}. ${s.mommie}`, ...s.wire.map((w) => `   wire: ${w}`)]);
    tc.failure = { '@_message': attr(c.message), '@_type': c.violated ?? 'fail', '#text': text([c.about, `bounds: ${c.bounds}`, ...steps].join('\n')) };
  } else if (c.verdict === 'too-large') {
    tc.skipped = { '@_message': attr(`${c.message}${c.suggestion !== null ? `; ${c.suggestion}` : ''}`) };
  } else if (c.verdict === 'error') {
    tc.error = { '@_message': attr(c.message), '@_type': 'error', '#text': text(c.message) };
  }
  const notes = [...c.warnings.map((w) => `warning: ${w}`), ...c.outcomes.filter((o) => o.status === 'not-checked').map((o) => `not checked: ${o.name}${o.note !== null ? ` (${o.note})` : ''}`)];
  if (notes.length > 0) tc['system-out'] = text(notes.join('\n'));
  return tc;
}

function suite(r: RefineReport, kind: RefineCheck['kind'], total: Counts): object | undefined {
  const checks = r.checks.filter((c) => c.kind === kind);
  if (checks.length === 0) return undefined;
  const name = `${r.program} with ${r.deploy}: ${kind === 'module' ? 'modules' : 'composed'}`;
  const cases = checks.map((c) => caseOf(name, c));
  const n = countCases(cases, total);
  return {
    '@_name': attr(name),
    '@_tests': String(n.tests),
    '@_failures': String(n.failures),
    '@_errors': String(n.errors),
    '@_skipped': String(n.skipped),
    '@_time': time(checks.reduce((s, c) => s + c.seconds, 0)),
    testcase: cases,
  };
}

export function refineToJUnitXml(r: RefineReport): string {
  const total = noCounts();
  const suites = [suite(r, 'module', total), suite(r, 'composed', total)].filter((s) => s !== undefined);
  return junitDocument('mommie refine', r.seconds, total, suites);
}
