// Names bound inside a role or a function: parameters, a pattern's binders,
// locals, quantifier binders. The no-shadowing rule (MOM201/MOM205) lives here.

import type { Code } from '../diagnostics/codes.js';
import type * as A from '../syntax/ast.js';
import type { Analysis } from './context.js';
import { domain, requireFinite, requireNoStatements } from './domains.js';
import type { RecordInfo } from './program.js';
import { describeSymbol, type BoundOrigin, type Scope, type Symbol } from './symbols.js';
import { ANY, principal, setOf, statementOf, tyOfDomain, type Ty } from './types.js';

/** Introduces a bound name; a name may not hide another that is in scope. */
export function bind(an: Analysis, name: A.Ident, scope: Scope, ty: Ty, origin: BoundOrigin): void {
  const prev = scope.lookup(name.name);
  if (prev !== undefined) {
    const trigger = (o: BoundOrigin): boolean => o === 'issuer' || o === 'record-binder' || o === 'quorum-issuers' || o === 'statements';
    const code: Code = prev.k === 'bound' && trigger(origin) && trigger(prev.origin) ? 'MOM205' : 'MOM201';
    an.err(code, `${name.name} is already ${code === 'MOM205' ? 'bound in this trigger' : 'declared'} as ${describeSymbol(prev)}; choose another name`, name.span);
  }
  const s: Symbol = { k: 'bound', name: name.name, declId: name.id, ty, origin };
  scope.define(name.name, s);
  an.resolution.set(name.id, s);
  an.typeOf.set(name.id, ty);
}

export function bindParam(an: Analysis, p: A.Param, scope: Scope, origin: BoundOrigin): void {
  const dom = domain(an, p.type, an.global, `${p.name.name}`);
  an.domainOf.set(p.id, dom);
  bind(an, p.name, scope, tyOfDomain(dom), origin);
  if (origin === 'param') requireFinite(an, dom, p.type.span, `transition parameter ${p.name.name}`);
  requireNoStatements(an, dom, p.type.span, `${origin === 'param' ? 'transition' : 'function'} parameter ${p.name.name}`);
}

export function bindPattern(an: Analysis, p: A.Pattern, scope: Scope): void {
  const rec = recordNamed(an, p.recordType);
  const iss = p.issuer;
  if (iss.kind === 'single') bind(an, iss.binder, scope, principal(homeSet(iss.set, scope)), 'issuer');
  if (iss.kind === 'quorum' && iss.binder !== undefined) bind(an, iss.binder, scope, setOf(principal(homeSet(iss.set, scope))), 'quorum-issuers');
  if (p.binder !== undefined) {
    bind(an, p.binder, scope, rec === undefined ? ANY : { k: 'record', name: rec.name }, 'record-binder');
    if (iss.kind === 'quorum') {
      an.multivalent.set(p.binder.id, new Set(p.constraints.filter((c) => c.kind === 'multivalent').map((c) => c.field.name)));
    }
  }
  if (p.statements !== undefined) bind(an, p.statements, scope, setOf(rec === undefined ? ANY : statementOf(rec.name)), 'statements');
}

/** The PRINCIPALS set an issuer set expression is drawn from, when it is one name. */
function homeSet(e: A.Expr, scope: Scope): string | undefined {
  if (e.kind !== 'name') return undefined;
  const s = scope.lookup(e.name);
  return s?.k === 'principalSet' ? s.name : undefined;
}

export function recordNamed(an: Analysis, id: A.Ident): RecordInfo | undefined {
  const s = an.global.lookup(id.name);
  if (s === undefined) {
    an.err('MOM200', `record type ${id.name} is not declared`, id.span);
    return undefined;
  }
  an.resolution.set(id.id, s);
  if (s.k !== 'record') {
    an.err('MOM202', `${describeSymbol(s)} is not a record type`, id.span);
    return undefined;
  }
  return an.records.get(s.name);
}
