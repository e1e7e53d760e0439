// Frames: the units the runtime's link layer sends, retransmits until acked,
// and receives. A frame is a CBOR map in the same deterministic encoding as
// statements:
//   data  {v: 1, kind: "data",  from, to, seq, items: [{stmt: bytes, auth, relay?}], vc?, sigs?}
//   ack   {v: 1, kind: "ack",   from, to, seq}
//   hello {v: 1, kind: "hello", from, to}
//   countersign-request {v: 1, kind: "countersign-request", from, to, seq, items: [{stmt: bytes, auth}]}
//   countersign-reply   {v: 1, kind: "countersign-reply",   from, to, seq, sigs: [{digest: bytes, sig: bytes}]}
//   fetch   {v: 1, kind: "fetch",   from, to, seq, digests: [bytes]}
//   fetched {v: 1, kind: "fetched", from, to, seq, records: [{digest: bytes, record: bytes}], unknown: [bytes]}
// A data item may be `digested: true` (the DIGEST optimizer, digest.ts):
// `stmt` is then the statement's digest form, whose records the receiver
// holds or fetches (fetch/fetched) before it rebuilds and opens the item.
// The countersignature exchange: an issuer asks a trusted third party to
// countersign its statements, each item authenticated over their channel
// (COUNTERSIGN_REQUEST_CONTEXT); the TTP answers with its countersignatures,
// each naming its statement by the SHA-256 of its bytes. Both ride the
// reliable link like data frames (a seq, acked, retransmitted).
// `stmt` holds a statement's canonical bytes as a byte string, so the
// authenticator covers the bytes that travel, never a re-encoding of them.
// Decoding checks the size first, then the CBOR, the version, the shape (with
// io-ts, no unknown field anywhere) and the addressing; it never throws.
// Items are not opened here: a bad item costs that item, not the frame.

import * as t from 'io-ts';
import { isLeft } from 'fp-ts/lib/Either.js';
import type { Authenticator } from './auth.js';
import { decodeCbor, encodeCbor, isCborMap, type CborIn } from './cbor.js';
import { orScratch, type FrameDropReason, type WireStats } from './stats.js';
import { DIGEST_BYTES, isFrameShape, MAX_BATCH_DIGESTS, MAX_FETCH_DIGESTS, MAX_NAME_LENGTH, WIRE_VERSION } from './frame-shape.js';

export { DIGEST_BYTES, MAX_BATCH_DIGESTS, MAX_FETCH_DIGESTS, MAX_NAME_LENGTH, WIRE_VERSION };
/** The largest frame sent or accepted, checked before any decoding. */
export const MAX_FRAME_BYTES = 1 << 20;

export interface WireItem {
  /** The statement's canonical bytes (statement.ts). */
  readonly stmt: Uint8Array;
  readonly auth: Authenticator;
  /**
   * The verifiers the receiver is asked to pass the item on to, unchanged
   * (a dissemination optimizer's relay). The authenticator must serve each of
   * them by itself (a signature, a countersignature, or an HMAC vector with a
   * tag for each); the list itself is not authenticated, and a receiver
   * passes an item only to the statement's own verifiers.
   */
  readonly relay?: readonly string[];
  /**
   * `stmt` is the digest form (digest.ts): each field holding a record is a
   * marker {d: SHA-256 of the record}. The authenticator covers the full
   * canonical statement, which the receiver rebuilds before opening.
   */
  readonly digested?: true;
  /**
   * The authenticators of the statements `stmt` carries (certificates, issue
   * 25): one per distinct carried statement, transitively, in the order they
   * first appear in `stmt` (statement.ts `EncodedStatement.carried`). Each is
   * the carried statement's own issuer's authenticator, as that issuer made
   * it; `stmt` holds only the carried statements' canonical bytes, so the
   * carrier's authenticator covers them and never their authenticators. A
   * SIGBATCH entry refers to the frame's `sigs` like an item's own.
   */
  readonly carried?: readonly Authenticator[];
}

