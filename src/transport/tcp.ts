// A Transport over TCP, one endpoint per node process. Each node listens on
// its [Nodes] address; to send to a peer it opens its own connection to the
// peer's address (lazily, on the first frame). So every ordered pair of nodes
// has one connection, used in one direction (acks travel on the acker's own
// connection).
//
// Every connection is a session (session.ts): the responder sends a
// challenge, the initiator authenticates with the key the pair shares, the
// responder confirms, and from then on every frame travels in a record with
// the session's sequence number and MAC. A frame is attributed to the peer the
// handshake proved, never to a name it claims; a node of another run (same
// keys, another run identity) is refused and counted as `foreign-run`.
//
// What this layer does not do is make delivery reliable: a frame written
// while the peer is down or the connection is being re-made is lost, and the
// runtime's ReliableLink retransmits it until acked. That keeps a restarted
// peer simple: it is reached again by the next retransmission after the
// reconnection backoff, with nothing to reconcile here.
//
// Nothing a peer sends can crash the process: a stream that announces an
// oversized or empty frame, fails its handshake or a record, or does not
// finish its handshake in time is closed and counted. Connections still in
// their handshake are few (maxHandshaking) and short-lived; past the bound the
// oldest is closed, so a flood of unauthenticated connections delays a peer's
// handshake at most by one round, and an authenticated peer has one
// connection (a newer session of the same peer replaces the older: the peer
// reconnected).

import { connect, createServer, type Server, type Socket } from 'node:net';
import type { Endpoint } from '../deploy/deployment.js';
import { DEFAULT_LINK_LIMITS, type LinkLimits } from '../deploy/limits.js';
import { MAX_FRAME_BYTES } from '../wire/index.js';
import { FrameReader, LENGTH_BYTES, lengthPrefixed } from './framing.js';
import { MAX_HANDSHAKE_BYTES, RECORD_OVERHEAD_BYTES, SessionEndpoint, type InitiatorHandshake, type RecordReader, type RecordWriter, type SessionRefusal } from './session.js';
import type { Transport } from './transport.js';

export interface TcpOptions {
  readonly me: string;
  /** Where this node listens. */
  readonly listen: Endpoint;
  /** Every node this one may send to or hear from, with its address. */
  readonly peers: ReadonlyMap<string, Endpoint>;
  /** The run identity (session.ts RUN_ID_BYTES): a peer of another run is refused. */
  readonly run: Uint8Array;
  /** The key this node shares with `peer` (its HMAC key): sessions are authenticated with keys derived from it. */
  readonly pairKey: (peer: string) => Uint8Array | undefined;
  /** Incoming connections still in their handshake, held at once (default 16); past it the oldest is closed and counted. */
  readonly maxHandshaking?: number;
  /** A connection whose handshake is not done within this long is closed (ms), incoming or outgoing. */
  readonly handshakeTimeoutMs?: number;
  /** After a connection fails, wait this long before the next attempt; doubles up to maxBackoffMs. */
  readonly backoffMs?: number;
  readonly maxBackoffMs?: number;
  /** Frames held for a peer while its connection is being made, at most this many bytes. */
  readonly maxQueuedBytes?: number;
  /** A peer that reads slower than this node writes: past this many unsent bytes, frames wait (up to maxQueuedBytes) until its socket drains. */
  readonly maxWriteBufferBytes?: number;
  /**
   * Told when a session with `peer` opens after frames to it were lost (its
   * connection broke, or it was not up yet): the link re-sends what is
   * unacked at once instead of waiting for its timers.
   */
  readonly onReconnect?: (peer: string) => void;
  /**
   * With it, records do not leave when written: those sealed in one turn of
   * the event loop are held, `beforeRelease` is called at the end of the
   * turn (setImmediate: after every read of the turn's poll), and they go
   * when it calls `done` (the node makes its log durable there: node-log.ts
   * LogFile.syncThen). Records sealed while one call is
   * under way wait for the next, so there is at most one in flight and it
   * covers every record it releases: group commit. Without it, records
   * leave at the end of their turn.
   */
  readonly beforeRelease?: (done: () => void) => void;
}

/** Why a connection was closed: its stream (oversized), its handshake or records (session.ts), time, or the bound on handshakes. */
export type TcpRefusal = 'oversized' | 'no-handshake' | 'too-many' | SessionRefusal;

const REFUSALS: readonly TcpRefusal[] = ['oversized', 'garbage', 'no-handshake', 'too-many', 'version', 'unknown-peer', 'bad-handshake', 'foreign-run', 'bad-record', 'replayed'];

