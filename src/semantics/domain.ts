// Finite domains: membership (is a value inside its declared type?) and
// enumeration (every value of a type, for transition parameters, Byzantine
// statements and TypeOK). Range bounds depend on the model's constants, so
// both take the constants' values.

import { showDomain, type Domain } from '../analysis/types.js';
import type { CheckedProgram } from '../analysis/program.js';
import { EvalError } from './errors.js';
import { keyOf, makeRecord, makeSet, setHas, type SetValue, type Value } from './value.js';

/** Enumerations bigger than this are refused: the model is too large to explore. */
export const MAX_DOMAIN_SIZE = 1_000_000;

export interface DomainContext {
  readonly program: CheckedProgram;
  /** Evaluates a constant expression (range bounds). */
  constInt(e: import('../syntax/ast.js').Expr): number;
}

export function inDomain(v: Value, d: Domain, ctx: DomainContext): boolean {
  switch (d.k) {
    case 'bool':
      return typeof v === 'boolean';
    case 'int':
      return typeof v === 'number';
    case 'range':
      return typeof v === 'number' && v >= ctx.constInt(d.lo) && v <= ctx.constInt(d.hi);
    case 'enum':
      return typeof v === 'string' && d.values.includes(v);
    case 'principals':
      return typeof v === 'string' && (ctx.program.principalSets.get(d.set) ?? []).includes(v);
    case 'record':
      return typeof v === 'object' && v.kind === 'record' && v.type === d.name && recordInDomain(v.fields, d.name, ctx);
    case 'set': {
      if (typeof v !== 'object' || v.kind !== 'set' || (d.max !== undefined && v.elems.length > ctx.constInt(d.max))) return false;
      // Loops, not every(): membership runs on every field of every statement decoded or published.
      for (const e of v.elems) if (!inDomain(e, d.elem, ctx)) return false;
      return true;
    }
    case 'statement':
      return typeof v === 'object' && v.kind === 'statement' && v.record.type === d.record
        && d.auditors.every((a) => v.auditors.includes(a)) && recordInDomain(v.record.fields, d.record, ctx);
    case 'error':
      return false;
  }
}

/** Whether `fields` are the fields of a record of type `name`, each in its declared type. */
function recordInDomain(fields: readonly Value[], name: string, ctx: DomainContext): boolean {
  const r = ctx.program.records.get(name);
  if (r === undefined) return false;
  const decl = r.fields;
  for (let i = 0; i < decl.length; i++) {
    const x = fields[i];
    if (x === undefined || !inDomain(x, decl[i]!.domain, ctx)) return false;
  }
  return true;
}

export function describeDomain(d: Domain, ctx: DomainContext): string {
  return showDomain(d, (r) => `${ctx.constInt(r.lo)}..${ctx.constInt(r.hi)}`);
}

/** Every value of a finite domain, in canonical order. */
export function enumerate(d: Domain, ctx: DomainContext, at: { start: number; end: number }): readonly Value[] {
  const out = enumerateInner(d, ctx, at);
  if (out.length > MAX_DOMAIN_SIZE) throw tooBig(d, ctx, at);
  return out;
}

function tooBig(d: Domain, ctx: DomainContext, at: { start: number; end: number }): EvalError {
  return new EvalError('MOM502', `the domain ${describeDomain(d, ctx)} has more than ${MAX_DOMAIN_SIZE} values; shrink the model's bounds`, at);
}

function enumerateInner(d: Domain, ctx: DomainContext, at: { start: number; end: number }): Value[] {
  switch (d.k) {
    case 'bool':
      return [false, true];
    case 'int':
      throw new EvalError('MOM502', 'INT has no finite domain to enumerate', at);
    case 'range': {
      const lo = ctx.constInt(d.lo);
      const hi = ctx.constInt(d.hi);
      if (hi - lo + 1 > MAX_DOMAIN_SIZE) throw tooBig(d, ctx, at);
      const out: number[] = [];
      for (let i = lo; i <= hi; i++) out.push(i);
      return out;
    }
    case 'enum':
      return [...d.values].sort();
    case 'principals':
      return [...(ctx.program.principalSets.get(d.set) ?? [])].sort();
    case 'record': {
      const r = ctx.program.records.get(d.name);
      if (r === undefined) return [];
      let combos: Value[][] = [[]];
      for (const f of r.fields) {
        const values = enumerateInner(f.domain, ctx, at);
        if (combos.length * values.length > MAX_DOMAIN_SIZE) throw tooBig(d, ctx, at);
        const next: Value[][] = [];
        for (const c of combos) for (const v of values) next.push([...c, v]);
        combos = next;
      }
      return combos.map((fs) => makeRecord(d.name, fs)).sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : 1));
    }
    case 'set': {
      const elems = enumerateInner(d.elem, ctx, at);
      if (elems.length > 20) throw tooBig(d, ctx, at);
      const out: SetValue[] = [];
      const max = d.max === undefined ? elems.length : ctx.constInt(d.max);
      for (let mask = 0; mask < 1 << elems.length; mask++) {
        const subset = elems.filter((_, i) => (mask & (1 << i)) !== 0);
        if (subset.length <= max) out.push(makeSet(subset));
      }
      return out;
    }
    case 'statement':
      // Statements are not made up from a domain: a correct node carries what it knows (issue 25).
      throw new EvalError('MOM502', `statements of ${d.record} are not enumerated: they are carried from what a node knows`, at);
    case 'error':
      return [];
  }
}

export function domainSet(d: Domain, ctx: DomainContext, at: { start: number; end: number }): SetValue {
  return makeSet(enumerate(d, ctx, at));
}

export { setHas };
