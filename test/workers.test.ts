// The parallel search (`mommie verify --workers N`, src/check/parallel.ts):
// the in-process search's verdicts and distinct-state counts on the example
// and buggy models, counterexamples of the same length that replay step by
// step in the semantics, evaluation errors reported as in process, models
// with a PROPERTY run in process with a note, limits, Ctrl-C, and a failing
// worker turned into MOM507 rather than a hang. Runs the built CLI (dist/):
// `npx tsc -p .` first.
//
// The full search of the largest example models takes minutes on a shared
// two-core machine, so the full comparison runs on the models that take
// seconds, and every model of every file is compared under --por (both
// engines reduce, so the counts compared are the parallel engine's with one
// worker and with two).

import { execa } from 'execa';
import { FORGET_UNOBSERVABLE, programForgets } from '../src/semantics/forget.js';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkFile } from '../src/analysis/frontend.js';
import type { CheckedProgram } from '../src/analysis/program.js';
import { StateEvaluator } from '../src/check/properties.js';
import type { ModelResult, PropertyResult, VerifyResult } from '../src/check/result.js';
import { TraceRenderer } from '../src/check/trace.js';
import { instantiate } from '../src/semantics/model.js';
import { System } from '../src/semantics/system.js';
import { CLI, decodedVerify as decoded, mommie, ROOT } from './helpers/cli.js';
import { keepAllCopy } from './helpers/keep-all.js';
import { testedModels } from './helpers/spec-limits.js';

async function verify(file: string, models: readonly string[], extra: readonly string[]): Promise<{ result: VerifyResult; stderr: string }> {
  const r = await mommie(['verify', file, ...models.flatMap((m) => ['-m', m]), '--json', '-q', ...extra], { timeoutMs: 120_000 });
  return { result: decoded(r), stderr: r.stderr };
}

/** The property each planted bug violates (as test/verify.test.ts has it); every model of these files catches it. */
const CAUGHT: Readonly<Record<string, string>> = {
  'PrimaryBackupSmallQuorum.mom': 'ValidReplies',
  'BrachaSmallAmplification.mom': 'Validity',
  'PBFTUnsignedRequest.mom': 'OnlySubmitted',
  'PrimaryBackupCrashedPrimary.mom': 'ClientsServed',
};

const verdicts = (m: ModelResult): string[] => m.properties.map((p) => `${p.name} ${p.verdict}`);
const traceLengths = (m: ModelResult): string[] => m.properties.filter((p) => p.verdict === 'violated').map((p) => `${p.name} ${p.trace?.steps.length ?? 0}`);

const specs = readdirSync(join(ROOT, 'specs')).filter((f) => f.endsWith('.mom')).sort().map((f) => join('specs', f));
const buggy = readdirSync(join(ROOT, 'specs', 'buggy')).filter((f) => f.endsWith('.mom')).sort().map((f) => join('specs', 'buggy', f));

/**
 * Models checked by invariants only (so the parallel search runs them)
 * whose full search takes seconds: compared with the in-process search,
 * distinct states included.
 */
// PBFTCounter forgets (issue 23), and a program that forgets is searched in process: its copy
// without FORGET members, which has the same behaviours, is the parallel search's subject.
const PBFT_KEEP_ALL = keepAllCopy('specs/PBFTCounter.mom');
afterAll(() => rmSync(dirname(PBFT_KEEP_ALL), { recursive: true, force: true }));
const FULL: Readonly<Record<string, readonly string[]>> = {
  'specs/PrimaryBackup.mom': ['ByzantineBackup'],
  [PBFT_KEEP_ALL]: ['ByzantinePrimary'],
};

function checked(file: string): CheckedProgram {
  const fe = checkFile(join(ROOT, file));
  if (fe.program === undefined) throw new Error(`${file} does not check`);
  return fe.program;
}

