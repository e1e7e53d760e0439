// Statement patterns over a node's known statements: the join of a trigger's
// patterns (binders are simultaneous), quorums as issuer merging, KNOWN and
// UNLESS as existential matches. Shared by the model checker, the runtime and
// trace replay: one matcher.
//
// Two additions serve long runs without changing what matches: a world may
// offer indexes (statements by field value, by record), which narrow the
// candidates of a pattern whose constraint value is already known; and a
// search may pin patterns to given statements and skip the checks that read
// role variables or KNOWN ("dynamic" checks), which is how the runtime matches
// only what a newly known statement can add (see semantics/node.ts).

import type { CheckedProgram } from '../analysis/program.js';
import type * as A from '../syntax/ast.js';
import { children } from '../analysis/checker.js';
import type { EvalEnv, Evaluator } from './eval.js';
import type { Statement } from './state.js';
import { isSet, keyOf, makeRecord, makeSet, type RecordValue, type Value } from './value.js';

/** What one pattern matched: the statement (or a quorum's representative) and its identity. */
export interface PatternMatch {
  readonly record: RecordValue;
  /** The record with multivalent fields masked as `_`: the fire-once identity. */
  readonly identity: RecordValue;
  /** The single issuer, for principal and `c C == 1` issuers. */
  readonly issuer?: string;
  /** A quorum's issuers known at matching time. */
  readonly issuers?: readonly string[];
  /** What the pattern matched, as a pin that finds it again. */
  readonly pin: Pin;
}

/**
 * Restricts one pattern to one candidate: a statement, or for a quorum
 * pattern the group of statements with one identity.
 */
export type Pin =
  | { readonly kind: 'stmt'; readonly stmt: Statement }
  | { readonly kind: 'group'; readonly type: string; readonly identityKey: string };

interface Check {
  /** Position (in the search order) of the last pattern whose binders it needs. */
  readonly at: number;
  /** Reads role variables or KNOWN: its truth may change while the matched statements stay. */
  readonly dynamic: boolean;
  run(env: EvalEnv, matched: readonly (Candidate | undefined)[], issuers: (readonly string[] | undefined)[]): boolean;
}

/** A constraint `field == value` whose value is known before the pattern is matched. */
interface Narrowing {
  readonly field: number;
  readonly dynamic: boolean;
  value(env: EvalEnv, matched: readonly (Candidate | undefined)[]): Value | undefined;
}

interface Candidate {
  readonly record: RecordValue;
  readonly identity: RecordValue;
  readonly stmt?: Statement;
  /** For quorums: every known statement of the group. */
  readonly group?: readonly Statement[];
}

export interface CompiledPatterns {
  readonly patterns: readonly A.Pattern[];
  /** Pattern indices in the order they are matched. */
  readonly order: readonly number[];
  /** Checks by search position. */
  readonly checksAt: readonly (readonly Check[])[];
  readonly narrowings: readonly (readonly Narrowing[])[];
  /** Per pattern: an earlier pattern's field that must equal this pattern's record (`m == req`). */
  readonly referencedBy: readonly ({ readonly pattern: number; readonly field: number } | undefined)[];
  readonly multivalent: readonly (readonly number[])[];
}

/** Everything a matcher needs from the world: the statements a node knows. */
export interface MatchWorld {
  readonly everyone: readonly string[];
  knownOfType(type: string): readonly Statement[];
  /** Known statements of `type` whose field `field` has the value with key `valueKey` (an index; optional). */
  knownWithField?(type: string, field: number, valueKey: string): readonly Statement[];
  /** Known statements whose record has key `recordKey` (an index; optional). */
  knownWithRecord?(type: string, recordKey: string): readonly Statement[];
}

export interface MatchOptions {
  /** Per pattern index, the one candidate it may take. */
  readonly pins?: readonly (Pin | undefined)[];
  /** Skip dynamic checks (and dynamic narrowing): matches that hold for some values of the role variables. */
  readonly staticOnly?: boolean;
  /** Match this pattern first (its pin narrows the rest). */
  readonly first?: number;
}

export class Matcher {
  private readonly compiled = new Map<readonly A.Pattern[], Map<number, CompiledPatterns>>();

  constructor(
    private readonly program: CheckedProgram,
    private readonly ev: Evaluator,
    /** Every principal: what `*` stands for. */
    private readonly everyone: readonly string[],
  ) {}

