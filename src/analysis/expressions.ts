// Types of expressions, and the resolution of the names in them. The two go
// together because `p.x` resolves through the type of `p` (a record's field or
// another role's variable), as property access does in the TypeScript checker.
// Where an expression stands (`Ctx.where`) decides what it may read (MOM406).

import type { Code } from '../diagnostics/codes.js';
import type * as A from '../syntax/ast.js';
import type { Analysis, Ctx } from './context.js';
import { describeSymbol, type Scope } from './symbols.js';
import { ANY, BOOL, INT, principal, setOf, showTy, statementOf, tyOfDomain, unify, type Ty } from './types.js';
import { exprText, knownSet } from './walk.js';

const BUILTINS = new Set(['size']);

export function expect(an: Analysis, got: Ty, want: Ty, at: A.Node, code: Code, what: string): void {
  if (unify(got, want) === undefined) an.err(code, `${what} must be ${showTy(want)}, not ${showTy(got)}`, at.span);
}

export function expr(an: Analysis, e: A.Expr, scope: Scope, ctx: Ctx): Ty {
  const ty = exprInner(an, e, scope, ctx);
  an.typeOf.set(e.id, ty);
  return ty;
}

function exprInner(an: Analysis, e: A.Expr, scope: Scope, ctx: Ctx): Ty {
  switch (e.kind) {
    case 'int':
      return INT;
    case 'bool':
      return BOOL;
    case 'error':
      return ANY;
    case 'me':
      if (ctx.role === undefined) {
        an.err('MOM406', 'ME is the node running a transition; it has no meaning outside a role', e.span);
        return principal();
      }
      return principal(ctx.role.set || undefined);
    case 'correct':
    case 'faulty':
      if (ctx.where !== 'invariant' && ctx.where !== 'property') {
        an.err('MOM406', `${e.kind === 'correct' ? 'CORRECT' : 'FAULTY'} is known to properties only: a node cannot tell which principals are faulty`, e.span);
      }
      return setOf(principal());
    case 'name':
      return nameTy(an, e, scope, ctx);
    case 'unary': {
      const t = expr(an, e.operand, scope, ctx);
      if (e.op === '-') {
        expect(an, t, INT, e.operand, 'MOM307', "the operand of '-'");
        return INT;
      }
      if ((e.op === '[]' || e.op === '<>') && ctx.where !== 'property') {
        an.err('MOM306', `${e.op} is a temporal operator; it belongs in a PROPERTY`, e.span);
      }
      expect(an, t, BOOL, e.operand, 'MOM303', `the operand of ${e.op}`);
      return BOOL;
    }
    case 'binary':
      return binaryTy(an, e, scope, ctx);
    case 'field':
      return fieldTy(an, e, scope, ctx);
    case 'call':
      return callTy(an, e, scope, ctx);
    case 'setLit': {
      let elem: Ty = ANY;
      for (const x of e.elems) {
        const t = expr(an, x, scope, ctx);
        const u = unify(elem, t);
        if (u === undefined) an.err('MOM300', `a set's elements must share one type: ${showTy(t)} among ${showTy(elem)}`, x.span);
        else elem = u;
      }
      return setOf(elem);
    }
    case 'setFilter':
    case 'setMap':
    case 'quant': {
      const dom = expr(an, e.domain, scope, ctx);
      let elem: Ty = ANY;
      if (dom.k === 'set') elem = dom.elem;
      else if (dom.k !== 'any') an.err('MOM301', `${e.binder.name} ranges over a set, not ${showTy(dom)}`, e.domain.span);
      const inner = scope.child();
      an.up.bind(an, e.binder, inner, elem, 'quantifier');
      if (e.kind === 'setMap') return setOf(expr(an, e.element, inner, ctx));
      const body = e.kind === 'setFilter' ? e.predicate : e.body;
      expect(an, expr(an, body, inner, ctx), BOOL, body, 'MOM303', e.kind === 'quant' ? `the body of ${e.quantifier}` : 'the filter condition');
      return e.kind === 'setFilter' ? setOf(elem) : BOOL;
    }
    case 'ite': {
      expect(an, expr(an, e.cond, scope, ctx), BOOL, e.cond, 'MOM303', 'the IF condition');
      const a = expr(an, e.then, scope, ctx);
      const b = expr(an, e.else, scope, ctx);
      const u = unify(a, b);
      if (u === undefined) {
        an.err('MOM300', `the branches of IF have different types: ${showTy(a)} and ${showTy(b)}`, e.span);
        return ANY;
      }
      return u;
    }
    case 'known': {
      if (ctx.role === undefined || ctx.where === 'init') {
        an.err('MOM406', "KNOWN inspects the running node's pool; it has no meaning outside a transition", e.span);
      }
      const inner = scope.child();
      an.up.bindPattern(an, e.pattern, inner);
      an.up.checkPatternBody(an, e.pattern, inner, ctx);
      if (e.collect !== true) return BOOL;
      if (e.pattern.issuer.kind === 'quorum') an.err('MOM300', 'STATEMENTS collects the statements of one issuer at a time; for a quorum, bind its statements with AS on a trigger pattern', e.pattern.issuer.span);
      const rec = an.records.get(e.pattern.recordType.name);
      return setOf(rec === undefined ? ANY : statementOf(rec.name));
    }
  }
}

