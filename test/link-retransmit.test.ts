// The reliable link's retransmission policy, on a virtual clock: the fixed
// timer (the simulated network's) retransmits whatever is unacked when it
// fires; the adaptive one (TCP's) waits for a peer that is acking older
// frames, learns the round trip, and still retransmits toward a silent peer
// or a frame the peer skipped.

import { describe, expect, it } from 'vitest';
import type { FrameCodec, Message, Opened } from '../src/runtime/codec.js';
import type { Host, TimerHandle } from '../src/runtime/host.js';
import { ReliableLink, type Cursor, type LinkOptions, type RederiveSource } from '../src/runtime/link.js';
import type { OpenedStatement } from '../src/runtime/codec.js';
import type { Transport } from '../src/transport/transport.js';

/** Virtual time: timers run when `advance` passes them, in order. */
class ManualHost implements Host {
  private t = 0;
  private timers: { at: number; f: () => void; live: boolean; id: number }[] = [];
  private ids = 0;

  now(): number {
    return this.t;
  }

  setTimer(ms: number, f: () => void): TimerHandle {
    const timer = { at: this.t + ms, f, live: true, id: this.ids++ };
    this.timers.push(timer);
    return { cancel: () => void (timer.live = false) };
  }

  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const due = this.timers.filter((x) => x.live && x.at <= end).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (due === undefined) break;
      this.t = due.at;
      due.live = false;
      due.f();
    }
    this.t = end;
    this.timers = this.timers.filter((x) => x.live);
  }
}

/** Frames are `D<seq>` and `A<seq>`; what the link sends is recorded. */
const codec: FrameCodec = {
  prepare: () => undefined,
  frame: (_to: string, seq: number, _m: Message) => new TextEncoder().encode(`D${seq}`),
  ack: (_to: string, seq: number) => new TextEncoder().encode(`A${seq}`),
  open: (_from: string, bytes: Uint8Array): Opened => {
    const s = new TextDecoder().decode(bytes);
    return s.startsWith('A') ? { kind: 'ack', seq: Number(s.slice(1)) } : { kind: 'drop', reason: 'test' };
  },
};

function world(options: LinkOptions): { link: ReliableLink; host: ManualHost; sent: string[]; ack: (seq: number) => void } {
  const host = new ManualHost();
  const sent: string[] = [];
  let deliver: (from: string, bytes: Uint8Array) => void = () => undefined;
  const transport: Transport = {
    me: 'a',
    send: (_to, bytes) => void sent.push(new TextDecoder().decode(bytes)),
    onFrame: (h) => void (deliver = h),
    close: async () => undefined,
  };
  const link = new ReliableLink(transport, codec, host, () => undefined, options);
  return { link, host, sent, ack: (seq) => deliver('b', new TextEncoder().encode(`A${seq}`)) };
}

// A data message needs a statement to be sent at all; the fake codec never looks at it.
const message = { kind: 'data', statements: [{}] } as unknown as Message;

