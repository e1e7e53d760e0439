// The hand-written PBFT's messages on the wire, in the canonical CBOR of
// src/wire/cbor.ts (the encoder and the strict decoder mommie uses).
//
// Every message is an envelope: the body's bytes and the authenticator over
// exactly those bytes (a signature, or a MAC vector with one tag per
// receiver), as PBFT writes <m>σ and <m>α. A pre-prepare carries its batch of
// client requests beside its body, each with the client's own authenticator,
// as PBFT piggybacks requests on pre-prepares; its body names the batch by
// digest only, and prepares and commits carry the digest, not the requests.
//
//   REQUEST      [body, auth]             body ["REQUEST", client, id, op]
//   PRE-PREPARE  [body, auth, [request…]] body ["PRE-PREPARE", view, seq, digest, primary]
//   PREPARE      [body, auth]             body ["PREPARE", view, seq, digest, replica]
//   COMMIT       [body, auth]             body ["COMMIT", view, seq, digest, replica]
//   REPLY        [body, auth]             body ["REPLY", view, client, id, seq, result, replica]
//
// auth is a byte string (Ed25519 signature) or a map receiver -> 32-byte tag.

import { createHash } from 'node:crypto';
import { decodeCbor, encodeCbor, isCborArray, isCborMap, type Cbor, type CborIn } from '../../src/wire/cbor.js';

export type Auth = { readonly kind: 'sig'; readonly sig: Uint8Array } | { readonly kind: 'mac'; readonly tags: ReadonlyMap<string, Uint8Array> };

export interface RequestBody {
  readonly kind: 'REQUEST';
  readonly client: string;
  readonly id: number;
  readonly op: number;
}

export interface OrderBody {
  readonly kind: 'PRE-PREPARE' | 'PREPARE' | 'COMMIT';
  readonly view: number;
  readonly seq: number;
  readonly digest: Uint8Array;
  readonly sender: string;
}

export interface ReplyBody {
  readonly kind: 'REPLY';
  readonly view: number;
  readonly client: string;
  readonly id: number;
  readonly seq: number;
  readonly result: number;
  readonly sender: string;
}

export type Body = RequestBody | OrderBody | ReplyBody;

/** A body with its bytes (what the authenticator covers) and its authenticator. */
export interface Envelope<B extends Body = Body> {
  readonly body: B;
  readonly bytes: Uint8Array;
  readonly auth: Auth;
}

/** A decoded frame: one envelope, and for a pre-prepare its batch of requests. */
export interface Message {
  readonly env: Envelope;
  readonly requests: readonly Envelope<RequestBody>[];
}

/** Who vouches for a body: the client for a request, the replica otherwise. */
export function senderOf(b: Body): string {
  return b.kind === 'REQUEST' ? b.client : b.sender;
}

export function encodeBody(b: Body): Uint8Array {
  switch (b.kind) {
    case 'REQUEST':
      return encodeCbor([b.kind, b.client, b.id, b.op]);
    case 'REPLY':
      return encodeCbor([b.kind, b.view, b.client, b.id, b.seq, b.result, b.sender]);
    default:
      return encodeCbor([b.kind, b.view, b.seq, b.digest, b.sender]);
  }
}

function authItem(a: Auth): CborIn {
  if (a.kind === 'sig') return a.sig;
  const m: Record<string, Uint8Array> = {};
  for (const [to, tag] of a.tags) m[to] = tag;
  return m;
}

function envelopeItem(e: { readonly bytes: Uint8Array; readonly auth: Auth }): CborIn[] {
  return [e.bytes, authItem(e.auth)];
}

/** The frame of an envelope; a pre-prepare's carries its requests. */
export function encodeMessage(env: { readonly bytes: Uint8Array; readonly auth: Auth }, requests: readonly { readonly bytes: Uint8Array; readonly auth: Auth }[] = []): Uint8Array {
  const top = envelopeItem(env);
  if (requests.length > 0) top.push(requests.map(envelopeItem));
  return encodeCbor(top);
}

/** The digest of a batch: SHA-256 over the canonical list of its requests' bytes. */
export function batchDigest(requests: readonly { readonly bytes: Uint8Array }[]): Uint8Array {
  return new Uint8Array(createHash('sha256').update(encodeCbor(requests.map((r) => r.bytes))).digest());
}

// ---------------------------------------------------------------------------
// Decoding: anything a peer sends is checked, nothing throws.

const isNat = (v: Cbor | undefined): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isText = (v: Cbor | undefined): v is string => typeof v === 'string';
const isBytes = (v: Cbor | undefined): v is Uint8Array => v instanceof Uint8Array;

export function decodeBody(bytes: Uint8Array): Body | undefined {
  const d = decodeCbor(bytes);
  if (!d.ok || !isCborArray(d.value)) return undefined;
  const a = d.value;
  const [k] = a;
  if (k === 'REQUEST' && a.length === 4) {
    const [, client, id, op] = a;
    return isText(client) && isNat(id) && isNat(op) ? { kind: k, client, id, op } : undefined;
  }
  if ((k === 'PRE-PREPARE' || k === 'PREPARE' || k === 'COMMIT') && a.length === 5) {
    const [, view, seq, digest, sender] = a;
    return isNat(view) && isNat(seq) && isBytes(digest) && digest.length === 32 && isText(sender) ? { kind: k, view, seq, digest, sender } : undefined;
  }
  if (k === 'REPLY' && a.length === 7) {
    const [, view, client, id, seq, result, sender] = a;
    return isNat(view) && isText(client) && isNat(id) && isNat(seq) && isNat(result) && isText(sender)
      ? { kind: k, view, client, id, seq, result, sender }
      : undefined;
  }
  return undefined;
}

function decodeAuth(v: Cbor | undefined): Auth | undefined {
  if (isBytes(v)) return { kind: 'sig', sig: v };
  if (v === undefined || !isCborMap(v)) return undefined;
  const tags = new Map<string, Uint8Array>();
  for (const [to, tag] of Object.entries(v)) {
    if (!isBytes(tag)) return undefined;
    tags.set(to, tag);
  }
  return { kind: 'mac', tags };
}

function decodeEnvelope(v: Cbor | undefined): Envelope | undefined {
  if (v === undefined || !isCborArray(v) || v.length !== 2) return undefined;
  const [bytes, a] = v;
  if (!isBytes(bytes)) return undefined;
  const body = decodeBody(bytes);
  const auth = decodeAuth(a);
  return body === undefined || auth === undefined ? undefined : { body, bytes, auth };
}

const isRequest = (e: Envelope): e is Envelope<RequestBody> => e.body.kind === 'REQUEST';

/** A frame's message, or undefined for anything malformed (a pre-prepare whose batch is empty or holds a non-request included). */
export function decodeMessage(frame: Uint8Array): Message | undefined {
  const d = decodeCbor(frame);
  if (!d.ok || !isCborArray(d.value)) return undefined;
  const a = d.value;
  if (a.length !== 2 && a.length !== 3) return undefined;
  const env = decodeEnvelope([a[0]!, a[1]!]);
  if (env === undefined) return undefined;
  if (env.body.kind !== 'PRE-PREPARE') return a.length === 2 ? { env, requests: [] } : undefined;
  const list = a[2];
  if (list === undefined || !isCborArray(list) || list.length === 0) return undefined;
  const requests: Envelope<RequestBody>[] = [];
  for (const item of list) {
    const r = decodeEnvelope(item);
    if (r === undefined || !isRequest(r)) return undefined;
    requests.push(r);
  }
  return { env, requests };
}
