// The decoder checks a frame's shape with a hand-written predicate
// (src/wire/frame-shape.ts) and only runs io-ts's `decode` (which builds a
// validation context for its error message) on a frame the predicate
// refuses. That is sound only if both accept exactly the same
// frames: this test holds the fast path (`frameShape`) equal to the
// decode-only reference (`referenceShape`) on every kind of frame and on
// thousands of structural mutations of them (fields of the wrong type,
// missing, extra, out of range, too long, nested wrongly).
import { describe, expect, it } from 'vitest';
import { int, mulberry32, pick, type Rand } from './helpers/random.js';
import { decodeCbor, type Cbor } from '../src/wire/cbor.js';
import {
  ackFrame,
  countersignReplyFrame,
  countersignRequestFrame,
  dataFrame,
  encodeFrame,
  fetchedFrame,
  fetchFrame,
  frameShape,
  helloFrame,
  referenceShape,
  type Frame,
  type WireItem,
} from '../src/wire/frame.js';
import { isFrameShape } from '../src/wire/frame-shape.js';

const MUTATIONS = 6_000;


const bytes = (n: number, fill = 7): Uint8Array => new Uint8Array(n).fill(fill);
const digest = (k: number): Uint8Array => bytes(32, k);

/** One legitimate frame of every kind and every authenticator, as the decoder sees them (CBOR decoded). */
function frames(): Cbor[] {
  const items: WireItem[] = [
    { stmt: bytes(40), auth: { kind: 'HMAC', tags: [{ to: 'r2', tag: bytes(32) }, { to: 'r3', tag: bytes(32, 3) }] } },
    { stmt: bytes(41), auth: { kind: 'ED25519', sig: bytes(64) }, relay: ['r2', 'r3'] },
    { stmt: bytes(42), auth: { kind: 'RSA', sig: bytes(256) }, digested: true },
    { stmt: bytes(43), auth: { kind: 'TTP', ttp: 'ttp', sig: bytes(64) } },
    { stmt: bytes(44), auth: { kind: 'SIGBATCH', batch: 0, index: 1 } },
    { stmt: bytes(45), auth: { kind: 'PLAINTEXT' } },
  ];
  const fs: Frame[] = [
    dataFrame('r1', 'r2', 7, items, { r1: 3, r2: 0 }, [{ alg: 'ED25519', digests: [digest(1), digest(2)], sig: bytes(64) }]),
    dataFrame('r1', 'r2', 0, []),
    ackFrame('r2', 'r1', 7),
    helloFrame('r1', 'r2'),
    countersignRequestFrame('c1', 'ttp', 2, items.slice(0, 2)),
    countersignReplyFrame('ttp', 'c1', 2, [{ digest: digest(4), sig: bytes(64) }]),
    fetchFrame('r2', 'r1', 3, [digest(5), digest(6)]),
    fetchedFrame('r1', 'r2', 3, [{ digest: digest(5), record: bytes(20) }], [digest(6)]),
  ];
  return fs.map((f) => {
    const e = encodeFrame(f);
    if (!e.ok) throw new Error(e.detail);
    const c = decodeCbor(e.bytes);
    if (!c.ok) throw new Error(c.error.detail);
    return c.value;
  });
}

/** Values of every CBOR type, including the near misses a codec must tell apart. */
const replacements: readonly (() => Cbor | undefined)[] = [
  () => undefined, // the field removed
  () => '',
  () => 'r9',
  () => 'x'.repeat(300),
  () => -1,
  () => 1.5,
  () => 2 ** 60,
  () => 0,
  () => true,
  () => bytes(0),
  () => bytes(31),
  () => bytes(32),
  () => [],
  () => ['r1'],
  () => [bytes(32)],
  () => ({}),
  () => ({ kind: 'HMAC', tags: [] }),
  () => ({ kind: 'SIGBATCH', batch: -1, index: 0 }),
  () => ({ to: 'r2', tag: bytes(32) }),
  () => 'data',
  () => 'ED25519',
  // io-ts's record(Name, Seq) lets a key that is no Name hold anything: the hand-written check must too.
  () => ({ '': 'x', r1: 2 }),
  () => ({ r1: -1 }),
  () => ({ kind: 'TTP', ttp: '', sig: bytes(64) }),
];

function clone(c: Cbor): Cbor {
  if (c instanceof Uint8Array) return c.slice();
  if (Array.isArray(c)) return c.map(clone);
  if (typeof c === 'object') return Object.fromEntries(Object.entries(c).map(([k, v]) => [k, clone(v as Cbor)]));
  return c;
}

