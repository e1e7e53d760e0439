// Fixtures for the wire tests: programs and their schemas, KeyRings built in
// memory with node:crypto, and a Deployment whose mechanism table the test
// writes (the real parser is another stage's).

import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkText } from '../../src/analysis/frontend.js';
import type { CheckedProgram } from '../../src/analysis/program.js';
import type { Deployment, Endpoint, Mechanism } from '../../src/deploy/deployment.js';
import type { KeyRing, SignatureAlg } from '../../src/keys/keyring.js';
import { instantiate, type ModelInstance } from '../../src/semantics/model.js';
import { schemaFromModel, type WireSchema } from '../../src/wire/index.js';
import { ROOT } from './cli.js';

/** A program with every kind of value a record field can hold. */
export const KINDS_PROGRAM = `PROGRAM WireKinds
PRINCIPALS C = {c1, c2}
PRINCIPALS R = {r1, r2, r3, r4}
CONSTANT Max = 2
TYPE Color = {Red, Green, Blue}
TYPE Small = 0..Max
RECORD Inner { who: C, n: Small }
RECORD Kinds { b: BOOLEAN, c: Color, n: Small, neg: -300..-1, big: 0..100000, p: R, s: SET OF Small, ps: SET OF R, inner: Inner, rs: SET OF Inner }
RECORD Ping { n: Small }
ROLE Replica AT R {
  VAR x : Small = 0
  TRANSITION T
    WHEN [c C == 1, ME, NOONE] Ping ping
  @@{
    x <- ping.n;
  @@}
}
INVARIANT Ok: TRUE
MODEL M {
  CONSTANT Max = 3
}
`;

export function programOf(file: string, text: string): CheckedProgram {
  const r = checkText(file, text);
  if (!r.ok || r.program === undefined) throw new Error(`${file} does not check: ${r.diagnostics.map((d) => d.message).join('; ')}`);
  return r.program;
}

export function specProgram(name: string): CheckedProgram {
  const file = join('specs', name);
  return programOf(file, readFileSync(join(ROOT, file), 'utf8'));
}

export function modelOf(program: CheckedProgram, model?: string): ModelInstance {
  const name = model ?? [...program.models.keys()][0]!;
  const r = instantiate(program, name);
  if (!r.ok) throw new Error(r.error.message);
  return r.instance;
}

export function schemaOf(m: ModelInstance): WireSchema {
  const r = schemaFromModel(m);
  if (!r.ok) throw new Error(r.detail);
  return r.schema;
}

// ---------------------------------------------------------------------------
// Keys

interface Pair {
  readonly publicKey: KeyObject;
  readonly privateKey: KeyObject;
}

/** Every principal's keys, generated once; each node's KeyRing is a view of what it holds. */
export class KeyWorld {
  private readonly ed = new Map<string, Pair>();
  private readonly rsa = new Map<string, Pair>();
  private readonly hmac = new Map<string, Uint8Array>();

  constructor(readonly principals: readonly string[], opts: { rsa?: readonly string[] } = {}) {
    for (const p of principals) this.ed.set(p, generateKeyPairSync('ed25519'));
    // RSA key generation is slow: only for the principals that need it.
    for (const p of opts.rsa ?? []) this.rsa.set(p, generateKeyPairSync('rsa', { modulusLength: 2048 }));
    for (const a of principals) for (const b of principals) if (a < b) this.hmac.set(`${a}|${b}`, new Uint8Array(randomBytes(32)));
  }

  pairKey(a: string, b: string): Uint8Array | undefined {
    return this.hmac.get(a < b ? `${a}|${b}` : `${b}|${a}`);
  }

  ring(principal: string): KeyRing {
    const pairs = (alg: SignatureAlg): Map<string, Pair> => (alg === 'ED25519' ? this.ed : this.rsa);
    return {
      principal,
      hmacKey: (peer) => (peer === principal ? undefined : this.pairKey(principal, peer)),
      signingKey: (alg) => pairs(alg).get(principal)?.privateKey,
      publicKey: (peer, alg) => pairs(alg).get(peer)?.publicKey,
    };
  }

  /** A ring that answers with `other`'s private keys: a node holding the wrong key. */
  ringWithKeysOf(principal: string, other: string): KeyRing {
    const r = this.ring(other);
    return { ...r, principal };
  }
}

// ---------------------------------------------------------------------------
// Deployments

/** `(issuer, verifier, auditors) -> mechanism`, written by the test. */
export type MechanismTable = (issuer: string, verifier: string, auditors: readonly string[]) => Mechanism | undefined;

export function fakeDeployment(nodes: readonly string[], table: MechanismTable): Deployment {
  const endpoints = new Map<string, Endpoint>(nodes.map((n, i) => [n, { host: '127.0.0.1', port: 9000 + i }]));
  return {
    file: 'test.deploy',
    nodes: endpoints,
    mechanismFor: table,
    timeoutMs: () => 1000,
    constants: new Map(),
    dissemination: [],
  };
}

// ---------------------------------------------------------------------------
// One world for the authentication tests

/**
 * The KINDS program under model M, with one mechanism per issuer:
 * c1, c2 HMAC; r1 Ed25519; r2 RSA; r3 via the TTP `ttp`; r4 PLAINTEXT.
 * HMAC is repudiable, so an HMAC issuer's statement with auditors has no
 * mechanism (deploy-check would refuse the program's PUBLISH).
 */
export const MECHANISMS: MechanismTable = (issuer, _verifier, auditors) => {
  switch (issuer) {
    case 'c1':
    case 'c2':
      return auditors.length === 0 ? { kind: 'HMAC' } : undefined;
    case 'r1':
      return { kind: 'ED25519' };
    case 'r2':
      return { kind: 'RSA' };
    case 'r3':
      return { kind: 'TTP', principal: 'ttp' };
    case 'r4':
      return { kind: 'PLAINTEXT' };
    default:
      return undefined;
  }
};

export interface World {
  readonly program: CheckedProgram;
  readonly model: ModelInstance;
  readonly schema: WireSchema;
  readonly keys: KeyWorld;
  readonly deployment: Deployment;
  readonly principals: readonly string[];
}

let world: World | undefined;

/** Built once per test file: RSA key generation takes a while. */
export function kindsWorld(): World {
  if (world !== undefined) return world;
  const program = programOf('WireKinds.mom', KINDS_PROGRAM);
  const model = modelOf(program, 'M');
  const principals = ['c1', 'c2', 'r1', 'r2', 'r3', 'r4'];
  // r1 has an RSA key it is not configured to use: a valid signature by the wrong mechanism or key.
  const keys = new KeyWorld([...principals, 'ttp'], { rsa: ['r1', 'r2'] });
  world = { program, model, schema: schemaOf(model), keys, deployment: fakeDeployment([...principals, 'ttp'], MECHANISMS), principals };
  return world;
}
