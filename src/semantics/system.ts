// The abstract pool's steps (docs/language.md, "The abstract pool"): Fire,
// Deliver and Byzantine publication, over the state of state.ts. The model
// checker explores these; the runtime (later) reuses the matcher and body
// executor as they are.

import type { RoleInfo, TransitionInfo } from '../analysis/program.js';
import { CompiledCore, type CompiledTransition } from './compiled/core.js';
import type { Frame } from './compiled/frame.js';
import { BodyRunner, type RoleVars, type SpecWrites, type StatementDraft } from './body.js';
import { describeBinding, instanceValues } from './instance.js';
import { enumerate } from './domain.js';
import { checkCarriedKnown } from './certificates.js';
import { EvalError, StepError } from './errors.js';
import type { EvalEnv, Evaluator } from './eval.js';
import { Matcher, type MatchWorld } from './match.js';
import type { ByzantineSend, ModelInstance, NodeInfo } from './model.js';
import { carrierRecords } from './byzantine-carriers.js';
import { Forgetting, programForgets, seesForgotten } from './forget.js';
import { answerOf, answerWentBack, programAnswers } from './answer.js';
import { hasSorted, insertAllSorted, insertSorted, Interner, unionSorted, type State, type Statement } from './state.js';
import { keyOf, type RecordValue, type Value } from './value.js';

export type Action =
  | {
      readonly kind: 'fire';
      readonly node: number;
      readonly transition: TransitionInfo;
      /** Rendered parameters and binders, for traces. */
      readonly binding: readonly (readonly [string, Value])[];
      readonly published: readonly number[];
    }
  | { readonly kind: 'deliver'; readonly node: number; readonly statement: number }
  | { readonly kind: 'byzantine'; readonly node: number; readonly statement: number };

export interface Successor {
  readonly action: Action;
  readonly state: State;
  /**
   * The weak-fairness class of the step: `F<node>:<transition>` for a correct
   * node's transition, `D<node>` for delivery to a node; undefined for
   * Byzantine steps, which are never forced.
   */
  readonly fairness?: string;
}

/** A call CallsAnswered follows (answer.ts): node `node`'s input `transition` with `params`, fired as instance `instance`. */
export interface AnswerCall {
  readonly label: string;
  readonly node: number;
  readonly transition: TransitionInfo;
  readonly params: readonly Value[];
  readonly instance: number;
}

export interface SystemOptions {
  /**
   * Run nodes' transitions with the interpreter (the reference semantics)
   * instead of the compiled core (`--reference`). The model checker's steps
   * below use the interpreter either way.
   */
  readonly reference?: boolean;
  /**
   * The model checker's Fire steps also run on the compiled core (unless
   * `reference`): the same successors, in the same order.
   */
  readonly compiledChecker?: boolean;
}

/** The checker's engine: the compiled core by default, the interpreter when `reference` (`verify --reference`). */
export function checkerSystemOptions(reference: boolean | undefined): SystemOptions {
  return reference === true ? { reference: true } : { compiledChecker: true };
}

export class System {
  readonly interner = new Interner();
  readonly matcher: Matcher;
  readonly ev: Evaluator;
  readonly body: BodyRunner;
  private readonly varIndex = new Map<string, ReadonlyMap<string, number>>();
  private compiledCore: CompiledCore | undefined;
  /** Whether some role forgets (FORGET, issue 23): then every step of its nodes forgets what it may. */
  readonly forgets: boolean;
  readonly forgetting: Forgetting;
  /** Whether some input declares an ANSWER (issue 26): then AnswerStable is checked on every step. */
  readonly answers: boolean;
  /** Per node, per transition index: its weak-fairness class `F<node>:<transition>` (made once, not per step). */
  private readonly fireFairness: readonly (readonly string[])[];
  private readonly paramValuesCache = new Map<TransitionInfo, readonly (readonly Value[])[]>();

