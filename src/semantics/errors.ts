import type { Span } from '../diagnostics/diagnostic.js';

/**
 * An error while evaluating a MOMMIE expression or body (division by zero, a
 * value outside its declared domain, ...). Thrown inside the evaluator and
 * turned into a value with the location and the trace by whoever runs it.
 */
export class EvalError extends Error {
  constructor(
    readonly code: 'MOM500' | 'MOM501' | 'MOM502' | 'MOM503' | 'MOM505' | 'MOM506' | 'MOM508' | 'MOM702' | 'MOM703' | 'MOM706',
    message: string,
    readonly span: Span,
  ) {
    super(message);
  }
}

/** An evaluation error inside one node's transition: where it happened. */
export class StepError extends Error {
  constructor(
    readonly evalError: EvalError,
    readonly node: string,
    readonly transition: string,
  ) {
    super(evalError.message);
  }
}
