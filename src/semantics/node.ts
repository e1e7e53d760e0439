// One correct node of the abstract pool, stepped one event at a time: the
// runtime runs it on real input, replay runs it on a recorded trace. It is
// the checker's semantics (System's matcher, body runner and fire-once
// identity) made incremental, so that a long run does not slow down:
//
// - what the node knows is a KnownIndex, updated as statements arrive;
// - a newly known statement is matched only where it can add something: each
//   pattern of its record type is pinned to it and the rest of the trigger is
//   joined through the indexes, with only the checks that cannot change later
//   ("static": no role variable, no KNOWN). Each such match is a pending
//   candidate, remembered by the statements it pins;
// - a pending candidate is re-checked in full (the same matcher, pinned, with
//   every check, the guard and UNLESS) only when something it reads changed:
//   a role variable of its transition, a statement type its KNOWN reads, or
//   a new candidate. It leaves the list when its instance fires, or when it
//   can never fire (its instance was handled or set aside, or a monotone
//   UNLESS holds).
// Which instance is enabled is decided by the same code the checker uses, so
// a run is a behaviour of the abstract pool.

import { children } from '../analysis/checker.js';
import type { TransitionInfo } from '../analysis/program.js';
import { holdsStatements } from '../analysis/types.js';
import type * as A from '../syntax/ast.js';
import type { StatementDraft } from './body.js';
import { checkCarriedKnown } from './certificates.js';
import { enumerate, inDomain } from './domain.js';
import { EvalError } from './errors.js';
import type { EvalEnv } from './eval.js';
import { describeBinding, instanceKeyOf } from './instance.js';
import { KnownIndex } from './known-index.js';
import { coveringMember, NodeForgetting, type ForgetVerdict } from './forget-node.js';
import type { CompiledCore, CompiledTransition } from './compiled/core.js';
import type { Frame } from './compiled/frame.js';
import { masked, type MatchOptions, type PatternMatch, type Pin } from './match.js';
import { flattenAnd, patternExprs } from './pattern-plan.js';
import { isInputTransition, type NodeInfo } from './model.js';
import { statementKey, type Statement } from './state.js';
import type { System } from './system.js';
import { carriedClosure, equalValues, keyOf, type Value } from './value.js';

/** The one combination of a transition without parameters (shared: nothing modifies it). */
const NO_PARAMS: readonly (readonly Value[])[] = [[]];

/** More combinations of parameters than this are not enumerated at each step. */
export const MAX_PARAMETER_COMBINATIONS = 4096;

/**
 * Where a pattern determines a parameter: a constraint `field == p`, or the
 * issuer `[p, ...]`. A match of that pattern has p equal to what it matched,
 * so only values some known statement carries are worth trying.
 */
interface ParamSource {
  readonly param: number;
  readonly pattern: number;
  readonly recordType: string;
  /** The field index, or 'issuer'. */
  readonly from: number | 'issuer';
}

interface Pending {
  readonly key: string;
  readonly params: readonly Value[];
  readonly pins: readonly (Pin | undefined)[];
  /** The instance it would fire, known from the pinned statements (none for candidates without patterns). */
  readonly instance?: string;
}

/** What learning a statement of one record type wakes: triggers whose KNOWN or UNLESS read it, and each pattern of that type. */
interface Wakes {
  readonly readers: Trigger[];
  readonly patterns: { readonly t: Trigger; readonly i: number; readonly quorum: boolean; readonly multivalent: readonly number[] }[];
}

interface Trigger {
  readonly info: TransitionInfo;
  readonly decl: A.Transition;
  readonly index: number;
  /** Parameters and no pattern: fired only when the application asks. */
  readonly input: boolean;
  readonly timeout: boolean;
  /** Conjuncts of the guard that read no role variable and no KNOWN. */
  readonly staticGuard: readonly A.Expr[];
  /** Role variable indices read anywhere in the trigger (patterns, guard, UNLESS). */
  readonly readsVars: ReadonlySet<number>;
  /** Record types read by KNOWN or UNLESS. */
  readonly readsTypes: ReadonlySet<string>;
  /** The UNLESS pattern reads role variables: its truth is not monotone. */
  readonly unlessDynamic: boolean;
  /** Per parameter of a trigger with patterns: the patterns that determine it (empty: enumerated). */
  readonly sources: readonly (readonly ParamSource[])[];
  /** Combinations of the parameters no pattern determines, by parameter index (the rest undefined). */
  readonly freeCombos: readonly (readonly (Value | undefined)[])[];
  readonly pending: Map<string, Pending>;
  dirty: boolean;
  /** The transition compiled (undefined under --reference: the interpreter runs it). */
  readonly compiled: CompiledTransition | undefined;
  /** Per pattern, the FORGET member that covers it (forget-node.ts, coveringMember), -1 for none. */
  readonly covers: readonly number[];
}

/**
 * One search of a trigger's bindings with given parameters, by whichever
 * engine runs the node: the interpreter over an EvalEnv, or the compiled core
 * over a frame. Both take the same decisions in the same order.
 */
