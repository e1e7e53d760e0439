// openSimulation (docs/api.md): a whole deployment on the simulated network
// in the caller's process (runtime/sim-deployment.ts, as `mommie run
// --network sim` starts it), every invariant checked after every step, and
// a client per correct node whose calls the simulation serves. Time is
// virtual: it moves only while a call waits, in slices that end as soon as a
// call is answered or may start, so that the caller's code runs at the
// virtual time of the step that answered it (`now()`), the one clock a
// history of calls is recorded by.

import { checkFile } from '../analysis/frontend.js';
import { formatViolation, type AssertMode, type AssertSink } from '../build/assertions.js';
import { loadBuild, peekAssert } from '../build/load.js';
import { loadDeployment } from '../deploy/load.js';
import { generateKeyRings } from '../keys/ring.js';
import { instantiateForRun } from '../semantics/model.js';
import { runnable } from '../semantics/node.js';
import { System } from '../semantics/system.js';
import { startSimDeployment, type SimDeployment, type Violation } from '../runtime/sim-deployment.js';
import { parseFaults } from '../runtime/sim-faults.js';
import { thirdParties } from '../runtime/ttp-node.js';
import { WireCodec } from '../runtime/wire-codec.js';
import { NO_FAULTS, type SimFaults } from '../transport/sim.js';
import { schemaFromModel } from '../wire/index.js';
import { Caller, DEFAULT_TIMEOUT_MS, type SubmitOptions } from './caller.js';
import type { CallableInput } from './inputs.js';
import type { Plain } from './values.js';

export interface SimulationOptions {
  /** The simulated network's seed (default 1): a seed and the same calls replay exactly. */
  readonly seed?: number;
  /** Faults as `mommie run --faults` takes them (`drop=0.1,delay=1-40,partition=r1|r2+r3@100-900,crash=r2@500`), or the network's own form. */
  readonly faults?: string | SimFaults;
  /** Take crashed and Byzantine principals (and constants) from this model of the program. */
  readonly model?: string;
  /** A call's default timeout, virtual ms (10,000). */
  readonly timeoutMs?: number;
  /** A `mommie build` whose body programs run instead of their transitions' body specs (as `mommie run --build`). */
  readonly build?: string;
  /** With a build made with `--assert`: what a step that differs from its body spec does (default `stop`: the node stops). */
  readonly assertions?: AssertMode;
}

/** A build made with `--assert`: the steps of body programs compared with their body specs, and those that differed. */
export interface AssertionTally {
  readonly checked: number;
  readonly violations: readonly string[];
}

/**
 * What a node's calls take and answer, by transition: `mommie build --client`
 * writes one per role (`ClientCalls`) so that `sim.node<ClientCalls>('c1')`
 * and `openNode<ClientCalls>(...)` are typed; untyped by default.
 */
export type CallMap = { readonly [transition: string]: { readonly args: object; readonly answer: unknown } };

/** Any transition, any arguments, a plain answer: a client without generated declarations. */
export type UntypedCalls = { readonly [transition: string]: { readonly args: Readonly<Record<string, unknown>>; readonly answer: Plain } };

/** A node's calls. */
export interface Client<C extends CallMap = UntypedCalls> {
  readonly name: string;
  /** The inputs it offers, with their parameters (request ids marked). */
  readonly calls: readonly CallableInput[];
  /** Calls `transition` with `args` (by parameter name, request ids left out); the declared answer. */
  submit<T extends keyof C & string>(transition: T, args: C[T]['args'], opts?: SubmitOptions): Promise<C[T]['answer']>;
}

export interface Simulation {
  /** The correct nodes that run a role. */
  readonly nodes: readonly string[];
  node<C extends CallMap = UntypedCalls>(name: string): Client<C>;
  /** Virtual time, ms. */
  now(): number;
  /** The first invariant the run violated, with the steps that led there. */
  violation(): Violation | undefined;
  /** With a build made with `--assert`: what its assertions found so far; undefined otherwise. */
  assertions(): AssertionTally | undefined;
  close(): void;
}

export class OpenError extends Error {
  override readonly name = 'OpenError';
}

/** Virtual ms the network runs before the caller's code gets a turn, at most. */
const SLICE_MS = 50;

