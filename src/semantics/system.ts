// The abstract pool's steps (docs/language.md, "The abstract pool"): Fire,
// Deliver and Byzantine publication, over the state of state.ts. The model
// checker explores these; the runtime (later) reuses the matcher and body
// executor as they are.

import type { TransitionInfo } from '../analysis/program.js';
import type * as A from '../syntax/ast.js';
import { enumerate } from './domain.js';
import { EvalError, StepError } from './errors.js';
import type { EvalEnv, Evaluator } from './eval.js';
import { Matcher, type MatchWorld, type PatternMatch } from './match.js';
import type { ModelInstance, NodeInfo } from './model.js';
import { hasSorted, insertSorted, Interner, type State, type Statement } from './state.js';
import { isSet, keyOf, type RecordValue, type Value } from './value.js';

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

export class System {
  readonly interner = new Interner();
  readonly matcher: Matcher;
  readonly ev: Evaluator;
  private readonly varIndex = new Map<string, ReadonlyMap<string, number>>();

  constructor(readonly model: ModelInstance) {
    this.ev = model.evaluator;
    this.matcher = new Matcher(model.program, model.evaluator, model.everyone);
    for (const r of model.program.roles.values()) {
      this.varIndex.set(r.name, new Map(r.vars.map((v, i) => [v.name, i])));
    }
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
    return { vars, pool: [], known: none, handled: none.map(() => []) };
  }

