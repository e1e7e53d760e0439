// State fingerprints. A state's packed form (packed.ts: value, statement and
// instance ids, canonical within a run) is hashed to a 53-bit number (cyrb53
// over its words), which is what the visited set stores. Two distinct
// states share a fingerprint with probability about n^2 / 2^54 over a run of
// n distinct states (1e6 states: about 6e-5); like TLC, a collision would
// silently prune a state, and the verdict says how likely that was.
//
// With symmetry, the canonical form is the least packed form over every permutation
// of the interchangeable principals, so one fingerprint stands for an orbit.

import type { ModelInstance } from '../semantics/model.js';
import type { Interner, State } from '../semantics/state.js';
import { renameValue } from '../semantics/value.js';
import type { StatePacker } from './packed.js';

/** cyrb53 over 32-bit words: the packed state is already canonical within a run. */
export function cyrb53Words(words: Int32Array, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    h1 = Math.imul(h1 ^ w, 2654435761);
    h2 = Math.imul(h2 ^ w, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

function lessThan(a: Int32Array, b: Int32Array): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return a.length < b.length;
}

export function collisionProbability(distinct: number): number {
  return (distinct * distinct) / 2 ** 54;
}

export interface Permutation {
  readonly rename: ReadonlyMap<string, string>;
  readonly nodeMap: readonly number[];
}

export class Fingerprinter {
  private readonly perms: readonly Permutation[];
  private readonly stmtCache: Map<number, number>[];
  private readonly instCache: Map<number, number>[];

  constructor(
    model: ModelInstance,
    private readonly interner: Interner,
    private readonly packer: StatePacker,
    useSymmetry: boolean,
  ) {
    this.perms = useSymmetry ? symmetryPermutations(model) : [];
    this.stmtCache = this.perms.map(() => new Map());
    this.instCache = this.perms.map(() => new Map());
  }

  get symmetric(): boolean {
    return this.perms.length > 1;
  }

  get permutationCount(): number {
    return Math.max(1, this.perms.length);
  }

  /** The fingerprint of `s`, hashing its packed form (see packed.ts). */
  fingerprint(s: State): number {
    // Without symmetry the packed form is hashed where it is built: no array per generated state.
    if (this.perms.length <= 1) return cyrb53Words(this.packer.packScratch(s));
    return cyrb53Words(this.canonical(s));
  }

  /** The packed state, or with symmetry the least packed form over the permutations. */
  canonical(s: State): Int32Array {
    if (this.perms.length <= 1) return this.packer.pack(s);
    let best: Int32Array | undefined;
    this.perms.forEach((p, i) => {
      const packed = this.packer.pack(this.apply(s, p, i));
      if (best === undefined || lessThan(packed, best)) best = packed;
    });
    return best!;
  }

  private apply(s: State, p: Permutation, i: number): State {
    const n = s.vars.length;
    const vars = new Array<readonly import('../semantics/value.js').Value[]>(n);
    const known = new Array<readonly number[]>(n);
    const handled = new Array<readonly number[]>(n);
    const forgotten = new Array<readonly number[]>(n);
    const stmt = (id: number): number => {
      const c = this.stmtCache[i]!;
      let r = c.get(id);
      if (r === undefined) {
        r = this.interner.renameStatement(id, p.rename);
        c.set(id, r);
      }
      return r;
    };
    const inst = (id: number): number => {
      const c = this.instCache[i]!;
      let r = c.get(id);
      if (r === undefined) {
        r = this.interner.renameInstance(id, p.rename, (k) => p.nodeMap[k]!);
        c.set(id, r);
      }
      return r;
    };
    for (let k = 0; k < n; k++) {
      const to = p.nodeMap[k]!;
      vars[to] = s.vars[k]!.map((v) => renameValue(v, p.rename));
      known[to] = s.known[k]!.map(stmt).sort((a, b) => a - b);
      handled[to] = s.handled[k]!.map(inst).sort((a, b) => a - b);
      forgotten[to] = s.forgotten[k]!.map(stmt).sort((a, b) => a - b);
    }
    return { vars, pool: s.pool.map(stmt).sort((a, b) => a - b), known, handled, forgotten };
  }
}

/**
 * Every permutation of each SYMMETRY set that maps principals to principals
 * of the same fault status and Byzantine allowance (so the model itself is
 * invariant), combined across sets.
 */
export function symmetryPermutations(model: ModelInstance): Permutation[] {
  const groups: string[][] = [];
  for (const set of model.symmetry) {
    const byClass = new Map<string, string[]>();
    for (const p of set) {
      const idx = model.nodeIndex.get(p)!;
      const node = model.nodes[idx]!;
      const byz = model.byzantine.find((b) => b.node === idx);
      const cls = `${node.status}:${byz === undefined ? '' : JSON.stringify(byz.sends.map((s) => [s.recordType, s.verifierChoices.length, s.auditors.length])) + byz.budget}`;
      const g = byClass.get(cls);
      if (g === undefined) byClass.set(cls, [p]);
      else g.push(p);
    }
    for (const g of byClass.values()) if (g.length > 1) groups.push(g);
  }
  let renames: Map<string, string>[] = [new Map()];
  for (const g of groups) {
    const next: Map<string, string>[] = [];
    for (const perm of permute(g)) {
      for (const r of renames) {
        const m = new Map(r);
        g.forEach((p, i) => m.set(p, perm[i]!));
        next.push(m);
      }
    }
    renames = next;
  }
  return renames.map((rename) => ({
    rename,
    nodeMap: model.nodes.map((n) => model.nodeIndex.get(rename.get(n.name) ?? n.name)!),
  }));
}

function permute<T>(xs: readonly T[]): T[][] {
  if (xs.length <= 1) return [xs.slice()];
  const out: T[][] = [];
  xs.forEach((x, i) => {
    for (const rest of permute([...xs.slice(0, i), ...xs.slice(i + 1)])) out.push([x, ...rest]);
  });
  return out;
}
