// The key material of one principal, and the KeyRing view of it that the
// runtime uses. Generating every kind of key for every node keeps the keys
// independent of the mechanisms a deploy file chooses: changing HMAC to
// ED25519 for a pair never needs new keys.

import { generateKeyPair, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import type { KeyRing, SignatureAlg } from './keyring.js';

export const SIGNATURE_ALGS: readonly SignatureAlg[] = ['ED25519', 'RSA'];
export const HMAC_KEY_BYTES = 32;
export const RSA_BITS = 2048;

/** Everything one principal holds, in a form that can be written out and read back. */
export interface KeyRingData {
  readonly principal: string;
  /** The HMAC-SHA256 key shared with each other principal. */
  readonly hmac: ReadonlyMap<string, Uint8Array>;
  readonly signing: ReadonlyMap<SignatureAlg, KeyObject>;
  /** Every principal's public keys, this one's included. */
  readonly publicKeys: ReadonlyMap<string, ReadonlyMap<SignatureAlg, KeyObject>>;
}

export function keyRingOf(data: KeyRingData): KeyRing {
  return {
    principal: data.principal,
    // A copy: a caller that scribbles on the key must not change everyone else's.
    hmacKey: (peer) => {
      const k = data.hmac.get(peer);
      return k === undefined ? undefined : Uint8Array.from(k);
    },
    signingKey: (alg) => data.signing.get(alg),
    publicKey: (peer, alg) => data.publicKeys.get(peer)?.get(alg),
  };
}

function keyPair(alg: SignatureAlg): Promise<{ publicKey: KeyObject; privateKey: KeyObject }> {
  return new Promise((resolve, reject) => {
    const done = (err: Error | null, publicKey: KeyObject, privateKey: KeyObject): void => (err === null ? resolve({ publicKey, privateKey }) : reject(err));
    if (alg === 'RSA') generateKeyPair('rsa', { modulusLength: RSA_BITS }, done);
    else generateKeyPair('ed25519', {}, done);
  });
}

/** A fresh HMAC key per unordered pair of `names`: the same bytes under each end's name for the other. */
export function pairwiseHmacKeys(names: readonly string[]): Map<string, Map<string, Uint8Array>> {
  const hmac = new Map(names.map((p) => [p, new Map<string, Uint8Array>()]));
  names.forEach((a, i) => {
    for (const b of names.slice(i + 1)) {
      const key = new Uint8Array(randomBytes(HMAC_KEY_BYTES));
      hmac.get(a)!.set(b, key);
      hmac.get(b)!.set(a, key);
    }
  });
  return hmac;
}

/**
 * Fresh keys for `principals`: one HMAC key per unordered pair (the same
 * bytes in both rings), and an Ed25519 and an RSA key pair per principal.
 * Duplicates in `principals` are ignored.
 */
export async function generateKeyRingData(principals: readonly string[]): Promise<ReadonlyMap<string, KeyRingData>> {
  const names = [...new Set(principals)].sort();
  // Key pairs are made on libuv's thread pool, so the RSA keys are generated in parallel.
  const pairs = await Promise.all(names.map(async (p) => [p, new Map(await Promise.all(SIGNATURE_ALGS.map(async (a) => [a, await keyPair(a)] as const)))] as const));
  const publicKeys = new Map(pairs.map(([p, ks]) => [p, new Map([...ks].map(([a, k]) => [a, k.publicKey]))] as const));
  const hmac = pairwiseHmacKeys(names);
  return new Map(
    pairs.map(([p, ks]) => [p, { principal: p, hmac: hmac.get(p)!, signing: new Map([...ks].map(([a, k]) => [a, k.privateKey])), publicKeys }] as const),
  );
}

export interface KeyPair {
  readonly publicKey: KeyObject;
  readonly privateKey: KeyObject;
}

function keyPairSync(alg: SignatureAlg): KeyPair {
  return alg === 'RSA' ? generateKeyPairSync('rsa', { modulusLength: RSA_BITS }) : generateKeyPairSync('ed25519');
}

/**
 * In-memory KeyRings for tests and the simulated network: no files involved.
 * HMAC keys are made at once (32 random bytes a pair); a principal's key
 * pair of an algorithm is made the first time anyone asks for its private
 * or public half, so a run pays only for the keys its mechanisms use: an
 * RSA-2048 pair takes 50-500 ms, and a simulated run used to spend 3-4 s of
 * CPU making one per node before its first request (issue 24 item 5).
 */
export async function generateKeyRings(principals: readonly string[], makePair: (alg: SignatureAlg) => KeyPair = keyPairSync): Promise<ReadonlyMap<string, KeyRing>> {
  const names = [...new Set(principals)].sort();
  const hmac = pairwiseHmacKeys(names);
  const pairs = new Map<string, KeyPair>();
  const pairOf = (p: string, alg: SignatureAlg): KeyPair | undefined => {
    if (!names.includes(p)) return undefined;
    const key = `${alg}:${p}`;
    let pair = pairs.get(key);
    if (pair === undefined) {
      pair = makePair(alg);
      pairs.set(key, pair);
    }
    return pair;
  };
  return new Map(
    names.map((p) => [
      p,
      {
        principal: p,
        hmacKey: (peer: string) => {
          const k = hmac.get(p)!.get(peer);
          return k === undefined ? undefined : Uint8Array.from(k);
        },
        signingKey: (alg: SignatureAlg) => pairOf(p, alg)?.privateKey,
        publicKey: (peer: string, alg: SignatureAlg) => pairOf(peer, alg)?.publicKey,
      } satisfies KeyRing,
    ]),
  );
}
