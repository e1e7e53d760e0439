// Runs a body spec atomically: locals, assignments to role variables, IF and
// PUBLISH. The one body executor, for the model checker, the runtime and
// trace replay. A failing evaluation throws EvalError and leaves nothing
// half-done: the caller owns `env.vars` (a copy) and the published list.

import type { TransitionInfo } from '../analysis/program.js';
import type { Domain } from '../analysis/types.js';
import type * as A from '../syntax/ast.js';
import { EvalError } from './errors.js';
import type { EvalEnv, Evaluator } from './eval.js';
import { isSet, type RecordValue, type Value } from './value.js';

/** A statement a body publishes, before it is interned. */
export interface StatementDraft {
  readonly issuer: string;
  /** Sorted. */
  readonly verifiers: readonly string[];
  /** Sorted; empty is NOONE. */
  readonly auditors: readonly string[];
  readonly record: RecordValue;
  /** The PUBLISH statement that made it (its PROGRESS pattern, its location). */
  readonly site: A.Stmt & { kind: 'publish' };
}

export interface RoleVars {
  readonly domains: readonly Domain[];
  readonly names: readonly string[];
}

/** The last assignment to each role variable (by index) in one run of a body spec. */
export type SpecWrites = Map<number, A.Stmt & { kind: 'assign' }>;

/** What a body spec does from a pre-state: for assertions, which compare a body program with it. */
export interface SpecOutcome {
  readonly vars: readonly Value[];
  readonly drafts: readonly StatementDraft[];
  readonly writes: ReadonlyMap<number, A.Stmt & { kind: 'assign' }>;
}

/** One step a body program is asked to take. */
export interface BodyCall {
  readonly transition: TransitionInfo;
  /** The pre-state and binding; `env.vars` is the step's own copy, which the program's writes go to. */
  readonly env: EvalEnv;
  readonly vars: RoleVars;
  readonly evaluator: Evaluator;
  /** Runs the body spec on a copy of the same pre-state and binding. Throws EvalError as the spec would. */
  spec(): SpecOutcome;
}

/**
 * A transition's body as a hand-written program supplies it (`mommie build
 * --bodies`), run instead of the body spec: it updates `call.env.vars` and
 * returns what it published. A failure is an EvalError, which aborts the step
 * as a failing body spec does.
 */
export type BodyProgram = (call: BodyCall) => StatementDraft[];

export class BodyRunner {
  constructor(
    private readonly ev: Evaluator,
    /** Every principal, sorted: what `*` stands for. */
    private readonly everyone: readonly string[],
  ) {}

  /** Runs `stmts` in `env` (its `vars` are updated in place); returns what was published, in order. */
  run(stmts: readonly A.Stmt[], env: EvalEnv, vars: RoleVars, writes?: SpecWrites): StatementDraft[] {
    const published: StatementDraft[] = [];
    this.runStmts(stmts, env, vars, published, writes);
    return published;
  }

  private runStmts(stmts: readonly A.Stmt[], env: EvalEnv, vars: RoleVars, published: StatementDraft[], writes: SpecWrites | undefined): void {
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
            env.vars![i] = this.ev.checkDomain(v, vars.domains[i]!, vars.names[i]!, st.value.span);
            writes?.set(i, st);
          } else if (target?.k === 'bound') {
            env.bound.set(target.declId, v);
          }
          break;
        }
        case 'if':
          this.runStmts(this.ev.evalBool(st.cond, env) ? st.then : st.else, env, vars, published, writes);
          break;
        case 'publish': {
          const record = this.ev.construct(st.recordType.name, st.args, env, st.span) as RecordValue;
          published.push({ issuer: env.me!, verifiers: this.principals(st.verifier, env), auditors: this.principals(st.auditor, env), record, site: st });
          break;
        }
      }
    }
  }

  principals(p: A.PrincipalsPattern, env: EvalEnv): string[] {
    switch (p.kind) {
      case 'everyone':
        return [...this.everyone];
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
