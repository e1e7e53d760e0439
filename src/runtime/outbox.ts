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
// The dissemination optimizers act here too. Each statement of this node
// follows its Route (disseminate/route.ts, from the deploy file's plan): some
// verifiers get it now, possibly asked to relay it to the others; an
// escalation timer moves it to the next optimizer, and in the end the
// fallback sends it directly to every verifier that has not had it — lazily
// once its progress has come. A BATCH plan lets a verifier's queue wait for
// company (a count, or a window) before the frame goes. Statements other
// nodes ask this one to relay are queued as they arrived.

import type { DisseminationPlan } from '../deploy/deployment.js';
import { DEFAULT_ROUTE_OPTIONS, Route, type Action, type Batching, type RouteOptions } from '../disseminate/route.js';
import type { FrameCodec, OpenedStatement, Outgoing, RelayRequest, VectorClock } from './codec.js';
import type { Host, TimerHandle } from './host.js';
import type { ReliableLink } from './link.js';
import { ProgressClock } from './progress-clock.js';

export interface OutboxOptions {
  /** A countersignature not answered this long after it was asked for is asked for again; the wait doubles up to `maxReaskMs`. */
  readonly reaskMs: number;
  readonly maxReaskMs: number;
  /** When the verifiers an optimizer skipped get a statement whose progress came (disseminate/route.ts). */
  readonly route?: RouteOptions;
}

export const DEFAULT_OUTBOX_OPTIONS: OutboxOptions = { reaskMs: 2000, maxReaskMs: 16_000 };

/** Statements per frame (well under MAX_FRAME_BYTES for the examples' records). */
export const STATEMENTS_PER_FRAME = 64;

/** The deployment's [Dissemination] plan for an issuer's statements of a record type (none: unicast to every verifier). */
export type PlanFor = (issuer: string, recordType: string) => DisseminationPlan | undefined;

interface Entry {
  readonly out: Outgoing;
  /** The vector clock of the step that published it. */
  readonly vc: VectorClock;
  /** Verifiers the peer is asked to pass it on to. */
  readonly relay?: readonly string[];
  /** The BATCH optimizer of its plan: the frame may wait for company. */
  readonly batching?: Batching;
  /** Its plan has DIGEST. */
  readonly digest?: true;
  /** This node's own statement: the log position of the step that published it (0: re-sent after a recovery, from the oldest the log holds). */
  readonly at?: number;
  /** Re-derived from the log for one peer the link owes (ReliableLink.rederiveFrom). */
  readonly rederived?: true;
}

/** A statement on its route: what its escalation timer needs. */
interface Dispatch {
  readonly out: Outgoing;
  readonly vc: VectorClock;
  readonly at: number;
  readonly route: Route;
  progressed(): boolean;
}

export interface OutboxStats {
  /** Countersign request frames sent (asked again included). */
  countersignRequests: number;
  /** Requests asked again because no answer came in time. */
  reasked: number;
  /** (statement, verifier) pairs that had to wait for a countersignature. */
  heldBack: number;
  /** (statement, verifier) pairs sent with a request to pass it on, and the verifiers named. */
  relayRequests: number;
  /** Other issuers' statements this node passed on, per verifier. */
  relayed: number;
  /** Optimizer steps that ran out of time without progress and went on to the next (or the fallback). */
  escalations: number;
  /** (statement, verifier) pairs sent lazily after progress (the fallback's promise kept). */
  lazy: number;
  /** Frames sent by a BATCH window running out (rather than by the batch filling). */
  batchWindows: number;
}

export class Outbox {
  readonly stats: OutboxStats = { countersignRequests: 0, reasked: 0, heldBack: 0, relayRequests: 0, relayed: 0, escalations: 0, lazy: 0, batchWindows: 0 };
  /** Per verifier, in publication order: what is not sent yet. */
  private readonly queues = new Map<string, Entry[]>();
  /** Statements whose route still owes some verifier a direct copy. */
  private readonly routing = new Set<Dispatch>();
  /** A BATCH window open toward a verifier. */
  private readonly windows = new Map<string, TimerHandle>();
  private readonly timers = new Set<TimerHandle>();
  /** How long progress takes here: escalation timers wait at least the deploy file's duration, longer when progress is slower. */
  readonly progressClock = new ProgressClock();
  private closed = false;

