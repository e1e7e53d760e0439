// `mommie prove` as JUnit XML: one testsuite per module, one testcase per
// obligation. A failed obligation is a <failure> carrying what each backend
// said and the obligation; an interrupted, omitted or unfinished one is
// <skipped>; a module tlapm rejected or could not check is an <error>.

import { attr, countCases, junitDocument, noCounts, text, time, type Counts } from '../report/junit-xml.js';
import { aboutText, failureTextOf } from './about.js';
import { assumptionCheckText, formatSeconds, locationText } from './human.js';
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
    '@_name': attr(`${o.id !== null ? `obligation ${o.id}` : 'omitted proof'} at ${locationText(o)}${o.about !== null ? `: ${aboutText(o.about)}` : ''}`),
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
  } else if (o.status === 'omitted') {
    // Nothing was checked there: a dashboard must not show it green or merely skipped.
    tc.failure = {
      '@_message': attr(`not proved at ${locationText(o)}: ${o.omission === 'missing' ? 'no proof' : 'OMITTED proof'}; tlapm checks nothing there`),
      '@_type': 'omitted',
      '#text': text(`${o.omission === 'missing' ? 'a theorem or step without a proof' : 'an OMITTED proof'} at ${locationText(o)}`),
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
  cases.push(...restsOnCases(suite, m));
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

/** A proved theorem that rests on what this run did not show, and assumptions no model satisfies: failures of their own. */
function restsOnCases(suite: string, m: ModuleResult): TestCase[] {
  const out: TestCase[] = [];
  for (const t of m.theorems) {
    if (t.unchecked.length === 0) continue;
    const names = t.unchecked.map((u) => `${u.name} (${u.file}:${u.line})`).join(', ');
    out.push({
      '@_classname': attr(suite),
      '@_name': attr(`theorem ${t.name} at ${m.file}:${t.line}: what it rests on`),
      '@_file': attr(m.file),
      '@_line': String(t.line),
      '@_time': time(0),
      failure: { '@_message': attr(`${t.name} rests on theorems this run did not check: ${names}`), '@_type': 'unchecked', '#text': text(names) },
    });
  }
  const c = m.assumptionCheck;
  if (c !== null) {
    const tc: TestCase = { '@_classname': attr(suite), '@_name': attr(`assumptions of ${m.file}`), '@_file': attr(m.file), '@_time': time(0) };
    if (c.status === 'fails') tc.failure = { '@_message': attr(`no model's constants satisfy the assumptions: ${assumptionCheckText(c)}`), '@_type': 'assumptions', '#text': text(assumptionCheckText(c)) };
    else if (c.status === 'unchecked') tc.skipped = { '@_message': attr(assumptionCheckText(c)) };
    out.push(tc);
  }
  return out;
}

export function proveToJUnitXml(r: ProveResult): string {
  const total = noCounts();
  const suites = r.modules.map((m) => suiteOf(r, m, total));
  return junitDocument('mommie prove', r.seconds, total, suites);
}
