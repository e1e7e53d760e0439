// Two views of a type. A `Domain` is what a declaration says (a range with
// bounds that a model may change through constants); a `Ty` is what the type
// checker compares. Every Domain has one Ty; ranges of any bounds share `int`.

import type { Expr } from '../syntax/ast.js';

export type Domain =
  | { readonly k: 'bool' }
  | { readonly k: 'int' }
  | { readonly k: 'range'; readonly lo: Expr; readonly hi: Expr }
  | { readonly k: 'enum'; readonly name: string; readonly values: readonly string[] }
  | { readonly k: 'principals'; readonly set: string }
  | { readonly k: 'record'; readonly name: string }
  /** `max`: `SET OF T SIZE <= max`, a constant expression (a model may change it). */
  | { readonly k: 'set'; readonly elem: Domain; readonly max?: Expr }
  /**
   * `STATEMENT record AUDIT ...`: statements of that record type whose
   * auditors include `auditors` (A_f, sorted principal names, resolved under
   * the program's constants).
   */
  | { readonly k: 'statement'; readonly record: string; readonly auditors: readonly string[] }
  | { readonly k: 'error' };

export type Ty =
  | { readonly k: 'bool' }
  | { readonly k: 'int' }
  | { readonly k: 'enum'; readonly name: string }
  /** `set` is the PRINCIPALS declaration the principal is known to belong to, when known. */
  | { readonly k: 'principal'; readonly set?: string }
  | { readonly k: 'record'; readonly name: string }
  | { readonly k: 'set'; readonly elem: Ty }
  /** An authenticated statement carried as a value; `record` is its record type. */
  | { readonly k: 'statement'; readonly record: string }
  /** The element type of `{}`, and the type of anything already reported as wrong. */
  | { readonly k: 'any' };

export const BOOL: Ty = { k: 'bool' };
export const INT: Ty = { k: 'int' };
export const ANY: Ty = { k: 'any' };
export const setOf = (elem: Ty): Ty => ({ k: 'set', elem });
export const statementOf = (record: string): Ty => ({ k: 'statement', record });
export const principal = (set?: string): Ty => (set === undefined ? { k: 'principal' } : { k: 'principal', set });

export function tyOfDomain(d: Domain): Ty {
  switch (d.k) {
    case 'bool':
      return BOOL;
    case 'int':
    case 'range':
      return INT;
    case 'enum':
      return { k: 'enum', name: d.name };
    case 'principals':
      return principal(d.set);
    case 'record':
      return { k: 'record', name: d.name };
    case 'set':
      return setOf(tyOfDomain(d.elem));
    case 'statement':
      return statementOf(d.record);
    case 'error':
      return ANY;
  }
}

/** The least type both fit in, or undefined when they do not fit together. */
export function unify(a: Ty, b: Ty): Ty | undefined {
  if (a.k === 'any') return b;
  if (b.k === 'any') return a;
  if (a.k !== b.k) return undefined;
  switch (a.k) {
    case 'bool':
    case 'int':
      return a;
    case 'enum':
      return a.name === (b as typeof a).name ? a : undefined;
    case 'record':
      return a.name === (b as typeof a).name ? a : undefined;
    case 'statement':
      return a.record === (b as typeof a).record ? a : undefined;
    case 'principal': {
      const bs = (b as typeof a).set;
      return a.set === bs ? a : principal();
    }
    case 'set': {
      const e = unify(a.elem, (b as typeof a).elem);
      return e === undefined ? undefined : setOf(e);
    }
  }
}

export function showTy(t: Ty): string {
  switch (t.k) {
    case 'bool':
      return 'BOOLEAN';
    case 'int':
      return 'integer';
    case 'enum':
      return t.name;
    case 'principal':
      return t.set === undefined ? 'principal' : `principal of ${t.set}`;
    case 'record':
      return t.name;
    case 'set':
      return `SET OF ${showTy(t.elem)}`;
    case 'statement':
      return `STATEMENT ${t.record}`;
    case 'any':
      return 'anything';
  }
}

/** Whether values of the domain may hold statements (certificate fields, issue 25). */
export function holdsStatements(d: Domain): boolean {
  return d.k === 'statement' || (d.k === 'set' && holdsStatements(d.elem));
}

/** Whether a model checker can enumerate every value of the domain. */
export function isFinite(d: Domain): boolean {
  switch (d.k) {
    case 'int':
      return false;
    case 'set':
      return isFinite(d.elem);
    default:
      return true;
  }
}

/** A domain in MOMMIE syntax; `range` renders range bounds (they may depend on a model's constants). */
export function showDomain(d: Domain, range: (d: Domain & { k: 'range' }) => string): string {
  switch (d.k) {
    case 'bool':
      return 'BOOLEAN';
    case 'int':
      return 'INT';
    case 'range':
      return range(d);
    case 'enum':
      return `{${d.values.join(', ')}}`;
    case 'principals':
      return d.set;
    case 'record':
      return d.name;
    case 'set':
      return `SET OF ${showDomain(d.elem, range)}${d.max === undefined ? '' : ' SIZE <= ?'}`;
    case 'statement':
      return `STATEMENT ${d.record} AUDIT {${d.auditors.join(', ')}}`;
    case 'error':
      return '?';
  }
}