export interface TcpStats {
  connectionsIn: number;
  connectionsOut: number;
  /** Sessions established: incoming (a peer authenticated itself) and outgoing (the peer confirmed). */
  sessionsIn: number;
  sessionsOut: number;
  /** Connection attempts that failed (peer down, refused, reset, handshake not completed). */
  connectFailures: number;
  framesIn: number;
  bytesIn: number;
  framesOut: number;
  bytesOut: number;
  /** Frames not written: the peer was down, backing off, unknown, or its queue was full. */
  framesLost: number;
  /** Times a peer's connection held more unread bytes than maxWriteBufferBytes, so that frames to it waited for it to drain. */
  backpressured: number;
  /** Connections closed for misbehaving, by reason (both directions: an outgoing one whose responder fails its part counts too). */
  readonly refused: Record<TcpRefusal, number>;
  /** The first refusal of each reason, in words (a foreign run names both run identities). */
  readonly firstRefusal: Partial<Record<TcpRefusal, string>>;
}

export type TcpListenError = {
  readonly kind: 'address-in-use' | 'listen-failed';
  readonly host: string;
  readonly port: number;
  readonly message: string;
};

export type TcpListenResult = { readonly ok: true; readonly transport: TcpTransport } | { readonly ok: false; readonly error: TcpListenError };

const DEFAULTS = { handshakeTimeoutMs: 3000, maxHandshaking: 16, backoffMs: 50, maxBackoffMs: 2000, maxQueuedBytes: 4 << 20, maxWriteBufferBytes: 16 << 20 };

/** The largest record on a stream: the largest frame in its session envelope. */
const MAX_RECORD_BYTES = MAX_FRAME_BYTES + RECORD_OVERHEAD_BYTES;

interface Outgoing {
  /** connecting: TCP connect and handshake under way; open: the peer confirmed the session. */
  state: 'idle' | 'connecting' | 'open' | 'waiting';
  /** Frames to this peer were lost since its last session opened (or ever, before the first): the next session says so (onReconnect). */
  lost: boolean;
  socket?: Socket;
  writer?: RecordWriter;
  /** Frames (not yet sealed: the session's keys come with its confirmation). */
  queue: Uint8Array[];
  queuedBytes: number;
  backoffMs: number;
  retryAt: number;
}

/** The transport's options from a deployment's [Limits] (deploy/limits.ts). */
export function tcpLimitOptions(l: LinkLimits = DEFAULT_LINK_LIMITS): Pick<TcpOptions, 'handshakeTimeoutMs' | 'maxHandshaking' | 'maxWriteBufferBytes' | 'maxQueuedBytes'> {
  return { handshakeTimeoutMs: l.handshakeTimeoutMs, maxHandshaking: l.maxHandshaking, maxWriteBufferBytes: l.maxBufferedBytesPerPeer, maxQueuedBytes: l.maxBufferedBytesPerPeer };
}

/** Starts listening; the transport is returned once the port is bound, or why it could not be. */
export function listenTcp(opts: TcpOptions): Promise<TcpListenResult> {
  const t = new TcpTransport(opts);
  return t.listen().then((error) => (error === undefined ? { ok: true, transport: t } : { ok: false, error }));
}

export class TcpTransport implements Transport {
  readonly stats: TcpStats = {
    connectionsIn: 0, connectionsOut: 0, sessionsIn: 0, sessionsOut: 0, connectFailures: 0, framesIn: 0, bytesIn: 0, framesOut: 0, bytesOut: 0, framesLost: 0, backpressured: 0,
    refused: Object.fromEntries(REFUSALS.map((r) => [r, 0])) as Record<TcpRefusal, number>,
    firstRefusal: {},
  };
  private readonly o: typeof DEFAULTS;
  private readonly server: Server;
  private readonly sessions: SessionEndpoint;
  /** Incoming connections in their handshake, oldest first. */
  private readonly handshaking = new Set<Socket>();
  /** The incoming session of each authenticated peer. */
  private readonly incoming = new Map<string, Socket>();
  private readonly outgoing = new Map<string, Outgoing>();
  private handler: ((from: string, bytes: Uint8Array) => void) | undefined;
  private closed = false;
  /** Records held for the next release (beforeRelease), per outgoing connection, in order. */
  private held = new Map<Outgoing, { readonly socket: Socket; readonly records: Uint8Array[] }>();
  private releaseScheduled = false;
  /** A beforeRelease call is under way. */
  private releasing = false;

