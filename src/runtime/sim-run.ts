// A whole system in one process over the simulated network: every node of
// the program, the model's crashed and Byzantine principals, the deployment's
// trusted third parties (correct by assumption: never crashed), a workload that
// drives the input transitions, and — because one process sees every node —
// the program's invariants checked on the global state after every step.

import type { Trace, TraceStep, StepAction, VarChange as ShownChange, StatementView } from '../check/result.js';
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
import type { FrameCodec, OpenedStatement, Outgoing } from './codec.js';
import { RuntimeNode, statementJson, type ObservedStep, type TraceSink } from './node.js';
import { TtpNode, ttpStartEvent } from './ttp-node.js';
import { ByzantineNode, type ByzantineCounts, type ByzantineNodeReport } from './byzantine.js';
import { countersignReport, disseminationReport, runningTtpReport } from './node-report.js';
import type { PlanFor } from './outbox.js';
import { StepRing } from './step-ring.js';
import { Workload } from './workload.js';
import { percentile } from './report.js';
import type { RunFacts } from './verdict.js';

export interface SimRunOptions {
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
  /** The deployment's [Dissemination] plans (none: every statement unicast to each verifier). */
  readonly dissemination?: PlanFor;
  readonly seed: number;
  readonly faults?: SimFaults;
  /** Crash these nodes at these virtual times (ms). */
  readonly crashAt?: ReadonlyMap<string, number>;
  /** Input requests to drive, over all clients. */
  readonly requests: number;
  /** Requests each client keeps in flight. */
  readonly concurrency?: number;
  /** Virtual time bound of the run. */
  readonly maxTimeMs?: number;
  /** A request outstanding this long (virtual ms) ends the run: `stalled` if progress is promised, else `abandoned`. */
  readonly stallMs?: number;
  /**
   * Whether the model promises progress (default true). If it does, a
   * request not answered within `stallMs`, or never (nothing is left to
   * happen), is a finding (`stalled`); if not, the run stops waiting for it
   * (`abandoned`).
   */
  readonly progressPromised?: boolean;
  /** Evaluate every invariant of the model after every step (default true). */
  readonly invariants?: boolean;
  readonly traceFor?: (node: string) => TraceSink | undefined;
  /** What every log's start event says about the run (model, --clients, deploy file), for replay. */
  readonly header?: RunHeader;
  readonly strict?: boolean;
  /** Told the number of completed requests after each slice of events (benchmarks sample wall time with it). */
  readonly onProgress?: (completed: number) => void;
  /** After the workload is done, keep delivering for at most this long (virtual ms, default 5000). */
  readonly quiesceMs?: number;
  /** Byzantine nodes also replay, mutate and forge frames (default true). */
  readonly wireAttacks?: boolean;
  /** Run the nodes' transitions with the interpreter (`--reference`) instead of the compiled core. */
  readonly reference?: boolean;
  /** Told the running nodes once they are built (a benchmark samples their counts with onProgress). */
  readonly onNodes?: (nodes: readonly RuntimeNode[]) => void;
}

export interface Violation {
  readonly invariant: string;
  readonly trace: Trace;
  /** Steps before the shown ones that were not kept. */
  readonly omitted: number;
}

export interface SimRunResult {
  readonly requested: number;
  readonly completed: number;
  readonly latencies: readonly number[];
  readonly virtualMs: number;
  readonly events: number;
  readonly violation?: Violation;
  /** A request the model promises to answer that was not answered within `stallMs`, or never (`never`: nothing was left to happen). */
  readonly stalled?: Unanswered;
  /** The same, under a model that promises no progress: the run stopped waiting (no finding). */
  readonly abandoned?: Unanswered;
  /** Virtual time ran out (`maxTimeMs`) before the run was done. */
  readonly timedOut: boolean;
  /** Requests the program refused to start (no input enabled). */
  readonly exhausted: boolean;
  readonly nodes: readonly RuntimeNode[];
  readonly ttps: readonly TtpNode[];
  readonly network: SimNetwork;
  readonly aborts: readonly { node: string; code: string; message: string; at: string }[];
  /** Over every Byzantine node (`forgedRequests`: countersign requests to a TTP for another issuer's statement). */
  readonly byzantine: ByzantineCounts;
  /** Each Byzantine node of the model, with the budget of its own statements. */
  readonly byzantineNodes: readonly ByzantineNodeReport[];
  /** Evaluations the compiled core handed to the interpreter (undefined under `reference`). */
  readonly fallbacks?: number;
}

export interface Unanswered {
  readonly label: string;
  readonly sinceMs: number;
  readonly never: boolean;
}

const KEPT_STEPS = 2000;


