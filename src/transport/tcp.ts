// A Transport over TCP, one endpoint per node process. Each node listens on
// its [Nodes] address; to send to a peer it opens its own connection to the
// peer's address (lazily, on the first frame) and writes length-prefixed
// frames, the first of which is the wire's `hello` naming the sender. So every
// ordered pair of nodes has one connection, used in one direction: frames
// from a connection are attributed to the name its hello gave.
//
// What this layer does not do is make delivery reliable: a frame written
// while the peer is down or the connection is being re-made is lost, and the
// runtime's ReliableLink retransmits it until acked. That keeps a restarted
// peer simple: it is reached again by the next retransmission after the
// reconnection backoff, with nothing to reconcile here.
//
// Nothing a peer sends can crash the process: a stream that announces an
// oversized or empty frame, whose first frame is no valid hello, or that
// sends no hello in time is closed and counted.

import { connect, createServer, type Server, type Socket } from 'node:net';
import type { Endpoint } from '../deploy/deployment.js';
import { decodeFrame, encodeFrame, helloFrame, MAX_FRAME_BYTES } from '../wire/index.js';
import { FrameReader, lengthPrefixed } from './framing.js';
import type { Transport } from './transport.js';

export interface TcpOptions {
  readonly me: string;
  /** Where this node listens. */
  readonly listen: Endpoint;
  /** Every node this one may send to or hear from, with its address. */
  readonly peers: ReadonlyMap<string, Endpoint>;
  /** Incoming connections held at once, identified or not (default 4 per peer, at least 16); more are closed and counted. */
  readonly maxIncoming?: number;
  /** An incoming connection that sends no hello within this long is closed (ms). */
  readonly helloTimeoutMs?: number;
  /** After a connection fails, wait this long before the next attempt; doubles up to maxBackoffMs. */
  readonly backoffMs?: number;
  readonly maxBackoffMs?: number;
  /** Frames held for a peer while its connection is being made, at most this many bytes. */
  readonly maxQueuedBytes?: number;
  /** A peer that reads slower than this node writes: past this many unsent bytes, frames are dropped. */
  readonly maxWriteBufferBytes?: number;
  /** Told when a connection to `peer` is made again after one was lost (the peer may have restarted). */
  readonly onReconnect?: (peer: string) => void;
}

export type TcpRefusal = 'oversized' | 'garbage' | 'no-hello' | 'unknown-peer' | 'too-many';

export interface TcpStats {
  connectionsIn: number;
  connectionsOut: number;
  /** Connection attempts that failed (peer down, refused, reset). */
  connectFailures: number;
  framesIn: number;
  bytesIn: number;
  framesOut: number;
  bytesOut: number;
  /** Frames not written: the peer was down, backing off, unknown, or its queue was full. */
  framesLost: number;
  /** Incoming connections closed for misbehaving, by reason. */
  readonly refused: Record<TcpRefusal, number>;
}

export type TcpListenError = {
  readonly kind: 'address-in-use' | 'listen-failed';
  readonly host: string;
  readonly port: number;
  readonly message: string;
};

export type TcpListenResult = { readonly ok: true; readonly transport: TcpTransport } | { readonly ok: false; readonly error: TcpListenError };

const DEFAULTS = { helloTimeoutMs: 3000, backoffMs: 50, maxBackoffMs: 2000, maxQueuedBytes: 4 << 20, maxWriteBufferBytes: 16 << 20 };

interface Outgoing {
  state: 'idle' | 'connecting' | 'open' | 'waiting';
  /** A connection was open before: the next one is a reconnection. */
  wasOpen: boolean;
  socket?: Socket;
  queue: Buffer[];
  queuedBytes: number;
  backoffMs: number;
  retryAt: number;
}

/** Starts listening; the transport is returned once the port is bound, or why it could not be. */
export function listenTcp(opts: TcpOptions): Promise<TcpListenResult> {
  const t = new TcpTransport(opts);
  return t.listen().then((error) => (error === undefined ? { ok: true, transport: t } : { ok: false, error }));
}

export class TcpTransport implements Transport {
  readonly stats: TcpStats = {
    connectionsIn: 0, connectionsOut: 0, connectFailures: 0, framesIn: 0, bytesIn: 0, framesOut: 0, bytesOut: 0, framesLost: 0,
    refused: { oversized: 0, garbage: 0, 'no-hello': 0, 'unknown-peer': 0, 'too-many': 0 },
  };
  private readonly o: typeof DEFAULTS;
  private readonly server: Server;
  private readonly incoming = new Set<Socket>();
  private readonly outgoing = new Map<string, Outgoing>();
  private handler: ((from: string, bytes: Uint8Array) => void) | undefined;
  private closed = false;

  constructor(private readonly opts: TcpOptions) {
    this.o = {
      helloTimeoutMs: opts.helloTimeoutMs ?? DEFAULTS.helloTimeoutMs,
      backoffMs: opts.backoffMs ?? DEFAULTS.backoffMs,
      maxBackoffMs: opts.maxBackoffMs ?? DEFAULTS.maxBackoffMs,
      maxQueuedBytes: opts.maxQueuedBytes ?? DEFAULTS.maxQueuedBytes,
      maxWriteBufferBytes: opts.maxWriteBufferBytes ?? DEFAULTS.maxWriteBufferBytes,
    };
    this.server = createServer((s) => this.accept(s));
  }