interface Search {
  forEachMatch(onMatch: (m: readonly PatternMatch[]) => boolean, opts: MatchOptions): void;
  /** The guard's conjuncts that read no role variable and no KNOWN, in order. */
  staticGuard(): boolean;
  guard(): boolean;
  /** Whether the UNLESS pattern matches (false without one). */
  unless(): boolean;
  /** Parameters and binders now. */
  bound(): Map<number, Value>;
}

/** An instance found enabled: enough to fire it. */
export interface Enabled {
  readonly transition: TransitionInfo;
  /** The fire-once identity, `Transition(values...)`. */
  readonly instance: string;
  readonly binding: readonly (readonly [string, Value])[];
  /** Which pending candidate it came from (timers refer to it). */
  readonly candidate: string;
  readonly bound: ReadonlyMap<number, Value>;
  readonly matches: readonly PatternMatch[];
}

export interface VarChange {
  readonly index: number;
  readonly name: string;
  readonly before: Value;
  readonly after: Value;
}

export type StepResult =
  | {
      readonly kind: 'fired';
      readonly transition: TransitionInfo;
      readonly instance: string;
      readonly binding: readonly (readonly [string, Value])[];
      readonly changes: readonly VarChange[];
      readonly published: readonly Statement[];
      readonly drafts: readonly StatementDraft[];
      readonly matches: readonly PatternMatch[];
      /** Parameters, binders and body locals after the body ran (PROGRESS patterns read them). */
      readonly bound: ReadonlyMap<number, Value>;
    }
  | {
      readonly kind: 'aborted';
      readonly transition: TransitionInfo;
      readonly instance: string;
      readonly binding: readonly (readonly [string, Value])[];
      readonly error: EvalError;
    };

/**
 * A node machine's state apart from its program, for a checkpoint
 * (runtime/checkpoint.ts): restoring it on a fresh machine gives a machine
 * that continues as the one it was taken from.
 */
export interface MachineSnapshot {
  readonly vars: readonly Value[];
  readonly known: readonly Statement[];
  readonly handled: readonly string[];
  readonly setAside: readonly string[];
  readonly droppable: readonly (readonly [string, readonly string[]])[];
  readonly issued: readonly string[];
}

export type InputResult = StepResult | { readonly kind: 'refused'; readonly why: 'invalid' | 'fired' | 'guard'; readonly reason: string };

/** An evaluation that failed while matching (a guard or constraint), set aside and reported. */
export interface MatchProblem {
  readonly transition: TransitionInfo;
  readonly error: EvalError;
}

/**
 * Whether every correct node of the model can run: building a node machine
 * enumerates what must be enumerated (parameters no pattern binds) and
 * evaluates initial values, so a program a run cannot execute is refused
 * before any node starts, with the location of the cause.
 */
export function runnable(system: System): EvalError | undefined {
  for (const n of system.model.nodes) {
    if (n.role === undefined || n.status !== 'correct') continue;
    try {
      new NodeMachine(system, n);
    } catch (e) {
      if (e instanceof EvalError) return e;
      throw e;
    }
  }
  return undefined;
}

export class NodeMachine {
  readonly known: KnownIndex;
  private vars: Value[];
  private readonly handled = new Set<string>();
  private readonly setAside = new Set<string>();
  private readonly triggers: Trigger[] = [];
  private readonly byName = new Map<string, Trigger>();
  private readonly armed = new Set<string>();
  private armable: Enabled[] = [];
  private problems: MatchProblem[] = [];
  private cursor = 0;
  private nextId = 0;
  /** Keys of the statements this node published, kept only when a record can carry statements: those it may carry without knowing them. */
  private readonly issued = new Set<string>();
  private readonly carriesCertificates: boolean;
  /** Each PROGRESS pattern's compiled transition (empty under --reference). */
  private readonly progressOf = new Map<A.Pattern, CompiledTransition>();
  /** What a newly known statement wakes, by record type (set once the triggers are built). */
  private readonly wakes: Map<string, Wakes>;
  /** The role's FORGET members at work (issue 23 item 4); undefined when it forgets nothing. */
  private readonly forgetting: NodeForgetting | undefined;
  /**
   * Fire-once entries that go when a statement of a record is forgotten
   * under a FORGET member, by `member|record key`: the member covers a
   * pattern of the instance (coveringMember), so the instance can never be
   * enabled again.
   */
  private readonly droppable = new Map<string, string[]>();
  /**
   * Called just before statements leave the known set, while they are
   * still there: a runtime judges then what it judges over the known set
   * and must not miss (a PROGRESS pattern that held, latched).
   */
  beforeForget: (() => void) | undefined;

