// Builds what a simulated run needs without files: the checked program, a
// deployment object (every pair on one mechanism, signatures for auditable
// statements) and in-memory keys.

import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { checkFile } from '../../src/analysis/frontend.js';
import type { CheckedProgram } from '../../src/analysis/program.js';
import type { Deployment, Mechanism } from '../../src/deploy/deployment.js';
import type { KeyRing, SignatureAlg } from '../../src/keys/keyring.js';
import type { SourceText } from '../../src/diagnostics/source.js';

export function loadProgram(path: string): { program: CheckedProgram; source: SourceText } {
  const r = checkFile(path);
  if (!r.ok || r.program === undefined || r.source === undefined) throw new Error(`${path} does not check: ${r.diagnostics.map((d) => d.message).join('; ')}`);
  return { program: r.program, source: r.source };
}

export function uniformDeployment(principals: readonly string[], pair: 'PLAINTEXT' | 'HMAC' | 'ED25519' | 'RSA', signer: 'ED25519' | 'RSA' = 'ED25519'): Deployment {
  return {
    file: '<test>',
    nodes: new Map(principals.map((p, i) => [p, { host: '127.0.0.1', port: 17000 + i }])),
    mechanismFor(_issuer: string, _verifier: string, auditors: readonly string[]): Mechanism | undefined {
      return auditors.length === 0 ? { kind: pair } : { kind: signer };
    },
    timeoutMs: () => 500,
    constants: new Map(),
    dissemination: [],
  };
}

export function memoryKeyRings(principals: readonly string[]): Map<string, KeyRing> {
  const pub = new Map<string, Map<SignatureAlg, KeyObject>>();
  const priv = new Map<string, Map<SignatureAlg, KeyObject>>();
  for (const p of principals) {
    const ed = generateKeyPairSync('ed25519');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    pub.set(p, new Map([['ED25519', ed.publicKey], ['RSA', rsa.publicKey]]));
    priv.set(p, new Map([['ED25519', ed.privateKey], ['RSA', rsa.privateKey]]));
  }
  const mac = new Map<string, Uint8Array>();
  const pairKey = (a: string, b: string): string => (a < b ? `${a}|${b}` : `${b}|${a}`);
  for (const a of principals) for (const b of principals) if (a < b) mac.set(pairKey(a, b), randomBytes(32));
  return new Map(principals.map((p) => [p, {
    principal: p,
    hmacKey: (peer: string) => mac.get(pairKey(p, peer)),
    signingKey: (alg: SignatureAlg) => priv.get(p)?.get(alg),
    publicKey: (peer: string, alg: SignatureAlg) => pub.get(peer)?.get(alg),
  } satisfies KeyRing]));
}
