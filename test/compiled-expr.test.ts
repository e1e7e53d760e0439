// The compiled core against the interpreter, expression by expression: every
// expression (and subexpression) of every transition of every program in
// specs/ and the runtime's evaluation-error fixtures, over random bindings
// (right and wrong types, missing names), variables and known sets of states
// the model checker reaches, gives the same value or the same error (code,
// message, location). So do the compiled joins (the same matches in the same
// order, with the same bindings) and the compiled bodies (the same
// publications and variables).

import { describe, expect, it } from 'vitest';
import { CompiledCore } from '../src/semantics/compiled/core.js';
import type { EvalEnv } from '../src/semantics/eval.js';
import { instanceKey, instanceValues } from '../src/semantics/instance.js';
import type { PatternMatch, Pin } from '../src/semantics/match.js';
import { ProgramFacts } from '../src/semantics/pattern-plan.js';
import { keyOf, type Value } from '../src/semantics/value.js';
import { bindersOf, explore, expressionsOf, load, modelsOf, outcome, pick, programFiles, randomBound, rng, type Outcome } from './helpers/compiled-diff.js';

const TRIALS = 30;

const totals = { compared: 0, errors: 0, matched: 0 };

const showBound = (m: ReadonlyMap<number, Value>): string => [...m].sort((a, b) => a[0] - b[0]).map(([k, v]) => `${k}=${keyOf(v)}`).join(' ');

