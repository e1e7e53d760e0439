// The compiled core: a checked program's transitions compiled once, at load,
// into closures (never into source text: a .mom file is input, not code).
// Each transition is one unit of slots: its parameters, pattern binders,
// locals and the binders of its quantifiers and KNOWN patterns. The
// interpreter (Evaluator, Matcher, BodyRunner) stays the reference, selected by
// --reference; the differential tests hold the two equal.

import type { CheckedProgram, TransitionInfo } from '../../analysis/program.js';
import type * as A from '../../syntax/ast.js';
import type { RoleVars, StatementDraft } from '../body.js';
import type { Evaluator } from '../eval.js';
import type { MatchWorld } from '../match.js';
import { flattenAnd, type ExprFacts } from '../pattern-plan.js';
import type { Value } from '../value.js';
import { compileBody, type CompiledBody } from './body.js';
import { Slots, type Frame, type StateView, type Test } from './frame.js';
import { children } from '../../analysis/checker.js';
import { JoinCompiler, type CompiledJoin } from './join.js';

export interface CompiledTransition {
  readonly info: TransitionInfo;
  readonly slots: Slots;
  readonly varIndex: ReadonlyMap<string, number>;
  /** The slot of each parameter. */
  readonly params: readonly number[];
  /** The join of the patterns searched from pattern `first`, by `first`. */
  readonly joins: readonly CompiledJoin[];
  readonly guard: Test | undefined;
  /** The conjuncts of the guard that read no role variable and no KNOWN, in written order (checked while matching a new statement). */
  readonly staticGuard: readonly Test[];
  readonly unless: CompiledJoin | undefined;
  readonly body: CompiledBody;
  /** PROGRESS patterns of the body's PUBLISH statements, each a join in this unit. */
  readonly progress: ReadonlyMap<A.Pattern, CompiledJoin>;
  /** Parameters and binders by name, as describeBinding gives them, read from the frame's slots. */
  describe(f: Frame, params: readonly Value[]): (readonly [string, Value])[];
}

export class CompiledCore {
  readonly joins: JoinCompiler;
  private readonly facts: ExprFacts;
  private readonly transitions = new Map<A.Transition, CompiledTransition>();
  private readonly initials = new Map<A.Expr, { readonly unit: Slots; readonly code: (f: Frame) => Value }>();

  constructor(
    readonly program: CheckedProgram,
    readonly ev: Evaluator,
    facts: ExprFacts,
    readonly everyone: readonly string[],
  ) {
    this.facts = facts;
    this.joins = new JoinCompiler(program, ev, facts, everyone);
  }

  /** Compiles a transition once (the runtime's node machines and the model checker share it). */
  transition(info: TransitionInfo, varIndex: ReadonlyMap<string, number>): CompiledTransition {
    const known = this.transitions.get(info.decl);
    if (known !== undefined) return known;
    const decl = info.decl;
    const slots = new Slots();
    const x = this.joins.exprs;
    const params = decl.params.map((p) => slots.slotOf(p.name.id));
    // A transition without patterns has one (empty) join, which matches once.
    const firsts = decl.patterns.length === 0 ? [0] : decl.patterns.map((_, i) => i);
    const joins = firsts.map((first) => this.joins.compile(decl.patterns, first, slots, varIndex));
    const progress = new Map<A.Pattern, CompiledJoin>();
    const collect = (stmts: readonly A.Stmt[]): void => {
      for (const st of stmts) {
        if (st.kind === 'if') {
          collect(st.then);
          collect(st.else);
        }
        if (st.kind === 'publish' && st.progress !== undefined) progress.set(st.progress, this.joins.compile([st.progress], 0, slots, varIndex));
      }
    };
    collect(decl.body);
    const t: CompiledTransition = {
      info, slots, varIndex, params, joins, progress,
      guard: decl.guard === undefined ? undefined : x.bool(decl.guard, slots, varIndex),
      // As the node machine chooses them: the conjuncts that read no role variable and no KNOWN.
      staticGuard: (decl.guard === undefined ? [] : flattenAnd(decl.guard)).filter((g) => !this.facts.isDynamic(g)).map((g) => x.bool(g, slots, varIndex)),
      unless: decl.unless === undefined ? undefined : this.joins.compile([decl.unless], 0, slots, varIndex),
      body: compileBody(decl.body, slots, varIndex, x, this.everyone),
      describe: describer(decl, slots),
    };
    this.transitions.set(decl, t);
    return t;
  }

