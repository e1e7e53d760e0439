// The session layer of a TCP connection (docs/security.md, docs/wire.md
// "Sessions"): a handshake that mutually authenticates the two ends with the
// key the pair already shares, then every frame in a record that carries the
// session's sequence number and MAC. Pure functions and small state
// machines, no sockets: tcp.ts drives them, and the fuzz tests feed them
// arbitrary bytes.
//
// The pair's shared key K (the key its HMAC statement tags use) is never used
// here as a MAC key: HKDF-Extract takes it as input keying material under a
// label of this layer's own, so nothing a peer sends in a handshake ever has
// K applied to it. A handshake tag is HMAC(k_hs, label || message), k_hs =
// HKDF(K, "MOMMIE link/1 handshake"); a statement tag is HMAC(K, "MOMMIE/2
// statement" || run || statement): a challenge shaped like a statement comes
// back under another key.
//
// One connection, three handshake messages (I: the initiator, which connects
// and then sends frames; R: the responder, which accepts):
//   R -> I  challenge  [0x01, version, nR(32)]              on accept; R holds only the socket and nR
//   I -> R  auth       [0x02, version, run(16), nI(32), nR(32), len, I, len, R, tag(32)]
//   R -> I  confirm    [0x03, tag(32)]
//   I -> R  record     [0x04, seq(8), frame bytes..., tag(16)]  (any number, seq 0, 1, 2, ... exactly)
// A record's tag is AES-256-GCM's over no plaintext (GMAC): key the session
// key of its direction, nonce [0x04, 0, 0, 0, seq(8)], the frame as
// additional data. The nonce authenticates kind and sequence number, and is
// never used twice under a key (each session has its own keys, each record
// its own number). GMAC rather than HMAC-SHA256 (version 1): it hashes an
// 8 KiB frame in a third of the time (AES-NI and carry-less multiply), and
// the frame is MACed where it lies, not copied into the record first.
// The initiator authenticates in its first message, which names initiator,
// responder, both fresh nonces, the protocol version and the run identity;
// the responder answers only an authentic, fresh auth (its own nonce), so a
// replayed auth gets nothing, and a peer of another run is told apart from a
// forger (its tag verifies under the run it names) and counted as foreign.
// Session keys are HKDF(K, salt = SHA-256(challenge || auth), info = the
// direction): a new connection (a restarted node) has new keys, and a record
// of one session, replayed into another, fails its MAC. Records are checked
// in order: a repeated, dropped or reordered record fails (TCP delivers in
// order, so only an attacker produces one), and the connection is closed.

import { createCipheriv, createHash, createHmac, createSecretKey, hkdfSync, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';

/** 2: records tagged with GMAC (1: truncated HMAC-SHA256). */
export const SESSION_VERSION = 2;
export const NONCE_BYTES = 32;
export const RUN_ID_BYTES = 16;
const HANDSHAKE_TAG_BYTES = 32;
/** GCM's full 128-bit tag: an online forgery of a record succeeds with probability about 2^-128 per try (the frame's length bounds the GHASH term). */
export const RECORD_TAG_BYTES = 16;
const SEQ_BYTES = 8;
const MAX_NAME_BYTES = 255;
/** The largest handshake message (an auth with two names of MAX_NAME_BYTES): a stream in its handshake is refused past it. */
export const MAX_HANDSHAKE_BYTES = 2 + RUN_ID_BYTES + 2 * NONCE_BYTES + 2 * (1 + MAX_NAME_BYTES) + HANDSHAKE_TAG_BYTES;

const enum Kind {
  Challenge = 0x01,
  Auth = 0x02,
  Confirm = 0x03,
  Record = 0x04,
}

const ascii = (s: string): Buffer => Buffer.from(s, 'latin1');
const LINK_SALT = ascii('MOMMIE link/1');
const HANDSHAKE_INFO = ascii('MOMMIE link/1 handshake');
const AUTH_LABEL = ascii('MOMMIE link/1 initiator auth\0');
const CONFIRM_LABEL = ascii('MOMMIE link/1 responder confirm\0');
const I_TO_R = ascii('MOMMIE link/1 initiator to responder');
const R_TO_I = ascii('MOMMIE link/1 responder to initiator');

function hkdf(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array): Buffer {
  return Buffer.from(hkdfSync('sha256', ikm, salt, info, 32));
}

/** What one end needs to run sessions: its name, the run, and the key it shares with each peer. */
export interface SessionConfig {
  readonly me: string;
  /** The run identity (RUN_ID_BYTES): both ends must be of the same run. */
  readonly run: Uint8Array;
  /** The key this node shares with `peer` (its HMAC key), or undefined for a stranger. */
  readonly pairKey: (peer: string) => Uint8Array | undefined;
}

/** Why a handshake or record was refused; tcp.ts counts each. */
export type SessionRefusal =
  /** Not a message of this protocol, or fields of the wrong size. */
  | 'garbage'
  /** Another protocol version. */
  | 'version'
  /** A sender that is no peer of this node (or names the wrong responder). */
  | 'unknown-peer'
  /** A handshake tag that does not verify (a forger, or a replayed auth: its nonce is not this challenge's). */
  | 'bad-handshake'
  /** An authentic peer of another run (same keys, another run identity). */
  | 'foreign-run'
  /** A record whose MAC does not verify under this session's key. */
  | 'bad-record'
  /** A record out of sequence: repeated, missing or reordered. */
  | 'replayed';

export type Step<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: SessionRefusal; readonly detail: string };
const fail = <T>(reason: SessionRefusal, detail: string): Step<T> => ({ ok: false, reason, detail });

