// Forgetting at one running node (issue 23 item 4): which of the statements
// it knows its role's FORGET members let it drop, found without rescanning
// what it knows at every step.
//
// A FORGET condition is a positive AND/OR of atoms, each either fixed for a
// given statement or monotone in one role variable (analysis/forget.ts), so
// a statement whose condition is false can only become forgettable when one
// of the atoms that make it false becomes true. The node therefore files
// each statement it cannot forget yet under the atoms that block it
// ("watched literals"): an integer atom `x <= v + k` under v with the value
// v must reach (a heap per variable, popped as v grows), a table lookup
// `EXISTS e IN v : e.k == x AND ...` under v and the key x (woken only when
// an entry of v with that key is added or changes: an Execute that moves one
// client's mark wakes that client's statements, not every client's), any
// other atom (`b`, `x IN s`) under its variable, woken when that variable
// changes. A
// statement whose condition can never hold (a false fixed atom) is filed
// nowhere. Woken statements are evaluated again in full and filed anew: the
// cost of forgetting is per statement and per wake, never per step times
// what the node knows.
//
// The verdict is the checker's (semantics/forget.ts, Forgetting.forgettable):
// the same pattern match and the same condition, evaluated by the
// interpreter in both engines, so compiled and reference nodes forget alike.

import type { ForgetInfo, RoleInfo } from '../analysis/program.js';
import { children, exprText } from '../analysis/walk.js';
import type * as A from '../syntax/ast.js';
import type { EvalEnv, Evaluator } from './eval.js';
import type { Matcher, MatchWorld } from './match.js';
import type { Statement } from './state.js';
import { keyOf, type Value } from './value.js';

/**
 * An atom that blocks a statement: variable `v` must change (to at least
 * `at`, an integer's threshold; or, a table, in its entry whose field
 * `field` has the key `key`).
 */
interface Watch {
  readonly v: number;
  readonly at?: number;
  readonly field?: string;
  readonly key?: string;
}

/** Forget now (the members whose condition holds), never, or when one of the watches is met. */
export type ForgetVerdict = { readonly kind: 'now'; readonly members: readonly number[] } | { readonly kind: 'never' } | { readonly kind: 'wait'; readonly watches: readonly Watch[] };

type Cond = true | false | Watch[];

export interface ForgetCounts {
  /** Statements dropped from the known set. */
  forgotten: number;
  /** Arrivals of a statement the node may forget already: a late copy or retransmission, or one that came too late to matter. */
  absorbed: number;
  /** Verdicts given (a statement judged on arrival, and again each time something it waits for moves): forgetting's cost. */
  judged: number;
}

export class NodeForgetting {
  readonly counts: ForgetCounts = { forgotten: 0, absorbed: 0, judged: 0 };
  /** Per record type, the indices of the FORGET members that name it. */
  private readonly byType = new Map<string, number[]>();
  private readonly lists: (readonly A.Pattern[])[];
  /** Per integer variable, statements waiting for it to reach a value (a min-heap on `at`). */
  private readonly heaps = new Map<number, { at: number; s: Statement }[]>();
  /** Per variable, statements waiting for any change of it. */
  private readonly onChange = new Map<number, Set<Statement>>();
  /** Per table variable, per key field, per key: the statements waiting for that entry. */
  private readonly onEntry = new Map<number, Map<string, Map<string, Set<Statement>>>>();

  constructor(
    readonly members: readonly ForgetInfo[],
    private readonly ev: Evaluator,
    private readonly matcher: Matcher,
    private readonly everyone: readonly string[],
    private readonly me: string,
    private readonly varIndex: ReadonlyMap<string, number>,
  ) {
    members.forEach((f, i) => {
      const t = f.decl.pattern.recordType.name;
      const list = this.byType.get(t);
      if (list === undefined) this.byType.set(t, [i]);
      else list.push(i);
    });
    this.lists = members.map((f) => [f.decl.pattern]);
  }

