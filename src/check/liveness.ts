// Liveness over the explored graph, under weak fairness of every correct
// node's transitions and of delivery to every correct node.
//
// Every step of the abstract pool adds to `pool`, to some `known[n]` or to
// some `handled[n]` (fire-once), and nothing ever leaves them, so the state
// graph is acyclic: every infinite behaviour ends stuttering in one state,
// and it is fair exactly when no fair step is enabled there (Byzantine steps
// are never forced). A counterexample to a liveness obligation is therefore a
// path to such a "fair end" state, shown as a lasso whose loop is stuttering.
// The product with a small monitor tracks what the path owes:
//   P ~> Q  : a P-state has been seen and no Q-state since;
//   <>P     : no P-state yet;
//   []<>P, <>[]P : P is false in the end state.

import type { ExploredGraph } from './search.js';
import type { ObligationForm } from './properties.js';

export interface LivenessQuery {
  readonly form: Exclude<ObligationForm, 'always' | 'init'>;
  /** Predicate indices into graph.predicateValues. */
  readonly p: number;
  readonly q?: number;
}

/** A violating path of state indices from an initial state to a fair end, or undefined. */
export function findLivenessViolation(g: ExploredGraph, query: LivenessQuery): number[] | undefined {
  const P = g.predicateValues[query.p]!;
  const Q = query.q === undefined ? undefined : g.predicateValues[query.q]!;
  const n = g.fingerprints.length;
  // Monitor bit per product node (state, bit): 1 means "owes something".
  const next = (bit: number, s: number): number => {
    switch (query.form) {
      case 'leadsTo':
        return (bit === 1 || P[s] === 1) && Q![s] !== 1 ? 1 : 0;
      case 'eventually':
        return bit === 1 && P[s] !== 1 ? 1 : 0;
      case 'alwaysEventually':
      case 'eventuallyAlways':
        return P[s] !== 1 ? 1 : 0;
    }
  };
  const seen = [new Uint8Array(n), new Uint8Array(n)];
  const parent: Int32Array[] = [new Int32Array(n).fill(-1), new Int32Array(n).fill(-1)];
  const parentBit: Uint8Array[] = [new Uint8Array(n), new Uint8Array(n)];
  const queue: number[] = [];
  for (let s = 0; s < n; s++) {
    if (g.parent[s] !== -1) continue;
    const bit = query.form === 'eventually' ? (P[s] !== 1 ? 1 : 0) : next(0, s);
    if (!seen[bit]![s]) {
      seen[bit]![s] = 1;
      queue.push(s * 2 + bit);
    }
  }
  for (let h = 0; h < queue.length; h++) {
    const node = queue[h]!;
    const s = node >> 1;
    const bit = node & 1;
    if (bit === 1 && g.stutterFair[s] === 1) return path(s, bit);
    const from = g.edgeStart[s];
    if (from === undefined) continue;
    const to = g.edgeStart[s + 1] ?? g.edgeTargets.length;
    for (let k = from; k < to; k++) {
      const t = g.edgeTargets[k]!;
      const b = next(bit, t);
      if (seen[b]![t]) continue;
      seen[b]![t] = 1;
      parent[b]![t] = s;
      parentBit[b]![t] = bit;
      queue.push(t * 2 + b);
    }
  }
  return undefined;

  function path(s: number, bit: number): number[] {
    const out: number[] = [];
    let cur = s;
    let b = bit;
    while (cur !== -1) {
      out.push(cur);
      const p = parent[b]![cur]!;
      b = parentBit[b]![cur]!;
      cur = p;
    }
    return out.reverse();
  }
}

/** Shortest path from an initial state to state i, along BFS parents. */
export function pathTo(g: ExploredGraph, i: number): number[] {
  const out: number[] = [];
  for (let cur = i; cur !== -1; cur = g.parent[cur]!) out.push(cur);
  return out.reverse();
}
