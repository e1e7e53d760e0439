// A whole deployment on the simulated network, in one process: every node of
// the program, the model's crashed and Byzantine principals, the deployment's
// trusted third parties (correct by assumption: never crashed), and — because
// one process sees every node — the program's invariants checked on the
// global state after every step. runSimulation (sim-run.ts) drives it with the
// workload; the client API's openSimulation (src/api/) with the caller's calls.

import type { Trace, TraceStep, VarChange as ShownChange, StatementView } from '../check/result.js';
import type { SourceText } from '../diagnostics/source.js';
import { EvalError } from '../semantics/errors.js';
import type { EvalEnv } from '../semantics/eval.js';
import type { ModelInstance } from '../semantics/model.js';
import { NodeMachine } from '../semantics/node.js';
import { System } from '../semantics/system.js';
import type { Value } from '../semantics/value.js';
import { TRACE_VERSION, type RunHeader } from '../trace/events.js';
import { valueToJson } from '../trace/value-json.js';
import { NO_FAULTS, SimNetwork, type SimFaults } from '../transport/sim.js';
import type { FrameCodec, OpenedStatement } from './codec.js';
import { RuntimeNode, type ObservedStep, type StepObserver, type TraceSink } from './node.js';
import { TtpNode, ttpStartEvent } from './ttp-node.js';
import { ByzantineNode } from './byzantine.js';
import type { PlanFor } from './outbox.js';
import { StepRing } from './step-ring.js';

export interface SimDeploymentOptions {
  readonly model: ModelInstance;
  readonly source?: SourceText;
  /** The codec each node uses (its keys, the deployment's mechanisms); TTPs included. */
  codecFor(node: string): FrameCodec;
  /**
   * The deployment's trusted third parties (nodes that are no principal of
   * the program): each runs a TtpNode. They are correct by assumption; a
   * caller must not crash one (`mommie run` refuses to).
   */
  readonly ttps?: readonly string[];
  timeoutMs(role: string, transition: string): number;
  /** [Timeouts] DOUBLING(p) (runtime/timer-doubling.ts). */
  timerDoubling?(role: string, transition: string): string | undefined;
  /** The deployment's [Dissemination] plans (none: every statement unicast to each verifier). */
  readonly dissemination?: PlanFor;
  readonly seed: number;
  readonly faults?: SimFaults;
  /** Crash these nodes at these virtual times (ms). */
  readonly crashAt?: ReadonlyMap<string, number>;
  /** Virtual time bound of the run. */
  readonly maxTimeMs?: number;
  /** Evaluate every invariant of the model after every step (default true). */
  readonly invariants?: boolean;
  readonly traceFor?: (node: string) => TraceSink | undefined;
  /** What every log's start event says about the run (model, --clients, deploy file), for replay. */
  readonly header?: RunHeader;
  readonly strict?: boolean;
  /** Byzantine nodes also replay, mutate and forge frames (default true). */
  readonly wireAttacks?: boolean;
  /** Run the nodes' transitions with the interpreter (`--reference`) instead of the compiled core. */
  readonly reference?: boolean;
  /** Told of every step of every correct node, after the invariants are checked. */
  readonly observer?: StepObserver;
  /** Told the running nodes once they are built (a benchmark samples their counts with onProgress). */
  readonly onNodes?: (nodes: readonly RuntimeNode[]) => void;
}

export interface Violation {
  readonly invariant: string;
  readonly trace: Trace;
  /** Steps before the shown ones that were not kept. */
  readonly omitted: number;
}

/** A started deployment: its nodes run as the simulated network delivers (`net.run`). */
export interface SimDeployment {
  readonly system: System;
  readonly net: SimNetwork;
  readonly nodes: readonly RuntimeNode[];
  readonly byName: ReadonlyMap<string, RuntimeNode>;
  readonly ttps: readonly TtpNode[];
  readonly byzantine: readonly ByzantineNode[];
  readonly aborts: readonly { node: string; code: string; message: string; at: string }[];
  /** The first invariant violated, with the steps that led there. */
  violation(): Violation | undefined;
  /** Every Byzantine node has had its chance: its whole budget published. */
  byzantineDone(): boolean;
}

const KEPT_STEPS = 2000;

