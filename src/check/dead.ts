// Dead deliveries (issue 25 item 5, issue 27 item 1): a delivery that no
// step of the receiving node can ever read, from this state on. PBFT's view
// change is the case: a view-0 PRE-PREPARE, PREPARE or COMMIT delivered to a
// replica already in view 1 can enable nothing, since every pattern that
// reads those types is pinned to the replica's current view (`{{ view ==
// view; }}`) and views only grow; the same delivery to a replica that has
// sent VIEW-CHANGE and waits (`changing`) is dead too, since every normal-case
// transition is guarded by `NOT changing`, and only steps that move the
// replica to a higher view reset it. Such deliveries are most of the states
// of the view-change models: every view-0 statement still in flight may be
// delivered at any point of view 1, in any order.
//
// Deliver(n, s) is dead at state S when, for s and every statement it
// carries that n does not know, every transition t that n can ever fire is
// *silent* for it from S on: whatever t reads s's record type through (a
// trigger, KNOWN, STATEMENTS, UNLESS, AS, PROGRESS) never matches it in a
// state where t can fire. Silence is decided from S and the program text,
// over-approximating the future (docs/checker.md, "Dead deliveries"):
//
// - *monotone variables*: an integer role variable every assignment of which
//   is `v <- v + e` (e a non-negative constant expression) or `v <- x.f`
//   where x is a trigger's record binder whose pattern requires `f == v + e`
//   (PBFT's `view <- nv.view` under `{{ view == view + 1; }}`), or `v <- p`
//   with p a parameter the guard equates with `v + e` (`lastExec <- n`);
// - t is *dead* when a guard conjunct `v < e` or `v <= e` (e constant) over a
//   monotone v is false: it stays false;
// - t is *blocked* when a guard conjunct `NOT b` is false and every
//   transition that can make b other than TRUE strictly raises a monotone v
//   (`changing <- FALSE` only beside `view <- view + 1`): t cannot fire
//   before v has grown; if t is dead at v + 1, it is silent;
// - otherwise every reader of s's type in t must *refute* s: a field
//   constraint `f == e` with e constant and s.f != e, or with e = v + c over
//   a monotone v and s.f < e now (it only grows), or, when t is blocked by a
//   b that raises v, s.f <= e now; or a single-issuer trigger whose issuer
//   binder the guard requires to be ME, of a statement n did not issue.
//   A parameter the guard equates with such an expression (`v == view`)
//   counts as that expression.
//
// A dead delivery reads nothing and changes nothing any step reads, so it
// commutes with every step; the one step that can disable it is the
// delivery to n of a carrier of s, which puts s into known[n] itself, and
// then doing Deliver(n, s) first reaches the same state (the carrier
// *absorbs* it). That is all the path argument of the partial-order
// reduction needs; por.ts takes such a delivery alone.

import type { CheckedProgram, RoleInfo, TransitionInfo } from '../analysis/program.js';
import type { Symbol } from '../analysis/symbols.js';
import { children } from '../analysis/walk.js';
import type * as A from '../syntax/ast.js';
import type { EvalEnv } from '../semantics/eval.js';
import { hasSorted, type State, type Statement } from '../semantics/state.js';
import type { System } from '../semantics/system.js';
import type { Value } from '../semantics/value.js';

type Resolution = ReadonlyMap<number, Symbol>;

/** `v + c`: a monotone variable plus a constant expression (c absent: v itself). */
interface Offset {
  readonly v: string;
  readonly c: readonly { readonly sign: 1 | -1; readonly e: A.Expr }[];
}

/** A field constraint `f == e` that can refute a statement. */
type Pin =
  | { readonly kind: 'const'; readonly field: number; readonly e: A.Expr }
  | { readonly kind: 'mono'; readonly field: number; readonly e: A.Expr; readonly v: string };

interface Reader {
  readonly pins: readonly Pin[];
  /** A single-issuer trigger whose issuer the guard requires to be ME. */
  readonly issuerIsMe: boolean;
}

interface TransitionDead {
  readonly transition: TransitionInfo;
  /** Guard conjuncts `v < e`, `v <= e` over a monotone v, by v. */
  readonly deaths: readonly { readonly v: string; readonly c: A.Expr }[];
  /** Guard conjuncts `NOT b` whose every resetter raises one of these monotone variables. */
  readonly blocks: readonly { readonly b: string; readonly raises: ReadonlySet<string> }[];
  /** Readers by record type; a type absent is not read at all. */
  readonly readers: ReadonlyMap<string, readonly Reader[]>;
}

