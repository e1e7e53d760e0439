// Where a program needs authenticated statements: every PUBLISH (who issues,
// to whom, auditable by whom) and every pattern that requires auditors. The
// principals are evaluated under the constants where they are constant; a
// bound name (`c`, `cm.m.client`) stands for the whole set its type ranges
// over, so a site is checked for every principal it could name.

import type { ConstEnv } from '../analysis/consteval.js';
import { constEval } from '../analysis/consteval.js';
import type { CheckedProgram } from '../analysis/program.js';
import type { Ty } from '../analysis/types.js';
import type { Span } from '../diagnostics/diagnostic.js';
import type * as A from '../syntax/ast.js';
import { principalsIn } from './constants.js';
import { EVERYONE, type Auditors } from './mechanisms.js';

export interface Site {
  readonly kind: 'publish' | 'pattern';
  readonly role: string;
  readonly transition: string;
  /** From the keyword or `[` to the record type: one line in the common case. */
  readonly span: Span;
  readonly recordType: string;
  /** The principals of the role: each is, in turn, the node that publishes or matches. */
  readonly nodes: readonly string[];
  /** For a PUBLISH the issuer is the node itself; for a pattern, whoever the issuer pattern admits. */
  issuers(node: string): readonly string[];
  /** For a PUBLISH whoever it is addressed to; for a pattern the node itself, which must check what it matches. */
  verifiers(node: string): readonly string[];
  auditors(node: string): Auditors;
  /** A PUBLISH's PROGRESS pattern, when it counts a quorum. */
  readonly progress?: QuorumPattern;
}

interface Eval {
  readonly program: CheckedProgram;
  readonly env: ConstEnv;
  readonly everyone: readonly string[];
  readonly principals: ReadonlySet<string>;
}

/** A pattern that counts a quorum, `[S >= k, ...] T`, evaluated per node of its role. */
export interface QuorumPattern {
  readonly role: string;
  readonly recordType: string;
  readonly span: Span;
  /** The principals of the role: each is, in turn, the node that matches. */
  readonly nodes: readonly string[];
  /** S, the issuers the quorum is drawn from, as `node` sees them. */
  issuers(node: string): readonly string[];
  /** k, when constant. */
  threshold(node: string): number | undefined;
}

export interface ProgramSites {
  /** Every PUBLISH, and every pattern with an auditor requirement. */
  readonly sites: readonly Site[];
  /** Every quorum pattern, wherever it is (WHEN, ANDWHEN, UNLESS, KNOWN, PROGRESS). */
  readonly quorums: readonly QuorumPattern[];
}

export function collectSites(program: CheckedProgram, env: ConstEnv): Site[] {
  return [...collectProgram(program, env).sites];
}

export function collectProgram(program: CheckedProgram, env: ConstEnv): ProgramSites {
  const everyone = [...program.principalSets.values()].flat().sort();
  const ev: Eval = { program, env, everyone, principals: new Set(everyone) };
  const sites: Site[] = [];
  const quorums: QuorumPattern[] = [];
  for (const role of program.roles.values()) {
    const nodes = [...(program.principalSets.get(role.set) ?? [])].sort();
    for (const t of role.transitions) {
      const at = { role: role.name, transition: t.name, nodes };
      const patterns: A.Pattern[] = [...t.decl.patterns];
      if (t.decl.unless !== undefined) patterns.push(t.decl.unless);
      collectKnown(t.decl.guard, patterns);
      walkBody(t.decl.body, (s) => {
        sites.push(publishSite(s, at, ev));
        if (s.progress !== undefined) patterns.push(s.progress);
        for (const a of s.args) collectKnown(a.value, patterns);
      }, (e) => collectKnown(e, patterns));
      for (const p of patterns) {
        if (p.auditor.kind === 'everyone' || p.auditor.kind === 'expr') sites.push(patternSite(p, at, ev));
        const q = quorumPattern(p, at, ev);
        if (q !== undefined) quorums.push(q);
      }
    }
  }
  return { sites, quorums };
}

function quorumPattern(p: A.Pattern, at: At, ev: Eval): QuorumPattern | undefined {
  const issuer = p.issuer;
  if (issuer.kind !== 'quorum') return undefined;
  return {
    role: at.role,
    recordType: p.recordType.name,
    span: { start: p.span.start, end: p.recordType.span.end },
    nodes: at.nodes,
    issuers: (node) => principals(issuer.set, node, ev),
    threshold: (node) => {
      const k = constEval(withMe(issuer.threshold, node), ev.env);
      return typeof k === 'number' ? k : undefined;
    },
  };
}

