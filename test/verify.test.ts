// `mommie verify` on real programs: the examples in specs/ must verify, the
// planted bugs in specs/buggy/ must be caught with the expected counterexample,
// and the CLI's symmetry, JUnit, limit and bad-input behaviour is checked
// end to end. Runs the built CLI (dist/): `npx tsc -p .` first.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { testedModels } from './helpers/spec-limits.js';
import { decodedVerify as decoded, mommie, ROOT } from './helpers/cli.js';

const EXIT = { OK: 0, BAD_INPUT: 1, VIOLATION: 2, INCOMPLETE: 4 } as const;

function modelsOf(file: string): string[] {
  return [...readFileSync(join(ROOT, file), 'utf8').matchAll(/^MODEL\s+(\w+)/gm)].map((m) => m[1]!);
}

const specs = readdirSync(join(ROOT, 'specs')).filter((f) => f.endsWith('.mom')).sort();

/**
 * Examples without a Byzantine model, and why. PBFTBatched's batches are sets
 * of slots: a Byzantine primary could send any of 2^16 batches per sequence
 * number even at B = 2, past what a model can enumerate (MOM502).
 */
const NO_BYZANTINE_MODEL: Readonly<Record<string, string>> = {
  'PBFTBatched.mom': 'a Byzantine primary would choose among 2^16 batches per sequence number (MOM502)',
};

describe('verify: every model of every example in specs/ holds', () => {
  it('finds the examples', () => {
    expect(specs).toEqual(expect.arrayContaining(['BrachaBroadcast.mom', 'PBFTNormal.mom', 'PrimaryBackup.mom']));
  });

  it.each(specs)('%s', async (spec) => {
    const file = join('specs', spec);
    // Models slower than about 20 s are the bench's (test/helpers/spec-limits.ts).
    const models = testedModels(file, modelsOf(file));
    expect(models.length).toBeGreaterThan(0);
    // PBFTBatched's OneBatch (183,768 states) takes about 30 s on a quiet machine.
    const r = await mommie(['verify', file, ...models.flatMap((m) => ['-m', m]), '--json', '-q'], { timeoutMs: 600_000 });
    const result = decoded(r);
    expect(result.models.map((m) => m.model)).toEqual(models);
    for (const m of result.models) {
      expect({ model: m.model, status: m.status }).toEqual({ model: m.model, status: 'complete' });
      expect(m.properties.length).toBeGreaterThan(0);
      for (const p of m.properties) expect({ model: m.model, property: p.name, verdict: p.verdict }).toEqual({ model: m.model, property: p.name, verdict: 'holds' });
    }
    // Meaningful models: a Byzantine principal somewhere, a liveness property somewhere.
    expect(result.models.some((m) => m.bounds.byzantine.length > 0)).toBe(NO_BYZANTINE_MODEL[spec] === undefined);
    expect(result.models.some((m) => m.properties.some((p) => p.kind === 'property'))).toBe(true);
    expect(r.exitCode).toBe(EXIT.OK);
  }, 600_000);
});

interface PlantedBug {
  readonly file: string;
  readonly property: string;
  /** States in the counterexample, the initial one included. */
  readonly states: number;
  /** Liveness bugs: the counterexample is a lasso stuttering in its last state. */
  readonly liveness?: true;
  /** A step property (ForgetStable, issue 23): a property whose counterexample ends with the bad step, no lasso. */
  readonly step?: true;
}

const BUGS: readonly PlantedBug[] = [
  { file: 'PrimaryBackupSmallQuorum.mom', property: 'ValidReplies', states: 4 },
  { file: 'BrachaSmallAmplification.mom', property: 'Validity', states: 8 },
  { file: 'PBFTUnsignedRequest.mom', property: 'OnlySubmitted', states: 15 },
  { file: 'PrimaryBackupCrashedPrimary.mom', property: 'ClientsServed', states: 8, liveness: true },
  // Forgetting (issue 23): an entry forgotten before it is executed; a variable a FORGET condition relies on reset.
  { file: 'ForgetTooEarly.mom', property: 'ForgetUnobservable', states: 3 },
  { file: 'ForgetVariableGoesBack.mom', property: 'ForgetStable', states: 5, step: true },
];