/** Handshake keys by peer, derived once: HKDF never runs per connection on the hot path of a flood. */
class HandshakeKeys {
  private readonly keys = new Map<string, Buffer>();
  constructor(private readonly config: SessionConfig) {}

  of(peer: string): Buffer | undefined {
    let k = this.keys.get(peer);
    if (k === undefined) {
      const pair = this.pair(peer);
      if (pair === undefined) return undefined; // not remembered: a flood of made-up names must not grow the map
      k = hkdf(pair, LINK_SALT, HANDSHAKE_INFO);
      this.keys.set(peer, k);
    }
    return k;
  }

  /** The pair key itself, for the session keys (HKDF input only); none with oneself or a stranger. */
  pair(peer: string): Uint8Array | undefined {
    if (peer === this.config.me) return undefined;
    const k = this.config.pairKey(peer);
    return k === undefined || k.length === 0 ? undefined : k;
  }
}

function tag(key: Uint8Array, ...parts: Uint8Array[]): Buffer {
  const h = createHmac('sha256', key);
  for (const p of parts) h.update(p);
  return h.digest();
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The keys of one established session, by direction. */
export interface SessionKeys {
  readonly initiatorToResponder: Buffer;
  readonly responderToInitiator: Buffer;
}

function sessionKeys(pair: Uint8Array, challenge: Uint8Array, auth: Uint8Array): SessionKeys {
  const salt = createHash('sha256').update(challenge).update(auth).digest();
  return { initiatorToResponder: hkdf(pair, salt, I_TO_R), responderToInitiator: hkdf(pair, salt, R_TO_I) };
}

/** Run identity as hex, for messages. */
export const runHex = (run: Uint8Array): string => Buffer.from(run).toString('hex');

// ---------------------------------------------------------------------------
// Messages

export function challengeMessage(nonce: Uint8Array): Buffer {
  const m = Buffer.allocUnsafe(2 + NONCE_BYTES);
  m[0] = Kind.Challenge;
  m[1] = SESSION_VERSION;
  m.set(nonce, 2);
  return m;
}

interface AuthFields {
  readonly version: number;
  readonly run: Buffer;
  readonly nI: Buffer;
  readonly nR: Buffer;
  readonly initiator: string;
  readonly responder: string;
  /** The message without its tag: what the tag covers. */
  readonly signed: Buffer;
  readonly tag: Buffer;
}

function nameBytes(n: string): Buffer | undefined {
  const b = Buffer.from(n, 'utf8');
  return b.length === 0 || b.length > MAX_NAME_BYTES ? undefined : b;
}

function parseAuth(m: Uint8Array): Step<AuthFields> {
  const b = Buffer.from(m.buffer, m.byteOffset, m.length);
  const fixed = 2 + RUN_ID_BYTES + 2 * NONCE_BYTES;
  if (b.length < fixed + 2 + HANDSHAKE_TAG_BYTES || b[0] !== Kind.Auth) return fail('garbage', 'not an auth message');
  let at = 2;
  const take = (n: number): Buffer | undefined => {
    if (at + n > b.length) return undefined;
    const out = b.subarray(at, at + n);
    at += n;
    return out;
  };
  const run = take(RUN_ID_BYTES)!;
  const nI = take(NONCE_BYTES)!;
  const nR = take(NONCE_BYTES)!;
  const names: string[] = [];
  for (let i = 0; i < 2; i++) {
    const len = take(1)?.[0];
    const n = len === undefined || len === 0 ? undefined : take(len);
    if (n === undefined) return fail('garbage', 'a truncated name in an auth message');
    const s = n.toString('utf8');
    if (!Buffer.from(s, 'utf8').equals(n)) return fail('garbage', 'a name that is not UTF-8');
    names.push(s);
  }
  if (b.length - at !== HANDSHAKE_TAG_BYTES) return fail('garbage', 'an auth message of the wrong length');
  return { ok: true, value: { version: b[1]!, run, nI, nR, initiator: names[0]!, responder: names[1]!, signed: b.subarray(0, at), tag: b.subarray(at) } };
}

// ---------------------------------------------------------------------------
// The responder's side of one connection

export type ResponderAccepted = { readonly peer: string; readonly confirm: Buffer; readonly receiver: RecordReader };

/**
 * One accepted connection, from the responder's side: `challenge` to send at
 * once, then `auth(first message)`: the authenticated peer, the confirmation
 * to send and the reader of its records — or a refusal.
 */
export class ResponderHandshake {
  readonly challenge: Buffer;
  private done = false;

  constructor(private readonly keys: SessionEndpoint) {
    this.challenge = challengeMessage(randomBytes(NONCE_BYTES));
  }

  auth(m: Uint8Array): Step<ResponderAccepted> {
    if (this.done) return fail('garbage', 'a second auth message');
    this.done = true;
    const p = parseAuth(m);
    if (!p.ok) return p;
    const a = p.value;
    if (a.version !== SESSION_VERSION) return fail('version', `link protocol version ${a.version}, this node speaks ${SESSION_VERSION}`);
    const me = this.keys.config.me;
    if (a.responder !== me) return fail('unknown-peer', `an auth for ${a.responder}, this is ${me}`);
    const k = this.keys.handshake.of(a.initiator);
    const pair = this.keys.handshake.pair(a.initiator);
    if (k === undefined || pair === undefined) return fail('unknown-peer', `${a.initiator} is no peer of ${me}`);
    // The tag first: a refusal for a foreign run is only said of an authentic peer.
    if (!sameBytes(tag(k, AUTH_LABEL, this.challenge, a.signed), a.tag)) {
      return fail('bad-handshake', `a handshake from "${a.initiator}" whose tag does not verify (forged, or replayed: this connection's challenge differs)`);
    }
    if (!a.nR.equals(this.challenge.subarray(2))) return fail('bad-handshake', `a handshake from ${a.initiator} answering another challenge`);
    if (!a.run.equals(this.keys.config.run)) {
      return fail('foreign-run', `${a.initiator} is of run ${runHex(a.run)}, this node of run ${runHex(this.keys.config.run)}`);
    }
    const keys = sessionKeys(pair, this.challenge, a.signed);
    const confirm = Buffer.concat([Buffer.of(Kind.Confirm), tag(k, CONFIRM_LABEL, this.challenge, m)]);
    return { ok: true, value: { peer: a.initiator, confirm, receiver: new RecordReader(keys.initiatorToResponder) } };
  }
}

// ---------------------------------------------------------------------------
// The initiator's side of one connection

/**
 * One outgoing connection to `peer`, from the initiator's side: `challenge`
 * gives the auth message to send, `confirm` the writer of records once the
 * responder has proved it holds the pair's key for this very exchange.
 */
export class InitiatorHandshake {
  private challengeBytes: Buffer | undefined;
  private authBytes: Buffer | undefined;

  constructor(
    private readonly keys: SessionEndpoint,
    readonly peer: string,
  ) {}

  challenge(m: Uint8Array): Step<Buffer> {
    if (this.challengeBytes !== undefined) return fail('garbage', 'a second challenge');
    if (m.length !== 2 + NONCE_BYTES || m[0] !== Kind.Challenge) return fail('garbage', 'not a challenge');
    if (m[1] !== SESSION_VERSION) return fail('version', `link protocol version ${m[1]}, this node speaks ${SESSION_VERSION}`);
    const k = this.keys.handshake.of(this.peer);
    const me = nameBytes(this.keys.config.me);
    const them = nameBytes(this.peer);
    if (k === undefined || me === undefined || them === undefined) return fail('unknown-peer', `${this.peer} is no peer of ${this.keys.config.me}`);
    const challenge = Buffer.from(m);
    const signed = Buffer.concat([
      Buffer.of(Kind.Auth, SESSION_VERSION), this.keys.config.run, randomBytes(NONCE_BYTES), challenge.subarray(2),
      Buffer.of(me.length), me, Buffer.of(them.length), them,
    ]);
    const auth = Buffer.concat([signed, tag(k, AUTH_LABEL, challenge, signed)]);
    this.challengeBytes = challenge;
    this.authBytes = auth;
    return { ok: true, value: auth };
  }

  confirm(m: Uint8Array): Step<RecordWriter> {
    const challenge = this.challengeBytes;
    const auth = this.authBytes;
    if (challenge === undefined || auth === undefined) return fail('garbage', 'a confirmation before the challenge');
    this.challengeBytes = undefined;
    const k = this.keys.handshake.of(this.peer)!;
    if (m.length !== 1 + HANDSHAKE_TAG_BYTES || m[0] !== Kind.Confirm) return fail('garbage', 'not a confirmation');
    if (!sameBytes(tag(k, CONFIRM_LABEL, challenge, auth), m.subarray(1))) return fail('bad-handshake', `${this.peer}'s confirmation does not verify (not ${this.peer}, or of another run)`);
    const pair = this.keys.handshake.pair(this.peer)!;
    const keys = sessionKeys(pair, challenge, auth.subarray(0, auth.length - HANDSHAKE_TAG_BYTES));
    return { ok: true, value: new RecordWriter(keys.initiatorToResponder) };
  }
}

/** What every connection of one node shares: its configuration and its handshake keys. */
export class SessionEndpoint {
  readonly handshake: HandshakeKeys;
  constructor(readonly config: SessionConfig) {
    if (config.run.length !== RUN_ID_BYTES) throw new Error(`a run identity is ${RUN_ID_BYTES} bytes`);
    this.handshake = new HandshakeKeys(config);
  }

  respond(): ResponderHandshake {
    return new ResponderHandshake(this);
  }

  initiate(peer: string): InitiatorHandshake {
    return new InitiatorHandshake(this, peer);
  }
}

// ---------------------------------------------------------------------------
// Records

const NONCE_LENGTH = 12;

/** GMAC of `frame` under `key` with the record's nonce: AES-256-GCM over no plaintext, the frame as additional data. */
function recordTag(key: KeyObject, nonce: Buffer, frame: Uint8Array): Buffer {
  const g = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: RECORD_TAG_BYTES });
  g.setAAD(frame);
  g.final();
  return g.getAuthTag();
}

