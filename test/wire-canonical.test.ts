// Two shortcuts of the statement decoder, held to what they replace:
// - compareCanonical orders decoded items as compareBytes orders their
//   canonical encodings, without encoding them (sets are checked with it);
// - a statement that decodes is not re-encoded to be compared with its
//   bytes: its canonical encoding must be those very bytes, which this test
//   checks on legitimate statements and on thousands of mutations of them.
import { describe, expect, it } from 'vitest';
import { int, mulberry32, pick, type Rand } from './helpers/random.js';
import { makeRecord, makeSet } from '../src/semantics/value.js';
import { compareBytes, compareCanonical, encodeCbor, type Cbor } from '../src/wire/cbor.js';
import { decodeStatement, encodeStatement, type StatementBody } from '../src/wire/index.js';
import { kindsWorld } from './helpers/wire.js';


// Around every head-size boundary, and the ends of the safe range.
const INTS = [0, 1, 23, 24, 25, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER];
const CHARS = ['a', 'b', 'z', 'A', '0', 'é', 'ß', '€', '\u07ff', '\u0800', '\ud7ff', '\ue000', '\uffff', '😀', '𝄞'];

function item(r: Rand, depth: number): Cbor {
  switch (int(r, depth > 2 ? 5 : 7)) {
    case 0: {
      const n = r() < 0.5 ? pick(r, INTS) : int(r, 300);
      return r() < 0.3 ? -1 - Math.min(n, Number.MAX_SAFE_INTEGER - 1) : n;
    }
    case 1:
      return Array.from({ length: int(r, 4) }, () => pick(r, CHARS)).join('');
    case 2:
      return Array.from({ length: int(r, 30) }, () => pick(r, ['a', 'b'])).join('');
    case 3:
      return new Uint8Array(Array.from({ length: int(r, 4) }, () => int(r, 3) * 127));
    case 4:
      return r() < 0.5;
    case 5:
      return Array.from({ length: int(r, 3) }, () => item(r, depth + 1));
    default:
      return Object.fromEntries(Array.from({ length: int(r, 2) }, () => [pick(r, ['k', 'kk', 'é']), item(r, depth + 1)]));
  }
}

const sign = (x: number): number => (x > 0 ? 1 : x < 0 ? -1 : 0);

describe('compareCanonical', () => {
  it('orders 30,000 random pairs as their encodings compare', () => {
    const r = mulberry32(0xc0de);
    let equal = 0;
    for (let i = 0; i < 30_000; i++) {
      const a = item(r, 0);
      // Often a near neighbour of a, so that equal heads and long common prefixes occur.
      const b = r() < 0.3 ? JSON.parse(JSON.stringify(a, (_k, v: unknown) => v)) as Cbor : item(r, 0);
      const want = sign(compareBytes(encodeCbor(a), encodeCbor(b)));
      const got = sign(compareCanonical(a, b));
      if (got !== want) throw new Error(`${JSON.stringify(a)} vs ${JSON.stringify(b)}: ${got}, encodings say ${want}`);
      if (want === 0) equal++;
    }
    expect(equal).toBeGreaterThan(100);
  });

  it('gets the cases a naive comparison gets wrong', () => {
    expect(compareCanonical(-1, -2)).toBeLessThan(0); // arguments 0 and 1
    expect(compareCanonical(1000, -1)).toBeLessThan(0); // major type 0 before 1
    expect(compareCanonical('b', 'aa')).toBeLessThan(0); // length first
    expect(compareCanonical('\uffff', '😀')).toBeLessThan(0); // 3 UTF-8 bytes before 4, though UTF-16 says otherwise
    expect(compareCanonical('\ue000', '\ud800\udc00')).toBeLessThan(0); // U+E000 before U+10000
    expect(compareCanonical([5], [1, 1])).toBeLessThan(0); // count first
  });
});

describe('decodeStatement: what decodes re-encodes to its own bytes', () => {
  it('holds on legitimate statements and on 20,000 mutations of them', () => {
    const w = kindsWorld();
    const r = mulberry32(0x57a7);
    const kinds = (k: number) =>
      makeRecord('Kinds', [k % 2 === 0, ['Red', 'Green', 'Blue'][k % 3]!, k % 4, -1 - k, 1000 * k, `r${1 + (k % 4)}`, makeSet([0, k % 4]), makeSet(['r1', `r${1 + (k % 4)}`]), makeRecord('Inner', ['c1', k % 4]), makeSet([makeRecord('Inner', ['c2', k % 3]), makeRecord('Inner', ['c1', 1])])]);
    const legit: Uint8Array[] = [];
    for (let k = 0; k < 8; k++) {
      const s: StatementBody = { issuer: 'c1', verifiers: ['r1', 'r2', 'r3'].slice(0, 1 + (k % 3)), auditors: k % 2 === 0 ? [] : ['r4', 'c2'], record: kinds(k) };
      const e = encodeStatement(w.schema, s);
      if (!e.ok) throw new Error(e.error.detail);
      legit.push(e.encoded.bytes);
    }
    let decoded = 0;
    for (let i = 0; i < 20_000; i++) {
      const bytes = pick(r, legit).slice();
      if (i % 8 !== 0) {
        // Byte flips, and small integers and names swapped in place.
        const at = int(r, bytes.length);
        bytes[at] = r() < 0.5 ? bytes[at]! ^ (1 << int(r, 8)) : int(r, 256);
      }
      const d = decodeStatement(w.schema, bytes);
      if (!d.ok) continue;
      decoded++;
      const again = encodeStatement(w.schema, d.encoded.statement);
      expect(again.ok).toBe(true);
      if (again.ok && compareBytes(again.encoded.bytes, bytes) !== 0) throw new Error(`decoded ${JSON.stringify(d.encoded.statement)} re-encodes to other bytes`);
      expect(d.encoded.bytes).toEqual(bytes);
    }
    expect(decoded).toBeGreaterThan(2_500);
  });
});
