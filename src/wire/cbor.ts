// The subset of CBOR the wire uses, in RFC 8949 §4.2.1 core deterministic
// encoding: integers (safe JavaScript integers only), byte strings, UTF-8
// text strings, arrays, maps with text keys, false and true. Lengths are
// always definite and arguments always in their shortest form; map keys are
// sorted by their encoded bytes and never repeated.
//
// The decoder accepts exactly the bytes the encoder produces and nothing
// else (no floats, tags, null, undefined, indefinite lengths, non-minimal
// heads, unsorted or duplicate keys, trailing bytes), so a decoded value
// re-encodes to the very bytes it came from. It reads untrusted input: it
// never throws, bounds nesting, and checks every length against the bytes
// that remain before allocating anything.

/** A decoded or to-be-encoded CBOR item. */
export type Cbor = number | string | boolean | Uint8Array | readonly Cbor[] | CborMap;

/** A map with text keys. Decoded maps inherit nothing (DecodedMap), so no key is special. */
export interface CborMap {
  readonly [key: string]: Cbor;
}

/**
 * Bytes that are already one canonical CBOR item, spliced in as they are.
 * Only the encoder sees these (the statement encoder sorts sets by their
 * elements' encodings, and encodes each element once).
 */
export class Encoded {
  constructor(readonly bytes: Uint8Array) {}
}

export type CborIn = number | string | boolean | Uint8Array | Encoded | readonly CborIn[] | { readonly [key: string]: CborIn };

/** Deep enough for every frame and every record nesting a program can declare. */
export const MAX_CBOR_DEPTH = 64;

export type CborErrorCode = 'truncated' | 'trailing' | 'non-canonical' | 'unsupported' | 'too-deep' | 'bad-utf8' | 'int-range';

export interface CborError {
  readonly code: CborErrorCode;
  readonly detail: string;
  /** Byte offset where decoding stopped. */
  readonly at: number;
}

export type CborDecodeResult = { readonly ok: true; readonly value: Cbor } | { readonly ok: false; readonly error: CborError };

const MAJOR_UINT = 0;
const MAJOR_NEGINT = 1;
const MAJOR_BYTES = 2;
const MAJOR_TEXT = 3;
const MAJOR_ARRAY = 4;
const MAJOR_MAP = 5;
const MAJOR_SIMPLE = 7;
const FALSE = 0xf4;
const TRUE = 0xf5;
const TWO_32 = 0x1_0000_0000;

const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

// ---------------------------------------------------------------------------
// Encoding

class Writer {
  private buf = new Uint8Array(256);
  private len = 0;

  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  byte(b: number): void {
    this.room(1);
    this.buf[this.len++] = b;
  }

  bytes(bs: Uint8Array): void {
    this.room(bs.length);
    this.buf.set(bs, this.len);
    this.len += bs.length;
  }

  head(major: number, arg: number): void {
    const m = major << 5;
    if (arg < 24) this.byte(m | arg);
    else if (arg < 0x100) {
      this.byte(m | 24);
      this.byte(arg);
    } else if (arg < 0x1_0000) {
      this.byte(m | 25);
      this.byte(arg >>> 8);
      this.byte(arg & 0xff);
    } else if (arg < TWO_32) {
      this.byte(m | 26);
      this.u32(arg);
    } else {
      this.byte(m | 27);
      this.u32(Math.floor(arg / TWO_32));
      this.u32(arg >>> 0);
    }
  }

  private u32(n: number): void {
    this.byte((n >>> 24) & 0xff);
    this.byte((n >>> 16) & 0xff);
    this.byte((n >>> 8) & 0xff);
    this.byte(n & 0xff);
  }

  result(): Uint8Array {
    return this.buf.slice(0, this.len);
  }

  reset(): void {
    this.len = 0;
  }
}

/** Thrown only inside this module, for values the wire cannot carry (a caller's bug). */
export class CborEncodeError extends Error {}

/**
 * Text on the wire is names (principals, record types, fields, enumeration
 * values): a small vocabulary, each encoded to UTF-8 once. Bounded, so no
 * input can grow it without limit; long strings are not kept.
 */
const textCache = new Map<string, Uint8Array>();
const MAX_CACHED_TEXTS = 4096;

function textBytes(s: string): Uint8Array {
  const known = textCache.get(s);
  if (known !== undefined) return known;
  const b = utf8.encode(s);
  if (s.length <= 64 && textCache.size < MAX_CACHED_TEXTS) textCache.set(s, b);
  return b;
}

