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
import type { EvalEnv, Evaluator } from './eval.js';
import { planPatterns, ProgramFacts, type CheckPlan, type NarrowPlan } from './pattern-plan.js';
import type { Statement } from './state.js';
import { isSet, makeRecord, makeSet, makeStatement, type RecordValue, type SetValue, type StatementValue, type Value } from './value.js';

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

/** A statement (or a quorum's group of statements with one identity) a pattern may take. */
export interface Candidate {
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
  /** Known statements of `type` whose field `field` equals `value` (an index; optional). */
  knownWithValue?(type: string, field: number, value: Value): readonly Statement[];
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
  readonly facts: ProgramFacts;

  constructor(
    private readonly program: CheckedProgram,
    private readonly ev: Evaluator,
    /** Every principal: what `*` stands for. */
    private readonly everyone: readonly string[],
  ) {
    this.facts = new ProgramFacts(program);
  }

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
    searchJoin(c, patterns, staticOnly, matched, issuers, {
      candidates: (i) => this.candidates(patterns[i]!, i, c, env, world, matched, opts.pins?.[i], staticOnly),
      bind: (i, cand) => this.bindCandidate(patterns[i]!, cand, env, boundIds),
      run: (check) => check.run(env, matched, issuers),
    }, (out) => {
      this.bindStatements(patterns, matched, env, world, boundIds);
      return onMatch(out);
    });
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

