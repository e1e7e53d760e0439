// The DIGEST optimizer on the wire: a field holding a record travels as the
// record's digest; the receiver rebuilds the full statement (what the
// authenticator covers) from the records it holds, holds an item whose record
// it lacks, fetches it, and accepts a fetched record only when its digest is
// the one asked for. Nothing a peer sends makes it throw.

import { describe, expect, it } from 'vitest';
import { WireCodec } from '../src/runtime/wire-codec.js';
import type { Opened, OpenedStatement } from '../src/runtime/codec.js';
import { makeRecord } from '../src/semantics/value.js';
import { decodeFrame, encodeFrame, fetchedFrame, fetchFrame, recordDigest, type DataFrame } from '../src/wire/index.js';
import { encodeCbor, type CborIn } from '../src/wire/cbor.js';
import { fakeDeployment, KeyWorld, MECHANISMS, modelOf, programOf, schemaOf } from './helpers/wire.js';

const PROGRAM = `PROGRAM Dig
PRINCIPALS C = {c1, c2}
PRINCIPALS R = {r1, r2, r3, r4}
CONSTANT Max = 2
TYPE Small = 0..Max
RECORD Req { who: C, n: Small }
RECORD Pre { k: Small, m: Req }
ROLE Replica AT R {
  VAR x : Small = 0
  TRANSITION T
    WHEN [c C == 1, ME, NOONE] Req q
  @@{
    x <- q.n;
  @@}
}
INVARIANT Ok: TRUE
MODEL M {
  CONSTANT Max = 3
}
`;

const model = modelOf(programOf('Dig.mom', PROGRAM), 'M');
const schema = schemaOf(model);
const everyone = ['c1', 'c2', 'r1', 'r2', 'r3', 'r4', 'ttp'];
const keys = new KeyWorld(everyone);
// A DIGEST rule, so that every codec indexes the records it sees (it does only then).
const span = { start: 0, end: 0 };
const deployment = {
  ...fakeDeployment(everyone, MECHANISMS),
  dissemination: [{ publishers: everyone, verifiers: everyone, recordTypes: [], optimizers: [{ name: 'DIGEST', args: [], argSpans: [], span }], span }],
};
const codec = (p: string): WireCodec => new WireCodec(keys.ring(p), deployment, schema);
const R = ['r1', 'r2', 'r3', 'r4'];
const reqRecord = makeRecord('Req', ['c1', 2]);
// c1 authenticates with HMAC (MECHANISMS), r1 signs with Ed25519.
const req: OpenedStatement = { issuer: 'c1', verifiers: R, auditors: [], record: reqRecord };
const pre: OpenedStatement = { issuer: 'r1', verifiers: R, auditors: [], record: makeRecord('Pre', [1, reqRecord]) };

const dataOf = (o: Opened): Extract<Opened, { kind: 'data' }> => {
  if (o.kind !== 'data') throw new Error(`expected data, got ${o.kind}${o.kind === 'drop' ? ` (${o.reason})` : ''}`);
  return o;
};

/** r1 holds req (from c1); r2 too; r3 and r4 do not. */
function world(): { c1: WireCodec; r1: WireCodec; r2: WireCodec; r3: WireCodec; r4: WireCodec } {
  const w = { c1: codec('c1'), r1: codec('r1'), r2: codec('r2'), r3: codec('r3'), r4: codec('r4') };
  const out = w.c1.prepare(req)!;
  expect(dataOf(w.r1.open('c1', w.c1.frame('r1', 1, { kind: 'data', statements: [out] }))).statements).toHaveLength(1);
  expect(dataOf(w.r2.open('c1', w.c1.frame('r2', 1, { kind: 'data', statements: [out] }))).statements).toHaveLength(1);
  return w;
}

function digestedFrame(w: ReturnType<typeof world>, to: string, seq = 1): Uint8Array {
  return w.r1.frame(to, seq, { kind: 'data', statements: [w.r1.prepare(pre)!], digested: [true] });
}