function writeItem(w: Writer, v: CborIn): void {
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw new CborEncodeError(`${v} is not a safe integer`);
    if (v >= 0) w.head(MAJOR_UINT, v);
    else w.head(MAJOR_NEGINT, -1 - v);
  } else if (typeof v === 'string') {
    const b = textBytes(v);
    w.head(MAJOR_TEXT, b.length);
    w.bytes(b);
  } else if (typeof v === 'boolean') {
    w.byte(v ? TRUE : FALSE);
  } else if (v instanceof Uint8Array) {
    w.head(MAJOR_BYTES, v.length);
    w.bytes(v);
  } else if (v instanceof Encoded) {
    w.bytes(v.bytes);
  } else if (Array.isArray(v)) {
    const items = v as readonly CborIn[];
    w.head(MAJOR_ARRAY, items.length);
    for (const x of items) writeItem(w, x);
  } else {
    const m = v as { readonly [key: string]: CborIn };
    const keys = Object.keys(m);
    sortKeys(keys);
    w.head(MAJOR_MAP, keys.length);
    for (const k of keys) {
      w.bytes(keyBytes(k));
      writeItem(w, m[k]!);
    }
  }
}

/**
 * Map keys in the order of their encodings, in place. Keys are a handful of
 * field names: an insertion sort, comparing ASCII keys as their encodings
 * compare (a shorter key has the smaller head, equal lengths compare by
 * bytes, which for ASCII is the strings' order) and any other by its bytes.
 */
function sortKeys(keys: string[]): void {
  for (let i = 1; i < keys.length; i++) {
    const k = keys[i]!;
    let j = i - 1;
    while (j >= 0 && compareKeys(keys[j]!, k) > 0) {
      keys[j + 1] = keys[j]!;
      j--;
    }
    keys[j + 1] = k;
  }
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return false;
  return true;
}

function compareKeys(a: string, b: string): number {
  if (isAscii(a) && isAscii(b)) {
    // Minimal heads order by length; at equal lengths the bytes are the characters.
    if (a.length !== b.length) return a.length - b.length;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  return compareBytes(keyBytes(a), keyBytes(b));
}

/**
 * The deterministic encoding of `v`. Throws CborEncodeError for a number that
 * is not a safe integer: callers pass typed values, so that is a bug, and the
 * modules above catch it at their boundary.
 */
export function encodeCbor(v: CborIn): Uint8Array {
  // One scratch buffer for every encoding (writeItem never re-enters here):
  // a fresh buffer per statement and frame was most of the encoder's cost.
  scratch.reset();
  writeItem(scratch, v);
  return scratch.result();
}

const scratch = new Writer();

/**
 * Map keys are field names, a small vocabulary (frame fields, record
 * fields): each is encoded once. The cache is bounded so that no input can
 * grow it without limit.
 */
const keyCache = new Map<string, Uint8Array>();
const MAX_CACHED_KEYS = 4096;

function keyBytes(k: string): Uint8Array {
  const known = keyCache.get(k);
  if (known !== undefined) return known;
  const w = new Writer();
  writeItem(w, k);
  const bytes = w.result();
  if (keyCache.size < MAX_CACHED_KEYS) keyCache.set(k, bytes);
  return bytes;
}

/** Bytewise lexicographic order, shorter first on a common prefix (RFC 8949 §4.2.1). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** compareBytes on two ranges of one buffer. */
function compareRanges(buf: Uint8Array, a0: number, a1: number, b0: number, b1: number): number {
  const n = Math.min(a1 - a0, b1 - b0);
  for (let i = 0; i < n; i++) {
    const d = buf[a0 + i]! - buf[b0 + i]!;
    if (d !== 0) return d;
  }
  return a1 - a0 - (b1 - b0);
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && compareBytes(a, b) === 0;
}

/** The CBOR major type of a decoded item (RFC 8949 §3.1). */
function majorOf(c: Cbor): number {
  switch (typeof c) {
    case 'number':
      return c >= 0 ? 0 : 1;
    case 'string':
      return 3;
    case 'boolean':
      return 7;
    default:
      if (c instanceof Uint8Array) return 2;
      return Array.isArray(c) ? 4 : 5;
  }
}

/** UTF-16 order is UTF-8 byte order for strings without surrogates or code units from U+D800 up. */
function belowSurrogates(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0xd800) return false;
  return true;
}

/**
 * The order of two decoded items' canonical encodings, as `compareBytes`
 * would give it on `encodeCbor(a)` and `encodeCbor(b)`, without encoding
 * them: heads are minimal, so within a major type a larger argument (an
 * integer, a length, a count) encodes to larger bytes; and canonical items
 * are prefix-free, so arrays compare element by element after their counts.
 * The sign is what matters. test/wire-canonical.test.ts holds it to the
 * encoded comparison on random items.
 */
