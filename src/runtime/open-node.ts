// Opening one node of a deployment in this process: the program, the
// deployment and the node's key file loaded and checked, its log recovered
// (the node rebuilt by re-running it) or started, its [Nodes] address bound,
// and a RuntimeNode made over them. A node process of a TCP run
// (node-process.ts) and the client API's openNode (src/api/) both open their
// node here, then drive it each in their own way.

import { checkFile } from '../analysis/frontend.js';
import type { CheckedProgram } from '../analysis/program.js';
import { formatViolation, type AssertSink } from '../build/assertions.js';
import { loadBuild, peekAssert } from '../build/load.js';
import type { Deployment } from '../deploy/deployment.js';
import { loadDeployment } from '../deploy/load.js';
import type { SourceText } from '../diagnostics/source.js';
import { loadKeyRing } from '../keys/load.js';
import { instantiateForRun, withClients, type ModelInstance, type NodeInfo } from '../semantics/model.js';
import { NodeMachine } from '../semantics/node.js';
import { System } from '../semantics/system.js';
import type { Value } from '../semantics/value.js';
import { TRACE_VERSION, type StartEvent } from '../trace/events.js';
import { runHeader } from '../trace/header.js';
import { valueFromJson, valueToJson } from '../trace/value-json.js';
import { listenTcp, tcpLimitOptions, type TcpTransport } from '../transport/tcp.js';
import { schemaFromModel } from '../wire/index.js';
import { realHost } from './host.js';
import { DEFAULT_LINK_LIMITS } from '../deploy/limits.js';
import { CheckpointingLog, freshChain } from './checkpoint.js';
import { boundedLinkOptions, type LinkOptions } from './link.js';
import { LogRederiver } from './rederive.js';
import type { NodeProcessArgs } from './node-args.js';
import { hasLog, LogFile, logPath, recoverFromLog, type Recovered } from './node-log.js';
import { RuntimeNode, type StepObserver } from './node.js';
import { runIdBytes } from './run-id.js';
import { thirdParties } from './ttp-node.js';
import { WireCodec } from './wire-codec.js';

/**
 * TCP loses frames only with a connection, and a reconnection re-sends what
 * is unacked at once (onReconnect); the timer is a safety net, long enough
 * that a loaded machine's slow acks do not double the traffic.
 */
export const TCP_LINK_OPTIONS: LinkOptions = { retransmitMs: 1000, maxRetransmitMs: 30_000, ackAfterDelivery: true, adaptive: true, recentSeqs: 4096 };

/** What a node runs: the checked program, its deployment and the model instance of the run. */
export interface NodeModel {
  readonly program: CheckedProgram;
  readonly source?: SourceText;
  readonly deployment: Deployment;
  readonly model: ModelInstance;
  /** The node is one of the deployment's trusted third parties (it runs no role). */
  readonly isTtp: boolean;
}

export type Opened<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

/**
 * The program, deployment, build and model of node `a.node`; `a.constants`
 * as the supervisor computed them (the deployment's when the caller gives
 * none). A build's assertion violations go to `report`.
 */
