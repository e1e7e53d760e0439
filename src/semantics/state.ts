// The state of the abstract pool, and the interning tables that give every
// statement and trigger instance a small integer id within one run.

import { carriedClosure, keyOf, makeRecord, renameValue, statementKey, type RecordValue, type StatementValue, type Value } from './value.js';

/**
 * `[issuer, verifiers, auditors] record`, as published: one issuer. It is a
 * statement value (a record field may carry it) with a small id of its own.
 */
export interface Statement extends StatementValue {
  readonly id: number;
}

/** A fired trigger instance: the transition and the values that identify it. */
export interface Instance {
  readonly id: number;
  readonly node: number;
  readonly transition: string;
  readonly values: readonly Value[];
  readonly key: string;
}

export interface State {
  /** Role variables by node index; empty for nodes that run no role. */
  readonly vars: readonly (readonly Value[])[];
  /** Ids of every statement ever published, ascending. */
  readonly pool: readonly number[];
  /** Ids of the statements each node knows, ascending. */
  readonly known: readonly (readonly number[])[];
  /** Ids of the trigger instances each node has fired, ascending. */
  readonly handled: readonly (readonly number[])[];
  /**
   * Ids of the statements each node has forgotten (FORGET, issue 23),
   * ascending; disjoint from known[n]. known[n] ∪ forgotten[n] only grows.
   */
  readonly forgotten: readonly (readonly number[])[];
}

export { statementKey };

export class Interner {
  private readonly statements: Statement[] = [];
  private readonly statementIds = new Map<string, number>();
  private readonly instances: Instance[] = [];
  private readonly instanceIds = new Map<string, number>();

  statement(issuer: string, verifiers: readonly string[], auditors: readonly string[], record: RecordValue): Statement {
    const key = statementKey(issuer, verifiers, auditors, record);
    const known = this.statementIds.get(key);
    if (known !== undefined) return this.statements[known]!;
    const s: Statement = { kind: 'statement', id: this.statements.length, issuer, verifiers, auditors, record, key };
    this.statements.push(s);
    this.statementIds.set(key, s.id);
    return s;
  }

  /** The id of the statement with this key, if it was ever interned. */
  idOf(key: string): number | undefined {
    return this.statementIds.get(key);
  }

  /** The interned statement of a statement value (a carried one). */
  ofValue(v: StatementValue): Statement {
    const known = this.statementIds.get(v.key);
    return known !== undefined ? this.statements[known]! : this.statement(v.issuer, v.verifiers, v.auditors, v.record);
  }

  /**
   * Ids of every statement carried in statement `id`, transitively, sorted
   * (empty for a statement that carries none): what Deliver(n, id) adds to
   * known[n] beside `id` itself.
   */
  carried(id: number): readonly number[] {
    let c = this.carriedIds[id];
    if (c === undefined) {
      c = carriedClosure(this.stmt(id).record).map((v) => this.ofValue(v).id).sort((a, b) => a - b);
      this.carriedIds[id] = c;
    }
    return c;
  }
  private readonly carriedIds: (readonly number[] | undefined)[] = [];

  stmt(id: number): Statement {
    const s = this.statements[id];
    if (s === undefined) throw new Error(`no statement ${id}`);
    return s;
  }

  instance(node: number, transition: string, values: readonly Value[]): Instance {
    const key = `${node}:${transition}(${values.map(keyOf).join(',')})`;
    const known = this.instanceIds.get(key);
    if (known !== undefined) return this.instances[known]!;
    const i: Instance = { id: this.instances.length, node, transition, values, key };
    this.instances.push(i);
    this.instanceIds.set(key, i.id);
    return i;
  }

  inst(id: number): Instance {
    const i = this.instances[id];
    if (i === undefined) throw new Error(`no instance ${id}`);
    return i;
  }

  renameStatement(id: number, rename: ReadonlyMap<string, string>): number {
    const s = this.stmt(id);
    const r = (p: string): string => rename.get(p) ?? p;
    const record = renameValue(s.record, rename) as RecordValue;
    return this.statement(r(s.issuer), s.verifiers.map(r).sort(), s.auditors.map(r).sort(), record).id;
  }

  renameInstance(id: number, rename: ReadonlyMap<string, string>, nodeMap: (n: number) => number): number {
    const i = this.inst(id);
    return this.instance(nodeMap(i.node), i.transition, i.values.map((v) => renameValue(v, rename))).id;
  }
}

export function insertSorted(xs: readonly number[], x: number): readonly number[] {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  if (xs[lo] === x) return xs;
  const out = xs.slice();
  out.splice(lo, 0, x);
  return out;
}

/** `xs` with `id` and every id of `more` (all sorted), as one sorted array. */
export function insertAllSorted(xs: readonly number[], id: number, more: readonly number[]): readonly number[] {
  let out = insertSorted(xs, id);
  for (const m of more) out = insertSorted(out, m);
  return out;
}

/** The sorted union of two sorted id lists. */
export function unionSorted(a: readonly number[], b: readonly number[]): readonly number[] {
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = a[i];
    const y = b[j];
    if (y === undefined || (x !== undefined && x < y)) out.push(a[i++]!);
    else if (x === undefined || y < x) out.push(b[j++]!);
    else {
      out.push(x);
      i++;
      j++;
    }
  }
  return out;
}

export function hasSorted(xs: readonly number[], x: number): boolean {
  let lo = 0;
  let hi = xs.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = xs[mid]!;
    if (v === x) return true;
    if (v < x) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

export { makeRecord };
