// ANSWER (issue 26 item 1): what a call of an input transition answers, and
// after which step. The analysis accepts it on inputs with a stable
// condition and names the variables it relies on; the semantics evaluates it
// over a node's state; and on every reachable state of a model with two
// requests in flight, a call once answered stays answered, with the result
// of the reply that answered it at the step that answered it.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkFile } from '../src/analysis/frontend.js';
import { answerOf } from '../src/semantics/answer.js';
import { instantiate } from '../src/semantics/model.js';
import type { State } from '../src/semantics/state.js';
import { System } from '../src/semantics/system.js';
import { decodedVerify, mommie, ROOT } from './helpers/cli.js';

const FILE = join('test', 'fixtures', 'answer', 'PBCounterAnswer.mom');
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

  it('changes nothing the checker explores: the same states and verdicts as the program without it', async () => {
    const without = join(dir, 'PBCounterAnswer.mom');
    writeFileSync(without, readFileSync(join(ROOT, FILE), 'utf8').replace('    ANSWER WHEN answered > id VALUE lastRes\n', ''));
    const [a, b] = await Promise.all([FILE, without].map(async (f) => decodedVerify(await mommie(['verify', f, '-m', 'TwoRequests', '--json', '-q']))));
    expect(a!.models[0]!.stats.distinct).toBe(b!.models[0]!.stats.distinct);
    expect(a!.models[0]!.properties.map((p) => p.verdict)).toEqual(b!.models[0]!.properties.map((p) => p.verdict));
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
