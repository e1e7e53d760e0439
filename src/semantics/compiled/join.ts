// A trigger's patterns compiled into a join over a frame: the plan of
// pattern-plan.ts (the interpreter's matcher builds its checks from the same
// plan), with every expression compiled and every binder in a slot. The
// search visits the same candidates in the same order and runs the same
// checks at the same points as Matcher.forEachMatch, so it fires the same
// instances in the same order and evaluates nothing the interpreter would not.

import type { CheckedProgram } from '../../analysis/program.js';
import type * as A from '../../syntax/ast.js';
import type { Evaluator } from '../eval.js';
import { candidatesOf, collectStatements, matchingStatements, narrowedStatements, patternMatches, type Candidate, type MatchOptions, type MatchWorld, type PatternMatch, type Pin } from '../match.js';
import { planPatterns, type CheckPlan, type ExprFacts, type NarrowPlan } from '../pattern-plan.js';
import type { Statement } from '../state.js';
import { isSet, makeSet, type RecordValue, type Value } from '../value.js';
import { ExprCompiler } from './expr.js';
import type { Code, Frame, Slots, Test } from './frame.js';

type Matched = (Candidate | undefined)[];
type Issuers = (readonly string[] | undefined)[];

interface JoinCheck {
  readonly dynamic: boolean;
  run(f: Frame, m: Matched, issuers: Issuers): boolean;
}

interface JoinNarrowing {
  readonly field: number;
  readonly dynamic: boolean;
  value(f: Frame, m: Matched): Value | undefined;
}

export interface CompiledJoin {
  readonly patterns: readonly A.Pattern[];
  readonly order: readonly number[];
  readonly checksAt: readonly (readonly JoinCheck[])[];
  readonly narrowings: readonly (readonly JoinNarrowing[])[];
  readonly referencedBy: readonly ({ readonly pattern: number; readonly field: number } | undefined)[];
  readonly multivalent: readonly (readonly number[])[];
  /** Per pattern: the slots of its binder, its single issuer's binder and its quorum's binder. */
  readonly binderSlot: readonly (number | undefined)[];
  readonly singleSlot: readonly (number | undefined)[];
  readonly quorumSlot: readonly (number | undefined)[];
  /** Every slot a search of the join binds (its binders'), in pattern order: what `exists` keeps for its caller. */
  readonly bindsSlots: readonly number[];
  /** Per pattern with `AS s` (issue 25): its slot and what it binds after a match. */
  readonly statements: readonly ({ readonly slot: number; bind(f: Frame, cand: Candidate, world: MatchWorld): Value } | undefined)[];
  /** A search record of this join not in use (a nested search of the same join, if any, makes its own). */
  spare: Search | undefined;
}

type PrincipalsTest = (f: Frame, actual: readonly string[]) => boolean;

/**
 * One search of a join in progress: what searchJoin's closures hold for the
 * interpreter. A join keeps one it is not using (`spare`) for its next
 * search: a delivered statement starts a few searches, and their records
 * were a good part of what the runtime allocates.
 */
export interface Search {
  readonly j: CompiledJoin;
  f: Frame;
  world: MatchWorld;
  onMatch: (m: readonly PatternMatch[]) => boolean;
  pins: readonly (Pin | undefined)[] | undefined;
  staticOnly: boolean;
  readonly matched: Matched;
  readonly issuers: Issuers;
  /** Slots bound during the search, cleared after it (as the interpreter deletes its binders). */
  readonly touched: number[];
  /** A narrowing's value in this search (one closure per search, not one per position visited). */
  readonly narrow: (nw: JoinNarrowing) => Value | undefined;
  /** Per pattern, the candidate object reused for each statement a non-quorum pattern visits. */
  readonly cands: (MutableCandidate | undefined)[];
  stop: boolean;
}

/** A Candidate whose fields the search overwrites statement by statement. */
interface MutableCandidate {
  record: RecordValue;
  identity: RecordValue;
  stmt: Statement | undefined;
}

export class JoinCompiler {
  readonly exprs: ExprCompiler;

