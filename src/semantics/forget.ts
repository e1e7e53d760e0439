// Forgetting (issue 23; docs/decisions.md, "Forgetting"): after every step of
// a correct node n, every statement of known[n] that matches one of its
// role's FORGET patterns with the condition true in n's new state moves to
// forgotten[n], in the same step. Deliver(n, s) needs s outside known[n] ∪
// forgotten[n], so what a node knows plus what it forgot only grows.
//
// The checks both engines make (docs/checker.md, "Forgetting"):
// - ForgetStable: every variable a FORGET condition relies on is monotone,
//   on every step (an action property);
// - ForgetUnobservable: in every state, for every correct n, n's transitions
//   give the same enabled unhandled instances with the same results over
//   known[n] and over known[n] ∪ forgotten[n] (an invariant).

import { monotoneWords, type ForgetInfo, type MonotoneVar, type RoleInfo, type TableField, type TransitionInfo } from '../analysis/program.js';
import { children, exprText } from '../analysis/walk.js';
import { patternExprs } from './pattern-plan.js';
import type * as A from '../syntax/ast.js';
import type { EvalEnv, Evaluator } from './eval.js';
import type { Matcher, MatchWorld } from './match.js';
import type { NodeInfo } from './model.js';
import type { Statement } from './state.js';
import { equalValues, keyOf, type Value } from './value.js';

/** The names of the two checks a model of a program with FORGET gets. */
export const FORGET_UNOBSERVABLE = 'ForgetUnobservable';
export const FORGET_STABLE = 'ForgetStable';

/** Whether any role of the program forgets: then its models check the two properties above. */
export function programForgets(roles: Iterable<RoleInfo>): boolean {
  for (const r of roles) if (r.forgets.length > 0) return true;
  return false;
}

/**
 * Whether transition `t` of `role` can see a difference between known[n]
 * and known[n] ∪ forgotten[n]: whether its patterns, UNLESS or any KNOWN or
 * STATEMENTS in its guard, constraints or body read a record type some
 * FORGET of the role names. Only those are compared by ForgetUnobservable,
 * in both engines (the others read the same statements either way).
 */
export function seesForgotten(role: RoleInfo, t: TransitionInfo): boolean {
  const forgotten = new Set(role.forgets.map((f) => f.decl.pattern.recordType.name));
  if (forgotten.size === 0) return false;
  const types = new Set<string>();
  const pattern = (p: A.Pattern): void => {
    types.add(p.recordType.name);
    for (const e of patternExprs(p)) expr(e);
  };
  const expr = (e: A.Expr): void => {
    if (e.kind === 'known') pattern(e.pattern);
    for (const c of children(e)) expr(c);
  };
  const stmts = (ss: readonly A.Stmt[]): void => {
    for (const st of ss) {
      if (st.kind === 'local' || st.kind === 'assign') expr(st.value);
      else if (st.kind === 'if') {
        expr(st.cond);
        stmts(st.then);
        stmts(st.else);
      } else {
        expr(st.issuer);
        if (st.verifier.kind === 'expr') expr(st.verifier.expr);
        if (st.auditor.kind === 'expr') expr(st.auditor.expr);
        for (const a of st.args) expr(a.value);
      }
    }
  };
  t.decl.patterns.forEach(pattern);
  if (t.decl.unless !== undefined) pattern(t.decl.unless);
  if (t.decl.guard !== undefined) expr(t.decl.guard);
  stmts(t.decl.body);
  for (const x of types) if (forgotten.has(x)) return true;
  return false;
}

export class Forgetting {
  /** One pattern list per FORGET member, so the matcher compiles each once. */
  private readonly lists = new Map<ForgetInfo, readonly A.Pattern[]>();

  constructor(
    private readonly ev: Evaluator,
    private readonly matcher: Matcher,
    private readonly everyone: readonly string[],
    private readonly varIndexOf: (role: string) => ReadonlyMap<string, number>,
  ) {}

  /** Whether node `n` in the state where its variables are `vars` may forget `st`. */
  forgettable(n: NodeInfo, vars: readonly Value[], st: Statement): boolean {
    const role = n.role;
    if (role === undefined) return false;
    for (const f of role.forgets) {
      if (f.decl.pattern.recordType.name !== st.record.type) continue;
      if (this.holds(f, n, role, vars, st)) return true;
    }
    return false;
  }

  private holds(f: ForgetInfo, n: NodeInfo, role: RoleInfo, vars: readonly Value[], st: Statement): boolean {
    let list = this.lists.get(f);
    if (list === undefined) this.lists.set(f, (list = [f.decl.pattern]));
    const world: MatchWorld = { everyone: this.everyone, knownOfType: (t) => (t === st.record.type ? [st] : []) };
    const env: EvalEnv = { me: n.name, vars: vars.slice(), varIndex: this.varIndexOf(role.name), bound: new Map() };
    let found = false;
    this.matcher.forEachMatch(list, env, world, () => {
      found = this.ev.evalBool(f.decl.condition, env);
      return !found;
    });
    return found;
  }

  /**
   * The first variable of `role` a FORGET condition relies on that went back
   * between `before` and `after`, described; undefined when none did.
   */
  wentBack(role: RoleInfo, before: readonly Value[], after: readonly Value[]): string | undefined {
    for (const f of role.forgets) {
      for (const m of f.monotone) {
        if (!monotoneStep(m, before[m.index]!, after[m.index]!)) {
          return `${role.name}.${m.name} went from ${this.ev.show(before[m.index]!)} to ${this.ev.show(after[m.index]!)}, but the FORGET condition \`${conditionText(f)}\` relies on it ${monotoneWords(m)}`;
        }
      }
    }
    return undefined;
  }
}

/** Whether variable `m` moved from `a` to `b` the way it must (FORGET's and ANSWER's stable conditions rely on it). */
export function monotoneStep(m: MonotoneVar, a: Value, b: Value): boolean {
  if (equalValues(a, b)) return true;
  if (typeof a === 'number' && typeof b === 'number') return b >= a;
  if (typeof a === 'boolean' && typeof b === 'boolean') return !a || b;
  if (typeof a === 'object' && typeof b === 'object' && a.kind === 'set' && b.kind === 'set') {
    if (m.sense === 'keyed') return a.elems.every((x) => b.elems.some((y) => dominates(m.keys, m.ups, y, x)));
    const keys = new Set(b.elems.map((e) => keyOf(e)));
    return a.elems.every((e) => keys.has(keyOf(e)));
  }
  return false;
}

function conditionText(f: ForgetInfo): string {
  return `FORGET ${f.decl.pattern.recordType.name} WHEN ${exprText(f.decl.condition)}`;
}

/** Whether table entry `y` has `x`'s key fields and up fields at least as large (records; anything else: no). */
function dominates(keys: readonly TableField[], ups: readonly TableField[], y: Value, x: Value): boolean {
  if (typeof x !== 'object' || typeof y !== 'object' || x.kind !== 'record' || y.kind !== 'record') return false;
  for (const k of keys) {
    const a = x.fields[k.index];
    const b = y.fields[k.index];
    if (a === undefined || b === undefined || !equalValues(a, b)) return false;
  }
  for (const u of ups) {
    const a = x.fields[u.index];
    const b = y.fields[u.index];
    if (typeof a !== 'number' || typeof b !== 'number' || b < a) return false;
  }
  return true;
}