type At = { readonly role: string; readonly transition: string; readonly nodes: readonly string[] };

function publishSite(s: A.Stmt & { kind: 'publish' }, at: At, ev: Eval): Site {
  const progress = s.progress === undefined ? undefined : quorumPattern(s.progress, at, ev);
  return {
    kind: 'publish',
    ...at,
    ...(progress === undefined ? {} : { progress }),
    span: { start: s.span.start, end: s.recordType.span.end },
    recordType: s.recordType.name,
    issuers: (node) => [node],
    verifiers: (node) => position(s.verifier, node, ev),
    auditors: (node) => auditorsOf(s.auditor, node, ev),
  };
}

function patternSite(p: A.Pattern, at: At, ev: Eval): Site {
  const issuer = p.issuer;
  return {
    kind: 'pattern',
    ...at,
    span: { start: p.span.start, end: p.recordType.span.end },
    recordType: p.recordType.name,
    issuers: (node) => principals(issuer.kind === 'principal' ? issuer.expr : issuer.set, node, ev),
    verifiers: (node) => [node],
    auditors: (node) => auditorsOf(p.auditor, node, ev),
  };
}

function auditorsOf(pos: A.PrincipalsPattern, node: string, ev: Eval): Auditors {
  if (pos.kind === 'everyone') return EVERYONE;
  const names = position(pos, node, ev);
  return ev.everyone.every((p) => names.includes(p)) && names.length > 0 ? EVERYONE : { kind: 'set', members: new Set(names) };
}

function position(pos: A.PrincipalsPattern, node: string, ev: Eval): string[] {
  switch (pos.kind) {
    case 'everyone':
      return [...ev.everyone];
    case 'noone':
    case 'none':
      return [];
    case 'expr':
      return principals(pos.expr, node, ev);
  }
}

/** The principals an expression may denote when `node` evaluates it. */
function principals(e: A.Expr, node: string, ev: Eval): string[] {
  const folded = principalsIn(constEval(withMe(e, node), ev.env), ev.principals);
  if (folded !== undefined) return folded;
  return byType(ev.program.typeOf.get(e.id), ev);
}

function byType(t: Ty | undefined, ev: Eval): string[] {
  if (t === undefined) return [...ev.everyone];
  if (t.k === 'set') return byType(t.elem, ev);
  if (t.k === 'principal' && t.set !== undefined) return [...(ev.program.principalSets.get(t.set) ?? ev.everyone)];
  return [...ev.everyone];
}

/** `e` with ME replaced by the node's name, so that `{ME}` or `R MINUS {ME}` fold too. */
function withMe(e: A.Expr, node: string): A.Expr {
  const map = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(map);
    if (typeof x !== 'object' || x === null) return x;
    const o = x as { readonly kind?: unknown; readonly id?: unknown; readonly span?: unknown };
    if (o.kind === 'me') return { kind: 'name', name: node, id: o.id, span: o.span };
    return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, map(v)]));
  };
  return map(e) as A.Expr;
}

function walkBody(stmts: readonly A.Stmt[], onPublish: (s: A.Stmt & { kind: 'publish' }) => void, onExpr: (e: A.Expr) => void): void {
  for (const s of stmts) {
    switch (s.kind) {
      case 'publish':
        onPublish(s);
        break;
      case 'if':
        onExpr(s.cond);
        walkBody(s.then, onPublish, onExpr);
        walkBody(s.else, onPublish, onExpr);
        break;
      case 'local':
      case 'assign':
        onExpr(s.value);
        break;
    }
  }
}

/** Patterns inside KNOWN expressions. */
function collectKnown(e: A.Expr | undefined, out: A.Pattern[]): void {
  if (e === undefined) return;
  const visit = (x: unknown): void => {
    if (Array.isArray(x)) return x.forEach(visit);
    if (typeof x !== 'object' || x === null) return;
    const o = x as { readonly kind?: unknown; readonly pattern?: A.Pattern };
    if (o.kind === 'known' && o.pattern !== undefined) out.push(o.pattern);
    for (const v of Object.values(x)) visit(v);
  };
  visit(e);
}