/** The nonce of record `seq`: the record's kind and its sequence number. */
function writeNonce(nonce: Buffer, seq: number): void {
  nonce[0] = Kind.Record;
  nonce.writeUInt32BE(Math.floor(seq / 0x1_0000_0000), 4);
  nonce.writeUInt32BE(seq >>> 0, 8);
}

/** The sending half of a session: frames in records numbered 0, 1, 2, ... */
export class RecordWriter {
  private seq = 0;
  private readonly key: KeyObject;
  private readonly nonce = Buffer.alloc(NONCE_LENGTH);

  constructor(key: Buffer) {
    this.key = createSecretKey(key);
  }

  /**
   * `frame` as the next record, in three parts to be written in order: the
   * head (`prefix` bytes left for the stream's length prefix, written by the
   * caller, then kind and sequence number), the frame itself, untouched and
   * not copied, and the tag.
   */
  sealParts(frame: Uint8Array, prefix = 0): { readonly head: Buffer; readonly frame: Uint8Array; readonly tag: Buffer; readonly length: number } {
    const seq = this.seq++;
    const head = Buffer.allocUnsafe(prefix + 1 + SEQ_BYTES);
    head[prefix] = Kind.Record;
    head.writeUInt32BE(Math.floor(seq / 0x1_0000_0000), prefix + 1);
    head.writeUInt32BE(seq >>> 0, prefix + 5);
    writeNonce(this.nonce, seq);
    const tag = recordTag(this.key, this.nonce, frame);
    return { head, frame, tag, length: head.length + frame.length + tag.length };
  }