  constructor(
    readonly model: ModelInstance,
    readonly options: SystemOptions = {},
  ) {
    this.ev = model.evaluator;
    this.matcher = new Matcher(model.program, model.evaluator, model.everyone);
    this.body = new BodyRunner(model.evaluator, model.everyone);
    for (const r of model.program.roles.values()) {
      this.varIndex.set(r.name, new Map(r.vars.map((v, i) => [v.name, i])));
    }
    this.forgets = programForgets(model.program.roles.values());
    this.forgetting = new Forgetting(model.evaluator, this.matcher, model.everyone, (r) => this.varIndexOf(r));
    this.answers = programAnswers(model.program.roles.values());
    this.fireFairness = model.nodes.map((n) => n.role?.transitions.map((t) => `F${n.index}:${t.name}`) ?? []);
  }

  /** Every value of each parameter of `t`, enumerated once. */
  private paramValuesOf(t: TransitionInfo): readonly (readonly Value[])[] {
    let v = this.paramValuesCache.get(t);
    if (v === undefined) {
      v = t.decl.params.map((p) => enumerate(this.ev.program.domainOf.get(p.id)!, this.ev, p.span));
      this.paramValuesCache.set(t, v);
    }
    return v;
  }

  /** The compiled core the node machines run, made on first use; undefined under `reference`. */
  get core(): CompiledCore | undefined {
    if (this.options.reference === true) return undefined;
    return (this.compiledCore ??= new CompiledCore(this.model.program, this.ev, this.matcher.facts, this.model.everyone));
  }

  roleVars(role: RoleInfo): RoleVars {
    let rv = this.roleVarsCache.get(role.name);
    if (rv === undefined) {
      rv = { domains: role.vars.map((v) => v.domain), names: role.vars.map((v) => v.name) };
      this.roleVarsCache.set(role.name, rv);
    }
    return rv;
  }
  private readonly roleVarsCache = new Map<string, RoleVars>();

  /**
   * Runs the body of `t` in `env` (its `vars`, a copy, are updated): the
   * model's body program for it if there is one, else the body spec.
   */
  runBody(t: TransitionInfo, env: EvalEnv, vars: RoleVars): StatementDraft[] {
    const program = this.model.bodies?.get(`${t.role}.${t.name}`);
    if (program === undefined) return this.body.run(t.decl.body, env, vars);
    return program({
      transition: t, env, vars, evaluator: this.ev,
      spec: () => {
        const copy = env.vars!.slice();
        const writes: SpecWrites = new Map();
        const drafts = this.body.run(t.decl.body, { ...env, vars: copy, bound: new Map(env.bound) }, vars, writes);
        return { vars: copy, drafts, writes };
      },
    });
  }

  /** Whether a body program (a build's) runs instead of the body spec of `t`. */
  hasBodyProgram(t: TransitionInfo): boolean {
    return this.model.bodies?.has(`${t.role}.${t.name}`) === true;
  }

  varIndexOf(role: string): ReadonlyMap<string, number> {
    return this.varIndex.get(role) ?? new Map();
  }

  initialState(): State {
    const vars = this.model.nodes.map((n) => {
      if (n.role === undefined) return [];
      const env: EvalEnv = { me: n.name, bound: new Map() };
      return n.role.vars.map((v) => this.ev.checkDomain(this.ev.eval(v.decl.init, env), v.domain, `the initial value of ${v.name}`, v.decl.init.span));
    });
    const none = this.model.nodes.map(() => [] as number[]);
    return { vars, pool: [], known: none, handled: none.map(() => []), forgotten: none.map(() => []) };
  }

