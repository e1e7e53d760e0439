// MOMMIE expressions and patterns as TLA+ expressions. The context says how
// names read: inside a transition, role variables are the node's current
// values (the body's latest assignment, or `x[n]`); in properties, `p.x` is
// `x[p]`.

import type { CheckedProgram } from '../analysis/program.js';
import type { Domain } from '../analysis/types.js';
import type * as A from '../syntax/ast.js';
import { moduleLevelNames, roleVarName, tlaName, tlaString } from './names.js';

export interface ExprContext {
  /** The TLA+ name of the running node (`ME`), inside a transition. */
  readonly node?: string;
  /** Current TLA+ expression of each role variable, inside a transition. */
  readonly roleVars?: ReadonlyMap<string, string>;
  /** TLA+ names of bound MOMMIE names, by the id of their binding occurrence. */
  readonly bound: Map<number, string>;
  /** A fresh TLA+ name for a helper binding. */
  fresh(hint: string): string;
  /**
   * The TLA+ set the running node's patterns and KNOWN range over, when not
   * `known[node]`: ForgetUnobservable evaluates a transition over
   * `known[n] \cup forgotten[n]` too (issue 23).
   */
  readonly known?: string;
}

/** The running node's known set in TLA+. */
function knownOf(ctx: ExprContext): string {
  return ctx.known ?? `known[${ctx.node ?? 'ME'}]`;
}

export class ExprTranslator {
  private globals: ReadonlySet<string> | undefined;

  constructor(readonly program: CheckedProgram) {}

  /**
   * Binds a name the program binds (a quantifier's, a set builder's, a
   * parameter's) in `ctx`: its own TLA+ name, or a fresh one when that is a
   * name the module defines at its top level (a role variable `v` and another
   * role's parameter `v`), which TLA+ would refuse as a redefinition.
   */
  bindName(id: { readonly id: number; readonly name: string }, ctx: ExprContext): string {
    this.globals ??= moduleLevelNames(this.program);
    const plain = tlaName(id.name);
    const name = this.globals.has(plain) ? ctx.fresh(plain) : plain;
    ctx.bound.set(id.id, name);
    return name;
  }

  /** The TLA+ set of a declared domain. */
  domainSet(d: Domain): string {
    switch (d.k) {
      case 'bool':
        return 'BOOLEAN';
      case 'int':
        return 'Int';
      case 'range':
        return `((${this.expr(d.lo, constCtx())})..(${this.expr(d.hi, constCtx())}))`;
      case 'enum':
        return `{${d.values.map(tlaString).join(', ')}}`;
      case 'principals':
        return tlaName(d.set);
      case 'record':
        return `T_${d.name}`;
      case 'set':
        // Only tested by membership (TLC tests a filtered SUBSET lazily, never enumerating it).
        if (d.max !== undefined) return `{c__ \\in SUBSET ${this.domainSet(d.elem)} : Cardinality(c__) <= ${this.expr(d.max, constCtx())}}`;
        return `(SUBSET ${this.domainSet(d.elem)})`;
      case 'statement':
        // A carried statement is the pool's statement record; nested certificates
        // are defined by depth through T_X (records cannot carry their own type).
        return `[issuer: Principals, verifiers: SUBSET Principals, auditors: {a__ \\in SUBSET Principals : {${d.auditors.map(tlaName).join(', ')}} \\subseteq a__}, record: T_${d.record}]`;
      case 'error':
        return '{}';
    }
  }

  /** `v` if it lies in `d`; otherwise TLC stops with "CHOOSE ... no element satisfied" (MOM501). */
  checked(v: string, d: Domain | undefined): string {
    if (d === undefined || d.k === 'int' || d.k === 'error') return v;
    return `InType(${v}, ${this.domainSet(d)})`;
  }