/** The static part, per role. */
export class RoleDeadness {
  readonly monotone: ReadonlySet<string>;
  readonly transitions: ReadonlyMap<string, TransitionDead>;

  constructor(
    readonly role: RoleInfo,
    program: CheckedProgram,
  ) {
    const resolution = program.resolution;
    const ints = new Set(role.vars.filter((v) => isIntTy(v.name, role)).map((v) => v.name));
    // Monotone: every assignment grows it (a fixpoint is not needed: `x.f` under `f == v + e` refers to v itself).
    const monotone = new Set(ints);
    for (const t of role.transitions) {
      for (const st of assignments(t.decl.body)) {
        const v = roleVarName(resolution, st.target.id);
        if (v === undefined || !monotone.has(v)) continue;
        if (growth(st.value, v, t.decl, resolution) === undefined) monotone.delete(v);
      }
    }
    this.monotone = monotone;
    // What each transition strictly raises, unconditionally: its only assignment to v, at the top level, a strict one
    // (a second assignment could read the raised value back down to the old one: `v <- v + 1; v <- x.f` under `f == v`).
    const raises = new Map<string, Set<string>>();
    for (const t of role.transitions) {
      const out = new Set<string>();
      const all = assignments(t.decl.body);
      for (const st of t.decl.body) {
        if (st.kind !== 'assign') continue;
        const v = roleVarName(resolution, st.target.id);
        if (v === undefined || !monotone.has(v)) continue;
        if (all.filter((a) => roleVarName(resolution, a.target.id) === v).length === 1 && growth(st.value, v, t.decl, resolution) === 'strict') out.add(v);
      }
      raises.set(t.name, out);
    }
    const boolVars = new Set(role.vars.filter((v) => v.domain.k === 'bool').map((v) => v.name));
    // Per boolean b: the monotone variables every transition that may make b other than TRUE raises.
    const resetRaises = new Map<string, Set<string>>();
    for (const b of boolVars) {
      let common: Set<string> | undefined;
      for (const t of role.transitions) {
        const resets = assignments(t.decl.body).some((st) => roleVarName(resolution, st.target.id) === b && !(st.value.kind === 'bool' && st.value.value));
        if (!resets) continue;
        const r = raises.get(t.name)!;
        common = common === undefined ? new Set(r) : new Set([...common].filter((v) => r.has(v)));
      }
      resetRaises.set(b, common ?? new Set(monotone)); // never reset: blocked for ever
    }
    const records = program.records;
    const transitions = new Map<string, TransitionDead>();
    for (const t of role.transitions) {
      const d = t.decl;
      const conj = d.guard === undefined ? [] : topConjuncts(d.guard);
      const deaths: { v: string; c: A.Expr }[] = [];
      const blocks: { b: string; raises: ReadonlySet<string> }[] = [];
      const params = new Map<number, A.Expr>();
      for (const c of conj) {
        const death = deathOf(c, monotone, resolution);
        if (death !== undefined) deaths.push(death);
        if (c.kind === 'unary' && c.op === 'NOT' && c.operand.kind === 'name') {
          const b = roleVarName(resolution, c.operand.id);
          if (b !== undefined && boolVars.has(b) && resetRaises.get(b)!.size > 0) blocks.push({ b, raises: resetRaises.get(b)! });
        }
        // `p == e` with p a parameter and e over role variables and constants: p stands for e.
        if (c.kind === 'binary' && c.op === '==') {
          for (const [x, y] of [[c.left, c.right], [c.right, c.left]] as const) {
            const s = x.kind === 'name' ? resolution.get(x.id) : undefined;
            if (s?.k === 'bound' && s.origin === 'param' && stateExpr(y, resolution)) params.set(s.declId, y);
          }
        }
      }
      const meIssuers = new Set<number>();
      for (const c of conj) {
        if (c.kind !== 'binary' || c.op !== '==') continue;
        for (const [x, y] of [[c.left, c.right], [c.right, c.left]] as const) {
          const s = x.kind === 'name' ? resolution.get(x.id) : undefined;
          if (s?.k === 'bound' && s.origin === 'issuer' && y.kind === 'me') meIssuers.add(s.declId);
        }
      }
      const readers = new Map<string, Reader[]>();
      const add = (p: A.Pattern, trigger: boolean): void => {
        const rec = records.get(p.recordType.name);
        const pins: Pin[] = [];
        for (const fc of p.constraints) {
          if (fc.kind !== 'eq' || rec === undefined) continue;
          const field = rec.fields.findIndex((f) => f.name === fc.field.name);
          if (field < 0) continue;
          const e = substitute(fc.value, params, resolution);
          if (e === undefined) continue;
          if (constantExpr(e, resolution)) pins.push({ kind: 'const', field, e });
          else {
            const o = offsetOf(e, monotone, resolution);
            if (o !== undefined) pins.push({ kind: 'mono', field, e, v: o.v });
          }
        }
        const issuerIsMe = trigger && p.issuer.kind === 'single' && meIssuers.has(p.issuer.binder.id);
        const list = readers.get(p.recordType.name) ?? [];
        list.push({ pins, issuerIsMe });
        readers.set(p.recordType.name, list);
      };
      for (const p of d.patterns) add(p, true);
      if (d.unless !== undefined) add(d.unless, false);
      const inner = (e: A.Expr): void => {
        if (e.kind === 'known') add(e.pattern, false);
        children(e).forEach(inner);
      };
      if (d.guard !== undefined) inner(d.guard);
      for (const p of d.patterns) for (const fc of p.constraints) if (fc.kind === 'eq') inner(fc.value);
      for (const st of allStmts(d.body)) {
        if (st.kind === 'local' || st.kind === 'assign') inner(st.value);
        if (st.kind === 'if') inner(st.cond);
        if (st.kind === 'publish') {
          st.args.forEach((a) => inner(a.value));
          if (st.progress !== undefined) add(st.progress, false);
        }
      }
      transitions.set(t.name, { transition: t, deaths, blocks, readers });
    }
    this.transitions = transitions;
  }
}

