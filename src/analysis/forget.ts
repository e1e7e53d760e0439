// A role's FORGET members (issue 23; docs/decisions.md, "Forgetting"): the
// pattern of what a node may drop and the condition under which it may. The
// condition must be stable (once true for a statement, true for ever), and is
// accepted only in a shape that is stable whenever the role variables it
// compares with are monotone: a positive AND/OR of atoms that either read no
// role variable (fixed for a given statement) or compare a statement-only
// expression with one bare role variable in the direction in which that
// variable only grows. Which variables must be monotone, and in which sense,
// goes to the checked program; both engines check it on every step.

import type * as A from '../syntax/ast.js';
import { bindPattern } from './binding.js';
import type { Analysis, Ctx } from './context.js';
import { expect, expr } from './expressions.js';
import { checkPatternBody } from './patterns.js';
import type { ForgetInfo, MonotoneVar, RoleInfo, TableField } from './program.js';
import type { Scope } from './symbols.js';
import { BOOL } from './types.js';
import { children, exprText, findKnown } from './walk.js';

export function checkForgets(an: Analysis, d: A.Decl & { kind: 'role' }, roleScope: Scope, role: RoleInfo, ctx: Ctx): ForgetInfo[] {
  const out: ForgetInfo[] = [];
  for (const f of d.forgets) {
    const scope = roleScope.child();
    bindPattern(an, f.pattern, scope);
    checkPatternBody(an, f.pattern, scope, ctx);
    expect(an, expr(an, f.condition, scope, ctx), BOOL, f.condition, 'MOM303', 'the FORGET condition');
    const before = an.diagnostics.length;
    checkPatternForm(an, f.pattern, role);
    const monotone = new Map<string, MonotoneVar>();
    stableShape(an, f.condition, role, monotone, FORGET_CONDITION);
    if (an.diagnostics.length === before) out.push({ decl: f, monotone: [...monotone.values()] });
  }
  return out;
}

/** A FORGET pattern names single statements by what they are, never by the node's state. */
function checkPatternForm(an: Analysis, p: A.Pattern, role: RoleInfo): void {
  if (p.issuer.kind === 'quorum') {
    an.err('MOM431', 'FORGET names single statements: a quorum issuer is a trigger\'s form; write one issuer or an issuer binder (`r R == 1`)', p.issuer.span);
  }
  if (p.statements !== undefined) an.err('MOM431', 'FORGET names single statements: AS binds a set of them, a trigger\'s form', p.statements.span);
  const exprs: A.Expr[] = [];
  if (p.issuer.kind === 'principal') exprs.push(p.issuer.expr);
  if (p.issuer.kind === 'single') exprs.push(p.issuer.set);
  if (p.verifier.kind === 'expr') exprs.push(p.verifier.expr);
  if (p.auditor.kind === 'expr') exprs.push(p.auditor.expr);
  for (const c of p.constraints) if (c.kind === 'eq') exprs.push(c.value);
  for (const e of exprs) {
    const v = firstDynamic(an, e, role);
    if (v !== undefined) {
      an.err('MOM431', `the FORGET pattern reads ${v}, which can change: compare with it in the WHEN condition, where its stability is checked (e.g. WHEN x.f <= ${v})`, e.span);
    }
  }
}

/** Which construct a stable condition belongs to, for its diagnostics. */
export interface StableCondition {
  readonly construct: 'FORGET' | 'ANSWER';
  readonly code: 'MOM430' | 'MOM433';
  /** What the `x` of an atom may read besides constants. */
  readonly fixed: string;
  /** Why KNOWN is not allowed. */
  readonly known: string;
}

const FORGET_CONDITION: StableCondition = {
  construct: 'FORGET', code: 'MOM430', fixed: 'the statement', known: 'it reads KNOWN, which forgetting itself changes',
};

/**
 * Checks that `e` has the stable shape; records the monotone variables it
 * relies on. Reports the construct's code naming the first atom that is not
 * of that shape.
 */
export function stableShape(an: Analysis, e: A.Expr, role: RoleInfo, monotone: Map<string, MonotoneVar>, what: StableCondition): void {
  if (firstDynamic(an, e, role) === undefined) return;
  if (e.kind === 'binary' && (e.op === 'AND' || e.op === 'OR')) {
    stableShape(an, e.left, role, monotone, what);
    stableShape(an, e.right, role, monotone, what);
    return;
  }
  const need = (v: string, sense: 'grows' | 'true-stays'): void => {
    const index = role.vars.findIndex((x) => x.name === v);
    monotone.set(v, sense === 'grows' ? { name: v, index, sense } : { name: v, index, sense });
  };
  if (e.kind === 'name') {
    const v = roleVarOf(an, e, role);
    if (v !== undefined && an.typeOf.get(e.id)?.k === 'bool') return need(v, 'true-stays');
  }
  if (e.kind === 'quant' && e.quantifier === 'EXISTS') {
    const table = keyedAtom(an, e, role);
    if (table !== undefined && table.sense === 'keyed') {
      const key = `${table.name}|keyed|${table.keys.map((k) => k.name).join(',')}|${table.ups.map((k) => k.name).join(',')}`;
      monotone.set(key, table);
      return;
    }
  }
  if (e.kind === 'binary') {
    // `s <= v`, `s < v` (v never decreases), and the same written `v >= s`, `v > s`.
    const up = e.op === '<=' || e.op === '<' ? { s: e.left, v: e.right } : e.op === '>=' || e.op === '>' ? { s: e.right, v: e.left } : undefined;
    const rv = up === undefined ? undefined : growingVar(an, up.v, role);
    if (up !== undefined && rv !== undefined && firstDynamic(an, up.s, role) === undefined) return need(rv, 'grows');
    // `s IN v`, `s SUBSETEQ v` (v never loses a member).
    if (e.op === 'IN' || e.op === 'SUBSETEQ') {
      const sv = roleVarOf(an, e.right, role);
      if (sv !== undefined && firstDynamic(an, e.left, role) === undefined) return need(sv, 'grows');
    }
  }
  const known = findKnown(e);
  const why = known !== undefined
    ? what.known
    : e.kind === 'unary' && e.op === 'NOT'
      ? 'a negation of something that changes can become false'
      : `only \`x <= v\`, \`x < v\`, \`v >= x\`, \`v > x\` (v may be \`v + k\` or \`v - k\`), \`x IN v\`, \`x SUBSETEQ v\` and a boolean \`v\` are stable, for x and k of ${what.fixed} and constants alone and v a role variable the checker holds to be monotone`;
  an.err(what.code, `the ${what.construct} condition's atom \`${exprText(e)}\` cannot be shown stable (once true, true for ever): ${why}`, e.span);
}