  expr(e: A.Expr, ctx: ExprContext): string {
    switch (e.kind) {
      case 'int':
        return e.value < 0 ? `(${e.value})` : String(e.value);
      case 'bool':
        return e.value ? 'TRUE' : 'FALSE';
      case 'error':
        return 'FALSE';
      case 'me':
        return ctx.node ?? 'ME';
      case 'correct':
        return 'Correct';
      case 'faulty':
        return 'Faulty';
      case 'name':
        return this.name(e, ctx);
      case 'unary':
        switch (e.op) {
          case 'NOT':
            return `~(${this.expr(e.operand, ctx)})`;
          case '-':
            return `(-(${this.expr(e.operand, ctx)}))`;
          case '[]':
            return `[](${this.expr(e.operand, ctx)})`;
          case '<>':
            return `<>(${this.expr(e.operand, ctx)})`;
        }
        break;
      case 'binary': {
        const l = this.expr(e.left, ctx);
        const r = this.expr(e.right, ctx);
        const op = BINARY[e.op];
        return `(${l} ${op} ${r})`;
      }
      case 'field': {
        const target = this.program.typeOf.get(e.target.id);
        if (target?.k === 'principal') {
          const v = this.program.resolution.get(e.field.id);
          const name = v?.k === 'roleVar' ? roleVarName(this.program, v.role, v.name) : tlaName(e.field.name);
          return `${name}[${this.expr(e.target, ctx)}]`;
        }
        return `${this.expr(e.target, ctx)}.${tlaName(e.field.name)}`;
      }
      case 'call':
        return this.call(e, ctx);
      case 'setLit':
        return `{${e.elems.map((x) => this.expr(x, ctx)).join(', ')}}`;
      case 'setFilter': {
        const x = this.bind(e.binder, ctx);
        return `{${x} \\in ${this.expr(e.domain, ctx)} : ${this.expr(e.predicate, ctx)}}`;
      }
      case 'setMap': {
        const x = this.bind(e.binder, ctx);
        return `{${this.expr(e.element, ctx)} : ${x} \\in ${this.expr(e.domain, ctx)}}`;
      }
      case 'quant': {
        const x = this.bind(e.binder, ctx);
        return `(${e.quantifier === 'FORALL' ? '\\A' : '\\E'} ${x} \\in ${this.expr(e.domain, ctx)} : ${this.expr(e.body, ctx)})`;
      }
      case 'ite':
        return `(IF ${this.expr(e.cond, ctx)} THEN ${this.expr(e.then, ctx)} ELSE ${this.expr(e.else, ctx)})`;
      case 'known':
        if (e.collect === true) {
          // STATEMENTS p: the known statements that are a match of p by themselves.
          const st = ctx.fresh('st');
          return `{${st} \\in ${knownOf(ctx)} : ${this.patternsExist([e.pattern], ctx, () => 'TRUE', `{${st}}`)}}`;
        }
        return this.known(e.pattern, ctx);
    }
    return 'FALSE';
  }

  private bind(id: A.Ident, ctx: ExprContext): string {
    return this.bindName(id, ctx);
  }

  private name(e: A.Expr & { kind: 'name' }, ctx: ExprContext): string {
    const s = this.program.resolution.get(e.id);
    switch (s?.k) {
      case 'principal':
      case 'principalSet':
      case 'constant':
        return tlaName(s.name);
      case 'enumValue':
        return tlaString(s.name);
      case 'roleVar':
        return ctx.roleVars?.get(s.name) ?? `${roleVarName(this.program, s.role, s.name)}[${ctx.node ?? 'ME'}]`;
      case 'bound':
        return ctx.bound.get(s.declId) ?? tlaName(s.name);
      case 'type':
        return this.domainSet(s.domain);
      default:
        return tlaName(e.name);
    }
  }

  private call(e: A.Expr & { kind: 'call' }, ctx: ExprContext): string {
    const s = this.program.resolution.get(e.callee.id);
    if (s === undefined && e.callee.name === 'size') return `Cardinality(${this.expr(e.args[0]!.value, ctx)})`;
    if (s?.k === 'record') return this.construct(s.name, e.args, ctx);
    if (s?.k === 'function') {
      const f = this.program.functions.get(s.name)!;
      const args = f.params.map((p, i) => this.checked(this.expr(e.args[i]!.value, ctx), this.program.domainOf.get(p.id)));
      const call = args.length === 0 ? tlaName(s.name) : `${tlaName(s.name)}(${args.join(', ')})`;
      // A defined function checks its result itself; a model's definition of
      // one the program leaves open is checked here, where the evaluator does.
      return f.body === undefined ? this.checked(call, this.program.domainOf.get(f.id)) : call;
    }
    return `${tlaName(e.callee.name)}(${e.args.map((a) => this.expr(a.value, ctx)).join(', ')})`;
  }

  /** A record, fields in declared order, each checked against its domain. */
  construct(type: string, args: readonly A.Arg[], ctx: ExprContext): string {
    const r = this.program.records.get(type)!;
    const values = r.fields.map((f, i) => {
      const a = args.find((x) => x.name?.name === f.name) ?? (args.every((x) => x.name === undefined) ? args[i] : undefined);
      return this.checked(a === undefined ? 'FALSE' : this.expr(a.value, ctx), f.domain);
    });
    return `Mk_${type}(${values.join(', ')})`;
  }

  // ---------- patterns ----------

