// The model checker's steps on the compiled core against the interpreter:
// for every model of every program under specs/, breadth-first over the
// reachable states (the first 300), the two Systems give the same successors
// in the same order (action, binding, published statements, next state) or
// the same evaluation error.

import { describe, expect, it } from 'vitest';
import { EvalError, StepError } from '../src/semantics/errors.js';
import type { State } from '../src/semantics/state.js';
import { System, type Successor } from '../src/semantics/system.js';
import { keyOf } from '../src/semantics/value.js';
import { load, modelsOf, programFiles } from './helpers/compiled-diff.js';

const STATES = 300;

/** A state and its successors as text, independent of each System's interner numbering. */
function render(sys: System, s: State): string {
  const st = (ids: readonly number[]): string => ids.map((id) => sys.interner.stmt(id).key).sort().join(' ');
  return JSON.stringify({
    vars: s.vars.map((v) => v.map(keyOf)),
    pool: st(s.pool),
    known: s.known.map(st),
    handled: s.handled.map((h) => h.map((id) => sys.interner.inst(id).key).sort()),
    // What each node forgot (issue 23): the compiled path must forget identically.
    forgotten: s.forgotten.map(st),
  });
}

function renderStep(sys: System, x: Successor): string {
  const a = x.action;
  const what = a.kind === 'fire'
    ? `fire ${a.node} ${a.transition.name} ${a.binding.map(([k, v]) => `${k}=${keyOf(v)}`).join(',')} -> ${a.published.map((id) => sys.interner.stmt(id).key).join(' ')}`
    : `${a.kind} ${a.node} ${sys.interner.stmt(a.statement).key}`;
  return `${what} ${x.fairness ?? ''} ${render(sys, x.state)}`;
}

function successors(sys: System, s: State): { steps: string[]; next: State[] } | { error: string } {
  try {
    const out = sys.successors(s);
    return { steps: out.map((x) => renderStep(sys, x)), next: out.map((x) => x.state) };
  } catch (e) {
    const inner = e instanceof StepError ? e.evalError : e;
    if (inner instanceof EvalError) return { error: `${inner.code} ${inner.message} @${inner.span.start}` };
    throw e;
  }
}

describe('the checker on the compiled core takes the interpreter steps', () => {
  for (const file of programFiles().filter((f) => f.startsWith('specs/'))) {
    it(file, () => {
      const program = load(file);
      let compared = 0;
      for (const model of modelsOf(program)) {
        const ref = new System(model, { reference: true });
        const comp = new System(model, { compiledChecker: true });
        expect(comp.core).toBeDefined();
        const queue: [State, State][] = [[ref.initialState(), comp.initialState()]];
        const seen = new Set<string>();
        while (queue.length > 0 && seen.size < STATES) {
          const [a, b] = queue.shift()!;
          const key = render(ref, a);
          expect(render(comp, b)).toBe(key);
          if (seen.has(key)) continue;
          seen.add(key);
          const sa = successors(ref, a);
          const sb = successors(comp, b);
          expect('error' in sb ? sb.error : sb.steps, `${file} ${model.name}`).toEqual('error' in sa ? sa.error : sa.steps);
          if ('error' in sa || 'error' in sb) continue;
          sa.next.forEach((x, i) => queue.push([x, sb.next[i]!]));
          compared += sa.steps.length;
        }
      }
      expect(compared).toBeGreaterThan(0);
    }, 120_000);
  }
});
