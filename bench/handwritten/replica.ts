// A PBFT replica, normal case only (Castro and Liskov, OSDI'99, §4.2), view 0
// for good, serving a counter: no view change, no checkpoints or garbage
// collection beyond forgetting executed slots, no client retransmission.
//
//   primary   a REQUEST joins the batch; a batch of `batch` requests (or what
//             is there after `flushMs` without a full one) gets the next
//             sequence number and goes out as PRE-PREPARE to the backups.
//   backup    accepts a PRE-PREPARE from the primary for a sequence number it
//             has not accepted one for, whose digest is its batch's and whose
//             requests are authentic; multicasts PREPARE.
//   all       prepared(n, d): the pre-prepare and 2f PREPAREs from distinct
//             backups for (n, d) -> multicast COMMIT; committed-local: prepared
//             and 2f+1 COMMITs (its own included) -> execute in sequence order,
//             REPLY to each request's client.
//
// Every received message is authenticated before anything else is looked
// at, however late it comes (a third PREPARE for an executed slot is still
// verified, as a straightforward replica would): the crypto counted is what
// the protocol costs, not what a clever shortcut saves.

import type { Authenticator } from './auth.js';
import { batchDigest, encodeBody, encodeMessage, decodeMessage, type Envelope, type OrderBody, type RequestBody, type ReplyBody } from './messages.js';
import { faultsTolerated, type CountingNet } from './net.js';

export interface ReplicaOptions {
  readonly me: string;
  /** Every replica, the primary (of view 0) first. */
  readonly replicas: readonly string[];
  readonly clients: readonly string[];
  /** Requests per pre-prepare at most; 1 is PBFT without batching. */
  readonly batch: number;
  /** How long the primary holds a partial batch (ms). */
  readonly flushMs: number;
}

const VIEW = 0;
/** Sequence numbers accepted beyond the last executed one (PBFT's watermark window, without checkpoints to move it). */
const WINDOW = 1 << 16;

interface Slot {
  pp?: { readonly digest: Uint8Array; readonly key: string; readonly requests: readonly Envelope<RequestBody>[] };
  /** Senders of PREPAREs (COMMITs) by digest (hex). */
  readonly prepares: Map<string, Set<string>>;
  readonly commits: Map<string, Set<string>>;
  sentCommit: boolean;
}

const hex = (d: Uint8Array): string => Buffer.from(d.buffer, d.byteOffset, d.length).toString('hex');

export class Replica {
  private readonly f: number;
  private readonly primary: string;
  private readonly others: readonly string[];
  private readonly replicaSet: ReadonlySet<string>;
  private readonly clientSet: ReadonlySet<string>;
  private readonly slots = new Map<number, Slot>();
  /** Primary: requests waiting for a sequence number; the last id queued per client; the last sequence number assigned. */
  private queue: Envelope<RequestBody>[] = [];
  private readonly lastQueued = new Map<string, number>();
  private nextSeq = 0;
  private flushTimer: NodeJS.Timeout | undefined;
  /** The replicated counter and what ran. */
  counter = 0;
  executed = 0;
  duplicates = 0;
  lastExec = 0;
  private readonly lastExecId = new Map<string, number>();
  /** Told after every execution (the node process reports when it has run enough). */
  onExecute: (() => void) | undefined;

  constructor(private readonly o: ReplicaOptions, private readonly auth: Authenticator, private readonly net: CountingNet) {
    this.f = faultsTolerated(o.replicas.length);
    this.primary = o.replicas[0]!;
    this.others = o.replicas.filter((r) => r !== o.me);
    this.replicaSet = new Set(o.replicas);
    this.clientSet = new Set(o.clients);
  }

  private get isPrimary(): boolean {
    return this.o.me === this.primary;
  }

  receive(frame: Uint8Array): void {
    const m = decodeMessage(frame);
    if (m === undefined) return this.refuse();
    const { env } = m;
    const b = env.body;
    switch (b.kind) {
      case 'REQUEST':
        if (!this.isPrimary || !this.clientSet.has(b.client) || !this.auth.check(env.bytes, env.auth, b.client)) return this.refuse();
        return this.onRequest(env as Envelope<RequestBody>);
      case 'PRE-PREPARE':
        if (this.isPrimary || b.sender !== this.primary || b.view !== VIEW || !this.auth.check(env.bytes, env.auth, b.sender)) return this.refuse();
        return this.onPrePrepare(b, m.requests);
      case 'PREPARE':
      case 'COMMIT':
        if (!this.replicaSet.has(b.sender) || b.sender === this.o.me || b.view !== VIEW || !this.auth.check(env.bytes, env.auth, b.sender)) return this.refuse();
        // The primary of the view sends no PREPARE.
        if (b.kind === 'PREPARE' && b.sender === this.primary) return this.refuse();
        return this.onVote(b);
      case 'REPLY':
        return this.refuse();
    }
  }

  private refuse(): void {
    this.net.refused++;
  }

