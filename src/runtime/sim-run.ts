// A whole system in one process over the simulated network (the deployment
// as sim-deployment.ts starts it) with a workload that drives the input
// transitions until the requests are answered, a stall, or the time bound.

import type { ModelInstance } from '../semantics/model.js';
import type { Value } from '../semantics/value.js';
import type { SimNetwork } from '../transport/sim.js';
import type { RuntimeNode } from './node.js';
import type { TtpNode } from './ttp-node.js';
import type { ByzantineCounts, ByzantineNodeReport } from './byzantine.js';
import { countersignReport, disseminationReport, forgettingOf, runningTtpReport } from './node-report.js';
import { startSimDeployment, type SimDeploymentOptions, type Violation } from './sim-deployment.js';
import { Workload } from './workload.js';
import { percentile } from './report.js';
import type { RunFacts } from './verdict.js';

export type { SimDeploymentOptions, Violation } from './sim-deployment.js';

export interface SimRunOptions extends SimDeploymentOptions {
  /** Input requests to drive, over all clients. */
  readonly requests: number;
  /** Requests each client keeps in flight. */
  readonly concurrency?: number;
  /** A request outstanding this long (virtual ms) ends the run: `stalled` if progress is promised, else `abandoned`. */
  readonly stallMs?: number;
  /**
   * Whether the model promises progress (default true). If it does, a
   * request not answered within `stallMs`, or never (nothing is left to
   * happen), is a finding (`stalled`); if not, the run stops waiting for it
   * (`abandoned`).
   */
  readonly progressPromised?: boolean;
  /** Told the number of completed requests after each slice of events (benchmarks sample wall time with it). */
  readonly onProgress?: (completed: number) => void;
  /** After the workload is done, keep delivering for at most this long (virtual ms, default 5000). */
  readonly quiesceMs?: number;
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

export function runSimulation(opts: SimRunOptions): SimRunResult {
  const deployment = startSimDeployment(opts);
  const { system, net, nodes, ttps, byzantine, aborts, byzantineDone } = deployment;
  const workload = new Workload(nodes, system, opts.requests, opts.concurrency ?? 1);
  const latencies: number[] = [];
  const stallMs = opts.stallMs ?? 60_000;
  let unanswered: Unanswered | undefined;
  workload.issue();
  const maxTime = opts.maxTimeMs ?? 600_000;
  let events = 0;
  const done = (): boolean => deployment.violation() !== undefined || unanswered !== undefined || (workload.finished && byzantineDone());
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
    const ran = net.run(Math.min(maxTime, net.now + 50), () => deployment.violation() !== undefined);
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
  const violation = deployment.violation();
  if (violation === undefined && unanswered === undefined) {
    const quiesceUntil = Math.min(maxTime, net.now + (opts.quiesceMs ?? 5_000));
    const unsettled = (): boolean => nodes.some((n) => !n.isStopped && n.unsettled > 0) || ttps.some((t) => t.link.outstanding > 0);
    while (net.now < quiesceUntil && unsettled()) {
      events += net.run(Math.min(quiesceUntil, net.now + 50), () => deployment.violation() !== undefined);
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
      ...(n === undefined ? {} : forgettingOf(n)),
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