  /** Every step enabled in `s`. Throws EvalError when a body or guard fails. */
  successors(s: State): Successor[] {
    const out: Successor[] = [];
    for (const n of this.model.nodes) {
      if (n.status !== 'correct' || n.role === undefined) continue;
      // One view of what the node knows for all its transitions (nothing below changes s).
      const world = this.world(s, n.index);
      const fairness = this.fireFairness[n.index]!;
      for (const [ti, t] of n.role.transitions.entries()) {
        try {
          this.fireAll(s, n, t, world, fairness[ti]!, out);
        } catch (e) {
          if (e instanceof EvalError) throw new StepError(e, n.name, t.name);
          throw e;
        }
      }
    }
    for (const n of this.model.nodes) {
      if (n.status !== 'correct' || n.role === undefined) continue;
      const known = s.known[n.index]!;
      const forgotten = s.forgotten[n.index]!;
      for (const id of s.pool) {
        if (hasSorted(known, id) || hasSorted(forgotten, id)) continue;
        if (!this.interner.stmt(id).verifiers.includes(n.name)) continue;
        out.push(this.deliver(s, n.index, id));
      }
    }
    for (const b of this.model.byzantine) {
      const name = this.model.nodes[b.node]!.name;
      const spent = s.pool.reduce((k, id) => k + (this.interner.stmt(id).issuer === name ? 1 : 0), 0);
      if (spent >= b.budget) continue;
      for (const send of b.sends) {
        for (const [record, vs] of this.byzantineChoices(s, send)) {
          const st = this.interner.statement(name, vs, send.auditors, record);
          if (hasSorted(s.pool, st.id)) continue;
          out.push({ action: { kind: 'byzantine', node: b.node, statement: st.id }, state: { ...s, pool: insertSorted(s.pool, st.id) } });
        }
      }
    }
    return out;
  }

  /** A SENDS item's (record, verifiers) choices in state `s`: carriers choose what they carry from the pool. */
  private *byzantineChoices(s: State, send: ByzantineSend): Iterable<readonly [RecordValue, readonly string[]]> {
    if (!send.carrier) {
      for (const record of send.records) for (const vs of send.verifierChoices) yield [record, vs];
      return;
    }
    const pool = s.pool.map((id) => this.interner.stmt(id));
    const at = this.model.decl.span;
    for (const vs of send.verifierChoices) {
      for (const record of carrierRecords(send.recordType, vs, send.auditors, pool, this.ev, at)) if (send.allows === undefined || send.allows(record)) yield [record, vs];
    }
  }

  /**
   * Deliver(node, id), for a statement in the pool that the node may receive
   * and does not know: it learns the statement and, in the same step, every
   * statement carried in it, transitively (a certificate's contents).
   */
  deliver(s: State, node: number, id: number): Successor {
    const nextKnown = s.known.slice();
    const forgotten = s.forgotten[node]!;
    const carried = this.interner.carried(id).filter((c) => !hasSorted(forgotten, c));
    nextKnown[node] = insertAllSorted(s.known[node]!, id, carried);
    // The node's variables did not change: only what it just learned can be forgettable.
    const state = this.forget({ ...s, known: nextKnown }, node, [id, ...carried]);
    return { action: { kind: 'deliver', node, statement: id }, state, fairness: `D${node}` };
  }

  /**
   * Moves the statements of known[node] (or only `among`) that node may
   * forget in state `s` to forgotten[node]: the end of every step of a
   * correct node whose role forgets.
   */
  forget(s: State, node: number, among?: readonly number[]): State {
    const n = this.model.nodes[node]!;
    if (n.role === undefined || n.role.forgets.length === 0) return s;
    const vars = s.vars[node]!;
    const known = s.known[node]!;
    const gone = (among ?? known).filter((id) => hasSorted(known, id) && this.forgetting.forgettable(n, vars, this.interner.stmt(id)));
    if (gone.length === 0) return s;
    const drop = new Set(gone);
    const knownAll = s.known.slice();
    knownAll[node] = known.filter((id) => !drop.has(id));
    const forgottenAll = s.forgotten.slice();
    forgottenAll[node] = unionSorted(s.forgotten[node]!, [...drop].sort((a, b) => a - b));
    return { ...s, known: knownAll, forgotten: forgottenAll };
  }