  constructor(
    program: CheckedProgram,
    ev: Evaluator,
    private readonly facts: ExprFacts,
    /** Every principal: what `*` stands for. */
    private readonly everyone: readonly string[],
  ) {
    this.exprs = new ExprCompiler(program, ev, (p, slots, vars) => this.known(p, slots, vars), (p, slots, vars) => this.statements(p, slots, vars));
  }

  private get program(): CheckedProgram {
    return this.exprs.program;
  }

  /** The join of `patterns` searched from pattern `first`, in the unit `slots`. */
  compile(patterns: readonly A.Pattern[], first: number, slots: Slots, vars: ReadonlyMap<string, number> | undefined): CompiledJoin {
    const plan = planPatterns(this.program, this.facts, patterns, first);
    const slot = (id: number | undefined): number | undefined => (id === undefined ? undefined : slots.slotOf(id));
    const binderSlot = patterns.map((p) => slot(p.binder?.id));
    const singleSlot = patterns.map((p) => slot(p.issuer.kind === 'single' ? p.issuer.binder.id : undefined));
    const quorumSlot = patterns.map((p) => slot(p.issuer.kind === 'quorum' ? p.issuer.binder?.id : undefined));
    const statements = patterns.map((p) => {
      if (p.statements === undefined) return undefined;
      const set = p.issuer.kind === 'quorum' ? this.exprs.expr(p.issuer.set, slots, vars) : undefined;
      const v = this.principals(p.verifier, slots, vars);
      const a = this.principals(p.auditor, slots, vars);
      return {
        slot: slots.slotOf(p.statements.id),
        bind: (f: Frame, cand: Candidate, world: MatchWorld): Value => {
          const s = set?.(f);
          return matchingStatements(p, cand, world, (i) => s !== undefined && isSet(s) && s.elems.includes(i), (st) => v(f, st.verifiers) && a(f, st.auditors));
        },
      };
    });
    return {
      statements,
      patterns,
      order: plan.order,
      checksAt: plan.checksAt.map((at) => at.map((ch) => ({ dynamic: ch.dynamic, run: this.check(ch, patterns[ch.pattern]!, slots, vars, quorumSlot[ch.pattern]) }))),
      narrowings: plan.narrowings.map((ns) => ns.map((nw) => ({ field: nw.field, dynamic: nw.dynamic, value: this.narrowing(nw, slots, vars) }))),
      referencedBy: plan.referencedBy,
      multivalent: plan.multivalent,
      binderSlot, singleSlot, quorumSlot,
      bindsSlots: [...binderSlot, ...singleSlot, ...quorumSlot, ...statements.map((st) => st?.slot)].filter((x): x is number => x !== undefined),
      spare: undefined,
    };
  }

  /** `KNOWN p` in the unit `slots`: whether one match exists; the pattern's binders stay local. */
  private known(p: A.Pattern, slots: Slots, vars: ReadonlyMap<string, number> | undefined): Test {
    const join = this.compile([p], 0, slots, vars);
    return (f) => this.exists(join, f, f.world!);
  }

  /** `STATEMENTS p` in the unit `slots`: the statements its matches are; the pattern's binders stay local. */
  private statements(p: A.Pattern, slots: Slots, vars: ReadonlyMap<string, number> | undefined): Code {
    const join = this.compile([p], 0, slots, vars);
    return (f) => {
      const saved = save(join, f);
      try {
        return makeSet(collectStatements((onMatch) => this.forEachMatch(join, f, f.world!, onMatch)));
      } finally {
        restore(join, f, saved);
      }
    };
  }

  /** Whether any binding exists; the binders' slots are as they were afterwards. */
  exists(j: CompiledJoin, f: Frame, world: MatchWorld): boolean {
    const saved = save(j, f);
    try {
      // Stopped at the first match, which is then not built (nothing reads it).
      return this.forEachMatch(j, f, world, firstOnly);
    } finally {
      restore(j, f, saved);
    }
  }

