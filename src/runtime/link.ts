// Fair delivery over a transport that may lose, duplicate and reorder frames:
// every data frame (and every frame of the countersignature exchange) is
// retransmitted, with backoff, until the peer acks it.
// The model assumes every published statement eventually reaches every
// intended verifier; this is where the runtime keeps that promise. Duplicates
// are harmless above (a statement known twice has no second effect), so the
// receiver acks and delivers every copy; over TCP it remembers the numbers
// of the frames it acked last and acks a copy of one again unopened.
// What the link holds for one peer is bounded (the window, the backlog);
// past that a node process re-derives its own statements for the peer from
// its log when the peer acks again (rederiveFrom, runtime/rederive.ts).

import type { FrameCodec, Message, OpenedStatement, Sequenced } from './codec.js';
import type { Host, TimerHandle } from './host.js';
import type { Transport } from '../transport/transport.js';
import { DEFAULT_LINK_LIMITS, type LinkLimits } from '../deploy/limits.js';

export interface LinkOptions {
  /** First retransmission after this many ms; doubles per try up to `maxRetransmitMs`. */
  readonly retransmitMs: number;
  readonly maxRetransmitMs: number;
  /**
   * The first sequence number toward each peer (default 1). A node process
   * that restarts from its log starts above anything its previous incarnation
   * used, so that a late ack for an old frame cannot cancel a new one.
   */
  readonly firstSeq?: number;
  /**
   * Ack a data frame only after its statements were handed up (and so
   * logged). A process that can crash between the two must not have acked
   * what it never recorded: its sender would not send it again. The simulated
   * network cannot crash a node mid-event and keeps the default order.
   */
  readonly ackAfterDelivery?: boolean;
  /**
   * Retransmit after the peer's measured round trip (RFC 6298: smoothed
   * RTT plus four deviations), never sooner
   * than `retransmitMs`; backoff doubles it per try up to `maxRetransmitMs`.
   * Without it the first retransmission comes after `retransmitMs`. Over
   * TCP a frame is lost only with its connection (and a reconnection sends
   * everything unacked at once), so a timer that fires while the peer is
   * merely busy adds a copy to decode and check to its backlog: under load,
   * a fixed timer turns queueing delay into congestion. So also: when the
   * timer fires and the peer has acked something in the meantime, but
   * nothing sent after this frame, the peer is working through its backlog
   * in order and the frame waits its turn: the timer is set again without
   * a copy sent.
   */
  readonly adaptive?: boolean;
  /**
   * Frames sent to one peer and not yet acknowledged, at most (deploy file
   * [Limits] MaxUnackedPerPeer). Past it a frame waits, unencoded, in the
   * peer's backlog and goes when an ack makes room: a slow peer slows this
   * node's sending to it instead of losing frames. Unbounded without it (the
   * simulated network).
   */
  readonly maxUnackedPerPeer?: number;
  /**
   * A peer whose backlog here is this long or longer gets no answer to its
   * fetch requests: they are left unacknowledged (it asks again later), so
   * a peer that asks faster than it takes the answers is slowed, not served
   * without bound ([Limits] MaxFetchAnswersPerPeer).
   */
  readonly maxFetchAnswersPerPeer?: number;
  /**
   * Messages waiting for room toward one peer, at most ([Limits]
   * MaxBacklogPerPeer). Past it, once the link has a source to re-derive
   * this node's statements from (rederiveFrom), it holds nothing more for
   * that peer: it notes from which log position it owes the peer and
   * re-derives those statements when the peer acks again. Without a source
   * the backlog is not bounded (the simulated network, a TTP).
   */
  readonly maxBacklogPerPeer?: number;
  /**
   * Per peer, the link numbers of this many frames last delivered and acked
   * are remembered: a copy of one (a retransmission that crossed its ack, a
   * reconnection's re-sending) is acked again from its number alone
   * (FrameCodec.peek), not decoded nor its authenticators checked again,
   * and counted as dropped `repeated` (issue 24 item 4). Over TCP the
   * session record's tag is checked before, so only the peer itself can
   * name a number. Off without it (the simulated network, whose duplicate
   * frames exercise the node's own duplicate handling).
   */
  readonly recentSeqs?: number;
}

/** A position in a node's log: event `pos`, its `idx`-th statement for the peer (pos 0: what the checkpoint the log starts from holds). */
export interface Cursor {
  readonly pos: number;
  readonly idx: number;
}

