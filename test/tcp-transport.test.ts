// The TCP transport on its own, in this process, on loopback: frames arrive
// attributed to the peer the session's handshake proved; what misbehaves
// (garbage, forgers, strangers, peers of another run, replayed records) is
// closed and counted; a restarted peer is reached again.

import { afterEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { encodeFrame, helloFrame, MAX_FRAME_BYTES } from '../src/wire/index.js';
import { FrameReader, lengthPrefixed } from '../src/transport/framing.js';
import { RUN_ID_BYTES, SessionEndpoint, type RecordWriter } from '../src/transport/session.js';
import { listenTcp, type TcpOptions, type TcpTransport } from '../src/transport/tcp.js';
import { freePorts, until } from './helpers/tcp-run.js';

// Each test takes well under a second on a quiet machine.
const T = { timeout: 20_000 };

const open: TcpTransport[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
});

const RUN = new Uint8Array(randomBytes(RUN_ID_BYTES));
/** One key per unordered pair of a, b, d. */
const KEYS = new Map([['a|b', randomBytes(32)], ['a|d', randomBytes(32)], ['b|d', randomBytes(32)]]);
const pairKey = (me: string) => (peer: string): Uint8Array | undefined => KEYS.get([me, peer].sort().join('|'));

type Extra = Partial<Pick<TcpOptions, 'handshakeTimeoutMs' | 'maxHandshaking' | 'backoffMs' | 'onReconnect' | 'run' | 'beforeRelease'>>;

function listenAs(me: string, peers: ReadonlyMap<string, { host: string; port: number }>, extra: Extra = {}): ReturnType<typeof listenTcp> {
  return listenTcp({ me, listen: peers.get(me)!, peers, run: RUN, pairKey: pairKey(me), ...extra });
}

async function pair(opts: Extra = {}): Promise<{ a: TcpTransport; b: TcpTransport; ports: number[] }> {
  const ports = await freePorts(2);
  const peers = new Map([['a', { host: '127.0.0.1', port: ports[0]! }], ['b', { host: '127.0.0.1', port: ports[1]! }]]);
  const a = await listenAs('a', peers, opts);
  const b = await listenAs('b', peers, opts);
  if (!a.ok || !b.ok) throw new Error('listen failed');
  open.push(a.transport, b.transport);
  return { a: a.transport, b: b.transport, ports };
}

function raw(port: number): Promise<Socket> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port }, () => resolve(s));
    s.on('error', () => undefined);
    // Read what the node says (its challenge), so that its close is seen.
    s.resume();
  });
}

function closed(s: Socket): Promise<void> {
  return new Promise((resolve) => (s.destroyed ? resolve() : s.on('close', () => resolve())));
}

/**
 * A hand-driven initiator on a raw socket: the session handshake as `me`
 * (with the keys `me` has, or none), toward `peer`; the writer once confirmed.
 */
async function initiate(port: number, me: string, peer: string, keys: (p: string) => Uint8Array | undefined, run: Uint8Array = RUN): Promise<{ socket: Socket; writer?: RecordWriter }> {
  const socket = await raw(port);
  const hs = new SessionEndpoint({ me, run, pairKey: keys }).initiate(peer);
  const reader = new FrameReader({ maxFrameBytes: 1 << 16 });
  return new Promise((resolve) => {
    socket.on('close', () => resolve({ socket }));
    socket.on('data', (chunk: Buffer) => {
      const r = reader.push(chunk);
      if (!r.ok) return;
      for (const m of r.frames) {
        const c = hs.challenge(m);
        if (c.ok) {
          socket.write(lengthPrefixed(c.value));
          continue;
        }
        const w = hs.confirm(m);
        if (w.ok) resolve({ socket, writer: w.value });
      }
    });
  });
}

function hello(from: string, to: string): Buffer {
  const h = encodeFrame(helloFrame(from, to));
  if (!h.ok) throw new Error(h.detail);
  return lengthPrefixed(h.bytes);
}

describe('framing', () => {
  it('reassembles frames split anywhere and refuses an oversized or empty length before buffering', () => {
    const r = new FrameReader({ maxFrameBytes: 16 });
    const bytes = Buffer.concat([lengthPrefixed(Uint8Array.of(1, 2, 3)), lengthPrefixed(Uint8Array.of(4))]);
    const got: number[][] = [];
    for (const b of bytes) {
      const x = r.push(Buffer.of(b));
      if (!x.ok) throw new Error(x.detail);
      for (const f of x.frames) got.push([...f]);
    }
    expect(got).toEqual([[1, 2, 3], [4]]);
    const big = new FrameReader({ maxFrameBytes: 16 }).push(Buffer.of(0, 0, 0, 17));
    expect(big).toMatchObject({ ok: false, reason: 'oversized' });
    expect(new FrameReader({ maxFrameBytes: 16 }).push(Buffer.of(0, 0, 0, 0))).toMatchObject({ ok: false, reason: 'empty' });
  });
});

