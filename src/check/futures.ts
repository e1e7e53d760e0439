// What a node can still do from a state on, for the reduction over fires
// (por.ts): which of its transitions are dead, which record types no one can
// publish any more, and whether a transition has an instance left to fire
// other than a given one. Every answer over-approximates the future: a
// transition counted live, a type counted open or an instance counted
// possible only makes the reduction take more steps.

import type { TransitionInfo } from '../analysis/program.js';
import { enumerate } from '../semantics/domain.js';
import type { EvalEnv } from '../semantics/eval.js';
import { instanceValues } from '../semantics/instance.js';
import type { MatchWorld } from '../semantics/match.js';
import { hasSorted, type State, type Statement } from '../semantics/state.js';
import { forEachCombination, type System } from '../semantics/system.js';
import { patternExprs, varsRead, type RoleDependence } from './dependence.js';

/** A correct node that runs a role, as the reduction sees it. */
export interface NodeReduction {
  readonly index: number;
  readonly name: string;
  readonly deps: RoleDependence;
  /** Transitions whose guard's conjuncts over ME and constants hold at this node. */
  readonly possible: readonly string[];
  /** Transitions whose fires nothing observes (RoleDependence.unread, less those a checked property reads). */
  readonly unread: ReadonlySet<string>;
}

export class Futures {
  /** Per transition (by role and name): whether its patterns read role variables, which change; then its instances cannot be bounded from the pool. */
  private readonly patternsReadVars = new Map<TransitionInfo, boolean>();

  constructor(
    private readonly system: System,
    private readonly nodes: readonly (NodeReduction | undefined)[],
    /** Record types that carry statements or are carried: their futures are not bounded here. */
    private readonly carrierTypes: ReadonlySet<string>,
    /** Transitions that can never fire again at a node from a state on, beyond the death conjuncts (dead.ts: monotone variables). */
    private readonly neverFires?: (s: State, node: number, t: string) => boolean,
  ) {}

  /** The transitions node n can still fire from `s` on: possible at n, with no conjunct that stays false false. */
  live(n: NodeReduction, s: State): string[] {
    const role = this.system.model.nodes[n.index]!.role!;
    let env: EvalEnv | undefined;
    return n.possible.filter((t) => {
      if (this.neverFires?.(s, n.index, t) === true) return false;
      const death = n.deps.describe(t).deathConjuncts;
      if (death.length === 0) return true;
      env ??= { me: n.name, vars: s.vars[n.index]!.slice(), varIndex: this.system.varIndexOf(role.name), bound: new Map() };
      const e = env;
      return death.every((c) => holdsOrFails(() => this.system.ev.evalBool(c, e)));
    });
  }

  /**
   * Record types of which no statement can join the pool after `s`: no live
   * transition of a correct node publishes one and no Byzantine node with
   * budget left may send one.
   */
  closedTypes(s: State): Set<string> {
    const { model, interner } = this.system;
    const open = new Set<string>();
    for (const b of model.byzantine) {
      const name = model.nodes[b.node]!.name;
      const spent = s.pool.reduce((k, id) => k + (interner.stmt(id).issuer === name ? 1 : 0), 0);
      if (spent < b.budget) for (const send of b.sends) open.add(send.recordType);
    }
    for (const n of this.nodes) {
      if (n === undefined) continue;
      for (const t of this.live(n, s)) n.deps.describe(t).learns.forEach((x) => open.add(x));
    }
    const closed = new Set<string>();
    for (const r of model.program.records.keys()) if (!open.has(r) && !this.carrierTypes.has(r)) closed.add(r);
    return closed;
  }

  /**
   * Whether transition `t` may ever fire at node n, from `s` on, an instance
   * other than `except` and those already handled. When every record type its
   * patterns match is closed and the patterns read no role variable, its
   * instances are among the matches over every statement in the pool that n
   * may receive (its guard is ignored: it may become true); otherwise any
   * instance may come, and the answer is yes.
   */
  otherInstancePossible(n: NodeReduction, t: TransitionInfo, s: State, except: number | undefined, closed: ReadonlySet<string>): boolean {
    const d = t.decl;
    if (d.patterns.some((p) => !closed.has(p.recordType.name))) return true;
    if (this.readsVars(t)) return true;
    const { interner, matcher, ev } = this.system;
    const byType = new Map<string, Statement[]>();
    for (const id of s.pool) {
      const st = interner.stmt(id);
      if (!st.verifiers.includes(n.name)) continue;
      const list = byType.get(st.record.type);
      if (list === undefined) byType.set(st.record.type, [st]);
      else list.push(st);
    }
    const world: MatchWorld = { everyone: this.system.model.everyone, knownOfType: (x) => byType.get(x) ?? [] };
    const handled = s.handled[n.index]!;
    const role = this.system.model.nodes[n.index]!.role!;
    const paramValues = d.params.map((p) => enumerate(ev.program.domainOf.get(p.id)!, ev, p.span));
    let possible = false;
    // Matching over statements n does not know yet may evaluate what the search never would: a failure counts as "possible".
    return holdsOrFails(() => {
      forEachCombination(paramValues, (params) => {
        if (possible) return;
        const env: EvalEnv = { me: n.name, vars: s.vars[n.index]!.slice(), varIndex: this.system.varIndexOf(role.name), bound: new Map() };
        d.params.forEach((p, i) => env.bound.set(p.name.id, params[i]!));
        matcher.forEachMatch(d.patterns, env, world, (matches) => {
          const inst = interner.instance(n.index, t.name, instanceValues(params, matches));
          if (inst.id !== except && !hasSorted(handled, inst.id)) possible = true;
          return !possible;
        });
      });
      return possible;
    });
  }

  private readsVars(t: TransitionInfo): boolean {
    let r = this.patternsReadVars.get(t);
    if (r === undefined) {
      const resolution = this.system.model.program.resolution;
      r = t.decl.patterns.some((p) => patternExprs(p).some((e) => varsRead(e, resolution).size > 0));
      this.patternsReadVars.set(t, r);
    }
    return r;
  }
}

/** `f()`, or true when it throws: a condition that cannot be evaluated is taken as holding (alive, possible), which only makes the reduction take more steps. */
export function holdsOrFails(f: () => boolean): boolean {
  try {
    return f();
  } catch {
    return true;
  }
}