  constructor(
    private readonly me: string,
    private readonly link: ReliableLink,
    private readonly codec: FrameCodec,
    private readonly host: Host,
    private readonly options: OutboxOptions = DEFAULT_OUTBOX_OPTIONS,
    private readonly planFor?: PlanFor,
  ) {}

  /** (statement, verifier) pairs not sent yet: held back, waiting in a batch, or owed by a route. */
  get held(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.length;
    for (const d of this.routing) n += d.route.waiting.length;
    return n;
  }

  /**
   * Statements published by one step (or re-sent by a recovered node), for
   * every verifier but this node. `progress[i]` says whether the progress of
   * statement i has come (its PROGRESS pattern, or the node's next step): it
   * stops an optimizer's escalation. `at` is the log position of the step
   * that published them (0 for statements re-sent after a recovery: the
   * link re-derives them from the oldest the log holds if it cannot hold
   * them). Returns how many (statement, verifier) pairs it took on.
   */
  publish(statements: readonly OpenedStatement[], vc: VectorClock, progress: readonly (() => boolean)[] = [], at = 0): number {
    if (this.closed) return 0;
    const touched = new Set<string>();
    const asks = new Map<string, Outgoing[]>();
    let pairs = 0;
    statements.forEach((s, i) => {
      const out = this.codec.prepare(s);
      if (out === undefined) return;
      for (const ttp of out.missing()) {
        let list = asks.get(ttp);
        if (list === undefined) asks.set(ttp, (list = []));
        list.push(out);
      }
      const plan = s.issuer === this.me ? this.planFor?.(s.issuer, s.record.type) : undefined;
      const route = new Route(this.me, s.verifiers, plan, this.options.route ?? DEFAULT_ROUTE_OPTIONS);
      pairs += s.verifiers.filter((v) => v !== this.me).length;
      const d: Dispatch = { out, vc, at, route, progressed: progress[i] ?? ((): boolean => false) };
      this.follow(d, route.start(), touched);
    });
    for (const [ttp, outs] of asks) this.ask(ttp, outs, 0);
    for (const v of touched) this.flush(v, false);
    return pairs;
  }

  /**
   * This node's statements re-derived from its log for `peer` alone (the
   * link did not hold them while the peer was down): sent directly, after
   * a countersignature where the mechanism needs one, never relayed,
   * batched or digested.
   */
  resendTo(peer: string, statements: readonly OpenedStatement[], vc: VectorClock): void {
    if (this.closed || statements.length === 0) return;
    const asks = new Map<string, Outgoing[]>();
    for (const s of statements) {
      const out = this.codec.prepare(s);
      if (out === undefined) continue;
      const ttp = out.waitsFor(peer);
      if (ttp !== undefined) {
        let list = asks.get(ttp);
        if (list === undefined) asks.set(ttp, (list = []));
        list.push(out);
      }
      this.enqueue(peer, { out, vc, rederived: true });
    }
    for (const [ttp, outs] of asks) this.ask(ttp, outs, 0);
    this.flush(peer, false);
  }

  /** Statements another node asked this one to pass on: to each named verifier, as they arrived. */
  forward(requests: readonly RelayRequest[], vc: VectorClock): void {
    if (this.closed) return;
    const touched = new Set<string>();
    for (const r of requests) {
      for (const v of r.to) {
        this.enqueue(v, { out: r.out, vc });
        this.stats.relayed++;
        touched.add(v);
      }
    }
    for (const v of touched) this.flush(v, false);
  }

