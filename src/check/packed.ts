// States waiting in the BFS queue are kept packed: one Int32Array of value,
// statement and instance ids instead of a tree of arrays, which cuts the
// queue's memory by roughly an order of magnitude on wide frontiers.

import type { ModelInstance } from '../semantics/model.js';
import type { State } from '../semantics/state.js';
import type { Value } from '../semantics/value.js';
import { ValueMap } from '../semantics/value-map.js';

export class StatePacker {
  /** Equal values, and only those, share an id (a number is its own key: no string is built per state). */
  private readonly valueIds = new ValueMap<number>();
  private readonly values: Value[] = [];
  private readonly varCounts: readonly number[];

  constructor(model: ModelInstance) {
    this.varCounts = model.nodes.map((n) => n.role?.vars.length ?? 0);
  }

  private valueId(v: Value): number {
    let id = this.valueIds.get(v);
    if (id === undefined) {
      id = this.values.length;
      this.values.push(v);
      this.valueIds.set(v, id);
    }
    return id;
  }

  pack(s: State): Int32Array {
    return this.packInto(s, new Int32Array(this.packedSize(s)));
  }

  /**
   * The packed form of `s` in a buffer this packer reuses (valid until the
   * next call): what a fingerprint hashes, without allocating an array per
   * generated state.
   */
  packScratch(s: State): Int32Array {
    const size = this.packedSize(s);
    if (this.scratch.length < size) this.scratch = new Int32Array(Math.max(size, 2 * this.scratch.length));
    return this.packInto(s, this.scratch.subarray(0, size));
  }
  private scratch = new Int32Array(256);

  private packedSize(s: State): number {
    let size = s.pool.length + 1;
    for (let n = 0; n < this.varCounts.length; n++) size += this.varCounts[n]! + 3 + s.known[n]!.length + s.handled[n]!.length + s.forgotten[n]!.length;
    return size;
  }

  private packInto(s: State, out: Int32Array): Int32Array {
    let k = 0;
    for (let n = 0; n < this.varCounts.length; n++) for (const v of s.vars[n]!) out[k++] = this.valueId(v);
    out[k++] = s.pool.length;
    for (const id of s.pool) out[k++] = id;
    for (let n = 0; n < this.varCounts.length; n++) {
      out[k++] = s.known[n]!.length;
      for (const id of s.known[n]!) out[k++] = id;
    }
    for (let n = 0; n < this.varCounts.length; n++) {
      out[k++] = s.handled[n]!.length;
      for (const id of s.handled[n]!) out[k++] = id;
    }
    for (let n = 0; n < this.varCounts.length; n++) {
      out[k++] = s.forgotten[n]!.length;
      for (const id of s.forgotten[n]!) out[k++] = id;
    }
    return out;
  }

  unpack(a: Int32Array): State {
    let k = 0;
    const vars: Value[][] = [];
    for (const c of this.varCounts) {
      const vs: Value[] = new Array<Value>(c);
      for (let i = 0; i < c; i++) vs[i] = this.values[a[k++]!]!;
      vars.push(vs);
    }
    const take = (): number[] => {
      const len = a[k++]!;
      // A plain loop: Array.from on a typed array goes through its iterator, several times slower.
      const xs: number[] = new Array<number>(len);
      for (let i = 0; i < len; i++) xs[i] = a[k + i]!;
      k += len;
      return xs;
    };
    const pool = take();
    const known = this.varCounts.map(() => take());
    const handled = this.varCounts.map(() => take());
    const forgotten = this.varCounts.map(() => take());
    return { vars, pool, known, handled, forgotten };
  }
}