  /**
   * ForgetStable on the step from `from` to `to`: the first variable a
   * FORGET condition relies on that went back, described (undefined if none).
   */
  stableViolation(from: State, to: State): string | undefined {
    if (!this.forgets) return undefined;
    for (const n of this.model.nodes) {
      if (n.role === undefined || n.role.forgets.length === 0 || n.status !== 'correct') continue;
      const before = from.vars[n.index]!;
      const after = to.vars[n.index]!;
      if (before === after) continue;
      const why = this.forgetting.wentBack(n.role, before, after);
      if (why !== undefined) return `${n.name}: ${why}`;
    }
    return undefined;
  }

  /**
   * AnswerStable on the step from `from` to `to`: the first variable an
   * ANSWER condition relies on that went back, described (undefined if none).
   */
  answerStableViolation(from: State, to: State): string | undefined {
    if (!this.answers) return undefined;
    for (const n of this.model.nodes) {
      if (n.role === undefined || n.status !== 'correct') continue;
      const before = from.vars[n.index]!;
      const after = to.vars[n.index]!;
      if (before === after) continue;
      const why = answerWentBack(this.ev, n.role, before, after);
      if (why !== undefined) return `${n.name}: ${why}`;
    }
    return undefined;
  }

  /**
   * Every call CallsAnswered follows: each correct node's inputs with an
   * ANSWER, with every value of their parameters (answer.ts).
   */
  answerCalls(): readonly AnswerCall[] {
    const out: AnswerCall[] = [];
    for (const n of this.model.nodes) {
      if (n.role === undefined || n.status !== 'correct') continue;
      for (const t of n.role.transitions) {
        if (t.answer === undefined) continue;
        forEachCombination(this.paramValuesOf(t), (params) => {
          const shown = t.decl.params.map((p, i) => `${p.name.name}=${this.ev.show(params[i]!)}`).join(', ');
          out.push({ label: `${n.name}.${t.name}(${shown})`, node: n.index, transition: t, params, instance: this.interner.instance(n.index, t.name, params).id });
        });
      }
    }
    return out;
  }

  /** Whether call `c` has been made in `s`. */
  callFired(s: State, c: AnswerCall): boolean {
    return hasSorted(s.handled[c.node]!, c.instance);
  }

  /** Whether call `c`'s ANSWER condition holds in `s`. */
  callAnswered(s: State, c: AnswerCall): boolean {
    const n = this.model.nodes[c.node]!;
    return answerOf(this.ev, n.name, s.vars[c.node]!, this.varIndexOf(n.role!.name), c.transition, c.params)?.answered === true;
  }

  /**
   * ForgetUnobservable in state `s`: for every correct node n that forgot
   * something, each of its transitions has the same enabled unhandled
   * instances, with the same results (variables after, statements
   * published, or the same evaluation error), over known[n] and over
   * known[n] ∪ forgotten[n]. The first difference, described.
   */
  unobservableViolation(s: State): string | undefined {
    if (!this.forgets) return undefined;
    for (const n of this.model.nodes) {
      if (n.role === undefined || n.status !== 'correct' || s.forgotten[n.index]!.length === 0) continue;
      // The verdict depends on n's own part of the state only (and on the pool statements n issued,
      // which a certificate may carry): many states share it, so it is remembered.
      const name = n.name;
      const local = `${n.index}|${s.vars[n.index]!.map(keyOf).join(',')}|${s.known[n.index]!.join(',')}|${s.forgotten[n.index]!.join(',')}|${s.handled[n.index]!.join(',')}|${s.pool.filter((id) => this.interner.stmt(id).issuer === name).join(',')}`;
      let verdict = this.unobservableMemo.get(local);
      if (verdict === undefined) {
        verdict = this.nodeUnobservable(s, n) ?? '';
        this.unobservableMemo.set(local, verdict);
      }
      if (verdict !== '') return verdict;
    }
    return undefined;
  }
  private readonly unobservableMemo = new Map<string, string>();