describe('link retransmission', () => {
  it('the fixed timer retransmits a frame that is unacked when it fires, though the peer acks older ones', () => {
    const w = world({ retransmitMs: 1000, maxRetransmitMs: 8000 });
    w.link.send('b', message);
    w.link.send('b', message);
    w.host.advance(900);
    w.ack(1);
    w.host.advance(200);
    expect(w.sent).toEqual(['D1', 'D2', 'D2']);
    expect(w.link.stats.retransmissions).toBe(1);
  });

  it('the adaptive timer waits for a peer that is working through older frames, and retransmits once it falls silent', () => {
    const w = world({ retransmitMs: 1000, maxRetransmitMs: 8000, adaptive: true });
    w.link.send('b', message);
    w.link.send('b', message);
    w.host.advance(1500);
    // Frame 1 was retransmitted: the peer had said nothing since it went out.
    expect(w.sent).toEqual(['D1', 'D2', 'D1', 'D2']);
    w.link.send('b', message);
    w.host.advance(300);
    w.ack(1);
    w.ack(2);
    // The peer works: frame 3 is behind the others, its timer is set again without a copy.
    w.host.advance(900);
    expect(w.sent.filter((s) => s === 'D3')).toHaveLength(1);
    // Silent from now on: frame 3 goes again (once the learned timeout, about 5.4 s, has passed).
    w.host.advance(4000);
    expect(w.sent.filter((s) => s === 'D3')).toHaveLength(1);
    w.host.advance(4000);
    expect(w.sent.filter((s) => s === 'D3').length).toBeGreaterThan(1);
  });

  it('the adaptive timer retransmits a frame the peer skipped (it acked a later one)', () => {
    const w = world({ retransmitMs: 1000, maxRetransmitMs: 8000, adaptive: true });
    w.link.send('b', message);
    w.link.send('b', message);
    w.host.advance(500);
    w.ack(2);
    w.host.advance(600);
    expect(w.sent).toEqual(['D1', 'D2', 'D1']);
  });

  it('the adaptive timeout follows the measured round trip, never below the floor', () => {
    const w = world({ retransmitMs: 100, maxRetransmitMs: 60_000, adaptive: true });
    // Round trips of 2 s: the timeout grows past them.
    for (let i = 1; i <= 8; i++) {
      w.link.send('b', message);
      w.host.advance(2000);
      w.ack(i);
    }
    const before = w.link.stats.retransmissions;
    w.link.send('b', message);
    w.host.advance(2500);
    expect(w.link.stats.retransmissions).toBe(before);
    w.host.advance(30_000);
    expect(w.link.stats.retransmissions).toBeGreaterThan(before);
  });

  it('a peer at its window (MaxUnackedPerPeer) is slowed, not dropped: later frames wait unsent, in order, and each ack lets one more go', () => {
    const w = world({ retransmitMs: 1000, maxRetransmitMs: 8000, maxUnackedPerPeer: 2 });
    for (let i = 0; i < 5; i++) w.link.send('b', message);
    expect(w.sent).toEqual(['D1', 'D2']);
    expect(w.link.backlogOf('b')).toBe(3);
    expect(w.link.outstanding).toBe(5);
    w.ack(1);
    expect(w.sent).toEqual(['D1', 'D2', 'D3']);
    w.ack(3);
    w.ack(2);
    expect(w.sent).toEqual(['D1', 'D2', 'D3', 'D4', 'D5']);
    w.ack(4);
    w.ack(5);
    expect(w.link.outstanding).toBe(0);
    expect(w.link.stats.backlogged).toBe(3);
    expect(w.link.stats.backlogPeak).toBe(3);
    // What waited was never lost: nothing was retransmitted, nothing dropped.
    expect(w.link.stats.retransmissions).toBe(0);
  });

  it('without a window (the simulated network) every frame goes at once', () => {
    const w = world({ retransmitMs: 1000, maxRetransmitMs: 8000 });
    for (let i = 0; i < 5; i++) w.link.send('b', message);
    expect(w.sent).toEqual(['D1', 'D2', 'D3', 'D4', 'D5']);
    expect(w.link.backlogOf('b')).toBe(0);
  });

  it('past MaxBacklogPerPeer a peer that does not ack costs nothing more: its statements are owed from a log position and re-derived, page by page, as it acks again', () => {
    const w = world({ retransmitMs: 1000, maxRetransmitMs: 8000, maxUnackedPerPeer: 2, maxBacklogPerPeer: 2 });
    // A log of 40 steps, each publishing one statement for b (positions 1..40), the record naming its position.
    const log = Array.from({ length: 40 }, (_, i) => i + 1);
    const st = (pos: number): OpenedStatement => ({ issuer: 'a', verifiers: ['b'], auditors: [], record: { kind: 'record', type: 'T', fields: new Map([['p', { kind: 'int', value: BigInt(pos) }]]) } as unknown as OpenedStatement['record'] });
    const source: RederiveSource = {
      lower: (c: Cursor | undefined, at: number): Cursor => (c === undefined || at < c.pos ? { pos: at, idx: 0 } : c),
      page: (_peer, c, max) => {
        const left = log.filter((p) => p >= c.pos);
        const now = left.slice(0, max);
        return { statements: now.map(st), next: { pos: (now[now.length - 1] ?? c.pos) + 1, idx: 0 }, end: now.length === left.length };
      },
    };
    const resent: number[] = [];
    w.link.rederiveFrom(source, (_peer, statements) => {
      for (const s of statements) resent.push(Number((s.record as unknown as { fields: Map<string, { value: bigint }> }).fields.get('p')!.value));
      // The outbox sends them on, marked: the link holds them though it owes the peer.
      w.link.send('b', { kind: 'data', statements: statements.map(() => ({})), rederived: true } as unknown as Message);
    });
    // The peer is down: 40 steps publish for it.
    for (const p of log) w.link.send('b', { kind: 'data', statements: [{}], ownFrom: p } as unknown as Message);
    expect(w.sent).toEqual(['D1', 'D2']);
    expect(w.link.backlogOf('b')).toBe(2);
    expect(w.link.stats.heldPeak).toBe(4);
    expect(w.link.stats.notHeld).toBe(36);
    expect(w.link.owedPeers).toBe(1);
    // Owed, not settled.
    expect(w.link.outstanding).toBe(5);
    // Back: it acks what it gets; the link re-derives from position 5 (the first it did not hold) on.
    let acked = 0;
    for (let guard = 0; guard < 200 && w.link.outstanding > 0; guard++) {
      const pending = w.sent.slice(acked).filter((f) => f.startsWith('D'));
      acked = w.sent.length;
      for (const f of pending) w.ack(Number(f.slice(1)));
      if (pending.length === 0) break;
    }
    expect(w.link.outstanding).toBe(0);
    expect(w.link.owedPeers).toBe(0);
    expect(resent).toEqual(log.slice(4));
    expect(w.link.stats.rederived).toBe(36);
    // Paged by the room the window has: never more held than the window and the backlog bound allow, and one page.
    expect(w.link.stats.heldPeak).toBeLessThanOrEqual(4);
  });

  it('without a source to re-derive from (the simulated network, a TTP) the backlog is not bounded: nothing is dropped', () => {
    const w = world({ retransmitMs: 1000, maxRetransmitMs: 8000, maxUnackedPerPeer: 2, maxBacklogPerPeer: 2 });
    for (let i = 0; i < 10; i++) w.link.send('b', message);
    expect(w.link.backlogOf('b')).toBe(8);
    expect(w.link.stats.notHeld).toBe(0);
  });

  it('a copy of a frame delivered and acked already (recentSeqs) is acked again from its number, not opened again', () => {
    const host = new ManualHost();
    const sent: string[] = [];
    let deliver: (from: string, bytes: Uint8Array) => void = () => undefined;
    let opened = 0;
    const dataCodec: FrameCodec = {
      ...codec,
      peek: (bytes) => {
        const s = new TextDecoder().decode(bytes);
        return { kind: s.startsWith('A') ? 'ack' : 'data', seq: Number(s.slice(1)) };
      },
      open: (_from, bytes): Opened => {
        opened++;
        const s = new TextDecoder().decode(bytes);
        return s.startsWith('A') ? { kind: 'ack', seq: Number(s.slice(1)) } : { kind: 'data', seq: Number(s.slice(1)), statements: [{ issuer: 'b', verifiers: ['a'], auditors: [], record: {} as OpenedStatement['record'] }] };
      },
    };
    const transport: Transport = { me: 'a', send: (_to, bytes) => void sent.push(new TextDecoder().decode(bytes)), onFrame: (h) => void (deliver = h), close: async () => undefined };
    const delivered: number[] = [];
    const link = new ReliableLink(transport, dataCodec, host, (_from, m) => void delivered.push(m.seq), { retransmitMs: 1000, maxRetransmitMs: 8000, recentSeqs: 2 });
    const frame = (seq: number): Uint8Array => new TextEncoder().encode(`D${seq}`);
    deliver('b', frame(1));
    deliver('b', frame(1));
    deliver('b', frame(2));
    deliver('b', frame(3));
    // 1 has left the table of 2: opened again (and absorbed above, as without the table).
    deliver('b', frame(1));
    deliver('b', frame(3));
    expect(sent).toEqual(['A1', 'A1', 'A2', 'A3', 'A1', 'A3']);
    expect(delivered).toEqual([1, 2, 3, 1]);
    expect(opened).toBe(4);
    expect(link.stats.dropped['repeated']).toBe(2);
    // Another peer's numbers are its own.
    deliver('c', frame(2));
    expect(delivered).toEqual([1, 2, 3, 1, 2]);
  });
});
