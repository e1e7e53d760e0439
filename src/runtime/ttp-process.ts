// A trusted third party of a TCP run, as its own OS process: started like a
// node (node-main.ts, `--node t`), it listens on its [Nodes] address, answers
// countersign requests (TtpNode), logs what it countersigned and refused to
// `<traceDir>/<t>.ndjson`, and reports to its supervisor as NDJSON. It has
// no workload and no state of the program: a restarted TTP simply appends to
// its log and answers again (issuers ask again for what it had not answered).

import type { CheckedProgram } from '../analysis/program.js';
import type { Deployment } from '../deploy/deployment.js';
import { loadKeyRing } from '../keys/load.js';
import type { ModelInstance } from '../semantics/model.js';
import { runHeader } from '../trace/header.js';
import { parseLog } from '../trace/read-log.js';
import { listenTcp, tcpLimitOptions } from '../transport/tcp.js';
import { schemaFromModel } from '../wire/index.js';
import { readFileSync, truncateSync } from 'node:fs';
import { realHost } from './host.js';
import { boundedLinkOptions, type LinkOptions } from './link.js';
import { hasLog, LogFile, logPath } from './node-log.js';
import type { NodeProcessArgs } from './node-args.js';
import { runningTtpReport } from './node-report.js';
import { runIdBytes } from './run-id.js';
import type { NodeMessage } from './proc-protocol.js';
import { followSupervisor } from './supervised.js';
import { TtpNode, ttpStartEvent } from './ttp-node.js';
import { WireCodec } from './wire-codec.js';

export interface TtpProcessContext {
  readonly program: CheckedProgram;
  readonly deployment: Deployment;
  readonly model: ModelInstance;
  readonly link: LinkOptions;
  readonly send: (m: NodeMessage) => void;
  readonly progressEveryMs: number;
}

/** Runs the third party `a.node` until it is told to stop; the exit code. */
export async function runTtpProcess(a: NodeProcessArgs, c: TtpProcessContext): Promise<number> {
  const fail = (message: string): number => {
    c.send({ k: 'error', node: a.node, message });
    return 1;
  };
  const listen = c.deployment.nodes.get(a.node);
  if (listen === undefined) return fail(`${a.deploy} gives ${a.node} no address`);
  const ring = loadKeyRing(a.keys, a.node);
  if (!ring.ok) return fail(ring.diagnostic.message);
  const schema = schemaFromModel(c.model);
  if (!schema.ok) return fail(schema.detail);

  // A TTP keeps no state of the run: an earlier log is only appended to, numbering on.
  const path = logPath(a.traceDir, a.node);
  let events = 0;
  const appending = a.log !== 'new' && hasLog(path);
  if (appending) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      return fail(`cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`);
    }
    const parsed = parseLog({ path, text });
    if ('rejection' in parsed) return fail(`${path}:${parsed.rejection.line}: ${parsed.rejection.message}`);
    if (parsed.start.node !== a.node || parsed.start.faulty !== 'ttp') return fail(`${path} is not the log of the trusted third party ${a.node}`);
    if (parsed.start.run !== undefined && parsed.start.run !== a.run) return fail(`${path} is a log of run ${parsed.start.run}, and this start is of run ${a.run}`);
    // The partial last line of a killed process goes, so that appending starts on a line of its own.
    if (parsed.truncated) truncateSync(path, Buffer.byteLength(text.slice(0, text.lastIndexOf('\n') + 1), 'utf8'));
    for (const { event } of parsed.events) if ('n' in event) events = Math.max(events, event.n);
  }

  let reconnected = (_peer: string): void => undefined;
  const run = runIdBytes(a.run);
  if (run === undefined) return fail(`--run-id ${a.run} is not a run identity (32 hex digits)`);
  let syncLog = (done: () => void): void => done();
  const listened = await listenTcp({
    me: a.node, listen, peers: c.deployment.nodes, run, pairKey: (p) => ring.ring.hmacKey(p), onReconnect: (p) => reconnected(p), beforeRelease: (done) => syncLog(done), ...tcpLimitOptions(c.deployment.limits),
  });
  if (!listened.ok) return fail(listened.error.message);
  const transport = listened.transport;
  const log = appending ? LogFile.append(path, a.logSync) : LogFile.create(path, ttpStartEvent(a.node, c.program.name, runHeader({ model: a.model, clients: a.clients, deployFile: a.deploy, run: a.run })), a.logSync);
  syncLog = (done) =>
    log.syncThen((e) => {
      if (e === undefined) return done();
      // Nothing the node sends may leave unlogged: a log that cannot be synced stops the node.
      process.stderr.write(`${a.node}: its log cannot be written to disk (${e.message}); it stops rather than send what it could not keep\n`);
      process.exit(1);
    });
  const codec = new WireCodec(ring.ring, c.deployment, schema.schema, run);
  const ttp = new TtpNode({
    name: a.node, transport, codec, host: realHost, trace: log, events,
    // An incarnation that may follow another numbers its frames above anything that one used.
    link: { ...boundedLinkOptions(c.link, c.deployment.limits), firstSeq: a.log === 'new' ? 1 : Date.now() * 1000 },
  });
  reconnected = (p) => ttp.link.retransmitAll(p);
  c.send({ k: 'listening', node: a.node, port: transport.port, pid: process.pid });

  return new Promise<number>((resolve) => {
    const ticker = setInterval(() => {
      c.send({ k: 'progress', node: a.node, issued: 0, completed: 0, fired: 0, delivered: ttp.stats.countersigned, outstanding: ttp.link.outstanding });
    }, c.progressEveryMs);
    let stopping = false;
    const stop = (reason: string): void => {
      if (stopping) return;
      stopping = true;
      clearInterval(ticker);
      ttp.stop(reason);
      c.send({ k: 'ttp-report', node: a.node, report: runningTtpReport(ttp, { wire: codec.wire.snapshot(), tcp: transport.stats }) });
      log.close();
      void transport.close().then(() => resolve(0));
    };
    // `go` means nothing to a TTP: it serves whoever asks, from the moment it listens.
    followSupervisor(a.node, { go: () => undefined, stop });
  });
}