  /**
   * `\E` over the statements a pattern matches in `known[n]`, then `body`
   * under the pattern's binders. Used for KNOWN, UNLESS and trigger patterns.
   */
  patternsExist(patterns: readonly A.Pattern[], ctx: ExprContext, body: (binders: PatternBinders[]) => string, candidates?: string): string {
    const parts = this.patternParts(patterns, ctx, candidates);
    const inner = body(parts.binders);
    const conj = [...parts.checks.filter((c) => c !== 'TRUE'), ...(inner === 'TRUE' ? [] : [inner])];
    const core = conj.length === 0 ? 'TRUE' : conj.map((c) => `(${c})`).join(' /\\ ');
    const withLets = parts.lets.length === 0 ? core : `LET ${parts.lets.join('\n        ')}\n    IN ${core}`;
    return parts.quantifiers.length === 0 ? withLets : `(${parts.quantifiers.map((q) => `\\E ${q.name} \\in ${q.set}`).join(' : ')} :\n    ${withLets})`;
  }

  /**
   * The set of `result(binders)` over every match of the patterns in the
   * running node's known set where `conditions(binders)` hold: the same
   * matches patternsExist quantifies over, collected (`UNION {... : s \in S}`).
   */
  patternsCollect(patterns: readonly A.Pattern[], ctx: ExprContext, body: (binders: PatternBinders[]) => { readonly conditions: readonly string[]; readonly result: string }): string {
    const parts = this.patternParts(patterns, ctx);
    const b = body(parts.binders);
    const conj = [...parts.checks, ...b.conditions].filter((c) => c !== 'TRUE');
    const core = conj.length === 0 ? b.result : `IF ${conj.map((c) => `(${c})`).join(' /\\ ')}\n    THEN ${b.result}\n    ELSE {}`;
    const withLets = parts.lets.length === 0 ? core : `LET ${parts.lets.join('\n        ')}\n    IN ${core}`;
    let out = withLets;
    for (const q of [...parts.quantifiers].reverse()) out = `UNION {${out} :\n    ${q.name} \\in ${q.set}}`;
    return out;
  }

  private patternParts(patterns: readonly A.Pattern[], ctx: ExprContext, candidates?: string): { quantifiers: { name: string; set: string }[]; lets: string[]; checks: string[]; binders: PatternBinders[] } {
    const known = knownOf(ctx);
    const quantifiers: { name: string; set: string }[] = [];
    const lets: string[] = [];
    const checks: string[] = [];
    const binders: PatternBinders[] = [];
    // Bind every binder first: a constraint may name a later pattern's binder.
    patterns.forEach((p) => {
      const type = tlaString(p.recordType.name);
      const s = ctx.fresh('s');
      const mv = p.constraints.filter((c) => c.kind === 'multivalent').map((c) => c.field.name);
      if (p.issuer.kind === 'quorum') {
        const g = ctx.fresh('g');
        quantifiers.push({ name: g, set: `{${this.mask(`${s}.record`, mv)} : ${s} \\in {${s} \\in ${known} : ${s}.record.type = ${type}}}` });
        if (p.binder !== undefined) lets.push(`${this.bind(p.binder, ctx)} == ${g}`);
        const issuers = ctx.fresh('Q');
        binders.push({ identity: g, issuers });
        if (p.issuer.binder !== undefined) ctx.bound.set(p.issuer.binder.id, issuers);
        return;
      }
      quantifiers.push({ name: s, set: `{${s} \\in ${candidates ?? known} : ${s}.record.type = ${type}}` });
      if (p.binder !== undefined) lets.push(`${this.bind(p.binder, ctx)} == ${s}.record`);
      if (p.issuer.kind === 'single') lets.push(`${this.bind(p.issuer.binder, ctx)} == ${s}.issuer`);
      binders.push({ identity: `${s}.record`, issuer: `${s}.issuer`, stmt: s });
    });
    // Quorum issuer sets, once every binder they may read is defined.
    patterns.forEach((p, i) => {
      if (p.issuer.kind !== 'quorum') return;
      const b = binders[i]!;
      const mv = p.constraints.filter((c) => c.kind === 'multivalent').map((c) => c.field.name);
      const q = ctx.fresh('q');
      const st = ctx.fresh('st');
      lets.push(
        `${b.issuers!} == {${q} \\in ${this.expr(p.issuer.set, ctx)} : \\E ${st} \\in ${known} : ${st}.issuer = ${q} /\\ ${st}.record.type = ${tlaString(p.recordType.name)} /\\ ${this.mask(`${st}.record`, mv)} = ${b.identity} /\\ ${this.principalsOk(p.verifier, `${st}.verifiers`, ctx)} /\\ ${this.principalsOk(p.auditor, `${st}.auditors`, ctx)}}`,
      );
    });
    // `AS vs` (issue 25): the known statements that match as bound, as the matcher's bindStatements.
    patterns.forEach((p, i) => {
      if (p.statements === undefined) return;
      const b = binders[i]!;
      const st = ctx.fresh('st');
      const mv = p.constraints.filter((c) => c.kind === 'multivalent').map((c) => c.field.name);
      const who = p.issuer.kind === 'quorum' ? `${st}.issuer \\in ${this.expr(p.issuer.set, ctx)}` : `${st}.issuer = ${b.issuer!}`;
      lets.push(
        `${this.bind(p.statements, ctx)} == {${st} \\in ${known} : ${who} /\\ ${st}.record.type = ${tlaString(p.recordType.name)} /\\ ${this.mask(`${st}.record`, mv)} = ${b.identity} /\\ ${this.principalsOk(p.verifier, `${st}.verifiers`, ctx)} /\\ ${this.principalsOk(p.auditor, `${st}.auditors`, ctx)}}`,
      );
    });
    patterns.forEach((p, i) => {
      const b = binders[i]!;
      const iss = p.issuer;
      if (iss.kind === 'principal') checks.push(`${b.issuer!} = ${this.expr(iss.expr, ctx)}`);
      if (iss.kind === 'single') checks.push(`${b.issuer!} \\in ${this.expr(iss.set, ctx)}`);
      if (iss.kind === 'quorum') checks.push(`Cardinality(${b.issuers!}) >= ${this.expr(iss.threshold, ctx)}`);
      if (b.stmt !== undefined) {
        checks.push(this.principalsOk(p.verifier, `${b.stmt}.verifiers`, ctx));
        checks.push(this.principalsOk(p.auditor, `${b.stmt}.auditors`, ctx));
      }
      for (const c of p.constraints) {
        if (c.kind === 'eq') checks.push(`${b.identity}.${tlaName(c.field.name)} = ${this.expr(c.value, ctx)}`);
      }
    });
    return { quantifiers, lets, checks, binders };
  }

