// Input that is not a MOMMIE program at all, or is one built to exhaust the
// front end: every case exits 1 with one clear, coded diagnostic, prints no
// stack trace, and finishes within a few seconds. Generated files live in a
// temporary directory that is removed afterwards; nothing is written to the repo.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mommie, type CliRun } from './helpers/cli.js';

/**
 * A hang, not a slow run: `mommie check` on these files takes under a second
 * on a quiet machine; at load 10-20 a run needed more than 10 s.
 */
const FEW_SECONDS = 60_000;
const MIB = 1024 * 1024;

interface JsonReport {
  readonly ok: boolean;
  readonly files: { readonly file: string; readonly ok: boolean; readonly diagnostics: { code: string; line?: number; column?: number; message: string }[] }[];
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mommie-bad-input-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function file(name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** Runs `mommie check` and times it; the run must end well within the test's limit. */
async function check(args: string[]): Promise<CliRun & { ms: number }> {
  const t0 = Date.now();
  const r = await mommie(['check', ...args], { timeoutMs: FEW_SECONDS });
  return { ...r, ms: Date.now() - t0 };
}

function noStackTrace(r: CliRun): void {
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.stderr).not.toContain('internal error');
}

/** The file refused as a whole: `path: error MOMnnn: ...`, no line or column. */
async function expectRefused(path: string, code: string, message: RegExp): Promise<void> {
  const r = await check([path]);
  expect(r.exitCode).toBe(1);
  noStackTrace(r);
  expect(r.stderr.split('\n')[0]).toMatch(new RegExp(`^${escape(path)}: error ${code}: `));
  expect(r.stderr).toMatch(message);
  expect(r.stderr).toContain('1 file checked: 1 error, 0 warnings');
  expect(r.ms).toBeLessThan(FEW_SECONDS);
  const j = JSON.parse((await check(['--json', path])).stdout) as JsonReport;
  expect(j.ok).toBe(false);
  expect(j.files[0]!.diagnostics.map((d) => d.code)).toEqual([code]);
  expect(j.files[0]!.diagnostics[0]!.line).toBeUndefined();
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('files that cannot be read as MOMMIE text', () => {
  it('a missing file: MOM001', async () => {
    await expectRefused(join(dir, 'no-such-file.mom'), 'MOM001', /no such file/);
  });

  it('a directory: MOM002', async () => {
    const d = join(dir, 'a-directory.mom');
    mkdirSync(d);
    await expectRefused(d, 'MOM002', /is a directory/);
  });

  it('a binary file: MOM003', async () => {
    const bytes = Uint8Array.from({ length: 4096 }, (_, i) => (i * 37 + 11) % 256);
    await expectRefused(file('binary.mom', bytes), 'MOM003', /binary/);
  });

  it('a UTF-16 file (NUL bytes between the letters): MOM003', async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('PROGRAM P\nMODEL M { }\n', 'utf16le')]);
    await expectRefused(file('utf16.mom', utf16), 'MOM003', /binary/);
  });

  it('a Latin-1 file (not UTF-8): MOM003', async () => {
    const latin1 = Buffer.from('PROGRAM Caf\u00e9\n// r\u00e9plique, d\u00e9j\u00e0 vu\nPRINCIPALS R = {r1}\nMODEL M { }\n', 'latin1');
    expect(latin1.includes(0)).toBe(false);
    await expectRefused(file('latin1.mom', latin1), 'MOM003', /not valid UTF-8/);
  });

  it('an empty file: MOM004', async () => {
    await expectRefused(file('empty.mom', ''), 'MOM004', /is empty/);
  });

  it('a file of white space only: MOM004', async () => {
    await expectRefused(file('blank.mom', '\n\n   \t\r\n'), 'MOM004', /only white space/);
  });

  it('a 10 MB file: MOM005, refused before it is read', async () => {
    const big = Buffer.alloc(10 * 1000 * 1000, 'x');
    big.write('PROGRAM Big\n// ');
    await expectRefused(file('ten-megabytes.mom', big), 'MOM005', /limited to 4 MiB/);
  });