export interface DataFrame {
  readonly v: 1;
  readonly kind: 'data';
  readonly from: string;
  readonly to: string;
  /** The sender's link sequence number toward `to`; the ack names it. */
  readonly seq: number;
  readonly items: readonly WireItem[];
  /**
   * The sender's vector clock when it sent the frame (node -> events done),
   * for recorded runs to be merged causally. Not authenticated: a trace's
   * ordering aid, never a reason to believe a statement.
   */
  readonly vc?: VectorClock;
  /** Batch signatures the items' SIGBATCH authenticators refer to by position. */
  readonly sigs?: readonly BatchSignature[];
}

/**
 * One issuer signature over the SHA-256 digests of several of its
 * statements, in order (BATCH_CONTEXT). The list travels with it so that a
 * statement stays checkable on its own, when relayed or audited: its digest
 * is in the list, and the list is signed.
 */
export interface BatchSignature {
  readonly alg: 'ED25519' | 'RSA';
  readonly digests: readonly Uint8Array[];
  readonly sig: Uint8Array;
}


/** Node name -> count of events; canonical like every map (keys sorted by encoding). */
export type VectorClock = Readonly<Record<string, number>>;

export interface AckFrame {
  readonly v: 1;
  readonly kind: 'ack';
  readonly from: string;
  readonly to: string;
  /** The `seq` of the data frame acknowledged. */
  readonly seq: number;
}

/** The first frame on a stream transport (TCP), naming the sender. Unauthenticated, like the transport's `from`. */
export interface HelloFrame {
  readonly v: 1;
  readonly kind: 'hello';
  readonly from: string;
  readonly to: string;
}

/**
 * An issuer asks the TTP `to` to countersign statements it issued. Each
 * item's authenticator is the issuer's channel with the TTP (the pair's
 * [Authentication] mechanism) over COUNTERSIGN_REQUEST_CONTEXT and the
 * statement's bytes: the TTP attests only what it heard from the issuer itself.
 */
export interface CountersignRequestFrame {
  readonly v: 1;
  readonly kind: 'countersign-request';
  readonly from: string;
  readonly to: string;
  readonly seq: number;
  readonly items: readonly WireItem[];
}

/** A TTP's countersignature on one statement, which it names by the SHA-256 of the statement's bytes. */
export interface Countersignature {
  readonly digest: Uint8Array;
  readonly sig: Uint8Array;
}

/** The TTP's answer: countersignatures for (some of) the statements a request asked for. Self-authenticating: each verifies with the TTP's key. */
export interface CountersignReplyFrame {
  readonly v: 1;
  readonly kind: 'countersign-reply';
  readonly from: string;
  readonly to: string;
  readonly seq: number;
  readonly sigs: readonly Countersignature[];
}

/** A node asks a peer for the records these digests name (records it needs to rebuild digested items). */
export interface FetchFrame {
  readonly v: 1;
  readonly kind: 'fetch';
  readonly from: string;
  readonly to: string;
  readonly seq: number;
  readonly digests: readonly Uint8Array[];
}

/** A record the answer carries: its canonical bytes and the digest they were asked by. */
export interface FetchedRecord {
  readonly digest: Uint8Array;
  readonly record: Uint8Array;
}

/**
 * The answer to a fetch: the records the peer holds, and the digests it does
 * not (`unknown`). Needs no authenticator: the asker checks each record's
 * digest, and a record is only ever used to rebuild an item whose own
 * authenticator covers it.
 */
export interface FetchedFrame {
  readonly v: 1;
  readonly kind: 'fetched';
  readonly from: string;
  readonly to: string;
  readonly seq: number;
  readonly records: readonly FetchedRecord[];
  readonly unknown: readonly Uint8Array[];
}


export type Frame = DataFrame | AckFrame | HelloFrame | CountersignRequestFrame | CountersignReplyFrame | FetchFrame | FetchedFrame;

/** The frames the reliable link numbers, acks and retransmits. */
export type SequencedFrame = DataFrame | CountersignRequestFrame | CountersignReplyFrame | FetchFrame | FetchedFrame;


