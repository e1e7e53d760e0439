// The sequential specification of the key-value store the histories call:
// get (null for a missing key), put, and cas (compare-and-set: sets the value
// and answers ok when the key holds `expected`, null meaning "absent";
// otherwise changes nothing and answers not ok). Operations on different keys
// commute, so a history is linearizable exactly when each key's operations
// are (Herlihy and Wing's locality): the checker searches key by key.

import type { Operation, Scalar } from './history.js';

/** What a key holds: a value, or null when it was never put. */
export type KeyState = Scalar | null;

export interface SequentialSpec<S> {
  readonly init: S;
  /**
   * The states `op` can leave from `s`, given its result (or, for an unknown
   * outcome, any result): none when the recorded result is impossible there.
   */
  step(s: S, op: Operation): readonly S[];
  /** A key telling states apart (`1` and `"1"` differ). */
  key(s: S): string;
}

export const KV_KEY_SPEC: SequentialSpec<KeyState> = {
  init: null,
  step(s, op) {
    const c = op.call;
    const r = op.result;
    switch (c.op) {
      case 'get':
        if (r === undefined) return [s];
        return r.op === 'get' && r.value === s ? [s] : [];
      case 'put':
        return [c.value];
      case 'cas': {
        const holds = s === c.expected;
        if (r === undefined) return [holds ? c.value : s];
        if (r.op !== 'cas' || r.ok !== holds) return [];
        return [holds ? c.value : s];
      }
    }
  },
  key: (s) => (s === null ? 'null' : typeof s === 'string' ? JSON.stringify(s) : String(s)),
};

/** The history's operations, key by key, in their recorded order. */
export function byKey(ops: readonly Operation[]): Map<string, Operation[]> {
  const m = new Map<string, Operation[]>();
  for (const o of ops) {
    let l = m.get(o.call.key);
    if (l === undefined) m.set(o.call.key, (l = []));
    l.push(o);
  }
  return m;
}
