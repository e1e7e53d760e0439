// One node of a TCP run, as its own OS process (started by `mommie run
// --network tcp` through node-main.ts): it loads the program, the deployment
// and its own key file, listens on its [Nodes] address, logs every step to
// `<traceDir>/<node>.ndjson` before the step's statements leave, drives the
// workload if it is a client, and reports to its supervisor as NDJSON on
// stdout (runtime/proc-protocol.ts). It stops on the supervisor's `stop`, on
// SIGINT/SIGTERM, or when its stdin closes (the supervisor is gone: a node
// never outlives the run that started it). A trusted third party of the
// deployment runs runtime/ttp-process.ts instead, behind the same entry.

import { isInputTransition } from '../semantics/model.js';
import type { System } from '../semantics/system.js';
import type { Recovered } from './node-log.js';
import { runningNodeReport } from './node-report.js';
import type { RuntimeNode } from './node.js';
import { loadNodeModel, openNode, TCP_LINK_OPTIONS } from './open-node.js';
import { runTtpProcess } from './ttp-process.js';
import type { NodeMessage } from './proc-protocol.js';
import { followSupervisor } from './supervised.js';
import { Workload } from './workload.js';
import type { NodeProcessArgs } from './node-args.js';

const PROGRESS_EVERY_MS = 250;

// A supervisor that is gone closes the pipe: what the node still says is lost, and
// the node stops on its own (stdin closes too). An EPIPE must not crash it first.
process.stdout.on('error', () => undefined);

function send(m: NodeMessage): void {
  process.stdout.write(JSON.stringify(m) + '\n');
}

/** Runs the node until it is told to stop; the exit code. */
export async function runNodeProcess(a: NodeProcessArgs): Promise<number> {
  const fail = (message: string): number => {
    send({ k: 'error', node: a.node, message });
    return 1;
  };
  // Violations go to stderr, which the supervisor shows with the node's name.
  const loaded = await loadNodeModel(a, (line) => void process.stderr.write(line + '\n'));
  if (!loaded.ok) return fail(loaded.message);
  const sink = loaded.sink;
  if (sink !== undefined) {
    // Pipes are written synchronously on Linux: the tally reaches the supervisor.
    process.on('exit', () => void process.stderr.write(`assertions (${sink.mode}): ${sink.checked} step${sink.checked === 1 ? '' : 's'} of body programs compared with their body specs, ${sink.violations} violation${sink.violations === 1 ? '' : 's'}\n`));
  }
  const { program, deployment, model } = loaded.value;
  // A trusted third party of the deployment runs no role: it answers countersign requests.
  if (loaded.value.isTtp) {
    return runTtpProcess(a, { program, deployment, model, link: TCP_LINK_OPTIONS, send, progressEveryMs: PROGRESS_EVERY_MS });
  }
  let pump = (): void => undefined;
  const opened = await openNode(a, loaded.value, { step: () => pump() }, (e) => {
    process.stderr.write(`${a.node}: its log cannot be written to disk (${e.message}); it stops rather than send what it could not keep\n`);
    process.exit(1);
  });
  if (!opened.ok) return fail(opened.message);
  const { node, system, info, transport, codec, log, recovered, aborts } = opened.value;
  const recoveredInfo = recovered === undefined ? undefined : { events: recovered.events, fires: recovered.fires, deliveries: recovered.deliveries };
  const fromCheckpoint = { ...(recovered?.checkpoint !== undefined ? { checkpoint: recovered.checkpoint } : {}), ...(recovered !== undefined && recovered.notes.length > 0 ? { notes: [...recovered.notes] } : {}) };
  send({ k: 'listening', node: a.node, port: transport.port, pid: process.pid, ...(recoveredInfo !== undefined ? { recovered: { ...recoveredInfo, inFlight: node.pendingRequests, ...fromCheckpoint } } : {}) });

  return new Promise<number>((resolve) => {
    const driver = new ClientDriver(node, system, a, recovered);
    // Transitions this node has fired, told to the supervisor the first time each fires (after a step, in the same turn).
    const firedOnce = new Set<string>();
    const tellFirstFires = (): void => {
      if (firedOnce.size === Object.keys(node.stats.firedBy).length) return;
      for (const t of Object.keys(node.stats.firedBy)) {
        if (firedOnce.has(t)) continue;
        firedOnce.add(t);
        send({ k: 'first-fire', node: a.node, transition: t });
      }
    };
    let scheduled = false;
    pump = () => {
      if (scheduled) return;
      scheduled = true;
      setImmediate(() => {
        scheduled = false;
        driver.pump();
        tellFirstFires();
      });
    };
    const ticker = setInterval(() => {
      driver.pump();
      send({ k: 'progress', node: a.node, issued: driver.issued, completed: driver.completed, fired: node.stats.fired, delivered: node.stats.delivered, outstanding: node.unsettled });
    }, PROGRESS_EVERY_MS);
    let stopping = false;
    const stop = (reason: string): void => {
      if (stopping) return;
      stopping = true;
      clearInterval(ticker);
      node.stop(reason);
      const used = process.cpuUsage(cpuAtGo);
      const report = runningNodeReport(node, info, model, {
        wire: codec.wire.snapshot(), tcp: transport.stats, countersign: codec.local.countersign, digest: codec.local.digest, ...(recoveredInfo !== undefined ? { recovered: recoveredInfo } : {}),
        cpu: { userMs: used.user / 1000, systemMs: used.system / 1000 },
      });
      send({ k: 'report', node: a.node, report, aborts, issued: driver.issued });
      log.close();
      void transport.close().then(() => resolve(0));
    };
    // CPU is counted from the workload's start: loading and checking the program is not the run's.
    let cpuAtGo = process.cpuUsage();
    followSupervisor(a.node, {
      go: () => {
        cpuAtGo = process.cpuUsage();
        driver.go();
      },
      stop,
    });
  });
}

