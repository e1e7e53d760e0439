// A PBFT client of the counter: up to `outstanding` requests in flight, each
// sent to the primary only (no retransmission to all replicas on a timeout:
// the primary is correct here), each answered once f+1 replicas sent
// matching replies (same sequence number and result). Every reply is
// authenticated on arrival, the ones that come after the answer too.

import type { Authenticator } from './auth.js';
import { decodeMessage, encodeBody, encodeMessage, type RequestBody } from './messages.js';
import { faultsTolerated, sharedNow, type CountingNet } from './net.js';

export interface ClientOptions {
  readonly me: string;
  /** Every replica, the primary first. */
  readonly replicas: readonly string[];
  readonly requests: number;
  readonly outstanding: number;
}

/** The operation of request `id`: what it adds to the counter (the driver knows the sum to expect). */
export function opFor(id: number): number {
  return 1 + (id % 5);
}

interface Pending {
  readonly sentAt: number;
  /** Each replica's reply, as "seq/result". */
  readonly replies: Map<string, string>;
}

export class Client {
  private readonly f: number;
  private readonly replicaSet: ReadonlySet<string>;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  readonly latenciesMs: number[] = [];
  completed = 0;
  conflicts = 0;
  startMs = 0;
  endMs = 0;
  /** Told once, when every request is answered. */
  onDone: (() => void) | undefined;

  constructor(private readonly o: ClientOptions, private readonly auth: Authenticator, private readonly net: CountingNet) {
    this.f = faultsTolerated(o.replicas.length);
    this.replicaSet = new Set(o.replicas);
  }

  go(): void {
    this.startMs = sharedNow();
    this.fill();
    if (this.o.requests === 0) this.finish();
  }

  private fill(): void {
    while (this.pending.size < this.o.outstanding && this.nextId < this.o.requests) this.send(this.nextId++);
  }

  private send(id: number): void {
    const body: RequestBody = { kind: 'REQUEST', client: this.o.me, id, op: opFor(id) };
    const bytes = encodeBody(body);
    this.pending.set(id, { sentAt: performance.now(), replies: new Map() });
    // An authenticator for every replica: the primary forwards it in its pre-prepare.
    this.net.send(this.o.replicas[0]!, encodeMessage({ bytes, auth: this.auth.authenticate(bytes, this.o.replicas) }));
  }

  receive(frame: Uint8Array): void {
    const m = decodeMessage(frame);
    const b = m?.env.body;
    if (m === undefined || b?.kind !== 'REPLY' || b.client !== this.o.me || !this.replicaSet.has(b.sender) || !this.auth.check(m.env.bytes, m.env.auth, b.sender)) {
      this.net.refused++;
      return;
    }
    const p = this.pending.get(b.id);
    // Answered already (the slower replicas' replies), or never asked.
    if (p === undefined || p.replies.has(b.sender)) return;
    const key = `${b.seq}/${b.result}`;
    for (const k of p.replies.values()) if (k !== key) this.conflicts++;
    p.replies.set(b.sender, key);
    let matching = 0;
    for (const k of p.replies.values()) if (k === key) matching++;
    if (matching < this.f + 1) return;
    this.latenciesMs.push(performance.now() - p.sentAt);
    this.pending.delete(b.id);
    this.completed++;
    this.fill();
    if (this.completed === this.o.requests) this.finish();
  }

  private finish(): void {
    this.endMs = sharedNow();
    this.onDone?.();
  }
}
