// Constants: their values before any model runs (and under a model's
// overrides), and their types, computed on first use so that declaration
// order does not matter and a constant defined through itself is caught.

import type * as A from '../syntax/ast.js';
import type { Analysis, Ctx } from './context.js';
import { constEval, type ConstValue } from './consteval.js';
import { domain, requireNoStatements } from './domains.js';
import { expect, expr } from './expressions.js';
import { ANY, tyOfDomain, type Domain, type Ty } from './types.js';
import { containsError } from './walk.js';

export function constant(an: Analysis, e: A.Expr, overrides?: ReadonlyMap<string, ConstValue>): ConstValue | undefined {
  const visiting = new Set<string>();
  // Each constant is evaluated once per call: without this, `D1 = D0 + D0`, `D2 = D1 + D1`, ...
  // takes time exponential in the chain. A value computed across a cut cycle is not kept.
  const memo = new Map<string, ConstValue | undefined>();
  let cycleCuts = 0;
  const lookup = (name: string): ConstValue | undefined => {
    if (overrides?.has(name)) return overrides.get(name);
    const s = an.global.lookup(name);
    if (s === undefined) return undefined;
    switch (s.k) {
      case 'principal':
        return s.name;
      case 'principalSet':
        return { set: [...(an.principalSets.get(s.name) ?? [])].sort() };
      case 'constant': {
        if (memo.has(name)) return memo.get(name);
        if (visiting.has(name)) {
          cycleCuts++;
          return undefined;
        }
        visiting.add(name);
        const cutsBefore = cycleCuts;
        const d = an.constants.get(name);
        const v = d === undefined ? undefined : constEval(d.value, { lookup });
        visiting.delete(name);
        if (cycleCuts === cutsBefore) memo.set(name, v);
        return v;
      }
      case 'type': {
        const dom = s.domain;
        if (dom.k === 'range') {
          // `TYPE Seq = 0..Seq` names itself: no value, and no endless recursion.
          const key = `type ${name}`;
          if (visiting.has(key)) return undefined;
          visiting.add(key);
          const lo = constEval(dom.lo, { lookup });
          const hi = constEval(dom.hi, { lookup });
          visiting.delete(key);
          return typeof lo === 'number' && typeof hi === 'number' && hi - lo <= 100_000
            ? { set: Array.from({ length: Math.max(0, hi - lo + 1) }, (_, i) => lo + i) }
            : undefined;
        }
        if (dom.k === 'principals') return { set: [...(an.principalSets.get(dom.set) ?? [])].sort() };
        return undefined;
      }
      default:
        return undefined;
    }
  };
  return constEval(e, { lookup });
}

export function constantTypeOf(an: Analysis, name: string, at: A.Node): Ty {
  const known = an.constantTy.get(name);
  if (known === 'pending') {
    an.err('MOM201', `constant ${name} is defined in terms of itself`, at.span);
    return ANY;
  }
  if (known !== undefined) return known;
  const d = an.constants.get(name);
  if (d === undefined) return ANY;
  an.constantTy.set(name, 'pending');
  const ty = checkConstantDecl(an, d);
  an.constantTy.set(name, ty);
  return ty;
}

function checkConstantDecl(an: Analysis, d: A.Decl & { kind: 'constant' }): Ty {
  const ctx: Ctx = { where: 'constant' };
  const errorsBefore = an.diagnostics.length;
  const valueTy = expr(an, d.value, an.global, ctx);
  let ty = valueTy;
  if (d.type !== undefined) {
    const dom = domain(an, d.type, an.global, d.name.name);
    an.domainOf.set(d.id, dom);
    requireNoStatements(an, dom, d.type.span, `constant ${d.name.name}`);
    ty = tyOfDomain(dom);
    expect(an, valueTy, ty, d.value, 'MOM300', `the value of constant ${d.name.name}`);
  }
  // A value already reported as ill-typed is not also "not computable".
  if (constant(an, d.value) === undefined && !containsError(d.value) && an.diagnostics.length === errorsBefore) {
    an.err('MOM309', `the value of constant ${d.name.name} must be computable before the model runs (numbers, booleans, principals, sets of them)`, d.value.span);
  }
  return ty;
}

export function checkInDomain(an: Analysis, e: A.Expr, dom: Domain, what: string): void {
  if (dom.k !== 'range') return;
  const v = constant(an, e);
  const lo = constant(an, dom.lo);
  const hi = constant(an, dom.hi);
  if (typeof v === 'number' && typeof lo === 'number' && typeof hi === 'number' && (v < lo || v > hi)) {
    an.err('MOM414', `${what} is ${v}, outside ${lo}..${hi}`, e.span);
  }
}
