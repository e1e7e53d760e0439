// How a list of patterns is searched, decided once and shared by the
// reference matcher (match.ts) and the compiled core (compiled/join.ts): the
// order the patterns are matched in, which check runs at which position, which
// index narrows each pattern. Both engines build their closures from one plan,
// so they search the same candidates in the same order and run the same checks
// at the same points: the compiled core cannot evaluate an expression the
// interpreter would not.

import { children } from '../analysis/checker.js';
import type { CheckedProgram } from '../analysis/program.js';
import type * as A from '../syntax/ast.js';

interface CheckBase {
  /** Position (in the search order) of the last pattern whose binders it needs. */
  readonly at: number;
  /** Reads role variables or KNOWN: its truth may change while the matched statements stay. */
  readonly dynamic: boolean;
  /** The pattern it checks. */
  readonly pattern: number;
}

/** One check of a matched candidate, in the order the patterns and their parts are written. */
export type CheckPlan =
  /** The issuer is the principal `expr`. */
  | (CheckBase & { readonly kind: 'issuer'; readonly expr: A.Expr })
  /** `c C == 1`: the issuer is in `set`. */
  | (CheckBase & { readonly kind: 'single'; readonly set: A.Expr })
  /** The verifier and auditor positions of a pattern that is no quorum. */
  | (CheckBase & { readonly kind: 'principals'; readonly verifier: A.PrincipalsPattern; readonly auditor: A.PrincipalsPattern })
  /** `field == value`. */
  | (CheckBase & { readonly kind: 'eq'; readonly field: number; readonly value: A.Expr })
  /** A quorum's issuers, counted against its threshold (and bound to its binder). */
  | (CheckBase & { readonly kind: 'quorum'; readonly issuer: A.IssuerPattern & { kind: 'quorum' }; readonly verifier: A.PrincipalsPattern; readonly auditor: A.PrincipalsPattern });

/** A constraint `field == value` whose value is known before the pattern is matched. */
export interface NarrowPlan {
  readonly field: number;
  readonly dynamic: boolean;
  /** The value: an expression, or a field of a pattern matched earlier. */
  readonly from: { readonly kind: 'expr'; readonly expr: A.Expr } | { readonly kind: 'matched'; readonly pattern: number; readonly field: number };
}

export interface PatternPlan {
  readonly patterns: readonly A.Pattern[];
  /** Pattern indices in the order they are matched. */
  readonly order: readonly number[];
  /** Checks by search position, in written order within a position. */
  readonly checksAt: readonly (readonly CheckPlan[])[];
  readonly narrowings: readonly (readonly NarrowPlan[])[];
  /** Per pattern: an earlier pattern's field that must equal this pattern's record (`m == req`). */
  readonly referencedBy: readonly ({ readonly pattern: number; readonly field: number } | undefined)[];
  /** Per pattern: the indices of its multivalent fields (`f == *`). */
  readonly multivalent: readonly (readonly number[])[];
}

/** What the plan needs to know of expressions, cached by whoever owns the program. */
export interface ExprFacts {
  isDynamic(e: A.Expr): boolean;
  boundIdsIn(e: A.Expr): readonly number[];
}