/** The dynamic part: whether Deliver(n, id) is dead at a state. */
export class DeadDeliveries {
  private readonly roles = new Map<string, RoleDeadness>();

  constructor(
    private readonly system: System,
    /**
     * For the mutation test only: 'anyMismatch' counts a pattern pinned to a
     * monotone variable refuted by a value above the variable's as well as
     * below (forgetting that the variable grows toward it), which is unsound.
     */
    private readonly mutation?: 'anyMismatch',
  ) {
    for (const n of system.model.nodes) {
      if (n.role !== undefined && !this.roles.has(n.role.name)) this.roles.set(n.role.name, new RoleDeadness(n.role, system.model.program));
    }
  }

  deadness(role: string): RoleDeadness | undefined {
    return this.roles.get(role);
  }

  /**
   * Whether transition `t` can never fire again at `node` from `s` on: a
   * guard conjunct over a monotone variable is false (it stays false), or a
   * `NOT b` is false and the conjunct is false at the value every reset of b
   * raises its variable to. The reduction's futures (futures.ts) count such a
   * transition dead.
   */
  neverFires(s: State, node: number, t: string): boolean {
    const nd = this.system.model.nodes[node]!;
    const td = this.roles.get(nd.role!.name)!.transitions.get(t)!;
    if (td.deaths.length === 0) return false;
    const ctx = this.context(s, node);
    return this.silentWhole(td, ctx).silent;
  }

  /**
   * Whether Deliver(node, id) is dead at `s`: `possible` lists the
   * transitions that can fire at the node at all (NodeReduction.possible).
   */
  dead(s: State, node: number, id: number, possible: readonly string[]): boolean {
    const nd = this.system.model.nodes[node]!;
    const rd = this.roles.get(nd.role!.name)!;
    const { interner } = this.system;
    const known = s.known[node]!;
    const learned = [id, ...interner.carried(id).filter((c) => !hasSorted(known, c))];
    const ctx = this.context(s, node);
    for (const tn of possible) {
      const td = rd.transitions.get(tn)!;
      if (!learned.some((x) => td.readers.has(interner.stmt(x).record.type))) continue;
      const { silent, raised } = this.silentWhole(td, ctx);
      if (silent) continue;
      for (const x of learned) {
        const st = interner.stmt(x);
        const readers = td.readers.get(st.record.type);
        if (readers === undefined) continue;
        if (!readers.every((r) => this.refutes(r, st, nd.name, ctx.env, raised))) return false;
      }
    }
    return true;
  }

  private context(s: State, node: number): { env: EvalEnv; vi: ReadonlyMap<string, number> } {
    const nd = this.system.model.nodes[node]!;
    const vi = this.system.varIndexOf(nd.role!.name);
    return { env: { me: nd.name, vars: s.vars[node]!.slice(), varIndex: vi, bound: new Map() }, vi };
  }