  constructor(
    readonly system: System,
    readonly node: NodeInfo,
  ) {
    if (node.role === undefined) throw new Error(`${node.name} runs no role`);
    this.known = new KnownIndex(system.model.everyone);
    this.carriesCertificates = [...system.ev.program.records.values()].some((r) => r.fields.some((f) => holdsStatements(f.domain)));
    const env: EvalEnv = { me: node.name, bound: new Map() };
    const core = system.core;
    const initial = (e: A.Expr): Value => (core === undefined ? system.ev.eval(e, env) : core.initialValue(e, node.name));
    this.vars = node.role.vars.map((v) => system.ev.checkDomain(initial(v.decl.init), v.domain, `the initial value of ${v.name}`, v.decl.init.span));
    const varIdx = system.varIndexOf(node.role.name);
    this.forgetting = NodeForgetting.of(node.role, system.ev, system.matcher, system.model.everyone, node.name, varIdx);
    const forgets = node.role.forgets;
    node.role.transitions.forEach((info, index) => {
      const decl = info.decl;
      const input = isInputTransition(decl);
      const conjuncts = decl.guard === undefined ? [] : flattenAnd(decl.guard);
      const readsVars = new Set<number>();
      const readsTypes = new Set<string>();
      const exprs: A.Expr[] = [...conjuncts];
      for (const p of decl.patterns) exprs.push(...patternExprs(p));
      if (decl.unless !== undefined) {
        exprs.push(...patternExprs(decl.unless));
        readsTypes.add(decl.unless.recordType.name);
      }
      for (const e of exprs) collectReads(e, system, varIdx, readsVars, readsTypes);
      const unlessDynamic = decl.unless !== undefined && patternExprs(decl.unless).some((e) => system.matcher.isDynamic(e));
      const sources = input ? [] : paramSources(decl, system);
      let freeCombos: (readonly (Value | undefined)[])[] = [[]];
      if (!input && decl.params.length > 0) {
        const domains = decl.params.map((p, i) => (sources[i]!.length > 0 ? [undefined] : enumerate(system.ev.program.domainOf.get(p.id)!, system.ev, p.span)));
        const count = domains.reduce((n, d) => n * d.length, 1);
        if (count > MAX_PARAMETER_COMBINATIONS) {
          const free = decl.params.filter((_, i) => sources[i]!.length === 0).map((p) => p.name.name);
          throw new EvalError('MOM502', `transition ${info.name} has ${count} combinations of parameters that its patterns do not bind (${free.join(', ')}; more than ${MAX_PARAMETER_COMBINATIONS}); bind them in a pattern (e.g. a constraint \`field == ${free[0]}\`) or shrink their types`, decl.span);
        }
        freeCombos = combinations(domains);
      }
      const staticGuard = conjuncts.filter((c) => !system.matcher.isDynamic(c));
      const compiled = core?.transition(info, varIdx);
      for (const p of compiled?.progress.keys() ?? []) this.progressOf.set(p, compiled!);
      const t: Trigger = {
        info, decl, index, input, timeout: decl.kind === 'timeout', staticGuard,
        readsVars, readsTypes, unlessDynamic, sources, freeCombos, pending: new Map(), dirty: false, compiled,
        covers: forgets.length === 0 ? [] : decl.patterns.map((p) => coveringMember(forgets, p)),
      };
      this.triggers.push(t);
      this.byName.set(info.name, t);
      // A trigger with no pattern has one candidate from the start.
      if (!input && decl.patterns.length === 0) {
        for (const params of freeCombos) this.addCandidate(t, params as readonly Value[], []);
      }
    });
    this.wakes = this.wakesOf();
  }

  get name(): string {
    return this.node.name;
  }

  /** The role variables' current values (do not modify). */
  get variables(): readonly Value[] {
    return this.vars;
  }

  get handledCount(): number {
    return this.handled.size;
  }

  /** Whether the role forgets anything (FORGET). */
  get forgets(): boolean {
    return this.forgetting !== undefined;
  }

  /** What forgetting has done and holds (undefined when the role forgets nothing). */
  get forgetCounts(): { readonly forgotten: number; readonly absorbed: number; readonly judged: number; readonly watching: number; readonly droppable: number } | undefined {
    const f = this.forgetting;
    if (f === undefined) return undefined;
    let droppable = 0;
    for (const l of this.droppable.values()) droppable += l.length;
    return { ...f.counts, watching: f.watching, droppable };
  }

