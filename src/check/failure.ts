// A failing evaluation (MOM500-MOM503) in MOMMIE terms: the error, the node
// and transition it happened in, and its source location. Shared by the
// built-in search, which meets the failure itself, and the TLC engine, which
// reproduces it from the last state of TLC's trace.

import type { CheckedProgram } from '../analysis/program.js';
import type { SourceText } from '../diagnostics/source.js';
import { EvalError, StepError } from '../semantics/errors.js';
import type { State } from '../semantics/state.js';
import type { System } from '../semantics/system.js';
import type { Expr } from '../syntax/ast.js';
import type { StateEvaluator } from './properties.js';
import type { EvaluationError } from './result.js';

export interface Failure {
  readonly error: EvalError;
  readonly node?: string;
  readonly transition?: string;
}

export function describeFailure(program: CheckedProgram, source: SourceText | undefined, f: Failure): EvaluationError {
  const p = source?.position(f.error.span.start);
  const where = f.node !== undefined ? ` (while ${f.node} fires ${f.transition ?? '?'})` : '';
  return { code: f.error.code, message: f.error.message + where, location: `${program.file}:${p?.line ?? 0}:${p?.column ?? 0}` };
}

/**
 * Evaluates in `state` what the search evaluates there, in the search's
 * order: the invariants (a state is checked when it is reached), then the
 * successors. Returns the first failure, or undefined if nothing fails.
 */
export function reproduceFailure(system: System, evaluator: StateEvaluator, invariants: readonly { readonly body: Expr }[], state: State): Failure | undefined {
  try {
    for (const inv of invariants) evaluator.holds(inv.body, state);
    system.successors(state);
  } catch (e) {
    if (e instanceof StepError) return { error: e.evalError, node: e.node, transition: e.transition };
    if (e instanceof EvalError) return { error: e };
    throw e;
  }
  return undefined;
}