/** Replays an invariant's counterexample: every step a successor in the semantics, the last state violating it. */
function replayTrace(program: CheckedProgram, model: string, p: PropertyResult): void {
  const inst = instantiate(program, model);
  if (!inst.ok) throw new Error(inst.error.message);
  const system = new System(inst.instance);
  const renderer = new TraceRenderer(system, undefined);
  const steps = p.trace?.steps ?? [];
  expect(steps.length, `${model} ${p.name}: a trace`).toBeGreaterThan(0);
  const strip = (a: object): string => JSON.stringify(JSON.parse(JSON.stringify(a, (k, v: unknown) => (k === 'location' ? undefined : v))));
  let state = system.initialState();
  expect(renderer.changes(undefined, state)).toEqual(steps[0]!.changes);
  for (const step of steps.slice(1)) {
    const next = system.successors(state).find((s) => strip(renderer.action(s.action)) === strip(step.action) && JSON.stringify(renderer.changes(state, s.state)) === JSON.stringify(step.changes));
    expect(next, `${model} ${p.name}: step ${step.index} is no step of the semantics`).toBeDefined();
    state = next!.state;
  }
  // Forgetting's invariant (issue 23) is the semantics' own, not one of the program's.
  if (p.name === FORGET_UNOBSERVABLE) expect(system.unobservableViolation(state)).toBeDefined();
  else if (p.kind === 'invariant') expect(new StateEvaluator(system).holds(program.invariants.get(p.name)!.body, state)).toBe(false);
}

