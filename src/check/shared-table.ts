// The visited set of the parallel search: an open-addressing hash table of
// 53-bit fingerprints over SharedArrayBuffers, which every worker thread
// inserts into with Atomics.compareExchange, so a state is claimed by exactly
// one worker. Beside each fingerprint the table keeps the fingerprint of the
// state it was first reached from (its BFS parent), which is all a
// counterexample needs: the coordinator walks parents back to the initial
// state and replays the path (trace.ts). 16 bytes a slot; the coordinator
// doubles the table between batches when it is 70% full (parallel.ts), so a
// distinct state costs 16-32 bytes here (TLC keeps 8-byte fingerprints).
//
// A slot holds fingerprint+1 (0 is empty); parent+1 likewise, 0 for the
// initial state.

export interface TableBuffers {
  readonly keys: SharedArrayBuffer;
  readonly parents: SharedArrayBuffer;
}

/** Indices into the shared control words (an Int32Array over its own SharedArrayBuffer). */
export const CTRL = {
  /** Distinct states inserted so far. */
  count: 0,
  /** Non-zero: every worker stops at the next state (interrupt, timeout, limit, error). */
  stop: 1,
  /** Slots in the current table, for the workers' "nearly full" check. */
  capacity: 2,
  /**
   * Words from here on, one per worker: non-zero asks that worker to end its
   * slice now, because another worker is idle and wants part of its level.
   */
  yieldBase: 4,
} as const;

/** Control words for a search with `workers` workers. */
export function controlWords(workers: number): number {
  return CTRL.yieldBase + workers;
}

export const MAX_LOAD = 0.7;

export type InsertResult = 'new' | 'seen' | 'full';

export class FingerprintTable {
  private readonly keys: BigInt64Array;
  private readonly parents: BigInt64Array;
  private readonly mask: number;

  constructor(
    readonly buffers: TableBuffers,
    private readonly ctrl: Int32Array,
  ) {
    this.keys = new BigInt64Array(buffers.keys);
    this.parents = new BigInt64Array(buffers.parents);
    this.mask = this.keys.length - 1;
  }

  static allocate(capacity: number): TableBuffers {
    let c = 1;
    while (c < capacity) c *= 2;
    return { keys: new SharedArrayBuffer(8 * c), parents: new SharedArrayBuffer(8 * c) };
  }

  get capacity(): number {
    return this.keys.length;
  }

  get bytes(): number {
    return 16 * this.keys.length;
  }

  /** Claims `fp` for the caller; `parent` is -1 for the initial state. */
  insert(fp: number, parent: number): InsertResult {
    const key = BigInt(fp + 1);
    let i = slotOf(fp) & this.mask;
    for (let probes = 0; probes <= this.mask; probes++) {
      const k = Atomics.load(this.keys, i);
      if (k === 0n) {
        const was = Atomics.compareExchange(this.keys, i, 0n, key);
        if (was === 0n) {
          Atomics.store(this.parents, i, BigInt(parent + 1));
          Atomics.add(this.ctrl, CTRL.count, 1);
          return 'new';
        }
        if (was === key) return 'seen';
      } else if (k === key) return 'seen';
      i = (i + 1) & this.mask;
    }
    return 'full';
  }

  /** The parent fingerprint of `fp` (-1 for the initial state), or undefined when `fp` is absent. */
  parentOf(fp: number): number | undefined {
    const key = BigInt(fp + 1);
    let i = slotOf(fp) & this.mask;
    for (let probes = 0; probes <= this.mask; probes++) {
      const k = Atomics.load(this.keys, i);
      if (k === 0n) return undefined;
      if (k === key) return Number(Atomics.load(this.parents, i)) - 1;
      i = (i + 1) & this.mask;
    }
    return undefined;
  }

  /** A table of `capacity` slots with every entry of this one; only while no worker inserts. */
  rehash(capacity: number): FingerprintTable {
    const next = new FingerprintTable(FingerprintTable.allocate(capacity), this.ctrl);
    for (let i = 0; i < this.keys.length; i++) {
      const k = this.keys[i]!;
      if (k === 0n) continue;
      let j = slotOf(Number(k) - 1) & next.mask;
      while (next.keys[j] !== 0n) j = (j + 1) & next.mask;
      next.keys[j] = k;
      next.parents[j] = this.parents[i]!;
    }
    return next;
  }
}

/** The low 32 bits of the fingerprint (cyrb53's well-mixed half) pick the first slot. */
function slotOf(fp: number): number {
  return fp % 4294967296 | 0;
}