describe('TcpTransport', () => {
  it('delivers frames in both directions, in sessions, attributed to the peer the handshake proved', T, async () => {
    const { a, b } = await pair();
    const got: [string, number[]][] = [];
    b.onFrame((from, bytes) => got.push([from, [...bytes]]));
    const back: string[] = [];
    a.onFrame((from) => back.push(from));
    for (let i = 1; i <= 5; i++) a.send('b', Uint8Array.of(i));
    b.send('a', Uint8Array.of(9));
    await until('frames', () => got.length === 5 && back.length === 1, 5000);
    expect(got).toEqual([1, 2, 3, 4, 5].map((i) => ['a', [i]]));
    expect(back).toEqual(['b']);
    expect(a.stats.connectionsOut).toBe(1);
    expect([a.stats.sessionsOut, a.stats.sessionsIn, b.stats.sessionsOut, b.stats.sessionsIn]).toEqual([1, 1, 1, 1]);
  });

  it('holds at most maxHandshaking unauthenticated connections: past it the oldest goes (counted), silent ones time out, and a peer gets through during the flood', T, async () => {
    const { a, b, ports } = await pair({ handshakeTimeoutMs: 400, maxHandshaking: 3 });
    const got: string[] = [];
    b.onFrame((from) => got.push(from));
    const flood = await Promise.all(Array.from({ length: 8 }, () => raw(ports[1]!)));
    await until('the flood refused', () => b.stats.refused['too-many'] >= 5, 5000);
    expect(b.stats.refused['too-many']).toBe(5);
    // A real peer arriving now pushes the oldest silent connection out and completes its handshake.
    a.send('b', Uint8Array.of(7));
    await until('the good frame', () => got.length === 1, 5000);
    expect(got).toEqual(['a']);
    await Promise.all(flood.map(closed));
    expect(b.stats.refused['too-many'] + b.stats.refused['no-handshake']).toBe(8);
  });

  it('closes and counts garbage, an oversized length, an old-style hello, a stranger, a forger, a peer of another run, and silence; the process survives', T, async () => {
    const { b, ports } = await pair({ handshakeTimeoutMs: 300 });
    const got: string[] = [];
    b.onFrame((from) => got.push(from));
    const port = ports[1]!;
    const garbage = await raw(port);
    garbage.write(Buffer.concat([Buffer.of(0, 0, 0, 5), Buffer.from('hello')]));
    const oversized = await raw(port);
    oversized.write(Buffer.of(0xff, 0xff, 0xff, 0xff));
    const beyond = await raw(port);
    const justOver = Buffer.alloc(4);
    justOver.writeUInt32BE(MAX_FRAME_BYTES + 1);
    beyond.write(justOver);
    // The attack of issue 22 item 2: a connection that names itself a and acknowledges.
    const spoof = await raw(port);
    spoof.write(hello('a', 'b'));
    const silent = await raw(port);
    const stranger = await initiate(port, 'mallory', 'b', () => randomBytes(32));
    const forger = await initiate(port, 'a', 'b', () => randomBytes(32));
    const foreign = await initiate(port, 'a', 'b', pairKey('a'), new Uint8Array(randomBytes(RUN_ID_BYTES)));
    await Promise.all([garbage, oversized, beyond, spoof, silent].map(closed));
    expect([stranger.writer, forger.writer, foreign.writer]).toEqual([undefined, undefined, undefined]);
    expect(b.stats.refused).toMatchObject({ oversized: 2, garbage: 2, 'no-handshake': 1, 'unknown-peer': 1, 'bad-handshake': 1, 'foreign-run': 1, 'too-many': 0 });
    expect(b.stats.firstRefusal['foreign-run']).toContain(Buffer.from(RUN).toString('hex'));
    expect(got).toEqual([]);
    // Still serving: a proper peer gets through.
    const ok = await initiate(port, 'a', 'b', pairKey('a'));
    ok.socket.write(lengthPrefixed(ok.writer!.seal(Uint8Array.of(7))));
    await until('the good frame', () => got.length === 1, 5000);
    ok.socket.destroy();
  });

  it('a record of an earlier session replayed into a later one, or a session record tampered with, closes the connection and is counted', T, async () => {
    const { b, ports } = await pair();
    const got: number[] = [];
    b.onFrame((_from, bytes) => got.push(bytes[0]!));
    const first = await initiate(ports[1]!, 'a', 'b', pairKey('a'));
    const old = first.writer!.seal(Uint8Array.of(1));
    first.socket.write(lengthPrefixed(old));
    await until('the first frame', () => got.length === 1, 5000);
    first.socket.destroy();
    const second = await initiate(ports[1]!, 'a', 'b', pairKey('a'));
    second.socket.write(lengthPrefixed(old));
    await closed(second.socket);
    expect(b.stats.refused['bad-record']).toBe(1);
    const third = await initiate(ports[1]!, 'a', 'b', pairKey('a'));
    const r0 = third.writer!.seal(Uint8Array.of(2));
    third.socket.write(lengthPrefixed(Buffer.concat([r0.subarray(0, r0.length - 1), Buffer.of(r0[r0.length - 1]! ^ 1)])));
    await closed(third.socket);
    expect(b.stats.refused['bad-record']).toBe(2);
    expect(got).toEqual([1]);
  });

  it('a port in use is an error value naming the node and the address', T, async () => {
    const { ports } = await pair();
    const peers = new Map([['c', { host: '127.0.0.1', port: ports[0]! }]]);
    const r = await listenAs('c', peers);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.kind).toBe('address-in-use');
      expect(r.error.message).toContain(`c cannot listen on 127.0.0.1:${ports[0]}: the port is already in use`);
    }
  });

  it('reaches a peer again after it restarts in a new session, and says so (frames sent while it was down are lost, never thrown)', T, async () => {
    const { a, b, ports } = await pair();
    b.onFrame(() => undefined);
    a.send('b', Uint8Array.of(1));
    await until('the first connection', () => a.stats.sessionsOut === 1, 5000);
    await b.close();
    open.splice(open.indexOf(b), 1);
    await new Promise((r) => setTimeout(r, 100));
    expect(() => a.send('b', Uint8Array.of(2))).not.toThrow();
    const dPort = (await freePorts(1))[0]!;
    const peers = new Map([['a', { host: '127.0.0.1', port: ports[0]! }], ['b', { host: '127.0.0.1', port: ports[1]! }], ['d', { host: '127.0.0.1', port: dPort }]]);
    const reconnected: string[] = [];
    const b2r = await listenAs('b', peers);
    if (!b2r.ok) throw new Error(b2r.error.message);
    open.push(b2r.transport);
    const got: number[] = [];
    b2r.transport.onFrame((_from, bytes) => got.push(bytes[0]!));
    // a's own onReconnect is checked through a second transport with the hook.
    const d = await listenAs('d', peers, { onReconnect: (p) => reconnected.push(p), backoffMs: 10 });
    if (!d.ok) throw new Error(d.error.message);
    open.push(d.transport);
    await until('a frame after the restart', async () => {
      a.send('b', Uint8Array.of(3));
      await new Promise((r) => setTimeout(r, 50));
      return got.includes(3);
    }, 10_000);
    expect(a.stats.framesLost).toBeGreaterThan(0);
    expect(a.stats.sessionsOut).toBe(2);
    // d: connect to b, b restarts, d reconnects and is told.
    d.transport.send('b', Uint8Array.of(4));
    await until('d connected', () => d.transport.stats.sessionsOut === 1, 5000);
    await b2r.transport.close();
    const b3 = await listenAs('b', peers);
    if (!b3.ok) throw new Error(b3.error.message);
    open.push(b3.transport);
    await until('d reconnected', async () => {
      d.transport.send('b', Uint8Array.of(5));
      await new Promise((r) => setTimeout(r, 50));
      return reconnected.length > 0;
    }, 10_000);
    expect(reconnected).toEqual(['b']);
  });

  it('the first session with a peer that was down when frames to it were written tells the link (onReconnect), so it re-sends at once', T, async () => {
    const ports = await freePorts(2);
    const peers = new Map([['a', { host: '127.0.0.1', port: ports[0]! }], ['b', { host: '127.0.0.1', port: ports[1]! }]]);
    const told: string[] = [];
    const a = await listenAs('a', peers, { onReconnect: (p) => told.push(p), backoffMs: 10 });
    if (!a.ok) throw new Error(a.error.message);
    open.push(a.transport);
    a.transport.send('b', Uint8Array.of(1));
    await until('the connection refused', () => a.transport.stats.connectFailures >= 1, 5000);
    await new Promise((r) => setTimeout(r, 20));
    a.transport.send('b', Uint8Array.of(2));
    expect(a.transport.stats.framesLost).toBeGreaterThan(0);
    const b = await listenAs('b', peers);
    if (!b.ok) throw new Error(b.error.message);
    open.push(b.transport);
    const got: number[] = [];
    b.transport.onFrame((_from, bytes) => got.push(bytes[0]!));
    await until('a frame through', async () => {
      a.transport.send('b', Uint8Array.of(3));
      await new Promise((r) => setTimeout(r, 30));
      return got.includes(3);
    }, 10_000);
    expect(told).toEqual(['b']);
    // A peer reached on the first try, with nothing lost, is no reconnection.
    const more = await freePorts(2);
    const peers2 = new Map([['a', { host: '127.0.0.1', port: more[0]! }], ['b', { host: '127.0.0.1', port: more[1]! }]]);
    const b2 = await listenAs('b', peers2);
    const toldA2: string[] = [];
    const a2 = await listenAs('a', peers2, { onReconnect: (p) => toldA2.push(p) });
    if (!a2.ok || !b2.ok) throw new Error('listen failed');
    open.push(a2.transport, b2.transport);
    b2.transport.onFrame(() => undefined);
    a2.transport.send('b', Uint8Array.of(1));
    await until('a session', () => a2.transport.stats.sessionsOut === 1, 5000);
    expect(toldA2).toEqual([]);
  });

  it('a peer that was down and authenticates to this node again is reconnected to at once (onReconnect), though this node sends it nothing', T, async () => {
    const ports = await freePorts(2);
    const peers = new Map([['a', { host: '127.0.0.1', port: ports[0]! }], ['b', { host: '127.0.0.1', port: ports[1]! }]]);
    const told: string[] = [];
    const a = await listenAs('a', peers, { onReconnect: (p) => told.push(p), backoffMs: 10 });
    if (!a.ok) throw new Error(a.error.message);
    open.push(a.transport);
    a.transport.onFrame(() => undefined);
    a.transport.send('b', Uint8Array.of(1));
    await until('the connection refused', () => a.transport.stats.connectFailures >= 1, 5000);
    // b comes up and speaks first; a sends nothing more (its link holds nothing more for b).
    const b = await listenAs('b', peers);
    if (!b.ok) throw new Error(b.error.message);
    open.push(b.transport);
    b.transport.onFrame(() => undefined);
    b.transport.send('a', Uint8Array.of(9));
    await until('a reconnected to b', () => told.length > 0, 5000);
    expect(told).toEqual(['b']);
    expect(a.transport.stats.sessionsOut).toBe(1);
  });

  it('group commit: records leave only once beforeRelease says the log is durable, those of one turn after one call; records sent meanwhile wait for the next call', T, async () => {
    const calls: (() => void)[] = [];
    const { a, b } = await pair({ beforeRelease: (done) => void calls.push(done) });
    const got: number[] = [];
    b.onFrame((_from, bytes) => got.push(bytes[0]!));
    // The session first: a frame that goes once its connection is open, and released.
    a.send('b', Uint8Array.of(0));
    await until('the first release asked for', () => calls.length === 1, 5000);
    calls.shift()!();
    await until('the first frame through', () => got.length === 1, 5000);
    // Three frames in one turn: one call, and nothing leaves before it is done.
    a.send('b', Uint8Array.of(1));
    a.send('b', Uint8Array.of(2));
    a.send('b', Uint8Array.of(3));
    await new Promise((r) => setTimeout(r, 100));
    expect(calls.length).toBe(1);
    expect(got).toEqual([0]);
    // Sent while that call is under way: held for the next one.
    a.send('b', Uint8Array.of(4));
    await new Promise((r) => setTimeout(r, 50));
    expect(calls.length).toBe(1);
    calls.shift()!();
    await until('the turn released', () => got.length === 4, 5000);
    expect(got).toEqual([0, 1, 2, 3]);
    await until('the next release asked for', () => calls.length === 1, 5000);
    expect(got).toEqual([0, 1, 2, 3]);
    calls.shift()!();
    await until('the last frame through', () => got.length === 5, 5000);
    expect(got).toEqual([0, 1, 2, 3, 4]);
  });
});