export function startSimDeployment(opts: SimDeploymentOptions): SimDeployment {
  const model = opts.model;
  const system = new System(model, { reference: opts.reference === true });
  const net = new SimNetwork(opts.seed, opts.faults ?? NO_FAULTS);
  const nodes: RuntimeNode[] = [];
  const byName = new Map<string, RuntimeNode>();
  // The last KEPT_STEPS steps, kept unrendered: values are immutable, so a
  // step is shown (its values rendered as text) only if a violation needs
  // the trace. Rendering every step cost about 4% of a run's CPU.
  const recent = new StepRing<() => TraceStep>(KEPT_STEPS + 1);
  let violation: Violation | undefined;
  const aborts: { node: string; code: string; message: string; at: string }[] = [];
  const checkInvariants = opts.invariants !== false;
  const invariants = model.invariants.map((n) => [n, model.program.invariants.get(n)!] as const);
  const show = (v: Value): string => system.ev.show(v);
  const view = (s: OpenedStatement): StatementView => ({ issuer: s.issuer, verifiers: s.verifiers, auditors: s.auditors, record: show(s.record), recordType: s.record.type });

  // Without invariants there is no violation, so no trace: nothing is kept.
  const keep = (render: (index: number) => TraceStep): void => {
    if (!checkInvariants) return;
    const index = recent.pushed + 1;
    recent.push(() => render(index));
  };
  const renderedSteps = (): TraceStep[] => recent.items().map((r) => r());
  const initial: ShownChange[] = [];

  const globalEnv = (): EvalEnv => ({
    bound: new Map(),
    correct: model.correct,
    faulty: model.faulty,
    nodeVar: (p, variable, at) => {
      const n = byName.get(p);
      const idx = model.nodeIndex.get(p);
      const info = idx === undefined ? undefined : model.nodes[idx];
      const vi = info?.role === undefined ? undefined : system.varIndexOf(info.role.name).get(variable);
      if (vi === undefined) throw new EvalError('MOM503', `${p} has no variable ${variable}`, at);
      // Faulty nodes keep their initial values, as in the model.
      return n !== undefined ? n.machine.variables[vi]! : initialVars.get(p)![vi]!;
    },
  });
  const initialVars = new Map<string, readonly Value[]>();
  const initState = system.initialState();
  for (const n of model.nodes) initialVars.set(n.name, initState.vars[n.index]!);

  const checkAll = (): void => {
    if (!checkInvariants || violation !== undefined) return;
    for (const [name, decl] of invariants) {
      let ok: boolean;
      try {
        ok = system.ev.evalBool(decl.body, globalEnv());
      } catch (e) {
        if (!(e instanceof EvalError)) throw e;
        ok = false;
      }
      if (!ok) {
        violation = { invariant: name, trace: { steps: renderedSteps() }, omitted: recent.dropped };
        return;
      }
    }
  };

  const observer = {
    step: (node: RuntimeNode, what: ObservedStep) => {
      if (what.kind === 'deliver') {
        const statement = what.statement;
        keep((index) => ({ index, action: { kind: 'deliver', node: node.name, statement: view(statement) }, changes: [] }));
        return;
      }
      const r = what.result;
      if (r.kind === 'aborted') return;
      const timeout = what.via === 'timeout';
      keep((index) => {
        const pos = opts.source?.position(r.transition.decl.span.start);
        return {
          index,
          action: {
            kind: 'fire', node: node.name, role: r.transition.role, transition: r.transition.name, timeout,
            binding: Object.fromEntries(r.binding.map(([k, v]) => [k, show(v)])),
            published: r.published.map(view),
            location: `${model.program.file}:${pos?.line ?? 0}:${pos?.column ?? 0}`,
          },
          changes: r.changes.map((c) => ({ node: node.name, variable: c.name, before: show(c.before), after: show(c.after) })),
        };
      });
      if (r.changes.length > 0) checkAll();
    },
  };
  const observed = opts.observer;
  const observers = observed === undefined ? observer : { step: (n: RuntimeNode, w: ObservedStep) => {
    observer.step(n, w);
    observed.step(n, w);
  } };

  for (const info of model.nodes) {
    if (info.role === undefined) continue;
    info.role.vars.forEach((v, i) => initial.push({ node: info.name, variable: v.name, after: show(initialVars.get(info.name)![i]!) }));
    if (info.status !== 'correct') continue;
    const trace = opts.traceFor?.(info.name);
    trace?.write({
      k: 'start', version: TRACE_VERSION, node: info.name, role: info.role.name, program: model.program.name,
      constants: Object.fromEntries([...model.constants].map(([k, v]) => [k, valueToJson(v)])), faulty: 'correct', ...opts.header,
    });
    const node = new RuntimeNode({
      machine: new NodeMachine(system, info),
      transport: net.endpoint(info.name),
      codec: opts.codecFor(info.name),
      host: net.host,
      ...(opts.source !== undefined ? { source: opts.source } : {}),
      timeoutMs: opts.timeoutMs,
      ...(opts.timerDoubling !== undefined ? { timerDoubling: opts.timerDoubling } : {}),
      ...(trace !== undefined ? { trace } : {}),
      observer: observers,
      strict: opts.strict === true,
      onAbort: (n, e, at) => aborts.push({ node: n.name, code: e.code, message: e.message, at }),
      ...(opts.dissemination !== undefined ? { dissemination: opts.dissemination } : {}),
    });
    nodes.push(node);
    byName.set(info.name, node);
  }
  const initialStep: TraceStep = { index: 1, action: { kind: 'init' }, changes: initial };
  if (checkInvariants) recent.push(() => initialStep);
  checkAll();

  const ttps = (opts.ttps ?? []).map((name) => {
    const trace = opts.traceFor?.(name);
    trace?.write(ttpStartEvent(name, model.program.name, opts.header));
    return new TtpNode({ name, transport: net.endpoint(name), codec: opts.codecFor(name), host: net.host, ...(trace !== undefined ? { trace } : {}) });
  });

  const byzantine = model.byzantine.map((b) => {
    const name = model.nodes[b.node]!.name;
    const trace = opts.traceFor?.(name);
    return new ByzantineNode(b, {
      model, net, codec: opts.codecFor(name), ...(trace !== undefined ? { trace } : {}), ...(opts.header !== undefined ? { header: opts.header } : {}), ttps: opts.ttps ?? [], maxTimeMs: opts.maxTimeMs ?? 600_000,
      keep: (action, changes) => keep((index) => ({ index, action, changes })), view,
    });
  });
  for (const b of byzantine) b.start();
  // A Byzantine node gets its chance before the run ends: its whole budget published.
  const byzantineDone = (): boolean => byzantine.every((b) => b.satisfied(net.now));

  for (const [name, at] of opts.crashAt ?? []) {
    net.schedule(at, () => {
      net.crash(name);
      byName.get(name)?.stop('crashed by the simulation');
    });
  }

  opts.onNodes?.(nodes);
  for (const n of nodes) n.start();
  return { system, net, nodes, byName, ttps, byzantine, aborts, violation: () => violation, byzantineDone };
}
