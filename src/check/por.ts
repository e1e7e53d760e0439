// Partial-order reduction (opt-in, `--por`): in a state where some delivery
// commutes with every other step and is invisible to the checked properties,
// the search takes that delivery alone instead of every enabled step. The
// argument (docs/checker.md, "Partial-order reduction") in short:
//
// - Deliver(n, s) adds s to known[n] and nothing else. No step removes
//   anything, and only Deliver(n, s) itself can put s into known[n] (a
//   correct n knows its own statements the moment it publishes them), so
//   nothing disables it and it disables nothing but itself.
// - Other nodes' steps, deliveries to other nodes, Byzantine publications
//   and other deliveries to n never read known[n] in a way s can change.
// - A Fire of n reads known[n] through its patterns (which only gain
//   matches), its guard and body (which read only role variables and the
//   names its instance binds, unless they read KNOWN or a quorum's issuer
//   set) and UNLESS (which can flip). So a delivery commutes with every Fire
//   of n unless s's record type is one that n's role reads through KNOWN,
//   UNLESS or a quorum's issuer set (other than as `ME IN Q` in a guard,
//   which stays true once true): those deliveries are never reduced.
// - Properties read role variables only, which no delivery writes.
//
// Such a delivery forms a persistent set on its own, invisible, and fair (a
// delivery to a correct node): the three conditions under which the reduced
// graph keeps every invariant violation, deadlock and fair end of the full
// one up to stuttering. The graph is acyclic, so the cycle proviso holds.

import type { CheckedProgram, RoleInfo } from '../analysis/program.js';
import type { Domain } from '../analysis/types.js';
import type { Symbol } from '../analysis/symbols.js';
import type * as A from '../syntax/ast.js';
import { children } from '../analysis/walk.js';
import { hasSorted, type State } from '../semantics/state.js';
import type { Action, Successor, System } from '../semantics/system.js';

export class PartialOrder {
  /** Per node index: the record types whose delivery can change a Fire of that node; undefined for nodes that never receive. */
  private readonly dependentTypes: (ReadonlySet<string> | undefined)[];
  /**
   * Record types that carry statements or can be carried (issue 25): a
   * delivery of a carrier also puts its carried statements into known[n],
   * disabling their own deliveries, so the argument above does not hold for
   * either kind; such deliveries are never reduced.
   */
  private readonly certificateTypes: ReadonlySet<string>;
  /** `role.variable` read by a checked invariant or property. */
  private readonly visible: ReadonlySet<string>;

  constructor(
    private readonly system: System,
    /** The state predicates the run checks: invariants and the parts of properties. */
    checked: readonly A.Expr[],
    /**
     * Choose among a node's safe deliveries the statement with the least key
     * rather than the least id: ids depend on the order a thread interned
     * statements in, keys do not, so every worker of the parallel search
     * (parallel.ts) reduces a state the same way.
     */
    private readonly byKey = false,
  ) {
    const byRole = new Map<string, ReadonlySet<string>>();
    this.dependentTypes = system.model.nodes.map((n) => {
      if (n.status !== 'correct' || n.role === undefined) return undefined;
      let types = byRole.get(n.role.name);
      if (types === undefined) {
        types = nonMonotoneTypes(n.role, system.model.program.resolution);
        byRole.set(n.role.name, types);
      }
      return types;
    });
    this.certificateTypes = certificateTypes(system.model.program);
    const visible = new Set<string>();
    const resolution = system.model.program.resolution;
    const collect = (e: A.Expr): void => {
      if (e.kind === 'field') {
        const sym = resolution.get(e.field.id);
        if (sym?.k === 'roleVar') visible.add(`${sym.role}.${sym.name}`);
      }
      children(e).forEach(collect);
    };
    checked.forEach(collect);
    // A function called from a property may read `p.var` too: count every function's reads.
    for (const d of system.model.program.ast.decls) if (d.kind === 'function' && d.body !== undefined) collect(d.body);
    this.visible = visible;
  }

  /** Whether a step can change what a checked property reads: only a Fire that assigns a variable it reads. */
  visibleStep(a: Action): boolean {
    if (a.kind !== 'fire') return false;
    return assigned(a.transition.decl.body).some((v) => this.visible.has(`${a.transition.role}.${v}`));
  }

  /**
   * The reduced set at `s` when it is a single step: the first enabled
   * delivery that commutes with every step (see above). Undefined when there
   * is none: the search then takes every enabled step.
   */
  ample(s: State): Successor | undefined {
    const { model, interner } = this.system;
    for (const n of model.nodes) {
      const dependent = this.dependentTypes[n.index];
      if (dependent === undefined) continue;
      const known = s.known[n.index]!;
      let best: { step: Successor; key: string } | undefined;
      for (const id of s.pool) {
        if (hasSorted(known, id)) continue;
        const st = interner.stmt(id);
        if (!st.verifiers.includes(n.name) || dependent.has(st.record.type) || this.certificateTypes.has(st.record.type)) continue;
        if (best !== undefined && st.key >= best.key) continue;
        const step = this.system.deliver(s, n.index, id);
        // Deliveries write no role variable; the check keeps the argument honest if that changes.
        if (this.visibleStep(step.action)) continue;
        if (!this.byKey) return step;
        best = { step, key: st.key };
      }
      if (best !== undefined) return best.step;
    }
    return undefined;
  }
}

