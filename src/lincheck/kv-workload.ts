// A workload of calls to a replicated key-value store that records its
// history (recorder.ts) for `mommie lincheck`: several clients, each keeping
// `window` calls in flight, over a few keys, mixing get, put and cas. The
// store's client offers the calls specs/PBFTKV.mom declares: Get(key),
// Put(key, val) and Cas(key, expected, val), keys numbered from 0, values
// from 1, 0 for "the key holds nothing"; Get and Put answer the key's value
// after the call, Cas whether it took effect. In the history keys are named
// k0, k1, ... and "nothing" is null.

import type { KvCall, KvResult } from './history.js';
import { HistoryRecorder } from './recorder.js';

/** A client of the store (the client API's `Client`, or anything that calls as it does). */
export interface KvClient {
  readonly name: string;
  submit(transition: string, args: Readonly<Record<string, unknown>>, opts?: { readonly timeoutMs?: number }): Promise<unknown>;
}

export interface KvWorkloadOptions {
  readonly clients: readonly KvClient[];
  /** Stop starting calls once this many have completed or are in flight. */
  readonly operations: number;
  /** Calls each client keeps in flight. */
  readonly window: number;
  readonly keys: number;
  /** Values 1..values. */
  readonly values: number;
  /** Shares of get, put and cas (default 0.5, 0.25, 0.25). */
  readonly mix?: { readonly get: number; readonly put: number; readonly cas: number };
  readonly seed: number;
  /** The history's clock, read just before each submit and just after each answer. */
  readonly now: () => number;
  /** Each call's timeout (the API's unit: virtual ms on the simulated network). */
  readonly timeoutMs?: number;
  /** Stop starting calls once this many have an unknown outcome (default: never). */
  readonly maxUnknown?: number;
  /** Told after each completed call, with the number completed so far (a test kills a node midway). */
  readonly onCompleted?: (completed: number) => void;
}

export interface KvWorkloadRun {
  readonly recorder: HistoryRecorder;
  /** Calls refused before they were sent (not in the history). */
  readonly notSent: number;
}

function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function runKvWorkload(o: KvWorkloadOptions): Promise<KvWorkloadRun> {
  const recorder = new HistoryRecorder(o.now);
  const rnd = mulberry32(o.seed);
  const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
  const mix = o.mix ?? { get: 0.5, put: 0.25, cas: 0.25 };
  // What each client last saw of each key: a CAS from it succeeds if nobody wrote since.
  const seen = new Map<string, number>();
  let started = 0;
  let completed = 0;
  let unknown = 0;
  let notSent = 0;
  const opts = o.timeoutMs === undefined ? {} : { timeoutMs: o.timeoutMs };

  const loop = async (c: KvClient): Promise<void> => {
    let refusedInARow = 0;
    while (started < o.operations && unknown < (o.maxUnknown ?? o.operations + 1) && refusedInARow < 5) {
      started++;
      const key = int(0, o.keys - 1);
      const k = `k${key}`;
      const r = rnd() * (mix.get + mix.put + mix.cas);
      const val = int(1, o.values);
      let transition: string;
      let args: Record<string, number>;
      let call: KvCall;
      if (r < mix.get) {
        [transition, args, call] = ['Get', { key }, { op: 'get', key: k }];
      } else if (r < mix.get + mix.put) {
        [transition, args, call] = ['Put', { key, val }, { op: 'put', key: k, value: val }];
      } else {
        const expected = rnd() < 0.6 ? (seen.get(`${c.name}/${key}`) ?? 0) : int(0, o.values);
        [transition, args, call] = ['Cas', { key, expected, val }, { op: 'cas', key: k, expected: expected === 0 ? null : expected, value: val }];
      }
      const p = recorder.invoke(c.name, call);
      try {
        const answer = await c.submit(transition, args, opts);
        let result: KvResult;
        if (call.op === 'cas') result = { op: 'cas', ok: answer === true };
        else if (call.op === 'put') result = { op: 'put' };
        else result = { op: 'get', value: answer === 0 ? null : (answer as number) };
        recorder.complete(p, result);
        if (call.op === 'get') seen.set(`${c.name}/${key}`, answer as number);
        if (call.op === 'put') seen.set(`${c.name}/${key}`, val);
        completed++;
        refusedInARow = 0;
        o.onCompleted?.(completed);
      } catch (e) {
        const name = (e as Error).name;
        if (name === 'OutcomeUnknownError') {
          recorder.unknown(p);
          unknown++;
        } else if (name === 'NotSentError') {
          recorder.notSent(p);
          notSent++;
          refusedInARow++;
          started--;
        } else {
          throw e;
        }
      }
    }
  };
  await Promise.all(o.clients.flatMap((c) => Array.from({ length: o.window }, () => loop(c))));
  return { recorder, notSent };
}