/** Where the link finds again this node's own statements it did not hold for a peer (runtime/rederive.ts reads the log and its checkpoint). */
export interface RederiveSource {
  /** `c` moved back, if need be, to cover a statement published at log position `at` (undefined `c`: none owed yet). */
  lower(c: Cursor | undefined, at: number): Cursor;
  /** Up to `max` of this node's statements whose verifiers include `peer`, from `c` on in log order; the cursor after them, and whether the log holds nothing after. */
  page(peer: string, c: Cursor, max: number): { readonly statements: readonly OpenedStatement[]; readonly next: Cursor; readonly end: boolean };
}

export const DEFAULT_LINK_OPTIONS: LinkOptions = { retransmitMs: 200, maxRetransmitMs: 2000 };

/** `base` bounded per peer by a deployment's [Limits] (deploy/limits.ts). */
export function boundedLinkOptions(base: LinkOptions, l: LinkLimits = DEFAULT_LINK_LIMITS): LinkOptions {
  return { ...base, maxUnackedPerPeer: l.maxUnackedPerPeer, maxBacklogPerPeer: l.maxBacklogPerPeer, maxFetchAnswersPerPeer: l.maxFetchAnswersPerPeer };
}

export interface LinkStats {
  framesOut: number;
  framesIn: number;
  bytesOut: number;
  bytesIn: number;
  retransmissions: number;
  acksOut: number;
  acksIn: number;
  /** Frames dropped whole, by reason. */
  readonly dropped: Record<string, number>;
  /** Frames that waited in a peer's backlog because its unacked frames were at maxUnackedPerPeer. */
  backlogged: number;
  /** The longest backlog toward one peer. */
  backlogPeak: number;
  /** Fetch requests left unacknowledged because the asking peer's backlog was at maxFetchAnswersPerPeer. */
  fetchesDeferred: number;
  /** The most frames held toward one peer at once: unacked plus waiting (bounded by MaxUnackedPerPeer + MaxBacklogPerPeer, and a page of re-derived ones). */
  heldPeak: number;
  /** Messages the link did not hold because the peer's backlog was at maxBacklogPerPeer, or it owed the peer already. */
  notHeld: number;
  /** This node's statements re-derived from its log for peers it had not held them for. */
  rederived: number;
}

/** Statements re-derived per frame of room toward a peer. */
const REDERIVE_PER_FRAME = 64;

interface Unacked {
  readonly seq: number;
  readonly bytes: Uint8Array;
  readonly sentAt: number;
  /** When this frame's last copy went out, or when the peer was last seen working (a deferred timer). */
  lastSent: number;
  /** The timer fired and the decision waits for pending input (adaptive only). */
  settling: boolean;
  tries: number;
  /** When its retransmission timer runs out (host time). */
  due: number;
}

/**
 * A peer's frames not yet acknowledged, and the one host timer that serves
 * them all: it is set for the earliest frame's `due` (or later: it only
 * moves earlier when a frame due sooner is added) and, when it runs, handles
 * every frame due by then and is set again for the next. One timer per peer
 * instead of one per frame sent (issue 24 item 4): a frame costs no timer
 * to arm and none to cancel when its ack comes.
 */
interface Peer {
  readonly frames: Map<number, Unacked>;
  timer: TimerHandle | undefined;
  /** When `timer` runs. */
  timerAt: number;
}

/** A peer's round-trip estimate (ms), and what it acked last. */
interface Rtt {
  srtt: number;
  rttvar: number;
}

interface LastAck {
  at: number;
  /** The highest sequence number acked. */
  maxSeq: number;
}

export class ReliableLink {
  readonly stats: LinkStats = { framesOut: 0, framesIn: 0, bytesOut: 0, bytesIn: 0, retransmissions: 0, acksOut: 0, acksIn: 0, dropped: {}, backlogged: 0, backlogPeak: 0, fetchesDeferred: 0, heldPeak: 0, notHeld: 0, rederived: 0 };
  private readonly nextSeq = new Map<string, number>();
  private readonly unacked = new Map<string, Peer>();
  /** Per peer, messages numbered but not sent yet (its unacked frames are at the window), oldest first. */
  private readonly backlog = new Map<string, { readonly seq: number; readonly m: Message }[]>();
  private readonly rtt = new Map<string, Rtt>();
  private readonly lastAck = new Map<string, LastAck>();
  /** Peers this link did not hold messages for, and from where in the log it owes them this node's statements. */
  private readonly owed = new Map<string, Cursor>();
  private source: { readonly from: RederiveSource; readonly resend: (peer: string, statements: readonly OpenedStatement[]) => void } | undefined;
  private paging = false;
  /** Per peer, the numbers of the frames last delivered and acked (recentSeqs of them): a set, and a ring saying which goes next. */
  private readonly recent = new Map<string, { readonly set: Set<number>; readonly ring: number[]; next: number }>();
  private closed = false;