  /** The state a checkpoint keeps (sorted, so that two machines in one state give one snapshot). */
  snapshot(): MachineSnapshot {
    const sorted = (xs: Iterable<string>): string[] => [...xs].sort();
    return {
      vars: this.vars.slice(),
      known: [...this.known.all()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
      handled: sorted(this.handled),
      setAside: sorted(this.setAside),
      droppable: [...this.droppable].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, l]) => [k, l.slice()] as const),
      issued: sorted(this.issued),
    };
  }

  /**
   * A snapshot's state on this fresh machine: variables first, then each
   * retained statement learned as if delivered (its candidates found, what
   * it waits for to be forgotten filed), fire-once entries as they were.
   */
  restore(s: MachineSnapshot): void {
    this.vars = s.vars.slice();
    for (const i of s.handled) this.handled.add(i);
    for (const i of s.setAside) this.setAside.add(i);
    for (const [k, l] of s.droppable) this.droppable.set(k, l.slice());
    for (const k of s.issued) this.issued.add(k);
    const fresh = s.known.map((st) => this.statement(st.issuer, st.verifiers, st.auditors, st.record)).filter((st) => this.learnOne(st));
    if (this.forgetting !== undefined) this.forgetAmong(fresh);
    for (const t of this.triggers) t.dirty = true;
  }

  get pendingCount(): number {
    return this.triggers.reduce((n, t) => n + t.pending.size, 0);
  }

  transition(name: string): TransitionInfo | undefined {
    return this.byName.get(name)?.info;
  }

  /** Makes a statement value (not yet known to anyone). */
  statement(issuer: string, verifiers: readonly string[], auditors: readonly string[], record: Statement['record']): Statement {
    return new NodeStatement(this.nextId++, issuer, verifiers, auditors, record);
  }

  knows(key: string): boolean {
    return this.known.has(key);
  }

  /**
   * The node comes to know `s` (a delivery, or its own publication) and every
   * statement carried in it, transitively, as one event: false when it
   * already knew `s` (a duplicate has no second effect; what a known
   * statement carries is known already).
   */
  learn(s: Statement): boolean {
    return this.receive(s) === 'learned';
  }

  /**
   * `learn`, saying why not: `known` for a duplicate, `absorbed` for a
   * statement this node may forget already (forgotten before, and stable
   * conditions stay true: a late copy or a retransmission) that carries
   * nothing it may not forget. Absorbing one is Deliver putting it straight
   * into forgotten with no other effect, or not delivering it yet: either
   * way nothing a transition sees changes (ForgetUnobservable), and nothing
   * is logged.
   */
  receive(s: Statement): 'learned' | 'known' | 'absorbed' {
    if (this.known.hasStatement(s)) return 'known';
    const fg = this.forgetting;
    if (fg === undefined) {
      this.learnOne(s);
      // A program whose records carry no statements has nothing to walk (and nothing to allocate for it).
      if (!this.carriesCertificates) return 'learned';
      for (const c of carriedClosure(s.record)) {
        if (!this.known.has(c.key)) this.learnOne(this.statement(c.issuer, c.verifiers, c.auditors, c.record));
      }
      return 'learned';
    }
    const carried = carriedClosure(s.record)
      .filter((c) => !this.known.has(c.key))
      .map((c) => this.statement(c.issuer, c.verifiers, c.auditors, c.record))
      // A carried statement the node may forget is not learned (Deliver leaves out what it forgot).
      .filter((c) => !fg.names(c.record.type) || this.judge(c).kind !== 'now');
    if (carried.length === 0 && fg.names(s.record.type) && this.judge(s).kind === 'now') {
      fg.counts.absorbed++;
      return 'absorbed';
    }
    const fresh = [s];
    this.learnOne(s);
    for (const c of carried) if (this.learnOne(c)) fresh.push(c);
    this.forgetAmong(fresh);
    return 'learned';
  }

  /** What the FORGET members say of `s` now; a condition that fails to evaluate keeps the statement. */
  private judge(s: Statement): ForgetVerdict {
    try {
      return this.forgetting!.verdict(s, this.vars);
    } catch (e) {
      if (e instanceof EvalError) return { kind: 'never' };
      throw e;
    }
  }

  /**
   * The end of a step that learned `fresh` or changed variables: each of
   * these statements the node may forget now leaves the known set and the
   * indexes; the others are filed under what blocks them.
   */
  private forgetAmong(list: Iterable<Statement>): void {
    const fg = this.forgetting!;
    const gone: { s: Statement; members: readonly number[] }[] = [];
    for (const s of list) {
      if (!this.known.has(s.key) || !fg.names(s.record.type)) continue;
      const v = this.judge(s);
      if (v.kind === 'now') gone.push({ s, members: v.members });
      else if (v.kind === 'wait') fg.file(s, v.watches);
    }
    if (gone.length === 0) return;
    this.beforeForget?.();
    const types = new Set<string>();
    for (const { s, members } of gone) {
      if (!this.known.remove(s)) continue;
      fg.counts.forgotten++;
      types.add(s.record.type);
      for (const m of members) {
        const k = `${m}|${s.record.key}`;
        const dead = this.droppable.get(k);
        if (dead === undefined) continue;
        for (const i of dead) this.handled.delete(i);
        this.droppable.delete(k);
      }
    }
    // Candidates pinned to a forgotten statement (or a quorum group none of whose statements is left) can never fire.
    for (const type of types) {
      for (const { t, i, quorum, multivalent } of this.wakes.get(type)?.patterns ?? []) {
        for (const c of t.pending.values()) {
          const pin = c.pins[i];
          if (pin === undefined) continue;
          if (pin.kind === 'stmt' ? !this.known.has(pin.stmt.key) : quorum && multivalent.length === 0 && this.known.knownWithRecord(type, pin.identityKey).length === 0) t.pending.delete(c.key);
        }
      }
    }
  }

  private learnOne(s: Statement): boolean {
    if (!this.known.add(s)) return false;
    const type = s.record.type;
    const wakes = this.wakes.get(type);
    if (wakes === undefined) return true;
    for (const t of wakes.readers) t.dirty = true;
    for (const { t, i, quorum, multivalent } of wakes.patterns) {
      const pins: (Pin | undefined)[] = new Array<Pin | undefined>(t.decl.patterns.length).fill(undefined);
      pins[i] = quorum ? { kind: 'group', type, identityKey: masked(s.record, multivalent).key } : { kind: 'stmt', stmt: s };
      for (const params of this.paramValues(t, i, s)) this.matchNew(t, params, pins, i);
    }
    return true;
  }

  /** Per record type, what a new statement of it wakes, in trigger then pattern order (learnOne's loop, decided once). */
  private wakesOf(): Map<string, Wakes> {
    const out = new Map<string, Wakes>();
    const of = (type: string): Wakes => {
      let w = out.get(type);
      if (w === undefined) {
        w = { readers: [], patterns: [] };
        out.set(type, w);
      }
      return w;
    };
    for (const t of this.triggers) {
      for (const type of t.readsTypes) of(type).readers.push(t);
      if (t.input) continue;
      const multivalent = this.system.matcher.compile(t.decl.patterns).multivalent;
      t.decl.patterns.forEach((p, i) => {
        of(p.recordType.name).patterns.push({ t, i, quorum: p.issuer.kind === 'quorum', multivalent: multivalent[i]! });
      });
    }
    return out;
  }

  /** The next enabled instance of a transition that fires by itself (not input, not timeout), fairly: round robin over transitions, oldest candidate first. */
  nextEnabled(): Enabled | undefined {
    const n = this.triggers.length;
    for (let k = 0; k < n; k++) {
      const t = this.triggers[(this.cursor + k) % n]!;
      if (!t.dirty || t.input) continue;
      const found = this.scan(t);
      if (found !== undefined) {
        this.cursor = (t.index + 1) % n;
        return found;
      }
      t.dirty = false;
    }
    return undefined;
  }

  /** Timeout instances found enabled since the last call, each reported once until its timer expires. */
  takeArmable(): Enabled[] {
    const out = this.armable;
    this.armable = [];
    return out;
  }

  /** Evaluation failures met while matching since the last call. */
  takeProblems(): MatchProblem[] {
    const out = this.problems;
    this.problems = [];
    return out;
  }

  /** A timer ran out: fires the timeout instance if it is still enabled. */
  expire(transition: string, candidate: string): StepResult | undefined {
    this.armed.delete(candidate);
    const t = this.byName.get(transition);
    const c = t?.pending.get(candidate);
    if (t === undefined || c === undefined) return undefined;
    const e = this.check(t, c);
    if (e === 'dead') {
      t.pending.delete(candidate);
      return undefined;
    }
    if (e === 'disabled') return undefined;
    return this.fire(e);
  }

  /** The application asks for an input transition with these parameter values. */
  input(transition: string, params: readonly Value[]): InputResult {
    const t = this.byName.get(transition);
    if (t === undefined) return { kind: 'refused', why: 'invalid', reason: `${this.node.role!.name} has no transition ${transition}` };
    if (!t.input) return { kind: 'refused', why: 'invalid', reason: `${transition} is not an input transition (it has patterns or no parameters)` };
    if (params.length !== t.decl.params.length) return { kind: 'refused', why: 'invalid', reason: `${transition} takes ${t.decl.params.length} parameters, not ${params.length}` };
    try {
      t.decl.params.forEach((p, i) => this.system.ev.checkDomain(params[i]!, this.system.ev.program.domainOf.get(p.id)!, `parameter ${p.name.name}`, p.span));
    } catch (e) {
      if (e instanceof EvalError) return { kind: 'refused', why: 'invalid', reason: e.message };
      throw e;
    }
    const c: Pending = { key: candidateKey(t, params, []), params, pins: [] };
    const e = this.check(t, c);
    if (e === 'dead') return { kind: 'refused', why: 'fired', reason: `${transition}(${params.map((v) => this.system.ev.show(v)).join(', ')}) already fired` };
    if (e === 'disabled') return { kind: 'refused', why: 'guard', reason: `the guard of ${transition} is false` };
    return this.fire(e);
  }

  /** Whether an instance with this identity has fired (or was set aside). */
  hasHandled(instance: string): boolean {
    return this.handled.has(instance) || this.setAside.has(instance);
  }

  /** Runs the body of an enabled instance atomically. */
  fire(e: Enabled): StepResult {
    const t = this.byName.get(e.transition.name)!;
    const vars = this.vars.slice();
    const roleVars = this.system.roleVars(this.node.role!);
    const ct = t.compiled;
    const core = this.system.core;
    let drafts: StatementDraft[];
    let after: () => ReadonlyMap<number, Value>;
    try {
      if (ct !== undefined && core !== undefined && !this.system.hasBodyProgram(t.info)) {
        const f = ct.slots.fromMap(e.bound, this.node.name, vars, this.known);
        drafts = core.runBody(ct, f, roleVars);
        after = () => ct.slots.toMap(f);
      } else {
        const bodyEnv: EvalEnv = { ...this.env(new Map(e.bound)), vars };
        drafts = this.system.runBody(t.info, bodyEnv, roleVars);
        after = () => bodyEnv.bound;
      }
      checkCarriedKnown(drafts, this.node.name, (k) => this.knows(k), (k) => this.issued.has(k));
      // ForgetStable at run time: the models checked it, a run's constants may reach further.
      const back = this.forgetting === undefined ? undefined : this.system.forgetting.wentBack(this.node.role!, this.vars, vars);
      if (back !== undefined) throw new EvalError('MOM508', `${back}: a statement this node forgot may be needed again, so the step is not taken`, t.decl.span);
    } catch (err) {
      if (!(err instanceof EvalError)) throw err;
      // Not retried: in the model an instance that never fires is an unfair
      // step, not a different one.
      this.setAside.add(e.instance);
      t.pending.delete(e.candidate);
      return { kind: 'aborted', transition: e.transition, instance: e.instance, binding: e.binding, error: err };
    }
    this.handled.add(e.instance);
    t.pending.delete(e.candidate);
    t.covers.forEach((m, i) => {
      if (m < 0) return;
      const k = `${m}|${e.matches[i]!.identity.key}`;
      const list = this.droppable.get(k);
      if (list === undefined) this.droppable.set(k, [e.instance]);
      else list.push(e.instance);
    });
    const changes: VarChange[] = [];
    const names = this.system.roleVars(this.node.role!).names;
    vars.forEach((v, i) => {
      if (!equalValues(v, this.vars[i]!)) changes.push({ index: i, name: names[i]!, before: this.vars[i]!, after: v });
    });
    this.vars = vars;
    if (changes.length > 0) {
      for (const u of this.triggers) if (changes.some((c) => u.readsVars.has(c.index))) u.dirty = true;
    }
    const published = drafts.map((d) => this.statement(d.issuer, d.verifiers, d.auditors, d.record));
    for (const s of published) {
      if (this.carriesCertificates) this.issued.add(s.key);
      if (s.verifiers.includes(this.node.name)) this.learn(s);
    }
    const fg = this.forgetting;
    if (fg !== undefined && changes.length > 0) {
      const woken = new Set<Statement>();
      for (const c of changes) fg.wake(c.index, c.before, c.after, woken);
      this.forgetAmong(woken);
    }
    return { kind: 'fired', transition: e.transition, instance: e.instance, binding: e.binding, changes, published, drafts, matches: e.matches, bound: after() };
  }

  /**
   * Finds the enabled instance with this identity among the candidates, for
   * replay: the recorded step must be one the semantics allows here.
   */
  findEnabled(transition: string, instance: string): Enabled | 'handled' | undefined {
    const t = this.byName.get(transition);
    if (t === undefined) return undefined;
    if (this.handled.has(instance) || this.setAside.has(instance)) return 'handled';
    for (const c of t.pending.values()) {
      const e = this.check(t, c);
      if (e !== 'dead' && e !== 'disabled' && e.instance === instance) return e;
    }
    return undefined;
  }

  /** Parameter values of an input instance, checked and enabled, for replay. */
  findInput(transition: string, params: readonly Value[]): Enabled | 'handled' | undefined {
    const t = this.byName.get(transition);
    if (t === undefined || !t.input || params.length !== t.decl.params.length) return undefined;
    const e = this.check(t, { key: candidateKey(t, params, []), params, pins: [] });
    if (e === 'dead') return 'handled';
    return e === 'disabled' ? undefined : e;
  }

  /** Marks an instance set aside (replay of an aborted step). */
  setAsideInstance(transition: string, instance: string, candidate: string): void {
    this.setAside.add(instance);
    this.byName.get(transition)?.pending.delete(candidate);
  }

  /** Whether a pattern matches what the node knows now, with these bindings (PROGRESS). */
  holds(p: A.Pattern, bound: ReadonlyMap<number, Value>): boolean {
    const ct = this.progressOf.get(p);
    const core = this.system.core;
    try {
      if (ct !== undefined && core !== undefined) return core.joins.exists(ct.progress.get(p)!, ct.slots.fromMap(bound, this.node.name, this.vars, this.known), this.known);
      return this.system.matcher.existsOne(p, this.env(new Map(bound)), this.known);
    } catch (e) {
      if (e instanceof EvalError) return false;
      throw e;
    }
  }

  private env(bound: Map<number, Value>): EvalEnv {
    return {
      me: this.node.name,
      vars: this.vars,
      varIndex: this.system.varIndexOf(this.node.role!.name),
      bound,
      known: (p, e) => this.system.matcher.existsOne(p, e, this.known),
      knownStatements: (p, e) => this.system.matcher.statementsOf(p, e, this.known),
    };
  }

  /**
   * The parameter combinations worth matching when pattern `pinned` takes
   * `s`: a determined parameter takes the value `s` carries when the pinned
   * pattern determines it, else the values known statements carry where
   * another pattern does; values outside the parameter's type are skipped.
   * The matcher still checks every constraint: this only chooses what to try.
   */
  private paramValues(t: Trigger, pinned: number, s: Statement): readonly (readonly Value[])[] {
    if (t.decl.params.length === 0) return NO_PARAMS;
    const choices = t.decl.params.map((p, i): readonly Value[] | undefined => {
      const src = t.sources[i]!;
      if (src.length === 0) return undefined;
      const dom = this.system.ev.program.domainOf.get(p.id)!;
      const own = src.find((x) => x.pattern === pinned);
      const values = own !== undefined ? [sourceValue(own, s)] : distinctValues(this.known.knownOfType(src[0]!.recordType), src[0]!);
      return values.filter((v) => inDomain(v, dom, this.system.ev));
    });
    let out: (readonly Value[])[] = [];
    let count = 0;
    for (const free of t.freeCombos) {
      let partial: Value[][] = [[]];
      t.decl.params.forEach((_, i) => {
        const c = choices[i];
        partial = c === undefined ? partial.map((pre) => [...pre, free[i]!]) : partial.flatMap((pre) => c.map((v) => [...pre, v]));
      });
      count += partial.length;
      if (count > MAX_PARAMETER_COMBINATIONS) {
        this.problems.push({ transition: t.info, error: new EvalError('MOM502', `transition ${t.info.name}: more than ${MAX_PARAMETER_COMBINATIONS} combinations of parameters are carried by known statements; matched only the first ${MAX_PARAMETER_COMBINATIONS}`, t.decl.span) });
        out = out.concat(partial).slice(0, MAX_PARAMETER_COMBINATIONS);
        break;
      }
      out = out.concat(partial);
    }
    return out;
  }

  private matchNew(t: Trigger, params: readonly Value[], pins: readonly (Pin | undefined)[], first: number): void {
    const search = this.search(t, params);
    try {
      search.forEachMatch((matches) => {
        if (!search.staticGuard()) return true;
        // The identity depends only on what is pinned: a later copy of a
        // quorum's statement (a fourth reply) must not bring back an instance that fired.
        const instance = instanceKeyOf(t.info.name, params, matches);
        if (this.handled.has(instance) || this.setAside.has(instance)) return true;
        this.addCandidate(t, params, matches.map((m) => m.pin), instance);
        return true;
      }, { pins, staticOnly: true, first });
    } catch (e) {
      if (!(e instanceof EvalError)) throw e;
      this.problems.push({ transition: t.info, error: e });
    }
  }

  /** A search of `t`'s bindings with these parameters, by the compiled core or (--reference) the interpreter. */
  private search(t: Trigger, params: readonly Value[]): Search {
    const ct = t.compiled;
    const core = this.system.core;
    if (ct !== undefined && core !== undefined) return new CompiledSearch(core, ct, core.frame(ct, this.node.name, this.vars, this.known, params), this.known);
    return new ReferenceSearch(this.system, t.decl, t.staticGuard, this.env(bindParams(t.decl, params)), this.known);
  }

  private addCandidate(t: Trigger, params: readonly Value[], pins: readonly Pin[], instance?: string): void {
    const key = candidateKey(t, params, pins);
    if (!t.pending.has(key)) t.pending.set(key, instance === undefined ? { key, params, pins } : { key, params, pins, instance });
    t.dirty = true;
  }

  /** Re-checks each candidate of `t` in insertion order; returns the first enabled one that fires by itself. */
  private scan(t: Trigger): Enabled | undefined {
    for (const c of t.pending.values()) {
      const e = this.check(t, c);
      if (e === 'dead') {
        t.pending.delete(c.key);
        continue;
      }
      if (e === 'disabled') continue;
      if (!t.timeout) return e;
      if (!this.armed.has(c.key)) {
        this.armed.add(c.key);
        this.armable.push(e);
      }
    }
    return undefined;
  }

  /** The full check of one candidate, as the checker decides enabledness. */
  private check(t: Trigger, c: Pending): Enabled | 'dead' | 'disabled' {
    if (c.instance !== undefined && (this.handled.has(c.instance) || this.setAside.has(c.instance))) return 'dead';
    // A pinned statement the node forgot never comes back.
    if (this.forgetting !== undefined && c.pins.some((p) => p?.kind === 'stmt' && !this.known.has(p.stmt.key))) return 'dead';
    const search = this.search(t, c.params);
    let result: Enabled | 'dead' | 'disabled' = 'disabled';
    try {
      search.forEachMatch((matches) => {
        if (!search.guard()) return false;
        const instance = instanceKeyOf(t.info.name, c.params, matches);
        if (this.handled.has(instance) || this.setAside.has(instance)) {
          result = 'dead';
          return false;
        }
        if (search.unless()) {
          // Known statements only grow: an UNLESS that reads no variable stays true.
          if (!t.unlessDynamic) result = 'dead';
          return false;
        }
        const bound = search.bound();
        result = { transition: t.info, instance, binding: describeBinding(t.decl, c.params, { bound }), candidate: c.key, bound, matches };
        return false;
      }, { pins: c.pins });
    } catch (e) {
      if (!(e instanceof EvalError)) throw e;
      this.problems.push({ transition: t.info, error: e });
      return 'dead';
    }
    return result;
  }
}

