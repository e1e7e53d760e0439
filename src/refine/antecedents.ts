// The antecedents of a program's leads-to properties, as TLA+ state
// predicates, so that `mommie refine` can tell a liveness property that held
// because its antecedent never did (a vacuous "refines") from one that held.
//
// A PROPERTY is checked as obligations under its outer FORALLs and ANDs
// (src/check/properties.ts): `P ~> Q` and `[](P => <>Q)` have antecedent P.
// The antecedent of the whole property is "some obligation's P holds":
// each FORALL becomes an EXISTS over the same domain, each AND an OR of the
// parts that have one. Properties of other shapes ([]<>P, <>P, ...) have
// none. The composed module adds a stuttering step enabled exactly where it
// holds (`W_Probe_k`); TLC's -coverage counts that step's states.

import type { CheckedProgram } from '../analysis/program.js';
import { findTemporal } from '../analysis/checker.js';
import type * as A from '../syntax/ast.js';
import { constCtx, ExprTranslator } from '../tla/expr.js';

export interface AntecedentProbe {
  /** The property's name in the program. */
  readonly property: string;
  /** The TLA+ operator of the probe step, e.g. `W_Probe_1`. */
  readonly operator: string;
  /** The antecedent as a TLA+ state predicate. */
  readonly predicate: string;
}

/** The antecedent of a property's body, as a MOMMIE expression, or undefined when it has no leads-to. */
export function antecedentOf(e: A.Expr): A.Expr | undefined {
  if (e.kind === 'quant' && e.quantifier === 'FORALL') {
    const body = antecedentOf(e.body);
    return body === undefined ? undefined : { ...e, quantifier: 'EXISTS', body };
  }
  if (e.kind === 'binary' && e.op === 'AND') {
    const l = antecedentOf(e.left);
    const r = antecedentOf(e.right);
    if (l === undefined) return r;
    if (r === undefined) return l;
    return { ...e, op: 'OR', left: l, right: r };
  }
  if (e.kind === 'binary' && e.op === '~>' && findTemporal(e.left) === undefined) return e.left;
  if (e.kind === 'unary' && e.op === '[]') {
    const x = e.operand;
    if (x.kind === 'binary' && x.op === 'IMPLIES' && findTemporal(x.left) === undefined && x.right.kind === 'unary' && x.right.op === '<>') return x.left;
  }
  return undefined;
}

/** One probe per checked property that has an antecedent. */
export function antecedentProbes(program: CheckedProgram, checked: readonly string[]): AntecedentProbe[] {
  const x = new ExprTranslator(program);
  const out: AntecedentProbe[] = [];
  for (const name of checked) {
    const decl = program.properties.get(name);
    if (decl === undefined) continue;
    const ante = antecedentOf(decl.body);
    if (ante === undefined) continue;
    out.push({ property: name, operator: `W_Probe_${out.length + 1}`, predicate: x.expr(ante, constCtx()) });
  }
  return out;
}
