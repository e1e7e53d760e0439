// Certificates at run time (issue 25): reading a carried statement's parts,
// and the rule that a correct node carries only statements it can show — ones
// it knows, or issued itself. The same check for the checker, the runtime and
// replay, on what a body (spec or program) publishes.

import type { Span } from '../diagnostics/diagnostic.js';
import type { StatementDraft } from './body.js';
import { EvalError } from './errors.js';
import { carriedIn, showStatementHead, statementPartOf, type StatementValue, type Value } from './value.js';

export function statementPart(s: StatementValue, part: string, at: Span): Value {
  const v = statementPartOf(s, part);
  if (v === undefined) throw new EvalError('MOM503', `a statement has no part ${part} (issuer, verifiers, auditors, record)`, at);
  return v;
}

/**
 * Throws MOM506 at the PUBLISH when a draft directly carries a statement that
 * `me` neither knows nor issued (`inPool` tells whether a statement with that
 * key was published). What a carried statement carries in turn is known with
 * it, so the direct level is the one to check.
 */
export function checkCarriedKnown(drafts: readonly StatementDraft[], me: string, knows: (key: string) => boolean, inPool: (key: string) => boolean): void {
  for (const d of drafts) {
    for (const c of carriedIn(d.record)) {
      if (knows(c.key) || (c.issuer === me && inPool(c.key))) continue;
      throw new EvalError('MOM506', `${me} carries ${showStatementHead(c)} in ${d.record.type}, a statement it neither knows nor issued: a certificate holds only statements its carrier can show`, d.site.span);
    }
  }
}
