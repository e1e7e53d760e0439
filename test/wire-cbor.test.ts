// The wire's codec: deterministic CBOR (RFC 8949 §4.2.1) of the subset the
// wire uses, the RFC's own test vectors, and everything the strict decoder
// must refuse.
import { describe, expect, it } from 'vitest';
import { decodeCbor, encodeCbor, type CborIn } from '../src/wire/cbor.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const unhex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));

describe('deterministic CBOR', () => {
  // RFC 8949 Appendix A, the items of the subset the wire uses.
  const vectors: [CborIn, string][] = [
    [0, '00'], [1, '01'], [10, '0a'], [23, '17'], [24, '1818'], [25, '1819'], [100, '1864'], [1000, '1903e8'],
    [1000000, '1a000f4240'], [1000000000000, '1b000000e8d4a51000'], [Number.MAX_SAFE_INTEGER, '1b001fffffffffffff'],
    [-1, '20'], [-10, '29'], [-100, '3863'], [-1000, '3903e7'], [false, 'f4'], [true, 'f5'],
    [new Uint8Array(0), '40'], [unhex('01020304'), '4401020304'], ['', '60'], ['a', '6161'], ['IETF', '6449455446'],
    ['"\\', '62225c'], ['\u00fc', '62c3bc'], ['\u6c34', '63e6b0b4'], [[], '80'], [[1, 2, 3], '83010203'],
    [[1, [2, 3], [4, 5]], '8301820203820405'], [{}, 'a0'], [{ a: 1, b: [2, 3] }, 'a26161016162820203'],
    [['a', { b: 'c' }], '826161a161626163'],
  ];
  it.each(vectors)('%j', (value, bytes) => {
    expect(hex(encodeCbor(value))).toBe(bytes);
    const d = decodeCbor(unhex(bytes));
    expect(d.ok && d.value).toEqual(value);
  });

  it('sorts map keys by their encoding (shorter first) whatever the insertion order', () => {
    expect(hex(encodeCbor({ bb: 1, a: 2, c: 3 }))).toBe(hex(encodeCbor({ c: 3, a: 2, bb: 1 })));
    expect(hex(encodeCbor({ bb: 1, c: 3 }))).toBe('a2616303626262' + '01');
  });

  const rejects: [string, string, string][] = [
    ['non-minimal integer', '1817', 'non-canonical'],
    ['non-minimal length', '780161', 'non-canonical'],
    ['indefinite array', '9f01ff', 'unsupported'],
    ['half float', 'f93c00', 'unsupported'],
    ['double', 'fb3ff0000000000000', 'unsupported'],
    ['null', 'f6', 'unsupported'],
    ['undefined', 'f7', 'unsupported'],
    ['tag', 'c11a514b67b0', 'unsupported'],
    ['integer beyond 2^53', '1b0020000000000000', 'int-range'],
    ['negative beyond -(2^53)', '3b001fffffffffffff', 'int-range'],
    ['unsorted map keys', 'a2616201616101', 'non-canonical'],
    ['repeated map key', 'a2616101616101', 'non-canonical'],
    ['integer map key', 'a10101', 'unsupported'],
    ['trailing bytes', '0000', 'trailing'],
    ['truncated', '1903', 'truncated'],
    ['empty input', '', 'truncated'],
    ['array longer than the input', '9bffffffffffffffff', 'int-range'],
    ['array count beyond the bytes left', '9a7fffffff00', 'truncated'],
    ['invalid UTF-8', '62c328', 'bad-utf8'],
    ['reserved additional information', '1c', 'unsupported'],
  ];
  it.each(rejects)('refuses %s', (_what, bytes, code) => {
    const d = decodeCbor(unhex(bytes));
    expect(d.ok ? 'accepted' : d.error.code).toBe(code);
  });

  it('bounds nesting without exhausting the stack', () => {
    const deep = new Uint8Array(200_000).fill(0x81);
    const d = decodeCbor(deep);
    expect(d.ok ? 'accepted' : d.error.code).toBe('too-deep');
    const maps = new Uint8Array(3 * 50_000);
    for (let i = 0; i < maps.length; i += 3) maps.set([0xa1, 0x61, 0x61], i);
    expect(decodeCbor(maps).ok).toBe(false);
  });

  it('a "__proto__" key is plain data', () => {
    const d = decodeCbor(encodeCbor({ ['__proto__']: 1 } as CborIn));
    expect(d.ok).toBe(true);
    if (d.ok) expect(Object.keys(d.value as object)).toEqual(['__proto__']);
  });

  it('orders map keys by their encodings: short and long, ASCII and not (2,000 random maps round-trip through the strict decoder)', () => {
    let seed = 7;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const alphabet = ['a', 'b', 'z', 'A', '_', '0', '\u00e9', '\u6c34', '\u{1f600}'];
    for (let i = 0; i < 2000; i++) {
      const m: Record<string, number> = {};
      const n = rnd(9);
      for (let k = 0; k < n; k++) {
        const len = [0, 1, 2, 5, 23, 24, 30][rnd(7)]!;
        let key = '';
        for (let c = 0; c < len; c++) key += alphabet[rnd(i % 2 === 0 ? 5 : alphabet.length)]!;
        m[key] = k;
      }
      const bytes = encodeCbor(m);
      const d = decodeCbor(bytes);
      expect(d.ok).toBe(true);
      if (d.ok) expect({ ...(d.value as object) }).toEqual(m);
    }
  });

  it('a decoded map inherits nothing: no key of Object.prototype reads as present', () => {
    const d = decodeCbor(encodeCbor({ kind: 'data' }));
    expect(d.ok).toBe(true);
    if (!d.ok) return;
    const m = d.value as Record<string, unknown>;
    for (const k of ['constructor', 'toString', 'hasOwnProperty', 'valueOf', '__proto__']) {
      expect(m[k]).toBeUndefined();
      expect(k in m).toBe(false);
    }
    expect(Object.keys(m)).toEqual(['kind']);
  });
});
