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
//
// Where no delivery is safe, a fire of node n may be (issue 27): its
// transition writes no checked variable, reads nothing a delivery can change
// (no UNLESS, KNOWN or quorum issuer set), and commutes with every fire of
// every transition n can still take (dependence.ts decides which commute,
// from how guards read and bodies update n's variables; a transition whose
// guard has a conjunct that stays false once false is dead and no longer
// counts). Such a fire is, like a safe delivery, a persistent, invisible and
// fair set on its own. The same liveness of transitions sharpens deliveries:
// a type only a dead transition reads through UNLESS no longer blocks them.

import type { CheckedProgram, RoleInfo } from '../analysis/program.js';
import type * as A from '../syntax/ast.js';
import { children } from '../analysis/walk.js';
import type { EvalEnv } from '../semantics/eval.js';
import { hasSorted, type State } from '../semantics/state.js';
import type { Action, Successor, System } from '../semantics/system.js';
import { keyOf } from '../semantics/value.js';
import { carrierTypes, deliveryDependentTypes, RoleDependence, type Conflict } from './dependence.js';
import { DeadDeliveries } from './dead.js';
import { Futures, holdsOrFails, type NodeReduction } from './futures.js';

export interface ReductionOptions {
  /** Reduce to a single safe delivery (default true). */
  readonly deliveries?: boolean;
  /** Reduce to a single safe fire where no delivery is safe (default true). */
  readonly fires?: boolean;
  /**
   * Treat the fires nothing observes as absent when deciding what is safe,
   * and postpone them while another fair step is enabled (default true).
   */
  readonly unread?: boolean;
  /**
   * Replaces the analysis of which fires of one node commute: for the
   * mutation test, which must see a wrong answer caught.
   */
  readonly conflict?: (role: RoleDependence, a: string, b: string) => Conflict;
  /**
   * Take a dead delivery alone, and count transitions dead by their
   * monotone variables (dead.ts; default true).
   */
  readonly dead?: boolean;
  /** An unsound variant of dead.ts, for the mutation test. */
  readonly deadMutation?: 'anyMismatch';
}

export class PartialOrder {
  private readonly nodes: (NodeReduction | undefined)[];
  /**
   * Record types that carry statements or can be carried (issue 25): a
   * delivery of a carrier also puts its carried statements into known[n],
   * disabling their own deliveries, so the argument above does not hold for
   * either kind; such deliveries are never reduced.
   */
  private readonly certificateTypes: ReadonlySet<string>;
  /** `role.variable` read by a checked invariant or property. */
  private readonly visible: ReadonlySet<string>;
  private readonly deliveries: boolean;
  private readonly fires: boolean;
  private readonly unread: boolean;
  private readonly conflictOf: (role: RoleDependence, a: string, b: string) => Conflict;
  private readonly futures: Futures;
  private readonly deadDeliveries: DeadDeliveries | undefined;

  constructor(
    private readonly system: System,
    /** The state predicates the run checks: invariants and the parts of properties. */
    checked: readonly A.Expr[],
    /**
     * Choose among a node's safe deliveries the statement with the least key
     * rather than the least id (and among safe fires the least binding):
     * ids depend on the order a thread interned statements in, keys do not,
     * so every worker of the parallel search (parallel.ts) reduces a state
     * the same way.
     */
    private readonly byKey = false,
    options: ReductionOptions = {},
  ) {
    const program = system.model.program;
    this.certificateTypes = carrierTypes(program);
    this.deliveries = options.deliveries ?? true;
    this.fires = options.fires ?? true;
    this.unread = options.unread ?? true;
    this.conflictOf = options.conflict ?? ((role, a, b) => role.conflict(a, b));
    this.visible = visibleVariables(program, checked);
    const byRole = new Map<string, RoleDependence>();
    this.nodes = system.model.nodes.map((n) => {
      if (n.status !== 'correct' || n.role === undefined) return undefined;
      let deps = byRole.get(n.role.name);
      if (deps === undefined) {
        deps = new RoleDependence(n.role, program, this.certificateTypes);
        byRole.set(n.role.name, deps);
      }
      const env: EvalEnv = { me: n.name, bound: new Map() };
      const possible = n.role.transitions.filter((t) => deps.describe(t.name).nodeConjuncts.every((c) => holdsOrFails(() => system.ev.evalBool(c, env)))).map((t) => t.name);
      const unread = new Set(this.unread ? deps.unread().filter((t) => !this.writesVisible(n.role!.name, deps.describe(t).transition.decl.body)) : []);
      return { index: n.index, name: n.name, deps, possible, unread };
    });
    const dead = options.dead ?? true;
    const deadDeliveries = dead ? new DeadDeliveries(system, options.deadMutation) : undefined;
    this.futures = new Futures(system, this.nodes, this.certificateTypes, deadDeliveries === undefined ? undefined : (st, node, t) => deadDeliveries.neverFires(st, node, t));
    this.deadDeliveries = deadDeliveries;
  }

