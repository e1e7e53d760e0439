// Small read-only helpers over expressions, shared by the analysis passes and
// by later stages (the semantics walks `children`, properties look for
// temporal operators).

import type * as A from '../syntax/ast.js';
import type { Domain, Ty } from './types.js';

export function knownSet(t: Ty): boolean {
  return t.k === 'set' && t.elem.k === 'principal' && t.elem.set !== undefined;
}

export function recordsIn(d: Domain | undefined): string[] {
  if (d === undefined) return [];
  if (d.k === 'record') return [d.name];
  if (d.k === 'set') return recordsIn(d.elem);
  if (d.k === 'statement') return [d.record];
  return [];
}

export function findTemporal(e: A.Expr): A.Expr | undefined {
  if (e.kind === 'unary' && (e.op === '[]' || e.op === '<>')) return e;
  if (e.kind === 'binary' && e.op === '~>') return e;
  for (const c of children(e)) {
    const t = findTemporal(c);
    if (t !== undefined) return t;
  }
  return undefined;
}

/** The first `KNOWN pattern` (or `STATEMENTS pattern`) in `e`: what reads the node's known statements. */
export function findKnown(e: A.Expr): A.Expr | undefined {
  if (e.kind === 'known') return e;
  for (const c of children(e)) {
    const k = findKnown(c);
    if (k !== undefined) return k;
  }
  return undefined;
}

export function children(e: A.Expr): A.Expr[] {
  switch (e.kind) {
    case 'unary':
      return [e.operand];
    case 'binary':
      return [e.left, e.right];
    case 'field':
      return [e.target];
    case 'call':
      return e.args.map((a) => a.value);
    case 'setLit':
      return [...e.elems];
    case 'setFilter':
      return [e.domain, e.predicate];
    case 'setMap':
      return [e.domain, e.element];
    case 'quant':
      return [e.domain, e.body];
    case 'ite':
      return [e.cond, e.then, e.else];
    default:
      return [];
  }
}

export function containsError(e: A.Expr): boolean {
  return e.kind === 'error' || children(e).some(containsError);
}

export function exprText(e: A.Expr): string {
  switch (e.kind) {
    case 'name':
      return e.name;
    case 'int':
      return String(e.value);
    case 'me':
      return 'ME';
    case 'binary':
      return `${exprText(e.left)} ${e.op} ${exprText(e.right)}`;
    case 'setLit':
      return `{${e.elems.map(exprText).join(', ')}}`;
    case 'field':
      return `${exprText(e.target)}.${e.field.name}`;
    case 'bool':
      return e.value ? 'TRUE' : 'FALSE';
    case 'unary':
      return `${e.op === 'NOT' ? 'NOT ' : e.op}${exprText(e.operand)}`;
    case 'known':
      return `${e.collect === true ? 'STATEMENTS' : 'KNOWN'} [...] ${e.pattern.recordType.name}`;
    case 'quant':
      return `${e.quantifier} ${e.binder.name} IN ${exprText(e.domain)} : ${exprText(e.body)}`;
    default:
      return 'the expression';
  }
}
