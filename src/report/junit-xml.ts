// What every JUnit report mommie writes shares: safe XML text and attribute
// values, times as JUnit readers expect them, and one configured builder.

import { XMLBuilder } from 'fast-xml-parser';

// XML 1.0 cannot carry most control characters or lone surrogates at all, not
// even escaped; they become U+FFFD. The builder escapes & < > " ' itself.
const NOT_XML =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export const text = (s: string): string => s.replace(/\r\n?/g, '\n').replace(NOT_XML, '\uFFFD');
/** Attribute values are one line: a parser would turn a newline into a space anyway. */
export const attr = (s: string): string => text(s).replace(/\s*\n\s*/g, ' ').replace(/\t/g, ' ');
export const time = (s: number): string => (Number.isFinite(s) && s > 0 ? s : 0).toFixed(3);

export const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  textNodeName: '#text',
  format: true,
  indentBy: '  ',
  suppressEmptyNode: true,
  suppressBooleanAttributes: false,
});

/** A suite's (or the whole report's) test counts, as JUnit's attributes carry them. */
export interface Counts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

export const noCounts = (): Counts => ({ tests: 0, failures: 0, errors: 0, skipped: 0 });

/** The counts of a suite's test cases, added to the report's `total` as well. */
export function countCases(cases: readonly { readonly failure?: unknown; readonly error?: unknown; readonly skipped?: unknown }[], total: Counts): Counts {
  const c: Counts = {
    tests: cases.length,
    failures: cases.filter((x) => x.failure !== undefined).length,
    errors: cases.filter((x) => x.error !== undefined).length,
    skipped: cases.filter((x) => x.skipped !== undefined).length,
  };
  total.tests += c.tests;
  total.failures += c.failures;
  total.errors += c.errors;
  total.skipped += c.skipped;
  return c;
}

/** The whole report: `<testsuites>` named for the command, its totals, and the suites. */
export function junitDocument(name: string, seconds: number, total: Counts, suites: readonly object[]): string {
  return builder.build({
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    testsuites: {
      '@_name': name,
      '@_tests': String(total.tests),
      '@_failures': String(total.failures),
      '@_errors': String(total.errors),
      '@_skipped': String(total.skipped),
      '@_time': time(seconds),
      testsuite: suites,
    },
  }) as string;
}
