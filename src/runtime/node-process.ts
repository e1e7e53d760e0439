// One node of a TCP run, as its own OS process (started by `mommie run
// --network tcp` through node-main.ts): it loads the program, the deployment
// and its own key file, listens on its [Nodes] address, logs every step to
// `<traceDir>/<node>.ndjson` before the step's statements leave, drives the
// workload if it is a client, and reports to its supervisor as NDJSON on
// stdout (runtime/proc-protocol.ts). It stops on the supervisor's `stop`, on
// SIGINT/SIGTERM, or when its stdin closes (the supervisor is gone: a node
// never outlives the run that started it). A trusted third party of the
// deployment runs runtime/ttp-process.ts instead, behind the same entry.

import { checkFile } from '../analysis/frontend.js';
import { loadDeployment } from '../deploy/load.js';
import { loadKeyRing } from '../keys/load.js';
import { instantiateForRun, isInputTransition, withClients, type NodeInfo } from '../semantics/model.js';
import { System } from '../semantics/system.js';
import type { Value } from '../semantics/value.js';
import { TRACE_VERSION, type StartEvent } from '../trace/events.js';
import { runHeader } from '../trace/header.js';
import { valueFromJson, valueToJson } from '../trace/value-json.js';
import { listenTcp, tcpLimitOptions } from '../transport/tcp.js';
import { schemaFromModel } from '../wire/index.js';
import { realHost } from './host.js';
import { boundedLinkOptions, type LinkOptions } from './link.js';
import { hasLog, LogFile, logPath, recoverFromLog, type Recovered } from './node-log.js';
import { runningNodeReport } from './node-report.js';
import { runIdBytes } from './run-id.js';
import { RuntimeNode } from './node.js';
import { thirdParties } from './ttp-node.js';
import { runTtpProcess } from './ttp-process.js';
import type { NodeMessage } from './proc-protocol.js';
import { followSupervisor } from './supervised.js';
import { NodeMachine } from '../semantics/node.js';
import { WireCodec } from './wire-codec.js';
import { formatViolation, type AssertSink } from '../build/assertions.js';
import { loadBuild, peekAssert } from '../build/load.js';
import { Workload } from './workload.js';
import type { NodeProcessArgs } from './node-args.js';


const PROGRESS_EVERY_MS = 250;

/**
 * TCP loses frames only with a connection, and a reconnection re-sends what
 * is unacked at once (onReconnect); the timer is a safety net, long enough
 * that a loaded machine's slow acks do not double the traffic.
 */