  static of(role: RoleInfo, ev: Evaluator, matcher: Matcher, everyone: readonly string[], me: string, varIndex: ReadonlyMap<string, number>): NodeForgetting | undefined {
    return role.forgets.length === 0 ? undefined : new NodeForgetting(role.forgets, ev, matcher, everyone, me, varIndex);
  }

  /** Whether some FORGET member names this record type. */
  names(type: string): boolean {
    return this.byType.has(type);
  }

  /** Entries in the watch structures (a statement may be filed more than once, and stale entries wait for their wake). */
  get watching(): number {
    let n = 0;
    for (const h of this.heaps.values()) n += h.length;
    for (const s of this.onChange.values()) n += s.size;
    for (const fields of this.onEntry.values()) for (const keys of fields.values()) for (const s of keys.values()) n += s.size;
    return n;
  }

  /** What the FORGET members say of `s` when the node's variables are `vars`. */
  verdict(s: Statement, vars: readonly Value[]): ForgetVerdict {
    const idx = this.byType.get(s.record.type);
    if (idx === undefined) return { kind: 'never' };
    this.counts.judged++;
    const now: number[] = [];
    const watches: Watch[] = [];
    for (const i of idx) {
      const c = this.member(i, s, vars);
      if (c === true) now.push(i);
      else if (c !== false) watches.push(...c);
    }
    if (now.length > 0) return { kind: 'now', members: now };
    return watches.length === 0 ? { kind: 'never' } : { kind: 'wait', watches };
  }

  /** Files `s` under what blocks it. */
  file(s: Statement, watches: readonly Watch[]): void {
    for (const w of watches) {
      if (w.field !== undefined && w.key !== undefined) {
        let fields = this.onEntry.get(w.v);
        if (fields === undefined) this.onEntry.set(w.v, (fields = new Map()));
        let keys = fields.get(w.field);
        if (keys === undefined) fields.set(w.field, (keys = new Map()));
        let set = keys.get(w.key);
        if (set === undefined) keys.set(w.key, (set = new Set()));
        set.add(s);
      } else if (w.at === undefined) {
        let set = this.onChange.get(w.v);
        if (set === undefined) this.onChange.set(w.v, (set = new Set()));
        set.add(s);
      } else {
        let h = this.heaps.get(w.v);
        if (h === undefined) this.heaps.set(w.v, (h = []));
        heapPush(h, { at: w.at, s });
      }
    }
  }

  /** The statements a change of variable `v` from `before` to `after` wakes (each to be judged again; some may be gone already). */
  wake(v: number, before: Value, after: Value, into: Set<Statement>): void {
    const set = this.onChange.get(v);
    if (set !== undefined) {
      for (const s of set) into.add(s);
      this.onChange.delete(v);
    }
    const fields = this.onEntry.get(v);
    if (fields !== undefined) this.wakeEntries(fields, before, after, into);
    const h = this.heaps.get(v);
    if (h === undefined || typeof after !== 'number') return;
    while (h.length > 0 && h[0]!.at <= after) into.add(heapPop(h).s);
  }

  /** Wakes the statements waiting for an entry of a table that was added, removed or changed between `before` and `after`. */
  private wakeEntries(fields: Map<string, Map<string, Set<Statement>>>, before: Value, after: Value, into: Set<Statement>): void {
    const elems = (x: Value): readonly Value[] => (typeof x === 'object' && x.kind === 'set' ? x.elems : []);
    const was = new Set(elems(before).map(keyOf));
    const is = new Set(elems(after).map(keyOf));
    const moved = [...elems(after).filter((e) => !was.has(keyOf(e))), ...elems(before).filter((e) => !is.has(keyOf(e)))];
    for (const [field, keys] of fields) {
      for (const e of moved) {
        if (typeof e !== 'object' || e.kind !== 'record') continue;
        const i = this.ev.program.records.get(e.type)?.fields.findIndex((f) => f.name === field) ?? -1;
        const k = i < 0 ? undefined : keyOf(e.fields[i]!);
        const waiting = k === undefined ? undefined : keys.get(k);
        if (waiting === undefined) continue;
        for (const s of waiting) into.add(s);
        keys.delete(k!);
      }
    }
  }

