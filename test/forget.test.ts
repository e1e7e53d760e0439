// Forgetting (issue 23): `FORGET pattern WHEN condition`. A correct node's
// step ends by moving the statements of known[n] it may forget to
// forgotten[n]; Deliver needs a statement outside known[n] ∪ forgotten[n];
// both engines check ForgetUnobservable (the node's transitions see the same
// over known and over known ∪ forgotten) and ForgetStable (the variables a
// condition relies on never go back). specs/forget/ForgetLog.mom holds;
// specs/buggy/ForgetTooEarly.mom forgets the entry still to execute and
// specs/buggy/ForgetVariableGoesBack.mom resets the variable its condition
// relies on: each gets a counterexample as MOMMIE steps. The TLC side of the
// same models is in test/differential.test.ts.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isRight } from 'fp-ts/lib/Either.js';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveTlc } from '../src/tools/resolve.js';
import { checkFile } from '../src/analysis/frontend.js';
import { instantiate } from '../src/semantics/model.js';
import type { State } from '../src/semantics/state.js';
import { System } from '../src/semantics/system.js';
import { decodedVerify, mommie, ROOT } from './helpers/cli.js';

const LOG = join('specs', 'forget', 'ForgetLog.mom');
const hasTlc = isRight(await resolveTlc());
if (!hasTlc) console.log('SKIPPED: mommie refine of a program that forgets did not run: TLC is not installed (TLA2TOOLS_JAR)');
const dir = mkdtempSync(join(tmpdir(), 'mommie-forget-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function system(file: string, model: string): System {
  const r = checkFile(join(ROOT, file));
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const inst = instantiate(r.program!, model);
  if (!inst.ok) throw new Error(inst.error.message);
  return new System(inst.instance);
}

/** The first state, breadth first, that satisfies `p`. */
function reach(sys: System, p: (s: State) => boolean): State {
  const queue: State[] = [sys.initialState()];
  for (let k = 0; k < queue.length && k < 5000; k++) {
    const s = queue[k]!;
    if (p(s)) return s;
    for (const x of sys.successors(s)) queue.push(x.state);
  }
  throw new Error('not reached');
}

describe('forgetting in the semantics', () => {
  it('an executed entry moves to forgotten in the Execute step, and is never delivered again', () => {
    const sys = system(LOG, 'Small');
    const r1 = sys.model.nodeIndex.get('r1')!;
    const lastExec = sys.varIndexOf('Replica').get('lastExec')!;
    const s = reach(sys, (x) => x.vars[r1]![lastExec] === 1);
    const entry = (id: number) => sys.interner.stmt(id);
    expect(s.forgotten[r1]!.map((id) => entry(id).record.type)).toEqual(['Entry']);
    expect(entry(s.forgotten[r1]![0]!).record.fields[0]).toBe(1);
    expect(s.known[r1]!.some((id) => s.forgotten[r1]!.includes(id))).toBe(false);
    // Deliver(r1, forgotten entry) is not enabled: known ∪ forgotten only grows.
    const again = sys.successors(s).filter((x) => x.action.kind === 'deliver' && x.action.node === r1 && s.forgotten[r1]!.includes(x.action.statement));
    expect(again).toEqual([]);
    expect(sys.unobservableViolation(s)).toBeUndefined();
  });

  it('an entry that arrives already executable-and-forgettable goes straight to forgotten (ForgetTooEarly)', () => {
    const sys = system(join('specs', 'buggy', 'ForgetTooEarly.mom'), 'Small');
    const r1 = sys.model.nodeIndex.get('r1')!;
    const s = reach(sys, (x) => x.forgotten[r1]!.length > 0);
    expect(s.known[r1]).toEqual([]);
    expect(sys.unobservableViolation(s)).toMatch(/r1's Execute differs once forgotten statements count/);
  });
});

describe('forgetting in the built-in checker', () => {
  it('ForgetLog holds, with the same states as without FORGET (forgetting adds no interleavings), compiled and reference alike', { timeout: 120_000 }, async () => {
    const runs = await Promise.all([
      mommie(['verify', LOG, '--json', '-q', '--in-process'], { timeoutMs: 120_000 }),
      mommie(['verify', LOG, '--json', '-q', '--in-process', '--reference'], { timeoutMs: 120_000 }),
    ]);
    const without = join(dir, 'ForgetLogKeepsAll.mom');
    const text = readFileSync(join(ROOT, LOG), 'utf8');
    expect(text).toContain('\n  FORGET ');
    writeFileSync(without, text.replace(/\n {2}FORGET [^\n]*/, ''));
    const plain = decodedVerify(await mommie(['verify', without, '--json', '-q', '--in-process'], { timeoutMs: 120_000 }));
    for (const r of runs) {
      expect(r.exitCode, r.stderr).toBe(0);
      const v = decodedVerify(r);
      expect(v.models.map((m) => [m.model, m.status, m.stats.distinct])).toEqual([['Small', 'complete', 425], ['CrashedReplica', 'complete', 37]]);
      for (const m of v.models) {
        expect(m.properties.map((p) => [p.name, p.verdict])).toEqual([['Agreement', 'holds'], ['AllExecuted', 'holds'], ['ForgetUnobservable', 'holds'], ['ForgetStable', 'holds']]);
      }
    }
    // Without FORGET the same states (the forgotten marks are in 1-1 correspondence here) and no forgetting checks.
    expect(plain.models.map((m) => [m.model, m.stats.distinct, m.properties.map((p) => p.name)])).toEqual([
      ['Small', 425, ['Agreement', 'AllExecuted']],
      ['CrashedReplica', 37, ['Agreement', 'AllExecuted']],
    ]);
  });

  it('a rule that forgets too early: ForgetUnobservable violated, with the steps that lead there', { timeout: 60_000 }, async () => {
    const r = await mommie(['verify', join('specs', 'buggy', 'ForgetTooEarly.mom'), '--json', '-q', '--in-process'], { timeoutMs: 60_000 });
    expect(r.exitCode).toBe(2);
    const p = decodedVerify(r).models[0]!.properties.find((x) => x.name === 'ForgetUnobservable')!;
    expect(p.verdict).toBe('violated');
    expect(p.detail).toContain('Execute(');
    const steps = p.trace!.steps;
    expect(steps.map((s) => s.action.kind)).toEqual(['init', 'fire', 'deliver']);
    expect(steps[2]!.action).toMatchObject({ kind: 'deliver', node: 'r1' });
  });

  it('a variable a FORGET condition relies on goes back: ForgetStable violated at that step', { timeout: 60_000 }, async () => {
    const r = await mommie(['verify', join('specs', 'buggy', 'ForgetVariableGoesBack.mom'), '--json', '-q', '--in-process'], { timeoutMs: 60_000 });
    expect(r.exitCode).toBe(2);
    const p = decodedVerify(r).models[0]!.properties.find((x) => x.name === 'ForgetStable')!;
    expect(p.verdict).toBe('violated');
    expect(p.detail).toContain('Replica.lastExec went from 1 to 0');
    const steps = p.trace!.steps;
    expect(steps.length).toBe(5);
    expect(steps[4]!.action).toMatchObject({ kind: 'fire', node: 'r1', transition: 'Restart' });
  });
});

describe('forgetting by a table lookup (item 2: a set of records used as a map, monotone pointwise)', () => {
  const TABLE = join('test', 'fixtures', 'forget', 'TableLookup.mom');
  it('holds where the table only grows; ForgetStable is violated at the step that puts an entry back', { timeout: 60_000 }, async () => {
    const r = await mommie(['verify', TABLE, '--json', '-q', '--in-process', '--continue'], { timeoutMs: 60_000 });
    expect(r.exitCode, r.stderr).toBe(2);
    const [correct, reset] = decodedVerify(r).models;
    expect(correct!.properties.map((p) => [p.name, p.verdict])).toEqual([['Once', 'holds'], ['ForgetUnobservable', 'holds'], ['ForgetStable', 'holds']]);
    const back = reset!.properties.find((p) => p.name === 'ForgetStable')!;
    expect(back.verdict).toBe('violated');
    expect(back.detail).toMatch(/Replica\.next went from .* but the FORGET condition .* relies on it keeping, for every entry, one with the same w and id never smaller/);
    const steps = back.trace!.steps;
    expect(steps[steps.length - 1]!.action).toMatchObject({ kind: 'fire', node: 'r1', transition: 'Reset' });
  });

  it('a replica forgets each entry in the step that moves its writer\'s entry past it', () => {
    const sys = system(TABLE, 'Correct');
    const r1 = sys.model.nodeIndex.get('r1')!;
    const executed = sys.varIndexOf('Replica').get('executed')!;
    const s = reach(sys, (x) => x.vars[r1]![executed] === 1);
    expect(s.forgotten[r1]!.map((id) => sys.interner.stmt(id).record.type)).toEqual(['Entry']);
    expect(s.known[r1]!.some((id) => s.forgotten[r1]!.includes(id))).toBe(false);
    expect(sys.unobservableViolation(s)).toBeUndefined();
  });
});

describe('forgetting and the other search modes', () => {
  it('--por does not hide the early forget: the reduction is off for a program that forgets, with a note', { timeout: 60_000 }, async () => {
    const r = await mommie(['verify', join('specs', 'buggy', 'ForgetTooEarly.mom'), '--json', '-q', '--in-process', '--por'], { timeoutMs: 60_000 });
    expect(r.exitCode).toBe(2);
    expect(decodedVerify(r).models[0]!.properties.find((x) => x.name === 'ForgetUnobservable')!.verdict).toBe('violated');
    expect(r.stderr).toContain('partial-order reduction is off: the program forgets');
  });

  it('--simulate checks both: a random walk finds each planted bug', { timeout: 60_000 }, async () => {
    const early = decodedVerify(await mommie(['verify', join('specs', 'buggy', 'ForgetTooEarly.mom'), '--json', '-q', '--simulate', '20'], { timeoutMs: 60_000 }));
    expect(early.models[0]!.properties.find((x) => x.name === 'ForgetUnobservable')!.verdict).toBe('violated');
    const back = decodedVerify(await mommie(['verify', join('specs', 'buggy', 'ForgetVariableGoesBack.mom'), '--json', '-q', '--simulate', '20'], { timeoutMs: 60_000 }));
    expect(back.models[0]!.properties.find((x) => x.name === 'ForgetStable')!.verdict).toBe('violated');
  });
});

describe('a program that forgets, composed with its deployment', () => {
  // The composed module's receive learns as Deliver does (never a forgotten statement, straight into
  // forgotten when it may be forgotten at once); before, every delivery was a step the abstract spec refused.
  it.skipIf(!hasTlc)('mommie refine: the composed spec refines the abstract spec, forgetting\'s checks included', { timeout: 300_000 }, async () => {
    const r = await mommie(['refine', LOG, '--deploy', LOG.replace(/\.mom$/, '.deploy'), '--composed-only', '-m', 'CrashedReplica'], { timeoutMs: 300_000 });
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('the composed spec refines the abstract spec');
    expect(r.stdout).toMatch(/holds: .*ForgetUnobservable.*ForgetStable/);
  });
});

describe('a program that forgets at run time', () => {
  it('runs on the simulated network, its replicas forgetting what they executed (issue 23 item 4), and its traces replay', { timeout: 120_000 }, async () => {
    const trace = join(dir, 'trace');
    const run = await mommie(['run', LOG, '--deploy', LOG.replace(/\.mom$/, '.deploy'), '--network', 'sim', '--requests', '2', '--trace', trace], { timeoutMs: 120_000 });
    expect(run.exitCode, run.stderr).toBe(0);
    // Both entries executed and forgotten at each replica; the sequencer forgets nothing (its role has no FORGET).
    expect(run.stdout.match(/forgetting: 2 statements forgotten, \d+ late copies absorbed, 0 known at the end/g)).toHaveLength(2);
    expect(run.stdout.match(/forgetting:/g)).toHaveLength(2);
    const replay = await mommie(['replay', LOG, trace], { timeoutMs: 120_000 });
    expect(replay.exitCode, replay.stderr).toBe(0);
    expect(replay.stdout).toMatch(/accepted: 3 logs/);
  });
});
