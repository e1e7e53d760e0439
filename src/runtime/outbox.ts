// Between a step's publications and the reliable link: every statement a
// node publishes goes to each of its verifiers (but the node itself), in
// publication order per verifier, as soon as nothing holds it back.
//
// What can hold a statement back is another party that must handle it before
// its final verifiers may get it. Today that is a trusted third party whose
// countersignature the mechanism toward that verifier needs (TTP(t)): the
// outbox asks t over the link, holds the statement (and, to keep the order,
// whatever the node published after it to the same verifier) and sends once
// the answer is there. A statement is never dropped for want of an answer:
// the request rides the reliable link, and is asked again with backoff if the
// answer does not come (a TTP process restarted between acking a request and
// answering it has forgotten it). The TTP is correct by assumption, so it
// answers eventually: a TTP that is down delays the statements that need it.
//
// This is also where the dissemination optimizers (issue 9) plug in: an
// optimizer decides per verifier whether a statement goes now, goes through
// a relay, or waits for an escalation timer — another reason for
// `waitsFor(verifier)` to hold an entry — while the fallback (this queue,
// drained to every verifier) keeps delivery fair.

import type { FrameCodec, OpenedStatement, Outgoing, VectorClock } from './codec.js';
import type { Host, TimerHandle } from './host.js';
import type { ReliableLink } from './link.js';

export interface OutboxOptions {
  /** A countersignature not answered this long after it was asked for is asked for again; the wait doubles up to `maxReaskMs`. */
  readonly reaskMs: number;
  readonly maxReaskMs: number;
}

export const DEFAULT_OUTBOX_OPTIONS: OutboxOptions = { reaskMs: 2000, maxReaskMs: 16_000 };

/** Statements per frame (well under MAX_FRAME_BYTES for the examples' records). */
export const STATEMENTS_PER_FRAME = 64;

interface Entry {
  readonly out: Outgoing;
  /** The vector clock of the step that published it. */
  readonly vc: VectorClock;
}

export interface OutboxStats {
  /** Countersign request frames sent (asked again included). */
  countersignRequests: number;
  /** Requests asked again because no answer came in time. */
  reasked: number;
  /** (statement, verifier) pairs that had to wait for a countersignature. */
  heldBack: number;
}

export class Outbox {
  readonly stats: OutboxStats = { countersignRequests: 0, reasked: 0, heldBack: 0 };
  /** Per verifier, in publication order: what is not sent yet. */
  private readonly queues = new Map<string, Entry[]>();
  private readonly timers = new Set<TimerHandle>();
  private closed = false;

  constructor(
    private readonly me: string,
    private readonly link: ReliableLink,
    private readonly codec: FrameCodec,
    private readonly host: Host,
    private readonly options: OutboxOptions = DEFAULT_OUTBOX_OPTIONS,
  ) {}

  /** (statement, verifier) pairs not sent yet because something holds them back. */
  get held(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.length;
    return n;
  }

  /**
   * Statements published by one step (or re-sent by a recovered node), for
   * every verifier but this node. Returns how many (statement, verifier)
   * pairs it took on.
   */
  publish(statements: readonly OpenedStatement[], vc: VectorClock): number {
    if (this.closed) return 0;
    // Per verifier, in order of first appearance: whether something ahead of the next entry waits.
    const blocked = new Map<string, boolean>();
    const asks = new Map<string, Outgoing[]>();
    let pairs = 0;
    for (const s of statements) {
      const out = this.codec.prepare(s);
      if (out === undefined) continue;
      for (const ttp of out.missing()) {
        let list = asks.get(ttp);
        if (list === undefined) asks.set(ttp, (list = []));
        list.push(out);
      }
      for (const v of s.verifiers) {
        if (v === this.me) continue;
        let q = this.queues.get(v);
        if (q === undefined) this.queues.set(v, (q = []));
        const behind = (blocked.get(v) ?? q.length > 0) || out.waitsFor(v) !== undefined;
        blocked.set(v, behind);
        if (behind) this.stats.heldBack++;
        q.push({ out, vc });
        pairs++;
      }
    }
    for (const [ttp, outs] of asks) this.ask(ttp, outs, 0);
    for (const v of blocked.keys()) this.flush(v);
    return pairs;
  }

  /** Countersignatures arrived for these statements: send what they held back. */
  countersigned(outs: readonly Outgoing[]): void {
    if (this.closed || outs.length === 0) return;
    for (const v of [...this.queues.keys()]) this.flush(v);
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) t.cancel();
    this.timers.clear();
  }

  /** Sends the longest prefix of `v`'s queue that nothing holds back. */
  private flush(v: string): void {
    const q = this.queues.get(v);
    if (q === undefined || q.length === 0) return;
    let n = 0;
    while (n < q.length && q[n]!.out.waitsFor(v) === undefined) n++;
    if (n === 0) return;
    const ready = q.splice(0, n);
    if (q.length === 0) this.queues.delete(v);
    for (let i = 0; i < ready.length; i += STATEMENTS_PER_FRAME) {
      const chunk = ready.slice(i, i + STATEMENTS_PER_FRAME);
      this.link.send(v, { kind: 'data', statements: chunk.map((e) => e.out), vc: chunk[chunk.length - 1]!.vc });
    }
  }

  /** Asks `ttp` to countersign `outs`; asks again for those still without an answer after a while. */
  private ask(ttp: string, outs: readonly Outgoing[], tries: number): void {
    for (let i = 0; i < outs.length; i += STATEMENTS_PER_FRAME) {
      this.stats.countersignRequests++;
      this.link.send(ttp, { kind: 'countersign-request', statements: outs.slice(i, i + STATEMENTS_PER_FRAME) });
    }
    const delay = Math.min(this.options.reaskMs * 2 ** tries, this.options.maxReaskMs);
    const timer = this.host.setTimer(delay, () => {
      this.timers.delete(timer);
      if (this.closed) return;
      const still = outs.filter((o) => o.missing().includes(ttp));
      if (still.length === 0) return;
      this.stats.reasked++;
      this.ask(ttp, still, tries + 1);
    });
    this.timers.add(timer);
  }
}