  /** ForgetUnobservable at one node: its first transition that sees a difference, described. */
  private nodeUnobservable(s: State, n: NodeInfo): string | undefined {
    if (n.role === undefined) return undefined;
    const knownAll = s.known.slice();
    knownAll[n.index] = unionSorted(s.known[n.index]!, s.forgotten[n.index]!);
    const full: State = { ...s, known: knownAll };
    for (const t of n.role.transitions) {
      if (!seesForgotten(n.role, t)) continue;
      const kept = this.fireResults(s, n, t);
      const all = this.fireResults(full, n, t);
      if (kept.join('\n') === all.join('\n')) continue;
      const only = (a: readonly string[], b: readonly string[]): string => a.filter((x) => !b.includes(x)).join('; ') || 'nothing more';
      return `${n.name}'s ${t.name} differs once forgotten statements count: over what it knows, ${only(kept, all)}; over what it knows and forgot, ${only(all, kept)}`;
    }
    return undefined;
  }

  /** The enabled unhandled instances of `t` at `n` in `s`, each with its result, sorted, as text. */
  private fireResults(s: State, n: NodeInfo, t: TransitionInfo): string[] {
    const out: Successor[] = [];
    try {
      this.fireAll(s, n, t, this.world(s, n.index), this.fireFairness[n.index]![n.role!.transitions.indexOf(t)]!, out);
    } catch (e) {
      if (e instanceof EvalError) return [`error ${e.code}: ${e.message}`];
      throw e;
    }
    const handled = s.handled[n.index]!;
    return out.map((succ) => {
      const inst = succ.state.handled[n.index]!.find((id) => !hasSorted(handled, id));
      const published = succ.action.kind === 'fire' ? succ.action.published.map((id) => this.interner.stmt(id).key) : [];
      const vars = succ.state.vars[n.index]!.map((v) => this.ev.show(v));
      return `${inst === undefined ? '?' : this.interner.inst(inst).key} -> (${vars.join(', ')})${published.length > 0 ? ` publishing ${published.join(', ')}` : ''}`;
    }).sort();
  }

  world(s: State, node: number): MatchWorld {
    const known = s.known[node]!;
    const byType = new Map<string, Statement[]>();
    for (const id of known) {
      const st = this.interner.stmt(id);
      const list = byType.get(st.record.type);
      if (list === undefined) byType.set(st.record.type, [st]);
      else list.push(st);
    }
    return { everyone: this.model.everyone, knownOfType: (t) => byType.get(t) ?? [] };
  }

  private nodeEnv(s: State, n: NodeInfo, world: MatchWorld): EvalEnv {
    const env: EvalEnv = {
      me: n.name,
      vars: s.vars[n.index]!.slice(),
      varIndex: this.varIndexOf(n.role!.name),
      bound: new Map(),
      known: (p, e) => this.matcher.existsOne(p, e, world),
      knownStatements: (p, e) => this.matcher.statementsOf(p, e, world),
    };
    return env;
  }

  private fireAll(s: State, n: NodeInfo, t: TransitionInfo, world: MatchWorld, fairness: string, out: Successor[]): void {
    const decl = t.decl;
    const paramValues = this.paramValuesOf(t);
    const handled = s.handled[n.index]!;
    const seen = new Set<string>();
    const core = this.options.compiledChecker === true ? this.core : undefined;
    const ct = core?.transition(t, this.varIndexOf(n.role!.name));
    // One frame for every parameter combination: a search leaves only the parameters' slots set, and
    // the guard only reads the variables (each body gets its own copy of both).
    const f = ct === undefined ? undefined : core!.frame(ct, n.name, s.vars[n.index]! as Value[], world, []);
    forEachCombination(paramValues, (params) => {
      if (core !== undefined) {
        this.fireCompiled(core, ct!, f!, s, n, t, params, seen, fairness, out);
        return;
      }
      const env = this.nodeEnv(s, n, world);
      decl.params.forEach((p, i) => env.bound.set(p.name.id, params[i]!));
      this.matcher.forEachMatch(decl.patterns, env, world, (matches) => {
        if (decl.guard !== undefined && !this.ev.evalBool(decl.guard, env)) return true;
        if (decl.unless !== undefined && this.matcher.existsOne(decl.unless, env, world)) return true;
        const identity = instanceValues(params, matches);
        const inst = this.interner.instance(n.index, t.name, identity);
        if (seen.has(inst.key) || hasSorted(handled, inst.id)) return true;
        seen.add(inst.key);
        const binding = describeBinding(decl, params, env);
        // The body gets its own copy: the next match starts from the same state.
        const bodyEnv: EvalEnv = { ...env, vars: s.vars[n.index]!.slice(), bound: new Map(env.bound) };
        out.push(this.applyDrafts(s, n, t, this.body.run(t.decl.body, bodyEnv, this.roleVars(n.role!)), bodyEnv.vars!, inst.id, binding, fairness));
        return true;
      });
    });
  }