  get me(): string {
    return this.opts.me;
  }

  private get maxIncoming(): number {
    return this.opts.maxIncoming ?? Math.max(16, 4 * this.opts.peers.size);
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
      out = { state: 'idle', wasOpen: false, queue: [], queuedBytes: 0, backoffMs: this.o.backoffMs, retryAt: 0 };
      this.outgoing.set(to, out);
    }
    const framed = lengthPrefixed(bytes);
    if (out.state === 'waiting' && performance.now() >= out.retryAt) out.state = 'idle';
    switch (out.state) {
      case 'open':
        if (out.socket!.writableLength > this.o.maxWriteBufferBytes) {
          this.stats.framesLost++;
          return;
        }
        this.stats.framesOut++;
        this.stats.bytesOut += framed.length;
        this.write(out.socket!, framed);
        return;
      case 'waiting':
        this.stats.framesLost++;
        return;
      case 'idle':
        this.connect(to, out);
        this.enqueue(out, framed);
        return;
      case 'connecting':
        this.enqueue(out, framed);
        return;
    }
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    for (const out of this.outgoing.values()) out.socket?.destroy();
    for (const s of this.incoming) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /**
   * Frames written in one turn of the event loop (a step's statements to a
   * peer, acks of a batch) leave in one system call: the socket is corked
   * for the rest of the turn. Nagle is off, so nothing waits longer.
   */
  private write(s: Socket, framed: Buffer): void {
    if (s.writableCorked === 0) {
      s.cork();
      process.nextTick(() => s.uncork());
    }
    s.write(framed);
  }

  private enqueue(out: Outgoing, framed: Buffer): void {
    if (out.queuedBytes + framed.length > this.o.maxQueuedBytes) {
      this.stats.framesLost++;
      return;
    }
    out.queue.push(framed);
    out.queuedBytes += framed.length;
  }

  private connect(to: string, out: Outgoing): void {
    const peer = this.opts.peers.get(to)!;
    const hello = encodeFrame(helloFrame(this.me, to));
    if (!hello.ok) {
      // Only a name the wire cannot carry gets here; the peer is unreachable for good.
      out.state = 'waiting';
      out.retryAt = Number.POSITIVE_INFINITY;
      return;
    }
    out.state = 'connecting';
    const s = connect({ host: peer.host, port: peer.port });
    out.socket = s;
    s.setNoDelay(true);
    // A peer whose host does not answer at all must not hold frames forever.
    s.setTimeout(this.o.helloTimeoutMs, () => s.destroy());
    s.on('connect', () => {
      s.setTimeout(0);
      if (this.closed) return void s.destroy();
      out.state = 'open';
      out.backoffMs = this.o.backoffMs;
      this.stats.connectionsOut++;
      s.write(lengthPrefixed(hello.bytes));
      for (const f of out.queue) {
        this.stats.framesOut++;
        this.stats.bytesOut += f.length;
        s.write(f);
      }
      out.queue = [];
      out.queuedBytes = 0;
      if (out.wasOpen) this.opts.onReconnect?.(to);
      out.wasOpen = true;
    });
    // The peer never writes on this connection; reading keeps 'end' (its close) observable.
    s.on('data', () => undefined);
    s.on('error', () => undefined);
    s.on('close', () => {
      if (out.socket !== s) return;
      if (out.state === 'connecting') this.stats.connectFailures++;
      this.stats.framesLost += out.queue.length;
      out.queue = [];
      out.queuedBytes = 0;
      out.socket = undefined;
      out.state = 'waiting';
      out.retryAt = performance.now() + out.backoffMs;
      out.backoffMs = Math.min(out.backoffMs * 2, this.o.maxBackoffMs);
    });
  }

  private accept(s: Socket): void {
    if (this.closed) return void s.destroy();
    this.stats.connectionsIn++;
    // Each peer needs one connection, a few while it reconnects; a flood of
    // connections (each held until its hello times out) must not exhaust the node.
    if (this.incoming.size >= this.maxIncoming) {
      this.stats.refused['too-many']++;
      return void s.destroy();
    }
    this.incoming.add(s);
    const reader = new FrameReader({ maxFrameBytes: MAX_FRAME_BYTES });
    let from: string | undefined;
    const refuse = (why: TcpRefusal): void => {
      this.stats.refused[why]++;
      s.destroy();
    };
    const timer = setTimeout(() => {
      if (from === undefined) refuse('no-hello');
    }, this.o.helloTimeoutMs);
    timer.unref();
    s.on('data', (chunk: Buffer) => {
      const r = reader.push(chunk);
      if (!r.ok) return refuse(r.reason === 'oversized' ? 'oversized' : 'garbage');
      for (const bytes of r.frames) {
        if (s.destroyed) return;
        if (from === undefined) {
          const d = decodeFrame(bytes, { me: this.me });
          if (!d.ok || d.frame.kind !== 'hello') return refuse('garbage');
          if (!this.opts.peers.has(d.frame.from) || d.frame.from === this.me) return refuse('unknown-peer');
          from = d.frame.from;
          clearTimeout(timer);
          continue;
        }
        this.stats.framesIn++;
        this.stats.bytesIn += bytes.length;
        this.handler?.(from, bytes);
      }
    });
    s.on('error', () => undefined);
    s.on('close', () => {
      clearTimeout(timer);
      this.incoming.delete(s);
    });
  }
}