function nameTy(an: Analysis, e: A.Expr & { kind: 'name' }, scope: Scope, ctx: Ctx): Ty {
  const s = scope.lookup(e.name);
  if (s === undefined) {
    const owner = [...an.roles.values()].find((r) => r.vars.some((v) => v.name === e.name)) ?? roleDeclWithVar(an, e.name);
    if (owner !== undefined && ctx.role === undefined) {
      an.err('MOM406', `${e.name} is a variable of role ${owner.name}; outside a role, read it through a principal: p.${e.name}`, e.span);
    } else {
      an.err('MOM200', `${e.name} is not declared`, e.span);
    }
    return ANY;
  }
  an.resolution.set(e.id, s);
  if (s.k === 'principal') an.principalSink?.add(s.name);
  switch (s.k) {
    case 'principal':
      return principal(s.set);
    case 'principalSet':
      return setOf(principal(s.name));
    case 'constant':
      return an.up.constantTypeOf(an, s.name, e);
    case 'enumValue':
      return { k: 'enum', name: s.enumName };
    case 'roleVar':
      if (ctx.where === 'init') {
        an.err('MOM406', `an initial value cannot read variable ${s.name}`, e.span);
      }
      return s.ty;
    case 'bound':
      return s.ty;
    case 'type': {
      const d = s.domain;
      if (d.k === 'int' || d.k === 'set' || d.k === 'record' || d.k === 'error') {
        an.err('MOM300', `type ${s.name} cannot be used as a set of values here`, e.span);
        return ANY;
      }
      return setOf(tyOfDomain(d));
    }
    case 'record':
    case 'function':
      an.err('MOM300', `${describeSymbol(s)} is not a value${s.k === 'function' ? `; call it: ${s.name}(...)` : `; construct one: ${s.name}(...)`}`, e.span);
      return ANY;
    case 'role':
      an.err('MOM300', `role ${s.name} is not a value; its principals are ${an.roles.get(s.name)?.set ?? 'its AT set'}`, e.span);
      return ANY;
  }
}

/** During pass 2 a later role is not in `roles` yet; look at the syntax. */
function roleDeclWithVar(an: Analysis, name: string): { name: string } | undefined {
  for (const d of an.ast.decls) {
    if (d.kind === 'role' && d.vars.some((v) => v.name.name === name)) return { name: d.name.name };
  }
  return undefined;
}

