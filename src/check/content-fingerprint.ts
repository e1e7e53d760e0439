// Fingerprints that do not depend on interning order, for the parallel
// search (parallel.ts). Each worker thread has its own System, so the same
// statement gets different ids in different workers and the packed form
// (fingerprint.ts) cannot be compared across them. Here a state is hashed
// from the contents of what it holds: each role variable's value by its
// canonical key, and each id set (pool, known[n], handled[n]) by the sum of
// per-element hashes of the statements' and instances' keys, which is
// independent of the order the ids were given in. Two lanes of 32-bit sums
// make a set's hash a 64-bit sum of pseudo-random values; the words are then
// mixed by cyrb53 to 53 bits, as the in-process search does, so the
// collision bound of docs/checker.md holds as it is.
//
// With symmetry, the fingerprint of a state is the least fingerprint over
// the permutations of its orbit: the same for every member of the orbit
// whatever the ids.

import type { ModelInstance } from '../semantics/model.js';
import type { Interner, State } from '../semantics/state.js';
import { keyOf, renameValue, type Value } from '../semantics/value.js';
import { cyrb53Words, symmetryPermutations, type Permutation } from './fingerprint.js';

/** cyrb53 over a string's UTF-16 code units, 53 bits. */
export function cyrb53String(str: string, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < str.length; i++) {
    const ch = str.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** Two independent 32-bit lanes for a key; `lanes[2k]`, `lanes[2k+1]`. */
function lanesOf(key: string): [number, number] {
  return [cyrb53String(key, 0x51ed27) | 0, cyrb53String(key, 0x2f9b3c1) | 0];
}

/** Per-permutation caches: id -> lanes of the renamed statement/instance, value key -> lanes. */
interface PermCache {
  readonly perm: Permutation | undefined;
  readonly stmt: number[];
  readonly inst: number[];
  readonly values: Map<string, [number, number]>;
}

export interface StateFingerprinter {
  fingerprint(s: State): number;
}

export class ContentFingerprinter implements StateFingerprinter {
  private readonly caches: PermCache[];
  private readonly varOffset: number[];
  private readonly words: Int32Array;
  private readonly nodes: number;
  /** Whether forgotten[n] is hashed too (3 more words per node): only when some role forgets, so other models' fingerprints stay as they were. */
  private readonly forgets: boolean;

  constructor(
    model: ModelInstance,
    private readonly interner: Interner,
    useSymmetry: boolean,
  ) {
    const perms = useSymmetry ? symmetryPermutations(model) : [];
    const list: (Permutation | undefined)[] = perms.length > 1 ? perms : [undefined];
    this.caches = list.map((perm) => ({ perm, stmt: [], inst: [], values: new Map() }));
    this.nodes = model.nodes.length;
    this.varOffset = [];
    let k = 0;
    for (const n of model.nodes) {
      this.varOffset.push(k);
      k += 2 * (n.role?.vars.length ?? 0);
    }
    // vars, then pool (3 words), then known and handled (3 words per node each), then forgotten when some role forgets.
    this.forgets = model.nodes.some((n) => (n.role?.forgets.length ?? 0) > 0);
    this.words = new Int32Array(k + 3 + (this.forgets ? 9 : 6) * this.nodes);
  }

  fingerprint(s: State): number {
    let best = Infinity;
    for (const c of this.caches) {
      const f = this.hashUnder(s, c);
      if (f < best) best = f;
    }
    return best;
  }

  private valueLanes(v: Value, c: PermCache): [number, number] {
    const plain = keyOf(v);
    let l = c.values.get(plain);
    if (l === undefined) {
      l = lanesOf(c.perm === undefined ? plain : keyOf(renameValue(v, c.perm.rename)));
      c.values.set(plain, l);
    }
    return l;
  }

  private stmtLanes(id: number, c: PermCache): number {
    // Both lanes of statement id are at 2*id and 2*id+1; filled on first use.
    if (c.stmt[2 * id] === undefined) {
      const target = c.perm === undefined ? id : this.interner.renameStatement(id, c.perm.rename);
      const [a, b] = lanesOf(this.interner.stmt(target).key);
      c.stmt[2 * id] = a;
      c.stmt[2 * id + 1] = b;
    }
    return 2 * id;
  }

  private instLanes(id: number, c: PermCache): number {
    if (c.inst[2 * id] === undefined) {
      const p = c.perm;
      const target = p === undefined ? id : this.interner.renameInstance(id, p.rename, (k) => p.nodeMap[k]!);
      const [a, b] = lanesOf(this.interner.inst(target).key);
      c.inst[2 * id] = a;
      c.inst[2 * id + 1] = b;
    }
    return 2 * id;
  }

  private hashUnder(s: State, c: PermCache): number {
    const w = this.words;
    const base = w.length - 3 - (this.forgets ? 9 : 6) * this.nodes;
    for (let n = 0; n < this.nodes; n++) {
      const to = c.perm === undefined ? n : c.perm.nodeMap[n]!;
      const vs = s.vars[n]!;
      let o = this.varOffset[to]!;
      for (let i = 0; i < vs.length; i++) {
        const [a, b] = this.valueLanes(vs[i]!, c);
        w[o++] = a;
        w[o++] = b;
      }
      this.setLanes(s.known[n]!, c.stmt, (id) => this.stmtLanes(id, c), w, base + 3 + 3 * to);
      this.setLanes(s.handled[n]!, c.inst, (id) => this.instLanes(id, c), w, base + 3 + 3 * this.nodes + 3 * to);
      if (this.forgets) this.setLanes(s.forgotten[n]!, c.stmt, (id) => this.stmtLanes(id, c), w, base + 3 + 6 * this.nodes + 3 * to);
    }
    this.setLanes(s.pool, c.stmt, (id) => this.stmtLanes(id, c), w, base);
    return cyrb53Words(w);
  }

  private setLanes(ids: readonly number[], lanes: number[], fill: (id: number) => number, w: Int32Array, at: number): void {
    let a = 0;
    let b = 0;
    for (let i = 0; i < ids.length; i++) {
      const k = fill(ids[i]!);
      a = (a + lanes[k]!) | 0;
      b = (b + lanes[k + 1]!) | 0;
    }
    w[at] = a;
    w[at + 1] = b;
    w[at + 2] = ids.length;
  }
}
