// A deployment of a program on the simulated network, ready to run any number
// of requests with the same keys: what the optimizations and cost sections
// measure (every client keeps 16 requests in flight, run-time invariants off).

import type { CheckedProgram } from '../src/analysis/program.js';
import type { Deployment } from '../src/deploy/deployment.js';
import { loadDeployment } from '../src/deploy/load.js';
import { generateKeyRings } from '../src/keys/ring.js';
import { runSimulation, type SimRunOptions, type SimRunResult } from '../src/runtime/sim-run.js';
import { WireCodec } from '../src/runtime/wire-codec.js';
import { instantiateRun, withClients, type ModelInstance } from '../src/semantics/model.js';
import type { Value } from '../src/semantics/value.js';
import { schemaFromModel } from '../src/wire/index.js';

export interface SimSetup {
  readonly model: ModelInstance;
  readonly deployment: Deployment;
  /** One run of `requests`; `onCodec` sees each node's codec (its crypto counts); `reference` runs the interpreter instead of the compiled core. */
  run(requests: number, onCodec?: (c: WireCodec) => void, reference?: boolean, watch?: Pick<SimRunOptions, 'onNodes' | 'onProgress'>): SimRunResult;
}

export async function simSetup(program: CheckedProgram, deployPath: string, clients: number, overrides: ReadonlyMap<string, Value> = new Map()): Promise<SimSetup> {
  const dep = loadDeployment(deployPath, program);
  if (!dep.ok || dep.deployment === undefined) throw new Error(`${deployPath}: ${dep.diagnostics.map((d) => d.message).join('; ')}`);
  const deployment = dep.deployment;
  const inst = instantiateRun(program, new Map<string, Value>([...deployment.constants, ...overrides]));
  if (!inst.ok) throw inst.error;
  const model = withClients(inst.instance, clients);
  if ('available' in model) throw new Error(`${program.name} has ${model.available} clients`);
  const schema = schemaFromModel(model);
  if (!schema.ok) throw new Error(schema.detail);
  const rings = await generateKeyRings(model.nodes.map((n) => n.name));
  return {
    model,
    deployment,
    run: (requests, onCodec, reference, watch) =>
      runSimulation({
        ...watch,
        model, seed: 1, requests, concurrency: 16, invariants: false, maxTimeMs: 1e12, quiesceMs: 0, reference: reference === true,
        codecFor: (n) => {
          const c = new WireCodec(rings.get(n)!, deployment, schema.schema);
          onCodec?.(c);
          return c;
        },
        timeoutMs: (role, t) => deployment.timeoutMs(role, t),
        dissemination: (issuer, type) => deployment.disseminationFor?.(issuer, type),
      }),
  };
}