  constructor(private readonly opts: TcpOptions) {
    this.o = {
      handshakeTimeoutMs: opts.handshakeTimeoutMs ?? DEFAULTS.handshakeTimeoutMs,
      maxHandshaking: opts.maxHandshaking ?? DEFAULTS.maxHandshaking,
      backoffMs: opts.backoffMs ?? DEFAULTS.backoffMs,
      maxBackoffMs: opts.maxBackoffMs ?? DEFAULTS.maxBackoffMs,
      maxQueuedBytes: opts.maxQueuedBytes ?? DEFAULTS.maxQueuedBytes,
      maxWriteBufferBytes: opts.maxWriteBufferBytes ?? DEFAULTS.maxWriteBufferBytes,
    };
    // Only the deployment's nodes are peers, whatever keys the ring holds.
    this.sessions = new SessionEndpoint({ me: opts.me, run: opts.run, pairKey: (p) => (opts.peers.has(p) ? opts.pairKey(p) : undefined) });
    this.server = createServer((s) => this.accept(s));
  }

  get me(): string {
    return this.opts.me;
  }

  /** The port actually bound (differs from the configured one only when that was 0). */
  get port(): number {
    const a = this.server.address();
    return typeof a === 'object' && a !== null ? a.port : this.opts.listen.port;
  }

  listen(): Promise<TcpListenError | undefined> {
    const { host, port } = this.opts.listen;
    return new Promise((resolve) => {
      const onError = (e: NodeJS.ErrnoException): void => {
        const inUse = e.code === 'EADDRINUSE';
        resolve({
          kind: inUse ? 'address-in-use' : 'listen-failed', host, port,
          message: inUse
            ? `${this.me} cannot listen on ${host}:${port}: the port is already in use (another run, or another program; change [Nodes] in the deploy file or stop it)`
            : `${this.me} cannot listen on ${host}:${port}: ${e.message}`,
        });
      };
      this.server.once('error', onError);
      this.server.listen({ host, port, exclusive: true }, () => {
        this.server.off('error', onError);
        // Errors after the bind (e.g. EMFILE on accept) cost a connection, not the node.
        this.server.on('error', () => undefined);
        resolve(undefined);
      });
    });
  }

  onFrame(handler: (from: string, bytes: Uint8Array) => void): void {
    this.handler = handler;
  }