  private member(i: number, s: Statement, vars: readonly Value[]): Cond {
    const f = this.members[i]!;
    const world: MatchWorld = { everyone: this.everyone, knownOfType: (t) => (t === s.record.type ? [s] : []) };
    const env: EvalEnv = { me: this.me, vars: vars as Value[], varIndex: this.varIndex, bound: new Map() };
    let out: Cond = false;
    this.matcher.forEachMatch(this.lists[i]!, env, world, () => {
      out = or(out, this.cond(f.decl.condition, env));
      return out !== true;
    });
    return out;
  }

  private cond(e: A.Expr, env: EvalEnv): Cond {
    if (e.kind === 'binary' && e.op === 'AND') {
      const l = this.cond(e.left, env);
      if (l === false) return false;
      const r = this.cond(e.right, env);
      if (r === false) return false;
      return l === true ? r : l;
    }
    if (e.kind === 'binary' && e.op === 'OR') return or(this.cond(e.left, env), this.cond(e.right, env));
    if (this.ev.evalBool(e, env)) return true;
    return this.blocker(e, env);
  }

  /** What a false atom waits for (never, when it reads no role variable: it is fixed for the statement). */
  private blocker(e: A.Expr, env: EvalEnv): Cond {
    const entry = this.entryWatch(e, env);
    if (entry !== undefined) return [entry];
    if (e.kind === 'binary') {
      const up = e.op === '<=' || e.op === '<' ? { x: e.left, v: e.right } : e.op === '>=' || e.op === '>' ? { x: e.right, v: e.left } : undefined;
      const v = up === undefined ? undefined : this.varOf(up.v);
      const vars = env.vars!;
      if (up !== undefined && v !== undefined && typeof vars[v] === 'number') {
        // `x <= v + k`: true once v >= x - k, where k = (v + k) - v now.
        const x = this.ev.eval(up.x, env);
        const side = this.ev.eval(up.v, env);
        if (typeof x === 'number' && typeof side === 'number') {
          const k = side - (vars[v] as number);
          return [{ v, at: x - k + (e.op === '<' || e.op === '>' ? 1 : 0) }];
        }
      }
    }
    const read = new Set<number>();
    this.reads(e, read);
    return read.size === 0 ? false : [...read].map((v) => ({ v }));
  }

  /**
   * A table lookup `EXISTS b IN v : ... AND b.k == x AND ...` (the form
   * analysis/forget.ts accepts as stable, a key among its top-level
   * conjuncts, x not reading b): it can become true only when v's entry with
   * key x is added or changes, so it waits for that entry.
   */
  private entryWatch(e: A.Expr, env: EvalEnv): Watch | undefined {
    if (e.kind !== 'quant' || e.quantifier !== 'EXISTS') return undefined;
    const v = this.varOf(e.domain);
    if (v === undefined || e.domain.kind !== 'name') return undefined;
    const binder = e.binder.name;
    const mentions = (x: A.Expr): boolean => (x.kind === 'name' && x.name === binder) || children(x).some(mentions);
    const fieldOf = (x: A.Expr): string | undefined => (x.kind === 'field' && x.target.kind === 'name' && x.target.name === binder ? x.field.name : undefined);
    for (const c of conjunctsOf(e.body)) {
      if (c.kind !== 'binary' || c.op !== '==') continue;
      const field = fieldOf(c.left) ?? fieldOf(c.right);
      const other = fieldOf(c.left) !== undefined ? c.right : c.left;
      if (field === undefined || mentions(other)) continue;
      return { v, field, key: keyOf(this.ev.eval(other, env)) };
    }
    return undefined;
  }

