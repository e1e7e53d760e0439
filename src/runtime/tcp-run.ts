// A run over TCP: one OS process per node on the deployment's addresses
// (node-process.ts; a trusted third party's is ttp-process.ts), started and
// watched through the Supervisor. The run goes through phases: start every
// node and wait until each listens (a node that cannot, or does not in time,
// ends the run with its reason); tell them to go; collect completions until
// every client's workload is done (or the timeout, or an interruption); let
// in-flight frames settle; stop the nodes, which send their reports. The
// result is the run's report with its verdict; `mommie run` (cli/run-tcp.ts)
// prints it.

import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Deployment } from '../deploy/deployment.js';
import { isClient, type ModelInstance, type NodeInfo } from '../semantics/model.js';
import { valueToJson } from '../trace/value-json.js';
import { silentNodeReport, silentTtpReport } from './node-report.js';
import { percentile, type NodeReport, type RunReport } from './report.js';
import { StopWatch } from './stop-watch.js';
import { Supervisor } from './supervisor.js';
import { readRunId, sharedRunId, startRun, type RunIdResult } from './run-id.js';
import { addressOf, peersDown } from './tcp-peers.js';
import { thirdParties } from './ttp-node.js';
import { runVerdict } from './verdict.js';

/** What a TCP run is asked to do, decided before any process starts. */
export interface TcpRunSpec {
  readonly programPath: string;
  readonly deployPath: string;
  readonly deployment: Deployment;
  /** Key files (`mommie keys`): each node process reads its own. */
  readonly keysDir: string;
  /** The program under the run's constants, with the faults of its model. */
  readonly model: ModelInstance;
  /** Only the first this many clients run (node processes narrow their model the same way). */
  readonly clients?: number;
  readonly requests: number;
  readonly concurrency: number;
  /** Where each node writes `<node>.ndjson` (default: a fresh temporary directory). */
  readonly traceDir?: string;
  /** Start only this node. */
  readonly node?: string;
  /** With `node`: it must recover from its log. */
  readonly rejoin?: boolean;
  /** `--run-id FILE`: the run identity to use (`mommie run-id` writes one); default fresh for a full start, the trace directory's for `node`. */
  readonly runIdFile?: string;
  readonly strict: boolean;
  /** Nodes run their transitions with the interpreter instead of the compiled core (--reference). */
  readonly reference?: boolean;
  /** --log-sync none: logs reach the page cache only (default fsync: durable before anything leaves a node). */
  readonly logSync?: 'none';
  /** A build (an absolute path: node processes load it) and what its assertions do. */
  readonly build?: { readonly dir: string; readonly assertions?: string };
  /** Give up after this long (ms of real time). */
  readonly timeoutMs: number;
}

export interface TcpRunEvents {
  /** A line about the run for the user; `chatter` (progress, a node recovered, waiting for peers) a quiet caller may drop. */
  say(line: string, chatter: boolean): void;
  /** A line a node process wrote on stderr, or on stdout that is no message. */
  nodeSaid(node: string, line: string): void;
}

export type TcpRunResult =
  /** The run could not start (a bad --node, the trace directory, a node that could not listen, peers that never came up): why, line by line. */
  | { readonly kind: 'refused'; readonly reasons: readonly string[] }
  /** The report, with its verdict, and where the logs are. */
  | { readonly kind: 'ran'; readonly report: RunReport; readonly traceDir: string };

/** How long nodes may take to load and bind their ports (and, with --node, the peers to come up); the timeout if shorter. */
const STARTUP_MS = 30_000;
/** After the workload, how long in-flight frames may take to be acked. */
const SETTLE_MS = 2_000;
/** How long a node may take to stop and report before it is killed. */
const STOP_GRACE_MS = 3_000;
const PROGRESS_EVERY_MS = 2_000;
/** The exit code of a node process that hit an internal error (node-main.ts). */
const NODE_INTERNAL_ERROR = 3;

type Phase = { kind: 'running' } | { kind: 'done' } | { kind: 'timeout' } | { kind: 'interrupted' } | { kind: 'failed'; message: string };