export function dataFrame(from: string, to: string, seq: number, items: readonly WireItem[], vc?: VectorClock, sigs?: readonly BatchSignature[]): DataFrame {
  return { v: WIRE_VERSION, kind: 'data', from, to, seq, items, ...(vc === undefined ? {} : { vc }), ...(sigs === undefined || sigs.length === 0 ? {} : { sigs }) };
}

/** An item about to be framed: a SIGBATCH item names its batch signature itself, and the frame numbers them. */
export interface ItemToFrame extends WireItem {
  readonly batch?: BatchSignature;
  /** Parallel to `carried`: the batch signature each SIGBATCH entry names. */
  readonly carriedBatches?: readonly (BatchSignature | undefined)[];
}

/** A data frame of `items`, with the batch signatures they use gathered into its `sigs` (each once) and referred to by position. */
export function dataFrameOf(from: string, to: string, seq: number, items: readonly ItemToFrame[], vc?: VectorClock): DataFrame {
  const sigs: BatchSignature[] = [];
  const at = new Map<BatchSignature, number>();
  const numbered = (auth: Authenticator, batch: BatchSignature | undefined): Authenticator => {
    if (batch === undefined || auth.kind !== 'SIGBATCH') return auth;
    let k = at.get(batch);
    if (k === undefined) {
      k = sigs.length;
      sigs.push(batch);
      at.set(batch, k);
    }
    return { kind: 'SIGBATCH', batch: k, index: auth.index };
  };
  const out = items.map((i): WireItem => {
    const carried = i.carried?.map((a, n) => numbered(a, i.carriedBatches?.[n]));
    return {
      stmt: i.stmt, auth: numbered(i.auth, i.batch), ...(i.relay === undefined ? {} : { relay: i.relay }), ...(i.digested === true ? { digested: true as const } : {}),
      ...(carried === undefined ? {} : { carried }),
    };
  });
  return dataFrame(from, to, seq, out, vc, sigs);
}

export function ackFrame(from: string, to: string, seq: number): AckFrame {
  return { v: WIRE_VERSION, kind: 'ack', from, to, seq };
}

/** The ack the receiver of `f` sends back. */
export function ackFor(f: SequencedFrame): AckFrame {
  return ackFrame(f.to, f.from, f.seq);
}

export function helloFrame(from: string, to: string): HelloFrame {
  return { v: WIRE_VERSION, kind: 'hello', from, to };
}

export function countersignRequestFrame(from: string, to: string, seq: number, items: readonly WireItem[]): CountersignRequestFrame {
  return { v: WIRE_VERSION, kind: 'countersign-request', from, to, seq, items };
}

export function countersignReplyFrame(from: string, to: string, seq: number, sigs: readonly Countersignature[]): CountersignReplyFrame {
  return { v: WIRE_VERSION, kind: 'countersign-reply', from, to, seq, sigs };
}

export function fetchFrame(from: string, to: string, seq: number, digests: readonly Uint8Array[]): FetchFrame {
  return { v: WIRE_VERSION, kind: 'fetch', from, to, seq, digests };
}

export function fetchedFrame(from: string, to: string, seq: number, records: readonly FetchedRecord[], unknown: readonly Uint8Array[]): FetchedFrame {
  return { v: WIRE_VERSION, kind: 'fetched', from, to, seq, records, unknown };
}

// ---------------------------------------------------------------------------
// Shapes (io-ts)

const Bytes = new t.Type<Uint8Array, Uint8Array, unknown>(
  'Bytes',
  (u): u is Uint8Array => u instanceof Uint8Array,
  (u, c) => (u instanceof Uint8Array ? t.success(u) : t.failure(u, c, 'not a byte string')),
  t.identity,
);

const Name = t.refinement(t.string, (s) => s.length > 0 && s.length <= MAX_NAME_LENGTH, 'Name');
const Seq = t.refinement(t.number, (n) => Number.isSafeInteger(n) && n >= 0, 'Seq');
const Version = t.literal(WIRE_VERSION);