  /** Countersignatures arrived for these statements: send what they held back. */
  countersigned(outs: readonly Outgoing[]): void {
    if (this.closed || outs.length === 0) return;
    for (const v of [...this.queues.keys()]) this.flush(v, false);
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) t.cancel();
    this.timers.clear();
    for (const t of this.windows.values()) t.cancel();
    this.windows.clear();
  }

  /** Queues an action's sends and keeps its route's timer. */
  private follow(d: Dispatch, a: Action, touched: Set<string>): void {
    for (const send of a.sends) {
      const e: Entry = {
        out: d.out, vc: d.vc, at: d.at, ...(send.relay === undefined ? {} : { relay: send.relay }), ...(d.route.batching === undefined ? {} : { batching: d.route.batching }),
        ...(d.route.digest ? { digest: true as const } : {}),
      };
      if (send.relay !== undefined) this.stats.relayRequests++;
      this.enqueue(send.to, e);
      touched.add(send.to);
    }
    if (a.next === undefined) {
      this.routing.delete(d);
      return;
    }
    this.routing.add(d);
    const next = a.next;
    const wait = next.kind === 'escalate' ? this.progressClock.waitFor(next.afterMs) : next.afterMs;
    const timer = this.host.setTimer(wait, () => {
      this.timers.delete(timer);
      if (this.closed) return;
      let after: Action;
      if (next.kind === 'lazy') {
        after = d.route.lazy();
        this.stats.lazy += after.sends.length;
      } else {
        const progressed = d.progressed();
        if (!progressed) this.stats.escalations++;
        after = d.route.escalate(progressed);
      }
      const t = new Set<string>();
      this.follow(d, after, t);
      for (const v of t) this.flush(v, false);
    });
    this.timers.add(timer);
  }

  private enqueue(v: string, e: Entry): void {
    let q = this.queues.get(v);
    if (q === undefined) this.queues.set(v, (q = []));
    if (q.length > 0 || e.out.waitsFor(v) !== undefined) this.stats.heldBack++;
    q.push(e);
  }

  /**
   * Sends the longest prefix of `v`'s queue that nothing holds back. A prefix
   * made only of statements whose plan batches waits until it is as long as
   * their batch, or until the batch window (opened by the first) runs out.
   */
  private flush(v: string, windowDone: boolean): void {
    const q = this.queues.get(v);
    if (q === undefined || q.length === 0) return;
    let n = 0;
    while (n < q.length && q[n]!.out.waitsFor(v) === undefined) n++;
    if (n === 0) return;
    if (!windowDone) {
      // The smallest count and window of the ready prefix, when every entry of it batches (one pass, no arrays: this runs at every publication).
      let count = Infinity;
      let windowMs = Infinity;
      let allBatch = true;
      for (let i = 0; i < n; i++) {
        const b = q[i]!.batching;
        if (b === undefined) {
          allBatch = false;
          break;
        }
        count = Math.min(count, b.count);
        windowMs = Math.min(windowMs, b.windowMs);
      }
      if (allBatch) {
        if (n < count) {
          if (!this.windows.has(v)) {
            this.windows.set(v, this.host.setTimer(windowMs, () => {
              this.windows.delete(v);
              if (this.closed) return;
              this.stats.batchWindows++;
              this.flush(v, true);
            }));
          }
          return;
        }
      }
    }
    this.windows.get(v)?.cancel();
    this.windows.delete(v);
    const ready = q.splice(0, n);
    if (q.length === 0) this.queues.delete(v);
    for (let i = 0; i < ready.length; i += STATEMENTS_PER_FRAME) {
      const chunk = ready.slice(i, i + STATEMENTS_PER_FRAME);
      const relays = chunk.some((e) => e.relay !== undefined) ? chunk.map((e) => e.relay) : undefined;
      const batched = chunk.some((e) => e.batching !== undefined) ? chunk.map((e) => e.batching !== undefined) : undefined;
      const digested = chunk.some((e) => e.digest === true) ? chunk.map((e) => e.digest === true) : undefined;
      let ownFrom: number | undefined;
      let rederived = false;
      for (const e of chunk) {
        if (e.at !== undefined && (ownFrom === undefined || e.at < ownFrom)) ownFrom = e.at;
        if (e.rederived === true) rederived = true;
      }
      this.link.send(v, {
        kind: 'data', statements: chunk.map((e) => e.out), vc: chunk[chunk.length - 1]!.vc,
        ...(relays === undefined ? {} : { relays }), ...(batched === undefined ? {} : { batched }), ...(digested === undefined ? {} : { digested }),
        ...(ownFrom === undefined ? {} : { ownFrom }), ...(rederived ? { rederived: true as const } : {}),
      });
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