/** The workload of a client node (nothing for a node whose role has no input transition). */
class ClientDriver {
  completed = 0;
  private readonly workload: Workload;
  private readonly issuedBefore: number;
  /** Requests an earlier incarnation started that are still in flight: not the workload's. */
  private readonly inherited: Set<string>;
  private started = false;
  private finishedSent = false;

  constructor(
    private readonly node: RuntimeNode,
    system: System,
    a: NodeProcessArgs,
    recovered: Recovered | undefined,
  ) {
    // Requests of an earlier incarnation count against this node's share.
    this.issuedBefore = recovered === undefined ? 0 : recovered.resume.inputsMade ?? recovered.resume.inputs.length;
    this.inherited = new Set(node.waiting().map((w) => w.label));
    this.workload = new Workload([node], system, Math.max(0, a.requests - this.issuedBefore), a.concurrency);
  }

  get issued(): number {
    return this.issuedBefore + this.workload.issued;
  }

  get isClient(): boolean {
    return this.node.machine.node.role!.transitions.some((t) => isInputTransition(t.decl));
  }

  go(): void {
    if (this.started) return;
    this.started = true;
    this.node.start();
    this.pump();
  }

  pump(): void {
    if (!this.started || this.node.isStopped) return;
    const latencies: number[] = [];
    for (const c of this.node.takeCompletions()) {
      latencies.push(c.latencyMs);
      this.completed++;
      if (!this.inherited.delete(c.label)) this.workload.completed(this.node, c);
    }
    if (latencies.length > 0) send({ k: 'completions', node: this.node.name, latencies });
    // The workload knows nothing of an earlier incarnation's requests in flight: with
    // them still waiting it would find the guards closed and conclude it is done.
    if (this.inherited.size === 0) this.workload.issue();
    if (!this.finishedSent && this.isClient && this.workload.finished && this.node.pendingRequests === 0 && this.inherited.size === 0) {
      this.finishedSent = true;
      send({ k: 'finished', node: this.node.name, issued: this.issued, completed: this.completed, exhausted: this.workload.exhausted });
    }
  }
}
