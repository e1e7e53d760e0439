// Fair delivery over a transport that may lose, duplicate and reorder frames:
// every data frame (and every frame of the countersignature exchange) is
// retransmitted, with backoff, until the peer acks it.
// The model assumes every published statement eventually reaches every
// intended verifier; this is where the runtime keeps that promise. Duplicates
// are harmless above (a statement known twice has no second effect), so the
// receiver acks and delivers every copy without bookkeeping.

import type { FrameCodec, Message, Sequenced } from './codec.js';
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
}

export const DEFAULT_LINK_OPTIONS: LinkOptions = { retransmitMs: 200, maxRetransmitMs: 2000 };

/** `base` bounded per peer by a deployment's [Limits] (deploy/limits.ts). */
export function boundedLinkOptions(base: LinkOptions, l: LinkLimits = DEFAULT_LINK_LIMITS): LinkOptions {
  return { ...base, maxUnackedPerPeer: l.maxUnackedPerPeer, maxFetchAnswersPerPeer: l.maxFetchAnswersPerPeer };
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
}

interface Unacked {
  readonly bytes: Uint8Array;
  readonly sentAt: number;
  /** When this frame's last copy went out, or when the peer was last seen working (a deferred timer). */
  lastSent: number;
  /** The timer fired and the decision waits for pending input (adaptive only). */
  settling?: boolean;
  tries: number;
  timer: TimerHandle;
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
  readonly stats: LinkStats = { framesOut: 0, framesIn: 0, bytesOut: 0, bytesIn: 0, retransmissions: 0, acksOut: 0, acksIn: 0, dropped: {}, backlogged: 0, backlogPeak: 0, fetchesDeferred: 0 };
  private readonly nextSeq = new Map<string, number>();
  private readonly unacked = new Map<string, Map<number, Unacked>>();
  /** Per peer, messages numbered but not sent yet (its unacked frames are at the window), oldest first. */
  private readonly backlog = new Map<string, { readonly seq: number; readonly m: Message }[]>();
  private readonly rtt = new Map<string, Rtt>();
  private readonly lastAck = new Map<string, LastAck>();
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

  /** Frames not yet acknowledged, and frames waiting for room to be sent, over all peers. */
  get outstanding(): number {
    let n = 0;
    for (const m of this.unacked.values()) n += m.size;
    for (const b of this.backlog.values()) n += b.length;
    return n;
  }

  send(to: string, m: Message): void {
    if (this.closed || size(m) === 0) return;
    const seq = this.nextSeq.get(to) ?? this.options.firstSeq ?? 1;
    this.nextSeq.set(to, seq + 1);
    let peer = this.unacked.get(to);
    if (peer === undefined) {
      peer = new Map();
      this.unacked.set(to, peer);
    }
    const waiting = this.backlog.get(to);
    const window = this.options.maxUnackedPerPeer;
    if ((waiting !== undefined && waiting.length > 0) || (window !== undefined && peer.size >= window)) {
      // Sent in order when acks make room (the frame's sequence number is taken now: numbers stay in send order).
      const b = waiting ?? [];
      if (waiting === undefined) this.backlog.set(to, b);
      b.push({ seq, m });
      this.stats.backlogged++;
      this.stats.backlogPeak = Math.max(this.stats.backlogPeak, b.length);
      return;
    }
    this.sendNow(to, peer, seq, m);
  }

  /** Messages waiting for room toward `to`. */
  backlogOf(to: string): number {
    return this.backlog.get(to)?.length ?? 0;
  }

  private sendNow(to: string, peer: Map<number, Unacked>, seq: number, m: Message): void {
    const bytes = this.codec.frame(to, seq, m);
    const now = this.host.now();
    const entry: Unacked = { bytes, sentAt: now, lastSent: now, tries: 0, timer: this.schedule(to, seq, 0) };
    peer.set(seq, entry);
    this.transmit(to, bytes);
  }

  /**
   * Sends every unacked frame to `to` again now, timers unchanged: a
   * transport that knows a peer just became reachable again (a TCP
   * reconnection) saves it the wait for the next retransmission.
   */
  retransmitAll(to: string): void {
    const peer = this.unacked.get(to);
    if (peer === undefined || this.closed) return;
    for (const u of peer.values()) {
      this.stats.retransmissions++;
      u.lastSent = this.host.now();
      this.transmit(to, u.bytes);
    }
  }

  close(): void {
    this.closed = true;
    for (const peer of this.unacked.values()) for (const u of peer.values()) u.timer.cancel();
    this.unacked.clear();
    this.backlog.clear();
  }

  /** An ack made room toward `to`: what waited goes, up to the window. */
  private sendBacklog(to: string, peer: Map<number, Unacked>): void {
    const b = this.backlog.get(to);
    const window = this.options.maxUnackedPerPeer ?? Infinity;
    while (b !== undefined && b.length > 0 && peer.size < window && !this.closed) {
      const next = b.shift()!;
      this.sendNow(to, peer, next.seq, next.m);
    }
  }

  private schedule(to: string, seq: number, tries: number): TimerHandle {
    const delay = Math.min(this.timeoutFor(to) * 2 ** tries, this.options.maxRetransmitMs);
    return this.host.setTimer(delay, () => this.retransmit(to, seq));
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

  private retransmit(to: string, seq: number): void {
    const u = this.unacked.get(to)?.get(seq);
    if (u === undefined || this.closed) return;
    if (this.options.adaptive === true && !u.settling) {
      // A process that was busy runs its due timers before it reads its
      // sockets: let the acks that came meanwhile in first, then decide.
      u.settling = true;
      u.timer = this.host.setTimer(0, () => this.retransmit(to, seq));
      return;
    }
    u.settling = false;
    const last = this.options.adaptive === true ? this.lastAck.get(to) : undefined;
    if (last !== undefined && last.maxSeq < seq && last.at > u.lastSent) {
      // Busy, not deaf: wait again (the wait still counts from this frame's last copy).
      u.lastSent = last.at;
      u.timer = this.schedule(to, seq, u.tries);
      return;
    }
    u.tries++;
    u.lastSent = this.host.now();
    this.stats.retransmissions++;
    u.timer = this.schedule(to, seq, u.tries);
    this.transmit(to, u.bytes);
  }

  private transmit(to: string, bytes: Uint8Array): void {
    this.stats.framesOut++;
    this.stats.bytesOut += bytes.length;
    this.transport.send(to, bytes);
  }

  private receive(from: string, bytes: Uint8Array): void {
    if (this.closed) return;
    this.stats.framesIn++;
    this.stats.bytesIn += bytes.length;
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
        const ack = this.codec.ack(from, o.seq);
        this.stats.acksOut++;
        this.stats.bytesOut += ack.length;
        this.transport.send(from, ack);
        if (!after && deliver) this.onMessage(from, o);
        return;
      }
      case 'ack': {
        this.stats.acksIn++;
        const peer = this.unacked.get(from);
        const u = peer?.get(o.seq);
        if (u !== undefined) {
          u.timer.cancel();
          peer!.delete(o.seq);
          this.sample(from, u);
          this.sendBacklog(from, peer!);
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
