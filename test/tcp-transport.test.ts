// The TCP transport on its own, in this process, on loopback: frames arrive
// attributed to their hello's sender; what misbehaves is closed and counted;
// a restarted peer is reached again.

import { afterEach, describe, expect, it } from 'vitest';
import { connect, type Socket } from 'node:net';
import { encodeFrame, helloFrame, MAX_FRAME_BYTES } from '../src/wire/index.js';
import { FrameReader, lengthPrefixed } from '../src/transport/framing.js';
import { listenTcp, type TcpTransport } from '../src/transport/tcp.js';
import { freePorts, until } from './helpers/tcp-run.js';

const open: TcpTransport[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
});

async function pair(opts: { helloTimeoutMs?: number; maxIncoming?: number } = {}): Promise<{ a: TcpTransport; b: TcpTransport; ports: number[] }> {
  const ports = await freePorts(2);
  const peers = new Map([['a', { host: '127.0.0.1', port: ports[0]! }], ['b', { host: '127.0.0.1', port: ports[1]! }]]);
  const a = await listenTcp({ me: 'a', listen: peers.get('a')!, peers, ...opts });
  const b = await listenTcp({ me: 'b', listen: peers.get('b')!, peers, ...opts });
  if (!a.ok || !b.ok) throw new Error('listen failed');
  open.push(a.transport, b.transport);
  return { a: a.transport, b: b.transport, ports };
}

function raw(port: number): Promise<Socket> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port }, () => resolve(s));
    s.on('error', () => undefined);
  });
}

function closed(s: Socket): Promise<void> {
  return new Promise((resolve) => (s.destroyed ? resolve() : s.on('close', () => resolve())));
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
  it('delivers frames in both directions, attributed to the sender its hello named', async () => {
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
  });

  it('holds at most maxIncoming connections: a flood of silent connections is closed and counted, and a peer gets through once they time out', async () => {
    const { b, ports } = await pair({ helloTimeoutMs: 400, maxIncoming: 3 });
    const got: string[] = [];
    b.onFrame((from) => got.push(from));
    const flood = await Promise.all(Array.from({ length: 8 }, () => raw(ports[1]!)));
    await until('the flood refused', () => b.stats.refused['too-many'] >= 5, 5000);
    expect(b.stats.refused['too-many']).toBe(5);
    await Promise.all(flood.map(closed));
    expect(b.stats.refused['no-hello']).toBe(3);
    const ok = await raw(ports[1]!);
    ok.write(Buffer.concat([hello('a', 'b'), lengthPrefixed(Uint8Array.of(7))]));
    await until('the good frame', () => got.length === 1, 5000);
    ok.destroy();
  });

  it('closes and counts a stream with garbage, an oversized length, an unknown sender, or no hello; the process survives', async () => {
    const { b, ports } = await pair({ helloTimeoutMs: 300 });
    const got: string[] = [];
    b.onFrame((from) => got.push(from));
    const garbage = await raw(ports[1]!);
    garbage.write(Buffer.concat([Buffer.of(0, 0, 0, 5), Buffer.from('hello')]));
    const oversized = await raw(ports[1]!);
    oversized.write(Buffer.of(0xff, 0xff, 0xff, 0xff));
    const beyond = await raw(ports[1]!);
    const justOver = Buffer.alloc(4);
    justOver.writeUInt32BE(MAX_FRAME_BYTES + 1);
    beyond.write(justOver);
    const stranger = await raw(ports[1]!);
    stranger.write(hello('mallory', 'b'));
    const silent = await raw(ports[1]!);
    await Promise.all([garbage, oversized, beyond, stranger, silent].map(closed));
    expect(b.stats.refused).toEqual({ oversized: 2, garbage: 1, 'no-hello': 1, 'unknown-peer': 1, 'too-many': 0 });
    expect(got).toEqual([]);
    // Still serving: a proper peer gets through.
    const ok = await raw(ports[1]!);
    ok.write(Buffer.concat([hello('a', 'b'), lengthPrefixed(Uint8Array.of(7))]));
    await until('the good frame', () => got.length === 1, 5000);
    ok.destroy();
  });

  it('a port in use is an error value naming the node and the address', async () => {
    const { ports } = await pair();
    const peers = new Map([['c', { host: '127.0.0.1', port: ports[0]! }]]);
    const r = await listenTcp({ me: 'c', listen: peers.get('c')!, peers });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.kind).toBe('address-in-use');
      expect(r.error.message).toContain(`c cannot listen on 127.0.0.1:${ports[0]}: the port is already in use`);
    }
  });

  it('reaches a peer again after it restarts, and says so (frames sent while it was down are lost, never thrown)', async () => {
    const { a, b, ports } = await pair();
    b.onFrame(() => undefined);
    a.send('b', Uint8Array.of(1));
    await until('the first connection', () => a.stats.connectionsOut === 1, 5000);
    await b.close();
    open.splice(open.indexOf(b), 1);
    await new Promise((r) => setTimeout(r, 100));
    expect(() => a.send('b', Uint8Array.of(2))).not.toThrow();
    const peers = new Map([['a', { host: '127.0.0.1', port: ports[0]! }], ['b', { host: '127.0.0.1', port: ports[1]! }]]);
    const reconnected: string[] = [];
    const b2r = await listenTcp({ me: 'b', listen: peers.get('b')!, peers });
    if (!b2r.ok) throw new Error(b2r.error.message);
    open.push(b2r.transport);
    const got: number[] = [];
    b2r.transport.onFrame((_from, bytes) => got.push(bytes[0]!));
    // a's own onReconnect is checked through a second transport with the hook.
    const a2peers = new Map([...peers, ['d', { host: '127.0.0.1', port: (await freePorts(1))[0]! }]]);
    const d = await listenTcp({ me: 'd', listen: a2peers.get('d')!, peers: a2peers, onReconnect: (p) => reconnected.push(p), backoffMs: 10 });
    if (!d.ok) throw new Error(d.error.message);
    open.push(d.transport);
    await until('a frame after the restart', async () => {
      a.send('b', Uint8Array.of(3));
      await new Promise((r) => setTimeout(r, 50));
      return got.includes(3);
    }, 10_000);
    expect(a.stats.framesLost).toBeGreaterThan(0);
    expect(a.stats.connectionsOut).toBe(2);
    // d: connect to b, b restarts, d reconnects and is told.
    d.transport.send('b', Uint8Array.of(4));
    await until('d connected', () => d.transport.stats.connectionsOut === 1, 5000);
    await b2r.transport.close();
    const b3 = await listenTcp({ me: 'b', listen: peers.get('b')!, peers });
    if (!b3.ok) throw new Error(b3.error.message);
    open.push(b3.transport);
    await until('d reconnected', async () => {
      d.transport.send('b', Uint8Array.of(5));
      await new Promise((r) => setTimeout(r, 50));
      return reconnected.length > 0;
    }, 10_000);
    expect(reconnected).toEqual(['b']);
  });
});