export async function openSimulation(programPath: string, deployPath: string, opts: SimulationOptions = {}): Promise<Simulation> {
  const fe = checkFile(programPath);
  if (!fe.ok || fe.program === undefined) throw new OpenError(`${programPath} does not check: ${fe.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message).join('; ')}`);
  const program = fe.program;
  const dep = loadDeployment(deployPath, program);
  if (!dep.ok || dep.deployment === undefined) throw new OpenError(`${deployPath} is not a deployment of ${program.name}: ${dep.diagnostics.map((d) => d.message).join('; ')}`);
  const deployment = dep.deployment;
  const violations: string[] = [];
  const sink: AssertSink | undefined = opts.build !== undefined && peekAssert(opts.build)
    ? { mode: opts.assertions ?? 'stop', checked: 0, violations: 0, report: (v) => violations.push(formatViolation(v)) }
    : undefined;
  const built = opts.build === undefined || fe.source === undefined ? undefined : await loadBuild(opts.build, program, fe.source, sink);
  if (built !== undefined && 'error' in built) throw new OpenError(`MOM704: ${built.error}`);
  const instantiated = instantiateForRun(program, opts.model, deployment.constants, built?.host ?? new Map());
  const inst: typeof instantiated = instantiated.ok && built !== undefined ? { ok: true, instance: { ...instantiated.instance, bodies: built.bodies } } : instantiated;
  if (!inst.ok) throw new OpenError(inst.error.message);
  const model = inst.instance;
  const cannot = runnable(new System(model));
  if (cannot !== undefined) throw new OpenError(cannot.message);
  const parsed = typeof opts.faults === 'string' ? parseFaults(opts.faults) : { faults: opts.faults ?? NO_FAULTS, crashAt: new Map<string, number>() };
  if ('error' in parsed) throw new OpenError(parsed.error);
  const principals = model.nodes.map((n) => n.name);
  const ttps = thirdParties(deployment, principals);
  const rings = await generateKeyRings([...principals, ...ttps]);
  const schema = schemaFromModel(model);
  if (!schema.ok) throw new OpenError(schema.detail);

  const callers = new Map<string, Caller>();
  const deferred: (() => void)[] = [];
  let dirty = false;
  const sim: SimDeployment = startSimDeployment({
    model, source: fe.source, seed: opts.seed ?? 1, faults: parsed.faults, crashAt: parsed.crashAt, ttps,
    timeoutMs: (role, t) => deployment.timeoutMs(role, t),
    timerDoubling: (role, t) => deployment.timerDoubling?.(role, t),
    dissemination: (issuer, type) => deployment.disseminationFor?.(issuer, type),
    codecFor: (n) => new WireCodec(rings.get(n)!, deployment, schema.schema),
    maxTimeMs: Number.MAX_SAFE_INTEGER,
    observer: {
      step: (node, what) => {
        if (what.kind !== 'fire') return;
        const c = callers.get(node.name);
        if (c === undefined || !c.busy) return;
        c.afterStep();
        // The caller's code runs now, at this step's virtual time.
        dirty = true;
      },
    },
  });
  for (const n of sim.nodes) callers.set(n.name, new Caller(n, sim.system, sim.net.host, (f) => deferred.push(f), opts.timeoutMs ?? DEFAULT_TIMEOUT_MS));

  let closed = false;
  let driving = false;
  /** Runs the network while some call waits, yielding to the caller's code whenever a call may have moved. */
  const drive = async (): Promise<void> => {
    if (driving) return;
    driving = true;
    try {
      for (;;) {
        // The caller's code first: what it submits in reaction joins this slice.
        await new Promise((r) => setImmediate(r));
        if (closed || ![...callers.values()].some((c) => c.busy)) return;
        dirty = false;
        sim.net.run(sim.net.now + SLICE_MS, () => dirty);
        for (const f of deferred.splice(0)) f();
      }
    } finally {
      driving = false;
    }
  };

  const clients = new Map<string, Client>();
  return {
    nodes: sim.nodes.map((n) => n.name),
    node<C extends CallMap = UntypedCalls>(name: string): Client<C> {
      let c = clients.get(name);
      if (c !== undefined) return c as unknown as Client<C>;
      const caller = callers.get(name);
      if (caller === undefined) throw new OpenError(`${name} is no running node of this simulation (${sim.nodes.map((n) => n.name).join(', ')})`);
      c = {
        name, calls: caller.callable,
        submit: (t: string, args: object, o?: SubmitOptions) => {
          const p = caller.submit(t, args, o);
          void drive();
          return p;
        },
      };
      clients.set(name, c);
      // The call map is the declarations' promise about this program; the calls are checked at run time either way.
      return c as unknown as Client<C>;
    },
    now: () => sim.net.now,
    violation: () => sim.violation(),
    assertions: () => (sink === undefined ? undefined : { checked: sink.checked, violations: [...violations] }),
    close() {
      if (closed) return;
      closed = true;
      for (const c of callers.values()) c.close('the simulation closed');
      for (const n of sim.nodes) n.stop('end of run');
      for (const t of sim.ttps) t.stop('end of run');
    },
  };
}
