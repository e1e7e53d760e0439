// The key file `<principal>.keys.json`: its JSON shape (an io-ts codec, so a
// reader never trusts a field it did not check), writing one from key
// material, and reading one back into a KeyRing or a coded diagnostic.

import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { isLeft } from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { diag, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { KeyRing, SignatureAlg } from './keyring.js';
import { HMAC_KEY_BYTES, keyRingOf, RSA_BITS, SIGNATURE_ALGS, type KeyRingData } from './ring.js';

export const KEY_FILE_FORMAT = 'mommie-keys/1';

const PemPair = t.type({ ED25519: t.string, RSA: t.string });

export const KeyFileCodec = t.type({
  format: t.literal(KEY_FILE_FORMAT),
  principal: t.string,
  /** Peer -> the shared HMAC-SHA256 key, base64. */
  hmac: t.record(t.string, t.string),
  /** This principal's private keys, PKCS#8 PEM. */
  private: PemPair,
  /** Every principal's public keys (this one's too), SPKI PEM. */
  public: t.record(t.string, PemPair),
});
export type KeyFile = t.TypeOf<typeof KeyFileCodec>;

export type KeyRingResult = { readonly ok: true; readonly ring: KeyRing } | { readonly ok: false; readonly diagnostic: Diagnostic };

const pem = (k: KeyObject, kind: 'private' | 'public'): string =>
  kind === 'private' ? String(k.export({ type: 'pkcs8', format: 'pem' })) : String(k.export({ type: 'spki', format: 'pem' }));

export function encodeKeyFile(data: KeyRingData): string {
  const pair = (m: ReadonlyMap<SignatureAlg, KeyObject>, kind: 'private' | 'public'): t.TypeOf<typeof PemPair> => ({
    ED25519: pem(m.get('ED25519')!, kind),
    RSA: pem(m.get('RSA')!, kind),
  });
  const file: KeyFile = {
    format: KEY_FILE_FORMAT,
    principal: data.principal,
    hmac: Object.fromEntries([...data.hmac].sort(([a], [b]) => (a < b ? -1 : 1)).map(([p, k]) => [p, Buffer.from(k).toString('base64')])),
    private: pair(data.signing, 'private'),
    public: Object.fromEntries([...data.publicKeys].sort(([a], [b]) => (a < b ? -1 : 1)).map(([p, m]) => [p, pair(m, 'public')])),
  };
  return JSON.stringify(file, null, 2) + '\n';
}

/** Where io-ts found the first mismatch, as a dotted path. */
function firstError(errors: t.Errors): string {
  const e = errors[0];
  if (e === undefined) return 'the file does not have the expected shape';
  const path = e.context.map((c) => c.key).filter((k) => k !== '').join('.');
  const expected = e.context[e.context.length - 1]?.type.name ?? 'a value';
  return `${path === '' ? 'the top level' : path} should be ${expected}`;
}

const ALG_TYPE: Readonly<Record<SignatureAlg, string>> = { ED25519: 'ed25519', RSA: 'rsa' };
const BASE64_32 = /^[A-Za-z0-9+/]{43}=$/;

class KeyProblem {
  constructor(readonly message: string) {}
}

function parseKey(text: string, alg: SignatureAlg, kind: 'private' | 'public', what: string): KeyObject {
  let k: KeyObject;
  try {
    k = kind === 'private' ? createPrivateKey(text) : createPublicKey(text);
  } catch (e) {
    throw new KeyProblem(`${what} does not parse as a PEM ${kind} key (${e instanceof Error ? e.message : String(e)})`);
  }
  if (k.asymmetricKeyType !== ALG_TYPE[alg]) throw new KeyProblem(`${what} is a ${k.asymmetricKeyType ?? 'unknown'} key, not ${alg}`);
  if (alg === 'RSA' && (k.asymmetricKeyDetails?.modulusLength ?? 0) < RSA_BITS) {
    throw new KeyProblem(`${what} has ${k.asymmetricKeyDetails?.modulusLength ?? 0} bits; RSA keys have at least ${RSA_BITS}`);
  }
  return k;
}

/** A key file's text as the KeyRing of `principal`, or why not. */
export function decodeKeyFile(path: string, text: string, principal: string): KeyRingResult {
  const fail = (code: 'MOM642' | 'MOM643' | 'MOM644', message: string): KeyRingResult => ({ ok: false, diagnostic: diag(code, path, message) });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return fail('MOM642', `${path} is not JSON (${e instanceof Error ? e.message : String(e)}); key files are written by mommie keys`);
  }
  const decoded = KeyFileCodec.decode(json);
  if (isLeft(decoded)) return fail('MOM643', `${path} is not a ${KEY_FILE_FORMAT} key file: ${firstError(decoded.left)}`);
  const f = decoded.right;
  if (f.principal !== principal) return fail('MOM643', `${path} holds the keys of ${f.principal}, not of ${principal}`);
  if (f.public[principal] === undefined) return fail('MOM643', `${path} lists no public keys of ${principal} itself`);
  try {
    const hmac = new Map<string, Uint8Array>();
    for (const [peer, b64] of Object.entries(f.hmac)) {
      if (peer === principal) throw new KeyProblem(`the HMAC key for ${peer} is a key shared with itself`);
      if (!BASE64_32.test(b64)) throw new KeyProblem(`the HMAC key for ${peer} is not ${HMAC_KEY_BYTES} bytes of base64`);
      hmac.set(peer, new Uint8Array(Buffer.from(b64, 'base64')));
    }
    const signing = new Map(SIGNATURE_ALGS.map((a) => [a, parseKey(f.private[a], a, 'private', `the ${a} private key`)] as const));
    const publicKeys = new Map(
      Object.entries(f.public).map(([peer, pair]) => [peer, new Map(SIGNATURE_ALGS.map((a) => [a, parseKey(pair[a], a, 'public', `the ${a} public key of ${peer}`)] as const))] as const),
    );
    for (const a of SIGNATURE_ALGS) {
      const own = publicKeys.get(principal)!.get(a)!;
      const derived = createPublicKey(signing.get(a)!);
      if (!derived.equals(own)) throw new KeyProblem(`the ${a} private key does not match the ${a} public key listed for ${principal}`);
    }
    return { ok: true, ring: keyRingOf({ principal, hmac, signing, publicKeys }) };
  } catch (e) {
    if (e instanceof KeyProblem) return fail('MOM644', `${path}: ${e.message}`);
    throw e;
  }
}