type ClosedA<P extends t.Props, O extends t.Props> = t.TypeOf<t.TypeC<P>> & t.TypeOf<t.PartialC<O>>;
type ClosedO<P extends t.Props, O extends t.Props> = t.OutputOf<t.TypeC<P>> & t.OutputOf<t.PartialC<O>>;

/**
 * An object with the `required` fields, the `optional` ones, and no other:
 * an unknown field is an error, not ignored. Both parts validate against the
 * same context, so error paths read `items.0.auth.sig`.
 */
function closed<P extends t.Props, O extends t.Props = {}>(name: string, props: P, optional?: O): t.Type<ClosedA<P, O>, ClosedO<P, O>, unknown> {
  const req = t.type(props);
  const opt = t.partial(optional ?? ({} as O));
  const known = new Set([...Object.keys(props), ...Object.keys(optional ?? {})]);
  const extra = (u: object): string | undefined => Object.keys(u).find((k) => !known.has(k));
  return new t.Type<ClosedA<P, O>, ClosedO<P, O>, unknown>(
    name,
    (u): u is ClosedA<P, O> => req.is(u) && opt.is(u) && extra(u) === undefined,
    (u, c) => {
      if (!t.UnknownRecord.is(u)) return t.failure(u, c, `${name} is not a map`);
      const k = extra(u);
      if (k !== undefined) return t.failure(u, c, `unknown field "${k}" in ${name}`);
      const r = req.validate(u, c);
      if (isLeft(r)) return r;
      const o = opt.validate(u, c);
      if (isLeft(o)) return o;
      // Neither codec transforms anything: the validated value is the input.
      return t.success(u as ClosedA<P, O>);
    },
    (a) => a as unknown as ClosedO<P, O>,
  );
}

const MacTagC = closed('MacTag', { to: Name, tag: Bytes });
const authCodecs = {
  PLAINTEXT: closed('Plaintext', { kind: t.literal('PLAINTEXT') }),
  HMAC: closed('Hmac', { kind: t.literal('HMAC'), tags: t.array(MacTagC) }),
  ED25519: closed('Ed25519', { kind: t.literal('ED25519'), sig: Bytes }),
  RSA: closed('Rsa', { kind: t.literal('RSA'), sig: Bytes }),
  TTP: closed('Ttp', { kind: t.literal('TTP'), ttp: Name, sig: Bytes }),
  SIGBATCH: closed('SigBatch', { kind: t.literal('SIGBATCH'), batch: Seq, index: Seq }),
};
type AuthCodecs = typeof authCodecs;
type AuthShape = t.TypeOf<AuthCodecs[keyof AuthCodecs]>;

