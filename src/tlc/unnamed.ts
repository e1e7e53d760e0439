// What a bare TLC trace shows (a finding of kind `unnamed`). Distributed TLC's
// server prints its workers' errors without their messages, and only the last
// step of the behaviour. mommie rebuilds the behaviour in its own semantics
// (path-search.ts) and evaluates, at its last state, what TLC checks there, in
// TLC's order: the invariants (and ForgetUnobservable), the step properties
// on the last step (ForgetStable, AnswerStable), then the successors (an evaluation error,
// or none at all: a deadlock). What TLC saw must show up in the same
// semantics; if nothing does, the two disagree and mommie says so.

import type { CheckedProgram } from '../analysis/program.js';
import { reproduceFailure, type Failure } from '../check/failure.js';
import { StateEvaluator } from '../check/properties.js';
import { ANSWER_STABLE } from '../semantics/answer.js';
import { FORGET_STABLE, FORGET_UNOBSERVABLE } from '../semantics/forget.js';
import type { State } from '../semantics/state.js';
import type { Action, System } from '../semantics/system.js';
import { pathTo } from './path-search.js';
import type { Trace as TlcTrace } from './result.js';
import { mapTrace } from './trace-map.js';

/** States the search may visit to rebuild a behaviour TLC did not print whole. */
export const PATH_SEARCH_LIMIT = 500_000;

export type Attribution =
  | { readonly kind: 'invariant'; readonly name: string; readonly detail?: string }
  | { readonly kind: 'step-property'; readonly name: string; readonly detail: string }
  | { readonly kind: 'deadlock' }
  | { readonly kind: 'evaluation'; readonly failure: Failure };

export type Attributed =
  | { readonly ok: true; readonly what: Attribution; readonly states: State[]; readonly actions: (Action | undefined)[]; readonly rebuilt: boolean }
  | { readonly ok: false; readonly reason: string };

/** The behaviour a bare trace stands for: TLC's own if it starts at the initial state, else one rebuilt to its last state. */
function behaviourOf(system: System, trace: TlcTrace): { states: State[]; actions: (Action | undefined)[]; rebuilt: boolean } | string {
  const direct = mapTrace(system, trace.states);
  if (direct.ok) return { states: direct.states, actions: direct.actions, rebuilt: false };
  const last = trace.states[trace.states.length - 1];
  if (last === undefined) return 'TLC printed a trace with no state';
  const found = pathTo(system, last, PATH_SEARCH_LIMIT);
  if (!found.ok) return `could not rebuild the behaviour TLC reported (${found.reason}; ${found.explored} states explored)`;
  return { states: found.states, actions: found.actions, rebuilt: true };
}

export function attributeUnnamed(program: CheckedProgram, system: System, trace: TlcTrace, deadlock: boolean): Attributed {
  const b = behaviourOf(system, trace);
  if (typeof b === 'string') return { ok: false, reason: b };
  const last = b.states[b.states.length - 1]!;
  const prev = b.states.length > 1 ? b.states[b.states.length - 2] : undefined;
  const found = (what: Attribution): Attributed => ({ ok: true, what, states: b.states, actions: b.actions, rebuilt: b.rebuilt });
  const evaluator = new StateEvaluator(system);
  const invariants = system.model.invariants.map((name) => ({ name, body: program.invariants.get(name)!.body }));
  try {
    for (const inv of invariants) if (!evaluator.holds(inv.body, last)) return found({ kind: 'invariant', name: inv.name });
  } catch {
    // An invariant that fails to evaluate is an evaluation error, found below.
  }
  const unobservable = system.unobservableViolation(last);
  if (unobservable !== undefined) return found({ kind: 'invariant', name: FORGET_UNOBSERVABLE, detail: unobservable });
  if (prev !== undefined) {
    const stable = system.stableViolation(prev, last);
    if (stable !== undefined) return found({ kind: 'step-property', name: FORGET_STABLE, detail: stable });
    const answer = system.answerStableViolation(prev, last);
    if (answer !== undefined) return found({ kind: 'step-property', name: ANSWER_STABLE, detail: answer });
  }
  const failure = reproduceFailure(system, evaluator, invariants, last);
  if (failure !== undefined) return found({ kind: 'evaluation', failure });
  if (deadlock && system.successors(last).length === 0) return found({ kind: 'deadlock' });
  return { ok: false, reason: "TLC reported an error at a state where mommie's semantics finds none (a bug in mommie's translation)" };
}