function binaryTy(an: Analysis, e: A.Expr & { kind: 'binary' }, scope: Scope, ctx: Ctx): Ty {
  const l = expr(an, e.left, scope, ctx);
  const r = expr(an, e.right, scope, ctx);
  switch (e.op) {
    case '+':
    case '-':
    case '*':
    case '/':
    case '%':
      expect(an, l, INT, e.left, 'MOM307', `the left operand of '${e.op}'`);
      expect(an, r, INT, e.right, 'MOM307', `the right operand of '${e.op}'`);
      return INT;
    case '<':
    case '<=':
    case '>':
    case '>=':
      expect(an, l, INT, e.left, 'MOM307', `the left operand of '${e.op}'`);
      expect(an, r, INT, e.right, 'MOM307', `the right operand of '${e.op}'`);
      return BOOL;
    case '==':
    case '!=':
      if (unify(l, r) === undefined) an.err('MOM300', `cannot compare ${showTy(l)} with ${showTy(r)}`, e.span);
      return BOOL;
    case 'AND':
    case 'OR':
    case 'IMPLIES':
    case '~>':
      expect(an, l, BOOL, e.left, 'MOM303', `the left operand of ${e.op}`);
      expect(an, r, BOOL, e.right, 'MOM303', `the right operand of ${e.op}`);
      if (e.op === '~>' && ctx.where !== 'property') an.err('MOM306', '~> (leads to) is a temporal operator; it belongs in a PROPERTY', e.span);
      return BOOL;
    case 'IN':
    case 'NOTIN':
      if (r.k !== 'set' && r.k !== 'any') an.err('MOM301', `the right operand of ${e.op} must be a set, not ${showTy(r)}`, e.right.span);
      else if (r.k === 'set' && unify(l, r.elem) === undefined) an.err('MOM300', `a ${showTy(l)} is never a member of a ${showTy(r)}`, e.span);
      return BOOL;
    case 'SUBSETEQ':
    case 'UNION':
    case 'INTER':
    case 'MINUS': {
      if (l.k !== 'set' && l.k !== 'any') an.err('MOM301', `the left operand of ${e.op} must be a set, not ${showTy(l)}`, e.left.span);
      if (r.k !== 'set' && r.k !== 'any') an.err('MOM301', `the right operand of ${e.op} must be a set, not ${showTy(r)}`, e.right.span);
      const u = unify(l, r);
      if (u === undefined && l.k === 'set' && r.k === 'set') an.err('MOM300', `${e.op} of ${showTy(l)} and ${showTy(r)}`, e.span);
      if (e.op === 'SUBSETEQ') return BOOL;
      // A difference lies within its left operand, an intersection within
      // either: keep the operand whose principal set is known, so that
      // `R INTER CORRECT` still ranges over R's role.
      if (e.op === 'MINUS' && l.k === 'set') return l;
      if (e.op === 'INTER' && l.k === 'set' && r.k === 'set') return knownSet(l) ? l : knownSet(r) ? r : (u ?? l);
      return u ?? setOf(ANY);
    }
    case '..':
      expect(an, l, INT, e.left, 'MOM307', "the lower bound of '..'");
      expect(an, r, INT, e.right, 'MOM307', "the upper bound of '..'");
      return setOf(INT);
  }
}

function fieldTy(an: Analysis, e: A.Expr & { kind: 'field' }, scope: Scope, ctx: Ctx): Ty {
  const t = expr(an, e.target, scope, ctx);
  if (t.k === 'any') return ANY;
  if (t.k === 'record') {
    const rec = an.records.get(t.name);
    const f = rec?.fields.find((x) => x.name === e.field.name);
    if (f === undefined) {
      an.err('MOM203', `record ${t.name} has no field ${e.field.name}${rec ? ` (fields: ${rec.fields.map((x) => x.name).join(', ')})` : ''}`, e.field.span);
      return ANY;
    }
    if (e.target.kind === 'name') {
      const s = scope.lookup(e.target.name);
      if (s?.k === 'bound' && an.multivalent.get(s.declId)?.has(e.field.name)) {
        an.err('MOM413', `${e.target.name}.${e.field.name} was left multivalent (${e.field.name} == *) in the quorum pattern, so it has no single value`, e.span);
      }
    }
    return tyOfDomain(f.domain);
  }
  if (t.k === 'statement') {
    switch (e.field.name) {
      case 'issuer':
        return principal();
      case 'verifiers':
      case 'auditors':
        return setOf(principal());
      case 'record':
        return { k: 'record', name: t.record };
      default:
        an.err('MOM203', `a statement has no part ${e.field.name} (parts: issuer, verifiers, auditors, record); its record's fields are read through .record`, e.field.span);
        return ANY;
    }
  }
  if (t.k === 'principal') {
    if (ctx.where !== 'invariant' && ctx.where !== 'property') {
      an.err('MOM406', `${exprText(e.target)}.${e.field.name} reads another node's variable; a node sees only its own state and pool (properties may read any node's)`, e.span);
    }
    const roleName = t.set === undefined ? undefined : an.roleOfSet.get(t.set) ?? roleNameAt(an, t.set);
    const roleDecl = roleName === undefined ? undefined : an.ast.decls.find((d): d is A.Decl & { kind: 'role' } => d.kind === 'role' && d.name.name === roleName);
    if (roleDecl === undefined) {
      an.err('MOM308', t.set === undefined
        ? `cannot tell which role ${exprText(e.target)} runs; quantify over a principal set that runs a role (FORALL p IN ${[...an.roleOfSet.keys()][0] ?? 'S'} : p.${e.field.name})`
        : `the principals of ${t.set} run no role, so they have no variable ${e.field.name}`, e.target.span);
      return ANY;
    }
    const v = roleDecl.vars.find((x) => x.name.name === e.field.name);
    if (v === undefined) {
      an.err('MOM308', `role ${roleName ?? ''} has no variable ${e.field.name}`, e.field.span);
      return ANY;
    }
    const dom = an.domainOf.get(v.id);
    an.resolution.set(e.field.id, { k: 'roleVar', role: roleDecl.name.name, name: v.name.name, ty: dom ? tyOfDomain(dom) : ANY });
    return dom ? tyOfDomain(dom) : ANY;
  }
  an.err('MOM302', `.${e.field.name} needs a record, a statement or a principal, not ${showTy(t)}`, e.target.span);
  return ANY;
}