describe('--workers: the in-process search\'s verdicts and states', () => {
  for (const [file, models] of Object.entries(FULL)) {
    it(`${file} ${models.join(', ')}: the same verdicts and distinct states with 2 workers as in process`, async () => {
      const [inProcess, two] = await Promise.all([verify(file, models, []), verify(file, models, ['--workers', '2'])]);
      for (const [k, m] of inProcess.result.models.entries()) {
        for (const other of [two]) {
          const o = other.result.models[k]!;
          expect(verdicts(o), `${m.model}`).toEqual(verdicts(m));
          expect(o.stats.distinct, `${m.model}: distinct`).toBe(m.stats.distinct);
          expect(o.stats.generated, `${m.model}: generated`).toBe(m.stats.generated);
          expect(o.stats.depth, `${m.model}: depth`).toBe(m.stats.depth);
        }
      }
      expect(two.stderr).toMatch(/2 workers: fingerprint table/);
    }, 180_000);
  }

  for (const file of buggy) {
    it(`${file}: the same violation with a counterexample of the same length, which replays`, async () => {
      const program = checked(file);
      const [inProcess, two] = await Promise.all([verify(file, [], []), verify(file, [], ['--workers', '2'])]);
      for (const [k, m] of inProcess.result.models.entries()) {
        const o = two.result.models[k]!;
        expect(verdicts(o), m.model).toEqual(verdicts(m));
        expect(traceLengths(o), m.model).toEqual(traceLengths(m));
        expect(o.stats.depth, m.model).toBe(m.stats.depth);
        for (const p of o.properties) if (p.verdict === 'violated' && p.kind === 'invariant') replayTrace(program, m.model, p);
      }
    }, 180_000);
  }

  it('every model of every example and buggy file that the parallel search runs, under --por: 1 and 2 workers give the same verdicts (all hold but the planted bug) and count the same states', async () => {
    for (const file of [...specs, ...buggy]) {
      // Models with a PROPERTY run in process whatever --workers says (tested below), as do programs that forget (test/forget.test.ts).
      const program = checked(file);
      if (programForgets(program.roles.values())) continue;
      // Models too slow for npm test are the bench's (test/helpers/spec-limits.ts).
      const models = testedModels(file, [...program.models.keys()]).filter((m) => {
        const inst = instantiate(program, m);
        return inst.ok && inst.instance.properties.length === 0;
      });
      if (models.length === 0) continue;
      const [one, two] = await Promise.all([verify(file, models, ['--por', '--continue', '--workers', '1']), verify(file, models, ['--por', '--continue', '--workers', '2'])]);
      expect(two.stderr).not.toContain('checked in process');
      const caught = CAUGHT[file.split('/').pop()!];
      for (const [k, m] of one.result.models.entries()) {
        const o = two.result.models[k]!;
        expect(verdicts(o), `${file} ${m.model}`).toEqual(verdicts(m));
        expect(m.properties.filter((p) => p.verdict !== 'holds').map((p) => `${p.name} ${p.verdict}`), `${file} ${m.model}`).toEqual(caught === undefined ? [] : [`${caught} violated`]);
        expect(o.stats.distinct, `${file} ${m.model}: distinct, 2 workers against 1`).toBe(m.stats.distinct);
        expect(o.stats.generated, `${file} ${m.model}: generated, 2 workers against 1`).toBe(m.stats.generated);
      }
    }
  }, 300_000);

  it('a model with a PROPERTY runs in process, and says so', async () => {
    const r = await verify('specs/PrimaryBackup.mom', ['CrashedBackup'], ['--workers', '2']);
    expect(r.stderr).toContain('[CrashedBackup] checked in process with one worker, not 2: its PROPERTY obligations need the whole state graph');
    expect(r.result.models[0]!.status).toBe('complete');
  });

  it('reports evaluation errors as the in-process search does, with the same trace', async () => {
    for (const file of ['test/fixtures/runtime/Overflow.mom', 'test/fixtures/runtime/DivZero.mom']) {
      const [a, b] = await Promise.all([mommie(['verify', file]), mommie(['verify', file, '--workers', '2'])]);
      expect(b.exitCode).toBe(a.exitCode);
      const body = (s: string): string => s.replace(/\n.* generated, .*\n/, '\n');
      expect(body(b.stdout)).toBe(body(a.stdout));
    }
  });

  it('levels that spill to disk (--level-memory) give the same states and verdicts, and leave no file behind', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'mommie-spill-test-'));
    try {
      const args = ['verify', PBFT_KEEP_ALL, '-m', 'ByzantinePrimary', '--workers', '2', '--json', '-q'];
      const [whole, spilled] = await Promise.all([mommie(args), mommie([...args, '--level-memory', '0.05'], { env: { TMPDIR: tmp } })]);
      const [a, b] = [decoded(whole).models[0]!, decoded(spilled).models[0]!];
      expect(verdicts(b)).toEqual(verdicts(a));
      expect([b.stats.distinct, b.stats.generated, b.stats.depth]).toEqual([a.stats.distinct, a.stats.generated, a.stats.depth]);
      expect(whole.stderr).toMatch(/\(--level-memory 256\.0 MiB\)$/m);
      expect(spilled.stderr).toMatch(/levels' packed states at most 0\.\d\d MiB in memory \(--level-memory 0\.05 MiB\), [\d.]+ MiB spilled to disk/);
      expect(readdirSync(tmp)).toEqual([]);
      const bad = await mommie(['verify', 'specs/PBFTCounter.mom', '--in-process', '--level-memory', '64']);
      expect(bad.exitCode).toBe(1);
      expect(bad.stderr).toMatch(/--level-memory bounds the levels of the parallel search; drop --in-process/);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 120_000);

  it('a state limit stops the search with unknown verdicts (exit 4)', async () => {
    const r = await mommie(['verify', 'specs/PrimaryBackup.mom', '-m', 'ByzantineBackup', '--workers', '2', '--max-states', '500', '--json', '-q']);
    expect(r.exitCode).toBe(4);
    const m = decoded(r).models[0]!;
    expect(m.status).toBe('limit');
    expect(m.properties.every((p) => p.verdict === 'unknown' && p.detail === 'state limit 500 reached')).toBe(true);
    expect(m.stats.distinct).toBeGreaterThanOrEqual(500);
  });

  it('a failing worker becomes MOM507 (exit 3), not a hang', async () => {
    for (const fault of ['exit', 'throw']) {
      const r = await execa('node', [CLI, 'verify', 'specs/PrimaryBackup.mom', '-m', 'ByzantineBackup', '--workers', '2'], { cwd: ROOT, reject: false, timeout: 60_000, env: { MOMMIE_WORKER_FAULT: fault } });
      expect(r.exitCode, fault).toBe(3);
      expect(String(r.stderr)).toMatch(/mommie verify: MOM507 checker worker \d (exited \(code 7\)|failed: a fault injected)/);
      expect(String(r.stderr)).not.toMatch(/\n\s+at /);
    }
  });

  it('Ctrl-C stops every worker and prints the statistics so far (exit 130)', async () => {
    // A model no search finishes in minutes (test/helpers/spec-limits.ts): PBFTNormal's ByzantinePrimary, used before, now completes within the 4 s wait on a quiet machine.
    const child = execa('node', [CLI, 'verify', 'specs/PBFTViewChange.mom', '-m', 'EquivocatingPrimary', '--workers', '2'], { cwd: ROOT, reject: false, env: { NO_COLOR: '1' } });
    await new Promise((r) => setTimeout(r, 4000));
    child.kill('SIGINT');
    const started = Date.now();
    const r = await child;
    expect(r.exitCode).toBe(130);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(String(r.stdout)).toContain('interrupted, search incomplete');
  }, 30_000);
});