/** Plans the search of `patterns` that starts with pattern `first` (then the rest in written order). */
export function planPatterns(program: CheckedProgram, facts: ExprFacts, patterns: readonly A.Pattern[], first: number): PatternPlan {
  const order = [first, ...patterns.map((_, i) => i).filter((i) => i !== first)];
  const position = new Map(order.map((i, k) => [i, k]));
  // Which pattern binds each binder id.
  const binderAt = new Map<number, number>();
  patterns.forEach((p, i) => {
    if (p.binder !== undefined) binderAt.set(p.binder.id, i);
    if (p.issuer.kind === 'single') binderAt.set(p.issuer.binder.id, i);
    if (p.issuer.kind === 'quorum' && p.issuer.binder !== undefined) binderAt.set(p.issuer.binder.id, i);
  });
  /** The search position at which every binder the expressions read is bound (at least `own`'s). */
  const readyAt = (own: number, exprs: readonly A.Expr[]): number => {
    let at = position.get(own)!;
    for (const e of exprs) {
      for (const id of facts.boundIdsIn(e)) {
        const b = binderAt.get(id);
        if (b !== undefined) at = Math.max(at, position.get(b)!);
      }
    }
    return at;
  };
  /** Whether the expressions read only binders matched strictly before pattern `own`. */
  const readyBefore = (own: number, exprs: readonly A.Expr[]): boolean => {
    const k = position.get(own)!;
    return exprs.every((e) => facts.boundIdsIn(e).every((id) => {
      const b = binderAt.get(id);
      return b === undefined || position.get(b)! < k;
    }));
  };
  const dyn = (exprs: readonly A.Expr[]): boolean => exprs.some((e) => facts.isDynamic(e));
  const checks: CheckPlan[] = [];
  const multivalent: number[][] = [];
  const narrowings: NarrowPlan[][] = patterns.map(() => []);
  const referencedBy: ({ pattern: number; field: number } | undefined)[] = patterns.map(() => undefined);
  patterns.forEach((p, i) => {
    const rec = program.records.get(p.recordType.name);
    const fieldIdx = (name: string): number => rec?.fields.findIndex((f) => f.name === name) ?? -1;
    multivalent.push(p.constraints.filter((c) => c.kind === 'multivalent').map((c) => fieldIdx(c.field.name)));
    const iss = p.issuer;
    if (iss.kind === 'principal') {
      checks.push({ kind: 'issuer', pattern: i, at: readyAt(i, [iss.expr]), dynamic: dyn([iss.expr]), expr: iss.expr });
    } else if (iss.kind === 'single') {
      checks.push({ kind: 'single', pattern: i, at: readyAt(i, [iss.set]), dynamic: dyn([iss.set]), set: iss.set });
    }
    const vaExprs = [...(p.verifier.kind === 'expr' ? [p.verifier.expr] : []), ...(p.auditor.kind === 'expr' ? [p.auditor.expr] : [])];
    if (iss.kind !== 'quorum') {
      checks.push({ kind: 'principals', pattern: i, at: readyAt(i, vaExprs), dynamic: dyn(vaExprs), verifier: p.verifier, auditor: p.auditor });
    }
    for (const c of p.constraints) {
      if (c.kind !== 'eq') continue;
      const idx = fieldIdx(c.field.name);
      const dynamic = dyn([c.value]);
      checks.push({ kind: 'eq', pattern: i, at: readyAt(i, [c.value]), dynamic, field: idx, value: c.value });
      if (idx >= 0 && readyBefore(i, [c.value])) narrowings[i]!.push({ field: idx, dynamic, from: { kind: 'expr', expr: c.value } });
      // `seqNo == pp.seqNo` where pp is a later pattern's binder: once this
      // pattern is matched, that one is narrowed to records with the same
      // field (a pinned Prepare finds its PrePrepare without scanning them all).
      if (idx >= 0 && c.value.kind === 'field' && c.value.target.kind === 'name') {
        const fieldName = c.value.field.name;
        const s = program.resolution.get(c.value.target.id);
        const target = s?.k === 'bound' ? binderAt.get(s.declId) : undefined;
        const tp = target === undefined ? undefined : patterns[target];
        const tRec = tp === undefined ? undefined : program.records.get(tp.recordType.name);
        const tIdx = tRec?.fields.findIndex((f) => f.name === fieldName) ?? -1;
        const tMulti = tp?.constraints.some((x) => x.kind === 'multivalent' && x.field.name === fieldName) ?? true;
        if (target !== undefined && target !== i && tp?.binder !== undefined && s?.k === 'bound' && s.declId === tp.binder.id && tIdx >= 0 && !tMulti) {
          narrowings[target]!.push({ field: tIdx, dynamic: false, from: { kind: 'matched', pattern: i, field: idx } });
        }
      }
      // `m == req` where req is a later pattern's binder: that pattern's record is this field.
      if (idx >= 0 && c.value.kind === 'name') {
        const s = program.resolution.get(c.value.id);
        const target = s?.k === 'bound' ? binderAt.get(s.declId) : undefined;
        const tp = target === undefined ? undefined : patterns[target];
        if (target !== undefined && tp !== undefined && tp.binder !== undefined && s?.k === 'bound' && s.declId === tp.binder.id
          && tp.issuer.kind !== 'quorum' && position.get(target)! > position.get(i)! && referencedBy[target] === undefined) {
          referencedBy[target] = { pattern: i, field: idx };
        }
      }
    }
    if (iss.kind === 'quorum') {
      // The threshold is checked last for this pattern: everything it reads must be bound.
      const exprs = [iss.set, iss.threshold, ...vaExprs];
      checks.push({ kind: 'quorum', pattern: i, at: readyAt(i, exprs), dynamic: dyn(exprs), issuer: iss, verifier: p.verifier, auditor: p.auditor });
    }
  });
  const checksAt: CheckPlan[][] = order.map(() => []);
  // Checks keep their written order within a position.
  for (const ch of checks) checksAt[ch.at]!.push(ch);
  return { patterns, order, checksAt, narrowings, referencedBy, multivalent };
}

