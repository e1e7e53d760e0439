// The two ways the hand-written PBFT authenticates, with mommie's own
// cryptography (src/wire/auth.ts over node:crypto, counted in a WireStats):
//
//   ed25519  every message signed once by its sender (PBFT with signatures,
//            "BFT-PK"); every receiver verifies it.
//   mac      PBFT's authenticators, as in the OSDI'99 paper's MAC variant:
//            a message to several receivers carries a MAC vector, one
//            HMAC-SHA256 per receiver under the key the sender shares with
//            it, and each receiver checks its own entry. Client requests
//            carry an authenticator for every replica too (the paper keeps
//            signatures for view changes only), so the primary forwards a
//            request inside its pre-prepare and each backup checks the
//            client's tag for itself. A reply carries a single MAC, for its
//            client.
//
// The bytes authenticated are a context string and the body's canonical
// bytes, as mommie's statements are (its own context, so nothing made here
// passes for a mommie statement).

import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { macTag, macValid, signStatement, statementSignatureValid } from '../../src/wire/auth.js';
import type { WireStats } from '../../src/wire/stats.js';
import type { Auth } from './messages.js';

export type AuthMode = 'ed25519' | 'mac';

const CONTEXT = new TextEncoder().encode('HANDWRITTEN-PBFT/1\0');

/** One node's keys, as the driver hands them to the node's process (base64 DER / raw bytes). */
export interface NodeKeys {
  /** PKCS#8 DER of the node's Ed25519 private key. */
  readonly privateKey: string;
  /** SPKI DER of every node's Ed25519 public key. */
  readonly publicKeys: Readonly<Record<string, string>>;
  /** The 32-byte HMAC key shared with each other node. */
  readonly hmac: Readonly<Record<string, string>>;
}

/** Fresh keys for every node: an Ed25519 pair each, one HMAC key per pair. */
export function generateNodeKeys(names: readonly string[]): Map<string, NodeKeys> {
  const pairs = new Map(names.map((n) => [n, generateKeyPairSync('ed25519')] as const));
  const publicKeys: Record<string, string> = {};
  for (const [n, p] of pairs) publicKeys[n] = p.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  const hmac = new Map(names.map((n) => [n, {} as Record<string, string>]));
  names.forEach((a, i) => {
    for (const b of names.slice(i + 1)) {
      const k = randomBytes(32).toString('base64');
      hmac.get(a)![b] = k;
      hmac.get(b)![a] = k;
    }
  });
  return new Map(names.map((n) => [n, { privateKey: pairs.get(n)!.privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64'), publicKeys, hmac: hmac.get(n)! }]));
}

export class Authenticator {
  private readonly signing: KeyObject;
  private readonly publicKeys = new Map<string, KeyObject>();
  private readonly hmac = new Map<string, Uint8Array>();

  constructor(readonly me: string, readonly mode: AuthMode, keys: NodeKeys, private readonly stats: WireStats) {
    this.signing = createPrivateKey({ key: Buffer.from(keys.privateKey, 'base64'), format: 'der', type: 'pkcs8' });
    for (const [n, k] of Object.entries(keys.publicKeys)) this.publicKeys.set(n, createPublicKey({ key: Buffer.from(k, 'base64'), format: 'der', type: 'spki' }));
    for (const [n, k] of Object.entries(keys.hmac)) this.hmac.set(n, new Uint8Array(Buffer.from(k, 'base64')));
  }

  /** The authenticator of `bytes` for `receivers`: one signature, or one tag per receiver. */
  authenticate(bytes: Uint8Array, receivers: readonly string[]): Auth {
    if (this.mode === 'ed25519') {
      const sig = signStatement('ED25519', this.signing, bytes, this.stats, CONTEXT);
      if (sig === undefined) throw new Error(`${this.me}: Ed25519 signing failed`);
      return { kind: 'sig', sig };
    }
    const tags = new Map<string, Uint8Array>();
    for (const r of receivers) {
      const key = this.hmac.get(r);
      if (key === undefined) throw new Error(`${this.me} shares no key with ${r}`);
      tags.set(r, macTag(key, bytes, this.stats, CONTEXT));
    }
    return { kind: 'mac', tags };
  }

  /** Whether `auth` shows that `sender` sent `bytes` (to this node). */
  check(bytes: Uint8Array, auth: Auth, sender: string): boolean {
    if (this.mode === 'ed25519') {
      const key = this.publicKeys.get(sender);
      return auth.kind === 'sig' && key !== undefined && statementSignatureValid('ED25519', key, bytes, auth.sig, this.stats, CONTEXT);
    }
    if (auth.kind !== 'mac' || sender === this.me) return false;
    const key = this.hmac.get(sender);
    const tag = auth.tags.get(this.me);
    return key !== undefined && tag !== undefined && macValid(key, bytes, tag, this.stats, CONTEXT);
  }
}
