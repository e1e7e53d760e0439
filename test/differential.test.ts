// The translation's mechanical evidence: for every model of every example
// (buggy ones included), TLC and the built-in checker report the same
// verdicts, the same violated properties, the same number of distinct states
// and safety counterexamples of the same length. Both are breadth-first
// (TLC with one worker), so a model without violations is explored whole by
// both, and a buggy one stops at its first violating state in both.
//
// TLC is looked for as the product looks for it (TLA2TOOLS_JAR, then the
// cache of `mommie tools install`); without it the test is skipped, saying so.

import { isLeft, isRight } from 'fp-ts/lib/Either.js';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFile } from '../src/analysis/frontend.js';
import { decodeVerifyResult } from '../src/report/codec.js';
import { resolveTlc } from '../src/tools/resolve.js';
import { tlcTestedModels } from './helpers/spec-limits.js';
import { mommie, ROOT } from './helpers/cli.js';

const tlc = await resolveTlc();
const hasTlc = isRight(tlc);
if (!hasTlc) {
  console.log(`SKIPPED: the TLC/built-in differential test did not run: ${isLeft(tlc) ? tlc.left.message : ''} (set TLA2TOOLS_JAR or run 'mommie tools install')`);
}

const files = [
  ...readdirSync(join(ROOT, 'specs')).filter((f) => f.endsWith('.mom')).map((f) => join('specs', f)),
  ...readdirSync(join(ROOT, 'specs', 'buggy')).filter((f) => f.endsWith('.mom')).map((f) => join('specs', 'buggy', f)),
  // Certificates (issue 25): carried statements learned with their carrier.
  ...readdirSync(join(ROOT, 'specs', 'certificates')).filter((f) => f.endsWith('.mom')).map((f) => join('specs', 'certificates', f)),
  // Forgetting (issue 23): forgotten[n], and the ForgetUnobservable and ForgetStable checks.
  ...readdirSync(join(ROOT, 'specs', 'forget')).filter((f) => f.endsWith('.mom')).map((f) => join('specs', 'forget', f)),
  // Forgetting by a table lookup (a set of records monotone pointwise), and its planted reset.
  join('test', 'fixtures', 'forget', 'TableLookup.mom'),
  // Functions left to the program, which each model defines.
  join('test', 'fixtures', 'functions', 'PrimaryBackupExecute.mom'),
  // Byzantine SENDS narrowed by WHERE, on a carrier and on a plain record.
  join('test', 'fixtures', 'byzantine-where', 'WhereVotes.mom'),
];
const cases = files.flatMap((file) => {
  const r = checkFile(join(ROOT, file));
  // Models slower than about 20 s, or much slower with TLC, are the bench's (test/helpers/spec-limits.ts).
  return tlcTestedModels(file, [...(r.program?.models.keys() ?? [])]).map((model) => ({ file, model }));
});

async function run(file: string, model: string, engine: 'builtin' | 'tlc', extra: readonly string[] = []) {
  // The built-in checker in process: its breadth-first order is TLC's with one
  // worker, so a violating model stops at the same state in both. (The default
  // moves a safety model past 20,000 states to worker threads, which finish the
  // violating level before they stop: same verdict and trace length, more states.)
  const search = engine === 'tlc' ? ['--workers', '1'] : ['--in-process'];
  const r = await mommie(['verify', file, '-m', model, '--json', '-q', '--engine', engine, ...extra, ...search], { timeoutMs: 1_800_000 });
  const decoded = decodeVerifyResult(JSON.parse(r.stdout));
  if (!isRight(decoded)) throw new Error(`${engine} output does not decode: ${String(decoded.left)}\n${r.stderr}`);
  expect(decoded.right.engine).toBe(engine);
  return decoded.right.models[0]!;
}

describe.skipIf(!hasTlc)('TLC and the built-in checker agree', () => {
  it('has cases to compare', () => {
    expect(cases.length).toBeGreaterThanOrEqual(10);
  });

  for (const { file, model } of cases) {
    it(`${file} model ${model}`, { timeout: 1_800_000 }, async () => {
      const [ours, theirs] = await Promise.all([run(file, model, 'builtin'), run(file, model, 'tlc')]);
      console.log(`${file} ${model}: built-in ${ours.stats.distinct} distinct, TLC ${theirs.stats.distinct} distinct; ${ours.status}`);
      expect(theirs.status).toBe(ours.status);
      expect(theirs.stats.distinct).toBe(ours.stats.distinct);
      if (ours.status === 'complete') expect(theirs.stats.depth, 'depth of the complete graph').toBe(ours.stats.depth);
      expect(theirs.properties.map((p) => [p.name, p.verdict])).toEqual(ours.properties.map((p) => [p.name, p.verdict]));
      for (const p of ours.properties) {
        if (p.verdict !== 'violated' || p.kind === 'property') continue;
        const q = theirs.properties.find((x) => x.name === p.name)!;
        expect(q.trace?.steps.length, `${p.name}: counterexample length`).toBe(p.trace?.steps.length);
      }
    });
  }
});