/** The conjuncts of `a AND b AND ...`, in written order. */
export function flattenAnd(e: A.Expr): A.Expr[] {
  if (e.kind === 'binary' && e.op === 'AND') return [...flattenAnd(e.left), ...flattenAnd(e.right)];
  return [e];
}

/** The expressions a pattern reads: its issuer's, its verifier's and auditor's, its constraints' values. */
export function patternExprs(p: A.Pattern): A.Expr[] {
  const out: A.Expr[] = [];
  if (p.issuer.kind === 'principal') out.push(p.issuer.expr);
  else if (p.issuer.kind === 'single') out.push(p.issuer.set);
  else out.push(p.issuer.set, p.issuer.threshold);
  if (p.verifier.kind === 'expr') out.push(p.verifier.expr);
  if (p.auditor.kind === 'expr') out.push(p.auditor.expr);
  for (const c of p.constraints) if (c.kind === 'eq') out.push(c.value);
  return out;
}

/** Expression facts over a checked program, cached by expression id. */
export class ProgramFacts implements ExprFacts {
  private readonly dynamicCache = new Map<number, boolean>();
  private readonly boundIdsCache = new Map<number, number[]>();

  constructor(private readonly program: CheckedProgram) {}

  /** Whether an expression reads role variables or KNOWN (its value can change while bindings stay). */
  isDynamic(e: A.Expr): boolean {
    const cached = this.dynamicCache.get(e.id);
    if (cached !== undefined) return cached;
    let dyn = false;
    if (e.kind === 'known') dyn = true;
    else if (e.kind === 'name' && this.program.resolution.get(e.id)?.k === 'roleVar') dyn = true;
    else dyn = children(e).some((x) => this.isDynamic(x));
    this.dynamicCache.set(e.id, dyn);
    return dyn;
  }

  /** The ids of the binders an expression reads (a nested KNOWN: conservatively, all of its names). */
  boundIdsIn(e: A.Expr): readonly number[] {
    const cached = this.boundIdsCache.get(e.id);
    if (cached !== undefined) return cached;
    const ids: number[] = [];
    const walk = (x: A.Expr): void => {
      if (x.kind === 'name') {
        const s = this.program.resolution.get(x.id);
        if (s?.k === 'bound') ids.push(s.declId);
      }
      if (x.kind === 'known') {
        const p = x.pattern;
        const inner: A.Expr[] = [];
        if (p.issuer.kind === 'principal') inner.push(p.issuer.expr);
        else inner.push(p.issuer.set);
        for (const c of p.constraints) if (c.kind === 'eq') inner.push(c.value);
        if (p.verifier.kind === 'expr') inner.push(p.verifier.expr);
        if (p.auditor.kind === 'expr') inner.push(p.auditor.expr);
        inner.forEach(walk);
      }
      children(x).forEach(walk);
    };
    walk(e);
    this.boundIdsCache.set(e.id, ids);
    return ids;
  }
}
