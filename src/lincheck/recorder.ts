// Recording a history of calls as docs/lincheck.md defines it, from one
// clock: the invocation is taken just before the call is submitted, the
// completion just after its answer arrived. A call whose outcome is unknown
// (a timeout: it was sent and may still take effect) keeps no completion; a
// call refused before it was sent is dropped (nothing can take effect). A
// retry of an operation is the caller's to express by recording it once.

import type { History, KvCall, KvResult, Operation } from './history.js';

export interface Pending {
  readonly id: string;
}

export class HistoryRecorder {
  private readonly ops = new Map<string, { client: string; call: KvCall; invoke: number; complete?: number; result?: KvResult }>();
  private next = 1;

  /** `now` is the one clock of the history (virtual time on the simulated network). */
  constructor(private readonly now: () => number) {}

  /** Call just before submitting. */
  invoke(client: string, call: KvCall): Pending {
    const id = String(this.next++);
    this.ops.set(id, { client, call, invoke: this.now() });
    return { id };
  }

  /** Call just after the answer arrived. */
  complete(p: Pending, result: KvResult): void {
    const o = this.ops.get(p.id);
    if (o === undefined || o.complete !== undefined) throw new Error(`operation ${p.id} is not pending`);
    if (o.call.op !== result.op) throw new Error(`operation ${p.id} is a ${o.call.op}, not a ${result.op}`);
    o.complete = this.now();
    o.result = result;
  }

  /** The call was never sent (refused before its input step): it is no operation. */
  notSent(p: Pending): void {
    this.ops.delete(p.id);
  }

  /** The call was sent and its outcome is unknown: it stays without a completion. */
  unknown(_p: Pending): void {}

  history(): History {
    const operations: Operation[] = [...this.ops].map(([id, o]) => ({
      id, client: o.client, call: o.call, invoke: o.invoke,
      ...(o.complete === undefined ? {} : { complete: o.complete }),
      ...(o.result === undefined ? {} : { result: o.result }),
    }));
    return { model: 'kv', operations };
  }
}

/** What a workload's history holds, in the figures issue 26 asks of one. */
export interface WorkloadFigures {
  readonly completed: number;
  readonly unknown: number;
  readonly clients: number;
  readonly keys: number;
  /** Share of operations that are a put or a cas. */
  readonly writeShare: number;
  /** Share of operations whose interval overlaps an operation of another client (an unknown outcome's runs to the end). */
  readonly overlapShare: number;
  /** The most operations one client had in flight at once. */
  readonly maxInFlightPerClient: number;
}

export function workloadFigures(h: History): WorkloadFigures {
  const ops = h.operations;
  const end = (o: Operation): number => o.complete ?? Number.POSITIVE_INFINITY;
  // Overlap with another client: sweep by invocation, keeping for each client
  // the latest end seen so far; an operation overlaps another client's when
  // an earlier-invoked one of another client ends at or after its invocation,
  // or a later-invoked one starts at or before its end.
  const sorted = [...ops].sort((a, b) => a.invoke - b.invoke);
  const overlapping = new Set<Operation>();
  for (let i = 0; i < sorted.length; i++) {
    const a = sorted[i]!;
    for (let j = i + 1; j < sorted.length && sorted[j]!.invoke <= end(a); j++) {
      const b = sorted[j]!;
      if (b.client !== a.client) {
        overlapping.add(a);
        overlapping.add(b);
      }
    }
  }
  let maxInFlight = 0;
  const byClient = new Map<string, Operation[]>();
  for (const o of ops) byClient.set(o.client, [...(byClient.get(o.client) ?? []), o]);
  for (const list of byClient.values()) {
    const events = list.flatMap((o) => [[o.invoke, 1] as const, [end(o), -1] as const]).sort((x, y) => x[0] - y[0] || x[1] - y[1]);
    let n = 0;
    for (const [, d] of events) maxInFlight = Math.max(maxInFlight, (n += d));
  }
  const n = Math.max(1, ops.length);
  return {
    completed: ops.filter((o) => o.complete !== undefined).length,
    unknown: ops.filter((o) => o.complete === undefined).length,
    clients: byClient.size,
    keys: new Set(ops.map((o) => o.call.key)).size,
    writeShare: ops.filter((o) => o.call.op !== 'get').length / n,
    overlapShare: overlapping.size / n,
    maxInFlightPerClient: maxInFlight,
  };
}