describe('verify: the planted bugs in specs/buggy/ are caught', () => {
  it('has an expectation for every buggy program', () => {
    const files = readdirSync(join(ROOT, 'specs', 'buggy')).filter((f) => f.endsWith('.mom')).sort();
    expect(files).toEqual(BUGS.map((b) => b.file).sort());
    expect(BUGS.filter((b) => b.liveness).length).toBeGreaterThanOrEqual(1);
    expect(BUGS.filter((b) => !b.liveness).length).toBeGreaterThanOrEqual(2);
  });

  it.each(BUGS)('$file violates $property ($states states)', async (bug) => {
    const file = join('specs', 'buggy', bug.file);
    const r = await mommie(['verify', file, '--json', '-q']);
    expect(r.exitCode).toBe(EXIT.VIOLATION);
    const result = decoded(r);
    expect(result.models.length).toBe(1);
    const m = result.models[0]!;
    expect(m.status).toBe('violation');
    const violated = m.properties.filter((p) => p.verdict === 'violated');
    expect(violated.map((p) => p.name)).toEqual([bug.property]);
    const p = violated[0]!;
    expect(p.kind).toBe(bug.liveness || bug.step ? 'property' : 'invariant');
    const trace = p.trace!;
    expect(trace.steps.length).toBe(bug.states);
    expect(trace.steps.map((s) => s.index)).toEqual(Array.from({ length: bug.states }, (_, i) => i + 1));
    expect(trace.steps[0]!.action.kind).toBe('init');
    if (bug.liveness) expect(trace.loopsTo).toBe(trace.steps[trace.steps.length - 1]!.index);
    else expect(trace.loopsTo).toBeUndefined();

    const human = await mommie(['verify', file, '-q']);
    expect(human.exitCode).toBe(EXIT.VIOLATION);
    expect(human.stdout).toMatch(/^\s*1\. initial state/m);
    expect(human.stdout).toMatch(new RegExp(`^\\s*${bug.states}\\. `, 'm'));
    if (bug.property !== 'ForgetUnobservable') expect(human.stdout).toMatch(/^\s*\d+\. .* fires /m);
    expect(human.stdout).toContain(`counterexample to ${bug.property} (${bug.states} states`);
    if (bug.liveness) expect(human.stdout).toContain('stutters forever');
  });
});