/** Which processes this run starts: every correct node with a role and every TTP, or the one `--node` names. */
interface Cast {
  /** Every correct node with a role (those running elsewhere too, with --node). */
  readonly runnable: readonly NodeInfo[];
  readonly ttps: readonly string[];
  readonly started: readonly NodeInfo[];
  readonly startedTtps: readonly string[];
}

function cast(spec: TcpRunSpec): Cast | { readonly refused: string } {
  const { model } = spec;
  const runnable = model.nodes.filter((n) => n.role !== undefined && n.status === 'correct');
  // The deployment's trusted third parties run as processes of their own too (correct by assumption).
  const ttps = thirdParties(spec.deployment, model.nodes.map((n) => n.name));
  if (spec.node === undefined) return { runnable, ttps, started: runnable, startedTtps: ttps };
  if (ttps.includes(spec.node)) return { runnable, ttps, started: [], startedTtps: [spec.node] };
  const one = model.nodes.find((n) => n.name === spec.node);
  if (one === undefined || one.role === undefined) {
    return { refused: `--node ${spec.node}: not a node of ${model.program.name} that runs a role, nor a trusted third party (${[...runnable.map((n) => n.name), ...ttps].join(', ')})` };
  }
  if (one.status !== 'correct') return { refused: `--node ${spec.node}: ${spec.node} is ${one.status} in model ${model.name}; only correct nodes run over TCP` };
  return { runnable, ttps, started: [one], startedTtps: [] };
}

/** Runs the nodes until the workload is done, the timeout, or `interrupt`; the report and its verdict. */
export async function runOverTcp(spec: TcpRunSpec, events: TcpRunEvents, interrupt: AbortSignal): Promise<TcpRunResult> {
  const who = cast(spec);
  if ('refused' in who) return { kind: 'refused', reasons: [who.refused] };
  const { model } = spec;
  if (model.byzantine.length > 0) events.say(`Byzantine nodes are not started over TCP (${model.byzantine.map((b) => model.nodes[b.node]!.name).join(', ')}); the simulated network plays them`, true);
  let traceDir = spec.traceDir;
  try {
    if (traceDir === undefined) traceDir = mkdtempSync(join(tmpdir(), 'mommie-run-'));
    else mkdirSync(traceDir, { recursive: true });
  } catch (e) {
    return { kind: 'refused', reasons: [`cannot create the trace directory: ${e instanceof Error ? e.message : String(e)}`] };
  }
  const identity = runIdentity(spec, traceDir);
  if (!identity.ok) return { kind: 'refused', reasons: [identity.message] };
  return new TcpRun(spec, who, traceDir, identity, events).run(interrupt);
}

/**
 * A full start is a new run (or the one `--run-id FILE` names); a node
 * started alone joins the run `--run-id FILE` names, else the run of its
 * trace directory.
 */
function runIdentity(spec: TcpRunSpec, traceDir: string): RunIdResult {
  const given = spec.runIdFile === undefined ? undefined : readRunId(spec.runIdFile);
  if (given !== undefined && !given.ok) return given;
  if (spec.node === undefined) return startRun(traceDir, given?.run);
  return given ?? sharedRunId(traceDir);
}

class TcpRun {
  private readonly latencies: number[] = [];
  /** Node stops during the workload, completions and first firings, timed from go (the report's `stops`). */
  private readonly watch = new StopWatch();
  private readonly assertions = { checked: 0, violations: 0, reported: false };
  private readonly sup: Supervisor;
  private phase: Phase = { kind: 'running' };
  private wake = (): void => undefined;
  private readonly startupMs: number;
  private readonly t0 = performance.now();
  private goAt = this.t0;
  private endAt = this.t0;
  private went = false;