// Programs that fail while running (division by zero, a value outside its
// type, an invariant that cannot be evaluated; test/fixtures/runtime holds
// only such programs): TLC stops at the same state,
// and mommie reproduces TLC's failure in the built-in semantics from the last
// state of TLC's trace, so both report the same MOMMIE code, message, location
// and trace.
const runtimeCases = readdirSync(join(ROOT, 'test', 'fixtures', 'runtime'))
  .filter((f) => f.endsWith('.mom'))
  .map((f) => join('test', 'fixtures', 'runtime', f));

describe.skipIf(!hasTlc)('TLC and the built-in checker report the same evaluation errors', () => {
  it('has cases', () => expect(runtimeCases.length).toBeGreaterThanOrEqual(4));
  for (const file of runtimeCases) {
    it(file, { timeout: 120_000 }, async () => {
      const model = [...checkFile(join(ROOT, file)).program!.models.keys()][0]!;
      const [ours, theirs] = await Promise.all([run(file, model, 'builtin'), run(file, model, 'tlc')]);
      expect(ours.status).toBe('error');
      expect(theirs.status).toBe('error');
      expect(theirs.stats.distinct).toBe(ours.stats.distinct);
      expect(ours.error).toBeDefined();
      expect(theirs.error).toEqual(ours.error);
    });
  }
});

// With --continue both searches go on past violations and explore the whole
// graph; TLC prints a trace per violating state and mommie keeps the first.
// The small buggy models only: the others' full graphs take minutes.
const continueCases = [
  { file: join('specs', 'buggy', 'PrimaryBackupSmallQuorum.mom'), model: 'ByzantineBackup' },
  { file: join('specs', 'buggy', 'PrimaryBackupCrashedPrimary.mom'), model: 'CrashedPrimary' },
];

describe.skipIf(!hasTlc)('TLC and the built-in checker agree with --continue', () => {
  for (const { file, model } of continueCases) {
    it(`${file} model ${model}`, { timeout: 600_000 }, async () => {
      const [ours, theirs] = await Promise.all([run(file, model, 'builtin', ['--continue']), run(file, model, 'tlc', ['--continue'])]);
      console.log(`${file} ${model} --continue: built-in ${ours.stats.distinct} distinct, TLC ${theirs.stats.distinct} distinct`);
      expect(ours.status).toBe('violation');
      expect(theirs.status).toBe('violation');
      expect(theirs.stats.distinct).toBe(ours.stats.distinct);
      expect(theirs.stats.generated).toBe(ours.stats.generated);
      // Every verdict is known: the whole graph was explored.
      expect(theirs.properties.map((p) => [p.name, p.verdict])).toEqual(ours.properties.map((p) => [p.name, p.verdict]));
      expect(ours.properties.every((p) => p.verdict !== 'unknown')).toBe(true);
    });
  }
});

// --deadlock: the .cfg says CHECK_DEADLOCK TRUE (TLC's own -deadlock flag
// would turn checking off). A finished protocol is quiescent, so both
// engines find the same deadlock at the same point of the same search.
describe.skipIf(!hasTlc)('TLC and the built-in checker agree with --deadlock', () => {
  it('specs/PrimaryBackup.mom model CrashedBackup', { timeout: 600_000 }, async () => {
    const file = join('specs', 'PrimaryBackup.mom');
    const [ours, theirs] = await Promise.all([run(file, 'CrashedBackup', 'builtin', ['--deadlock']), run(file, 'CrashedBackup', 'tlc', ['--deadlock'])]);
    expect(ours.status).toBe('violation');
    expect(theirs.status).toBe('violation');
    expect(theirs.stats.distinct).toBe(ours.stats.distinct);
    expect(theirs.properties.map((p) => [p.name, p.verdict, p.detail ?? null])).toEqual(ours.properties.map((p) => [p.name, p.verdict, p.detail ?? null]));
    const dl = (r: typeof ours) => r.properties.find((p) => p.kind === 'deadlock')!;
    expect(dl(ours).verdict).toBe('violated');
    expect(dl(theirs).trace?.steps.length).toBe(dl(ours).trace?.steps.length);
  });
});