export function runSimulation(opts: SimRunOptions): SimRunResult {
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
      ...(trace !== undefined ? { trace } : {}),
      observer,
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
  const workload = new Workload(nodes, system, opts.requests, opts.concurrency ?? 1);
  const latencies: number[] = [];
  const stallMs = opts.stallMs ?? 60_000;
  let unanswered: Unanswered | undefined;
  workload.issue();
  const maxTime = opts.maxTimeMs ?? 600_000;
  let events = 0;
  const done = (): boolean => violation !== undefined || unanswered !== undefined || (workload.finished && byzantineDone());
  /** The oldest request a running client still waits for that is `older` than allowed. */
  const waitingLongest = (older: (started: number) => boolean): Unanswered | undefined => {
    let oldest: { label: string; started: number } | undefined;
    for (const n of nodes) {
      if (n.isStopped) continue;
      for (const w of n.waiting()) if (older(w.started) && (oldest === undefined || w.started < oldest.started)) oldest = w;
    }
    return oldest === undefined ? undefined : { label: oldest.label, sinceMs: oldest.started, never: false };
  };
  // Run in slices so that completions feed the workload and the stall monitor looks often.
  while (!done() && net.now < maxTime) {
    const ran = net.run(Math.min(maxTime, net.now + 50), () => violation !== undefined);
    events += ran;
    for (const n of nodes) {
      for (const c of n.takeCompletions()) {
        latencies.push(c.latencyMs);
        workload.completed(n, c);
      }
    }
    workload.issue();
    opts.onProgress?.(latencies.length);
    unanswered = waitingLongest((started) => net.now - started > stallMs);
    // Nothing in flight and nothing a client can start: the run is over, and a
    // request still waited for will never be answered.
    if (net.idle && byzantineDone()) {
      const left = waitingLongest(() => true);
      if (left !== undefined) unanswered = { ...left, never: true };
      break;
    }
  }
  const timedOut = !done() && net.now >= maxTime;
  const stalled = opts.progressPromised === false ? undefined : unanswered;
  const abandoned = opts.progressPromised === false ? unanswered : undefined;
  // Let what was published reach its verifiers (bounded: frames to a crashed node are never acked).
  if (violation === undefined && unanswered === undefined) {
    const quiesceUntil = Math.min(maxTime, net.now + (opts.quiesceMs ?? 5_000));
    const unsettled = (): boolean => nodes.some((n) => !n.isStopped && n.unsettled > 0) || ttps.some((t) => t.link.outstanding > 0);
    while (net.now < quiesceUntil && unsettled()) {
      events += net.run(Math.min(quiesceUntil, net.now + 50), () => violation !== undefined);
      if (net.idle) break;
    }
  }
  // Requests answered by the last slice's issue itself (an input with no PROGRESS completes when it fires) or while settling.
  for (const n of nodes) {
    for (const c of n.takeCompletions()) {
      latencies.push(c.latencyMs);
      workload.completed(n, c);
    }
  }
  // Read before the nodes stop: a stopped client can start nothing, which is not the program's doing.
  const exhausted = workload.exhausted;
  for (const n of nodes) n.stop('end of run');
  for (const t of ttps) t.stop('end of run');
  return {
    requested: workload.issued, completed: latencies.length, latencies, virtualMs: net.now, events,
    ...(violation !== undefined ? { violation } : {}),
    ...(stalled !== undefined ? { stalled } : {}),
    ...(abandoned !== undefined ? { abandoned } : {}),
    timedOut, exhausted, nodes, ttps, network: net, aborts,
    byzantine: byzantine.reduce((t, b) => ({
      published: t.published + b.counts.published, replayed: t.replayed + b.counts.replayed, mutated: t.mutated + b.counts.mutated,
      forged: t.forged + b.counts.forged, forgedRequests: t.forgedRequests + b.counts.forgedRequests, badCarriers: t.badCarriers + b.counts.badCarriers,
      badCarriersBy: Object.fromEntries([...new Set([...Object.keys(t.badCarriersBy), ...Object.keys(b.counts.badCarriersBy)])].map((k) => [k, (t.badCarriersBy[k] ?? 0) + (b.counts.badCarriersBy[k] ?? 0)])),
    }), { published: 0, replayed: 0, mutated: 0, forged: 0, forgedRequests: 0, badCarriers: 0, badCarriersBy: {} } as ByzantineCounts),
    byzantineNodes: byzantine.map((b) => b.report()),
    ...(system.core !== undefined ? { fallbacks: system.core.fallbacks } : {}),
  };
}