  /** `Role.Transition` for each transition whose fires nothing observes (see postponeUnread). */
  unreadTransitions(): string[] {
    const out = new Set<string>();
    for (const n of this.nodes) if (n !== undefined) for (const t of n.unread) out.add(`${n.deps.role.name}.${t}`);
    return [...out].sort();
  }

  /** Whether a step can change what a checked property reads: only a Fire that assigns a variable it reads. */
  visibleStep(a: Action): boolean {
    if (a.kind !== 'fire') return false;
    return this.writesVisible(a.transition.role, a.transition.decl.body);
  }

  private writesVisible(role: string, body: readonly A.Stmt[]): boolean {
    return assigned(body).some((v) => this.visible.has(`${role}.${v}`));
  }

  /**
   * The steps to expand `s` by: a single safe delivery, else a single safe
   * fire, else every enabled step.
   */
  reduce(s: State): Successor[] {
    const delivery = this.ample(s) ?? this.deadDelivery(s);
    if (delivery !== undefined) return [delivery];
    const all = this.system.successors(s);
    if (!this.fires) return all;
    const fire = this.safeFire(s, all);
    if (fire !== undefined) return [fire];
    return this.postponeUnread(all);
  }

  /**
   * Every step but the fires nothing observes (NodeReduction.unread), when
   * some other fair step is enabled: those fires change no variable any
   * other step or property reads, so taking them later, where nothing else
   * fair is left, shows the same valuations and reaches fair ends that
   * differ only in what they wrote (docs/checker.md, "Fires nothing reads").
   */
  private postponeUnread(all: readonly Successor[]): Successor[] {
    if (!this.unread) return [...all];
    const isUnread = (x: Successor): boolean => x.action.kind === 'fire' && this.nodes[x.action.node]?.unread.has(x.action.transition.name) === true;
    const rest = all.filter((x) => !isUnread(x));
    return rest.length < all.length && rest.some((x) => x.fairness !== undefined) ? rest : [...all];
  }