/**
 * A table lookup `EXISTS e IN v : e.k == x AND ... AND x < e.f AND ...`: v a
 * role variable holding a set of records (a table, e.g. one entry per
 * client), each conjunct either fixed (reading neither e nor a role
 * variable), a key `e.k == x` (or `x == e.k`), or a lower bound `x < e.f`,
 * `x <= e.f`, `e.f > x`, `e.f >= x` (x reading neither). Once true it stays
 * true as long as every entry of v keeps an entry with the same keys and up
 * fields at least as large: the `keyed` sense, which both engines check. The
 * map variable `v[x.client]` this stands for needs no new type in any stage.
 */
function keyedAtom(an: Analysis, e: A.Expr & { kind: 'quant' }, role: RoleInfo): MonotoneVar | undefined {
  const v = roleVarOf(an, e.domain, role);
  if (v === undefined) return undefined;
  const index = role.vars.findIndex((x) => x.name === v);
  const dom = role.vars[index]?.domain;
  if (dom?.k !== 'set' || dom.elem.k !== 'record') return undefined;
  const rec = an.records.get(dom.elem.name);
  if (rec === undefined) return undefined;
  const b = e.binder.name;
  const free = (x: A.Expr): boolean => firstDynamic(an, x, role) === undefined && !mentionsName(x, b);
  const fieldOfBinder = (x: A.Expr): TableField | undefined => {
    if (x.kind !== 'field' || x.target.kind !== 'name' || x.target.name !== b) return undefined;
    const i = rec.fields.findIndex((f) => f.name === x.field.name);
    return i < 0 ? undefined : { name: x.field.name, index: i };
  };
  const keys: TableField[] = [];
  const ups: TableField[] = [];
  for (const c of conjuncts(e.body)) {
    if (free(c)) continue;
    if (c.kind !== 'binary') return undefined;
    if (c.op === '==') {
      const k = fieldOfBinder(c.left) ?? fieldOfBinder(c.right);
      const other = fieldOfBinder(c.left) !== undefined ? c.right : c.left;
      if (k === undefined || !free(other)) return undefined;
      keys.push(k);
      continue;
    }
    const low = c.op === '<' || c.op === '<=' ? { x: c.left, f: c.right } : c.op === '>' || c.op === '>=' ? { x: c.right, f: c.left } : undefined;
    const f = low === undefined ? undefined : fieldOfBinder(low.f);
    if (low === undefined || f === undefined || !free(low.x)) return undefined;
    ups.push(f);
  }
  return { name: v, index, sense: 'keyed', keys, ups };
}

function conjuncts(e: A.Expr): A.Expr[] {
  return e.kind === 'binary' && e.op === 'AND' ? [...conjuncts(e.left), ...conjuncts(e.right)] : [e];
}

function mentionsName(e: A.Expr, name: string): boolean {
  if (e.kind === 'name' && e.name === name) return true;
  return children(e).some((c) => mentionsName(c, name));
}

/** The first role variable `e` reads, or `KNOWN` (either can change while the statement does not). */
function firstDynamic(an: Analysis, e: A.Expr, role: RoleInfo): string | undefined {
  if (e.kind === 'known') return 'KNOWN';
  if (e.kind === 'name') {
    const v = roleVarOf(an, e, role);
    if (v !== undefined) return v;
  }
  for (const c of children(e)) {
    const v = firstDynamic(an, c, role);
    if (v !== undefined) return v;
  }
  return undefined;
}

/** The role variable of `v`, `v + k`, `k + v` or `v - k` (k reading no role variable): integers that grow with v. */
function growingVar(an: Analysis, e: A.Expr, role: RoleInfo): string | undefined {
  if (e.kind === 'binary' && (e.op === '+' || e.op === '-')) {
    if (firstDynamic(an, e.right, role) === undefined) return growingVar(an, e.left, role);
    if (e.op === '+' && firstDynamic(an, e.left, role) === undefined) return growingVar(an, e.right, role);
    return undefined;
  }
  return roleVarOf(an, e, role);
}

function roleVarOf(an: Analysis, e: A.Expr, role: RoleInfo): string | undefined {
  if (e.kind !== 'name') return undefined;
  const s = an.resolution.get(e.id);
  return s?.k === 'roleVar' && s.role === role.name ? s.name : undefined;
}