/** Dispatch on `kind`, so that an error names the mechanism's own fields, not the first member of a union. */
const AuthC = new t.Type<AuthShape, AuthShape, unknown>(
  'Authenticator',
  (u): u is AuthShape => Object.values(authCodecs).some((c) => c.is(u)),
  (u, c) => {
    const kind = t.UnknownRecord.is(u) ? u['kind'] : undefined;
    const codec = typeof kind === 'string' && Object.hasOwn(authCodecs, kind) ? authCodecs[kind as keyof AuthCodecs] : undefined;
    if (codec === undefined) return t.failure(u, c, `unknown mechanism ${JSON.stringify(kind)}`);
    return codec.validate(u, c) as t.Validation<AuthShape>;
  },
  t.identity,
);
const Carried = t.refinement(t.array(AuthC), (a) => a.length > 0, 'Carried');
const ItemC = closed('Item', { stmt: Bytes, auth: AuthC }, { relay: t.array(Name), digested: t.literal(true), carried: Carried });
const Digests = t.refinement(t.array(t.refinement(Bytes, (b) => b.length === DIGEST_BYTES, 'Digest')), (a) => a.length > 0 && a.length <= MAX_BATCH_DIGESTS, 'Digests');
const BatchSignatureC = closed('BatchSignature', { alg: t.union([t.literal('ED25519'), t.literal('RSA')]), digests: Digests, sig: Bytes });
const Digest = t.refinement(Bytes, (b) => b.length === DIGEST_BYTES, 'Digest');
const CountersignatureC = closed('Countersignature', { digest: Digest, sig: Bytes });
const FetchDigests = t.refinement(t.array(Digest), (a) => a.length > 0 && a.length <= MAX_FETCH_DIGESTS, 'FetchDigests');
const FetchedRecordC = closed('FetchedRecord', { digest: Digest, record: Bytes });
const FetchedRecords = t.refinement(t.array(FetchedRecordC), (a) => a.length <= MAX_FETCH_DIGESTS, 'FetchedRecords');
const Unknown = t.refinement(t.array(Digest), (a) => a.length <= MAX_FETCH_DIGESTS, 'Unknown');
const FrameCodecs = {
  data: closed('DataFrame', { v: Version, kind: t.literal('data'), from: Name, to: Name, seq: Seq, items: t.array(ItemC) }, { vc: t.record(Name, Seq), sigs: t.array(BatchSignatureC) }),
  ack: closed('AckFrame', { v: Version, kind: t.literal('ack'), from: Name, to: Name, seq: Seq }),
  hello: closed('HelloFrame', { v: Version, kind: t.literal('hello'), from: Name, to: Name }),
  'countersign-request': closed('CountersignRequestFrame', { v: Version, kind: t.literal('countersign-request'), from: Name, to: Name, seq: Seq, items: t.array(ItemC) }),
  'countersign-reply': closed('CountersignReplyFrame', { v: Version, kind: t.literal('countersign-reply'), from: Name, to: Name, seq: Seq, sigs: t.array(CountersignatureC) }),
  fetch: closed('FetchFrame', { v: Version, kind: t.literal('fetch'), from: Name, to: Name, seq: Seq, digests: FetchDigests }),
  fetched: closed('FetchedFrame', { v: Version, kind: t.literal('fetched'), from: Name, to: Name, seq: Seq, records: FetchedRecords, unknown: Unknown }),
} as const;
type FrameKind = keyof typeof FrameCodecs;

function firstError(errors: t.Errors): string {
  const e = errors[0];
  if (e === undefined) return 'invalid';
  const path = e.context.map((c) => c.key).filter((k) => k !== '').join('.');
  return `${path === '' ? 'frame' : path}: ${e.message ?? `expected ${e.context[e.context.length - 1]?.type.name ?? 'something else'}`}`;
}

/** What `shape` needs of a frame codec. */
interface ShapeCodec extends t.Decoder<unknown, unknown> {
  is(u: unknown): boolean;
}

type ShapeResult = { ok: true; frame: Frame } | { ok: false; reason: FrameDropReason; detail: string };

/** The codec for `u`'s frame kind, or why `u` has none (checked before any field). */
function codecFor(u: unknown): { ok: true; codec: ShapeCodec } | { ok: false; reason: FrameDropReason; detail: string } {
  if (!t.UnknownRecord.is(u)) return { ok: false, reason: 'malformed', detail: 'a frame is a map' };
  // The version first: a peer speaking another version is told apart from garbage.
  if (u['v'] !== WIRE_VERSION) {
    return 'v' in u
      ? { ok: false, reason: 'wrong-version', detail: `version ${String(u['v'])}, expected ${WIRE_VERSION}` }
      : { ok: false, reason: 'malformed', detail: 'no version' };
  }
  const kind = u['kind'];
  const codec: ShapeCodec | undefined = typeof kind === 'string' && Object.hasOwn(FrameCodecs, kind) ? FrameCodecs[kind as FrameKind] : undefined;
  if (codec === undefined) return { ok: false, reason: 'malformed', detail: `unknown frame kind ${JSON.stringify(kind)}` };
  return { ok: true, codec };
}