  private slot(seq: number): Slot | undefined {
    if (seq <= this.lastExec || seq > this.lastExec + WINDOW) return undefined;
    let s = this.slots.get(seq);
    if (s === undefined) {
      s = { prepares: new Map(), commits: new Map(), sentCommit: false };
      this.slots.set(seq, s);
    }
    return s;
  }

  // --- primary ---------------------------------------------------------------

  private onRequest(env: Envelope<RequestBody>): void {
    const { client, id } = env.body;
    // A client's requests reach the primary in id order (one connection); an id seen before is a duplicate.
    if (id <= (this.lastQueued.get(client) ?? -1)) return;
    this.lastQueued.set(client, id);
    this.queue.push(env);
    if (this.queue.length >= this.o.batch) this.flush();
    else this.flushTimer ??= setTimeout(() => this.flush(), this.o.flushMs);
  }

  private flush(): void {
    if (this.flushTimer !== undefined) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    while (this.queue.length > 0) {
      const requests = this.queue.slice(0, this.o.batch);
      this.queue = this.queue.slice(requests.length);
      const seq = ++this.nextSeq;
      const digest = batchDigest(requests);
      this.net.digests++;
      const body: OrderBody = { kind: 'PRE-PREPARE', view: VIEW, seq, digest, sender: this.o.me };
      const bytes = encodeBody(body);
      this.net.multicast(this.others, encodeMessage({ bytes, auth: this.auth.authenticate(bytes, this.others) }, requests));
      const s = this.slot(seq);
      if (s === undefined) continue; // beyond the window: never with a correct primary
      s.pp = { digest, key: hex(digest), requests };
      this.progress(seq, s);
    }
  }

  // --- backups ---------------------------------------------------------------

  private onPrePrepare(b: OrderBody, requests: readonly Envelope<RequestBody>[]): void {
    const s = this.slot(b.seq);
    if (s === undefined || s.pp !== undefined) return;
    const digest = batchDigest(requests);
    this.net.digests++;
    if (hex(digest) !== hex(b.digest)) return this.refuse();
    for (const r of requests) {
      if (!this.clientSet.has(r.body.client) || !this.auth.check(r.bytes, r.auth, r.body.client)) return this.refuse();
    }
    s.pp = { digest, key: hex(digest), requests };
    this.vote(s.prepares, s.pp.key, this.o.me);
    this.multicastVote('PREPARE', b.seq, digest);
    this.progress(b.seq, s);
  }

  // --- everyone --------------------------------------------------------------

  private onVote(b: OrderBody): void {
    const s = this.slot(b.seq);
    if (s === undefined) return;
    this.vote(b.kind === 'PREPARE' ? s.prepares : s.commits, hex(b.digest), b.sender);
    this.progress(b.seq, s);
  }

  private vote(votes: Map<string, Set<string>>, key: string, sender: string): void {
    let v = votes.get(key);
    if (v === undefined) {
      v = new Set();
      votes.set(key, v);
    }
    v.add(sender);
  }

  private multicastVote(kind: 'PREPARE' | 'COMMIT', seq: number, digest: Uint8Array): void {
    const bytes = encodeBody({ kind, view: VIEW, seq, digest, sender: this.o.me });
    this.net.multicast(this.others, encodeMessage({ bytes, auth: this.auth.authenticate(bytes, this.others) }));
  }

  private progress(seq: number, s: Slot): void {
    if (s.pp === undefined) return;
    if (!s.sentCommit && (s.prepares.get(s.pp.key)?.size ?? 0) >= 2 * this.f) {
      s.sentCommit = true;
      this.vote(s.commits, s.pp.key, this.o.me);
      this.multicastVote('COMMIT', seq, s.pp.digest);
    }
    this.execute();
  }

  private committed(s: Slot | undefined): s is Slot & { pp: NonNullable<Slot['pp']> } {
    return s?.pp !== undefined && s.sentCommit && (s.commits.get(s.pp.key)?.size ?? 0) >= 2 * this.f + 1;
  }

  private execute(): void {
    for (;;) {
      const seq = this.lastExec + 1;
      const s = this.slots.get(seq);
      if (!this.committed(s)) return;
      for (const r of s.pp.requests) {
        const { client, id, op } = r.body;
        // PBFT's per-client timestamp: a request is executed once, however often it is ordered.
        if (id <= (this.lastExecId.get(client) ?? -1)) {
          this.duplicates++;
          continue;
        }
        this.lastExecId.set(client, id);
        this.counter += op;
        this.executed++;
        const reply: ReplyBody = { kind: 'REPLY', view: VIEW, client, id, seq, result: this.counter, sender: this.o.me };
        const bytes = encodeBody(reply);
        this.net.send(client, encodeMessage({ bytes, auth: this.auth.authenticate(bytes, [client]) }));
      }
      this.slots.delete(seq);
      this.lastExec = seq;
      this.onExecute?.();
    }
  }

  close(): void {
    if (this.flushTimer !== undefined) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
  }
}