describe('compiled expressions, joins and bodies equal the interpreter', () => {
  for (const file of programFiles()) {
    it(file, () => {
      const program = load(file);
      const models = modelsOf(program);
      expect(models.length, `${file} has a model or runs at its constants`).toBeGreaterThan(0);
      let compared = 0;
      let errors = 0;
      let matched = 0;
      for (const model of models) {
        const ex = explore(model, 120);
        const system = ex.system;
        const core = new CompiledCore(program, system.ev, new ProgramFacts(program), model.everyone);
        const r = rng(model.name.length * 7919 + file.length);
        model.nodes.forEach((node, ni) => {
          if (node.role === undefined) return;
          const varIndex = system.varIndexOf(node.role.name);
          const roleVars = system.roleVars(node.role);
          for (const info of node.role.transitions) {
            const decl = info.decl;
            const ct = core.transition(info, varIndex);
            const exprs = expressionsOf(decl);
            const codes = exprs.map((e) => core.joins.exprs.expr(e, ct.slots, varIndex));
            const binders = bindersOf(decl);
            for (let trial = 0; trial < TRIALS; trial++) {
              const bound = randomBound(r, ex, program, binders);
              const vars = [...(pick(r, ex.vars[ni]!) ?? [])];
              if (vars.length > 0 && r() < 0.15) vars[Math.floor(r() * vars.length)] = pick(r, ex.samples)!;
              const world = pick(r, ex.worlds[ni]!)!;
              const env = (b: Map<number, Value>, v: Value[] = vars): EvalEnv => ({
                me: node.name, vars: v, varIndex, bound: b,
                known: (p, e) => system.matcher.existsOne(p, e, world),
                knownStatements: (p, e) => system.matcher.statementsOf(p, e, world),
              });
              const frame = (b: ReadonlyMap<number, Value>, v: Value[] = vars) => ct.slots.fromMap(b, node.name, v, world);
              // Expressions.
              exprs.forEach((e, k) => {
                const a = outcome(() => system.ev.eval(e, env(new Map(bound))), keyOf);
                const b = outcome(() => codes[k]!(frame(bound)), keyOf);
                expect(b, `${file} ${model.name} ${info.name} expression at ${e.span.start}, bound ${showBound(bound)}`).toEqual(a);
                compared++;
                if ('error' in a) errors++;
              });
              // Joins, from each pattern, with and without a pin and the dynamic checks.
              const params = decl.params.map((p) => bound.get(p.name.id)).filter((v): v is Value => v !== undefined);
              if (params.length !== decl.params.length || decl.patterns.length === 0) continue;
              const pb = new Map(decl.params.map((p, i) => [p.name.id, params[i]!] as const));
              const first = Math.floor(r() * decl.patterns.length);
              const p0 = decl.patterns[first]!;
              const pinStmt = r() < 0.5 ? pick(r, ex.statements.filter((s) => s.record.type === p0.recordType.name)) : undefined;
              const pins: (Pin | undefined)[] = decl.patterns.map(() => undefined);
              if (pinStmt !== undefined && p0.issuer.kind !== 'quorum') pins[first] = { kind: 'stmt', stmt: pinStmt };
              const opts = { pins, first, staticOnly: r() < 0.5 };
              const found = (list: string[], b: () => ReadonlyMap<number, Value>) => (m: readonly PatternMatch[]): boolean => {
                list.push(`${instanceKey(info.name, instanceValues(params, m))} ${m.map((x) => `${x.pin.kind}:${x.issuers?.join(',') ?? ''}`).join(';')} | ${showBound(b())}`);
                return list.length < 25;
              };
              const ia: string[] = [];
              const ib: string[] = [];
              const ie = env(new Map(pb));
              const cf = frame(pb);
              const ja = outcome(() => system.matcher.forEachMatch(decl.patterns, ie, world, found(ia, () => ie.bound), opts), () => ia.join('\n'));
              const jb = outcome(() => core.joins.forEachMatch(ct.joins[first]!, cf, world, found(ib, () => ct.slots.toMap(cf)), opts), () => ib.join('\n'));
              expect(jb, `${file} ${model.name} ${info.name} join from ${first}`).toEqual(ja);
              matched += ia.length;
              // The guard and the body from the first full match (or from the random bindings).
              let at: Map<number, Value> = new Map(bound);
              outcome(() => system.matcher.forEachMatch(decl.patterns, ie, world, () => {
                at = new Map([...bound, ...ie.bound]);
                return false;
              }, {}), String);
              if (decl.guard !== undefined) {
                const g = core.joins.exprs.bool(decl.guard, ct.slots, varIndex);
                expect(outcome(() => g(frame(at)), String), `${file} ${info.name} guard`).toEqual(outcome(() => system.ev.evalBool(decl.guard!, env(new Map(at))), String));
              }
              const bodyA = (): string => {
                const v = vars.slice();
                const e = env(new Map(at), v);
                const drafts = system.body.run(decl.body, e, roleVars);
                return `${drafts.map((d) => `${d.issuer}>${d.verifiers.join(',')}/${d.auditors.join(',')}:${d.record.key}@${d.site.span.start}`).join(' ')} vars ${v.map(keyOf).join(',')} | ${showBound(e.bound)}`;
              };
              const bodyB = (): string => {
                const v = vars.slice();
                const f = frame(at, v);
                const drafts = core.runBody(ct, f, roleVars);
                return `${drafts.map((d) => `${d.issuer}>${d.verifiers.join(',')}/${d.auditors.join(',')}:${d.record.key}@${d.site.span.start}`).join(' ')} vars ${v.map(keyOf).join(',')} | ${showBound(ct.slots.toMap(f))}`;
              };
              const ba: Outcome = outcome(bodyA, (s) => s);
              expect(outcome(bodyB, (s) => s), `${file} ${info.name} body`).toEqual(ba);
            }
          }
        });
      }
      totals.compared += compared;
      totals.errors += errors;
      totals.matched += matched;
      expect(compared).toBeGreaterThan(20);
      if (!file.includes('fixtures')) expect(matched, `${file}: some join found a match`).toBeGreaterThan(0);
    }, 120_000);
  }

  it('compared values and errors both, and joins that match', () => {
    expect(totals.compared).toBeGreaterThan(10_000);
    expect(totals.errors).toBeGreaterThan(1_000);
    expect(totals.matched).toBeGreaterThan(1_000);
  });
});
