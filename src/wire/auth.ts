// Authenticators and the cryptography under them, all from node:crypto.
//
// What is MACed or signed is a context string followed by exactly the
// statement's canonical bytes. The context separates uses of one key: an
// issuer's signature on a statement can never pass for a TTP countersignature
// or for anything a later version signs.
//
// RSA is RSA-PSS with SHA-256, MGF1-SHA-256 and a 32-byte salt (RFC 8017
// recommends PSS for new applications; its security reduces to RSA itself),
// with keys of at least 2048 bits.

import { Buffer } from 'node:buffer';
import { constants, createHash, createHmac, sign as cryptoSign, timingSafeEqual, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import type { SignatureAlg } from '../keys/keyring.js';
import { compareBytes, encodeCbor } from './cbor.js';
import { timed, type WireStats } from './stats.js';

/** One verifier's HMAC tag. */
export interface MacTag {
  readonly to: string;
  readonly tag: Uint8Array;
}

/**
 * How an item is authenticated. The HMAC form is a vector, one tag per
 * intended verifier (PBFT's authenticator), so that a relayed statement can
 * carry a tag for each final verifier; today a sealed item holds the
 * receiver's tag only. Signatures verify for anyone.
 */
export type Authenticator =
  /** No tag: valid only when the link sender is the issuer (the channel is trusted). */
  | { readonly kind: 'PLAINTEXT' }
  | { readonly kind: 'HMAC'; readonly tags: readonly MacTag[] }
  | { readonly kind: 'ED25519'; readonly sig: Uint8Array }
  | { readonly kind: 'RSA'; readonly sig: Uint8Array }
  /** The issuer's statement, countersigned (Ed25519) by the trusted third party `ttp`. */
  | { readonly kind: 'TTP'; readonly ttp: string; readonly sig: Uint8Array }
  /**
   * One signature for several statements of the issuer: entry `batch` of the
   * data frame's `sigs` signs a list of statement digests, this statement's
   * digest at `index` (frame.ts BatchSignature). Anyone can check it, as a
   * signature on the statement alone.
   */
  | { readonly kind: 'SIGBATCH'; readonly batch: number; readonly index: number };

/**
 * The canonical order of an HMAC vector: by the verifier's encoded name, as
 * every set on the wire is ordered; each verifier at most once.
 */
export function compareMacTags(a: MacTag, b: MacTag): number {
  return compareBytes(encodeCbor(a.to), encodeCbor(b.to));
}

export const MAC_BYTES = 32;
export const ED25519_SIG_BYTES = 64;
export const RSA_MIN_BITS = 2048;
export const RSA_PSS_SALT_BYTES = 32;

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
/** Prefixed to a statement's bytes for HMAC tags and issuer signatures. */
export const STATEMENT_CONTEXT = ascii('MOMMIE/1 statement\0');
/** Prefixed to a statement's bytes for a TTP's countersignature. */
export const TTP_CONTEXT = ascii('MOMMIE/1 ttp countersignature\0');
/**
 * Prefixed to a statement's bytes when its issuer asks a TTP to countersign
 * it: the request is authenticated over the issuer's channel with the TTP
 * (its [Authentication] mechanism), and must never pass for the statement
 * itself (an Ed25519 channel would otherwise hand out the issuer's signature
 * where the deployment asked for a TTP's).
 */
export const COUNTERSIGN_REQUEST_CONTEXT = ascii('MOMMIE/1 countersign request\0');

function message(context: Uint8Array, stmt: Uint8Array): Uint8Array {
  const m = new Uint8Array(context.length + stmt.length);
  m.set(context, 0);
  m.set(stmt, context.length);
  return m;
}

// ---------------------------------------------------------------------------
// HMAC-SHA256 with the pairwise key

/** The tag over `context` and the statement's bytes (STATEMENT_CONTEXT unless said otherwise). */
export function macTag(key: Uint8Array, stmt: Uint8Array, stats?: WireStats, context: Uint8Array = STATEMENT_CONTEXT): Uint8Array {
  return timed(stats, 'mac', () => {
    const h = createHmac('sha256', key);
    h.update(context);
    h.update(stmt);
    return new Uint8Array(h.digest());
  });
}

/** Constant-time comparison with the tag `key` gives. */
export function macValid(key: Uint8Array, stmt: Uint8Array, tag: Uint8Array, stats?: WireStats, context: Uint8Array = STATEMENT_CONTEXT): boolean {
  if (tag.length !== MAC_BYTES) return false;
  const expected = macTag(key, stmt, stats, context);
  return timingSafeEqual(expected, tag);
}

// ---------------------------------------------------------------------------
// Signatures

/** Whether `key` is fit for `alg` (type and size), so a wrong key fails as "no key", not as a throw. */
export function keyFits(alg: SignatureAlg, key: KeyObject): boolean {
  if (alg === 'ED25519') return key.asymmetricKeyType === 'ed25519';
  if (key.asymmetricKeyType !== 'rsa') return false;
  const bits = key.asymmetricKeyDetails?.modulusLength;
  return bits !== undefined && bits >= RSA_MIN_BITS;
}

function rsaOptions(key: KeyObject): { key: KeyObject; padding: number; saltLength: number } {
  return { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: RSA_PSS_SALT_BYTES };
}

function rawSign(alg: SignatureAlg, key: KeyObject, msg: Uint8Array, stats: WireStats | undefined): Uint8Array | undefined {
  if (key.type !== 'private' || !keyFits(alg, key)) return undefined;
  return timed(stats, 'sign', () => {
    try {
      const sig = alg === 'ED25519' ? cryptoSign(null, msg, key) : cryptoSign('sha256', msg, rsaOptions(key));
      return new Uint8Array(sig);
    } catch {
      return undefined;
    }
  });
}

function rawVerify(alg: SignatureAlg, key: KeyObject, msg: Uint8Array, sig: Uint8Array, stats: WireStats | undefined): boolean {
  if (!keyFits(alg, key)) return false;
  const expectedLength = alg === 'ED25519' ? ED25519_SIG_BYTES : (key.asymmetricKeyDetails?.modulusLength ?? 0) / 8;
  if (sig.length !== expectedLength) return false;
  return timed(stats, 'verify', () => {
    try {
      return alg === 'ED25519' ? cryptoVerify(null, msg, key, sig) : cryptoVerify('sha256', msg, rsaOptions(key), sig);
    } catch {
      return false;
    }
  });
}

/** The issuer's signature on a statement (over STATEMENT_CONTEXT unless said otherwise); undefined when `key` is not a private key fit for `alg`. */
export function signStatement(alg: SignatureAlg, key: KeyObject, stmt: Uint8Array, stats?: WireStats, context: Uint8Array = STATEMENT_CONTEXT): Uint8Array | undefined {
  return rawSign(alg, key, message(context, stmt), stats);
}

export function statementSignatureValid(alg: SignatureAlg, key: KeyObject, stmt: Uint8Array, sig: Uint8Array, stats?: WireStats, context: Uint8Array = STATEMENT_CONTEXT): boolean {
  return rawVerify(alg, key, message(context, stmt), sig, stats);
}

/** Prefixed to the concatenated digests a batch signature covers. */
export const BATCH_CONTEXT = ascii('MOMMIE/1 statement batch\0');

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The issuer's one signature over the digests of several of its statements (in order). */
export function signBatch(alg: SignatureAlg, key: KeyObject, digests: readonly Uint8Array[], stats?: WireStats, context: Uint8Array = BATCH_CONTEXT): Uint8Array | undefined {
  return rawSign(alg, key, message(context, concat(digests)), stats);
}

export function batchSignatureValid(alg: SignatureAlg, key: KeyObject, digests: readonly Uint8Array[], sig: Uint8Array, stats?: WireStats, context: Uint8Array = BATCH_CONTEXT): boolean {
  return rawVerify(alg, key, message(context, concat(digests)), sig, stats);
}

/** A TTP's Ed25519 countersignature on a statement's bytes. */
export function ttpSign(key: KeyObject, stmt: Uint8Array, stats?: WireStats, context: Uint8Array = TTP_CONTEXT): Uint8Array | undefined {
  return rawSign('ED25519', key, message(context, stmt), stats);
}

export function ttpSignatureValid(key: KeyObject, stmt: Uint8Array, sig: Uint8Array, stats?: WireStats, context: Uint8Array = TTP_CONTEXT): boolean {
  return rawVerify('ED25519', key, message(context, stmt), sig, stats);
}

/**
 * The contexts of one run's authenticators. A run identity (runtime/run-id.ts)
 * is appended to each, so that an authenticator of another run, arriving by
 * whatever path (relayed, fetched, batched, carried in a certificate, or
 * injected by a process holding the same keys), fails its check and is
 * counted as forged: HMAC is deterministic and key files are reused across
 * runs, so without it a statement of an earlier run verifies forever.
 */
export interface AuthContexts {
  readonly statement: Uint8Array;
  readonly ttp: Uint8Array;
  readonly countersignRequest: Uint8Array;
  readonly batch: Uint8Array;
}

/** The contexts with no run identity (unit tests, benches, one-process simulations). */
export const UNBOUND_CONTEXTS: AuthContexts = { statement: STATEMENT_CONTEXT, ttp: TTP_CONTEXT, countersignRequest: COUNTERSIGN_REQUEST_CONTEXT, batch: BATCH_CONTEXT };

/** The contexts of the run `run` (its identity's bytes); unbound without one. */
export function runContexts(run: Uint8Array | undefined): AuthContexts {
  if (run === undefined) return UNBOUND_CONTEXTS;
  const suffix = ascii(`run ${Buffer.from(run).toString('hex')}\0`);
  const bind = (c: Uint8Array): Uint8Array => message(c, suffix);
  return { statement: bind(STATEMENT_CONTEXT), ttp: bind(TTP_CONTEXT), countersignRequest: bind(COUNTERSIGN_REQUEST_CONTEXT), batch: bind(BATCH_CONTEXT) };
}

/** The SHA-256 of a statement's bytes: how a countersign reply names the statement it answers. */
export function statementDigest(stmt: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(stmt).digest());
}