/** A search by the compiled core over a frame of the transition (one object per search, no closures). */
class CompiledSearch implements Search {
  constructor(
    private readonly core: CompiledCore,
    private readonly ct: CompiledTransition,
    private readonly f: Frame,
    private readonly known: KnownIndex,
  ) {}

  forEachMatch(onMatch: (m: readonly PatternMatch[]) => boolean, opts: MatchOptions): void {
    this.core.joins.forEachMatch(this.ct.joins[opts.first ?? 0]!, this.f, this.known, onMatch, opts);
  }

  staticGuard(): boolean {
    for (const g of this.ct.staticGuard) if (!g(this.f)) return false;
    return true;
  }

  guard(): boolean {
    return this.ct.guard === undefined || this.ct.guard(this.f);
  }

  unless(): boolean {
    return this.ct.unless !== undefined && this.core.joins.exists(this.ct.unless, this.f, this.known);
  }

  bound(): Map<number, Value> {
    return this.ct.slots.toMap(this.f);
  }
}

/** A search by the interpreter (--reference) over an environment. */
class ReferenceSearch implements Search {
  constructor(
    private readonly system: System,
    private readonly decl: A.Transition,
    private readonly staticGuards: readonly A.Expr[],
    private readonly env: EvalEnv,
    private readonly known: KnownIndex,
  ) {}