  it('one byte over 4 MiB is refused (MOM005); exactly 4 MiB is read', async () => {
    const head = 'PROGRAM Limit\nPRINCIPALS R = {r1}\nMODEL M { }\n// ';
    const exact = Buffer.alloc(4 * MIB, 'x');
    exact.write(head);
    exact[exact.length - 1] = 0x0a;
    const ok = await check([file('exactly-4mib.mom', exact)]);
    expect(ok.stderr).toContain('1 file checked: 0 errors, 0 warnings');
    expect(ok.exitCode).toBe(0);
    const over = Buffer.alloc(4 * MIB + 1, 'x');
    over.write(head);
    await expectRefused(file('over-4mib.mom', over), 'MOM005', /MiB/);
  });

  it('a bad file among good ones: the good ones are still checked', async () => {
    const r = await check(['specs/PrimaryBackup.mom', join(dir, 'missing.mom')]);
    expect(r.exitCode).toBe(1);
    noStackTrace(r);
    expect(r.stderr).toMatch(/specs\/PrimaryBackup\.mom:\d+:\d+: warning MOM113/);
    expect(r.stderr).toContain(`${join(dir, 'missing.mom')}: error MOM001:`);
    expect(r.stderr).toContain('2 files checked: 1 error, 1 warning');
  });
});

describe('text that is not a MOMMIE program', () => {
  it('a large text of characters that start no token stops at 100 errors (MOM115)', async () => {
    const r = await check(['--json', file('symbols.mom', `PROGRAM Symbols\n${'$ '.repeat(1_000_000)}\n`)]);
    expect(r.exitCode).toBe(1);
    expect(r.ms).toBeLessThan(FEW_SECONDS);
    const ds = (JSON.parse(r.stdout) as JsonReport).files[0]!.diagnostics;
    expect(ds.map((d) => d.code)).toEqual([...Array<string>(100).fill('MOM100'), 'MOM115']);
    expect([ds[100]!.line, ds[100]!.column]).toEqual([2, 201]);
  });

  it('this project\'s Markdown documentation is refused with at most 100 errors and MOM115', async () => {
    const r = await check(['--json', 'docs/language.md']);
    expect(r.exitCode).toBe(1);
    const ds = (JSON.parse(r.stdout) as JsonReport).files[0]!.diagnostics;
    expect(ds).toHaveLength(101);
    expect(ds[100]!.code).toBe('MOM115');
  });
});

