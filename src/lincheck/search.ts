// Is one key's history linearizable? Wing and Gong's search with Lowe's
// memoisation, as Porcupine and Knossos do it: walk the history's events in
// time order; at a call, try to linearize that operation now (its result must
// be possible in the current state) and go on; at a return whose operation is
// not linearized yet, undo the last choice and try the next. A configuration
// (which operations are linearized, and the state they left) already explored
// is never explored again, which is what makes histories of thousands of
// operations checkable.
//
// Times: an operation precedes another when it completed strictly before the
// other was invoked; equal times count as overlapping (the recorder's clock
// cannot order them). An unknown outcome never returns: it may be linearized
// anywhere after its invocation, and linearizing it last is the same as its
// never taking effect, since nothing after it observes.

import type { Operation } from './history.js';
import type { SequentialSpec } from './kv-spec.js';

export type SearchVerdict =
  | { readonly kind: 'linearizable'; /** Indices into the operations, in a valid linearization order. */ readonly order: readonly number[] }
  | { readonly kind: 'not-linearizable' }
  | { readonly kind: 'unknown'; readonly reason: string };

export interface SearchBudget {
  /** Give up (verdict unknown) after this many steps of the search. */
  readonly maxSteps?: number;
  /** Give up at this wall-clock time (Date.now()). */
  readonly deadline?: number;
}

interface Event {
  readonly call: boolean;
  readonly op: number;
  readonly time: number;
  /** A call's return (set for calls only). */
  match: Event | undefined;
  prev: Event | undefined;
  next: Event | undefined;
}

interface Choice<S> {
  readonly call: Event;
  /** The state before this operation. */
  readonly before: S;
  readonly options: readonly S[];
  readonly taken: number;
}

/** The events of `ops` in time order, calls before returns at equal times, as a list after a sentinel head. */
function eventList(ops: readonly Operation[]): Event {
  const events: Event[] = [];
  ops.forEach((o, i) => {
    const ret: Event = { call: false, op: i, time: o.complete ?? Infinity, match: undefined, prev: undefined, next: undefined };
    const call: Event = { call: true, op: i, time: o.invoke, match: ret, prev: undefined, next: undefined };
    events.push(call, ret);
  });
  events.sort((a, b) => a.time - b.time || (a.call === b.call ? a.op - b.op : a.call ? -1 : 1));
  const head: Event = { call: false, op: -1, time: -Infinity, match: undefined, prev: undefined, next: undefined };
  let last = head;
  for (const e of events) {
    last.next = e;
    e.prev = last;
    last = e;
  }
  return head;
}

/** Takes a call and its return out of the list (they are put back in the reverse order). */
function lift(call: Event): void {
  call.prev!.next = call.next;
  if (call.next !== undefined) call.next.prev = call.prev;
  const ret = call.match!;
  ret.prev!.next = ret.next;
  if (ret.next !== undefined) ret.next.prev = ret.prev;
}

function unlift(call: Event): void {
  const ret = call.match!;
  ret.prev!.next = ret;
  if (ret.next !== undefined) ret.next.prev = ret;
  call.prev!.next = call;
  if (call.next !== undefined) call.next.prev = call;
}

/** Which operations are linearized, as a compact string (a cache key). */
class OpSet {
  private readonly bits: Uint16Array;
  constructor(n: number) {
    this.bits = new Uint16Array(Math.max(1, Math.ceil(n / 16)));
  }
  set(i: number): void {
    this.bits[i >> 4]! |= 1 << (i & 15);
  }
  clear(i: number): void {
    this.bits[i >> 4]! &= ~(1 << (i & 15));
  }
  key(): string {
    let s = '';
    for (let i = 0; i < this.bits.length; i++) s += String.fromCharCode(this.bits[i]!);
    return s;
  }
}

export function searchLinearization<S>(ops: readonly Operation[], spec: SequentialSpec<S>, budget: SearchBudget = {}): SearchVerdict {
  const head = eventList(ops);
  const done = new OpSet(ops.length);
  const seen = new Set<string>();
  const stack: Choice<S>[] = [];
  let state = spec.init;
  let entry = head.next;
  let steps = 0;

  /** Tries option k.. of `options` for `call`; true when one leads somewhere new. */
  const tryFrom = (call: Event, before: S, options: readonly S[], from: number): boolean => {
    for (let k = from; k < options.length; k++) {
      done.set(call.op);
      const key = `${done.key()}|${spec.key(options[k]!)}`;
      if (!seen.has(key)) {
        seen.add(key);
        stack.push({ call, before, options, taken: k });
        state = options[k]!;
        lift(call);
        return true;
      }
      done.clear(call.op);
    }
    return false;
  };

  while (head.next !== undefined) {
    if (++steps % 4096 === 0) {
      if (budget.maxSteps !== undefined && steps > budget.maxSteps) return { kind: 'unknown', reason: `gave up after ${budget.maxSteps} search steps` };
      if (budget.deadline !== undefined && Date.now() > budget.deadline) return { kind: 'unknown', reason: 'ran out of time' };
    }
    const e = entry!;
    if (e.call) {
      entry = tryFrom(e, state, spec.step(state, ops[e.op]!), 0) ? head.next : e.next;
      continue;
    }
    // A return whose operation is not linearized: some earlier choice was wrong.
    const c = stack.pop();
    if (c === undefined) return { kind: 'not-linearizable' };
    done.clear(c.call.op);
    unlift(c.call);
    state = c.before;
    entry = tryFrom(c.call, c.before, c.options, c.taken + 1) ? head.next : c.call.next;
  }
  return { kind: 'linearizable', order: stack.map((c) => c.call.op) };
}