describe('verify: symmetry and JUnit reports', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mommie-verify-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('symmetry: TwoClients explores fewer states with SYMMETRY C, with the same verdicts', async () => {
    const file = join('specs', 'PrimaryBackup.mom');
    expect(modelsOf(file)).toContain('TwoClients');
    const [sym, noSym] = await Promise.all([
      mommie(['verify', file, '-m', 'TwoClients', '--json', '-q']),
      mommie(['verify', file, '-m', 'TwoClients', '--json', '-q', '--no-symmetry']),
    ]);
    expect(sym.exitCode).toBe(EXIT.OK);
    expect(noSym.exitCode).toBe(EXIT.OK);
    const a = decoded(sym).models[0]!;
    const b = decoded(noSym).models[0]!;
    expect(a.bounds.symmetry).toEqual(['{c1, c2}']);
    expect(b.bounds.symmetry).toEqual([]);
    const verdicts = (m: typeof a) => m.properties.map((p) => [p.name, p.verdict]);
    expect(verdicts(a)).toEqual(verdicts(b));
    expect(verdicts(a)).toEqual([
      ['ValidReplies', 'holds'],
      ['InOrder', 'holds'],
      ['ClientsServed', 'holds'],
    ]);
    expect(a.stats.distinct).toBeLessThan(b.stats.distinct);
    expect(a.stats.distinct).toBe(34082);
    expect(b.stats.distinct).toBe(68155);
  });

  it('JUnit: a report that parses and counts its cases; our own report is replaced, anything else only with --force', async () => {
    const out = join(dir, 'r.xml');
    const bug = join('specs', 'buggy', 'PrimaryBackupCrashedPrimary.mom');
    const r = await mommie(['verify', bug, '-q', '--reporter', 'junit', '-o', out]);
    expect(r.exitCode).toBe(EXIT.VIOLATION);
    expect(r.stderr).toContain(`wrote ${out}`);

    const parser = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: '@_',
      isArray: (name) => ['testsuite', 'testcase', 'failure', 'property'].includes(name),
    });
    interface Case { '@_name': string; failure?: ({ '#text'?: string } | string)[] }
    interface Doc { testsuites: { '@_tests': string; '@_failures': string; testsuite: { testcase: Case[] }[] } }
    const doc = parser.parse(readFileSync(out, 'utf8')) as Doc;
    const suites = doc.testsuites;
    const cases = suites.testsuite.flatMap((s) => s.testcase);
    const failures = cases.flatMap((c) => c.failure ?? []);
    expect(Number(suites['@_tests'])).toBe(cases.length);
    expect(Number(suites['@_failures'])).toBe(failures.length);
    expect(cases.map((c) => c['@_name'])).toEqual(['ValidReplies', 'InOrder', 'ClientsServed']);
    expect(failures.length).toBe(1);
    const text = failures.map((f) => (typeof f === 'string' ? f : f['#text'] ?? '')).join('\n');
    expect(text).toContain('ClientsServed violated');
    expect(text).toMatch(/^\s*1\. initial state/m);
    expect(text).toMatch(/^\s*2\. c1 fires Submit\(op=0\)/m);
    expect(text).toMatch(/^\s*8\. r4 fires SuspectPrimary/m);
    expect(text).toContain('stutters forever');

    // A second run replaces our own earlier report.
    const again = await mommie(['verify', join('specs', 'buggy', 'PrimaryBackupSmallQuorum.mom'), '-q', '--reporter', 'junit', '-o', out]);
    expect(again.exitCode).toBe(EXIT.VIOLATION);
    const second = readFileSync(out, 'utf8');
    expect(second).toContain('PrimaryBackupSmallQuorum.ByzantineBackup');
    expect(second).not.toContain('PrimaryBackupCrashedPrimary');

    // Someone else's file is left alone unless --force.
    const other = join(dir, 'notes.xml');
    writeFileSync(other, '<notes>mine</notes>\n');
    const refused = await mommie(['verify', bug, '-q', '--reporter', 'junit', '-o', other]);
    expect(refused.exitCode).toBe(EXIT.BAD_INPUT);
    expect(refused.stderr).toContain('--force');
    expect(readFileSync(other, 'utf8')).toBe('<notes>mine</notes>\n');
    const forced = await mommie(['verify', bug, '-q', '--reporter', 'junit', '-o', other, '--force']);
    expect(forced.exitCode).toBe(EXIT.VIOLATION);
    expect(readFileSync(other, 'utf8')).toContain('<testsuites name="mommie verify"');
  });
});

describe('verify: limits and bad input', () => {
  it('--max-states 50 stops the search: exit 4, every verdict unknown', async () => {
    const r = await mommie(['verify', 'specs/PBFTNormal.mom', '-m', 'CrashedBackup', '--max-states', '50', '--json', '-q']);
    expect(r.exitCode).toBe(EXIT.INCOMPLETE);
    const m = decoded(r).models[0]!;
    expect(m.status).toBe('limit');
    expect(m.bounds.maxStates).toBe(50);
    expect(m.properties.length).toBe(5);
    for (const p of m.properties) {
      expect(p.verdict).toBe('unknown');
      expect(p.detail).toContain('state limit 50');
    }
  });

  it('an unknown model: exit 1, naming the models there are', async () => {
    const r = await mommie(['verify', 'specs/BrachaBroadcast.mom', '-m', 'NoSuchModel']);
    expect(r.exitCode).toBe(EXIT.BAD_INPUT);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('NoSuchModel');
    for (const m of modelsOf('specs/BrachaBroadcast.mom')) expect(r.stderr).toContain(m);
  });

  it('a program with errors: exit 1 with its diagnostics, nothing verified', async () => {
    const file = join('test', 'fixtures', 'broken', 'MOM200-undeclared-name.mom');
    expect(existsSync(join(ROOT, file))).toBe(true);
    const r = await mommie(['verify', file, '--json']);
    expect(r.exitCode).toBe(EXIT.BAD_INPUT);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/MOM200-undeclared-name\.mom:\d+:\d+: error MOM200:/);
  });
});