  /**
   * How often compiled code handed an evaluation to the interpreter: calls of
   * functions the program leaves open that a model's definition (not the
   * host) supplies, which the Evaluator evaluates.
   */
  get fallbacks(): number {
    return this.joins.exprs.fallbacks;
  }

  /** An expression outside any transition (a role variable's initial value), evaluated for node `me`. */
  initialValue(e: A.Expr, me: string): Value {
    let c = this.initials.get(e);
    if (c === undefined) {
      const unit = new Slots();
      c = { unit, code: this.joins.exprs.expr(e, unit, undefined) };
      this.initials.set(e, c);
    }
    return c.code(c.unit.newFrame(me, undefined, undefined));
  }

  /**
   * A state predicate (an invariant, a property's state formula) compiled
   * once: evaluated over a frame that sees the state through `view`, with
   * `bound` (the property's own quantifier values) in its slots. Undefined
   * for one that reads KNOWN (no node's knowledge is in view there): the
   * interpreter evaluates those.
   */
  statePredicate(e: A.Expr): ((bound: ReadonlyMap<number, Value>, view: StateView) => boolean) | undefined {
    let c = this.predicates.get(e);
    if (c === undefined) {
      if (readsKnown(e)) c = null;
      else {
        const unit = new Slots();
        const test = this.joins.exprs.bool(e, unit, undefined);
        c = (bound, view) => test(unit.fromMap(bound, undefined, undefined, undefined, view));
      }
      this.predicates.set(e, c);
    }
    return c ?? undefined;
  }
  private readonly predicates = new Map<A.Expr, ((bound: ReadonlyMap<number, Value>, view: StateView) => boolean) | null>();

  /** A frame of `t` with its parameters bound. */
  frame(t: CompiledTransition, me: string, vars: Value[], world: MatchWorld, params: readonly Value[]): Frame {
    const f = t.slots.newFrame(me, vars, world);
    this.bindParams(t, f, params);
    return f;
  }

  /** Sets the parameters' slots of a frame of `t`. */
  bindParams(t: CompiledTransition, f: Frame, params: readonly Value[]): void {
    params.forEach((v, i) => {
      f.slots[t.params[i]!] = v;
    });
  }

  /** Runs the compiled body (its `vars` are the frame's, the step's own copy). */
  runBody(t: CompiledTransition, f: Frame, vars: RoleVars): StatementDraft[] {
    const published: StatementDraft[] = [];
    t.body(f, vars, published);
    return published;
  }
}

/**
 * describeBinding (instance.ts) over a frame: the parameters, then per
 * pattern its single issuer's binder, its quorum's binder when bound, and its
 * own binder, in written order.
 */
function describer(decl: A.Transition, slots: Slots): CompiledTransition['describe'] {
  const binders: { readonly name: string; readonly slot: number; readonly optional: boolean }[] = [];
  for (const p of decl.patterns) {
    if (p.issuer.kind === 'single') binders.push({ name: p.issuer.binder.name, slot: slots.slotOf(p.issuer.binder.id), optional: false });
    if (p.issuer.kind === 'quorum' && p.issuer.binder !== undefined) binders.push({ name: p.issuer.binder.name, slot: slots.slotOf(p.issuer.binder.id), optional: true });
    if (p.binder !== undefined) binders.push({ name: p.binder.name, slot: slots.slotOf(p.binder.id), optional: false });
  }
  const names = decl.params.map((p) => p.name.name);
  return (f, params) => {
    const out: (readonly [string, Value])[] = names.map((name, i) => [name, params[i]!] as const);
    for (const b of binders) {
      const v = f.slots[b.slot];
      if (!b.optional || v !== undefined) out.push([b.name, v!]);
    }
    return out;
  };
}

function readsKnown(e: A.Expr): boolean {
  return e.kind === 'known' || children(e).some(readsKnown);
}