  /** Whether t never fires again (dead, or blocked until it is dead), and the variables its blocks raise. */
  private silentWhole(td: TransitionDead, ctx: { env: EvalEnv; vi: ReadonlyMap<string, number> }): { silent: boolean; raised: ReadonlySet<string> } {
    const { env, vi } = ctx;
    const deadAt = (at: EvalEnv, only?: string): boolean => td.deaths.some((d) => (only === undefined || d.v === only) && this.bool(d.c, at) === false);
    const raised = new Set<string>();
    if (deadAt(env)) return { silent: true, raised };
    for (const bl of td.blocks) if (env.vars![vi.get(bl.b)!] === true) bl.raises.forEach((v) => raised.add(v));
    for (const v of raised) {
      const vars = env.vars!.slice();
      const cur = vars[vi.get(v)!];
      if (typeof cur !== 'number') continue;
      vars[vi.get(v)!] = cur + 1;
      if (deadAt({ ...env, vars }, v)) return { silent: true, raised };
    }
    return { silent: false, raised };
  }

  private bool(e: A.Expr, at: EvalEnv): boolean | undefined {
    try {
      return this.system.ev.evalBool(e, at);
    } catch {
      return undefined;
    }
  }

  private num(e: A.Expr, at: EvalEnv): number | undefined {
    try {
      const v = this.system.ev.eval(e, at);
      return typeof v === 'number' ? v : undefined;
    } catch {
      return undefined;
    }
  }

  private refutes(r: Reader, st: Statement, me: string, env: EvalEnv, raised: ReadonlySet<string>): boolean {
    if (r.issuerIsMe && st.issuer !== me) return true;
    for (const p of r.pins) {
      const f: Value | undefined = st.record.fields[p.field];
      if (p.kind === 'const') {
        let v: Value;
        try {
          v = this.system.ev.eval(p.e, env);
        } catch {
          continue;
        }
        if (typeof v !== 'object' && typeof f !== 'object' && v !== f) return true;
        if (typeof v === 'object' && typeof f === 'object' && v.key !== f.key) return true;
        continue;
      }
      const now = this.num(p.e, env);
      if (now === undefined || typeof f !== 'number') continue;
      if (f < now || (raised.has(p.v) && f <= now)) return true;
      if (this.mutation === 'anyMismatch' && f !== now) return true;
    }
    return false;
  }
}

function isIntTy(name: string, role: RoleInfo): boolean {
  const k = role.vars.find((v) => v.name === name)!.domain.k;
  return k === 'int' || k === 'range';
}

function roleVarName(resolution: Resolution, id: number): string | undefined {
  const s = resolution.get(id);
  return s?.k === 'roleVar' ? s.name : undefined;
}

function assignments(stmts: readonly A.Stmt[]): (A.Stmt & { kind: 'assign' })[] {
  return allStmts(stmts).filter((s): s is A.Stmt & { kind: 'assign' } => s.kind === 'assign');
}

function allStmts(stmts: readonly A.Stmt[]): A.Stmt[] {
  const out: A.Stmt[] = [];
  for (const st of stmts) {
    out.push(st);
    if (st.kind === 'if') out.push(...allStmts(st.then), ...allStmts(st.else));
  }
  return out;
}

function topConjuncts(e: A.Expr): A.Expr[] {
  return e.kind === 'binary' && e.op === 'AND' ? [...topConjuncts(e.left), ...topConjuncts(e.right)] : [e];
}

/** An expression over constants and functions of them only (no role variable, no bound name, no ME, no KNOWN). */
function constantExpr(e: A.Expr, resolution: Resolution): boolean {
  const inner = new Set<number>();
  const visit = (x: A.Expr): boolean => {
    if (x.kind === 'known' || x.kind === 'me' || x.kind === 'correct' || x.kind === 'faulty') return false;
    if (x.kind === 'quant' || x.kind === 'setFilter' || x.kind === 'setMap') inner.add(x.binder.id);
    if (x.kind === 'name') {
      const s = resolution.get(x.id);
      if (s === undefined || s.k === 'roleVar') return false;
      if (s.k === 'bound' && !inner.has(s.declId)) return false;
    }
    return children(x).every(visit);
  };
  return visit(e);
}

/** An expression over role variables, ME and constants (no bound name, no KNOWN). */
function stateExpr(e: A.Expr, resolution: Resolution): boolean {
  const inner = new Set<number>();
  const visit = (x: A.Expr): boolean => {
    if (x.kind === 'known' || x.kind === 'correct' || x.kind === 'faulty') return false;
    if (x.kind === 'quant' || x.kind === 'setFilter' || x.kind === 'setMap') inner.add(x.binder.id);
    if (x.kind === 'name') {
      const s = resolution.get(x.id);
      if (s === undefined) return false;
      if (s.k === 'bound' && !inner.has(s.declId)) return false;
    }
    return children(x).every(visit);
  };
  return visit(e);
}

