// A non-linearizable history shrunk to a part a person can read.
//
// Dropping operations can make a linearizable history non-linearizable (drop
// the put a get observed and the get alone is impossible), so a sub-history
// that fails says nothing about the history unless the shrinking is sound.
// Here a dropped operation that may have written a value is not forgotten but
// relaxed: its value may be written again at any time, any number of times, or
// never. Every linearization of the history is one of the relaxed part, so a
// relaxed part that is not linearizable proves the history is not — and a
// stale read keeps the writes that make it stale, while a read of a value no
// operation wrote shrinks to that read alone.
//
// The witness is 1-minimal under that relaxation: removing any one of its
// operations (relaxing it) makes it linearizable. Removal preserves nothing
// in general, so the shrinking runs to a fixpoint: chunks first, as delta
// debugging does, then single operations until a whole pass removes nothing.

import type { Operation, Scalar } from './history.js';
import { KV_KEY_SPEC, type KeyState, type SequentialSpec } from './kv-spec.js';
import { searchLinearization, type SearchBudget, type SearchVerdict } from './search.js';

export interface Shrunk {
  readonly operations: readonly Operation[];
  /** Values the dropped operations may write at any time (sorted, distinct). */
  readonly floating: readonly Scalar[];
  /** False when some check of the last pass ran out of budget: not linearizable, but maybe not 1-minimal. */
  readonly minimal: boolean;
}

/** The value an operation may have written: a put's, a cas's new value unless it is known to have failed. */
export function mayWrite(o: Operation): Scalar | undefined {
  if (o.call.op === 'put') return o.call.value;
  if (o.call.op === 'cas' && (o.result === undefined || (o.result.op === 'cas' && o.result.ok))) return o.call.value;
  return undefined;
}

/** The key's spec where, before any operation, the key may also hold any of `floating`. */
export function withFloatingWrites(floating: readonly Scalar[]): SequentialSpec<KeyState> {
  if (floating.length === 0) return KV_KEY_SPEC;
  return {
    init: KV_KEY_SPEC.init,
    key: KV_KEY_SPEC.key,
    step(s, op) {
      const out = new Map<string, KeyState>();
      for (const from of [s, ...floating]) for (const n of KV_KEY_SPEC.step(from, op)) out.set(KV_KEY_SPEC.key(n), n);
      return [...out.values()];
    },
  };
}

/** The distinct values the operations of `all` not in `kept` may write. */
export function floatingValues(all: readonly Operation[], kept: readonly Operation[]): Scalar[] {
  const keep = new Set(kept);
  const byKey = new Map<string, Scalar>();
  for (const o of all) {
    if (keep.has(o)) continue;
    const v = mayWrite(o);
    if (v !== undefined) byKey.set(KV_KEY_SPEC.key(v), v);
  }
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
}

/** The search on `part` with every other operation of `all` relaxed. */
export function checkRelaxed(part: readonly Operation[], all: readonly Operation[], budget: SearchBudget): SearchVerdict {
  return searchLinearization(part, withFloatingWrites(floatingValues(all, part)), budget);
}

/** `ops` are one key's operations and not linearizable. */
export function shrinkNonLinearizable(ops: readonly Operation[], budget: () => SearchBudget): Shrunk {
  let cur = ops.slice();
  let undecided = 0;
  const stillFails = (cand: readonly Operation[]): boolean => {
    if (cand.length === 0) return false;
    const v = checkRelaxed(cand, ops, budget());
    if (v.kind === 'unknown') undecided++;
    return v.kind === 'not-linearizable';
  };
  let chunk = Math.max(1, Math.floor(cur.length / 2));
  for (;;) {
    undecided = 0;
    let removed = false;
    for (let i = 0; i < cur.length; ) {
      const cand = cur.slice(0, i).concat(cur.slice(i + chunk));
      if (stillFails(cand)) {
        cur = cand;
        removed = true;
      } else {
        i += chunk;
      }
    }
    // Done when a pass over single operations removed none: each removal was tried on the final part.
    if (chunk === 1 && !removed) return { operations: cur, floating: floatingValues(ops, cur), minimal: undecided === 0 };
    chunk = Math.max(1, Math.floor(chunk / 2));
  }
}