  /**
   * Every binding of the patterns over the world, each as the list of what
   * each pattern matched; binders are set in `env.bound` when `onMatch` runs.
   * `onMatch` returns false to stop the search.
   */
  forEachMatch(patterns: readonly A.Pattern[], env: EvalEnv, world: MatchWorld, onMatch: (m: readonly PatternMatch[]) => boolean, opts: MatchOptions = {}): void {
    const c = this.compile(patterns, opts.first ?? 0);
    const n = patterns.length;
    const matched: (Candidate | undefined)[] = new Array<Candidate | undefined>(n).fill(undefined);
    const issuers: (readonly string[] | undefined)[] = new Array<readonly string[] | undefined>(n).fill(undefined);
    const boundIds: number[] = [];
    const staticOnly = opts.staticOnly === true;
    let stop = false;
    const recur = (k: number): void => {
      if (stop) return;
      if (k === n) {
        const out: PatternMatch[] = matched.map((cand, j) => {
          const q = issuers[j];
          const pin: Pin = cand!.stmt !== undefined && patterns[j]!.issuer.kind !== 'quorum'
            ? { kind: 'stmt', stmt: cand!.stmt }
            : { kind: 'group', type: patterns[j]!.recordType.name, identityKey: cand!.identity.key };
          return {
            record: cand!.record,
            identity: cand!.identity,
            ...(cand!.stmt !== undefined ? { issuer: cand!.stmt.issuer } : {}),
            ...(q !== undefined ? { issuers: q } : {}),
            pin,
          };
        });
        if (!onMatch(out)) stop = true;
        return;
      }
      const i = c.order[k]!;
      const p = patterns[i]!;
      for (const cand of this.candidates(p, i, c, env, world, matched, opts.pins?.[i], staticOnly)) {
        matched[i] = cand;
        this.bindCandidate(p, cand, env, boundIds);
        let ok = true;
        for (const check of c.checksAt[k]!) {
          if (staticOnly && check.dynamic) continue;
          if (!check.run(env, matched, issuers)) {
            ok = false;
            break;
          }
        }
        if (ok) recur(k + 1);
        if (stop) break;
      }
      matched[i] = undefined;
    };
    recur(0);
    for (const id of boundIds) env.bound.delete(id);
  }

  private readonly singletons = new Map<A.Pattern, readonly A.Pattern[]>();

  /** Whether one pattern matches (KNOWN, UNLESS); its binders stay local. */
  existsOne(p: A.Pattern, env: EvalEnv, world: MatchWorld): boolean {
    // One array per pattern, so the compiled form is cached once, not per call.
    let list = this.singletons.get(p);
    if (list === undefined) {
      list = [p];
      this.singletons.set(p, list);
    }
    return this.exists(list, env, world);
  }

  /** Whether any binding exists; binders stay local. */
  exists(patterns: readonly A.Pattern[], env: EvalEnv, world: MatchWorld): boolean {
    let found = false;
    const inner: EvalEnv = { ...env, bound: new Map(env.bound) };
    this.forEachMatch(patterns, inner, world, () => {
      found = true;
      return false;
    });
    return found;
  }

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
  private readonly dynamicCache = new Map<number, boolean>();

  private bindCandidate(p: A.Pattern, cand: Candidate, env: EvalEnv, boundIds: number[]): void {
    if (p.binder !== undefined) {
      env.bound.set(p.binder.id, cand.record);
      boundIds.push(p.binder.id);
    }
    if (p.issuer.kind === 'single' && cand.stmt !== undefined) {
      env.bound.set(p.issuer.binder.id, cand.stmt.issuer);
      boundIds.push(p.issuer.binder.id);
    }
    if (p.issuer.kind === 'quorum' && p.issuer.binder !== undefined) boundIds.push(p.issuer.binder.id);
  }

  /** The statements pattern `i` may take, narrowed by pins and indexes where the world has them. */
  private statementsFor(p: A.Pattern, i: number, c: CompiledPatterns, env: EvalEnv, world: MatchWorld, matched: readonly (Candidate | undefined)[], pin: Pin | undefined, staticOnly: boolean): readonly Statement[] {
    const type = p.recordType.name;
    if (pin !== undefined) {
      if (pin.kind === 'stmt') return pin.stmt.record.type === type ? [pin.stmt] : [];
      const mv = c.multivalent[i]!;
      if (mv.length === 0 && world.knownWithRecord !== undefined) return world.knownWithRecord(type, pin.identityKey);
      return world.knownOfType(type).filter((s) => masked(s.record, mv).key === pin.identityKey);
    }
    const ref = c.referencedBy[i];
    if (ref !== undefined && world.knownWithRecord !== undefined) {
      const v = matched[ref.pattern]?.record.fields[ref.field];
      if (v !== undefined && typeof v === 'object') return world.knownWithRecord(type, v.key);
    }
    if (world.knownWithField !== undefined) {
      for (const nw of c.narrowings[i]!) {
        if (staticOnly && nw.dynamic) continue;
        const v = nw.value(env, matched);
        if (v !== undefined) return world.knownWithField(type, nw.field, keyOf(v));
      }
    }
    return world.knownOfType(type);
  }

