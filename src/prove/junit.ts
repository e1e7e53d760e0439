// `mommie prove` as JUnit XML: one testsuite per module, one testcase per
// obligation. A failed obligation is a <failure> carrying what each backend
// said and the obligation; an interrupted, omitted or unfinished one is
// <skipped>; a module tlapm rejected or could not check is an <error>.

import { attr, countCases, junitDocument, noCounts, text, time, type Counts } from '../report/junit-xml.js';
import { aboutText, failureTextOf } from './about.js';
import { formatSeconds, locationText } from './human.js';
import type { ModuleResult, ObligationResult, ProveResult } from './result.js';

interface TestCase {
  readonly '@_classname': string;
  readonly '@_name': string;
  readonly '@_file': string;
  readonly '@_line'?: string;
  readonly '@_time': string;
  failure?: { readonly '@_message': string; readonly '@_type': string; readonly '#text': string };
  error?: { readonly '@_message': string; readonly '@_type': string; readonly '#text': string };
  skipped?: { readonly '@_message': string };
}

function obligationCase(suite: string, o: ObligationResult): TestCase {
  const tc: TestCase = {
    '@_classname': attr(suite),
    // A generated proof's step is named by what it is about in MOMMIE terms.
    '@_name': attr(`obligation ${o.id} at ${locationText(o)}${o.about !== null ? `: ${aboutText(o.about)}` : ''}`),
    '@_file': attr(o.location.file),
    '@_line': String(o.location.line),
    '@_time': time(o.seconds ?? 0),
  };
  if (o.status === 'failed') {
    const tried = o.attempts.map((a) => `${a.prover}: ${a.status}${a.reason !== null ? ` (${a.reason})` : ''}${a.seconds !== null ? `, ${formatSeconds(a.seconds)}` : ''}`);
    const why = failureTextOf(o);
    tc.failure = {
      '@_message': attr(`not proved at ${locationText(o)}${o.about !== null ? `: ${aboutText(o.about)}` : ''}${why !== null ? ` — ${why}` : ''}`),
      // A timeout is not a refutation: CI dashboards can tell the two apart by type.
      '@_type': o.failure === 'timeout' ? 'timeout' : 'failed',
      '#text': text([...tried, ...(o.obligation !== null ? ['', o.obligation] : [])].join('\n')),
    };
  } else if (o.status !== 'proved' && o.status !== 'trivial') {
    tc.skipped = { '@_message': attr(o.status) };
  }
  return tc;
}

function suiteOf(r: ProveResult, m: ModuleResult, total: Counts): object {
  const suite = `${r.program}.${m.module}`;
  const cases = m.obligations.map((o) => obligationCase(suite, o));
  if (m.status === 'rejected' || m.status === 'crashed') {
    const lines = m.problems.map((p) => `${p.location !== null ? `${p.location.file}:${p.location.line}:${p.location.column}: ` : ''}${p.message}`);
    cases.push({
      '@_classname': attr(suite),
      '@_name': attr(m.file),
      '@_file': attr(m.file),
      '@_time': time(m.seconds),
      error: { '@_message': attr(m.status === 'rejected' ? 'tlapm rejected the module' : 'tlapm failed'), '@_type': m.status, '#text': text(lines.join('\n')) },
    });
  }
  const c = countCases(cases, total);
  return {
    '@_name': attr(suite),
    '@_tests': String(c.tests),
    '@_failures': String(c.failures),
    '@_errors': String(c.errors),
    '@_skipped': String(c.skipped),
    '@_time': time(m.seconds),
    properties: {
      property: [
        ['file', m.file],
        ['program', r.file],
        ['generated', String(m.generated)],
        ['status', m.status],
        ['tlapm', r.tlapm.version ?? 'unknown'],
      ].map(([name, value]) => ({ '@_name': attr(name!), '@_value': attr(value!) })),
    },
    testcase: cases,
  };
}

export function proveToJUnitXml(r: ProveResult): string {
  const total = noCounts();
  const suites = r.modules.map((m) => suiteOf(r, m, total));
  return junitDocument('mommie prove', r.seconds, total, suites);
}
