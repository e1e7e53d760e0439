// A frame's shape checked by hand: the predicate io-ts's `is` computes for
// frame.ts's codecs, written out without io-ts's closures, per-call arrays
// (`Object.values(...).some`) and combinator layers. Every frame is checked
// twice (the sender's encodeFrame, the receiver's decodeFrame), and io-ts's
// `is` was a tenth of the wire's own CPU per statement (issue 24 item 1).
//
// It must accept exactly what the codecs accept, quirks included: a vector
// clock is io-ts's `record(Name, Seq)`, which lets a key that is not a Name
// (empty, or too long) hold anything; a map may be any non-array object.
// test/wire-shape.test.ts holds it equal to io-ts's `decode` on every frame
// kind and thousands of mutations of them. Arrays are walked by index: a
// decoded frame never has holes (CBOR arrays are dense), nor has one the
// encoder builds.

/** The wire version every frame carries. */
export const WIRE_VERSION = 1;
/** Principal names on the wire are at most this long (in UTF-16 units). */
export const MAX_NAME_LENGTH = 255;
/** Bytes of the SHA-256 digest that names a statement in a countersign reply. */
export const DIGEST_BYTES = 32;
/** At most this many statements share one batch signature. */
export const MAX_BATCH_DIGESTS = 256;
/** At most this many digests in one fetch (and records plus unknown in one answer). */
export const MAX_FETCH_DIGESTS = 256;

type Map = Readonly<Record<string, unknown>>;

/** io-ts's UnknownRecord. */
function isMap(u: unknown): u is Map {
  return u !== null && typeof u === 'object' && !Array.isArray(u);
}

function isName(u: unknown): boolean {
  return typeof u === 'string' && u.length > 0 && u.length <= MAX_NAME_LENGTH;
}

function isSeq(u: unknown): boolean {
  return typeof u === 'number' && Number.isSafeInteger(u) && u >= 0;
}

function isBytes(u: unknown): boolean {
  return u instanceof Uint8Array;
}

function isDigest(u: unknown): boolean {
  return u instanceof Uint8Array && u.length === DIGEST_BYTES;
}

/** Every element satisfies `is` (io-ts's `array(C).is`). */
function allOf(u: unknown, is: (x: unknown) => boolean): u is readonly unknown[] {
  if (!Array.isArray(u)) return false;
  for (let i = 0; i < u.length; i++) if (!is(u[i])) return false;
  return true;
}

/**
 * No own key outside `known` (the closed codecs' "no other field"). A for-in
 * walk makes no array of keys; it also sees enumerable inherited keys, which
 * a decoded map (nothing inherited) and a plain object do not have: were one
 * there, the frame would be refused here and judged by io-ts's decode, which
 * is never wrong, only slower.
 */
function only(u: Map, known: ReadonlySet<string>): boolean {
  for (const k in u) if (!known.has(k)) return false;
  return true;
}

const keys = (...ks: string[]): ReadonlySet<string> => new Set(ks);
const MAC_TAG = keys('to', 'tag');
const AUTH_KEYS: Readonly<Record<string, ReadonlySet<string>>> = {
  PLAINTEXT: keys('kind'),
  HMAC: keys('kind', 'tags'),
  ED25519: keys('kind', 'sig'),
  RSA: keys('kind', 'sig'),
  TTP: keys('kind', 'ttp', 'sig'),
  SIGBATCH: keys('kind', 'batch', 'index'),
};
const ITEM = keys('stmt', 'auth', 'relay', 'digested', 'carried');
const BATCH_SIGNATURE = keys('alg', 'digests', 'sig');
const COUNTERSIGNATURE = keys('digest', 'sig');
const FETCHED_RECORD = keys('digest', 'record');

function isMacTag(u: unknown): boolean {
  return isMap(u) && isName(u['to']) && isBytes(u['tag']) && only(u, MAC_TAG);
}

/** One of the authenticator codecs (each has its own literal `kind`, so at most one can accept). */
export function isAuthShape(u: unknown): boolean {
  if (!isMap(u)) return false;
  const kind = u['kind'];
  switch (kind) {
    case 'PLAINTEXT':
      break;
    case 'HMAC':
      if (!allOf(u['tags'], isMacTag)) return false;
      break;
    case 'ED25519':
    case 'RSA':
      if (!isBytes(u['sig'])) return false;
      break;
    case 'TTP':
      if (!isName(u['ttp']) || !isBytes(u['sig'])) return false;
      break;
    case 'SIGBATCH':
      if (!isSeq(u['batch']) || !isSeq(u['index'])) return false;
      break;
    default:
      return false;
  }
  return only(u, AUTH_KEYS[kind]!);
}

