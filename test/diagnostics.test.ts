// Deliberately broken programs and the exact diagnostics the CLI gives for them.
//
// Each file in test/fixtures/broken/ says what it expects in comments:
//
//   CONSTANT = 3
//   //       ^ MOM110          the caret's column on the nearest line above that
//                              is not an annotation; a run of 2 or more carets
//                              also fixes where the span ends (same line)
//   // expect: MOM116 at 7:1   an explicit line:column (for column 1 or 2)
//
// The test runs `mommie check` on every fixture (once with --json, once as a
// user sees it) and requires exactly the expected diagnostics: the same codes,
// at the same places, nothing more. Programs generated on the fly (too many
// errors, CRLF line ends, tabs) are written to a temporary directory.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mommie, ROOT } from './helpers/cli.js';

interface Expected {
  readonly code: string;
  readonly line: number;
  readonly column: number;
  /** The exclusive end column, when the annotation fixes the span's width. */
  readonly endColumn?: number;
}

interface JsonDiagnostic {
  readonly code: string;
  readonly severity: string;
  readonly message: string;
  readonly line?: number;
  readonly column?: number;
  readonly endLine?: number;
  readonly endColumn?: number;
}

interface JsonReport {
  readonly ok: boolean;
  readonly files: { readonly file: string; readonly ok: boolean; readonly diagnostics: JsonDiagnostic[] }[];
}

const FIXTURE_DIR = join('test', 'fixtures', 'broken');
const fixtures = readdirSync(join(ROOT, FIXTURE_DIR))
  .filter((f) => f.endsWith('.mom'))
  .sort()
  .map((f) => join(FIXTURE_DIR, f));

const CARET_LINE = /^\s*\/\/(\s*\^+\s+MOM\d{3})+\s*$/;
const EXPLICIT = /^\s*\/\/\s*expect:\s*(MOM\d{3}) at (\d+):(\d+)/;

/** Reads the expectations a fixture writes in its comments. */
function expectationsOf(text: string): Expected[] {
  const lines = text.split('\n');
  const out: Expected[] = [];
  let target = 0;
  lines.forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    const explicit = EXPLICIT.exec(line);
    if (explicit !== null) {
      out.push({ code: explicit[1]!, line: Number(explicit[2]), column: Number(explicit[3]) });
      return;
    }
    if (CARET_LINE.test(line)) {
      for (const m of line.matchAll(/(\^+)\s+(MOM\d{3})/g)) {
        const column = (m.index ?? 0) + 1;
        const width = m[1]!.length;
        out.push({ code: m[2]!, line: target, column, ...(width > 1 ? { endColumn: column + width } : {}) });
      }
      return;
    }
    target = i + 1;
  });
  return out.sort((a, b) => a.line - b.line || a.column - b.column);
}

/** Severity of every code, from the table in docs/language.md. */
function docSeverities(): Map<string, string> {
  const doc = readFileSync(join(ROOT, 'docs', 'language.md'), 'utf8');
  const table = new Map<string, string>();
  for (const m of doc.matchAll(/^\| (MOM\d{3}) \| (error|warning) \|/gm)) table.set(m[1]!, m[2]!);
  return table;
}

const severities = docSeverities();
const expectations = new Map(fixtures.map((f) => [f, expectationsOf(readFileSync(join(ROOT, f), 'utf8'))]));

let json: JsonReport;
let text: { exitCode: number; stderr: string };

beforeAll(async () => {
  const [j, t] = await Promise.all([mommie(['check', '--json', ...fixtures]), mommie(['check', ...fixtures])]);
  json = JSON.parse(j.stdout) as JsonReport;
  text = t;
});

describe('the broken fixtures', () => {
  it('cover at least 30 distinct codes, including the ones every front end must get right', () => {
    const covered = new Set([...expectations.values()].flat().map((e) => e.code));
    expect(covered.size).toBeGreaterThanOrEqual(30);
    const required = [
      'MOM100', 'MOM101', 'MOM102', 'MOM110', 'MOM111', 'MOM112', 'MOM114', 'MOM116',
      'MOM200', 'MOM201', 'MOM202', 'MOM203', 'MOM204', 'MOM205', 'MOM206', 'MOM207', 'MOM208',
      'MOM300', 'MOM301', 'MOM302', 'MOM303', 'MOM304', 'MOM305', 'MOM306', 'MOM307', 'MOM308', 'MOM309',
      'MOM400', 'MOM401', 'MOM402', 'MOM403', 'MOM404', 'MOM405', 'MOM406', 'MOM407', 'MOM408', 'MOM409',
      'MOM410', 'MOM411', 'MOM412', 'MOM413', 'MOM414', 'MOM415', 'MOM417', 'MOM418', 'MOM419',
    ];
    expect(required.filter((c) => !covered.has(c))).toEqual([]);
  });

  it('every fixture expects something, and only codes of the documented table', () => {
    for (const [file, exp] of expectations) {
      expect(exp.length, file).toBeGreaterThan(0);
      for (const e of exp) expect(severities.has(e.code), `${file}: ${e.code}`).toBe(true);
    }
  });

  it('exit 1 when any fixture has an error, and a summary line counting them', () => {
    expect(text.exitCode).toBe(1);
    const all = [...expectations.values()].flat();
    const errors = all.filter((e) => severities.get(e.code) === 'error').length;
    const warnings = all.length - errors;
    expect(text.stderr).toContain(`${fixtures.length} files checked: ${errors} errors, ${warnings} warnings`);
    expect(text.stderr).not.toMatch(/\n\s+at /);
  });
});