  forEachMatch(onMatch: (m: readonly PatternMatch[]) => boolean, opts: MatchOptions): void {
    this.system.matcher.forEachMatch(this.decl.patterns, this.env, this.known, onMatch, opts);
  }

  staticGuard(): boolean {
    return this.staticGuards.every((g) => this.system.ev.evalBool(g, this.env));
  }

  guard(): boolean {
    return this.decl.guard === undefined || this.system.ev.evalBool(this.decl.guard, this.env);
  }

  unless(): boolean {
    return this.decl.unless !== undefined && this.system.matcher.existsOne(this.decl.unless, this.env, this.known);
  }

  bound(): Map<number, Value> {
    return new Map(this.env.bound);
  }
}

/**
 * A statement as a node machine makes it: its key (the abstract identity,
 * `statementKey`) is built the first time something asks for it. On the
 * runtime's path nothing does (the known index finds a statement's equal by
 * its record and principals, a candidate names a pinned statement by its
 * id), so a delivered statement costs no key string.
 */
class NodeStatement implements Statement {
  readonly kind = 'statement';
  private k: string | undefined;

  constructor(
    readonly id: number,
    readonly issuer: string,
    readonly verifiers: readonly string[],
    readonly auditors: readonly string[],
    readonly record: Statement['record'],
  ) {}

