// Types as written in the program (`0..N`, `{a, b}`, `SET OF Req`, a name)
// turned into domains. Range bounds are constant expressions, so this reaches
// into the expression checker and the constant evaluator.

import type { Span } from '../diagnostics/diagnostic.js';
import type * as A from '../syntax/ast.js';
import type { Analysis, Ctx } from './context.js';
import { constant } from './constants.js';
import { declareEnum } from './declare.js';
import { expect, expr } from './expressions.js';
import { describeSymbol, type Scope } from './symbols.js';
import { INT, isFinite, type Domain } from './types.js';

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
      const lo = constant(an, t.lo);
      const hi = constant(an, t.hi);
      if (typeof lo === 'number' && typeof hi === 'number' && lo > hi) {
        an.err('MOM404', `range ${lo}..${hi} is empty`, t.span);
      }
      return { k: 'range', lo: t.lo, hi: t.hi };
    }
    case 'enumType': {
      const anonymous = !an.types.has(enumName) && an.global.lookup(t.values[0]?.name ?? '') === undefined;
      if (anonymous) declareEnum(an, enumName, t);
      return { k: 'enum', name: enumName, values: t.values.map((v) => v.name) };
    }
    case 'setType':
      return { k: 'set', elem: domain(an, t.elem, scope, enumName) };
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

export function requireFinite(an: Analysis, d: Domain, span: Span, what: string): void {
  if (!isFinite(d)) {
    an.err('MOM403', `${what} must have a finite type for the model checker; use a range lo..hi instead of INT`, span);
  }
}
