// Keys for the tuner's simulated runs, in memory and thrown away: an HMAC key
// per pair and an Ed25519 key pair per node, as `mommie keys` makes them, but
// one RSA-2048 key pair shared by every node, and only when some candidate
// can use RSA. Making an RSA key per node takes seconds; sharing one changes
// no operation's cost, and no run here needs a node unable to forge another's
// RSA signature (the runs have no Byzantine nodes).

import { generateKeyPair, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { KeyRing, SignatureAlg } from '../keys/keyring.js';
import { keyRingOf, pairwiseHmacKeys, RSA_BITS } from '../keys/ring.js';

function rsaPair(): Promise<{ publicKey: KeyObject; privateKey: KeyObject }> {
  return new Promise((resolve, reject) => {
    generateKeyPair('rsa', { modulusLength: RSA_BITS }, (err, publicKey, privateKey) => (err === null ? resolve({ publicKey, privateKey }) : reject(err)));
  });
}

export async function tuningKeyRings(nodes: readonly string[], withRsa: boolean): Promise<ReadonlyMap<string, KeyRing>> {
  const names = [...new Set(nodes)].sort();
  const rsa = withRsa ? await rsaPair() : undefined;
  const ed = new Map(names.map((n) => [n, generateKeyPairSync('ed25519')] as const));
  const publicKeys = new Map<string, ReadonlyMap<SignatureAlg, KeyObject>>(
    names.map((n) => [n, new Map<SignatureAlg, KeyObject>([['ED25519', ed.get(n)!.publicKey], ...(rsa === undefined ? [] : [['RSA', rsa.publicKey] as const])])]),
  );
  const hmac = pairwiseHmacKeys(names);
  return new Map(
    names.map((n) => [
      n,
      keyRingOf({
        principal: n, hmac: hmac.get(n)!, publicKeys,
        signing: new Map<SignatureAlg, KeyObject>([['ED25519', ed.get(n)!.privateKey], ...(rsa === undefined ? [] : [['RSA', rsa.privateKey] as const])]),
      }),
    ]),
  );
}
