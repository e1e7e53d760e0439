// What a call of an input transition answers (issue 26; docs/language.md,
// "Answers"): after each step of the node that made the call, its ANSWER
// condition is evaluated with the call's parameters over the node's new
// variables; the first step after which it holds answers the call with the
// ANSWER value in that state. The condition is stable (checked), so a call
// once answered stays answered, and the value is the one of that first step.

import type { TransitionInfo } from '../analysis/program.js';
import type { Evaluator } from './eval.js';
import type { Value } from './value.js';

export type CallAnswer = { readonly answered: false } | { readonly answered: true; readonly value: Value };

/**
 * The answer of the call `t(params)` made by node `me`, in the state where
 * its role variables are `vars`; undefined when `t` declares no ANSWER.
 */
export function answerOf(
  ev: Evaluator, me: string, vars: readonly Value[], varIndex: ReadonlyMap<string, number>, t: TransitionInfo, params: readonly Value[],
): CallAnswer | undefined {
  const a = t.decl.answer;
  if (a === undefined) return undefined;
  const bound = new Map<number, Value>();
  t.decl.params.forEach((p, i) => bound.set(p.name.id, params[i]!));
  const env = { me, vars: vars.slice(), varIndex, bound };
  if (!ev.evalBool(a.when, env)) return { answered: false };
  return { answered: true, value: ev.eval(a.value, env) };
}
