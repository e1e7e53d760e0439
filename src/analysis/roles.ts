// Roles: their variables and initial values, transitions (parameters,
// triggers, guards, UNLESS) and body specs (locals, assignments, PUBLISH).

import type { Span } from '../diagnostics/diagnostic.js';
import type * as A from '../syntax/ast.js';
import { bind, bindParam, bindPattern, recordNamed } from './binding.js';
import { checkPublishAuditable } from './certificates.js';
import { checkInDomain } from './constants.js';
import type { Analysis, Ctx } from './context.js';
import { domain, requireFinite, requireNoStatements } from './domains.js';
import { expect, expr } from './expressions.js';
import { checkPatternBody, principalsPosition } from './patterns.js';
import { checkAnswer } from './answer.js';
import { checkForgets } from './forget.js';
import type { AnswerInfo, ForgetInfo, RecordInfo, RoleInfo, TransitionInfo } from './program.js';
import { describeSymbol, type Scope, type Symbol } from './symbols.js';
import { BOOL, principal, setOf, tyOfDomain, type Domain } from './types.js';

export function checkRole(an: Analysis, d: A.Decl & { kind: 'role' }): void {
  const at = d.at;
  let set = '';
  const s = at.kind === 'name' ? an.global.lookup(at.name) : undefined;
  if (s?.k === 'principalSet') {
    set = s.name;
    an.resolution.set(at.id, s);
    an.typeOf.set(at.id, setOf(principal(set)));
    const other = an.roleOfSet.get(set);
    if (other !== undefined) an.err('MOM407', `the principals of ${set} already run role ${other}; a principal runs one role`, at.span);
    else an.roleOfSet.set(set, d.name.name);
    if ((an.principalSets.get(set) ?? []).length === 0) an.err('MOM418', `role ${d.name.name} runs on ${set}, which is empty`, at.span);
  } else {
    an.err('MOM304', 'a role runs AT the name of a PRINCIPALS set', at.span);
  }
  const roleScope = an.global.child();
  const ctxRole = { name: d.name.name, set };
  const vars: { name: string; domain: Domain; decl: A.VarDecl }[] = [];
  for (const v of d.vars) {
    const dom = domain(an, v.type, an.global, `${d.name.name}.${v.name.name}`);
    an.domainOf.set(v.id, dom);
    requireFinite(an, dom, v.type.span, `variable ${v.name.name}`);
    requireNoStatements(an, dom, v.type.span, `role variable ${v.name.name}`);
    const ty = tyOfDomain(dom);
    const initTy = expr(an, v.init, an.global, { where: 'init', role: ctxRole });
    expect(an, initTy, ty, v.init, 'MOM300', `the initial value of ${v.name.name}`);
    checkInDomain(an, v.init, dom, `initial value of ${v.name.name}`);
    if (roleScope.own(v.name.name) !== undefined) {
      an.err('MOM201', `variable ${v.name.name} is declared twice in role ${d.name.name}`, v.name.span);
      continue;
    }
    if (an.global.lookup(v.name.name) !== undefined) {
      an.err('MOM201', `variable ${v.name.name} hides ${describeSymbol(an.global.lookup(v.name.name)!)}; choose another name`, v.name.span);
    }
    const sym: Symbol = { k: 'roleVar', role: d.name.name, name: v.name.name, ty };
    roleScope.define(v.name.name, sym);
    an.resolution.set(v.name.id, sym);
    vars.push({ name: v.name.name, domain: dom, decl: v });
  }
  const transitions: TransitionInfo[] = [];
  const names = new Set<string>();
  for (const t of d.transitions) {
    const name = t.name?.name ?? `${d.name.name}_L${an.lineAt(t.span.start)}`;
    if (names.has(name)) an.err('MOM201', `transition ${name} is declared twice in role ${d.name.name}`, (t.name ?? t).span);
    names.add(name);
    transitions.push({ name, role: d.name.name, decl: t });
  }
  const forgets: ForgetInfo[] = [];
  const info = { name: d.name.name, set, vars, transitions, forgets, decl: d };
  an.roles.set(d.name.name, info);
  d.transitions.forEach((t, i) => {
    const answer = checkTransition(an, t, roleScope, ctxRole, info);
    if (answer !== undefined) transitions[i] = { ...transitions[i]!, answer };
  });
  forgets.push(...checkForgets(an, d, roleScope, info, { where: 'trigger', role: ctxRole }));
}

/** Checks one transition; its declared answer when it has a well-formed one. */
function checkTransition(an: Analysis, t: A.Transition, roleScope: Scope, role: { name: string; set: string }, info: RoleInfo): AnswerInfo | undefined {
  const scope = roleScope.child();
  for (const p of t.params) bindParam(an, p, scope, 'param');
  const trigger: Ctx = { where: 'trigger', role };
  // All binders of a trigger are in scope in every pattern (the paper's
  // `m==req` refers to a binder of the next pattern), so bind first, then check.
  for (const p of t.patterns) bindPattern(an, p, scope);
  for (const p of t.patterns) checkPatternBody(an, p, scope, trigger);
  if (t.guard !== undefined) {
    expect(an, expr(an, t.guard, scope, trigger), BOOL, t.guard, 'MOM303', 'the guard');
  }
  if (t.kind === 'timeout' && t.unless === undefined) {
    an.err('MOM410', `TIMEOUT ${t.name?.name ?? ''} needs an UNLESS pattern: the event whose absence the timeout detects`, (t.name ?? t).span);
  }
  if (t.kind === 'transition' && t.unless !== undefined) {
    an.err('MOM410', 'UNLESS belongs to TIMEOUT transitions; write TIMEOUT Name instead of TRANSITION', t.unless.span);
  }
  if (t.unless !== undefined) {
    const inner = scope.child();
    bindPattern(an, t.unless, inner);
    checkPatternBody(an, t.unless, inner, trigger);
  }
  const answer = checkAnswer(an, t, scope, info, trigger);
  checkStmts(an, t.body, scope.child(), { where: 'body', role });
  return answer;
}