function roleNameAt(an: Analysis, set: string): string | undefined {
  for (const d of an.ast.decls) if (d.kind === 'role' && d.at.kind === 'name' && d.at.name === set) return d.name.name;
  return undefined;
}

function callTy(an: Analysis, e: A.Expr & { kind: 'call' }, scope: Scope, ctx: Ctx): Ty {
  const name = e.callee.name;
  if (BUILTINS.has(name) && scope.lookup(name) === undefined) {
    if (e.args.length !== 1 || e.args[0]?.name !== undefined) {
      an.err('MOM204', 'size takes one set: size(S)', e.span);
      for (const a of e.args) expr(an, a.value, scope, ctx);
      return INT;
    }
    const t = expr(an, e.args[0]!.value, scope, ctx);
    if (t.k !== 'set' && t.k !== 'any') an.err('MOM301', `size takes a set, not ${showTy(t)}`, e.args[0]!.value.span);
    return INT;
  }
  const s = scope.lookup(name);
  if (s === undefined) {
    an.err('MOM200', `${name} is not a declared function or record type`, e.callee.span);
    for (const a of e.args) expr(an, a.value, scope, ctx);
    return ANY;
  }
  an.resolution.set(e.callee.id, s);
  if (s.k === 'record') {
    const rec = an.records.get(s.name);
    if (rec !== undefined) an.up.checkConstructorArgs(an, rec, e.args, scope, ctx, e.callee.span);
    return { k: 'record', name: s.name };
  }
  if (s.k !== 'function') {
    an.err('MOM300', `${describeSymbol(s)} cannot be called`, e.callee.span);
    for (const a of e.args) expr(an, a.value, scope, ctx);
    return ANY;
  }
  an.callSink?.add(name);
  const f = an.functions.get(name)!;
  if (e.args.some((a) => a.name !== undefined)) an.err('MOM204', `arguments of ${name} are positional`, e.span);
  if (e.args.length !== f.params.length) {
    an.err('MOM204', `${name} takes ${f.params.length} argument${f.params.length === 1 ? '' : 's'}, but ${e.args.length} ${e.args.length === 1 ? 'is' : 'are'} given`, e.span);
  }
  e.args.forEach((a, i) => {
    const t = expr(an, a.value, scope, ctx);
    const p = f.params[i];
    if (p !== undefined) {
      const dom = an.domainOf.get(p.id) ?? an.up.domain(an, p.type, an.global, p.name.name);
      expect(an, t, tyOfDomain(dom), a.value, 'MOM300', `argument ${p.name.name} of ${name}`);
    }
  });
  const result = an.domainOf.get(f.id) ?? an.up.domain(an, f.result, an.global, `${name}.result`);
  return tyOfDomain(result);
}