  constructor(
    private readonly transport: Transport,
    private readonly codec: FrameCodec,
    private readonly host: Host,
    /** Every numbered frame that opened (data with statements left after authentication, countersign requests and replies). */
    private readonly onMessage: (from: string, m: Sequenced) => void,
    private readonly options: LinkOptions = DEFAULT_LINK_OPTIONS,
  ) {
    transport.onFrame((from, bytes) => this.receive(from, bytes));
  }

  /** Frames not yet acknowledged, frames waiting for room to be sent, and peers owed statements from the log, over all peers. */
  get outstanding(): number {
    let n = this.owed.size;
    for (const m of this.unacked.values()) n += m.frames.size;
    for (const b of this.backlog.values()) n += b.length;
    return n;
  }

  /**
   * Bounds the backlog toward each peer (maxBacklogPerPeer): past it, this
   * node's statements are found again in `from` (its log) and handed to
   * `resend` (the outbox, toward that peer only) as the peer acks. What
   * else the link does not hold is the others' to send again: a relayed
   * statement's issuer sends it directly in the end (disseminate/route.ts),
   * a fetch or countersign request is asked again, a fetch answer asked for
   * again.
   */
  rederiveFrom(from: RederiveSource, resend: (peer: string, statements: readonly OpenedStatement[]) => void): void {
    this.source = { from, resend };
  }

  /** Peers owed statements from the log. */
  get owedPeers(): number {
    return this.owed.size;
  }

  send(to: string, m: Message): void {
    if (this.closed || size(m) === 0) return;
    const src = this.source;
    const cap = this.options.maxBacklogPerPeer;
    if (src !== undefined && cap !== undefined && !(m.kind === 'data' && m.rederived === true)) {
      if ((m.kind === 'data' && this.owed.has(to)) || (this.backlog.get(to)?.length ?? 0) >= cap) {
        this.stats.notHeld++;
        if (m.kind === 'data' && m.ownFrom !== undefined) this.owed.set(to, src.from.lower(this.owed.get(to), m.ownFrom));
        return;
      }
    }
    const seq = this.nextSeq.get(to) ?? this.options.firstSeq ?? 1;
    this.nextSeq.set(to, seq + 1);
    let peer = this.unacked.get(to);
    if (peer === undefined) {
      peer = { frames: new Map(), timer: undefined, timerAt: Infinity };
      this.unacked.set(to, peer);
    }
    const waiting = this.backlog.get(to);
    const window = this.options.maxUnackedPerPeer;
    if ((waiting !== undefined && waiting.length > 0) || (window !== undefined && peer.frames.size >= window)) {
      // Sent in order when acks make room (the frame's sequence number is taken now: numbers stay in send order).
      const b = waiting ?? [];
      if (waiting === undefined) this.backlog.set(to, b);
      b.push({ seq, m });
      this.stats.backlogged++;
      this.stats.backlogPeak = Math.max(this.stats.backlogPeak, b.length);
      this.stats.heldPeak = Math.max(this.stats.heldPeak, b.length + peer.frames.size);
      return;
    }
    this.sendNow(to, peer, seq, m);
  }

  /** Messages waiting for room toward `to`. */
  backlogOf(to: string): number {
    return this.backlog.get(to)?.length ?? 0;
  }

  private sendNow(to: string, peer: Peer, seq: number, m: Message): void {
    const bytes = this.codec.frame(to, seq, m);
    const now = this.host.now();
    const entry: Unacked = { seq, bytes, sentAt: now, lastSent: now, settling: false, tries: 0, due: now + this.delay(to, 0) };
    peer.frames.set(seq, entry);
    this.arm(to, peer, entry.due);
    this.stats.heldPeak = Math.max(this.stats.heldPeak, peer.frames.size + (this.backlog.get(to)?.length ?? 0));
    this.transmit(to, bytes);
  }

