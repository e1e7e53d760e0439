// An input transition's ANSWER (issue 26; docs/language.md, "Answers"): what a
// call of it answers, and after which of the node's steps. The condition must
// be stable — once a call is answered it stays answered — so it takes the
// shape FORGET conditions take (src/analysis/forget.ts), with the call's
// parameters where a FORGET condition has its statement: `answered > id`
// holds for ever once it holds, provided `answered` never decreases, which
// is what the checker is told to hold it to.

import type * as A from '../syntax/ast.js';
import type { Analysis, Ctx } from './context.js';
import { expect, expr } from './expressions.js';
import { stableShape, type StableCondition } from './forget.js';
import type { AnswerInfo, MonotoneVar, RoleInfo } from './program.js';
import type { Scope } from './symbols.js';
import { BOOL } from './types.js';
import { findKnown } from './walk.js';

const ANSWER_CONDITION: StableCondition = {
  construct: 'ANSWER', code: 'MOM433', fixed: "the call's parameters",
  known: 'it reads KNOWN, which grows and, with FORGET, shrinks: compare with a role variable the transitions keep',
};

/** Checks `t`'s ANSWER in `scope` (the role's variables and `t`'s parameters); its info when well formed. */
export function checkAnswer(an: Analysis, t: A.Transition, scope: Scope, role: RoleInfo, ctx: Ctx): AnswerInfo | undefined {
  const a = t.answer;
  if (a === undefined) return undefined;
  const before = an.diagnostics.length;
  if (t.kind === 'timeout' || t.patterns.length > 0 || t.params.length === 0) {
    const why = t.kind === 'timeout' ? 'a TIMEOUT is no call' : t.patterns.length > 0 ? 'it has a WHEN pattern, so a delivery fires it, not a call' : 'it has no parameters, so nothing tells one call from the next';
    an.err('MOM432', `ANSWER belongs to an input transition (parameters, no WHEN), the kind an application calls: ${why}`, a.span);
  }
  expect(an, expr(an, a.when, scope, ctx), BOOL, a.when, 'MOM303', 'the ANSWER condition');
  expr(an, a.value, scope, ctx);
  const known = findKnown(a.value);
  if (known !== undefined) an.err('MOM432', "the ANSWER value reads KNOWN: an answer is made of the node's variables, the call's parameters and constants (keep what the caller needs in a role variable)", known.span);
  const monotone = new Map<string, MonotoneVar>();
  if (an.diagnostics.length === before) stableShape(an, a.when, role, monotone, ANSWER_CONDITION);
  return an.diagnostics.length === before ? { decl: a, monotone: [...monotone.values()] } : undefined;
}