function checkStmts(an: Analysis, stmts: readonly A.Stmt[], scope: Scope, ctx: Ctx): void {
  for (const s of stmts) checkStmt(an, s, scope, ctx);
}

function checkStmt(an: Analysis, s: A.Stmt, scope: Scope, ctx: Ctx): void {
  switch (s.kind) {
    case 'local': {
      const dom = domain(an, s.type, an.global, s.name.name);
      an.domainOf.set(s.id, dom);
      const ty = tyOfDomain(dom);
      expect(an, expr(an, s.value, scope, ctx), ty, s.value, 'MOM300', `the value of ${s.name.name}`);
      bind(an, s.name, scope, ty, 'local');
      break;
    }
    case 'assign': {
      const target = scope.lookup(s.target.name);
      const valueTy = expr(an, s.value, scope, ctx);
      if (target === undefined) {
        const owner = [...an.roles.values()].find((r) => r.vars.some((v) => v.name === s.target.name));
        an.err('MOM402', owner !== undefined
          ? `${s.target.name} is a variable of role ${owner.name}; a role writes only its own variables`
          : `${s.target.name} is not a declared variable; declare it with VAR in the role, or as a local: Type ${s.target.name} <- ...;`, s.target.span);
        return;
      }
      an.resolution.set(s.target.id, target);
      const writable = target.k === 'roleVar' || (target.k === 'bound' && target.origin === 'local');
      if (!writable) {
        an.err('MOM402', `${describeSymbol(target)} cannot be assigned; only this role's variables and locals can`, s.target.span);
        return;
      }
      expect(an, valueTy, target.ty, s.value, 'MOM300', `the value assigned to ${s.target.name}`);
      break;
    }
    case 'if':
      expect(an, expr(an, s.cond, scope, ctx), BOOL, s.cond, 'MOM303', 'the IF condition');
      checkStmts(an, s.then, scope.child(), ctx);
      checkStmts(an, s.else, scope.child(), ctx);
      break;
    case 'publish': {
      if (s.issuer.kind !== 'me') an.err('MOM401', 'a node publishes only as itself: the issuer of PUBLISH is ME', s.issuer.span);
      else expr(an, s.issuer, scope, ctx);
      principalsPosition(an, s.verifier, scope, ctx, 'verifier');
      if (s.auditor.kind === 'none') an.err('MOM408', 'NONE in PUBLISH: write NOONE for a statement no third party can audit', s.auditor.span);
      principalsPosition(an, s.auditor, scope, ctx, 'auditor');
      const rec = recordNamed(an, s.recordType);
      if (rec !== undefined) {
        checkConstructorArgs(an, rec, s.args, scope, ctx, s.recordType.span);
        checkPublishAuditable(an, s);
      } else for (const a of s.args) expr(an, a.value, scope, ctx);
      if (s.progress !== undefined) {
        const inner = scope.child();
        bindPattern(an, s.progress, inner);
        checkPatternBody(an, s.progress, inner, ctx);
      }
      break;
    }
  }
}

export function checkConstructorArgs(an: Analysis, rec: RecordInfo, args: readonly A.Arg[], scope: Scope, ctx: Ctx, at: Span): void {
  const named = args.filter((a) => a.name !== undefined);
  if (named.length > 0 && named.length < args.length) {
    an.err('MOM204', `${rec.name}(...) mixes named and positional arguments; use one style`, at);
  }
  if (named.length === args.length && args.length > 0) {
    const given = new Set<string>();
    for (const a of args) {
      const n = a.name!;
      const f = rec.fields.find((x) => x.name === n.name);
      const ty = expr(an, a.value, scope, ctx);
      if (f === undefined) {
        an.err('MOM203', `record ${rec.name} has no field ${n.name}`, n.span);
        continue;
      }
      if (given.has(n.name)) an.err('MOM204', `field ${n.name} is given twice`, n.span);
      given.add(n.name);
      expect(an, ty, tyOfDomain(f.domain), a.value, 'MOM300', `field ${n.name} of ${rec.name}`);
    }
    const missing = rec.fields.filter((f) => !given.has(f.name)).map((f) => f.name);
    if (missing.length > 0) an.err('MOM204', `${rec.name}(...) leaves out ${missing.join(', ')}`, at);
    return;
  }
  args.forEach((a, i) => {
    const ty = expr(an, a.value, scope, ctx);
    const f = rec.fields[i];
    if (f !== undefined) expect(an, ty, tyOfDomain(f.domain), a.value, 'MOM300', `field ${f.name} of ${rec.name}`);
  });
  if (args.length !== rec.fields.length) {
    an.err('MOM204', `${rec.name} has ${rec.fields.length} field${rec.fields.length === 1 ? '' : 's'} (${rec.fields.map((f) => f.name).join(', ')}), but ${args.length} value${args.length === 1 ? ' is' : 's are'} given`, at);
  }
}
