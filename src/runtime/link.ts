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
}

export const DEFAULT_LINK_OPTIONS: LinkOptions = { retransmitMs: 200, maxRetransmitMs: 2000 };

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
}

interface Unacked {
  readonly bytes: Uint8Array;
  tries: number;
  timer: TimerHandle;
}

export class ReliableLink {
  readonly stats: LinkStats = { framesOut: 0, framesIn: 0, bytesOut: 0, bytesIn: 0, retransmissions: 0, acksOut: 0, acksIn: 0, dropped: {} };
  private readonly nextSeq = new Map<string, number>();
  private readonly unacked = new Map<string, Map<number, Unacked>>();
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

  /** Frames not yet acknowledged, over all peers. */
  get outstanding(): number {
    let n = 0;
    for (const m of this.unacked.values()) n += m.size;
    return n;
  }

  send(to: string, m: Message): void {
    if (this.closed || size(m) === 0) return;
    const seq = this.nextSeq.get(to) ?? this.options.firstSeq ?? 1;
    this.nextSeq.set(to, seq + 1);
    const bytes = this.codec.frame(to, seq, m);
    let peer = this.unacked.get(to);
    if (peer === undefined) {
      peer = new Map();
      this.unacked.set(to, peer);
    }
    const entry: Unacked = { bytes, tries: 0, timer: this.schedule(to, seq, 0) };
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
      this.transmit(to, u.bytes);
    }
  }

  close(): void {
    this.closed = true;
    for (const peer of this.unacked.values()) for (const u of peer.values()) u.timer.cancel();
    this.unacked.clear();
  }

  private schedule(to: string, seq: number, tries: number): TimerHandle {
    const delay = Math.min(this.options.retransmitMs * 2 ** tries, this.options.maxRetransmitMs);
    return this.host.setTimer(delay, () => this.retransmit(to, seq));
  }

  private retransmit(to: string, seq: number): void {
    const u = this.unacked.get(to)?.get(seq);
    if (u === undefined || this.closed) return;
    u.tries++;
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