  send(to: string, bytes: Uint8Array): void {
    if (this.closed || !this.opts.peers.has(to) || to === this.me) {
      this.stats.framesLost++;
      return;
    }
    let out = this.outgoing.get(to);
    if (out === undefined) {
      out = { state: 'idle', lost: false, queue: [], queuedBytes: 0, backoffMs: this.o.backoffMs, retryAt: 0 };
      this.outgoing.set(to, out);
    }
    if (out.state === 'waiting' && performance.now() >= out.retryAt) out.state = 'idle';
    switch (out.state) {
      case 'open':
        // A peer that reads slower than this node writes: frames wait here until its socket drains.
        if (out.queue.length > 0 || out.socket!.writableLength > this.o.maxWriteBufferBytes) {
          if (out.queue.length === 0) this.awaitDrain(to, out);
          this.enqueue(out, bytes);
          return;
        }
        this.writeRecord(out, bytes);
        return;
      case 'waiting':
        this.lose(out, 1);
        return;
      case 'idle':
        this.connect(to, out);
        this.enqueue(out, bytes);
        return;
      case 'connecting':
        this.enqueue(out, bytes);
        return;
    }
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    for (const out of this.outgoing.values()) out.socket?.destroy();
    for (const s of [...this.handshaking, ...this.incoming.values()]) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private refused(why: TcpRefusal, detail: string): void {
    this.stats.refused[why]++;
    this.stats.firstRefusal[why] ??= detail;
  }

  /**
   * `frame` sealed in the session's next record and written. Records written
   * in one turn of the event loop (a step's statements to a peer, acks of a
   * batch) leave in one system call per socket, after the node's log is
   * durable (beforeRelease): sockets are corked for the rest of the turn.
   * Nagle is off, so nothing waits longer.
   */
  private writeRecord(out: Outgoing, frame: Uint8Array): void {
    const s = out.socket!;
    // Three parts, the frame itself not copied: they leave in one system call (the socket is corked).
    const r = out.writer!.sealParts(frame, LENGTH_BYTES);
    r.head.writeUInt32BE(r.length - LENGTH_BYTES, 0);
    this.stats.framesOut++;
    this.stats.bytesOut += r.length;
    if (this.opts.beforeRelease === undefined) {
      if (s.writableCorked === 0) {
        s.cork();
        process.nextTick(() => s.uncork());
      }
      s.write(r.head);
      s.write(r.frame);
      s.write(r.tag);
      return;
    }
    let h = this.held.get(out);
    if (h === undefined || h.socket !== s) {
      if (h !== undefined) this.lose(out, h.records.length / 3);
      h = { socket: s, records: [] };
      this.held.set(out, h);
    }
    h.records.push(r.head, r.frame, r.tag);
    this.scheduleRelease();
  }

  private scheduleRelease(): void {
    if (this.releaseScheduled || this.releasing) return;
    this.releaseScheduled = true;
    // At the end of the event loop's turn, not of the callback: every frame
    // read in one poll (several peers' sockets, several records each) and
    // every timer of the turn adds its records, acks included, to one
    // release: one log sync and one write per socket for all of them
    // (issue 24 item 4). setImmediate runs in the same iteration, after the
    // poll phase, so nothing waits for a later turn.
    setImmediate(() => this.release());
  }

  /** The end of a turn: what was held is released once beforeRelease says so (the log is durable), each connection's records in one system call. */
  private release(): void {
    this.releaseScheduled = false;
    if (this.held.size === 0 || this.closed) return;
    const batch = this.held;
    this.held = new Map();
    this.releasing = true;
    this.opts.beforeRelease!(() => {
      this.releasing = false;
      if (this.closed) return;
      for (const [out, h] of batch) {
        // A connection that broke meanwhile took its records with it: the link re-sends on the next session.
        if (out.socket !== h.socket || h.socket.destroyed) {
          this.lose(out, h.records.length / 3);
          continue;
        }
        h.socket.cork();
        for (const r of h.records) h.socket.write(r);
        h.socket.uncork();
      }
      if (this.held.size > 0) this.scheduleRelease();
    });
  }

  /**
   * The peer's socket holds more unread bytes than the bound: what is sent
   * meanwhile waits in its queue and goes when the socket drains. Frames
   * past the queue's bound were lost: the link re-sends what is unacked
   * then (as after a reconnection), so a slow peer is slowed, not starved.
   */
  private awaitDrain(to: string, out: Outgoing): void {
    this.stats.backpressured++;
    const s = out.socket!;
    s.once('drain', () => {
      if (out.socket !== s || out.state !== 'open') return;
      const queued = out.queue;
      out.queue = [];
      out.queuedBytes = 0;
      for (const f of queued) this.writeRecord(out, f);
      if (out.lost) {
        out.lost = false;
        this.opts.onReconnect?.(to);
      }
    });
  }

  private lose(out: Outgoing, frames: number): void {
    this.stats.framesLost += frames;
    if (frames > 0) out.lost = true;
  }

  private enqueue(out: Outgoing, frame: Uint8Array): void {
    if (out.queuedBytes + frame.length > this.o.maxQueuedBytes) {
      this.lose(out, 1);
      return;
    }
    out.queue.push(frame);
    out.queuedBytes += frame.length;
  }

  private connect(to: string, out: Outgoing): void {
    const peer = this.opts.peers.get(to)!;
    out.state = 'connecting';
    const s = connect({ host: peer.host, port: peer.port });
    out.socket = s;
    out.writer = undefined;
    s.setNoDelay(true);
    // A peer whose host does not answer, or that never finishes its part of the handshake, must not hold frames forever.
    s.setTimeout(this.o.handshakeTimeoutMs, () => s.destroy());
    s.on('connect', () => {
      if (this.closed) return void s.destroy();
      this.stats.connectionsOut++;
    });
    const handshake: InitiatorHandshake = this.sessions.initiate(to);
    const reader = new FrameReader({ maxFrameBytes: MAX_HANDSHAKE_BYTES });
    let phase: 'challenge' | 'confirm' | 'open' = 'challenge';
    const refuse = (why: TcpRefusal, detail: string): void => {
      this.refused(why, `${to} (outgoing): ${detail}`);
      s.destroy();
    };
    s.on('data', (chunk: Buffer) => {
      const r = reader.push(chunk);
      if (!r.ok) return refuse(r.reason === 'oversized' ? 'oversized' : 'garbage', r.detail);
      for (const m of r.frames) {
        if (s.destroyed) return;
        if (phase === 'challenge') {
          const auth = handshake.challenge(m);
          if (!auth.ok) return refuse(auth.reason, auth.detail);
          s.write(lengthPrefixed(auth.value));
          phase = 'confirm';
        } else if (phase === 'confirm') {
          const w = handshake.confirm(m);
          if (!w.ok) return refuse(w.reason, w.detail);
          phase = 'open';
          this.opened(to, out, s, w.value);
        } else {
          // The responder says nothing once the session is open.
          return refuse('garbage', 'the responder wrote after its confirmation');
        }
      }
    });
    s.on('error', () => undefined);
    s.on('close', () => {
      if (out.socket !== s) return;
      if (out.state === 'connecting') this.stats.connectFailures++;
      // A broken session may have taken frames with it that were written but never read.
      this.lose(out, out.queue.length);
      if (out.state === 'open') out.lost = true;
      out.queue = [];
      out.queuedBytes = 0;
      out.socket = undefined;
      out.writer = undefined;
      out.state = 'waiting';
      out.retryAt = performance.now() + out.backoffMs;
      out.backoffMs = Math.min(out.backoffMs * 2, this.o.maxBackoffMs);
    });
  }

  /**
   * `peer` just authenticated itself on a connection of its own: it is up.
   * A connection to it that failed is made again now rather than at the
   * next frame sent to it, which may be a retransmission whose backoff has
   * grown to half a minute (a link that holds nothing more for a peer that
   * was down sends nothing else); its session then tells the link
   * (onReconnect), which re-sends what is unacked and what it owes.
   */
  private peerIsUp(peer: string): void {
    const out = this.outgoing.get(peer);
    if (out === undefined || out.state !== 'waiting' || this.closed) return;
    out.backoffMs = this.o.backoffMs;
    this.connect(peer, out);
  }

  /** The peer confirmed the session: what waited goes, in records. */
  private opened(to: string, out: Outgoing, s: Socket, writer: RecordWriter): void {
    s.setTimeout(0);
    out.state = 'open';
    out.writer = writer;
    out.backoffMs = this.o.backoffMs;
    this.stats.sessionsOut++;
    const queued = out.queue;
    out.queue = [];
    out.queuedBytes = 0;
    for (const f of queued) this.writeRecord(out, f);
    if (out.lost) this.opts.onReconnect?.(to);
    out.lost = false;
  }

  private accept(s: Socket): void {
    if (this.closed) return void s.destroy();
    this.stats.connectionsIn++;
    // Connections that have not authenticated are few: past the bound, the oldest
    // goes (not the newest, which may be a peer's, arriving during a flood).
    if (this.handshaking.size >= this.o.maxHandshaking) {
      const oldest = this.handshaking.values().next().value!;
      this.handshaking.delete(oldest);
      this.refused('too-many', `more than ${this.o.maxHandshaking} connections in their handshake at once`);
      oldest.destroy();
    }
    this.handshaking.add(s);
    s.setNoDelay(true);
    const handshake = this.sessions.respond();
    const reader = new FrameReader({ maxFrameBytes: MAX_HANDSHAKE_BYTES });
    let session: { readonly peer: string; readonly receiver: RecordReader } | undefined;
    const refuse = (why: TcpRefusal, detail: string): void => {
      this.refused(why, detail);
      s.destroy();
    };
    const timer = setTimeout(() => {
      if (session === undefined) refuse('no-handshake', `no handshake within ${this.o.handshakeTimeoutMs} ms`);
    }, this.o.handshakeTimeoutMs);
    timer.unref();
    s.write(lengthPrefixed(handshake.challenge));
    s.on('data', (chunk: Buffer) => {
      const r = reader.push(chunk);
      if (!r.ok) return refuse(r.reason === 'oversized' ? 'oversized' : 'garbage', r.detail);
      for (const m of r.frames) {
        if (s.destroyed) return;
        if (session === undefined) {
          const a = handshake.auth(m);
          if (!a.ok) return refuse(a.reason, a.detail);
          session = { peer: a.value.peer, receiver: a.value.receiver };
          clearTimeout(timer);
          this.handshaking.delete(s);
          // The peer reconnected: its older connection is dead or dying.
          this.incoming.get(session.peer)?.destroy();
          this.incoming.set(session.peer, s);
          this.stats.sessionsIn++;
          reader.limit(MAX_RECORD_BYTES);
          s.write(lengthPrefixed(a.value.confirm));
          this.peerIsUp(session.peer);
          continue;
        }
        const f = session.receiver.open(m);
        if (!f.ok) return refuse(f.reason, `${session.peer}: ${f.detail}`);
        this.stats.framesIn++;
        this.stats.bytesIn += f.value.length;
        this.handler?.(session.peer, f.value);
      }
    });
    s.on('error', () => undefined);
    s.on('close', () => {
      clearTimeout(timer);
      this.handshaking.delete(s);
      if (session !== undefined && this.incoming.get(session.peer) === s) this.incoming.delete(session.peer);
    });
  }
}
