// Types as written in the program (`0..N`, `{a, b}`, `SET OF Req`, a name)
// turned into domains. Range bounds are constant expressions, so this reaches
// into the expression checker and the constant evaluator.

import type { Span } from '../diagnostics/diagnostic.js';
import type * as A from '../syntax/ast.js';
import type { Analysis, Ctx } from './context.js';
import { expect, expr } from './expressions.js';
import { describeSymbol, type Scope } from './symbols.js';
import { INT, isFinite, holdsStatements, type Domain } from './types.js';

export function domain(an: Analysis, t: A.TypeExpr, scope: Scope, enumName: string): Domain {
  switch (t.kind) {
    case 'boolType':
      return { k: 'bool' };
    case 'intType':
      return { k: 'int' };
    case 'rangeType': {
      const ctx: Ctx = { where: 'constant' };
      expect(an, expr(an, t.lo, scope, ctx), INT, t.lo, 'MOM307', 'the lower bound of a range');
      expect(an, expr(an, t.hi, scope, ctx), INT, t.hi, 'MOM307', 'the upper bound of a range');
      const lo = an.up.constant(an, t.lo);
      const hi = an.up.constant(an, t.hi);
      if (typeof lo === 'number' && typeof hi === 'number' && lo > hi) {
        an.err('MOM404', `range ${lo}..${hi} is empty`, t.span);
      }
      return { k: 'range', lo: t.lo, hi: t.hi };
    }
    case 'enumType': {
      const anonymous = !an.types.has(enumName) && an.global.lookup(t.values[0]?.name ?? '') === undefined;
      if (anonymous) an.up.declareEnum(an, enumName, t);
      return { k: 'enum', name: enumName, values: t.values.map((v) => v.name) };
    }
    case 'setType': {
      const elem = domain(an, t.elem, scope, enumName);
      if (t.max === undefined) return { k: 'set', elem };
      expect(an, expr(an, t.max, scope, { where: 'constant' }), INT, t.max, 'MOM307', 'the size bound of a set type');
      const max = an.up.constant(an, t.max);
      if (max === undefined) an.err('MOM309', 'the size bound of a set type must be a constant', t.max.span);
      else if (typeof max === 'number' && max < 0) an.err('MOM404', `a set of at most ${max} elements has no values`, t.max.span);
      return { k: 'set', elem, max: t.max };
    }
    case 'statementType':
      return statementDomain(an, t);
    case 'namedType': {
      const s = scope.lookup(t.name.name);
      if (s === undefined) {
        an.err('MOM200', `type ${t.name.name} is not declared`, t.span);
        return { k: 'error' };
      }
      an.resolution.set(t.name.id, s);
      switch (s.k) {
        case 'type':
          return s.domain;
        case 'record':
          return { k: 'record', name: s.name };
        case 'principalSet':
          return { k: 'principals', set: s.name };
        default:
          an.err('MOM208', `${describeSymbol(s)} is not a type`, t.span);
          return { k: 'error' };
      }
    }
  }
}

/**
 * `STATEMENT T AUDIT A`: A_f is resolved under the program's constants (a
 * model cannot change who can audit a certificate), `*` to every principal.
 */
function statementDomain(an: Analysis, t: A.TypeExpr & { kind: 'statementType' }): Domain {
  const s = an.global.lookup(t.record.name);
  if (s === undefined || s.k !== 'record') {
    an.err(s === undefined ? 'MOM200' : 'MOM202', s === undefined ? `record type ${t.record.name} is not declared` : `${describeSymbol(s)} is not a record type; a STATEMENT carries a record`, t.record.span);
    return { k: 'error' };
  }
  an.resolution.set(t.record.id, s);
  const a = t.auditor;
  if (a.kind === 'everyone') return { k: 'statement', record: s.name, auditors: [...an.principalSets.values()].flat().sort() };
  if (a.kind !== 'expr') {
    an.err('MOM304', `a carried statement must be auditable by the principals it is shown to: write AUDIT * or AUDIT and a set of principals, not ${a.kind === 'noone' ? 'NOONE' : 'NONE'}`, a.span);
    return { k: 'error' };
  }
  expr(an, a.expr, an.global, { where: 'constant' });
  const v = an.up.constant(an, a.expr);
  const auditors = typeof v === 'string' ? [v] : typeof v === 'object' && v.set.every((x) => typeof x === 'string') ? v.set.map(String) : undefined;
  if (auditors === undefined) {
    an.err('MOM309', 'the auditors of a certificate field must be a constant principal or set of principals', a.expr.span);
    return { k: 'error' };
  }
  return { k: 'statement', record: s.name, auditors: [...new Set(auditors)].sort() };
}

/**
 * A record field may carry statements in one of two shapes: `STATEMENT T
 * AUDIT A`, or a set of those with a size bound (MOM403 otherwise: the
 * checker enumerates certificates as bounded subsets).
 */
export function requireCertificateShape(an: Analysis, d: Domain, span: Span, what: string): void {
  if (!holdsStatements(d) || d.k === 'statement') return;
  if (d.k === 'set' && d.elem.k === 'statement') {
    if (d.max === undefined) an.err('MOM403', `${what} is a set of statements without a size bound: write SET OF STATEMENT ${d.elem.record} AUDIT ... SIZE <= k`, span);
    return;
  }
  an.err('MOM403', `${what} nests statements in sets of sets; a certificate field is STATEMENT T AUDIT A or SET OF STATEMENT T AUDIT A SIZE <= k`, span);
}

/** Statements are held in record fields (and body locals) only: role variables, parameters, functions and constants cannot hold them. */
export function requireNoStatements(an: Analysis, d: Domain, span: Span, what: string): void {
  if (holdsStatements(d)) an.err('MOM423', `${what} cannot hold statements: statements are carried in record fields (certificates) and bound by patterns (AS name), not kept elsewhere`, span);
}

export function requireFinite(an: Analysis, d: Domain, span: Span, what: string): void {
  if (!isFinite(d)) {
    an.err('MOM403', `${what} must have a finite type for the model checker; use a range lo..hi instead of INT`, span);
  }
}