  /**
   * Every binding of the join over the world, as Matcher.forEachMatch finds
   * them; binders are in their slots when `onMatch` runs, and cleared after.
   */
  forEachMatch(j: CompiledJoin, f: Frame, world: MatchWorld, onMatch: (m: readonly PatternMatch[]) => boolean, opts: MatchOptions = {}): boolean {
    let s = j.spare;
    if (s === undefined) s = newSearch(j, f, world, onMatch);
    else {
      j.spare = undefined;
      s.f = f;
      s.world = world;
      s.onMatch = onMatch;
      // As a new record: nothing matched, no issuers found (a quorum check skipped in a static search must report none), not stopped.
      s.matched.fill(undefined);
      s.issuers.fill(undefined);
      s.touched.length = 0;
      s.stop = false;
    }
    s.pins = opts.pins;
    s.staticOnly = opts.staticOnly === true;
    try {
      this.step(s, 0);
      return s.stop;
    } finally {
      for (const x of s.touched) f.slots[x] = undefined;
      // Kept for the next search, holding nothing of this one's.
      s.onMatch = noMatch;
      s.pins = undefined;
      s.world = NO_WORLD;
      s.f = NO_FRAME;
      j.spare = s;
    }
  }

  /**
   * searchJoin (match.ts) for the pattern at search position `k`, without its
   * per-search closures: the same candidates in the same order, bound, then
   * checked by the checks of that position (dynamic ones skipped when
   * staticOnly), then the next position.
   */
  private step(s: Search, k: number): void {
    if (s.stop) return;
    const { j, f, matched } = s;
    if (k === j.patterns.length) {
      for (let i = 0; i < j.statements.length; i++) {
        const st = j.statements[i];
        if (st === undefined) continue;
        f.slots[st.slot] = st.bind(f, matched[i]!, s.world);
        s.touched.push(st.slot);
      }
      if (s.onMatch === firstOnly || !s.onMatch(patternMatches(j.patterns, matched, s.issuers))) s.stop = true;
      return;
    }
    const i = j.order[k]!;
    const p = j.patterns[i]!;
    const stmts = narrowedStatements(p, i, j, s.world, matched, s.pins?.[i], s.staticOnly, s.narrow);
    if (p.issuer.kind === 'quorum') {
      for (const cand of candidatesOf(p, stmts, j.multivalent[i]!)) {
        this.visit(s, k, i, cand);
        if (s.stop) break;
      }
    } else {
      // candidatesOf's candidate for each statement, without one object per
      // statement visited: nothing keeps a candidate past its visit
      // (patternMatches copies what it reports), so one per search position
      // serves them all.
      let cand = s.cands[i];
      if (cand === undefined) {
        cand = { record: undefined as unknown as RecordValue, identity: undefined as unknown as RecordValue, stmt: undefined };
        s.cands[i] = cand;
      }
      // The list may be an index's own: its length now, as candidatesOf's copy was.
      const count = stmts.length;
      for (let x = 0; x < count; x++) {
        const st = stmts[x]!;
        cand.record = st.record;
        cand.identity = st.record;
        cand.stmt = st;
        this.visit(s, k, i, cand);
        if (s.stop) break;
      }
    }
    matched[i] = undefined;
  }

  /** Binds one candidate of the pattern at search position `k`, runs that position's checks, then the next position. */
  private visit(s: Search, k: number, i: number, cand: Candidate): void {
    const f = s.f;
    s.matched[i] = cand;
    bind(s.j, i, cand, f, s.touched);
    const checks = s.j.checksAt[k]!;
    for (const check of checks) {
      if (s.staticOnly && check.dynamic) continue;
      if (!check.run(f, s.matched, s.issuers)) return;
    }
    this.step(s, k + 1);
  }

  private narrowing(nw: NarrowPlan, slots: Slots, vars: ReadonlyMap<string, number> | undefined): JoinNarrowing['value'] {
    const from = nw.from;
    if (from.kind === 'expr') {
      const code = this.exprs.expr(from.expr, slots, vars);
      return (f) => code(f);
    }
    return (_f, m) => m[from.pattern]?.record.fields[from.field];
  }