  known(p: A.Pattern, ctx: ExprContext): string {
    return this.patternsExist([p], ctx, () => 'TRUE');
  }

  mask(record: string, multivalent: readonly string[]): string {
    if (multivalent.length === 0) return record;
    return `[${record} EXCEPT ${multivalent.map((f) => `!.${tlaName(f)} = "_"`).join(', ')}]`;
  }

  principalsOk(pp: A.PrincipalsPattern, actual: string, ctx: ExprContext): string {
    switch (pp.kind) {
      case 'noone':
      case 'none':
        return 'TRUE';
      case 'everyone':
        return `Principals \\subseteq ${actual}`;
      case 'expr': {
        const t = this.program.typeOf.get(pp.expr.id);
        const v = this.expr(pp.expr, ctx);
        return t?.k === 'set' ? `${v} \\subseteq ${actual}` : `${v} \\in ${actual}`;
      }
    }
  }

  /** A PUBLISH's verifier or auditor set. */
  principalsSet(pp: A.PrincipalsPattern, ctx: ExprContext): string {
    switch (pp.kind) {
      case 'noone':
      case 'none':
        return '{}';
      case 'everyone':
        return 'Principals';
      case 'expr': {
        const t = this.program.typeOf.get(pp.expr.id);
        const v = this.expr(pp.expr, ctx);
        return t?.k === 'set' ? v : `{${v}}`;
      }
    }
  }
}

export interface PatternBinders {
  /** The record (or masked record, for a quorum) that identifies the match. */
  readonly identity: string;
  /** The single issuer, for non-quorum patterns. */
  readonly issuer?: string;
  readonly issuers?: string;
  readonly stmt?: string;
}

const BINARY: Record<A.BinaryOp, string> = {
  '+': '+', '-': '-', '*': '*', '/': '\\div', '%': '%',
  '==': '=', '!=': '#', '<': '<', '<=': '<=', '>': '>', '>=': '>=',
  AND: '/\\', OR: '\\/', IMPLIES: '=>',
  IN: '\\in', NOTIN: '\\notin', SUBSETEQ: '\\subseteq', UNION: '\\cup', INTER: '\\cap', MINUS: '\\',
  '..': '..', '~>': '~>',
};

export function constCtx(): ExprContext {
  let k = 0;
  return { bound: new Map(), fresh: (h) => `${h}__${++k}` };
}