  constructor(
    private readonly spec: TcpRunSpec,
    private readonly who: Cast,
    private readonly traceDir: string,
    private readonly identity: { readonly run: string },
    private readonly events: TcpRunEvents,
  ) {
    this.startupMs = Math.min(STARTUP_MS, spec.timeoutMs);
    this.sup = new Supervisor({
      changed: () => {
        this.noteStops();
        this.wake();
      },
      completions: (_node, ls) => {
        this.latencies.push(...ls);
        if (this.went) this.watch.completed(performance.now() - this.goAt, ls.length);
        this.wake();
      },
      firstFire: (node, transition) => {
        if (this.went) this.watch.firstFire(node, transition, performance.now() - this.goAt);
      },
      said: (node, line) => {
        // A node's tally of assertions (build/load.ts): a violation anywhere makes the run's exit 2.
        const m = /^assertions \(\w+\): (\d+) steps? .*, (\d+) violations?$/.exec(line);
        if (m !== null) {
          this.assertions.reported = true;
          this.assertions.checked += Number(m[1]);
          this.assertions.violations += Number(m[2]);
        }
        events.nodeSaid(node, line);
      },
    });
  }

  /** A node process that was up and exited while the workload ran: a stop (a kill, a crash), timed. */
  private noteStops(): void {
    if (!this.went || this.phase.kind !== 'running') return;
    const at = performance.now() - this.goAt;
    for (const c of this.sup.children.values()) {
      if (c.exited !== undefined && c.listening) this.watch.stopped(c.node, at, c.exited.signal ?? `exit code ${c.exited.code}`);
    }
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  async run(interrupt: AbortSignal): Promise<TcpRunResult> {
    const onSignal = (): void => {
      if (this.phase.kind === 'running') this.phase = { kind: 'interrupted' };
      this.wake();
    };
    interrupt.addEventListener('abort', onSignal);
    try {
      this.startNodes();
      await this.awaitListening();
      await this.drive();
      await this.settle();
    } finally {
      await this.sup.stopAll(this.phase.kind === 'interrupted' ? 'interrupted' : 'end of run', STOP_GRACE_MS);
      interrupt.removeEventListener('abort', onSignal);
    }
    const final = this.phase;
    // A run that never started (a node could not listen, a peer never came up) has nothing to report but why.
    if (!this.went && final.kind === 'failed') return { kind: 'refused', reasons: final.message.split('\n') };
    return { kind: 'ran', report: this.conclude(final), traceDir: this.traceDir };
  }

  private startNodes(): void {
    const { spec, who } = this;
    const { model } = spec;
    // Requests are split over every client of the run, started here or not, so that
    // `--node c2` gets c2's share of a run whose other nodes run elsewhere.
    const clients = who.runnable.filter(isClient);
    const share = new Map(clients.map((c, i) => [c.name, Math.floor(spec.requests / clients.length) + (i < spec.requests % clients.length ? 1 : 0)]));
    const constants = JSON.stringify(Object.fromEntries([...model.constants].map(([k, v]) => [k, valueToJson(v)])));
    const logMode = spec.node === undefined ? 'new' : spec.rejoin === true ? 'rejoin' : 'resume';
    const runId = `mommie-run-${process.pid}-${Date.now()}`;
    const identity = this.identity.run;
    for (const n of [...who.started.map((x) => x.name), ...who.startedTtps]) {
      this.sup.start({
        node: n,
        args: [
          '--run', runId, '--run-id', identity, '--program', spec.programPath, '--deploy', spec.deployPath, '--keys', spec.keysDir, '--node', n,
          '--trace-dir', this.traceDir, '--constants', constants, '--requests', String(share.get(n) ?? 0),
          '--concurrency', String(spec.concurrency), '--log', logMode,
          ...(model.decl.id !== -1 ? ['--model', model.name] : []), ...(spec.clients !== undefined ? ['--clients', String(spec.clients)] : []),
          ...(spec.strict ? ['--strict'] : []), ...(spec.reference === true ? ['--reference'] : []), ...(spec.logSync === 'none' ? ['--log-sync', 'none'] : []),
          ...(spec.build !== undefined ? ['--build', spec.build.dir, ...(spec.build.assertions !== undefined ? ['--assertions', spec.build.assertions] : [])] : []),
        ],
      });
    }
  }

  /** Phase 1: every node listens (and, for a node started alone, its peers are up). */
  private async awaitListening(): Promise<void> {
    const { spec, who, sup } = this;
    while (this.phase.kind === 'running') {
      const cs = [...sup.children.values()];
      const failed = cs.filter((c) => c.error !== undefined || (c.exited !== undefined && !c.listening));
      if (failed.length > 0) {
        this.phase = { kind: 'failed', message: failed.map((c) => `${c.node}: ${c.error ?? `exited (${c.exited?.signal ?? `code ${c.exited?.code}`}) before listening`}`).join('\n') };
      } else if (cs.every((c) => c.listening)) break;
      else if (performance.now() - this.t0 > this.startupMs) {
        this.phase = { kind: 'failed', message: `${cs.filter((c) => !c.listening).map((c) => c.node).join(', ')} did not start listening within ${this.startupMs / 1000} s` };
      } else await this.wait(100);
    }
    // A node started alone never waits for its peers (issue 22 item 4): it
    // catches up with each when it comes up (its link retransmits what is
    // unacked, at once on the peer's first session). It says who is down.
    if (this.phase.kind === 'running' && spec.node !== undefined && who.startedTtps.length === 0) {
      const peers = [...who.runnable.map((n) => n.name), ...who.ttps].filter((n) => n !== spec.node);
      const down = await peersDown(spec.deployment, peers);
      if (down.length > 0) this.events.say(`${spec.node} starts with ${down.map((p) => `${p} (${addressOf(spec.deployment, p)})`).join(', ')} not reachable yet; it catches up with each when it comes up`, true);
    }
    for (const c of sup.children.values()) {
      if (c.recovered === undefined) continue;
      for (const note of c.recovered.notes ?? []) this.events.say(`${c.node}: ${note}`, true);
      const from = c.recovered.checkpoint === undefined ? '' : `checkpoint ${c.recovered.checkpoint} restored, then `;
      this.events.say(`${c.node} recovered from its log: ${from}${c.recovered.events} events re-done, ${c.recovered.inFlight} requests in flight again`, true);
    }
  }

  /** Phase 2: the workload, until every client is done, the timeout, or an interruption. */
  private async drive(): Promise<void> {
    const { spec, who, sup } = this;
    this.goAt = performance.now();
    if (this.phase.kind === 'running') {
      this.went = true;
      sup.tellAll({ k: 'go' });
    }
    const startedClients = who.started.filter(isClient).map((n) => n.name);
    let lastProgress = this.goAt;
    while (this.phase.kind === 'running') {
      const now = performance.now();
      const cs = [...sup.children.values()];
      const clientsLeft = startedClients.filter((n) => {
        const c = sup.children.get(n)!;
        return c.finished === undefined && c.exited === undefined;
      });
      if (startedClients.length > 0 && clientsLeft.length === 0) {
        this.phase = { kind: 'done' };
        break;
      }
      if (cs.every((c) => c.exited !== undefined)) {
        this.phase = { kind: 'failed', message: 'every node process exited' };
        break;
      }
      if (now - this.t0 > spec.timeoutMs) {
        this.phase = { kind: 'timeout' };
        break;
      }
      if (now - lastProgress >= PROGRESS_EVERY_MS) {
        lastProgress = now;
        const secs = (now - this.goAt) / 1000;
        const done = this.latencies.length;
        this.events.say(`${done} of ${spec.requests} requests completed in ${secs.toFixed(1)} s (${(done / secs).toFixed(1)}/s); ${sup.running.length} of ${who.started.length + who.startedTtps.length} nodes up`, true);
      }
      await this.wait(Math.min(PROGRESS_EVERY_MS, 250));
    }
    this.endAt = performance.now();
    for (const c of sup.children.values()) {
      if (c.exited !== undefined && c.listening) this.events.say(`${c.node} stopped during the run (${c.exited.signal ?? `exit code ${c.exited.code}`})`, true);
    }
  }

  /** Phase 3: let the last frames be acked, so that every node's final state is the run's. */
  private async settle(): Promise<void> {
    if (this.phase.kind !== 'done') return;
    const from = performance.now();
    // Every live node has reported, since the workload ended, that nothing it sent waits for an ack.
    const settled = (): boolean => this.sup.running.every((c) => c.progress !== undefined && c.progress.at > from && c.progress.outstanding === 0);
    while (performance.now() - from < SETTLE_MS && !settled() && this.phase.kind === 'done') await this.wait(100);
  }

  /** The report with its verdict; why the run ended, said. */
  private conclude(final: Phase): RunReport {
    const { spec, who, sup, assertions } = this;
    const { model } = spec;
    const say = (line: string): void => this.events.say(line, false);
    const report = this.report();
    if (final.kind === 'failed') say(final.message);
    if (final.kind === 'timeout') say(`--timeout: stopped after ${(spec.timeoutMs / 1000).toFixed(1)} s with ${this.latencies.length} of ${spec.requests} requests completed`);
    const unfinished = final.kind === 'done' ? who.started.filter(isClient).filter((n) => sup.children.get(n.name)?.finished === undefined).map((n) => n.name) : [];
    if (unfinished.length > 0) say(`${unfinished.join(', ')} stopped before finishing ${unfinished.length === 1 ? 'its' : 'their'} requests`);
    if (assertions.violations > 0) say(`assertions: ${assertions.violations} violation${assertions.violations === 1 ? '' : 's'} over the nodes`);
    // A node process that ended with an internal error is mommie failing, whatever the run did meanwhile.
    const internal = [...sup.children.values()].filter((c) => c.exited?.code === NODE_INTERNAL_ERROR).map((c) => c.node);
    const verdict = runVerdict({
      network: 'tcp',
      progressPromised: model.decl.id === -1 || model.properties.length > 0,
      ...(model.decl.id !== -1 ? { model: model.name } : {}),
      aborted: report.aborts.length,
      ...(assertions.reported ? { assertionsChecked: assertions.checked, assertionViolations: assertions.violations } : {}),
      requests: report.requests,
      ...(final.kind === 'timeout' ? { timedOut: spec.timeoutMs } : {}),
      stoppedClients: unfinished,
      byzantine: model.byzantine.map((b) => ({ node: model.nodes[b.node]!.name, published: 0, budget: b.budget, notPlayed: true })),
      ...(final.kind === 'failed' ? { cutShort: final.message } : {}),
      ...(internal.length > 0 ? { failed: `internal error in the process of ${internal.join(', ')} (its stderr is above)` } : {}),
      ...(final.kind === 'interrupted' ? { interrupted: true } : {}),
    });
    return { ...report, verdict };
  }

  private report(): RunReport {
    const { spec, who, sup, latencies } = this;
    const { model } = spec;
    const durationMs = this.endAt - this.goAt;
    const shown = spec.node === undefined ? model.nodes.filter((n) => n.role !== undefined) : who.started;
    const nodes: NodeReport[] = shown.map((info) => {
      const c = sup.children.get(info.name);
      if (c === undefined) return silentNodeReport(info, info.status);
      // A node killed during the run has no report: it stopped.
      return c.report ?? silentNodeReport(info, 'stopped');
    });
    const ttps = spec.node === undefined ? who.ttps : who.startedTtps;
    const cs = [...sup.children.values()];
    const startedRequests = cs.reduce((n, c) => n + (c.issued ?? 0), 0);
    const seconds = durationMs / 1000;
    return {
      program: model.program.name,
      network: 'tcp',
      run: this.identity.run,
      requests: { asked: spec.requests, started: startedRequests, completed: latencies.length, exhausted: cs.some((c) => c.finished?.exhausted === true) },
      durationMs,
      clock: 'real',
      throughputPerS: seconds > 0 ? latencies.length / seconds : 0,
      latencyMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies.reduce((a, b) => Math.max(a, b), 0) },
      nodes,
      ...(ttps.length > 0 ? { ttps: ttps.map((t) => {
        const c = sup.children.get(t);
        return c === undefined ? silentTtpReport(t, 'absent') : (c.ttpReport ?? silentTtpReport(t, 'stopped'));
      }) } : {}),
      aborts: cs.flatMap((c) => c.aborts),
      ...(this.watch.hasStops ? { stops: this.watch.report() } : {}),
    };
  }
}