  private check(ch: CheckPlan, p: A.Pattern, slots: Slots, vars: ReadonlyMap<string, number> | undefined, quorumSlot: number | undefined): JoinCheck['run'] {
    const i = ch.pattern;
    const code = (e: A.Expr): Code => this.exprs.expr(e, slots, vars);
    switch (ch.kind) {
      case 'issuer': {
        const who = code(ch.expr);
        return (f, m) => m[i]!.stmt!.issuer === who(f);
      }
      case 'single': {
        const set = code(ch.set);
        return (f, m) => {
          const s = set(f);
          return isSet(s) && s.elems.includes(m[i]!.stmt!.issuer);
        };
      }
      case 'principals': {
        const v = this.principals(ch.verifier, slots, vars);
        const a = this.principals(ch.auditor, slots, vars);
        return (f, m) => v(f, m[i]!.stmt!.verifiers) && a(f, m[i]!.stmt!.auditors);
      }
      case 'eq': {
        const value = code(ch.value);
        const field = ch.field;
        return (f, m) => {
          const fv = m[i]!.record.fields[field];
          const v = value(f);
          return fv !== undefined && (fv === v || (typeof fv === 'object' && typeof v === 'object' && fv.key === v.key));
        };
      }
      case 'quorum': {
        const set = code(ch.issuer.set);
        const threshold = code(ch.issuer.threshold);
        const v = this.principals(p.verifier, slots, vars);
        const a = this.principals(p.auditor, slots, vars);
        // The issuer set is nearly always closed (`R`), so the same value each
        // time: its members are kept between checks (values are immutable).
        let lastSet: Value | undefined;
        let allowed = new Set<string>();
        // The binder's set, kept while the issuers found stay the same (a quorum is re-checked often).
        let lastIssuers: readonly string[] = [];
        let lastBinder: Value | undefined;
        // The issuers found, ascending and distinct, built in place (a quorum
        // is re-checked at every step that may complete it: no Set and no sort
        // per check); copied only when they differ from the last list.
        const scratch: string[] = [];
        let inUse = false;
        return (f, m, out) => {
          // As Matcher.quorumIssuers: the issuers of the group that satisfy the pattern, as known now.
          const s = set(f);
          if (s !== lastSet) {
            lastSet = s;
            allowed = isSet(s) ? new Set(s.elems.map(String)) : new Set<string>();
          }
          // A principals test that searches (KNOWN) may come back here: then a list of its own.
          // The first `n` entries are this check's (the list is not truncated: setting its length to 0 gave up its storage, and each check grew it again).
          const found = inUse ? [] : scratch;
          let n = 0;
          inUse = true;
          try {
            for (const st of m[i]!.group ?? []) {
              if (!allowed.has(st.issuer)) continue;
              if (!v(f, st.verifiers)) continue;
              if (!a(f, st.auditors)) continue;
              n = insertSorted(found, n, st.issuer);
            }
          } finally {
            if (found === scratch) inUse = false;
          }
          let sorted = lastIssuers;
          if (!sameStrings(found, n, lastIssuers)) {
            sorted = found.slice(0, n);
            lastIssuers = sorted;
            lastBinder = undefined;
          }
          out[i] = sorted;
          const k = threshold(f);
          if (quorumSlot !== undefined) {
            if (lastBinder === undefined) lastBinder = makeSet(sorted);
            f.slots[quorumSlot] = lastBinder;
          }
          return typeof k === 'number' && sorted.length >= k;
        };
      }
    }
  }

  private principals(pp: A.PrincipalsPattern, slots: Slots, vars: ReadonlyMap<string, number> | undefined): PrincipalsTest {
    switch (pp.kind) {
      case 'noone':
      case 'none':
        return () => true;
      case 'everyone': {
        const everyone = this.everyone;
        const sorted = [...new Set(everyone)].sort();
        return (_f, actual) => coversAll(sorted, everyone, actual);
      }
      case 'expr': {
        const code = this.exprs.expr(pp.expr, slots, vars);
        return (f, actual) => {
          const v = code(f);
          if (typeof v === 'string') return actual.includes(v);
          if (isSet(v)) return v.elems.every((x) => typeof x === 'string' && actual.includes(x));
          return false;
        };
      }
    }
  }
}