export async function loadNodeModel(a: Omit<NodeProcessArgs, 'constants'> & { readonly constants?: NodeProcessArgs['constants'] }, report: (line: string) => void): Promise<Opened<NodeModel> & { readonly sink?: AssertSink }> {
  const fail = (message: string): { ok: false; message: string } => ({ ok: false, message });
  const fe = checkFile(a.program);
  if (!fe.ok || fe.program === undefined) return fail(`${a.program} does not check: ${fe.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message).join('; ')}`);
  const program = fe.program;
  const dep = loadDeployment(a.deploy, program);
  if (!dep.ok || dep.deployment === undefined) return fail(`${a.deploy} is not a deployment of ${program.name}: ${dep.diagnostics.map((d) => d.message).join('; ')}`);
  const deployment = dep.deployment;
  const constants = a.constants === undefined ? new Map<string, Value>(deployment.constants) : new Map<string, Value>(Object.entries(a.constants).map(([k, v]) => [k, valueFromJson(v)]));
  const sink: AssertSink | undefined = a.build !== undefined && peekAssert(a.build)
    ? { mode: a.assertions ?? 'log', checked: 0, violations: 0, report: (v) => report(formatViolation(v)) }
    : undefined;
  const built = a.build === undefined || fe.source === undefined ? undefined : await loadBuild(a.build, program, fe.source, sink, { node: a.node });
  if (built !== undefined && 'error' in built) return fail(`MOM704: ${built.error}`);
  const host = built?.host ?? new Map();
  const instantiated = instantiateForRun(program, a.model, constants, host);
  const inst: typeof instantiated = instantiated.ok && built !== undefined ? { ok: true, instance: { ...instantiated.instance, bodies: built.bodies } } : instantiated;
  if (!inst.ok) return fail(inst.error.message);
  const narrowed = a.clients === undefined ? inst.instance : withClients(inst.instance, a.clients);
  if ('available' in narrowed) return fail(`--clients ${a.clients}: only ${narrowed.available} correct clients`);
  const model = narrowed;
  const isTtp = thirdParties(deployment, model.nodes.map((n) => n.name)).includes(a.node);
  const value: NodeModel = { program, ...(fe.source !== undefined ? { source: fe.source } : {}), deployment, model, isTtp };
  return { ok: true, value, ...(sink !== undefined ? { sink } : {}) };
}

/** A node opened in this process, listening, its log open; `node.start()` sets it going. */
export interface OpenedNode {
  readonly node: RuntimeNode;
  readonly system: System;
  readonly info: NodeInfo;
  readonly transport: TcpTransport;
  readonly codec: WireCodec;
  readonly log: LogFile;
  readonly recovered?: Recovered;
  readonly aborts: { node: string; code: string; message: string; at: string }[];
}

/**
 * Opens node `a.node` of `m` (not a TTP): recovers it from its log unless
 * `a.log` is `new`, binds its address, and makes the RuntimeNode, told of
 * every step through `observer`. A log that cannot be synced calls `onLogFailure`.
 */
export async function openNode(a: NodeProcessArgs | Omit<NodeProcessArgs, 'constants'>, m: NodeModel, observer: StepObserver, onLogFailure: (e: Error) => void): Promise<Opened<OpenedNode>> {
  const fail = (message: string): { ok: false; message: string } => ({ ok: false, message });
  const { program, deployment, model } = m;
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
      onLogFailure(e);
    });
  // Checkpoints and the compacted log (issue 23 item 5): the node's trace goes through them.
  const traced = new CheckpointingLog(log, recovered?.chain ?? freshChain(log));
  const codec = new WireCodec(ring.ring, deployment, schema.schema, run);
  const aborts: { node: string; code: string; message: string; at: string }[] = [];
  const node = new RuntimeNode({
    machine: recovered?.machine ?? new NodeMachine(system, info),
    transport, codec, host: realHost,
    ...(m.source !== undefined ? { source: m.source } : {}),
    timeoutMs: (role, t) => deployment.timeoutMs(role, t),
    timerDoubling: (role, t) => deployment.timerDoubling?.(role, t),
    dissemination: (issuer, type) => deployment.disseminationFor?.(issuer, type),
    // A restarted incarnation numbers its frames above anything the last one can have used.
    link: { ...boundedLinkOptions(TCP_LINK_OPTIONS, deployment.limits), firstSeq: recovered === undefined ? 1 : Date.now() * 1000 },
    trace: traced,
    // Past MaxBacklogPerPeer a peer that is down gets this node's statements from the log when it is back.
    rederive: new LogRederiver(path, a.node),
    atRest: () => traced.atRest(),
    observer,
    strict: a.strict,
    onAbort: (n, e, at) => aborts.push({ node: n.name, code: e.code, message: e.message, at }),
    ...(recovered !== undefined ? { resume: recovered.resume } : {}),
  });
  reconnected = (p) => node.link.retransmitAll(p);
  traced.attach({
    every: (deployment.limits ?? DEFAULT_LINK_LIMITS).checkpointEvery, start, machine: node.machine,
    inFlight: () => node.inFlight(), position: () => node.position(), taken: () => node.noteCallsAfresh(),
  });
  return { ok: true, value: { node, system, info, transport, codec, log, ...(recovered !== undefined ? { recovered } : {}), aborts } };
}
