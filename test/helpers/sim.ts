// Builds what a simulated run needs without files: the checked program, a
// deployment object (every pair on one mechanism, signatures for auditable
// statements) and in-memory keys.

import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { checkFile } from '../../src/analysis/frontend.js';
import type { CheckedProgram } from '../../src/analysis/program.js';
import type { Deployment, Mechanism } from '../../src/deploy/deployment.js';
import type { KeyRing, SignatureAlg } from '../../src/keys/keyring.js';
import type { SourceText } from '../../src/diagnostics/source.js';
import { loadDeployment } from '../../src/deploy/load.js';
import { instantiate, instantiateRun, type ModelInstance } from '../../src/semantics/model.js';
import type { Value } from '../../src/semantics/value.js';
import { runSimulation, type SimRunResult } from '../../src/runtime/sim-run.js';
import { WireCodec } from '../../src/runtime/wire-codec.js';
import { schemaFromModel } from '../../src/wire/index.js';

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

/**
 * An example (`dir/Name.mom` and its `.deploy`) ready for simulated runs:
 * its models' faults at the models' constants, and last (`free`) a
 * fault-free run at the deployment's constants.
 */
export function exampleModels(base: string): { program: CheckedProgram; source: SourceText; deployment: Deployment; models: ModelInstance[]; free: ModelInstance } {
  const { program, source } = loadProgram(`${base}.mom`);
  const dep = loadDeployment(`${base}.deploy`, program);
  if (!dep.ok || dep.deployment === undefined) throw new Error(`${base}.deploy: ${dep.diagnostics.map((d) => d.message).join('; ')}`);
  const deployment = dep.deployment;
  const models: ModelInstance[] = [...program.models.keys()].map((m) => {
    const r = instantiate(program, m);
    if (!r.ok) throw r.error;
    return r.instance;
  });
  const free = instantiateRun(program, new Map<string, Value>(deployment.constants));
  if (!free.ok) throw free.error;
  models.push(free.instance);
  return { program, source, deployment, models, free: free.instance };
}

/** Drops, duplicates and reordering, as the example runs take them. */
export const EXAMPLE_FAULTS = { drop: 0.1, duplicate: 0.1, minDelayMs: 1, maxDelayMs: 40, partitions: [] };

/**
 * One simulated run of an example under EXAMPLE_FAULTS, each node's log kept
 * as lines: a model's small bounds admit one request, the fault-free run at
 * the deployment's constants `requests`.
 */
export function loggedExampleRun(
  ex: ReturnType<typeof exampleModels>, model: ModelInstance, seed: number, rings: ReadonlyMap<string, KeyRing>, requests: number, reference = false,
): { r: SimRunResult; logs: Map<string, string[]> } {
  const schema = schemaFromModel(model);
  if (!schema.ok) throw new Error(schema.detail);
  const logs = new Map<string, string[]>();
  const r = runSimulation({
    model, source: ex.source, seed, faults: EXAMPLE_FAULTS, requests: model === ex.free ? requests : 1, concurrency: 2, reference,
    codecFor: (n) => new WireCodec(rings.get(n)!, ex.deployment, schema.schema),
    timeoutMs: (role, t) => ex.deployment.timeoutMs(role, t),
    stallMs: 30_000, progressPromised: model.properties.length > 0,
    traceFor: (n) => {
      const l: string[] = [];
      logs.set(n, l);
      return { write: (e) => void l.push(JSON.stringify(e)) };
    },
  });
  return { r, logs };
}