  /** `STATEMENTS p` (issue 25): every known statement matching `p` under the current binding; binders stay local. */
  statementsOf(p: A.Pattern, env: EvalEnv, world: MatchWorld): SetValue {
    let list = this.singletons.get(p);
    if (list === undefined) {
      list = [p];
      this.singletons.set(p, list);
    }
    return makeSet(collectStatements((onMatch) => this.forEachMatch(list, { ...env, bound: new Map(env.bound) }, world, onMatch)));
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
    return this.facts.isDynamic(e);
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

  /** `AS s` (issue 25): binds each such pattern's matching known statements (see `matchingStatements`). */
  private bindStatements(patterns: readonly A.Pattern[], matched: readonly (Candidate | undefined)[], env: EvalEnv, world: MatchWorld, boundIds: number[]): void {
    patterns.forEach((p, j) => {
      if (p.statements === undefined) return;
      const set = p.issuer.kind === 'quorum' ? this.ev.eval(p.issuer.set, env) : undefined;
      const fits = (s: Statement): boolean => this.principalsOk(p.verifier, s.verifiers, env) && this.principalsOk(p.auditor, s.auditors, env);
      env.bound.set(p.statements.id, matchingStatements(p, matched[j]!, world, (i) => set !== undefined && isSet(set) && set.elems.includes(i), fits));
      boundIds.push(p.statements.id);
    });
  }

  private candidates(p: A.Pattern, i: number, c: CompiledPatterns, env: EvalEnv, world: MatchWorld, matched: readonly (Candidate | undefined)[], pin: Pin | undefined, staticOnly: boolean): Candidate[] {
    const stmts = narrowedStatements(p, i, c, world, matched, pin, staticOnly, (nw) => nw.value(env, matched));
    return candidatesOf(p, stmts, c.multivalent[i]!);
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
    const plan = planPatterns(this.program, this.facts, patterns, first);
    const result: CompiledPatterns = {
      ...plan,
      checksAt: plan.checksAt.map((at) => at.map((ch) => ({ at: ch.at, dynamic: ch.dynamic, run: this.checkOf(ch, patterns[ch.pattern]!) }))),
      narrowings: plan.narrowings.map((ns) => ns.map((nw) => ({ field: nw.field, dynamic: nw.dynamic, value: this.narrowingValue(nw) }))),
    };
    byFirst.set(first, result);
    return result;
  }

  private narrowingValue(nw: NarrowPlan): Narrowing['value'] {
    const from = nw.from;
    if (from.kind === 'expr') return (env) => this.ev.eval(from.expr, env);
    return (_env, matched) => matched[from.pattern]?.record.fields[from.field];
  }

  private checkOf(ch: CheckPlan, p: A.Pattern): Check['run'] {
    const i = ch.pattern;
    switch (ch.kind) {
      case 'issuer':
        return (env, m) => m[i]!.stmt!.issuer === this.ev.eval(ch.expr, env);
      case 'single':
        return (env, m) => {
          const s = this.ev.eval(ch.set, env);
          return isSet(s) && s.elems.includes(m[i]!.stmt!.issuer);
        };
      case 'principals':
        return (env, m) => this.principalsOk(ch.verifier, m[i]!.stmt!.verifiers, env) && this.principalsOk(ch.auditor, m[i]!.stmt!.auditors, env);
      case 'eq':
        return (env, m) => {
          const f = m[i]!.record.fields[ch.field];
          const v = this.ev.eval(ch.value, env);
          return f !== undefined && (f === v || (typeof f === 'object' && typeof v === 'object' && f.key === v.key));
        };
      case 'quorum':
        return (env, m, out) => {
          const found = this.quorumIssuers(p, m[i]!, env) ?? [];
          out[i] = found;
          const k = this.ev.eval(ch.issuer.threshold, env);
          if (ch.issuer.binder !== undefined) env.bound.set(ch.issuer.binder.id, makeSet(found));
          return typeof k === 'number' && found.length >= k;
        };
    }
  }
}

/** How one engine takes part in the search: its candidates, how it binds one, how it runs a check. */
export interface JoinSteps<C> {
  candidates(i: number): readonly Candidate[];
  bind(i: number, cand: Candidate): void;
  run(check: C): boolean;
}

/**
 * The depth-first join both engines run: patterns in the plan's order, each
 * candidate bound then checked by the checks of its position (dynamic ones
 * skipped when `staticOnly`); `onMatch` returns false to stop.
 */
export function searchJoin<C extends { readonly dynamic: boolean }>(
  plan: { readonly order: readonly number[]; readonly checksAt: readonly (readonly C[])[] },
  patterns: readonly A.Pattern[], staticOnly: boolean, matched: (Candidate | undefined)[], issuers: (readonly string[] | undefined)[],
  steps: JoinSteps<C>, onMatch: (m: readonly PatternMatch[]) => boolean,
): void {
  const n = patterns.length;
  let stop = false;
  const recur = (k: number): void => {
    if (stop) return;
    if (k === n) {
      if (!onMatch(patternMatches(patterns, matched, issuers))) stop = true;
      return;
    }
    const i = plan.order[k]!;
    for (const cand of steps.candidates(i)) {
      matched[i] = cand;
      steps.bind(i, cand);
      let ok = true;
      for (const check of plan.checksAt[k]!) {
        if (staticOnly && check.dynamic) continue;
        if (!steps.run(check)) {
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
}

/** What the search needs of a plan to choose a pattern's statements. */
interface Narrowable<N extends { readonly field: number; readonly dynamic: boolean }> {
  readonly multivalent: readonly (readonly number[])[];
  readonly referencedBy: readonly ({ readonly pattern: number; readonly field: number } | undefined)[];
  readonly narrowings: readonly (readonly N[])[];
}

/**
 * The statements pattern `i` may take, narrowed by pins and indexes where the
 * world has them; `value` computes a narrowing's value (the interpreter's or
 * the compiled core's), in plan order, skipping dynamic ones when `staticOnly`.
 */
export function narrowedStatements<N extends { readonly field: number; readonly dynamic: boolean }>(
  p: A.Pattern, i: number, c: Narrowable<N>, world: MatchWorld, matched: readonly (Candidate | undefined)[], pin: Pin | undefined, staticOnly: boolean, value: (nw: N) => Value | undefined,
): readonly Statement[] {
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
  if (world.knownWithValue !== undefined) {
    for (const nw of c.narrowings[i]!) {
      if (staticOnly && nw.dynamic) continue;
      const v = value(nw);
      if (v !== undefined) return world.knownWithValue(type, nw.field, v);
    }
  }
  return world.knownOfType(type);
}

/** The candidates of a pattern among its statements: each statement, or for a quorum each group of one identity. */
export function candidatesOf(p: A.Pattern, stmts: readonly Statement[], multivalent: readonly number[]): Candidate[] {
  if (p.issuer.kind !== 'quorum') {
    return stmts.map((s) => ({ record: s.record, identity: s.record, stmt: s }));
  }
  // The usual case (a quorum pinned to its group, or narrowed to one
  // record): no field masked and every statement of one record, so one
  // group, in the statements' order, found without a map per search.
  if (multivalent.length === 0 && stmts.length > 0) {
    const first = stmts[0]!.record;
    let one = true;
    for (let i = 1; i < stmts.length && one; i++) {
      const r = stmts[i]!.record;
      one = r === first || r.key === first.key;
    }
    if (one) return [{ record: first, identity: first, group: stmts.slice() }];
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

/** What each pattern matched, as the search reports a binding. */
export function patternMatches(patterns: readonly A.Pattern[], matched: readonly (Candidate | undefined)[], issuers: readonly (readonly string[] | undefined)[]): PatternMatch[] {
  return matched.map((cand, j) => {
    const q = issuers[j];
    const pin: Pin = cand!.stmt !== undefined && patterns[j]!.issuer.kind !== 'quorum'
      ? { kind: 'stmt', stmt: cand!.stmt }
      : { kind: 'group', type: patterns[j]!.recordType.name, identityKey: cand!.identity.key };
    // One shape for every match (absent parts undefined): no object spread
    // per match, and V8 sees one kind of object.
    return { record: cand!.record, identity: cand!.identity, issuer: cand!.stmt?.issuer, issuers: q, pin };
  });
}

/**
 * What `AS s` binds for a match of `p` (issue 25): every known statement that
 * matches it as bound, as statement values. For a quorum, the group's
 * statements whose issuer is in the issuer set; otherwise the statements with
 * the matched record and issuer (one record may be known under several
 * verifier and auditor sets); in both, those whose verifiers and auditors
 * satisfy the pattern (`fits`).
 */
export function matchingStatements(p: A.Pattern, cand: Candidate, world: MatchWorld, inIssuerSet: (issuer: string) => boolean, fits: (s: Statement) => boolean): SetValue {
  let stmts: readonly Statement[];
  if (p.issuer.kind === 'quorum') stmts = (cand.group ?? []).filter((s) => inIssuerSet(s.issuer));
  else {
    const issuer = cand.stmt!.issuer;
    stmts = world.knownOfType(p.recordType.name).filter((s) => s.issuer === issuer && s.record.key === cand.record.key);
  }
  return makeSet(stmts.filter(fits).map((s) => makeStatement(s.issuer, s.verifiers, s.auditors, s.record)));
}

/**
 * The statements a search over one non-quorum pattern matches, once each, as
 * statement values: what `STATEMENTS p` is (each match of such a pattern is
 * one known statement; the analysis refuses a quorum there).
 */
export function collectStatements(search: (onMatch: (m: readonly PatternMatch[]) => boolean) => void): StatementValue[] {
  const out = new Map<string, StatementValue>();
  search((m) => {
    const pin = m[0]?.pin;
    if (pin?.kind === 'stmt') out.set(pin.stmt.key, makeStatement(pin.stmt.issuer, pin.stmt.verifiers, pin.stmt.auditors, pin.stmt.record));
    return true;
  });
  return [...out.values()];
}

export function masked(r: RecordValue, multivalent: readonly number[]): RecordValue {
  if (multivalent.length === 0) return r;
  return makeRecord(r.type, r.fields.map((f, i) => (multivalent.includes(i) ? '_' : f) as Value));
}