  private candidates(p: A.Pattern, i: number, c: CompiledPatterns, env: EvalEnv, world: MatchWorld, matched: readonly (Candidate | undefined)[], pin: Pin | undefined, staticOnly: boolean): Candidate[] {
    const stmts = this.statementsFor(p, i, c, env, world, matched, pin, staticOnly);
    if (p.issuer.kind !== 'quorum') {
      return stmts.map((s) => ({ record: s.record, identity: s.record, stmt: s }));
    }
    const groups = new Map<string, { identity: RecordValue; group: Statement[] }>();
    for (const s of stmts) {
      const identity = masked(s.record, c.multivalent[i]!);
      const g = groups.get(identity.key);
      if (g === undefined) groups.set(identity.key, { identity, group: [s] });
      else g.group.push(s);
    }
    // A quorum's binder is its identity: the record with multivalent fields
    // masked, since those fields have no single value (MOM413 forbids reading them).
    return [...groups.values()].map(({ identity, group }) => ({ record: identity, identity, group }));
  }

  /** The issuers of a quorum candidate that satisfy the pattern, as known now. */
  private quorumIssuers(p: A.Pattern, cand: Candidate, env: EvalEnv): string[] | undefined {
    if (p.issuer.kind !== 'quorum') return undefined;
    const set = this.ev.eval(p.issuer.set, env);
    const allowed = isSet(set) ? new Set(set.elems.map(String)) : new Set<string>();
    const issuers = new Set<string>();
    for (const s of cand.group ?? []) {
      if (!allowed.has(s.issuer)) continue;
      if (!this.principalsOk(p.verifier, s.verifiers, env)) continue;
      if (!this.principalsOk(p.auditor, s.auditors, env)) continue;
      issuers.add(s.issuer);
    }
    return [...issuers].sort();
  }

  private principalsOk(pp: A.PrincipalsPattern, actual: readonly string[], env: EvalEnv): boolean {
    switch (pp.kind) {
      case 'noone':
      case 'none':
        return true;
      case 'everyone':
        return this.everyone.every((p) => actual.includes(p));
      case 'expr': {
        const v = this.ev.eval(pp.expr, env);
        if (typeof v === 'string') return actual.includes(v);
        if (isSet(v)) return v.elems.every((x) => typeof x === 'string' && actual.includes(x));
        return false;
      }
    }
  }

