// What a call of an input transition answers (issue 26; docs/language.md,
// "Answers"): after each step of the node that made the call, its ANSWER
// condition is evaluated with the call's parameters over the node's new
// variables; the first step after which it holds answers the call with the
// ANSWER value in that state. The condition is stable (checked), so a call
// once answered stays answered, and the value is the one of that first step.
//
// The checks both engines make (docs/checker.md, "Answers"), as for FORGET:
// - AnswerStable: every variable an ANSWER condition relies on is monotone,
//   on every step (a step property, as ForgetStable);
// - CallsAnswered, in models that check a liveness property (so fairness
//   is assumed): every call a correct node makes is eventually answered,
//   `fired(n, t, params) ~> answered(n, t, params)` for every correct n,
//   every transition t of its role with an ANSWER and every parameter value.

import { monotoneWords, type RoleInfo, type TransitionInfo } from '../analysis/program.js';
import { children as childrenOf, exprText } from '../analysis/walk.js';
import type * as A from '../syntax/ast.js';
import type { Evaluator } from './eval.js';
import { monotoneStep } from './forget.js';
import type { Value } from './value.js';

export type CallAnswer = { readonly answered: false } | { readonly answered: true; readonly value: Value };

/** The names of the two checks a model of a program with ANSWER gets. */
export const ANSWER_STABLE = 'AnswerStable';
export const CALLS_ANSWERED = 'CallsAnswered';

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

/** Whether any transition of the program declares an ANSWER: then its models check AnswerStable. */
export function programAnswers(roles: Iterable<RoleInfo>): boolean {
  for (const r of roles) if (r.transitions.some((t) => t.answer !== undefined)) return true;
  return false;
}

/** The first `<>` or `~>` in `e`: a property with one needs fairness, and its model checks CallsAnswered. */
export function findLiveness(e: A.Expr): A.Expr | undefined {
  if (e.kind === 'unary' && e.op === '<>') return e;
  if (e.kind === 'binary' && e.op === '~>') return e;
  for (const c of childrenOf(e)) {
    const t = findLiveness(c);
    if (t !== undefined) return t;
  }
  return undefined;
}

/**
 * The first variable of `role` an ANSWER condition relies on that went back
 * between `before` and `after`, described; undefined when none did.
 */
export function answerWentBack(ev: Evaluator, role: RoleInfo, before: readonly Value[], after: readonly Value[]): string | undefined {
  for (const t of role.transitions) {
    if (t.answer === undefined) continue;
    for (const m of t.answer.monotone) {
      if (!monotoneStep(m, before[m.index]!, after[m.index]!)) {
        return `${role.name}.${m.name} went from ${ev.show(before[m.index]!)} to ${ev.show(after[m.index]!)}, but ${t.name}'s \`ANSWER WHEN ${exprText(t.answer.decl.when)}\` relies on it ${monotoneWords(m)}`;
      }
    }
  }
  return undefined;
}