  /**
   * The reduced set at `s` when it is a single delivery: the first enabled
   * delivery that commutes with every step (see above). Undefined when there
   * is none.
   */
  ample(s: State): Successor | undefined {
    if (!this.deliveries) return undefined;
    const { interner } = this.system;
    for (const n of this.nodes) {
      if (n === undefined) continue;
      const dependent = this.dependentTypes(n, s);
      const known = s.known[n.index]!;
      const forgotten = s.forgotten[n.index]!;
      let best: { step: Successor; key: string } | undefined;
      for (const id of s.pool) {
        if (hasSorted(known, id) || hasSorted(forgotten, id)) continue;
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

  /**
   * A delivery no step of its receiver can ever read from `s` on (dead.ts),
   * certificates included: it commutes with every step, and the only step
   * that disables it, the delivery of a carrier of the same statement,
   * absorbs it (docs/checker.md, "Dead deliveries").
   */
  deadDelivery(s: State): Successor | undefined {
    const dd = this.deadDeliveries;
    if (dd === undefined) return undefined;
    const { interner } = this.system;
    for (const n of this.nodes) {
      if (n === undefined) continue;
      const known = s.known[n.index]!;
      const forgotten = s.forgotten[n.index]!;
      let best: { id: number; key: string } | undefined;
      for (const id of s.pool) {
        if (hasSorted(known, id) || hasSorted(forgotten, id)) continue;
        const st = interner.stmt(id);
        if (!st.verifiers.includes(n.name)) continue;
        if (best !== undefined && st.key >= best.key) continue;
        if (!dd.dead(s, n.index, id, n.possible)) continue;
        if (!this.byKey) return this.system.deliver(s, n.index, id);
        best = { id, key: st.key };
      }
      if (best !== undefined) return this.system.deliver(s, n.index, best.id);
    }
    return undefined;
  }

  /** A fire among `all` (the steps enabled at `s`) that forms a persistent, invisible set on its own. */
  private safeFire(s: State, all: readonly Successor[]): Successor | undefined {
    const candidates = new Map<string, boolean>();
    let closed: Set<string> | undefined;
    let best: { step: Successor; key: string } | undefined;
    for (const succ of all) {
      const a = succ.action;
      if (a.kind !== 'fire') continue;
      const n = this.nodes[a.node];
      if (n === undefined) continue;
      const t = a.transition.name;
      const at = `${a.node}:${t}`;
      let candidate = candidates.get(at);
      if (candidate === undefined) {
        candidate = this.fireCandidate(n, t);
        candidates.set(at, candidate);
      }
      if (!candidate) continue;
      // The transitions whose fires may not commute with this one must have none left to fire but this one.
      const conflicting = this.futures.live(n, s).filter((other) => !n.unread.has(other) && this.conflictOf(n.deps, t, other) !== undefined);
      if (conflicting.length > 0) {
        closed ??= this.futures.closedTypes(s);
        const self = succ.state.handled[a.node]!.find((id) => !hasSorted(s.handled[a.node]!, id));
        const c = closed;
        if (conflicting.some((other) => this.futures.otherInstancePossible(n, n.deps.describe(other).transition, s, self, c))) continue;
      }
      if (!this.byKey) return succ;
      const key = `${String(a.node).padStart(6, '0')}:${t}:${a.binding.map(([k, v]) => `${k}=${keyOf(v)}`).join(',')}`;
      if (best === undefined || key < best.key) best = { step: succ, key };
    }
    return best?.step;
  }

  /** Whether fires of `t` at node n may form a reduced set at all: bounded, invisible, unchanged by deliveries. */
  private fireCandidate(n: NodeReduction, t: string): boolean {
    const fp = n.deps.describe(t);
    if (fp.unbounded !== undefined || fp.knownReads.size > 0) return false;
    return !this.writesVisible(fp.transition.role, fp.transition.decl.body);
  }

  /** The record types whose delivery to n can change a fire n can still take (by the set of live transitions, cached). */
  private dependentTypes(n: NodeReduction, s: State): ReadonlySet<string> {
    const live = this.futures.live(n, s).filter((t) => !n.unread.has(t));
    const key = `${n.index}:${live.join(',')}`;
    let types = this.dependentCache.get(key);
    if (types === undefined) {
      types = deliveryDependentTypes(live.map((t) => n.deps.describe(t).transition), this.system.model.program.resolution);
      this.dependentCache.set(key, types);
    }
    return types;
  }
  private readonly dependentCache = new Map<string, ReadonlySet<string>>();

  /**
   * What `--por` says about fires: each transition that is never reduced, or
   * only once others are dead, and why.
   */
  report(): string[] {
    const out: string[] = [];
    const seen = new Set<string>();
    for (const n of this.nodes) {
      if (n === undefined || seen.has(n.deps.role.name)) continue;
      seen.add(n.deps.role.name);
      out.push(...roleReport(n.deps.role, n.deps, (t) => this.writesVisible(n.deps.role.name, t.decl.body), this.conflictOf));
      for (const t of n.unread) out.push(`${n.deps.role.name}.${t}: nothing reads what it writes: the reduction treats it as absent and takes it only where no other fair step is left`);
    }
    return out;
  }
}

function roleReport(role: RoleInfo, deps: RoleDependence, visible: (t: RoleInfo['transitions'][number]) => boolean, conflictOf: (role: RoleDependence, a: string, b: string) => Conflict): string[] {
  const out: string[] = [];
  for (const t of role.transitions) {
    const fp = deps.describe(t.name);
    const name = `${role.name}.${t.name}`;
    if (fp.unbounded !== undefined) out.push(`${name}: never reduced: ${fp.unbounded}`);
    else if (visible(t)) out.push(`${name}: never reduced: it writes a variable a checked property reads`);
    else if (fp.knownReads.size > 0) out.push(`${name}: never reduced: deliveries of ${[...fp.knownReads].sort().join(', ')} can change it (UNLESS, KNOWN or a quorum's issuers)`);
    else {
      const conflicts = role.transitions.map((o) => conflictOf(deps, t.name, o.name)).filter((c): c is string => c !== undefined);
      if (conflicts.length > 0) out.push(`${name}: reduced only where none of the fires it conflicts with can still happen: ${conflicts.join('; ')}`);
    }
  }
  return out;
}

function visibleVariables(program: CheckedProgram, checked: readonly A.Expr[]): ReadonlySet<string> {
  const visible = new Set<string>();
  const resolution = program.resolution;
  const collect = (e: A.Expr): void => {
    if (e.kind === 'field') {
      const sym = resolution.get(e.field.id);
      if (sym?.k === 'roleVar') visible.add(`${sym.role}.${sym.name}`);
    }
    children(e).forEach(collect);
  };
  checked.forEach(collect);
  // A function called from a property may read `p.var` too: count every function's reads.
  for (const d of program.ast.decls) if (d.kind === 'function' && d.body !== undefined) collect(d.body);
  return visible;
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