  /** The role variable of `v`, `v + k`, `k + v` or `v - k`. */
  private varOf(e: A.Expr): number | undefined {
    if (e.kind === 'binary' && (e.op === '+' || e.op === '-')) return this.varOf(e.left) ?? (e.op === '+' ? this.varOf(e.right) : undefined);
    if (e.kind !== 'name') return undefined;
    const s = this.ev.program.resolution.get(e.id);
    return s?.k === 'roleVar' ? this.varIndex.get(s.name) : undefined;
  }

  private reads(e: A.Expr, out: Set<number>): void {
    if (e.kind === 'name') {
      const s = this.ev.program.resolution.get(e.id);
      const i = s?.k === 'roleVar' ? this.varIndex.get(s.name) : undefined;
      if (i !== undefined) out.add(i);
    }
    for (const c of children(e)) this.reads(c, out);
  }
}

function conjunctsOf(e: A.Expr): A.Expr[] {
  return e.kind === 'binary' && e.op === 'AND' ? [...conjunctsOf(e.left), ...conjunctsOf(e.right)] : [e];
}

function or(a: Cond, b: Cond): Cond {
  if (a === true || b === true) return true;
  if (a === false) return b;
  if (b === false) return a;
  return [...a, ...b];
}

function heapPush(h: { at: number; s: Statement }[], x: { at: number; s: Statement }): void {
  h.push(x);
  let i = h.length - 1;
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (h[p]!.at <= h[i]!.at) break;
    [h[p], h[i]] = [h[i]!, h[p]!];
    i = p;
  }
}

function heapPop(h: { at: number; s: Statement }[]): { at: number; s: Statement } {
  const top = h[0]!;
  const last = h.pop()!;
  if (h.length > 0) {
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && h[l]!.at < h[m]!.at) m = l;
      if (r < h.length && h[r]!.at < h[m]!.at) m = r;
      if (m === i) break;
      [h[m], h[i]] = [h[i]!, h[m]!];
      i = m;
    }
  }
  return top;
}

/**
 * The FORGET member (its index) that covers trigger pattern `p`, or -1: every
 * statement that matches `p` matches the member's pattern, and the member's
 * condition reads of it only its record (not the issuer binder). Then once a
 * statement with record r is forgotten under that member, every statement
 * that could match `p` with r is forgettable on arrival and never known
 * again: an instance that bound r through `p` can never be enabled again,
 * and its fire-once entry may go too. Judged on the written text, so it
 * errs toward "not covered" (the entry is kept).
 */
export function coveringMember(members: readonly ForgetInfo[], p: A.Pattern): number {
  if (p.constraints.some((c) => c.kind === 'multivalent')) return -1;
  return members.findIndex((f) => covers(f, p));
}

function covers(f: ForgetInfo, p: A.Pattern): boolean {
  const q = f.decl.pattern;
  if (q.recordType.name !== p.recordType.name) return false;
  if (!implied(q.verifier, p.verifier) || !implied(q.auditor, p.auditor)) return false;
  const qi = q.issuer;
  const pi = p.issuer;
  if (qi.kind === 'principal') {
    if (pi.kind !== 'principal' || exprText(qi.expr) !== exprText(pi.expr)) return false;
  } else if (qi.kind === 'single') {
    if (pi.kind === 'principal' || exprText(pi.set) !== exprText(qi.set)) return false;
    if (mentions(f.decl.condition, qi.binder.name)) return false;
  } else return false;
  return q.constraints.every((c) => c.kind !== 'eq' || p.constraints.some((d) => d.kind === 'eq' && d.field.name === c.field.name && exprText(d.value) === exprText(c.value)));
}

/** Whether the member's requirement on verifiers (auditors) follows from the trigger's. */
function implied(q: A.PrincipalsPattern, p: A.PrincipalsPattern): boolean {
  if (q.kind === 'none' || q.kind === 'noone') return true;
  if (q.kind !== p.kind) return false;
  return q.kind !== 'expr' || (p.kind === 'expr' && exprText(q.expr) === exprText(p.expr));
}

function mentions(e: A.Expr, name: string): boolean {
  if (e.kind === 'name' && e.name === name) return true;
  return children(e).some((c) => mentions(c, name));
}