describe.each(fixtures)('%s', (file) => {
  const exp = expectations.get(file)!;
  const label = exp.map((e) => `${e.code}@${e.line}:${e.column}`).join(' ');

  it(`reports exactly ${label} (--json)`, () => {
    const report = json.files.find((f) => f.file === file);
    expect(report, `no JSON report for ${file}`).toBeDefined();
    const got = report!.diagnostics.map((d) => ({
      code: d.code,
      line: d.line,
      column: d.column,
      ...(d.endLine === d.line ? { endColumn: d.endColumn } : {}),
    }));
    const want = exp.map((e) => ({ code: e.code, line: e.line, column: e.column, ...(e.endColumn !== undefined ? { endColumn: e.endColumn } : {}) }));
    // Compare end columns only where the fixture fixes them.
    const gotTrimmed = got.map((g, i) => (want[i]?.endColumn === undefined ? { code: g.code, line: g.line, column: g.column } : g));
    expect(gotTrimmed).toEqual(want);
    for (const d of report!.diagnostics) {
      expect(d.severity, d.code).toBe(severities.get(d.code));
      expect(d.message.length, d.code).toBeGreaterThan(10);
    }
    expect(report!.ok).toBe(!exp.some((e) => severities.get(e.code) === 'error'));
  });

  it('prints file:line:col: severity MOMnnn for each, in the text output', () => {
    const heads = text.stderr.split('\n').filter((l) => l.startsWith(`${file}:`));
    expect(heads.map((l) => /^(\S+?:\d+:\d+: (?:error|warning) MOM\d{3}):/.exec(l)?.[1])).toEqual(
      exp.map((e) => `${file}:${e.line}:${e.column}: ${severities.get(e.code)} ${e.code}`),
    );
  });
});

describe('exit codes of single files', () => {
  it('a file with only warnings is well formed (exit 0)', async () => {
    for (const f of ['MOM113-missing-comma.mom', 'MOM417-multivalent-outside-quorum.mom', 'MOM419-no-model.mom']) {
      const r = await mommie(['check', join(FIXTURE_DIR, f)]);
      expect(r.exitCode, f).toBe(0);
      expect(r.stderr, f).toContain('1 file checked: 0 errors, 1 warning');
    }
  });

  it('a file with an error is not (exit 1)', async () => {
    const r = await mommie(['check', join(FIXTURE_DIR, 'MOM203-no-such-field.mom')]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('1 file checked: 1 error, 0 warnings');
  });

  it('a syntax error hides the semantic checks, so no cascade of undeclared names', async () => {
    // recovery-three-declarations.mom uses Msg and inc, whose declarations are broken: no MOM200.
    const r = await mommie(['check', join(FIXTURE_DIR, 'recovery-three-declarations.mom')]);
    expect(r.stderr.match(/error MOM\d{3}/g)).toEqual(['error MOM110', 'error MOM110', 'error MOM110']);
  });
});

describe('the caret line', () => {
  it('is printed under the offending span, with the source line and its number', async () => {
    const file = join(FIXTURE_DIR, 'MOM203-no-such-field.mom');
    const r = await mommie(['check', file]);
    expect(r.stderr).toContain(
      [
        `${file}:11:43: error MOM203: record Request has no field opp (fields: client, op)`,
        ' 11 |     PUBLISH [ME, c, NOONE] Reply(req, req.opp);',
        '    |                                           ^^^',
      ].join('\n'),
    );
  });
});

describe('generated programs', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mommie-diag-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('stops after 100 errors with MOM115 at the 101st', async () => {
    const file = join(dir, 'many.mom');
    writeFileSync(file, ['PROGRAM Many', ...Array.from({ length: 150 }, () => 'CONSTANT = 1'), ''].join('\n'));
    const r = await mommie(['check', '--json', file]);
    expect(r.exitCode).toBe(1);
    const ds = (JSON.parse(r.stdout) as JsonReport).files[0]!.diagnostics;
    expect(ds).toHaveLength(101);
    ds.slice(0, 100).forEach((d, i) => expect([d.code, d.line, d.column]).toEqual(['MOM110', i + 2, 10]));
    expect([ds[100]!.code, ds[100]!.line, ds[100]!.column]).toEqual(['MOM115', 102, 10]);
  });

  it('counts columns the same with CRLF line ends, and prints no carriage return', async () => {
    const file = join(dir, 'crlf.mom');
    writeFileSync(file, ['PROGRAM Crlf', 'PRINCIPALS R = {r1}', 'CONSTANT K = TRUE + 1', 'MODEL M { }', ''].join('\r\n'));
    const r = await mommie(['check', file]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(`${file}:3:14: error MOM307:`);
    expect(r.stderr).toContain(' 3 | CONSTANT K = TRUE + 1\n   |              ^^^^\n');
  });

  it('keeps tabs in the caret line so the caret stays under the span', async () => {
    const file = join(dir, 'tabs.mom');
    writeFileSync(file, ['PROGRAM Tabs', 'PRINCIPALS R = {r1}', 'ROLE Node AT R {', '\tVAR n :\tINT = 0', '}', 'MODEL M { }', ''].join('\n'));
    const r = await mommie(['check', file]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(`${file}:4:10: error MOM403:`);
    expect(r.stderr).toContain(' 4 | \tVAR n :\tINT = 0\n   | \t       \t^^^\n');
  });

  it('the annotation reader finds carets and explicit positions', () => {
    expect(expectationsOf('PROGRAM X\nCONSTANT = 3\n//       ^ MOM110\n// expect: MOM999 at 1:1\n')).toEqual([
      { code: 'MOM999', line: 1, column: 1 },
      { code: 'MOM110', line: 2, column: 10 },
    ]);
  });
});