function isItem(u: unknown): boolean {
  if (!isMap(u) || !isBytes(u['stmt']) || !isAuthShape(u['auth'])) return false;
  const relay = u['relay'];
  if (relay !== undefined && !allOf(relay, isName)) return false;
  const digested = u['digested'];
  if (digested !== undefined && digested !== true) return false;
  const carried = u['carried'];
  if (carried !== undefined && !(allOf(carried, isAuthShape) && carried.length > 0)) return false;
  return only(u, ITEM);
}

function isBatchSignature(u: unknown): boolean {
  if (!isMap(u)) return false;
  const alg = u['alg'];
  const digests = u['digests'];
  return (alg === 'ED25519' || alg === 'RSA') && allOf(digests, isDigest) && digests.length > 0 && digests.length <= MAX_BATCH_DIGESTS && isBytes(u['sig']) && only(u, BATCH_SIGNATURE);
}

function isCountersignature(u: unknown): boolean {
  return isMap(u) && isDigest(u['digest']) && isBytes(u['sig']) && only(u, COUNTERSIGNATURE);
}

function isFetchedRecord(u: unknown): boolean {
  return isMap(u) && isDigest(u['digest']) && isBytes(u['record']) && only(u, FETCHED_RECORD);
}

/** io-ts's `record(Name, Seq)`: a key that is a Name holds a Seq; any other key holds anything. */
function isVectorClock(u: unknown): boolean {
  if (!isMap(u)) return false;
  for (const k of Object.keys(u)) if (isName(k) && !isSeq(u[k])) return false;
  return true;
}

const FRAME_KEYS: Readonly<Record<string, ReadonlySet<string>>> = {
  data: keys('v', 'kind', 'from', 'to', 'seq', 'items', 'vc', 'sigs'),
  ack: keys('v', 'kind', 'from', 'to', 'seq'),
  hello: keys('v', 'kind', 'from', 'to'),
  'countersign-request': keys('v', 'kind', 'from', 'to', 'seq', 'items'),
  'countersign-reply': keys('v', 'kind', 'from', 'to', 'seq', 'sigs'),
  fetch: keys('v', 'kind', 'from', 'to', 'seq', 'digests'),
  fetched: keys('v', 'kind', 'from', 'to', 'seq', 'records', 'unknown'),
};

/** Whether `kind` names a frame kind (the codecs frame.ts dispatches on). */
export function isFrameKind(kind: unknown): kind is keyof typeof FRAME_KEYS {
  return typeof kind === 'string' && Object.hasOwn(FRAME_KEYS, kind);
}

/** What the frame codec of `u['kind']` accepts (io-ts's `is` on it); false for an unknown kind. */
export function isFrameShape(u: unknown): boolean {
  if (!isMap(u) || u['v'] !== WIRE_VERSION || !isName(u['from']) || !isName(u['to'])) return false;
  const kind = u['kind'];
  switch (kind) {
    case 'hello':
      break;
    case 'ack':
      if (!isSeq(u['seq'])) return false;
      break;
    case 'data': {
      if (!isSeq(u['seq']) || !allOf(u['items'], isItem)) return false;
      const vc = u['vc'];
      if (vc !== undefined && !isVectorClock(vc)) return false;
      const sigs = u['sigs'];
      if (sigs !== undefined && !allOf(sigs, isBatchSignature)) return false;
      break;
    }
    case 'countersign-request':
      if (!isSeq(u['seq']) || !allOf(u['items'], isItem)) return false;
      break;
    case 'countersign-reply':
      if (!isSeq(u['seq']) || !allOf(u['sigs'], isCountersignature)) return false;
      break;
    case 'fetch': {
      const d = u['digests'];
      if (!isSeq(u['seq']) || !allOf(d, isDigest) || d.length === 0 || d.length > MAX_FETCH_DIGESTS) return false;
      break;
    }
    case 'fetched': {
      const r = u['records'];
      const k = u['unknown'];
      if (!isSeq(u['seq']) || !allOf(r, isFetchedRecord) || r.length > MAX_FETCH_DIGESTS || !allOf(k, isDigest) || k.length > MAX_FETCH_DIGESTS) return false;
      break;
    }
    default:
      return false;
  }
  return only(u, FRAME_KEYS[kind]!);
}
