// Values as map keys without building a string per lookup (the known
// index's field indexes, the checker's packed states).

import type { Value } from './value.js';

/**
 * A map keyed by values, without building a string per lookup: a boolean,
 * number or string is its own key (a Map tells `1` from `"1"` and `TRUE`
 * from `"TRUE"`), a set, record or statement its canonical key, in a map of
 * its own so that no string value can meet an object's key. Equal values
 * (equalValues) are the same key, and only those.
 */
export class ValueMap<T> {
  private readonly prim = new Map<boolean | number | string, T>();
  private readonly obj = new Map<string, T>();

  get(v: Value): T | undefined {
    return typeof v === 'object' ? this.obj.get(v.key) : this.prim.get(v);
  }

  set(v: Value, t: T): void {
    if (typeof v === 'object') this.obj.set(v.key, t);
    else this.prim.set(v, t);
  }

  delete(v: Value): boolean {
    return typeof v === 'object' ? this.obj.delete(v.key) : this.prim.delete(v);
  }

  *values(): IterableIterator<T> {
    yield* this.prim.values();
    yield* this.obj.values();
  }

  get size(): number {
    return this.prim.size + this.obj.size;
  }
}