  /** Every step enabled in `s`. Throws EvalError when a body or guard fails. */
  successors(s: State): Successor[] {
    const out: Successor[] = [];
    for (const n of this.model.nodes) {
      if (n.status !== 'correct' || n.role === undefined) continue;
      for (const t of n.role.transitions) {
        try {
          this.fireAll(s, n, t, out);
        } catch (e) {
          if (e instanceof EvalError) throw new StepError(e, n.name, t.name);
          throw e;
        }
      }
    }
    for (const n of this.model.nodes) {
      if (n.status !== 'correct' || n.role === undefined) continue;
      const known = s.known[n.index]!;
      for (const id of s.pool) {
        if (hasSorted(known, id)) continue;
        const st = this.interner.stmt(id);
        if (!st.verifiers.includes(n.name)) continue;
        const nextKnown = s.known.slice();
        nextKnown[n.index] = insertSorted(known, id);
        out.push({ action: { kind: 'deliver', node: n.index, statement: id }, state: { ...s, known: nextKnown }, fairness: `D${n.index}` });
      }
    }
    for (const b of this.model.byzantine) {
      const name = this.model.nodes[b.node]!.name;
      const spent = s.pool.reduce((k, id) => k + (this.interner.stmt(id).issuer === name ? 1 : 0), 0);
      if (spent >= b.budget) continue;
      for (const send of b.sends) {
        for (const record of send.records) {
          for (const vs of send.verifierChoices) {
            const st = this.interner.statement(name, vs, send.auditors, record);
            if (hasSorted(s.pool, st.id)) continue;
            out.push({ action: { kind: 'byzantine', node: b.node, statement: st.id }, state: { ...s, pool: insertSorted(s.pool, st.id) } });
          }
        }
      }
    }
    return out;
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
    };
    return env;
  }

  private fireAll(s: State, n: NodeInfo, t: TransitionInfo, out: Successor[]): void {
    const world = this.world(s, n.index);
    const decl = t.decl;
    const paramValues = decl.params.map((p) => enumerate(this.ev.program.domainOf.get(p.id)!, this.ev, p.span));
    const handled = s.handled[n.index]!;
    const seen = new Set<string>();
    forEachCombination(paramValues, (params) => {
      const env = this.nodeEnv(s, n, world);
      decl.params.forEach((p, i) => env.bound.set(p.name.id, params[i]!));
      this.matcher.forEachMatch(decl.patterns, env, world, (matches) => {
        if (decl.guard !== undefined && !this.ev.evalBool(decl.guard, env)) return true;
        if (decl.unless !== undefined && this.matcher.existsOne(decl.unless, env, world)) return true;
        const identity = instanceValues(params, matches);
        const inst = this.interner.instance(n.index, t.name, identity);
        if (seen.has(inst.key) || hasSorted(handled, inst.id)) return true;
        seen.add(inst.key);
        const binding = this.describeBinding(decl, params, env);
        // The body gets its own copy: the next match starts from the same state.
        const bodyEnv: EvalEnv = { ...env, vars: s.vars[n.index]!.slice(), bound: new Map(env.bound) };
        out.push({ ...this.execute(s, n, t, bodyEnv, inst.id, binding), fairness: `F${n.index}:${t.name}` });
        return true;
      });
    });
  }

  private describeBinding(decl: A.Transition, params: readonly Value[], env: EvalEnv): (readonly [string, Value])[] {
    const out: [string, Value][] = decl.params.map((p, i) => [p.name.name, params[i]!]);
    for (const p of decl.patterns) {
      if (p.issuer.kind === 'single') out.push([p.issuer.binder.name, env.bound.get(p.issuer.binder.id)!]);
      if (p.issuer.kind === 'quorum' && p.issuer.binder !== undefined) {
        const v = env.bound.get(p.issuer.binder.id);
        if (v !== undefined) out.push([p.issuer.binder.name, v]);
      }
      if (p.binder !== undefined) out.push([p.binder.name, env.bound.get(p.binder.id)!]);
    }
    return out;
  }

  /** Runs a body atomically and returns the step. */
  private execute(s: State, n: NodeInfo, t: TransitionInfo, env: EvalEnv, instance: number, binding: readonly (readonly [string, Value])[]): { action: Action; state: State } {
    const published: Statement[] = [];
    const role = n.role!;
    this.runStmts(t.decl.body, env, role.vars.map((v) => v.domain), role.vars.map((v) => v.name), published);
    let pool = s.pool;
    let known = s.known[n.index]!;
    for (const st of published) {
      pool = insertSorted(pool, st.id);
      if (st.verifiers.includes(n.name)) known = insertSorted(known, st.id);
    }
    const vars = s.vars.slice();
    vars[n.index] = env.vars!;
    const knownAll = s.known.slice();
    knownAll[n.index] = known;
    const handled = s.handled.slice();
    handled[n.index] = insertSorted(s.handled[n.index]!, instance);
    return {
      action: { kind: 'fire', node: n.index, transition: t, binding, published: published.map((p) => p.id) },
      state: { vars, pool, known: knownAll, handled },
    };
  }

  private runStmts(stmts: readonly A.Stmt[], env: EvalEnv, domains: readonly import('../analysis/types.js').Domain[], names: readonly string[], published: Statement[]): void {
    for (const st of stmts) {
      switch (st.kind) {
        case 'local': {
          const v = this.ev.eval(st.value, env);
          const dom = this.ev.program.domainOf.get(st.id);
          env.bound.set(st.name.id, dom === undefined ? v : this.ev.checkDomain(v, dom, st.name.name, st.value.span));
          break;
        }
        case 'assign': {
          const v = this.ev.eval(st.value, env);
          const target = this.ev.program.resolution.get(st.target.id);
          if (target?.k === 'roleVar') {
            const i = env.varIndex!.get(target.name)!;
            env.vars![i] = this.ev.checkDomain(v, domains[i]!, names[i]!, st.value.span);
          } else if (target?.k === 'bound') {
            env.bound.set(target.declId, v);
          }
          break;
        }
        case 'if':
          this.runStmts(this.ev.evalBool(st.cond, env) ? st.then : st.else, env, domains, names, published);
          break;
        case 'publish': {
          const record = this.ev.construct(st.recordType.name, st.args, env, st.span) as RecordValue;
          const verifiers = this.principals(st.verifier, env);
          const auditors = this.principals(st.auditor, env);
          published.push(this.interner.statement(env.me!, verifiers, auditors, record));
          break;
        }
      }
    }
  }

  private principals(p: A.PrincipalsPattern, env: EvalEnv): string[] {
    switch (p.kind) {
      case 'everyone':
        return [...this.model.everyone];
      case 'noone':
      case 'none':
        return [];
      case 'expr': {
        const v = this.ev.eval(p.expr, env);
        if (typeof v === 'string') return [v];
        if (isSet(v)) return v.elems.map(String).sort();
        throw new EvalError('MOM503', 'a principal or a set of principals was expected', p.span);
      }
    }
  }
}

/** The fire-once identity: parameters, then per pattern its record (masked) and single issuer. */
function instanceValues(params: readonly Value[], matches: readonly PatternMatch[]): Value[] {
  const out: Value[] = [...params];
  for (const m of matches) {
    out.push(m.identity);
    if (m.issuer !== undefined && m.issuers === undefined) out.push(m.issuer);
  }
  return out;
}

function forEachCombination(domains: readonly (readonly Value[])[], f: (values: readonly Value[]) => void): void {
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
