// Statement patterns over a node's known statements: the join of a trigger's
// patterns (binders are simultaneous), quorums as issuer merging, KNOWN and
// UNLESS as existential matches. Shared by the model checker and the runtime.

import type { CheckedProgram } from '../analysis/program.js';
import type * as A from '../syntax/ast.js';
import { children } from '../analysis/checker.js';
import type { EvalEnv, Evaluator } from './eval.js';
import type { Statement } from './state.js';
import { isSet, makeRecord, makeSet, type RecordValue, type Value } from './value.js';

/** What one pattern matched: the statement (or a quorum's representative) and its identity. */
export interface PatternMatch {
  readonly record: RecordValue;
  /** The record with multivalent fields masked as `_`: the fire-once identity. */
  readonly identity: RecordValue;
  /** The single issuer, for principal and `c C == 1` issuers. */
  readonly issuer?: string;
  /** A quorum's issuers known at matching time. */
  readonly issuers?: readonly string[];
}

interface Check {
  /** Index of the last pattern whose binders it needs. */
  readonly at: number;
  run(env: EvalEnv, matched: readonly (Candidate | undefined)[], issuers: (readonly string[] | undefined)[]): boolean;
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
  readonly checks: readonly Check[];
  readonly multivalent: readonly (readonly number[])[];
}

/** Everything a matcher needs from the world: the statements a node knows. */
export interface MatchWorld {
  readonly everyone: readonly string[];
  knownOfType(type: string): readonly Statement[];
}

export class Matcher {
  private readonly compiled = new Map<readonly A.Pattern[], CompiledPatterns>();

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
  forEachMatch(patterns: readonly A.Pattern[], env: EvalEnv, world: MatchWorld, onMatch: (m: readonly PatternMatch[]) => boolean): void {
    const c = this.compile(patterns);
    const matched: (Candidate | undefined)[] = new Array<Candidate | undefined>(patterns.length).fill(undefined);
    const issuers: (readonly string[] | undefined)[] = new Array<readonly string[] | undefined>(patterns.length).fill(undefined);
    const boundIds: number[] = [];
    let stop = false;
    const recur = (i: number): void => {
      if (stop) return;
      if (i === patterns.length) {
        const out: PatternMatch[] = matched.map((cand, j) => {
          const q = issuers[j];
          return {
            record: cand!.record,
            identity: cand!.identity,
            ...(cand!.stmt !== undefined ? { issuer: cand!.stmt.issuer } : {}),
            ...(q !== undefined ? { issuers: q } : {}),
          };
        });
        if (!onMatch(out)) stop = true;
        return;
      }
      const p = patterns[i]!;
      for (const cand of this.candidates(p, c.multivalent[i]!, world)) {
        matched[i] = cand;
        this.bindCandidate(p, cand, env, boundIds);
        let ok = true;
        for (const check of c.checks) {
          if (check.at === i && !check.run(env, matched, issuers)) {
            ok = false;
            break;
          }
        }
        if (ok) recur(i + 1);
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

  private candidates(p: A.Pattern, multivalent: readonly number[], world: MatchWorld): Candidate[] {
    const stmts = world.knownOfType(p.recordType.name);
    if (p.issuer.kind !== 'quorum') {
      return stmts.map((s) => ({ record: s.record, identity: s.record, stmt: s }));
    }
    const groups = new Map<string, { identity: RecordValue; group: Statement[] }>();
    for (const s of stmts) {
      const identity = masked(s.record, multivalent);
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

  compile(patterns: readonly A.Pattern[]): CompiledPatterns {
    const known = this.compiled.get(patterns);
    if (known !== undefined) return known;
    // Which pattern binds each binder id.
    const binderAt = new Map<number, number>();
    patterns.forEach((p, i) => {
      if (p.binder !== undefined) binderAt.set(p.binder.id, i);
      if (p.issuer.kind === 'single') binderAt.set(p.issuer.binder.id, i);
      if (p.issuer.kind === 'quorum' && p.issuer.binder !== undefined) binderAt.set(p.issuer.binder.id, i);
    });
    const readyAt = (own: number, exprs: readonly A.Expr[]): number => {
      let at = own;
      for (const e of exprs) for (const id of this.boundIdsIn(e)) at = Math.max(at, binderAt.get(id) ?? 0);
      return at;
    };
    const checks: Check[] = [];
    const multivalent: number[][] = [];
    patterns.forEach((p, i) => {
      const rec = this.program.records.get(p.recordType.name);
      const fieldIdx = (name: string): number => rec?.fields.findIndex((f) => f.name === name) ?? -1;
      multivalent.push(p.constraints.filter((c) => c.kind === 'multivalent').map((c) => fieldIdx(c.field.name)));
      const iss = p.issuer;
      if (iss.kind === 'principal') {
        checks.push({ at: readyAt(i, [iss.expr]), run: (env, m) => m[i]!.stmt!.issuer === this.ev.eval(iss.expr, env) });
      } else if (iss.kind === 'single') {
        checks.push({
          at: readyAt(i, [iss.set]),
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
          run: (env, m) => this.principalsOk(p.verifier, m[i]!.stmt!.verifiers, env) && this.principalsOk(p.auditor, m[i]!.stmt!.auditors, env),
        });
      }
      for (const c of p.constraints) {
        if (c.kind !== 'eq') continue;
        const idx = fieldIdx(c.field.name);
        checks.push({
          at: readyAt(i, [c.value]),
          run: (env, m) => {
            const f = m[i]!.record.fields[idx];
            const v = this.ev.eval(c.value, env);
            return f !== undefined && (f === v || (typeof f === 'object' && typeof v === 'object' && f.key === v.key));
          },
        });
      }
      if (iss.kind === 'quorum') {
        // The threshold is checked last for this pattern: everything it reads must be bound.
        const exprs = [iss.set, iss.threshold, ...(p.verifier.kind === 'expr' ? [p.verifier.expr] : []), ...(p.auditor.kind === 'expr' ? [p.auditor.expr] : [])];
        checks.push({
          at: readyAt(i, exprs),
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
    const result = { patterns, checks, multivalent };
    this.compiled.set(patterns, result);
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

function masked(r: RecordValue, multivalent: readonly number[]): RecordValue {
  if (multivalent.length === 0) return r;
  return makeRecord(r.type, r.fields.map((f, i) => (multivalent.includes(i) ? '_' : f) as Value));
}