/**
 * The frame a decoded CBOR item stands for, or why it stands for none.
 * frame-shape.ts's hand-written `isFrameShape` accepts exactly what the
 * codecs' `decode` accepts (no codec here transforms its input), but builds
 * no validation context: a well-formed frame costs one walk, and only a
 * refused one pays for decode's message. test/wire-shape.test.ts holds it
 * equal to `referenceShape` on fuzzed frames.
 */
function shape(u: unknown): ShapeResult {
  const c = codecFor(u);
  if (!c.ok) return c;
  if (isFrameShape(u)) return { ok: true, frame: u as Frame };
  return decodedShape(c.codec, u);
}

function decodedShape(codec: ShapeCodec, u: unknown): ShapeResult {
  const r = codec.decode(u);
  if (isLeft(r)) return { ok: false, reason: 'malformed', detail: firstError(r.left) };
  return { ok: true, frame: r.right as Frame };
}

/** The frame `u` stands for by io-ts's `decode` alone: the reference `shape`'s fast path is tested against. */
export function referenceShape(u: unknown): ShapeResult {
  const c = codecFor(u);
  return c.ok ? decodedShape(c.codec, u) : c;
}

/** The frame `u` stands for, as the decoder judges it (the fast path). */
export function frameShape(u: unknown): ShapeResult {
  return shape(u);
}

// ---------------------------------------------------------------------------
// Encoding

function authCbor(a: Authenticator): CborIn {
  switch (a.kind) {
    case 'PLAINTEXT':
      return { kind: a.kind };
    case 'HMAC':
      return { kind: a.kind, tags: a.tags.map((m) => ({ to: m.to, tag: m.tag })) };
    case 'ED25519':
    case 'RSA':
      return { kind: a.kind, sig: a.sig };
    case 'TTP':
      return { kind: a.kind, ttp: a.ttp, sig: a.sig };
    case 'SIGBATCH':
      return { kind: a.kind, batch: a.batch, index: a.index };
  }
}

function itemCbor(i: WireItem): CborIn {
  // Built field by field (no spread of a temporary object per optional field: this runs for every item sent).
  const o: Record<string, CborIn> = { stmt: i.stmt, auth: authCbor(i.auth) };
  if (i.relay !== undefined) o['relay'] = [...i.relay];
  if (i.digested === true) o['digested'] = true;
  if (i.carried !== undefined) o['carried'] = i.carried.map(authCbor);
  return o;
}

/** Only the declared fields travel, whatever else a caller's object carries. */
function frameCbor(f: Frame): CborIn {
  switch (f.kind) {
    case 'data': {
      const o: Record<string, CborIn> = { v: f.v, kind: f.kind, from: f.from, to: f.to, seq: f.seq, items: f.items.map(itemCbor) };
      if (f.vc !== undefined) o['vc'] = { ...f.vc };
      if (f.sigs !== undefined) o['sigs'] = f.sigs.map((b) => ({ alg: b.alg, digests: [...b.digests], sig: b.sig }));
      return o;
    }
    case 'ack':
      return { v: f.v, kind: f.kind, from: f.from, to: f.to, seq: f.seq };
    case 'hello':
      return { v: f.v, kind: f.kind, from: f.from, to: f.to };
    case 'countersign-request':
      return { v: f.v, kind: f.kind, from: f.from, to: f.to, seq: f.seq, items: f.items.map(itemCbor) };
    case 'countersign-reply':
      return { v: f.v, kind: f.kind, from: f.from, to: f.to, seq: f.seq, sigs: f.sigs.map((c) => ({ digest: c.digest, sig: c.sig })) };
    case 'fetch':
      return { v: f.v, kind: f.kind, from: f.from, to: f.to, seq: f.seq, digests: [...f.digests] };
    case 'fetched':
      return { v: f.v, kind: f.kind, from: f.from, to: f.to, seq: f.seq, records: f.records.map((r) => ({ digest: r.digest, record: r.record })), unknown: [...f.unknown] };
  }
}

export type EncodeFrameResult =
  | { readonly ok: true; readonly bytes: Uint8Array }
  | { readonly ok: false; readonly reason: 'oversized' | 'malformed'; readonly detail: string };