  /** `frame` as the next record, in one buffer (with `prefix` bytes left in front). */
  seal(frame: Uint8Array, prefix = 0): Buffer {
    const p = this.sealParts(frame, prefix);
    return Buffer.concat([p.head, p.frame, p.tag], p.length);
  }
}

/** Bytes a record adds to a frame. */
export const RECORD_OVERHEAD_BYTES = 1 + SEQ_BYTES + RECORD_TAG_BYTES;

/** The receiving half: each record's tag and sequence number checked before its frame goes up. */
export class RecordReader {
  private expected = 0;
  private readonly key: KeyObject;
  private readonly nonce = Buffer.alloc(NONCE_LENGTH);

  constructor(key: Buffer) {
    this.key = createSecretKey(key);
  }

  open(m: Uint8Array): Step<Uint8Array> {
    if (m.length < RECORD_OVERHEAD_BYTES || m[0] !== Kind.Record) return fail('garbage', 'not a record');
    const end = m.length - RECORD_TAG_BYTES;
    const b = Buffer.from(m.buffer, m.byteOffset, m.length);
    const seq = b.readUInt32BE(1) * 0x1_0000_0000 + b.readUInt32BE(5);
    const frame = m.subarray(1 + SEQ_BYTES, end);
    // The tag under the nonce of the number the record claims: a record moved to another place fails here or below.
    writeNonce(this.nonce, seq);
    if (!timingSafeEqual(recordTag(this.key, this.nonce, frame), b.subarray(end))) return fail('bad-record', 'a record whose MAC does not verify under this session');
    if (seq !== this.expected) return fail('replayed', `record ${seq} where ${this.expected} was next`);
    this.expected++;
    return { ok: true, value: frame };
  }
}
