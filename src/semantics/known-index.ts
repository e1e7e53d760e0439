// The statements one node knows, kept up to date as it learns them, with the
// indexes the matcher uses to find candidates without scanning: by record
// type, by (type, field, value) and by record. A long run learns statements
// one at a time; nothing here is rebuilt per step, and learning one builds no
// string: a field's value is its own map key (see ValueMap), and a
// statement's identity is found among the statements of its record (same
// issuer, verifiers and auditors), not by its key string, which is built
// only for a caller that asks by key (`has`).

import type { MatchWorld } from './match.js';
import type { Statement } from './state.js';
import type { Value } from './value.js';
import { ValueMap } from './value-map.js';

export { ValueMap };

const EMPTY: readonly Statement[] = [];

export class KnownIndex implements MatchWorld {
  /** Every statement, in learning order. */
  private readonly set = new Set<Statement>();
  /** By key, built at the first `has` and kept from then on (forgetting and certificate programs ask by key). */
  private byKey: Map<string, Statement> | undefined;
  private readonly byType = new Map<string, Statement[]>();
  /** Per record type, per field index: the statements by that field's value. */
  private readonly byField = new Map<string, ValueMap<Statement[]>[]>();
  private readonly byRecord = new Map<string, Statement[]>();

  constructor(readonly everyone: readonly string[]) {}

  get size(): number {
    return this.set.size;
  }

  has(key: string): boolean {
    let m = this.byKey;
    if (m === undefined) {
      m = new Map();
      for (const s of this.set) m.set(s.key, s);
      this.byKey = m;
    }
    return m.has(key);
  }

  /** Whether a statement equal to `s` (the same key: issuer, verifiers, auditors and record) is known. */
  hasStatement(s: Statement): boolean {
    return this.find(s) !== undefined;
  }

  /** The known statement equal to `s`, found among those of its record. */
  private find(s: Statement): Statement | undefined {
    const list = this.byRecord.get(s.record.key);
    if (list === undefined) return undefined;
    for (const k of list) {
      if (k === s || (k.issuer === s.issuer && sameNames(k.verifiers, s.verifiers) && sameNames(k.auditors, s.auditors) && k.record.type === s.record.type)) return k;
    }
    return undefined;
  }

  /** Adds a statement; false when it was already known. */
  add(s: Statement): boolean {
    if (this.find(s) !== undefined) return false;
    this.set.add(s);
    this.byKey?.set(s.key, s);
    const r = s.record;
    push(this.byType, r.type, s);
    push(this.byRecord, r.key, s);
    const fields = this.fieldsOf(r.type, r.fields.length);
    for (let i = 0; i < r.fields.length; i++) {
      const m = fields[i]!;
      const v = r.fields[i]!;
      const list = m.get(v);
      if (list === undefined) m.set(v, [s]);
      else list.push(s);
    }
    return true;
  }

  /**
   * Drops a statement from the set and every index (forgetting, issue 23);
   * false when it was not known. The order of what stays is unchanged, so
   * searches keep visiting candidates in learning order.
   */
  remove(s: Statement): boolean {
    const known = this.find(s);
    if (known === undefined) return false;
    this.set.delete(known);
    this.byKey?.delete(known.key);
    const r = known.record;
    pull(this.byType, r.type, known);
    pull(this.byRecord, r.key, known);
    const fields = this.byField.get(r.type);
    r.fields.forEach((v, i) => {
      const m = fields?.[i];
      const list = m?.get(v);
      if (m === undefined || list === undefined) return;
      const at = list.indexOf(known);
      if (at >= 0) list.splice(at, 1);
      if (list.length === 0) m.delete(v);
    });
    return true;
  }

  /** Entries in the indexes (each list member and each key), for the forget bench: what a node holds besides the statements. */
  indexEntries(): number {
    let n = this.byType.size + this.byRecord.size;
    for (const l of this.byType.values()) n += l.length;
    for (const l of this.byRecord.values()) n += l.length;
    for (const fields of this.byField.values()) {
      for (const m of fields) {
        n += m.size;
        for (const l of m.values()) n += l.length;
      }
    }
    return n;
  }

  all(): IterableIterator<Statement> {
    return this.set.values();
  }

  knownOfType(type: string): readonly Statement[] {
    return this.byType.get(type) ?? EMPTY;
  }

  knownWithValue(type: string, field: number, value: Value): readonly Statement[] {
    return this.byField.get(type)?.[field]?.get(value) ?? EMPTY;
  }

  knownWithRecord(type: string, recordKey: string): readonly Statement[] {
    const list = this.byRecord.get(recordKey) ?? EMPTY;
    return list.length === 0 || list[0]!.record.type === type ? list : EMPTY;
  }

  private fieldsOf(type: string, n: number): ValueMap<Statement[]>[] {
    let fields = this.byField.get(type);
    if (fields === undefined) {
      fields = [];
      this.byField.set(type, fields);
    }
    while (fields.length < n) fields.push(new ValueMap());
    return fields;
  }
}

/** Equal lists of principal names (a statement's are sorted, so equal sets are equal lists). */
function sameNames(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function push(m: Map<string, Statement[]>, k: string, s: Statement): void {
  const list = m.get(k);
  if (list === undefined) m.set(k, [s]);
  else list.push(s);
}

function pull(m: Map<string, Statement[]>, k: string, s: Statement): void {
  const list = m.get(k);
  if (list === undefined) return;
  const i = list.indexOf(s);
  if (i >= 0) list.splice(i, 1);
  if (list.length === 0) m.delete(k);
}