describe('programs nested deeper than the front end accepts (MOM112)', () => {
  const N = 100_000;
  const head = 'PROGRAM Deep\nPRINCIPALS R = {r1}\n';
  const role = (body: string): string => `${head}ROLE Node AT R {\n  VAR x : BOOLEAN = FALSE\n  TRANSITION T\n  @@{\n${body}\n  @@}\n}\nMODEL M { }\n`;

  /** Exit 1 and one diagnostic, MOM112 (at `line:column` when given): no cascade of follow-on errors. */
  async function expectTooDeep(name: string, text: string, at?: [number, number]): Promise<void> {
    const path = file(name, text);
    const r = await check(['--json', path]);
    expect(r.exitCode, name).toBe(1);
    expect(r.ms, name).toBeLessThan(FEW_SECONDS);
    noStackTrace(r);
    const ds = (JSON.parse(r.stdout) as JsonReport).files[0]!.diagnostics;
    expect(ds.map((d) => d.code), name).toEqual(['MOM112']);
    expect(ds[0]?.message, name).toMatch(/nesting deeper than 200 levels/);
    if (at !== undefined) expect([ds[0]!.line, ds[0]!.column], name).toEqual(at);
    const text1 = await check([path]);
    noStackTrace(text1);
    expect(text1.stderr).toMatch(new RegExp(`^${escape(path)}:\\d+:\\d+: error MOM112: `));
  }

  it(`${N} opening parentheses and nothing else`, async () => {
    // "(((...": the 101st parenthesis is 201 expressions deep (two per level).
    await expectTooDeep('open-parens.mom', `${head}CONSTANT K = ${'('.repeat(N)}`, [3, 14 + 100]);
  });

  it(`${N} balanced parentheses`, async () => {
    await expectTooDeep('parens.mom', `${head}CONSTANT K = ${'('.repeat(N)}1${')'.repeat(N)}\nMODEL M { }\n`, [3, 14 + 100]);
  });

  it('other nested expressions: NOT, unary minus, sets, IF-THEN-ELSE, IMPLIES, quantifiers, KNOWN', async () => {
    await expectTooDeep('not.mom', `${head}CONSTANT K = ${'NOT '.repeat(N)}TRUE\nMODEL M { }\n`);
    await expectTooDeep('minus.mom', `${head}CONSTANT K = ${'- '.repeat(N)}1\nMODEL M { }\n`);
    await expectTooDeep('sets.mom', `${head}CONSTANT K = ${'{'.repeat(N)}1${'}'.repeat(N)}\nMODEL M { }\n`);
    await expectTooDeep('ite.mom', `${head}CONSTANT K = ${'IF TRUE THEN '.repeat(N)}1${' ELSE 2'.repeat(N)}\nMODEL M { }\n`);
    await expectTooDeep('implies.mom', `${head}INVARIANT I: ${'TRUE IMPLIES '.repeat(N)}TRUE\nMODEL M { }\n`);
    await expectTooDeep('forall.mom', `${head}INVARIANT I: ${Array.from({ length: 20_000 }, (_, i) => `FORALL x${i} IN R : `).join('')}TRUE\nMODEL M { }\n`);
    await expectTooDeep('known.mom', `${head}RECORD X { f: BOOLEAN }\nROLE Node AT R {\n  TRANSITION T IF ${'KNOWN [ME, ME, NONE] X {{ f == '.repeat(N)}TRUE${'; }}'.repeat(N)} @@{ @@}\n}\nMODEL M { }\n`);
  });

  it('nested types: SET OF SET OF ...', async () => {
    await expectTooDeep('set-of.mom', `${head}TYPE T = ${'SET OF '.repeat(N)}BOOLEAN\nMODEL M { }\n`);
  });

  it(`${N} nested IF blocks in a body`, async () => {
    await expectTooDeep('if-blocks.mom', role(`${'IF x { '.repeat(N)}x <- TRUE;${' }'.repeat(N)}`));
  });

  it(`an ELSE IF chain of ${N} branches`, async () => {
    await expectTooDeep('else-if.mom', role(`${'IF x { x <- TRUE; } ELSE '.repeat(N)}{ x <- FALSE; }`));
  });

  it('nesting just under the limit is accepted', async () => {
    const r = await check([
      file('parens-99.mom', `${head}CONSTANT K = ${'('.repeat(99)}1${')'.repeat(99)}\nMODEL M { }\n`),
      file('if-150.mom', role(`${'IF x { '.repeat(150)}x <- TRUE;${' }'.repeat(150)}`)),
    ]);
    expect(r.stderr).toContain('2 files checked: 0 errors, 0 warnings');
    expect(r.exitCode).toBe(0);
  });

  it('long flat chains (1 + 1 + ..., AND, UNION, field accesses): each link counts as a level', async () => {
    // A left-deep chain is as deep as it is long; unbounded, it would exhaust
    // the checker's stack. "CONSTANT K = " is 13 columns and each "1 + " 4, so
    // column 810 is the 200th term.
    await expectTooDeep('chain-plus.mom', `${head}CONSTANT K = ${'1 + '.repeat(N)}1\nMODEL M { }\n`, [3, 810]);
    await expectTooDeep('chain-and.mom', `${head}INVARIANT I: ${'TRUE AND '.repeat(N)}TRUE\nMODEL M { }\n`);
    await expectTooDeep('chain-union.mom', `${head}CONSTANT K = ${'R UNION '.repeat(N)}R\nMODEL M { }\n`);
    await expectTooDeep('chain-field.mom', `${head}ROLE Node AT R { VAR x : BOOLEAN = FALSE }\nINVARIANT I: FORALL r IN R : r${'.x'.repeat(N)}\nMODEL M { }\n`);
  });
});
