// The statements one node knows, kept up to date as it learns them, with the
// indexes the matcher uses to find candidates without scanning: by record
// type, by (type, field, value) and by record. A long run learns statements
// one at a time; nothing here is rebuilt per step.

import type { MatchWorld } from './match.js';
import type { Statement } from './state.js';
import { keyOf } from './value.js';

const EMPTY: readonly Statement[] = [];

export class KnownIndex implements MatchWorld {
  private readonly byKey = new Map<string, Statement>();
  private readonly byType = new Map<string, Statement[]>();
  private readonly byField = new Map<string, Statement[]>();
  private readonly byRecord = new Map<string, Statement[]>();

  constructor(readonly everyone: readonly string[]) {}

  get size(): number {
    return this.byKey.size;
  }

  has(key: string): boolean {
    return this.byKey.has(key);
  }

  /** Adds a statement; false when it was already known. */
  add(s: Statement): boolean {
    if (this.byKey.has(s.key)) return false;
    this.byKey.set(s.key, s);
    push(this.byType, s.record.type, s);
    push(this.byRecord, s.record.key, s);
    s.record.fields.forEach((f, i) => push(this.byField, fieldKey(s.record.type, i, keyOf(f)), s));
    return true;
  }

  /**
   * Drops a statement from the set and every index (forgetting, issue 23);
   * false when it was not known. The order of what stays is unchanged, so
   * searches keep visiting candidates in learning order.
   */
  remove(s: Statement): boolean {
    const known = this.byKey.get(s.key);
    if (known === undefined) return false;
    this.byKey.delete(s.key);
    pull(this.byType, known.record.type, known);
    pull(this.byRecord, known.record.key, known);
    known.record.fields.forEach((f, i) => pull(this.byField, fieldKey(known.record.type, i, keyOf(f)), known));
    return true;
  }

  all(): IterableIterator<Statement> {
    return this.byKey.values();
  }

  knownOfType(type: string): readonly Statement[] {
    return this.byType.get(type) ?? EMPTY;
  }

  knownWithField(type: string, field: number, valueKey: string): readonly Statement[] {
    return this.byField.get(fieldKey(type, field, valueKey)) ?? EMPTY;
  }

  knownWithRecord(type: string, recordKey: string): readonly Statement[] {
    const list = this.byRecord.get(recordKey) ?? EMPTY;
    return list.length === 0 || list[0]!.record.type === type ? list : EMPTY;
  }
}

function fieldKey(type: string, field: number, valueKey: string): string {
  return `${type}\u0000${field}\u0000${valueKey}`;
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