function newSearch(j: CompiledJoin, f: Frame, world: MatchWorld, onMatch: (m: readonly PatternMatch[]) => boolean): Search {
  const n = j.patterns.length;
  const s: Search = {
    j, f, world, onMatch, pins: undefined, staticOnly: false,
    matched: new Array<Candidate | undefined>(n).fill(undefined),
    narrow: (nw) => nw.value(s.f, s.matched),
    issuers: new Array<readonly string[] | undefined>(n).fill(undefined), touched: [], cands: new Array<MutableCandidate | undefined>(n).fill(undefined), stop: false,
  };
  return s;
}

const noMatch = (): boolean => false;
/** `exists`'s callback: stop at the first match (forEachMatch then reports it without building the match). */
const firstOnly = (): boolean => false;
const NO_FRAME: Frame = { slots: [], vars: undefined, me: undefined, world: undefined, state: undefined };
const NO_WORLD: MatchWorld = { everyone: [], knownOfType: () => [] };

/** Sets the slots a candidate binds, remembering them to clear after the search (as the interpreter deletes them). */
function bind(j: CompiledJoin, i: number, cand: Candidate, f: Frame, touched: number[]): void {
  const b = j.binderSlot[i];
  if (b !== undefined) {
    f.slots[b] = cand.record;
    touched.push(b);
  }
  const s = j.singleSlot[i];
  if (s !== undefined && cand.stmt !== undefined) {
    f.slots[s] = cand.stmt.issuer;
    touched.push(s);
  }
  const q = j.quorumSlot[i];
  if (q !== undefined) touched.push(q);
}

const NOTHING_SAVED: readonly (Value | undefined)[] = [];

/** The values of the slots a search of `j` binds, before a nested search (KNOWN, STATEMENTS, UNLESS) of it. */
function save(j: CompiledJoin, f: Frame): readonly (Value | undefined)[] {
  const n = j.bindsSlots.length;
  if (n === 0) return NOTHING_SAVED;
  const out = new Array<Value | undefined>(n);
  for (let k = 0; k < n; k++) out[k] = f.slots[j.bindsSlots[k]!];
  return out;
}

/** Puts back what `save` kept: the nested search's binders stay local. */
function restore(j: CompiledJoin, f: Frame, saved: readonly (Value | undefined)[]): void {
  const slots = j.bindsSlots;
  for (let k = 0; k < slots.length; k++) f.slots[slots[k]!] = saved[k];
}

/**
 * Adds `x` to the ascending list held in the first `n` entries of `xs`
 * unless it is there (the order of `[...set].sort()`); the new count.
 * Shifted by hand: splice would allocate the (empty) array of what it
 * removed, once per issuer per quorum check.
 */
function insertSorted(xs: string[], n: number, x: string): number {
  let at = n;
  while (at > 0 && xs[at - 1]! > x) at--;
  if (at > 0 && xs[at - 1] === x) return n;
  for (let k = n; k > at; k--) xs[k] = xs[k - 1]!;
  xs[at] = x;
  return n + 1;
}

/** Whether the first `n` entries of `a` are the list `b`. */
function sameStrings(a: readonly string[], n: number, b: readonly string[]): boolean {
  if (n !== b.length) return false;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Whether every principal is in `actual` (a `*` verifier or auditor
 * position), as `everyone.every((p) => actual.includes(p))` decides it, in
 * one walk when `actual` is strictly ascending (as a statement's principal
 * lists are built): `sorted` is `everyone` ascending without duplicates. Any
 * other list is decided by the definition.
 */
export function coversAll(sorted: readonly string[], everyone: readonly string[], actual: readonly string[]): boolean {
  if (actual.length < sorted.length) return false;
  for (let i = 1; i < actual.length; i++) if (!(actual[i - 1]! < actual[i]!)) return everyone.every((p) => actual.includes(p));
  let j = 0;
  for (let i = 0; i < actual.length && j < sorted.length; i++) {
    const a = actual[i]!;
    const e = sorted[j]!;
    if (a === e) j++;
    // actual is ascending: e, which sorts before a, is not in it.
    else if (a > e) return false;
  }
  return j === sorted.length;
}