/** `e` with parameters the guard equates with state expressions replaced; undefined if it reads another bound name. */
function substitute(e: A.Expr, params: ReadonlyMap<number, A.Expr>, resolution: Resolution): A.Expr | undefined {
  if (e.kind === 'name') {
    const s = resolution.get(e.id);
    if (s?.k === 'bound') return params.get(s.declId);
  }
  return stateExpr(e, resolution) ? e : undefined;
}

/** `v`, `v + c`, `c + v`, `v - c` with v a monotone variable and c constant. */
function offsetOf(e: A.Expr, monotone: ReadonlySet<string>, resolution: Resolution): Offset | undefined {
  if (e.kind === 'name') {
    const v = roleVarName(resolution, e.id);
    return v !== undefined && monotone.has(v) ? { v, c: [] } : undefined;
  }
  if (e.kind === 'binary' && (e.op === '+' || e.op === '-')) {
    const l = offsetOf(e.left, monotone, resolution);
    if (l !== undefined && constantExpr(e.right, resolution)) return { v: l.v, c: [...l.c, { sign: e.op === '+' ? 1 : -1, e: e.right }] };
    if (e.op === '+') {
      const r = offsetOf(e.right, monotone, resolution);
      if (r !== undefined && constantExpr(e.left, resolution)) return { v: r.v, c: [...r.c, { sign: 1, e: e.left }] };
    }
  }
  return undefined;
}

/** A non-negative integer literal's value (the only constant offsets growth is judged by). */
function literal(e: A.Expr): number | undefined {
  return e.kind === 'int' ? e.value : undefined;
}

/**
 * How `v <- value` in transition d changes v: 'strict' (it rises), 'weak' (it
 * does not fall), undefined (it may fall). `v + k` with k a literal; `x.f`
 * where x is a trigger's record binder whose pattern requires `f == v + k`.
 */
function growth(value: A.Expr, v: string, d: A.Transition, resolution: Resolution): 'strict' | 'weak' | undefined {
  const step = (e: A.Expr): number | undefined => {
    if (e.kind === 'name' && roleVarName(resolution, e.id) === v) return 0;
    if (e.kind === 'binary' && e.op === '+') {
      if (e.left.kind === 'name' && roleVarName(resolution, e.left.id) === v) return literal(e.right);
      if (e.right.kind === 'name' && roleVarName(resolution, e.right.id) === v) return literal(e.left);
    }
    return undefined;
  };
  let k = step(value);
  if (k === undefined && value.kind === 'field' && value.target.kind === 'name') {
    const s = resolution.get(value.target.id);
    if (s?.k === 'bound' && s.origin === 'record-binder') {
      const p = d.patterns.find((x) => x.binder?.id === s.declId && x.issuer.kind !== 'quorum');
      const fc = p?.constraints.find((c) => c.kind === 'eq' && c.field.name === value.field.name);
      if (fc !== undefined && fc.kind === 'eq') k = step(fc.value);
    }
  }
  // `v <- p` with p a parameter the guard equates with `v + k` (PBFT's `lastExec <- n` under `n == lastExec + 1`).
  if (k === undefined && value.kind === 'name') {
    const s = resolution.get(value.id);
    if (s?.k === 'bound' && s.origin === 'param' && d.guard !== undefined) {
      for (const c of topConjuncts(d.guard)) {
        if (c.kind !== 'binary' || c.op !== '==') continue;
        for (const [x, y] of [[c.left, c.right], [c.right, c.left]] as const) {
          const xs = x.kind === 'name' ? resolution.get(x.id) : undefined;
          if (xs?.k === 'bound' && xs.declId === s.declId) k ??= step(y);
        }
      }
    }
  }
  if (k === undefined || k < 0) return undefined;
  return k > 0 ? 'strict' : 'weak';
}

/** `v < c`, `v <= c`, `c > v`, `c >= v` over a monotone v and a constant c: false once, false for ever. */
function deathOf(c: A.Expr, monotone: ReadonlySet<string>, resolution: Resolution): { v: string; c: A.Expr } | undefined {
  if (c.kind !== 'binary') return undefined;
  const mono = (x: A.Expr): string | undefined => {
    const o = offsetOf(x, monotone, resolution);
    return o !== undefined && o.c.every((t) => t.sign === 1 || literal(t.e) !== undefined) ? o.v : undefined;
  };
  if ((c.op === '<' || c.op === '<=') && constantExpr(c.right, resolution)) {
    const v = mono(c.left);
    if (v !== undefined) return { v, c };
  }
  if ((c.op === '>' || c.op === '>=') && constantExpr(c.left, resolution)) {
    const v = mono(c.right);
    if (v !== undefined) return { v, c };
  }
  return undefined;
}