/**
 * The frame's bytes. Refuses a frame the receiver would refuse: one over
 * MAX_FRAME_BYTES (split the items over several frames) or of a bad shape.
 */
export function encodeFrame(f: Frame): EncodeFrameResult {
  let bytes: Uint8Array;
  try {
    const c = frameCbor(f);
    const s = shape(c);
    if (!s.ok) return { ok: false, reason: 'malformed', detail: s.detail };
    bytes = encodeCbor(c);
  } catch (e) {
    // A caller's object that is not a Frame at all (encodeCbor refuses non-integers).
    return { ok: false, reason: 'malformed', detail: e instanceof Error ? e.message : String(e) };
  }
  if (bytes.length > MAX_FRAME_BYTES) return { ok: false, reason: 'oversized', detail: `${bytes.length} bytes, at most ${MAX_FRAME_BYTES}` };
  return { ok: true, bytes };
}

/** The exact number of bytes `item` takes inside a data frame's items array. */
export function itemBytes(item: WireItem): number {
  return encodeCbor(itemCbor(item)).length;
}

/** Room left for items in a data frame: the map, its header fields and names of up to MAX_NAME_LENGTH UTF-8 characters. */
export const DATA_FRAME_OVERHEAD_BYTES = 64 + 2 * 3 * MAX_NAME_LENGTH;

/**
 * Groups `items` in order into runs that each fit one data frame. An item too
 * large for any frame is alone in its group (its frame will be refused).
 */
export function batchItems(items: readonly WireItem[], maxBytes = MAX_FRAME_BYTES - DATA_FRAME_OVERHEAD_BYTES): WireItem[][] {
  const out: WireItem[][] = [];
  let cur: WireItem[] = [];
  let size = 0;
  for (const item of items) {
    const n = itemBytes(item);
    if (cur.length > 0 && size + n > maxBytes) {
      out.push(cur);
      cur = [];
      size = 0;
    }
    cur.push(item);
    size += n;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

// ---------------------------------------------------------------------------
// Decoding

export interface DecodeFrameOptions {
  /** The receiving node: a frame to anyone else is misaddressed. */
  readonly me: string;
  /** Who the transport says sent the bytes, when it knows: a frame claiming another sender is dropped. */
  readonly sender?: string;
  readonly stats?: WireStats;
}

export type DecodeFrameResult =
  | { readonly ok: true; readonly frame: Frame }
  | { readonly ok: false; readonly reason: FrameDropReason; readonly detail: string };

/** The frame in `bytes`, addressed to `opts.me`, or why it was dropped (counted in the stats). Never throws. */
export function decodeFrame(bytes: Uint8Array, opts: DecodeFrameOptions): DecodeFrameResult {
  const stats = orScratch(opts.stats);
  stats.received(bytes.length);
  const r = decodeChecked(bytes, opts);
  if (!r.ok) stats.frameDropped(r.reason);
  return r;
}

function decodeChecked(bytes: Uint8Array, opts: DecodeFrameOptions): DecodeFrameResult {
  if (bytes.length > MAX_FRAME_BYTES) return { ok: false, reason: 'oversized', detail: `${bytes.length} bytes, at most ${MAX_FRAME_BYTES}` };
  const c = decodeCbor(bytes);
  if (!c.ok) return { ok: false, reason: 'malformed', detail: `${c.error.code} at byte ${c.error.at}: ${c.error.detail}` };
  if (!isCborMap(c.value)) return { ok: false, reason: 'malformed', detail: 'a frame is a map' };
  const s = shape(c.value);
  if (!s.ok) return s;
  if (s.frame.to !== opts.me) return { ok: false, reason: 'misaddressed', detail: `to ${s.frame.to}, not ${opts.me}` };
  if (opts.sender !== undefined && s.frame.from !== opts.sender) {
    return { ok: false, reason: 'wrong-sender', detail: `claims to be from ${s.frame.from}, came from ${opts.sender}` };
  }
  return s;
}