/** The run report of a simulated run. */
export function simReport(
  r: SimRunResult,
  model: ModelInstance,
  seed: number,
  asked: number,
  wireOf: (node: string) => import('../wire/index.js').WireStatsSnapshot | undefined,
  countersignOf?: (node: string) => import('./wire-codec.js').CountersignCounts | undefined,
  digestOf?: (node: string) => import('./record-store.js').DigestCounts | undefined,
): import('./report.js').RunReport {
  const show = (v: Value): string => model.evaluator.show(v);
  const running = new Map(r.nodes.map((n) => [n.name, n]));
  const nodes = model.nodes.filter((n) => n.role !== undefined).map((info) => {
    const n = running.get(info.name);
    const wire = wireOf(info.name);
    const countersign = n === undefined ? undefined : countersignReport(n, countersignOf?.(info.name));
    const dissemination = n === undefined ? undefined : disseminationReport(n);
    const digest = digestOf?.(info.name);
    return {
      node: info.name,
      role: info.role!.name,
      status: info.status,
      fired: n?.stats.firedBy ?? {},
      aborted: n?.stats.aborted ?? 0,
      state: n === undefined ? {} : Object.fromEntries(info.role!.vars.map((v, i) => [v.name, show(n.machine.variables[i]!)])),
      statements: { published: n?.stats.published ?? 0, sent: n?.stats.statementsSent ?? 0, received: n?.stats.delivered ?? 0, duplicates: n?.stats.duplicates ?? 0 },
      frames: {
        out: n?.link.stats.framesOut ?? 0, in: n?.link.stats.framesIn ?? 0, retransmitted: n?.link.stats.retransmissions ?? 0,
        bytesOut: n?.link.stats.bytesOut ?? 0, bytesIn: n?.link.stats.bytesIn ?? 0, dropped: n?.link.stats.dropped ?? {},
      },
      ...(wire !== undefined ? { wire } : {}),
      ...(countersign !== undefined ? { countersign } : {}),
      ...(dissemination !== undefined ? { dissemination } : {}),
      ...(digest !== undefined && Object.values(digest).some((x) => x > 0) ? { digest: { ...digest } } : {}),
    };
  });
  const ttps = r.ttps.map((t) => {
    const wire = wireOf(t.name);
    return runningTtpReport(t, wire === undefined ? {} : { wire });
  });
  const seconds = r.virtualMs / 1000;
  return {
    program: model.program.name, network: 'sim', seed,
    requests: { asked, started: r.requested, completed: r.completed, exhausted: r.exhausted },
    durationMs: r.virtualMs, clock: 'virtual',
    throughputPerS: seconds > 0 ? r.completed / seconds : 0,
    latencyMs: { p50: percentile(r.latencies, 50), p99: percentile(r.latencies, 99), max: r.latencies.reduce((a, b) => Math.max(a, b), 0) },
    nodes, ...(ttps.length > 0 ? { ttps } : {}), aborts: r.aborts,
    core: r.fallbacks === undefined ? { engine: 'reference' } : { engine: 'compiled', fallbacks: r.fallbacks },
    ...(r.violation !== undefined ? { violation: r.violation } : {}),
    ...(r.stalled !== undefined ? { stalled: { request: r.stalled.label, sinceMs: r.stalled.sinceMs, never: r.stalled.never } } : {}),
    ...(model.byzantine.length > 0 ? { byzantine: { ...r.byzantine, nodes: r.byzantineNodes } } : {}),
  };
}

/** What a simulated run did, for its verdict (runtime/verdict.ts). */
export function simFacts(
  r: SimRunResult,
  model: ModelInstance,
  c: { readonly asked: number; readonly timeoutMs: number; readonly invariants: boolean; readonly progressPromised: boolean; readonly assertions?: { readonly checked: number; readonly violations: number } },
): RunFacts {
  const unanswered = r.stalled ?? r.abandoned;
  return {
    network: 'sim',
    ...(r.violation !== undefined ? { invariant: r.violation.invariant } : {}),
    ...(c.invariants ? { invariantsChecked: model.invariants } : {}),
    ...(unanswered !== undefined ? { unanswered: { request: unanswered.label, sinceMs: unanswered.sinceMs, never: unanswered.never } } : {}),
    progressPromised: c.progressPromised,
    ...(model.decl.id !== -1 ? { model: model.name } : {}),
    aborted: r.aborts.length,
    ...(c.assertions !== undefined ? { assertionsChecked: c.assertions.checked, assertionViolations: c.assertions.violations } : {}),
    requests: { asked: c.asked, started: r.requested, completed: r.completed, exhausted: r.exhausted },
    ...(r.timedOut ? { timedOut: c.timeoutMs } : {}),
    byzantine: r.byzantineNodes.map((b) => ({ node: b.node, published: b.published, budget: b.budget })),
  };
}
