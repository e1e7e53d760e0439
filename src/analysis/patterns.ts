// Patterns after their binders are bound: issuers, quorum thresholds,
// verifier and auditor positions, field constraints.

import type * as A from '../syntax/ast.js';
import { constant } from './constants.js';
import type { Analysis, Ctx } from './context.js';
import { expect, expr } from './expressions.js';
import type { Scope } from './symbols.js';
import { INT, showTy, tyOfDomain, unify } from './types.js';
import { containsError, exprText } from './walk.js';

export function checkPatternBody(an: Analysis, p: A.Pattern, scope: Scope, ctx: Ctx): void {
  // bindPattern, always called first, has reported an unknown record type.
  const recSym = an.global.lookup(p.recordType.name);
  const rec = recSym?.k === 'record' ? an.records.get(recSym.name) : undefined;
  const iss = p.issuer;
  switch (iss.kind) {
    case 'principal':
      principalExpr(an, iss.expr, scope, ctx, 'the issuer', false);
      break;
    case 'single': {
      principalExpr(an, iss.set, scope, ctx, 'the issuer set', true);
      expect(an, expr(an, iss.count, scope, ctx), INT, iss.count, 'MOM307', 'the issuer count');
      const k = constant(an, iss.count);
      if (k === undefined) an.err('MOM309', 'the issuer count must be a constant', iss.count.span);
      else if (k !== 1) an.err('MOM409', `${iss.binder.name} ${exprText(iss.set)} == ${String(k)} binds one issuer only when the count is 1; for a set of issuers write ${iss.binder.name} ${exprText(iss.set)} >= ${String(k)}`, iss.count.span);
      break;
    }
    case 'quorum': {
      principalExpr(an, iss.set, scope, ctx, 'the quorum set', true);
      expect(an, expr(an, iss.threshold, scope, ctx), INT, iss.threshold, 'MOM307', 'the quorum threshold');
      checkThreshold(an, iss.set, iss.threshold);
      break;
    }
  }
  // A pattern's verifier NONE asks for nothing: it matches statements the node
  // learned as an auditor, carried in a certificate (issue 25).
  if (p.verifier.kind !== 'none') principalsPosition(an, p.verifier, scope, ctx, 'verifier');
  principalsPosition(an, p.auditor, scope, ctx, 'auditor');
  if (rec === undefined) return;
  const seen = new Set<string>();
  for (const c of p.constraints) {
    const f = rec.fields.find((x) => x.name === c.field.name);
    if (f === undefined) {
      an.err('MOM203', `record ${rec.name} has no field ${c.field.name} (fields: ${rec.fields.map((x) => x.name).join(', ') || 'none'})`, c.field.span);
      if (c.kind === 'eq') expr(an, c.value, scope, ctx);
      continue;
    }
    if (seen.has(c.field.name)) an.err('MOM201', `field ${c.field.name} is constrained twice in this pattern`, c.field.span);
    seen.add(c.field.name);
    if (c.kind === 'multivalent' && iss.kind !== 'quorum') {
      an.err('MOM417', `${c.field.name} == * only differs from ${c.field.name} == _ in a quorum pattern`, c.span);
    }
    if (c.kind !== 'eq') continue;
    const want = tyOfDomain(f.domain);
    const got = expr(an, c.value, scope, ctx);
    if (unify(want, got) === undefined) {
      const ref = c.value.kind === 'name' ? scope.lookup(c.value.name) : undefined;
      if (ref?.k === 'bound' && ref.origin === 'record-binder') {
        an.err('MOM305', `${c.field.name} refers to a ${showTy(want)}, but ${c.value.kind === 'name' ? c.value.name : ''} matches a ${showTy(got)}`, c.span);
      } else {
        an.err('MOM300', `field ${c.field.name} of ${rec.name} is ${showTy(want)}, but the constraint gives ${showTy(got)}`, c.value.span);
      }
    }
  }
}

function checkThreshold(an: Analysis, setExpr: A.Expr, threshold: A.Expr): void {
  const k = constant(an, threshold);
  const s = constant(an, setExpr);
  if (k === undefined) {
    if (!containsError(threshold)) an.err('MOM309', 'a quorum threshold must be a constant (numbers and constants only)', threshold.span);
    return;
  }
  if (typeof k !== 'number') return;
  const size = typeof s === 'object' ? s.set.length : undefined;
  if (k < 1) an.err('MOM400', `quorum threshold ${k} is below 1`, threshold.span);
  else if (size !== undefined && k > size) an.err('MOM400', `quorum threshold ${k} exceeds the ${size} members of ${exprText(setExpr)}: the pattern can never match`, threshold.span);
}

export function principalsPosition(an: Analysis, p: A.PrincipalsPattern, scope: Scope, ctx: Ctx, what: 'verifier' | 'auditor'): void {
  if (p.kind === 'expr') principalExpr(an, p.expr, scope, ctx, `the ${what}`, 'either');
  if (what === 'verifier' && (p.kind === 'noone' || p.kind === 'none')) {
    an.err('MOM304', `${p.kind === 'noone' ? 'NOONE' : 'NONE'} is an auditor; a verifier is a principal, a set or * (a pattern's verifier may be NONE: no requirement)`, p.span);
  }
}

/** Checks a principal (set=false), a set of principals (true) or either. */
export function principalExpr(an: Analysis, e: A.Expr, scope: Scope, ctx: Ctx, what: string, set: boolean | 'either'): void {
  const ty = expr(an, e, scope, ctx);
  if (ty.k === 'any') return;
  const isP = ty.k === 'principal';
  const isSet = ty.k === 'set' && (ty.elem.k === 'principal' || ty.elem.k === 'any');
  const ok = set === 'either' ? isP || isSet : set ? isSet : isP;
  if (!ok) {
    const want = set === 'either' ? 'a principal or a set of principals' : set ? 'a set of principals' : 'a principal';
    an.err('MOM304', `${what} must be ${want}, not ${showTy(ty)}`, e.span);
  }
}
