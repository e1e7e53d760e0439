// wire/peek.ts: a frame's kind and link number read from its first heads,
// without decoding it (issue 24 item 4: the link acks a copy of a frame it
// delivered already from its number alone). Every kind of frame, numbers up
// to a restarted node's (Date.now() x 1000), a vector clock before `seq` in
// the canonical key order; anything else is undefined, never a wrong answer.

import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encodeCbor } from '../src/wire/cbor.js';
import { ackFrame, countersignReplyFrame, dataFrame, encodeFrame, fetchedFrame, fetchFrame, helloFrame, type Frame } from '../src/wire/frame.js';
import { peekFrame } from '../src/wire/peek.js';

function bytes(f: Frame): Uint8Array {
  const e = encodeFrame(f);
  if (!e.ok) throw new Error(e.detail);
  return e.bytes;
}

describe('peekFrame', () => {
  const big = Date.now() * 1000;
  it('reads kind and seq of every sequenced kind, whatever comes before seq', () => {
    for (const seq of [0, 1, 23, 24, 255, 256, 65_536, 2 ** 32 + 5, big]) {
      expect(peekFrame(bytes(dataFrame('r1', 'r2', seq, [], { r1: 3, r2: 1_000_000, c1: 7 })))).toEqual({ kind: 'data', seq });
      expect(peekFrame(bytes(dataFrame('r1', 'r2', seq, [])))).toEqual({ kind: 'data', seq });
      expect(peekFrame(bytes(ackFrame('r2', 'r1', seq)))).toEqual({ kind: 'ack', seq });
      expect(peekFrame(bytes(fetchFrame('r1', 'r2', seq, [randomBytes(32)])))).toEqual({ kind: 'fetch', seq });
      expect(peekFrame(bytes(fetchedFrame('r1', 'r2', seq, [], [randomBytes(32)])))).toEqual({ kind: 'fetched', seq });
      expect(peekFrame(bytes(countersignReplyFrame('t', 'r2', seq, [])))).toEqual({ kind: 'countersign-reply', seq });
    }
  });

  it('says nothing of a hello, a non-map, a truncated frame, or a map without both', () => {
    expect(peekFrame(bytes(helloFrame('r1', 'r2')))).toBeUndefined();
    expect(peekFrame(encodeCbor([1, 2, 3]))).toBeUndefined();
    expect(peekFrame(encodeCbor({ kind: 'data' }))).toBeUndefined();
    expect(peekFrame(encodeCbor({ seq: 4 }))).toBeUndefined();
    expect(peekFrame(encodeCbor({ seq: -4, kind: 'data' }))).toBeUndefined();
    const whole = bytes(dataFrame('r1', 'r2', 77, [], { r1: 3 }));
    for (let n = 0; n < whole.length; n++) {
      const p = peekFrame(whole.subarray(0, n));
      // A prefix either stops short or, once kind and seq are in it, reads them right.
      if (p !== undefined) expect(p).toEqual({ kind: 'data', seq: 77 });
    }
    for (let i = 0; i < 2000; i++) {
      const p = peekFrame(randomBytes(1 + (i % 64)));
      if (p !== undefined) expect(typeof p.kind === 'string' && Number.isSafeInteger(p.seq)).toBe(true);
    }
  });
});