  /**
   * The next page of what this link owes `to` from the log, once nothing
   * waits for it and its window has room: as much as that room carries.
   * The last page (the log holds nothing after it) clears the debt.
   */
  private pump(to: string): void {
    const src = this.source;
    const c = this.owed.get(to);
    if (src === undefined || c === undefined || this.paging || this.closed) return;
    if ((this.backlog.get(to)?.length ?? 0) > 0) return;
    const room = Math.min(16, (this.options.maxUnackedPerPeer ?? 16) - (this.unacked.get(to)?.frames.size ?? 0));
    if (room <= 0) return;
    this.paging = true;
    try {
      const p = src.from.page(to, c, room * REDERIVE_PER_FRAME);
      if (p.end) this.owed.delete(to);
      else this.owed.set(to, p.next);
      this.stats.rederived += p.statements.length;
      if (p.statements.length > 0) src.resend(to, p.statements);
    } finally {
      this.paging = false;
    }
  }

  /**
   * Sends every unacked frame to `to` again now, timers unchanged: a
   * transport that knows a peer just became reachable again (a TCP
   * reconnection) saves it the wait for the next retransmission.
   */
  retransmitAll(to: string): void {
    const peer = this.unacked.get(to);
    if (peer === undefined || this.closed) return;
    for (const u of peer.frames.values()) {
      this.stats.retransmissions++;
      u.lastSent = this.host.now();
      this.transmit(to, u.bytes);
    }
    this.pump(to);
  }

  close(): void {
    this.closed = true;
    for (const peer of this.unacked.values()) peer.timer?.cancel();
    this.unacked.clear();
    this.backlog.clear();
    this.owed.clear();
  }

  /** An ack made room toward `to`: what waited goes, up to the window. */
  private sendBacklog(to: string, peer: Peer): void {
    const b = this.backlog.get(to);
    const window = this.options.maxUnackedPerPeer ?? Infinity;
    while (b !== undefined && b.length > 0 && peer.frames.size < window && !this.closed) {
      const next = b.shift()!;
      this.sendNow(to, peer, next.seq, next.m);
    }
  }

  /** The wait before a frame's next retransmission after `tries` of them. */
  private delay(to: string, tries: number): number {
    return Math.min(this.timeoutFor(to) * 2 ** tries, this.options.maxRetransmitMs);
  }

  /** The peer's timer runs by `at` (set, or moved earlier). */
  private arm(to: string, peer: Peer, at: number): void {
    if (peer.timer !== undefined && peer.timerAt <= at) return;
    peer.timer?.cancel();
    peer.timerAt = at;
    peer.timer = this.host.setTimer(Math.max(0, at - this.host.now()), () => this.expire(to, peer));
  }

  /**
   * The peer's timer ran: each frame due by now is handled in sequence
   * order, as its own timer would have handled it (retransmit), and the
   * timer is set for the earliest frame still waiting.
   */
  private expire(to: string, peer: Peer): void {
    peer.timer = undefined;
    peer.timerAt = Infinity;
    if (this.closed) return;
    const now = this.host.now();
    for (const u of [...peer.frames.values()]) {
      if (u.due <= now && peer.frames.get(u.seq) === u) this.retransmit(to, u);
    }
    let next = Infinity;
    for (const u of peer.frames.values()) if (u.due < next) next = u.due;
    if (next < Infinity && !this.closed) this.arm(to, peer, next);
  }

  /** The first retransmission's delay toward `to`. */
  private timeoutFor(to: string): number {
    const r = this.options.adaptive === true ? this.rtt.get(to) : undefined;
    return r === undefined ? this.options.retransmitMs : Math.max(this.options.retransmitMs, r.srtt + 4 * r.rttvar);
  }

  /**
   * An ack's round trip, measured from the frame's first copy. For a frame
   * sent more than once that is an upper bound (Karn: the ack may answer a
   * later copy), which errs toward waiting longer; leaving such frames out
   * instead would leave a peer slower than the floor with no sample ever.
   */
  private sample(from: string, u: Unacked): void {
    if (this.options.adaptive !== true) return;
    const m = Math.max(0, this.host.now() - u.sentAt);
    const r = this.rtt.get(from);
    if (r === undefined) this.rtt.set(from, { srtt: m, rttvar: m / 2 });
    else {
      r.rttvar = 0.75 * r.rttvar + 0.25 * Math.abs(r.srtt - m);
      r.srtt = 0.875 * r.srtt + 0.125 * m;
    }
  }

  /** A frame's retransmission timer ran out: what its own timer did (the peer's timer calls it). */
  private retransmit(to: string, u: Unacked): void {
    const now = this.host.now();
    if (this.options.adaptive === true && !u.settling) {
      // A process that was busy runs its due timers before it reads its
      // sockets: let the acks that came meanwhile in first, then decide.
      u.settling = true;
      u.due = now;
      return;
    }
    u.settling = false;
    const last = this.options.adaptive === true ? this.lastAck.get(to) : undefined;
    if (last !== undefined && last.maxSeq < u.seq && last.at > u.lastSent) {
      // Busy, not deaf: wait again (the wait still counts from this frame's last copy).
      u.lastSent = last.at;
      u.due = now + this.delay(to, u.tries);
      return;
    }
    u.tries++;
    u.lastSent = now;
    this.stats.retransmissions++;
    u.due = now + this.delay(to, u.tries);
    this.transmit(to, u.bytes);
  }