  get key(): string {
    if (this.k === undefined) this.k = statementKey(this.issuer, this.verifiers, this.auditors, this.record);
    return this.k;
  }
}

function bindParams(decl: A.Transition, params: readonly Value[]): Map<number, Value> {
  const m = new Map<number, Value>();
  decl.params.forEach((p, i) => m.set(p.name.id, params[i]!));
  return m;
}

function candidateKey(t: Trigger, params: readonly Value[], pins: readonly (Pin | undefined)[]): string {
  // A pinned statement is a known one, and a node knows one object per
  // statement (KnownIndex.add refuses an equal one): its id names it without
  // its key string.
  // Built in one pass: `params joined by ','` then `|` and each pin's part joined by '|'.
  let out = '';
  for (let i = 0; i < params.length; i++) out += i === 0 ? keyOf(params[i]!) : `,${keyOf(params[i]!)}`;
  out += '|';
  for (let i = 0; i < pins.length; i++) {
    const p = pins[i];
    if (i > 0) out += '|';
    if (p !== undefined) out += p.kind === 'stmt' ? `#${p.stmt.id}` : `${p.type}#${p.identityKey}`;
  }
  return out;
}


function collectReads(e: A.Expr, system: System, varIdx: ReadonlyMap<string, number>, vars: Set<number>, types: Set<string>): void {
  if (e.kind === 'name') {
    const s = system.ev.program.resolution.get(e.id);
    if (s?.k === 'roleVar') {
      const i = varIdx.get(s.name);
      if (i !== undefined) vars.add(i);
    }
  }
  if (e.kind === 'known') {
    types.add(e.pattern.recordType.name);
    for (const x of patternExprs(e.pattern)) collectReads(x, system, varIdx, vars, types);
  }
  for (const x of children(e)) collectReads(x, system, varIdx, vars, types);
}

