// Invariants and temporal properties over states of the abstract pool.
// A temporal property is split into obligations of five forms by expanding
// its outer FORALLs and ANDs: init P, []P, <>P, P ~> Q, []<>P and <>[]P.

import type * as A from '../syntax/ast.js';
import { EvalError } from '../semantics/errors.js';
import type { EvalEnv } from '../semantics/eval.js';
import type { System } from '../semantics/system.js';
import type { State } from '../semantics/state.js';
import type { Value } from '../semantics/value.js';
import type { StateView } from '../semantics/compiled/frame.js';

const NO_BINDINGS: ReadonlyMap<number, Value> = new Map();
import { findTemporal } from '../analysis/checker.js';

export type ObligationForm = 'init' | 'always' | 'eventually' | 'leadsTo' | 'alwaysEventually' | 'eventuallyAlways';

export interface Obligation {
  /** The property's name. */
  readonly property: string;
  /** The instance, e.g. `ClientsServed[c=c1, op=0]`. */
  readonly label: string;
  readonly form: ObligationForm;
  readonly p: A.Expr;
  readonly q?: A.Expr;
  readonly bound: ReadonlyMap<number, Value>;
}

export class StateEvaluator {
  constructor(private readonly system: System) {}

  env(s: State, bound: ReadonlyMap<number, Value> = new Map()): EvalEnv {
    const view = this.view(s);
    return { bound: new Map(bound), correct: view.correct, faulty: view.faulty, nodeVar: view.nodeVar };
  }

  holds(e: A.Expr, s: State, bound?: ReadonlyMap<number, Value>): boolean {
    // The compiled core evaluates it when the checker runs on it (not under --reference).
    const compiled = this.system.options.compiledChecker === true ? this.system.core?.statePredicate(e) : undefined;
    if (compiled !== undefined) return compiled(bound ?? NO_BINDINGS, this.view(s));
    return this.system.ev.evalBool(e, this.env(s, bound));
  }

  /** What a compiled state predicate sees of `s`: as `env` gives the interpreter. */
  private view(s: State): StateView {
    const model = this.system.model;
    return {
      correct: model.correct,
      faulty: model.faulty,
      nodeVar: (p, variable, at) => {
        const idx = model.nodeIndex.get(p);
        const node = idx === undefined ? undefined : model.nodes[idx];
        const vi = node?.role === undefined ? undefined : this.system.varIndexOf(node.role.name).get(variable);
        const v = vi === undefined ? undefined : s.vars[idx!]![vi];
        if (v === undefined) throw new EvalError('MOM503', `${p} has no variable ${variable}`, at);
        return v;
      },
    };
  }
}

export class UnsupportedProperty extends Error {
  constructor(
    message: string,
    readonly span: { start: number; end: number },
  ) {
    super(message);
  }
}

/** Splits a property into obligations; throws UnsupportedProperty for other temporal shapes. */
export function obligations(name: string, body: A.Expr, system: System): Obligation[] {
  const out: Obligation[] = [];
  const ev = system.ev;
  const model = system.model;
  const envFor = (bound: Map<number, Value>): EvalEnv => ({ bound: new Map(bound), correct: model.correct, faulty: model.faulty });
  const go = (e: A.Expr, bound: Map<number, Value>, label: string[]): void => {
    const temporal = findTemporal(e) !== undefined;
    const push = (form: ObligationForm, p: A.Expr, q?: A.Expr): void => {
      out.push({ property: name, label: label.length ? `${name}[${label.join(', ')}]` : name, form, p, ...(q ? { q } : {}), bound: new Map(bound) });
    };
    if (!temporal) return push('init', e);
    if (e.kind === 'quant' && e.quantifier === 'FORALL') {
      const dom = ev.set(e.domain, envFor(bound));
      for (const v of dom.elems) {
        const b = new Map(bound);
        b.set(e.binder.id, v);
        go(e.body, b, [...label, `${e.binder.name}=${ev.show(v)}`]);
      }
      return;
    }
    if (e.kind === 'binary' && e.op === 'AND') {
      go(e.left, bound, label);
      go(e.right, bound, label);
      return;
    }
    if (e.kind === 'binary' && e.op === '~>' && !findTemporal(e.left) && !findTemporal(e.right)) return push('leadsTo', e.left, e.right);
    if (e.kind === 'unary' && e.op === '[]') {
      const x = e.operand;
      if (!findTemporal(x)) return push('always', x);
      if (x.kind === 'unary' && x.op === '<>' && !findTemporal(x.operand)) return push('alwaysEventually', x.operand);
      if (x.kind === 'binary' && x.op === 'IMPLIES' && !findTemporal(x.left) && x.right.kind === 'unary' && x.right.op === '<>' && !findTemporal(x.right.operand)) {
        return push('leadsTo', x.left, x.right.operand);
      }
    }
    if (e.kind === 'unary' && e.op === '<>') {
      const x = e.operand;
      if (!findTemporal(x)) return push('eventually', x);
      if (x.kind === 'unary' && x.op === '[]' && !findTemporal(x.operand)) return push('eventuallyAlways', x.operand);
    }
    throw new UnsupportedProperty(
      `property ${name}: this temporal shape is not supported; use []P, <>P, P ~> Q, []<>P or <>[]P (P, Q state predicates), under FORALL and AND`,
      e.span,
    );
  };
  go(body, new Map(), []);
  return out;
}