  private transmit(to: string, bytes: Uint8Array): void {
    this.stats.framesOut++;
    this.stats.bytesOut += bytes.length;
    this.transport.send(to, bytes);
  }

  private ackTo(to: string, seq: number): void {
    const ack = this.codec.ack(to, seq);
    this.stats.acksOut++;
    this.stats.bytesOut += ack.length;
    this.transport.send(to, ack);
  }

  /** `seq` from `from` was delivered and acked: a later copy is acked again without being opened (recentSeqs). */
  private remember(from: string, seq: number): void {
    const n = this.options.recentSeqs;
    if (n === undefined || n <= 0) return;
    let r = this.recent.get(from);
    if (r === undefined) this.recent.set(from, (r = { set: new Set(), ring: [], next: 0 }));
    if (r.set.has(seq)) return;
    if (r.ring.length < n) r.ring.push(seq);
    else {
      r.set.delete(r.ring[r.next]!);
      r.ring[r.next] = seq;
      r.next = (r.next + 1) % n;
    }
    r.set.add(seq);
  }

  private receive(from: string, bytes: Uint8Array): void {
    if (this.closed) return;
    this.stats.framesIn++;
    this.stats.bytesIn += bytes.length;
    if (this.options.recentSeqs !== undefined && this.recent.has(from)) {
      const p = this.codec.peek?.(bytes);
      if (p !== undefined && p.kind !== 'ack' && this.recent.get(from)!.set.has(p.seq)) {
        // Delivered and acked before: the ack was lost or crossed this copy.
        this.stats.dropped['repeated'] = (this.stats.dropped['repeated'] ?? 0) + 1;
        this.ackTo(from, p.seq);
        return;
      }
    }
    const o = this.codec.open(from, bytes);
    switch (o.kind) {
      case 'data':
      case 'countersign-request':
      case 'countersign-reply':
      case 'fetch': {
        if (o.kind === 'fetch' && this.backlogOf(from) >= (this.options.maxFetchAnswersPerPeer ?? Infinity)) {
          // Neither answered nor acked: the peer asks again once it has taken what waits for it.
          this.stats.fetchesDeferred++;
          return;
        }
        const after = this.options.ackAfterDelivery === true;
        // A data frame whose items were all held (DIGEST) still goes up: its records are to be fetched.
        const deliver = o.kind !== 'data' || o.statements.length > 0 || (o.resolved?.length ?? 0) > 0 || (o.fetch?.length ?? 0) > 0;
        if (after && deliver) this.onMessage(from, o);
        // Held items are in memory only: a process that acks only what it logged leaves their frame unacked.
        if (after && o.kind === 'data' && (o.held ?? 0) > 0) return;
        this.ackTo(from, o.seq);
        this.remember(from, o.seq);
        if (!after && deliver) this.onMessage(from, o);
        return;
      }
      case 'ack': {
        this.stats.acksIn++;
        const peer = this.unacked.get(from);
        const u = peer?.frames.get(o.seq);
        if (u !== undefined) {
          // The peer's timer stays: when it runs it finds nothing due and is set for what is left.
          peer!.frames.delete(o.seq);
          this.sample(from, u);
          this.sendBacklog(from, peer!);
          this.pump(from);
        }
        if (this.options.adaptive === true) {
          const last = this.lastAck.get(from);
          if (last === undefined) this.lastAck.set(from, { at: this.host.now(), maxSeq: o.seq });
          else {
            last.at = this.host.now();
            last.maxSeq = Math.max(last.maxSeq, o.seq);
          }
        }
        return;
      }
      case 'hello':
        return;
      case 'drop':
        this.stats.dropped[o.reason] = (this.stats.dropped[o.reason] ?? 0) + 1;
        return;
    }
  }
}

/** What a message carries; an empty one is not sent. */
function size(m: Message): number {
  switch (m.kind) {
    case 'data':
    case 'countersign-request':
      return m.statements.length;
    case 'countersign-reply':
      return m.answers.length;
    case 'fetch':
      return m.digests.length;
    case 'fetched':
      return m.records.length + m.unknown.length;
  }
}