/** Every container in `c` (maps and arrays), so a mutation can land at any depth. */
function containers(c: Cbor, out: (Record<string, Cbor> | Cbor[])[] = []): (Record<string, Cbor> | Cbor[])[] {
  if (c instanceof Uint8Array || typeof c !== 'object') return out;
  out.push(c as Record<string, Cbor> | Cbor[]);
  for (const v of Object.values(c)) containers(v as Cbor, out);
  return out;
}

function mutate(r: Rand, frame: Cbor): Cbor {
  const c = clone(frame);
  const n = 1 + int(r, 3);
  for (let i = 0; i < n; i++) {
    const target = pick(r, containers(c));
    const v = pick(r, replacements)();
    if (Array.isArray(target)) {
      const at = int(r, target.length + 1);
      if (v === undefined) target.splice(at, 1);
      else target[at] = v;
    } else {
      const keys = Object.keys(target);
      // Mostly an existing field; sometimes a new one (closed codecs refuse it).
      const key = keys.length === 0 || r() < 0.15 ? pick(r, ['extra', 'kind', 'sig', 'v', 'relay', 'digested']) : pick(r, keys);
      if (v === undefined) delete target[key];
      else target[key] = v;
    }
  }
  return c;
}

describe('frame shape: the fast path accepts exactly what io-ts decode accepts', () => {
  it('agrees on every legitimate frame kind', () => {
    for (const f of frames()) {
      const fast = frameShape(f);
      expect(fast.ok).toBe(true);
      // Taken by the hand-written predicate itself, not by its io-ts fallback.
      expect(isFrameShape(f)).toBe(true);
      expect(fast).toEqual(referenceShape(f));
    }
  });

  it('agrees on the corners random mutation rarely reaches', () => {
    const data = frames()[0] as Record<string, Cbor>;
    const cases: Cbor[] = [
      // A key that is no Name may hold anything in a vector clock (io-ts's record(Name, Seq)); a Name must hold a Seq.
      { ...data, vc: { '': 'x', r1: 2 } },
      { ...data, vc: { ['x'.repeat(300)]: -1 } },
      { ...data, vc: { r1: -1 } },
      { ...data, vc: [] },
      { ...data, vc: bytes(3) },
      { ...data, sigs: [] },
      { ...data, sigs: [{ alg: 'RSA', digests: [], sig: bytes(1) }] },
      { ...data, sigs: [{ alg: 'RSA', digests: Array.from({ length: 257 }, () => digest(1)), sig: bytes(1) }] },
      { ...data, items: [{ stmt: bytes(1), auth: { kind: 'PLAINTEXT' }, carried: [] }] },
      { ...data, items: [{ stmt: bytes(1), auth: { kind: 'PLAINTEXT' }, carried: [{ kind: 'PLAINTEXT' }] }] },
      { ...data, items: [{ stmt: bytes(1), auth: { kind: 'PLAINTEXT', sig: bytes(64) } }] },
      { ...data, items: [{ stmt: bytes(1), auth: { kind: 'HMAC', tags: [{ to: 'r2', tag: bytes(1), extra: 1 }] } }] },
      { ...data, items: [{ stmt: bytes(1), auth: bytes(2) }] },
      { ...data, seq: Number.MAX_SAFE_INTEGER + 1 },
    ];
    for (const c of cases) expect(frameShape(c)).toEqual(referenceShape(c));
    expect(isFrameShape(cases[0]!)).toBe(true);
    expect(frameShape(cases[2]!).ok).toBe(false);
  });

  it(`agrees on ${MUTATIONS} structurally mutated frames, refusals with the same reason and detail`, () => {
    const r = mulberry32(0x5a9e);
    const base = frames();
    let accepted = 0;
    let refused = 0;
    for (let i = 0; i < MUTATIONS; i++) {
      const m = mutate(r, pick(r, base));
      const fast = frameShape(m);
      const ref = referenceShape(m);
      if (fast.ok !== ref.ok) throw new Error(`disagree on ${JSON.stringify(m, (_k, v: unknown) => (v instanceof Uint8Array ? `bytes(${v.length})` : v))}: fast ${fast.ok}, reference ${ref.ok}`);
      expect(fast).toEqual(ref);
      if (fast.ok) accepted++;
      else refused++;
    }
    // Both sides of the comparison are exercised, or the test proves nothing.
    expect(accepted).toBeGreaterThan(MUTATIONS / 50);
    expect(refused).toBeGreaterThan(MUTATIONS / 2);
  });
});
