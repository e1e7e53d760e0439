// The keys one principal holds at run time: its own secrets (the HMAC key it
// shares with each peer, its private signing keys) and every peer's public
// keys. A Byzantine node holds exactly its own KeyRing, which is what bounds
// what it can forge.

import type { KeyObject } from 'node:crypto';

export type SignatureAlg = 'ED25519' | 'RSA';

export interface KeyRing {
  readonly principal: string;
  /** The HMAC-SHA256 key this principal shares with `peer`. */
  hmacKey(peer: string): Uint8Array | undefined;
  /** This principal's private key for `alg`. */
  signingKey(alg: SignatureAlg): KeyObject | undefined;
  /** `peer`'s public key for `alg` (this principal's own too). */
  publicKey(peer: string, alg: SignatureAlg): KeyObject | undefined;
}