function paramSources(decl: A.Transition, system: System): (readonly ParamSource[])[] {
  const resolution = system.ev.program.resolution;
  const paramOf = (e: A.Expr): number => {
    if (e.kind !== 'name') return -1;
    const sym = resolution.get(e.id);
    return sym?.k === 'bound' && sym.origin === 'param' ? decl.params.findIndex((p) => p.name.id === sym.declId) : -1;
  };
  const out: ParamSource[][] = decl.params.map(() => []);
  decl.patterns.forEach((p, pattern) => {
    const recordType = p.recordType.name;
    if (p.issuer.kind === 'principal') {
      const param = paramOf(p.issuer.expr);
      if (param >= 0) out[param]!.push({ param, pattern, recordType, from: 'issuer' });
    }
    const fields = system.ev.program.records.get(recordType)?.fields ?? [];
    for (const c of p.constraints) {
      if (c.kind !== 'eq') continue;
      const param = paramOf(c.value);
      const field = fields.findIndex((f) => f.name === c.field.name);
      if (param >= 0 && field >= 0) out[param]!.push({ param, pattern, recordType, from: field });
    }
  });
  return out;
}

function sourceValue(src: ParamSource, s: Statement): Value {
  return src.from === 'issuer' ? s.issuer : s.record.fields[src.from]!;
}

function distinctValues(known: readonly Statement[], src: ParamSource): Value[] {
  const seen = new Map<string, Value>();
  for (const s of known) {
    const v = sourceValue(src, s);
    seen.set(keyOf(v), v);
  }
  return [...seen.values()];
}

function combinations<V>(domains: readonly (readonly V[])[]): V[][] {
  let out: V[][] = [[]];
  for (const d of domains) out = out.flatMap((prefix) => d.map((v) => [...prefix, v]));
  return out;
}