export function compareCanonical(a: Cbor, b: Cbor): number {
  const ma = majorOf(a);
  const mb = majorOf(b);
  if (ma !== mb) return ma - mb;
  switch (ma) {
    case 0:
      return (a as number) - (b as number);
    case 1:
      // -1 - n is the argument: the larger number has the smaller argument.
      return (b as number) - (a as number);
    case 3: {
      const x = a as string;
      const y = b as string;
      if (x === y) return 0;
      // ASCII: one byte per unit (the usual case: names).
      if (isAscii(x) && isAscii(y)) return x.length !== y.length ? x.length - y.length : x < y ? -1 : 1;
      if (belowSurrogates(x) && belowSurrogates(y)) {
        // Below U+D800 the UTF-8 length is 1, 2 or 3 bytes per unit, by code unit.
        const lx = Buffer.byteLength(x, 'utf8');
        const ly = Buffer.byteLength(y, 'utf8');
        if (lx !== ly) return lx - ly;
        return x < y ? -1 : 1;
      }
      return compareBytes(encodeCbor(x), encodeCbor(y));
    }
    case 2: {
      const x = a as Uint8Array;
      const y = b as Uint8Array;
      return x.length !== y.length ? x.length - y.length : compareBytes(x, y);
    }
    case 4: {
      const x = a as readonly Cbor[];
      const y = b as readonly Cbor[];
      if (x.length !== y.length) return x.length - y.length;
      for (let i = 0; i < x.length; i++) {
        const d = compareCanonical(x[i]!, y[i]!);
        if (d !== 0) return d;
      }
      return 0;
    }
    case 7:
      return Number(a) - Number(b);
    default:
      return compareBytes(encodeCbor(a), encodeCbor(b));
  }
}

// ---------------------------------------------------------------------------
// Decoding

class Fail {
  constructor(readonly error: CborError) {}
}

/**
 * A decoded map: an object whose prototype is an empty object without a
 * prototype, so that no key is special (nothing is inherited, `__proto__` is
 * plain data) as with `Object.create(null)`, but which V8 keeps in its fast
 * property mode (an object created without a prototype is a hash table: every
 * field read of a decoded frame, and every listing of its keys, paid for it).
 */
const DecodedMap = function DecodedMap(): void {} as unknown as new () => Record<string, Cbor>;
DecodedMap.prototype = Object.create(null) as object;

/**
 * Text on the wire is mostly short ASCII names (principals, record types,
 * field and frame keys, enumeration values), decoded again in every frame.
 * Each is built once and kept in a fixed table of slots by a hash of its
 * bytes; a slot holds one text (a collision replaces it), and a hit is
 * confirmed byte by byte, so no input can grow the table or get a wrong
 * string back. The same string object comes back each time, which also
 * makes it a cheaper key wherever it is looked up. ASCII is valid UTF-8 and
 * decodes to itself; anything else goes through the strict decoder.
 */
const MAX_INTERNED_BYTES = 32;
const INTERN_SLOTS = 1024;
const internBytes: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(INTERN_SLOTS).fill(undefined);
const internTexts: string[] = new Array<string>(INTERN_SLOTS).fill('');

function internedAscii(buf: Uint8Array, at: number, n: number): string | undefined {
  let h = n;
  for (let i = 0; i < n; i++) {
    const b = buf[at + i]!;
    if (b >= 0x80) return undefined;
    h = Math.imul(h ^ b, 16777619);
  }
  const slot = (h >>> 0) & (INTERN_SLOTS - 1);
  const known = internBytes[slot];
  if (known !== undefined && known.length === n) {
    let same = true;
    for (let i = 0; i < n; i++) {
      if (known[i] !== buf[at + i]) {
        same = false;
        break;
      }
    }
    if (same) return internTexts[slot]!;
  }
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(buf[at + i]!);
  internBytes[slot] = buf.slice(at, at + n);
  internTexts[slot] = s;
  return s;
}

class Reader {
  pos = 0;
  constructor(private readonly buf: Uint8Array) {}

  fail(code: CborErrorCode, detail: string, at = this.pos): never {
    // A private exception type, caught in decodeCbor: it never leaves this module.
    throw new Fail({ code, detail, at });
  }

  remaining(): number {
    return this.buf.length - this.pos;
  }

  u8(): number {
    if (this.pos >= this.buf.length) this.fail('truncated', 'the input ends inside an item');
    return this.buf[this.pos++]!;
  }

