// Histories for the linearizability checker's tests: a brute-force checker
// written straight from the definition (independent of src/lincheck's search
// and of its sequential spec), and seeded generators of key-value histories.

import type { KvCall, KvResult, Operation, Scalar } from '../../src/lincheck/history.js';
import { int, type Rand } from './random.js';

/** One copy of the store, applied in order: the result each call gives. */
function apply(store: Map<string, Scalar>, c: KvCall): KvResult {
  const cur = store.has(c.key) ? store.get(c.key)! : null;
  if (c.op === 'get') return { op: 'get', value: cur };
  if (c.op === 'put') {
    store.set(c.key, c.value);
    return { op: 'put' };
  }
  if (cur === c.expected) {
    store.set(c.key, c.value);
    return { op: 'cas', ok: true };
  }
  return { op: 'cas', ok: false };
}

const sameResult = (a: KvResult, b: KvResult): boolean =>
  a.op === b.op && (a.op !== 'get' || a.value === (b as { value: Scalar | null }).value) && (a.op !== 'cas' || a.ok === (b as { ok: boolean }).ok);

/** a must come before b: a completed strictly before b was invoked. */
const precedes = (a: Operation, b: Operation): boolean => a.complete !== undefined && a.complete < b.invoke;

/**
 * The definition, by enumeration: some subset of the unknown-outcome
 * operations took effect, and some order of those and all completed ones
 * respects real time and gives every completed operation its recorded result.
 * Exponential: for at most ~8 operations.
 */
export function bruteLinearizable(ops: readonly Operation[], floating: readonly Scalar[] = []): boolean {
  const known = ops.filter((o) => o.complete !== undefined);
  const unknown = ops.filter((o) => o.complete === undefined);
  for (let mask = 0; mask < 1 << unknown.length; mask++) {
    const chosen = [...known, ...unknown.filter((_, i) => (mask >> i) & 1)];
    if (someOrder(chosen, new Map(), new Set(), floating)) return true;
  }
  return false;
}

/** Places the unplaced operations one by one, each only once everything that must precede it is placed, checking results as it goes. */
function someOrder(ops: readonly Operation[], store: ReadonlyMap<string, Scalar>, used: Set<number>, floating: readonly Scalar[]): boolean {
  if (used.size === ops.length) return true;
  for (let i = 0; i < ops.length; i++) {
    if (used.has(i)) continue;
    const o = ops[i]!;
    if (ops.some((p, j) => !used.has(j) && j !== i && precedes(p, o))) continue;
    // A floating write may have set the key just before o.
    for (const before of [undefined, ...floating]) {
      const next = new Map(store);
      if (before !== undefined) next.set(o.call.key, before);
      const r = apply(next, o.call);
      if (o.result !== undefined && !sameResult(r, o.result)) continue;
      used.add(i);
      if (someOrder(ops, next, used, floating)) return true;
      used.delete(i);
    }
  }
  return false;
}

/** The values the operations of `whole` outside `part` may have written (a cas known to have failed wrote nothing). */
export function writtenOutside(part: readonly Operation[], whole: readonly Operation[]): Scalar[] {
  const out: Scalar[] = [];
  for (const o of whole) {
    if (part.includes(o)) continue;
    if (o.call.op === 'put') out.push(o.call.value);
    else if (o.call.op === 'cas' && !(o.result?.op === 'cas' && !o.result.ok)) out.push(o.call.value);
  }
  return [...new Set(out)];
}

export interface GenOptions {
  readonly ops: number;
  readonly clients: number;
  readonly keys: number;
  readonly values: number;
  /** Operations each client may have in flight at once. */
  readonly window: number;
  /** Chance that a result is replaced by a random one (often making the history not linearizable). */
  readonly corrupt: number;
  /** Chance that an operation's outcome is unknown (no completion recorded). */
  readonly unknown: number;
  /** Largest gap between events, in time units (integers, so equal times happen). */
  readonly spread: number;
}

function randomCall(r: Rand, o: GenOptions): KvCall {
  const key = `k${int(r, o.keys)}`;
  const v = (): number => int(r, o.values);
  switch (int(r, 3)) {
    case 0:
      return { op: 'get', key };
    case 1:
      return { op: 'put', key, value: v() };
    default:
      return { op: 'cas', key, expected: r() < 0.25 ? null : v(), value: v() };
  }
}

function randomResult(r: Rand, c: KvCall, o: GenOptions): KvResult {
  if (c.op === 'get') return { op: 'get', value: r() < 0.2 ? null : int(r, o.values) };
  if (c.op === 'put') return { op: 'put' };
  return { op: 'cas', ok: r() < 0.5 };
}

/**
 * A history of a correct store (each operation takes effect at a random
 * instant inside its interval, in a single copy), then with some results
 * corrupted and some outcomes forgotten. Clients keep up to `window` calls in
 * flight, so their own operations overlap as well as other clients'.
 */
export function generateHistory(r: Rand, o: GenOptions): Operation[] {
  interface Pending { op: Operation; effectAt: number; call: KvCall; }
  const pending: Pending[] = [];
  for (let i = 0; i < o.ops; i++) {
    const client = `c${1 + (i % o.clients)}`;
    const mine = pending.filter((p) => p.op.client === client).sort((a, b) => (a.op.complete ?? 0) - (b.op.complete ?? 0));
    // The client's next call starts once its window has room: after the completion of its window-th latest call.
    const gate = mine.length >= o.window ? mine[mine.length - o.window]!.op.complete! : 0;
    const last = mine.length > 0 ? mine[mine.length - 1]!.op.invoke : 0;
    const invoke = Math.max(gate, last) + int(r, o.spread + 1);
    const effectAt = invoke + int(r, o.spread + 1) + 0.5;
    const complete = Math.ceil(effectAt) + int(r, o.spread + 1);
    const call = randomCall(r, o);
    pending.push({ op: { id: String(i), client, call, invoke, complete }, effectAt, call });
  }
  // Results from one copy of the store, applied at each operation's effect instant.
  const store = new Map<string, Scalar>();
  const ordered = [...pending].sort((a, b) => a.effectAt - b.effectAt || Number(a.op.id) - Number(b.op.id));
  const results = new Map<string, KvResult>();
  for (const p of ordered) results.set(p.op.id, apply(store, p.call));
  return pending.map((p) => {
    if (r() < o.unknown) return { id: p.op.id, client: p.op.client, call: p.call, invoke: p.op.invoke };
    const result = r() < o.corrupt ? randomResult(r, p.call, o) : results.get(p.op.id)!;
    return { ...p.op, result };
  });
}

