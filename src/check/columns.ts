// The in-process search's per-state columns (fingerprint, parent, depth,
// edges, predicate values) and its visited index, as typed arrays that double
// when full. A JavaScript array of numbers and a Map of millions of entries
// cost the garbage collector dearly and several times the memory: the worker
// path (shared-table.ts, frontier.ts) showed a state needs a few words, not
// the ~150 bytes of objects the in-process search used to keep (issue 27
// item 7).

type TypedArray = Float64Array | Int32Array | Uint8Array;
type TypedArrayOf<T extends TypedArray> = { new (length: number): T };

/** An append-only column of numbers; `view()` is the filled part, for readers. */
export class Column<T extends TypedArray> {
  private data: T;
  private used = 0;

  constructor(
    private readonly make: TypedArrayOf<T>,
    initial = 1024,
  ) {
    this.data = new make(initial);
  }

  get length(): number {
    return this.used;
  }

  push(v: number): void {
    if (this.used === this.data.length) this.grow(this.used + 1);
    this.data[this.used++] = v;
  }

  /** Sets entry i, growing the column to i + 1 entries when it is shorter. */
  set(i: number, v: number): void {
    if (i >= this.data.length) this.grow(i + 1);
    if (i >= this.used) this.used = i + 1;
    this.data[i] = v;
  }

  get(i: number): number {
    return this.data[i]!;
  }

  /** The filled entries, sharing memory with the column (valid until the next push). */
  view(): T {
    return this.data.subarray(0, this.used) as T;
  }

  private grow(atLeast: number): void {
    let n = this.data.length * 2;
    while (n < atLeast) n *= 2;
    const next = new this.make(n);
    next.set(this.data as never);
    this.data = next;
  }
}

/**
 * Fingerprint → state number, open addressing with linear probing. Keys are
 * the 53-bit fingerprints of fingerprint.ts (doubles); a slot whose value is
 * -1 is empty. Doubled at half load, so probes stay short.
 */
export class VisitedIndex {
  private keys: Float64Array;
  private values: Int32Array;
  private mask: number;
  private count = 0;

  constructor(slots = 1 << 16) {
    this.keys = new Float64Array(slots);
    this.values = new Int32Array(slots).fill(-1);
    this.mask = slots - 1;
  }

  get size(): number {
    return this.count;
  }

  /** Bytes the table holds (both arrays). */
  get bytes(): number {
    return this.keys.byteLength + this.values.byteLength;
  }

  get(fp: number): number | undefined {
    const { keys, values, mask } = this;
    for (let i = (fp >>> 0) & mask; ; i = (i + 1) & mask) {
      const v = values[i]!;
      if (v === -1) return undefined;
      if (keys[i] === fp) return v;
    }
  }

  /** Adds fp → value; fp must not be in the table yet. */
  add(fp: number, value: number): void {
    if ((this.count + 1) * 2 > this.keys.length) this.rehash(this.keys.length * 2);
    this.place(fp, value);
    this.count++;
  }

  private place(fp: number, value: number): void {
    const { keys, values, mask } = this;
    let i = (fp >>> 0) & mask;
    while (values[i] !== -1) i = (i + 1) & mask;
    keys[i] = fp;
    values[i] = value;
  }

  private rehash(slots: number): void {
    const oldKeys = this.keys;
    const oldValues = this.values;
    this.keys = new Float64Array(slots);
    this.values = new Int32Array(slots).fill(-1);
    this.mask = slots - 1;
    for (let i = 0; i < oldValues.length; i++) if (oldValues[i] !== -1) this.place(oldKeys[i]!, oldValues[i]!);
  }
}