  /** Runs a body atomically and returns the step. */
  /** fireAll's search on the compiled core: the same checks in the same order, over a frame. */
  private fireCompiled(core: CompiledCore, ct: CompiledTransition, f: Frame, s: State, n: NodeInfo, t: TransitionInfo, params: readonly Value[], seen: Set<string>, fairness: string, out: Successor[]): void {
    const handled = s.handled[n.index]!;
    const world = f.world!;
    core.bindParams(ct, f, params);
    core.joins.forEachMatch(ct.joins[0]!, f, world, (matches) => {
      if (ct.guard !== undefined && !ct.guard(f)) return true;
      if (ct.unless !== undefined && core.joins.exists(ct.unless, f, world)) return true;
      const inst = this.interner.instance(n.index, t.name, instanceValues(params, matches));
      if (seen.has(inst.key) || hasSorted(handled, inst.id)) return true;
      seen.add(inst.key);
      const binding = ct.describe(f, params);
      // The body gets its own frame and variables: the next match starts from the same state.
      const vars = s.vars[n.index]!.slice();
      const drafts = core.runBody(ct, ct.slots.copy(f, vars), this.roleVars(n.role!));
      out.push(this.applyDrafts(s, n, t, drafts, vars, inst.id, binding, fairness));
      return true;
    });
  }

  /** The state after node n's body published `drafts` and left its variables `nodeVars`. */
  private applyDrafts(s: State, n: NodeInfo, t: TransitionInfo, drafts: readonly StatementDraft[], nodeVars: Value[], instance: number, binding: readonly (readonly [string, Value])[], fairness: string): Successor {
    const has = (ids: readonly number[]) => (key: string): boolean => {
      const id = this.interner.idOf(key);
      return id !== undefined && hasSorted(ids, id);
    };
    checkCarriedKnown(drafts, n.name, has(s.known[n.index]!), has(s.pool));
    const published = drafts.map((d) => this.interner.statement(d.issuer, d.verifiers, d.auditors, d.record));
    let pool = s.pool;
    let known = s.known[n.index]!;
    const forgotten = s.forgotten[n.index]!;
    for (const st of published) {
      pool = insertSorted(pool, st.id);
      if (st.verifiers.includes(n.name) && !hasSorted(forgotten, st.id)) known = insertAllSorted(known, st.id, this.interner.carried(st.id).filter((c) => !hasSorted(forgotten, c)));
    }
    const vars = s.vars.slice();
    vars[n.index] = nodeVars;
    const knownAll = s.known.slice();
    knownAll[n.index] = known;
    const handled = s.handled.slice();
    handled[n.index] = insertSorted(s.handled[n.index]!, instance);
    return {
      action: { kind: 'fire', node: n.index, transition: t, binding, published: published.map((p) => p.id) },
      state: this.forget({ vars, pool, known: knownAll, handled, forgotten: s.forgotten }, n.index),
      fairness,
    };
  }

}

export function forEachCombination(domains: readonly (readonly Value[])[], f: (values: readonly Value[]) => void): void {
  const cur: Value[] = [];
  const rec = (i: number): void => {
    if (i === domains.length) {
      f(cur.slice());
      return;
    }
    for (const v of domains[i]!) {
      cur.push(v);
      rec(i + 1);
      cur.pop();
    }
  };
  rec(0);
}

export { keyOf };
