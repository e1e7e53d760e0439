// Drives a program's input transitions as an application would: each client
// (a node whose role has input transitions) keeps up to `concurrency`
// requests in flight, and asks for the next parameter values its guard
// accepts. Parameter combinations are tried in order (the first parameter
// slowest), so `Submit(id, op) IF id == nextId` gets ids 0, 1, 2, ...; a
// combination that already fired or whose guard is false is skipped.

import { enumerate } from '../semantics/domain.js';
import { instanceKey, instanceValues } from '../semantics/instance.js';
import type { System } from '../semantics/system.js';
import type { Value } from '../semantics/value.js';
import { isInputTransition } from '../semantics/model.js';
import type { Completion, RuntimeNode } from './node.js';

interface Client {
  readonly node: RuntimeNode;
  readonly inputs: { readonly name: string; readonly domains: readonly (readonly Value[])[]; cursor: number; readonly size: number }[];
  inFlight: number;
  exhausted: boolean;
}

export class Workload {
  issued = 0;
  private done = 0;
  private readonly clients: Client[] = [];
  private next = 0;

  constructor(
    nodes: readonly RuntimeNode[],
    system: System,
    private readonly target: number,
    private readonly concurrency: number,
  ) {
    for (const node of nodes) {
      const role = node.machine.node.role!;
      const inputs = role.transitions
        .filter((t) => isInputTransition(t.decl))
        .map((t) => {
          const domains = t.decl.params.map((p) => enumerate(system.ev.program.domainOf.get(p.id)!, system.ev, p.span));
          return { name: t.name, domains, cursor: 0, size: domains.reduce((n, d) => n * d.length, 1) };
        });
      if (inputs.length > 0) this.clients.push({ node, inputs, inFlight: 0, exhausted: false });
    }
  }

  get finished(): boolean {
    return this.done >= this.target || (this.exhausted && this.clients.every((c) => c.inFlight === 0));
  }

  /** Every client can start no more requests (the program's guards refuse). */
  get exhausted(): boolean {
    return this.clients.every((c) => c.exhausted || c.node.isStopped);
  }

  completed(node: RuntimeNode, _c: Completion): void {
    const c = this.clients.find((x) => x.node === node);
    if (c !== undefined && c.inFlight > 0) c.inFlight--;
    this.done++;
  }

  /** Starts requests while clients have room, round robin. */
  issue(): void {
    let idle = 0;
    while (this.issued < this.target && idle < this.clients.length) {
      const c = this.clients[this.next % this.clients.length]!;
      this.next++;
      if (c.exhausted || c.node.isStopped || c.inFlight >= this.concurrency || !this.startOne(c)) {
        idle++;
        continue;
      }
      idle = 0;
    }
  }

  private startOne(c: Client): boolean {
    for (const input of c.inputs) {
      while (input.cursor < input.size) {
        const params = combination(input.domains, input.cursor);
        // Fired by an earlier incarnation of this node (rebuilt from its log):
        // its guard may be false now, which must not read as "wait".
        if (c.node.machine.hasHandled(instanceKey(input.name, instanceValues(params, [])))) {
          input.cursor++;
          continue;
        }
        const r = c.node.input(input.name, params);
        if (r.kind === 'refused') {
          // Fired before: never again, try the next values. A false guard
          // means "not now" (e.g. a request id not reached yet): wait for
          // this client's state to change.
          if (r.why === 'fired') {
            input.cursor++;
            continue;
          }
          // With nothing in flight, nothing will change the client's state
          // on its own: it has no more requests to make.
          if (c.inFlight === 0) c.exhausted = true;
          break;
        }
        input.cursor++;
        this.issued++;
        if (r.kind === 'fired' && c.node.pendingRequests > 0) c.inFlight++;
        return true;
      }
    }
    if (c.inputs.every((i) => i.cursor >= i.size)) c.exhausted = true;
    return false;
  }
}

/** The `index`-th combination of values, the first domain slowest (the order the workload and the client API try them in). */
export function combination(domains: readonly (readonly Value[])[], index: number): Value[] {
  const out: Value[] = new Array<Value>(domains.length);
  for (let i = domains.length - 1; i >= 0; i--) {
    const d = domains[i]!;
    out[i] = d[index % d.length]!;
    index = Math.floor(index / d.length);
  }
  return out;
}
