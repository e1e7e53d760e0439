// The checker's state predicates on the compiled core against the
// interpreter: every invariant and every state formula of every property
// (obligation) of every program in specs/, and each of their subexpressions,
// over states the model checker reaches, some with a node's variable replaced
// by a value of another type, give the same value or the same error (code,
// message, location). CORRECT, FAULTY and `p.v` of a principal are what only
// state predicates see; the compiled core reads them through the frame's
// state view as the interpreter reads them through its environment.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { children } from '../src/analysis/checker.js';
import { obligations, StateEvaluator } from '../src/check/properties.js';
import { Slots } from '../src/semantics/compiled/frame.js';
import type { State } from '../src/semantics/state.js';
import { System } from '../src/semantics/system.js';
import { keyOf, type Value } from '../src/semantics/value.js';
import type * as A from '../src/syntax/ast.js';
import { explore, load, modelsOf, outcome, pick, programFiles, rng } from './helpers/compiled-diff.js';

const subexpressions = (e: A.Expr, out: A.Expr[] = []): A.Expr[] => {
  out.push(e);
  for (const c of children(e)) subexpressions(c, out);
  return out;
};

/** Every binder a predicate's quantifiers and set-builders bind, by id. */
const bindersIn = (e: A.Expr): number[] => subexpressions(e).flatMap((x) => ('binder' in x && x.binder !== undefined && typeof x.binder === 'object' && 'id' in x.binder ? [(x.binder as { id: number }).id] : []));

const totals = { compared: 0, errors: 0, predicates: 0 };

/** PBFTCounter with an invariant over FAULTY and CORRECT (no example reads FAULTY). */
const dir = mkdtempSync(join(tmpdir(), 'mommie-predicates-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function withFaultyInvariant(): string {
  const text = readFileSync('specs/PBFTCounter.mom', 'utf8');
  const at = text.indexOf('\nMODEL ');
  const file = join(dir, 'PBFTFaulty.mom');
  writeFileSync(file, `${text.slice(0, at)}\nINVARIANT FaultySeen: (r4 IN FAULTY) IMPLIES NOT (r4 IN CORRECT) AND r4.lastExec >= 0\n${text.slice(at)}`);
  return file;
}

describe('compiled state predicates equal the interpreter', () => {
  for (const file of [...programFiles(), withFaultyInvariant()]) {
    it(file, () => {
      const program = load(file);
      let compared = 0;
      let errors = 0;
      for (const model of modelsOf(program)) {
        const ex = explore(model, 60);
        const compiled = new System(model, { compiledChecker: true });
        const reference = new System(model, { reference: true });
        const viaCore = new StateEvaluator(compiled);
        const viaInterpreter = new StateEvaluator(reference);
        const core = compiled.core!;
        const r = rng(model.name.length * 31 + file.length);
        const preds: { readonly e: A.Expr; readonly bound: ReadonlyMap<number, Value> }[] = [];
        for (const name of model.invariants) preds.push({ e: program.invariants.get(name)!.body, bound: new Map() });
        for (const name of model.properties) {
          for (const o of obligations(name, program.properties.get(name)!.body, reference)) {
            preds.push({ e: o.p, bound: o.bound });
            if (o.q !== undefined) preds.push({ e: o.q, bound: o.bound });
          }
        }
        totals.predicates += preds.length;
        // Reached states, and some with one variable of one node out of its type.
        const states: State[] = [...ex.states];
        for (let k = 0; k < 20 && ex.states.length > 0; k++) {
          const s = pick(r, ex.states)!;
          const n = Math.floor(r() * s.vars.length);
          if (s.vars[n]!.length === 0) continue;
          const vars = s.vars.map((v) => [...v]);
          vars[n]![Math.floor(r() * vars[n]!.length)] = pick(r, ex.samples)!;
          states.push({ ...s, vars });
        }
        for (const { e, bound } of preds) {
          for (const s of states) {
            const a = outcome(() => viaInterpreter.holds(e, s, bound), String);
            const b = outcome(() => viaCore.holds(e, s, bound), String);
            expect(b, `${file} ${model.name} predicate at ${e.span.start}`).toEqual(a);
            compared++;
            if ('error' in a) errors++;
          }
          // Each subexpression, with the predicate's own binders at random values (or unbound).
          const binders = bindersIn(e);
          for (const x of subexpressions(e)) {
            const unit = new Slots();
            const code = core.joins.exprs.expr(x, unit, undefined);
            for (let trial = 0; trial < 6; trial++) {
              const s = pick(r, states)!;
              const b = new Map(bound);
              for (const id of binders) if (r() < 0.8) b.set(id, pick(r, ex.samples)!);
              const want = outcome(() => reference.ev.eval(x, viaInterpreter.env(s, b)), keyOf);
              const view = { correct: model.correct, faulty: model.faulty, nodeVar: viaInterpreter.env(s).nodeVar! };
              const got = outcome(() => code(unit.fromMap(b, undefined, undefined, undefined, view)), keyOf);
              expect(got, `${file} ${model.name} subexpression at ${x.span.start}`).toEqual(want);
              compared++;
              if ('error' in want) errors++;
            }
          }
        }
      }
      totals.compared += compared;
      totals.errors += errors;
    }, 120_000);
  }

  it('compared predicates, values and errors', () => {
    expect(totals.predicates).toBeGreaterThan(20);
    expect(totals.compared).toBeGreaterThan(5_000);
    expect(totals.errors).toBeGreaterThan(100);
  });
});