const TCP_LINK_OPTIONS: LinkOptions = { retransmitMs: 1000, maxRetransmitMs: 30_000, ackAfterDelivery: true, adaptive: true };

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
  const fe = checkFile(a.program);
  if (!fe.ok || fe.program === undefined) return fail(`${a.program} does not check: ${fe.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message).join('; ')}`);
  const program = fe.program;
  const dep = loadDeployment(a.deploy, program);
  if (!dep.ok || dep.deployment === undefined) return fail(`${a.deploy} is not a deployment of ${program.name}: ${dep.diagnostics.map((d) => d.message).join('; ')}`);
  const deployment = dep.deployment;
  const constants = new Map<string, Value>(Object.entries(a.constants).map(([k, v]) => [k, valueFromJson(v)]));
  // Violations go to stderr, which the supervisor shows with the node's name.
  const sink: AssertSink | undefined = a.build !== undefined && peekAssert(a.build)
    ? { mode: a.assertions ?? 'log', checked: 0, violations: 0, report: (v) => void process.stderr.write(formatViolation(v) + '\n') }
    : undefined;
  const built = a.build === undefined || fe.source === undefined ? undefined : await loadBuild(a.build, program, fe.source, sink, { node: a.node });
  if (built !== undefined && 'error' in built) return fail(`MOM704: ${built.error}`);
  if (sink !== undefined) {
    // Pipes are written synchronously on Linux: the tally reaches the supervisor.
    process.on('exit', () => void process.stderr.write(`assertions (${sink.mode}): ${sink.checked} step${sink.checked === 1 ? '' : 's'} of body programs compared with their body specs, ${sink.violations} violation${sink.violations === 1 ? '' : 's'}\n`));
  }
  const host = built?.host ?? new Map();
  const instantiated = instantiateForRun(program, a.model, constants, host);
  const inst: typeof instantiated = instantiated.ok && built !== undefined ? { ok: true, instance: { ...instantiated.instance, bodies: built.bodies } } : instantiated;
  if (!inst.ok) return fail(inst.error.message);
  const narrowed = a.clients === undefined ? inst.instance : withClients(inst.instance, a.clients);
  if ('available' in narrowed) return fail(`--clients ${a.clients}: only ${narrowed.available} correct clients`);
  const model = narrowed;
  // A trusted third party of the deployment runs no role: it answers countersign requests.
  if (thirdParties(deployment, model.nodes.map((n) => n.name)).includes(a.node)) {
    return runTtpProcess(a, { program, deployment, model, link: TCP_LINK_OPTIONS, send, progressEveryMs: PROGRESS_EVERY_MS });
  }
  const idx = model.nodeIndex.get(a.node);
  const info: NodeInfo | undefined = idx === undefined ? undefined : model.nodes[idx];
  if (info?.role === undefined) return fail(`${a.node} is no node of ${program.name} that runs a role`);
  if (info.status !== 'correct') return fail(`${a.node} is ${info.status} in model ${model.name}: it is not started`);
  const listen = deployment.nodes.get(a.node);
  if (listen === undefined) return fail(`${a.deploy} gives ${a.node} no address`);
  const ring = loadKeyRing(a.keys, a.node);
  if (!ring.ok) return fail(ring.diagnostic.message);
  const schema = schemaFromModel(model);
  if (!schema.ok) return fail(schema.detail);
  const system = new System(model, { reference: a.reference === true });

  const start: StartEvent = {
    k: 'start', version: TRACE_VERSION, node: a.node, role: info.role.name, program: program.name,
    constants: Object.fromEntries([...model.constants].map(([k, v]) => [k, valueToJson(v)])), faulty: 'correct',
    ...runHeader({ model: a.model, clients: a.clients, deployFile: a.deploy, run: a.run }),
  };
  const path = logPath(a.traceDir, a.node);
  let recovered: Recovered | undefined;
  if (a.log !== 'new' && hasLog(path)) {
    const r = recoverFromLog(path, system, info, start);
    if (!r.ok) return fail(r.message);
    recovered = r.recovered;
  } else if (a.log === 'rejoin') {
    return fail(`${a.node} refuses to rejoin: it has no log at ${path} to rebuild its state from (a node never rejoins with empty state; start the whole run again instead)`);
  }

  let reconnected = (_peer: string): void => undefined;
  const run = runIdBytes(a.run);
  if (run === undefined) return fail(`--run-id ${a.run} is not a run identity (32 hex digits)`);
  // The log is opened once the port is bound; records leave only after it is durable (node-log.ts).
  let syncLog = (done: () => void): void => done();
  const listened = await listenTcp({
    me: a.node, listen, peers: deployment.nodes, run, pairKey: (p) => ring.ring.hmacKey(p), onReconnect: (p) => reconnected(p), beforeRelease: (done) => syncLog(done), ...tcpLimitOptions(deployment.limits),
  });
  if (!listened.ok) return fail(listened.error.message);
  const transport = listened.transport;
  const log = recovered === undefined ? LogFile.create(path, start, a.logSync) : LogFile.append(path, a.logSync);
  syncLog = (done) =>
    log.syncThen((e) => {
      if (e === undefined) return done();
      // Nothing the node sends may leave unlogged: a log that cannot be synced stops the node.
      process.stderr.write(`${a.node}: its log cannot be written to disk (${e.message}); it stops rather than send what it could not keep\n`);
      process.exit(1);
    });
  const codec = new WireCodec(ring.ring, deployment, schema.schema, run);
  const aborts: { node: string; code: string; message: string; at: string }[] = [];
  let pump = (): void => undefined;
  const node = new RuntimeNode({
    machine: recovered?.machine ?? new NodeMachine(system, info),
    transport, codec, host: realHost,
    ...(fe.source !== undefined ? { source: fe.source } : {}),
    timeoutMs: (role, t) => deployment.timeoutMs(role, t),
    dissemination: (issuer, type) => deployment.disseminationFor?.(issuer, type),
    // A restarted incarnation numbers its frames above anything the last one can have used.
    link: { ...boundedLinkOptions(TCP_LINK_OPTIONS, deployment.limits), firstSeq: recovered === undefined ? 1 : Date.now() * 1000 },
    trace: log,
    observer: { step: () => pump() },
    strict: a.strict,
    onAbort: (n, e, at) => aborts.push({ node: n.name, code: e.code, message: e.message, at }),
    ...(recovered !== undefined ? { resume: recovered.resume } : {}),
  });
  reconnected = (p) => node.link.retransmitAll(p);
  const recoveredInfo = recovered === undefined ? undefined : { events: recovered.events, fires: recovered.fires, deliveries: recovered.deliveries };
  send({ k: 'listening', node: a.node, port: transport.port, pid: process.pid, ...(recoveredInfo !== undefined ? { recovered: { ...recoveredInfo, inFlight: node.pendingRequests } } : {}) });

  return new Promise<number>((resolve) => {
    const driver = new ClientDriver(node, system, a, recovered);
    let scheduled = false;
    pump = () => {
      if (scheduled) return;
      scheduled = true;
      setImmediate(() => {
        scheduled = false;
        driver.pump();
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
    this.issuedBefore = recovered?.resume.inputs.length ?? 0;
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