function certificateTypes(program: CheckedProgram): ReadonlySet<string> {
  const out = new Set<string>();
  for (const r of program.records.values()) {
    for (const f of r.fields) {
      const visit = (d: Domain): void => {
        if (d.k === 'statement') {
          out.add(r.name);
          out.add(d.record);
        } else if (d.k === 'set') visit(d.elem);
      };
      visit(f.domain);
    }
  }
  // A record holding a carrier (a record field) carries too.
  let grew = true;
  while (grew) {
    grew = false;
    for (const r of program.records.values()) {
      if (out.has(r.name)) continue;
      if (r.fields.some((f) => recordTypesIn(f.domain).some((x) => out.has(x)))) {
        out.add(r.name);
        grew = true;
      }
    }
  }
  return out;
}

function recordTypesIn(d: Domain): string[] {
  return d.k === 'record' ? [d.name] : d.k === 'set' ? recordTypesIn(d.elem) : [];
}

/**
 * The record types a role reads in a way a new statement can change other
 * than by enabling more matches: UNLESS patterns, KNOWN anywhere in a
 * trigger or body, and quorum patterns whose issuer set is read anywhere but
 * in a guard that only grows true as the set grows (`ME IN Q`).
 */
export function nonMonotoneTypes(role: RoleInfo, resolution: ReadonlyMap<number, Symbol>): ReadonlySet<string> {
  const out = new Set<string>();
  const inExpr = (e: A.Expr): void => {
    if (e.kind === 'known') {
      out.add(e.pattern.recordType.name);
      patternExprs(e.pattern).forEach(inExpr);
    }
    children(e).forEach(inExpr);
  };
  for (const t of role.transitions) {
    const d = t.decl;
    const exprs: A.Expr[] = [];
    for (const p of d.patterns) exprs.push(...patternExprs(p));
    if (d.unless !== undefined) {
      out.add(d.unless.recordType.name);
      exprs.push(...patternExprs(d.unless));
    }
    const body = bodyExprs(d.body);
    [...exprs, ...body, ...(d.guard !== undefined ? [d.guard] : [])].forEach(inExpr);
    for (const p of d.patterns) {
      // `AS s` binds every matching known statement: a later delivery changes the set (issue 25).
      if (p.statements !== undefined) out.add(p.recordType.name);
      if (p.issuer.kind !== 'quorum' || p.issuer.binder === undefined) continue;
      const q = p.issuer.binder.id;
      const reads = (e: A.Expr): boolean => readsBinder(e, q, resolution);
      const monotone = !exprs.some(reads) && !body.some(reads) && (d.guard === undefined || growsTrue(d.guard, reads, true));
      if (!monotone) out.add(p.recordType.name);
    }
  }
  return out;
}

function readsBinder(e: A.Expr, id: number, resolution: ReadonlyMap<number, Symbol>): boolean {
  if (e.kind === 'name') {
    const sym = resolution.get(e.id);
    if (sym?.k === 'bound' && sym.declId === id) return true;
  }
  return children(e).some((c) => readsBinder(c, id, resolution));
}

/**
 * Whether `e` (positive: as written; else under a negation) can only go from
 * false to true as the set the binder names gains members: it reads the set
 * only as `x IN Q`, under AND, OR and the right of IMPLIES, not negated.
 */
function growsTrue(e: A.Expr, reads: (e: A.Expr) => boolean, positive: boolean): boolean {
  if (!reads(e)) return true;
  if (e.kind === 'binary' && (e.op === 'AND' || e.op === 'OR')) return growsTrue(e.left, reads, positive) && growsTrue(e.right, reads, positive);
  if (e.kind === 'binary' && e.op === 'IMPLIES') return growsTrue(e.left, reads, !positive) && growsTrue(e.right, reads, positive);
  if (e.kind === 'unary' && e.op === 'NOT') return growsTrue(e.operand, reads, !positive);
  if (e.kind === 'binary' && e.op === 'IN' && !reads(e.left) && e.right.kind === 'name') return positive;
  return false;
}

/** Every expression a body evaluates. A PROGRESS pattern guides dissemination only; the abstract pool never reads it. */
function bodyExprs(stmts: readonly A.Stmt[]): A.Expr[] {
  const out: A.Expr[] = [];
  for (const st of stmts) {
    switch (st.kind) {
      case 'local':
      case 'assign':
        out.push(st.value);
        break;
      case 'if':
        out.push(st.cond, ...bodyExprs(st.then), ...bodyExprs(st.else));
        break;
      case 'publish':
        out.push(st.issuer, ...st.args.map((a) => a.value));
        for (const pp of [st.verifier, st.auditor]) if (pp.kind === 'expr') out.push(pp.expr);
        break;
    }
  }
  return out;
}

function patternExprs(p: A.Pattern): A.Expr[] {
  const out: A.Expr[] = [];
  if (p.issuer.kind === 'principal') out.push(p.issuer.expr);
  else if (p.issuer.kind === 'single') out.push(p.issuer.set, p.issuer.count);
  else out.push(p.issuer.set, p.issuer.threshold);
  if (p.verifier.kind === 'expr') out.push(p.verifier.expr);
  if (p.auditor.kind === 'expr') out.push(p.auditor.expr);
  for (const c of p.constraints) if (c.kind === 'eq') out.push(c.value);
  return out;
}

/** Names of the variables a body may assign (role variables and locals alike). */
function assigned(stmts: readonly A.Stmt[]): string[] {
  const out: string[] = [];
  for (const st of stmts) {
    if (st.kind === 'assign') out.push(st.target.name);
    if (st.kind === 'if') out.push(...assigned(st.then), ...assigned(st.else));
  }
  return out;
}