describe('DIGEST on the wire', () => {
  it('a PrePrepare-like statement travels with its Req as a digest, and opens to the full statement', () => {
    const w = world();
    const bytes = digestedFrame(w, 'r2');
    const d = decodeFrame(bytes, { me: 'r2' });
    if (!d.ok || d.frame.kind !== 'data') throw new Error('no data frame');
    const item = d.frame.items[0]!;
    expect(item.digested).toBe(true);
    // The full form, for comparison: the same statement without DIGEST.
    const full = decodeFrame(w.r1.frame('r2', 2, { kind: 'data', statements: [w.r1.prepare(pre)!] }), { me: 'r2' });
    if (!full.ok || full.frame.kind !== 'data') throw new Error('no data frame');
    expect(full.frame.items[0]!.digested).toBeUndefined();
    // The signature is the same: it covers the full bytes either way.
    expect(item.auth).toEqual(full.frame.items[0]!.auth);
    expect(item.stmt).not.toEqual(full.frame.items[0]!.stmt);
    const at2 = dataOf(w.r2.open('r1', bytes));
    expect(at2.statements).toEqual([expect.objectContaining({ issuer: 'r1', record: pre.record })]);
    expect(w.r2.local.digest.rebuilt).toBe(1);
    expect(w.r1.local.digest.sent).toBe(2 - 1);
    // Re-encoded, the frame is the same bytes (the digest form is canonical).
    const again = encodeFrame(d.frame);
    expect(again.ok && again.bytes).toEqual(bytes);
  });

  it('the record in the same frame is enough; a verifier not known to hold it gets the full statement', () => {
    const w = world();
    // c1's own Req, then r1's Pre in one frame to r3 (which held nothing): rebuilt at once.
    const r3 = codec('r3');
    const reqOut = w.c1.prepare(req)!;
    const reqItem = decodeFrame(w.c1.frame('r3', 1, { kind: 'data', statements: [reqOut] }), { me: 'r3' });
    const preItem = decodeFrame(digestedFrame(w, 'r3'), { me: 'r3' });
    if (!reqItem.ok || reqItem.frame.kind !== 'data' || !preItem.ok || preItem.frame.kind !== 'data') throw new Error('no frames');
    const both: DataFrame = { ...preItem.frame, from: 'r1', items: [reqItem.frame.items[0]!, preItem.frame.items[0]!] };
    const enc = encodeFrame(both);
    if (!enc.ok) throw new Error(enc.detail);
    // The Req item is c1's (HMAC for r3), carried by r1: it fails as an item, but its record still names what the digest names.
    const got = dataOf(r3.open('r1', enc.bytes));
    expect(got.statements.map((s) => s.record.type)).toContain('Pre');
    // A codec that knows req only through its own Pre has no evidence that r2 holds it.
    const lone = codec('r1');
    lone.frame('r2', 1, { kind: 'data', statements: [lone.prepare(pre)!], digested: [true] });
    expect(lone.local.digest.full).toBe(1);
    expect(lone.local.digest.sent).toBe(0);
  });

  it('an item whose record is missing is held, the record fetched from the sender, and the statement delivered', () => {
    const w = world();
    // r1 believes r3 holds req (r3 is one of its verifiers), but r3 has not got it yet.
    const at3 = dataOf(w.r3.open('r1', digestedFrame(w, 'r3')));
    expect(at3.statements).toEqual([]);
    expect(at3.held).toBe(1);
    expect(w.r3.heldItems).toBe(1);
    expect(at3.fetch).toHaveLength(1);
    const want = at3.fetch![0]!;
    expect(want.candidates[0]).toBe('r1');
    expect(w.r3.stillMissing(want.digest)).toBe(true);
    // r3 asks r1; r1 answers with the record.
    const asked = w.r1.open('r3', w.r3.frame('r1', 1, { kind: 'fetch', digests: [want.digest] }));
    if (asked.kind !== 'fetch') throw new Error(`expected fetch, got ${asked.kind}`);
    expect(asked.records).toHaveLength(1);
    expect(asked.unknown).toEqual([]);
    const answer = dataOf(w.r3.open('r1', w.r1.frame('r3', 7, { kind: 'fetched', records: asked.records, unknown: asked.unknown })));
    expect(answer.seq).toBe(7);
    expect(answer.resolved).toHaveLength(1);
    expect(answer.resolved![0]!.from).toBe('r1');
    expect(answer.resolved![0]!.statements).toEqual([expect.objectContaining({ issuer: 'r1', record: pre.record })]);
    expect(w.r3.heldItems).toBe(0);
    expect(w.r3.stillMissing(want.digest)).toBe(false);
    expect(w.r3.local.digest).toMatchObject({ held: 1, resolved: 1, fetched: 1, bad: 0 });
    expect(w.r1.local.digest.served).toBe(1);
    // The same item again (a retransmission) now rebuilds at once.
    expect(dataOf(w.r3.open('r1', digestedFrame(w, 'r3', 2))).statements).toHaveLength(1);
  });

  it('a fetched record with the wrong bytes is refused by the digest check; the item stays held until the right one comes', () => {
    const w = world();
    const at3 = dataOf(w.r3.open('r1', digestedFrame(w, 'r3')));
    const digest = at3.fetch![0]!.digest;
    const wrong = encodeCbor(['Req', 'c2', 1]);
    const liar = encodeFrame(fetchedFrame('r4', 'r3', 1, [{ digest, record: wrong }], []));
    if (!liar.ok) throw new Error(liar.detail);
    const r = dataOf(w.r3.open('r4', liar.bytes));
    expect(r.resolved).toBeUndefined();
    expect(w.r3.local.digest.bad).toBe(1);
    expect(w.r3.stillMissing(digest)).toBe(true);
    expect(w.r3.heldItems).toBe(1);
    // An unasked record is ignored.
    const stray = encodeFrame(fetchedFrame('r4', 'r3', 2, [{ digest: recordDigest(wrong), record: wrong }], []));
    if (!stray.ok) throw new Error(stray.detail);
    dataOf(w.r3.open('r4', stray.bytes));
    expect(w.r3.local.digest.late).toBe(1);
    // The right record, from anyone, completes it.
    const right = encodeCbor(['Req', 'c1', 2]);
    expect(recordDigest(right)).toEqual(digest);
    const good = encodeFrame(fetchedFrame('r2', 'r3', 1, [{ digest, record: right }], []));
    if (!good.ok) throw new Error(good.detail);
    expect(dataOf(w.r3.open('r2', good.bytes)).resolved?.[0]?.statements).toHaveLength(1);
  });

  it('a node asked for a digest it does not hold answers unknown, and garbage digests do not crash it', () => {
    const w = world();
    const d = recordDigest(encodeCbor(['Req', 'c1', 2]));
    const nothing = new Uint8Array(32);
    const f = encodeFrame(fetchFrame('r3', 'r4', 1, [d, nothing]));
    if (!f.ok) throw new Error(f.detail);
    const a = w.r4.open('r3', f.bytes);
    if (a.kind !== 'fetch') throw new Error(`expected fetch, got ${a.kind}`);
    expect(a.records).toEqual([]);
    expect(a.unknown).toEqual([d, nothing]);
    expect(w.r4.local.digest.unknown).toBe(2);
    // The answer encodes and decodes.
    const back = w.r3.open('r4', w.r4.frame('r3', 1, { kind: 'fetched', records: [], unknown: a.unknown }));
    expect(back.kind).toBe('data');
    // Bad shapes are malformed frames: a short digest, an empty list, an unknown field.
    const bad: Record<string, CborIn>[] = [
      { v: 1, kind: 'fetch', from: 'r3', to: 'r4', seq: 1, digests: [new Uint8Array(31)] },
      { v: 1, kind: 'fetch', from: 'r3', to: 'r4', seq: 1, digests: [] },
      { v: 1, kind: 'fetched', from: 'r3', to: 'r4', seq: 1, records: [{ digest: d, record: new Uint8Array(1), x: 1 }], unknown: [] },
      { v: 1, kind: 'data', from: 'r3', to: 'r4', seq: 1, items: [{ stmt: new Uint8Array(1), auth: { kind: 'PLAINTEXT' }, digested: false }] },
    ];
    for (const b of bad) expect(w.r4.open('r3', encodeCbor(b))).toEqual({ kind: 'drop', reason: 'malformed' });
  });

  it('digest markers of the wrong shape, or in a field that holds no record, make the item malformed', () => {
    const w = world();
    const d = decodeFrame(digestedFrame(w, 'r2'), { me: 'r2' });
    if (!d.ok || d.frame.kind !== 'data') throw new Error('no frame');
    const item = d.frame.items[0]!;
    const digest = recordDigest(encodeCbor(['Req', 'c1', 2]));
    const forms = [
      encodeCbor(['r1', R, [], ['Pre', 1, { d: new Uint8Array(3) }]]),
      encodeCbor(['r1', R, [], ['Pre', 1, { d: digest, e: 1 }]]),
      encodeCbor(['r1', R, [], ['Pre', { d: digest }, { d: digest }]]),
      encodeCbor(['r1', R, [], ['Pre', 1, ['Req', 'c1', 2]]]),
      encodeCbor(['r1', R, [], ['Nope', 1]]),
      new Uint8Array([0xff]),
    ];
    for (const stmt of forms) {
      const f = encodeFrame({ ...d.frame, items: [{ ...item, stmt }] });
      if (!f.ok) throw new Error(f.detail);
      expect(dataOf(w.r2.open('r1', f.bytes)).statements).toEqual([]);
    }
    expect(w.r2.wire.snapshot().itemsDropped.malformed).toBe(forms.length);
  });

  it('fuzzed digest, fetch and fetched frames never throw and never deliver a statement the issuer did not sign', () => {
    const w = world();
    let seed = 7;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const digestOfReq = recordDigest(encodeCbor(['Req', 'c1', 2]));
    const seeds = [
      digestedFrame(w, 'r3'),
      encodeFrame(fetchFrame('r1', 'r3', 1, [digestOfReq])),
      encodeFrame(fetchedFrame('r1', 'r3', 1, [{ digest: digestOfReq, record: encodeCbor(['Req', 'c1', 2]) }], [new Uint8Array(32)])),
    ].map((x) => (x instanceof Uint8Array ? x : x.ok ? x.bytes : new Uint8Array()));
    let delivered = 0;
    for (let k = 0; k < 3000; k++) {
      const base = seeds[k % seeds.length]!;
      const b = Uint8Array.from(base);
      const flips = 1 + rand(4);
      for (let j = 0; j < flips; j++) b[rand(b.length)] = rand(256);
      const r3 = k % 100 === 0 ? (w.r3 = codec('r3')) : w.r3;
      const o = r3.open('r1', k % 7 === 0 ? b.subarray(0, rand(b.length)) : b);
      if (o.kind === 'data') {
        for (const s of [...o.statements, ...(o.resolved ?? []).flatMap((x) => x.statements)]) {
          delivered++;
          expect(s.record).toEqual(pre.record);
        }
      }
    }
    expect(delivered).toBeLessThan(3000);
  });
});