  /** Compiles the patterns for a search that starts with pattern `first` (then the rest in written order). */
  compile(patterns: readonly A.Pattern[], first = 0): CompiledPatterns {
    let byFirst = this.compiled.get(patterns);
    if (byFirst === undefined) {
      byFirst = new Map();
      this.compiled.set(patterns, byFirst);
    }
    const known = byFirst.get(first);
    if (known !== undefined) return known;
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
        for (const id of this.boundIdsIn(e)) {
          const b = binderAt.get(id);
          if (b !== undefined) at = Math.max(at, position.get(b)!);
        }
      }
      return at;
    };
    /** Whether the expressions read only binders matched strictly before pattern `own`. */
    const readyBefore = (own: number, exprs: readonly A.Expr[]): boolean => {
      const k = position.get(own)!;
      return exprs.every((e) => this.boundIdsIn(e).every((id) => {
        const b = binderAt.get(id);
        return b === undefined || position.get(b)! < k;
      }));
    };
    const checks: Check[] = [];
    const multivalent: number[][] = [];
    const narrowings: Narrowing[][] = patterns.map(() => []);
    const referencedBy: ({ pattern: number; field: number } | undefined)[] = patterns.map(() => undefined);
    patterns.forEach((p, i) => {
      const rec = this.program.records.get(p.recordType.name);
      const fieldIdx = (name: string): number => rec?.fields.findIndex((f) => f.name === name) ?? -1;
      multivalent.push(p.constraints.filter((c) => c.kind === 'multivalent').map((c) => fieldIdx(c.field.name)));
      const iss = p.issuer;
      const dyn = (exprs: readonly A.Expr[]): boolean => exprs.some((e) => this.isDynamic(e));
      if (iss.kind === 'principal') {
        checks.push({ at: readyAt(i, [iss.expr]), dynamic: dyn([iss.expr]), run: (env, m) => m[i]!.stmt!.issuer === this.ev.eval(iss.expr, env) });
      } else if (iss.kind === 'single') {
        checks.push({
          at: readyAt(i, [iss.set]),
          dynamic: dyn([iss.set]),
          run: (env, m) => {
            const s = this.ev.eval(iss.set, env);
            return isSet(s) && s.elems.includes(m[i]!.stmt!.issuer);
          },
        });
      }
      if (iss.kind !== 'quorum') {
        const vExprs = p.verifier.kind === 'expr' ? [p.verifier.expr] : [];
        const aExprs = p.auditor.kind === 'expr' ? [p.auditor.expr] : [];
        checks.push({
          at: readyAt(i, [...vExprs, ...aExprs]),
          dynamic: dyn([...vExprs, ...aExprs]),
          run: (env, m) => this.principalsOk(p.verifier, m[i]!.stmt!.verifiers, env) && this.principalsOk(p.auditor, m[i]!.stmt!.auditors, env),
        });
      }
      for (const c of p.constraints) {
        if (c.kind !== 'eq') continue;
        const idx = fieldIdx(c.field.name);
        const dynamic = dyn([c.value]);
        checks.push({
          at: readyAt(i, [c.value]),
          dynamic,
          run: (env, m) => {
            const f = m[i]!.record.fields[idx];
            const v = this.ev.eval(c.value, env);
            return f !== undefined && (f === v || (typeof f === 'object' && typeof v === 'object' && f.key === v.key));
          },
        });
        if (idx >= 0 && readyBefore(i, [c.value])) {
          narrowings[i]!.push({ field: idx, dynamic, value: (env) => this.ev.eval(c.value, env) });
        }
        // `seqNo == pp.seqNo` where pp is a later pattern's binder: once this
        // pattern is matched, that one is narrowed to records with the same
        // field (a pinned Prepare finds its PrePrepare without scanning them all).
        if (idx >= 0 && c.value.kind === 'field' && c.value.target.kind === 'name') {
          const s = this.program.resolution.get(c.value.target.id);
          const target = s?.k === 'bound' ? binderAt.get(s.declId) : undefined;
          const tp = target === undefined ? undefined : patterns[target];
          const tRec = tp === undefined ? undefined : this.program.records.get(tp.recordType.name);
          const tIdx = tRec?.fields.findIndex((f) => f.name === (c.value as A.Expr & { kind: 'field' }).field.name) ?? -1;
          const tMulti = tp?.constraints.some((x) => x.kind === 'multivalent' && x.field.name === (c.value as A.Expr & { kind: 'field' }).field.name) ?? true;
          if (target !== undefined && target !== i && tp?.binder !== undefined && s?.k === 'bound' && s.declId === tp.binder.id && tIdx >= 0 && !tMulti) {
            narrowings[target]!.push({ field: tIdx, dynamic: false, value: (_env, matched) => matched[i]?.record.fields[idx] });
          }
        }
        // `m == req` where req is a later pattern's binder: that pattern's record is this field.
        if (idx >= 0 && c.value.kind === 'name') {
          const s = this.program.resolution.get(c.value.id);
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
        const exprs = [iss.set, iss.threshold, ...(p.verifier.kind === 'expr' ? [p.verifier.expr] : []), ...(p.auditor.kind === 'expr' ? [p.auditor.expr] : [])];
        checks.push({
          at: readyAt(i, exprs),
          dynamic: dyn(exprs),
          run: (env, m, out) => {
            const found = this.quorumIssuers(p, m[i]!, env) ?? [];
            out[i] = found;
            const k = this.ev.eval(iss.threshold, env);
            if (iss.binder !== undefined) env.bound.set(iss.binder.id, makeSet(found));
            return typeof k === 'number' && found.length >= k;
          },
        });
      }
    });
    const checksAt: Check[][] = order.map(() => []);
    // Checks keep their written order within a position, as before.
    for (const ch of checks) checksAt[ch.at]!.push(ch);
    const result: CompiledPatterns = { patterns, order, checksAt, narrowings, referencedBy, multivalent };
    byFirst.set(first, result);
    return result;
  }

  private boundIdsCache = new Map<number, number[]>();
  private boundIdsIn(e: A.Expr): number[] {
    const cached = this.boundIdsCache.get(e.id);
    if (cached !== undefined) return cached;
    const ids: number[] = [];
    const walk = (x: A.Expr): void => {
      if (x.kind === 'name') {
        const s = this.program.resolution.get(x.id);
        if (s?.k === 'bound') ids.push(s.declId);
      }
      if (x.kind === 'known') {
        // A nested KNOWN may read any outer binder: conservatively, all of its names.
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

export function masked(r: RecordValue, multivalent: readonly number[]): RecordValue {
  if (multivalent.length === 0) return r;
  return makeRecord(r.type, r.fields.map((f, i) => (multivalent.includes(i) ? '_' : f) as Value));
}
