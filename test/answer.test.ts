// ANSWER (issue 26 item 1): what a call of an input transition answers, and
// after which step. The analysis accepts it on inputs with a stable
// condition and names the variables it relies on; the semantics evaluates it
// over a node's state; and on every reachable state of a model with two
// requests in flight, a call once answered stays answered, with the result
// of the reply that answered it at the step that answered it. Both engines
// check AnswerStable (the variables the condition relies on never go back)
// and, in a model with liveness, CallsAnswered (every call is answered):
// test/fixtures/answer/AnswerGoesBack.mom and AnswerNever.mom are caught by
// each, the built-in search, its --simulate walks and TLC.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isRight } from 'fp-ts/lib/Either.js';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveTlc } from '../src/tools/resolve.js';
import { checkFile } from '../src/analysis/frontend.js';
import { answerOf } from '../src/semantics/answer.js';
import { instantiate } from '../src/semantics/model.js';
import type { State } from '../src/semantics/state.js';
import { System } from '../src/semantics/system.js';
import { decodedVerify, mommie, ROOT } from './helpers/cli.js';

const FILE = join('test', 'fixtures', 'answer', 'PBCounterAnswer.mom');
const GOES_BACK = join('test', 'fixtures', 'answer', 'AnswerGoesBack.mom');
const NEVER = join('test', 'fixtures', 'answer', 'AnswerNever.mom');
const hasTlc = isRight(await resolveTlc());
if (!hasTlc) console.log('SKIPPED: TLC\'s side of AnswerStable and CallsAnswered did not run: TLC is not installed (TLA2TOOLS_JAR)');
const dir = mkdtempSync(join(tmpdir(), 'mommie-answer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ANSWER in the analysis', () => {
  it('is accepted on an input, with the variable its condition relies on', () => {
    const r = checkFile(join(ROOT, FILE));
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const submit = r.program!.roles.get('Client')!.transitions.find((t) => t.name === 'Submit')!;
    expect(submit.answer?.monotone).toEqual([{ name: 'answered', index: 1, sense: 'grows' }]);
    expect(r.program!.roles.get('Client')!.transitions.find((t) => t.name === 'Accept')!.answer).toBeUndefined();
  });

  it('changes nothing the checker explores: the same states and verdicts as the program without it, and both checks hold', async () => {
    const without = join(dir, 'PBCounterAnswer.mom');
    writeFileSync(without, readFileSync(join(ROOT, FILE), 'utf8').replace('    ANSWER WHEN answered > id VALUE lastRes\n', ''));
    const [a, b] = await Promise.all([FILE, without].map(async (f) => decodedVerify(await mommie(['verify', f, '-m', 'TwoRequests', '--json', '-q']))));
    expect(a!.models[0]!.stats.distinct).toBe(b!.models[0]!.stats.distinct);
    // The same verdicts, and ANSWER's two checks besides (TwoRequests checks a liveness property).
    const with_ = a!.models[0]!.properties.map((p) => [p.name, p.verdict]);
    expect(with_).toEqual([...b!.models[0]!.properties.map((p) => [p.name, p.verdict]), ['AnswerStable', 'holds'], ['CallsAnswered', 'holds']]);
    expect(a!.models[0]!.status).toBe('complete');
  });
});

describe('ANSWER in the semantics', () => {
  const r = checkFile(join(ROOT, FILE));
  const inst = instantiate(r.program!, 'TwoInFlight');
  if (!inst.ok) throw new Error(inst.error.message);
  const sys = new System(inst.instance);
  const submit = r.program!.roles.get('Client')!.transitions.find((t) => t.name === 'Submit')!;
  const ix = sys.varIndexOf('Client');
  const c1 = sys.model.nodeIndex.get('c1')!;
  const answer = (s: State, id: number) => answerOf(sys.model.evaluator, 'c1', s.vars[c1]!, ix, submit, [id, 1]);

  it('a call is answered at the Accept that passes its id, with that reply\'s result, and stays answered', () => {
    const seen = new Set<string>();
    const queue: State[] = [sys.initialState()];
    let answeredSteps = 0;
    for (let k = 0; k < queue.length; k++) {
      const s = queue[k]!;
      for (const x of sys.successors(s)) {
        for (const id of [0, 1]) {
          const before = answer(s, id)!;
          const after = answer(x.state, id)!;
          if (before.answered) expect(after.answered, 'stable').toBe(true);
          if (!before.answered && after.answered) {
            answeredSteps++;
            // Only an Accept answers, and the value is the result it accepted.
            expect(x.action.kind).toBe('fire');
            expect(after.value).toBe(x.state.vars[c1]![ix.get('lastRes')!]);
          }
        }
        const key = JSON.stringify([x.state.vars, x.state.pool, x.state.known, x.state.handled]);
        if (!seen.has(key)) {
          seen.add(key);
          queue.push(x.state);
        }
      }
    }
    expect(answeredSteps).toBeGreaterThan(0);
  });
});

describe('AnswerStable and CallsAnswered in both engines', () => {
  const verdicts = (r: Awaited<ReturnType<typeof mommie>>) => decodedVerify(r).models[0]!.properties.map((p) => [p.name, p.verdict]);
  const engines = ['builtin', ...(hasTlc ? ['tlc'] : [])] as const;

  it.each(engines)('%s: a variable the ANSWER condition relies on goes back: AnswerStable violated at that step', { timeout: 120_000 }, async (engine) => {
    const r = await mommie(['verify', GOES_BACK, '--json', '-q', '--engine', engine, ...(engine === 'tlc' ? ['--workers', '1'] : ['--in-process'])], { timeoutMs: 120_000 });
    expect(r.exitCode, r.stderr).toBe(2);
    const p = decodedVerify(r).models[0]!.properties.find((x) => x.name === 'AnswerStable')!;
    expect(p.verdict).toBe('violated');
    if (engine === 'builtin') expect(p.detail).toContain('Client.answered went from 1 to 0');
    const steps = p.trace!.steps;
    expect(steps.length).toBe(7);
    expect(steps[6]!.action).toMatchObject({ kind: 'fire', node: 'c1', transition: 'Reset' });
    expect(p.trace!.loopsTo).toBeUndefined();
    // Its model checks no liveness property: CallsAnswered is not checked.
    expect(decodedVerify(r).models[0]!.properties.map((x) => x.name)).toEqual(['Bounded', 'AnswerStable']);
  });

  it.each(engines)('%s: a call never answered in a model with liveness: CallsAnswered violated, a lasso', { timeout: 120_000 }, async (engine) => {
    const r = await mommie(['verify', NEVER, '--json', '-q', '--engine', engine, ...(engine === 'tlc' ? ['--workers', '1'] : ['--in-process'])], { timeoutMs: 120_000 });
    expect(r.exitCode, r.stderr).toBe(2);
    const v = verdicts(r);
    expect(v).toContainEqual(['AnswerStable', 'holds']);
    expect(v).toContainEqual(['CallsAnswered', 'violated']);
    const p = decodedVerify(r).models[0]!.properties.find((x) => x.name === 'CallsAnswered')!;
    const steps = p.trace!.steps;
    // Call(id=1) fired, and the behaviour ends stuttering with it unanswered.
    expect(steps.some((s) => s.action.kind === 'fire' && s.action.transition === 'Call' && s.action.binding['id'] === '1')).toBe(true);
    expect(p.trace!.loopsTo).toBe(steps[steps.length - 1]!.index);
  });

  it('--simulate finds both', { timeout: 60_000 }, async () => {
    const [back, never] = await Promise.all([GOES_BACK, NEVER].map(async (f) => verdicts(await mommie(['verify', f, '--json', '-q', '--simulate', '50'], { timeoutMs: 60_000 }))));
    expect(back).toContainEqual(['AnswerStable', 'violated']);
    expect(never).toContainEqual(['CallsAnswered', 'violated']);
  });
});