  take(n: number): Uint8Array {
    if (n > this.remaining()) this.fail('truncated', `${n} bytes announced, ${this.remaining()} left`);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** The argument of a head whose additional information is `info`, checked to be minimal. */
  arg(info: number, start: number): number {
    if (info < 24) return info;
    let n: number;
    let min: number;
    switch (info) {
      case 24:
        n = this.u8();
        min = 24;
        break;
      case 25:
        n = this.u8() * 0x100 + this.u8();
        min = 0x100;
        break;
      case 26:
        n = this.u32();
        min = 0x1_0000;
        break;
      case 27: {
        const hi = this.u32();
        const lo = this.u32();
        // Above 2^53 - 1 a JavaScript number would round: refuse rather than misread.
        if (hi >= 0x20_0000) this.fail('int-range', 'an argument beyond 2^53 - 1', start);
        n = hi * TWO_32 + lo;
        min = TWO_32;
        break;
      }
      case 31:
        return this.fail('unsupported', 'indefinite lengths are not used', start);
      default:
        return this.fail('unsupported', `reserved additional information ${info}`, start);
    }
    if (n < min) this.fail('non-canonical', `the argument ${n} is not in its shortest form`, start);
    return n;
  }

  private u32(): number {
    return ((this.u8() << 24) >>> 0) + (this.u8() << 16) + (this.u8() << 8) + this.u8();
  }

  item(depth: number): Cbor {
    if (depth > MAX_CBOR_DEPTH) this.fail('too-deep', `nesting deeper than ${MAX_CBOR_DEPTH}`);
    const start = this.pos;
    const ib = this.u8();
    const major = ib >> 5;
    const info = ib & 0x1f;
    switch (major) {
      case MAJOR_UINT:
        return this.arg(info, start);
      case MAJOR_NEGINT: {
        const n = this.arg(info, start);
        if (n >= Number.MAX_SAFE_INTEGER) this.fail('int-range', 'an integer below -(2^53 - 1)', start);
        return -1 - n;
      }
      case MAJOR_BYTES:
      {
        const n = this.arg(info, start);
        if (n > this.remaining()) this.fail('truncated', `${n} bytes announced, ${this.remaining()} left`);
        // A copy: the caller may reuse the frame's buffer.
        const out = this.buf.slice(this.pos, this.pos + n);
        this.pos += n;
        return out;
      }
      case MAJOR_TEXT: {
        const n = this.arg(info, start);
        if (n <= MAX_INTERNED_BYTES && n <= this.remaining()) {
          const s = internedAscii(this.buf, this.pos, n);
          if (s !== undefined) {
            this.pos += n;
            return s;
          }
        }
        const raw = this.take(n);
        try {
          return strictUtf8.decode(raw);
        } catch {
          return this.fail('bad-utf8', 'a text string that is not UTF-8', start);
        }
      }
      case MAJOR_ARRAY: {
        const n = this.arg(info, start);
        // Every item takes at least one byte: a count beyond that is a lie.
        if (n > this.remaining()) this.fail('truncated', `an array of ${n} items in ${this.remaining()} bytes`, start);
        const out: Cbor[] = [];
        for (let i = 0; i < n; i++) out.push(this.item(depth + 1));
        return out;
      }
      case MAJOR_MAP: {
        const n = this.arg(info, start);
        if (n * 2 > this.remaining()) this.fail('truncated', `a map of ${n} entries in ${this.remaining()} bytes`, start);
        const out = new DecodedMap();
        // The previous key's bytes, by offsets into the input (no view made per key).
        let prevStart = -1;
        let prevEnd = -1;
        for (let i = 0; i < n; i++) {
          const keyStart = this.pos;
          const kb = this.buf[this.pos];
          if (kb === undefined) this.fail('truncated', 'the input ends inside a map');
          if (kb >> 5 !== MAJOR_TEXT) this.fail('unsupported', 'a map key that is not a text string');
          const key = this.item(depth + 1) as string;
          const order = prevStart < 0 ? -1 : compareRanges(this.buf, prevStart, prevEnd, keyStart, this.pos);
          if (order >= 0) this.fail('non-canonical', `map key "${key}" is ${order === 0 ? 'repeated' : 'out of order'}`, keyStart);
          prevStart = keyStart;
          prevEnd = this.pos;
          out[key] = this.item(depth + 1);
        }
        return out;
      }
      case MAJOR_SIMPLE:
        if (ib === FALSE) return false;
        if (ib === TRUE) return true;
        return this.fail('unsupported', `simple value or float 0x${ib.toString(16)} is not used`, start);
      default:
        return this.fail('unsupported', 'tags are not used', start);
    }
  }
}

/** Decodes exactly one item filling all of `bytes`. Never throws. */
export function decodeCbor(bytes: Uint8Array): CborDecodeResult {
  const r = new Reader(bytes);
  try {
    const value = r.item(0);
    if (r.remaining() !== 0) r.fail('trailing', `${r.remaining()} bytes after the item`);
    return { ok: true, value };
  } catch (e) {
    if (e instanceof Fail) return { ok: false, error: e.error };
    // Only a stack overflow could get here (the depth bound should prevent it).
    return { ok: false, error: { code: 'too-deep', detail: e instanceof Error ? e.message : String(e), at: r.pos } };
  }
}

export function isCborArray(v: Cbor): v is readonly Cbor[] {
  return Array.isArray(v);
}

export function isCborMap(v: Cbor): v is CborMap {
  return typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array);
}
