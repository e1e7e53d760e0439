// Which temporal properties one lasso-shaped behaviour violates. Used to
// attribute a counterexample to its properties when the checker that found
// it does not say (TLC 2.19 prints "Temporal properties were violated."
// without names; TLC 1.8 attributes post hoc the same way).

import type { State } from '../semantics/state.js';
import type { System } from '../semantics/system.js';
import { obligations, StateEvaluator, type Obligation } from './properties.js';

/**
 * The behaviour `states[0] ... states[n-1]` followed forever by the loop
 * `states[loopStart] ... states[n-1]` (loopStart = n-1 for stuttering).
 */
export interface Lasso {
  readonly states: readonly State[];
  readonly loopStart: number;
}

/**
 * The properties (of `names`) that the lasso violates, in the order given.
 * `initialOnly` looks only at their non-temporal parts (checked in the first state).
 */
export function propertiesViolatedBy(system: System, lasso: Lasso, names: readonly string[], initialOnly = false): string[] {
  const ev = new StateEvaluator(system);
  const program = system.model.program;
  return names.filter((name) => {
    const body = program.properties.get(name)?.body;
    if (body === undefined) return false;
    return obligations(name, body, system).some((o) => (!initialOnly || o.form === 'init') && !obligationHolds(ev, o, lasso));
  });
}

/** Whether obligation `o` holds on the lasso (every form, temporal ones over the loop). */
export function obligationHolds(ev: StateEvaluator, o: Obligation, lasso: Lasso): boolean {
  const { states, loopStart } = lasso;
  const at = (e: Obligation['p'], i: number): boolean => ev.holds(e, states[i]!, o.bound);
  const indices = states.map((_, i) => i);
  const loop = indices.slice(loopStart);
  switch (o.form) {
    case 'init':
      return at(o.p, 0);
    case 'always':
      return indices.every((i) => at(o.p, i));
    case 'eventually':
      return indices.some((i) => at(o.p, i));
    case 'alwaysEventually':
      return loop.some((i) => at(o.p, i));
    case 'eventuallyAlways':
      return loop.every((i) => at(o.p, i));
    case 'leadsTo': {
      // Every P-position is followed (at or after it) by a Q-position; the loop repeats forever.
      const qInLoop = loop.some((i) => at(o.q!, i));
      return indices.every((i) => !at(o.p, i) || qInLoop || indices.slice(i).some((j) => at(o.q!, j)));
    }
  }
}

/**
 * Whether the lasso violates CallsAnswered (semantics/answer.ts): some call
 * fires and is never answered. Both only grow along a behaviour, so it is
 * enough to look at the loop's states.
 */
export function callsUnansweredOn(system: System, lasso: Lasso): boolean {
  const loop = lasso.states.slice(lasso.loopStart);
  return system.answerCalls().some((c) => loop.some((s) => system.callFired(s, c)) && !loop.some((s) => system.callAnswered(s, c)));
}
