// The records a Byzantine node of a simulated run publishes, drawn one at a
// time from its SENDS type's domain under the run's constants — never
// enumerated: a deployment's constants (PBFTCounter's MaxSeq = 8000) give a
// PrePrepare billions of values, where the model checker's give a few. Every
// draw lies inside the domain, so the run stays within what the model
// allows. A uniform draw over billions would almost never hit a value a
// correct node reacts to, so the draw leans on what the node has seen, as an
// attacker would: records it received (whole, or as a field), the integers
// they carry, and a range's ends.

import type { Domain } from '../analysis/types.js';
import { inDomain, type DomainContext } from '../semantics/domain.js';
import { makeRecord, makeSet, makeStatement, type RecordValue, type StatementValue, type Value } from '../semantics/value.js';
import type { Random } from '../transport/sim.js';

/** How many received records of each type, and integers, a node keeps to draw from. */
const KEPT = 64;
/** The most elements a drawn set has (a set of records over a large domain has more subsets than anyone could draw from). */
const MAX_SET = 3;

/** A certificate field the node has seen no statement for yet: it publishes something else this time. */
export class NothingToCarry extends Error {}

export class RecordDraw {
  private readonly seenRecords = new Map<string, RecordValue[]>();
  /** Statements it received or found carried, by record type: what its certificates may carry (issue 25). */
  private readonly seenStatements = new Map<string, StatementValue[]>();
  private readonly seenInts: number[] = [];

  constructor(private readonly ctx: DomainContext) {}

  /** Remembers the records and integers inside a value the node received. */
  observe(v: Value): void {
    if (typeof v === 'number') {
      if (!this.seenInts.includes(v)) keep(this.seenInts, v);
    } else if (typeof v === 'object' && v.kind === 'record') {
      const list = this.seenRecords.get(v.type) ?? [];
      if (!list.some((x) => x.key === v.key)) keep(list, v);
      this.seenRecords.set(v.type, list);
      for (const f of v.fields) this.observe(f);
    } else if (typeof v === 'object' && v.kind === 'set') {
      for (const e of v.elems) this.observe(e);
    } else if (typeof v === 'object' && v.kind === 'statement') {
      this.observeStatement(v);
    }
  }

  /**
   * Remembers a statement it received (or found carried): a Byzantine
   * carrier carries statements of the pool it can show, with the
   * authenticators it received them with.
   */
  observeStatement(s: StatementValue | { readonly issuer: string; readonly verifiers: readonly string[]; readonly auditors: readonly string[]; readonly record: RecordValue }): void {
    const v = 'key' in s ? s : makeStatement(s.issuer, s.verifiers, s.auditors, s.record);
    const list = this.seenStatements.get(v.record.type) ?? [];
    if (!list.some((x) => x.key === v.key)) keep(list, v);
    this.seenStatements.set(v.record.type, list);
    this.observe(v.record);
  }

  /** The statements seen that a certificate field of domain `d` may carry. */
  private carriable(d: Domain & { k: 'statement' }): StatementValue[] {
    return (this.seenStatements.get(d.record) ?? []).filter((s) => inDomain(s, d, this.ctx));
  }

  /** A record of `type`, inside its domain under the run's constants (NothingToCarry when a certificate field has nothing to hold yet). */
  record(type: string, r: Random): RecordValue {
    return this.value({ k: 'record', name: type }, r) as RecordValue;
  }

  private value(d: Domain, r: Random): Value {
    switch (d.k) {
      case 'bool':
        return r.next() < 0.5;
      case 'int': {
        const seen = this.seenInts;
        return seen.length > 0 && r.next() < 0.5 ? r.pick(seen) : r.int(-1, 3);
      }
      case 'range': {
        const lo = this.ctx.constInt(d.lo);
        const hi = this.ctx.constInt(d.hi);
        const choice = r.next();
        // The ends of a range, where protocols start and stop (sequence numbers from 0 or 1).
        if (choice < 0.25) return Math.min(hi, r.pick([lo, lo, lo + 1, hi]));
        const seen = this.seenInts.filter((x) => x >= lo && x <= hi);
        if (choice < 0.6 && seen.length > 0) return r.pick(seen);
        return r.int(lo, hi);
      }
      case 'enum':
        return r.pick(d.values);
      case 'principals':
        return r.pick(this.ctx.program.principalSets.get(d.set) ?? []);
      case 'record': {
        const seen = (this.seenRecords.get(d.name) ?? []).filter((x) => inDomain(x, d, this.ctx));
        if (seen.length > 0 && r.next() < 0.5) {
          // A record it received, with one field changed half the time: equivocation's raw material.
          const base = r.pick(seen);
          if (r.next() < 0.5) return base;
          const info = this.ctx.program.records.get(d.name)!;
          const i = r.int(0, info.fields.length - 1);
          return makeRecord(d.name, base.fields.map((f, k) => (k === i ? this.value(info.fields[k]!.domain, r) : f)));
        }
        const info = this.ctx.program.records.get(d.name);
        return makeRecord(d.name, (info?.fields ?? []).map((f) => this.value(f.domain, r)));
      }
      case 'set': {
        const max = d.max === undefined ? MAX_SET : this.ctx.constInt(d.max);
        if (d.elem.k === 'statement') {
          // Any subset of what it can show, within the field's bound.
          const pool = this.carriable(d.elem);
          const elems = pool.filter(() => r.next() < 0.6).slice(0, max);
          return makeSet(elems);
        }
        const n = r.int(0, Math.min(MAX_SET, max));
        const elems: Value[] = [];
        for (let k = 0; k < n; k++) elems.push(this.value(d.elem, r));
        return makeSet(elems);
      }
      case 'statement': {
        const pool = this.carriable(d);
        if (pool.length === 0) throw new NothingToCarry(`no ${d.record} statement seen yet`);
        return r.pick(pool);
      }
      case 'error':
        throw new Error('a Byzantine record of a type that did not check');
    }
  }
}

export function isNothingToCarry(e: unknown): boolean {
  return e instanceof NothingToCarry;
}

function keep<T>(list: T[], x: T): void {
  list.push(x);
  if (list.length > KEPT) list.shift();
}
