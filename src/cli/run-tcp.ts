// `mommie run --network tcp`: one OS process per node on the deployment's
// addresses (runtime/node-process.ts; a trusted third party's is
// runtime/ttp-process.ts), started and watched by this process
// (runtime/supervisor.ts). The run goes through phases: start every node and
// wait until each listens (a node that cannot, or does not in time, ends the
// run with its reason); tell them to go; collect completions until every
// client's workload is done (or --timeout, or Ctrl-C); let in-flight frames
// settle; stop the nodes, which send their reports; print them.

import { mkdtempSync, mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isClient, type NodeInfo } from '../semantics/model.js';
import { valueToJson } from '../trace/value-json.js';
import { silentNodeReport, silentTtpReport } from '../runtime/node-report.js';
import { formatRunReport, percentile, type NodeReport, type RunReport } from '../runtime/report.js';
import { Supervisor } from '../runtime/supervisor.js';
import { thirdParties } from '../runtime/ttp-node.js';
import { runVerdict } from '../runtime/verdict.js';
import { EXIT, exitForRun } from './exit-codes.js';
import type { RunContext } from './run-context.js';

/** How long nodes may take to load and bind their ports (and, with --node, the peers to come up); --timeout if shorter. */
const STARTUP_MS = 30_000;
/** After the workload, how long in-flight frames may take to be acked. */
const SETTLE_MS = 2_000;
/** How long a node may take to stop and report before it is killed. */
const STOP_GRACE_MS = 3_000;
const PROGRESS_EVERY_MS = 2_000;

type Phase = { kind: 'running' } | { kind: 'done' } | { kind: 'timeout' } | { kind: 'interrupted' } | { kind: 'failed'; message: string };

export async function runTcpCommand(ctx: RunContext): Promise<number> {
  const { out, model } = ctx;
  const say = (s: string): void => out.stderr(`mommie run: ${s}`);
  if (ctx.keysDir === undefined) {
    say("--network tcp needs --keys DIR: each node process reads its own key file ('mommie keys DEPLOY -o DIR' writes them)");
    return EXIT.BAD_INPUT;
  }
  const runnable = model.nodes.filter((n) => n.role !== undefined && n.status === 'correct');
  // The deployment's trusted third parties run as processes of their own too (correct by assumption).
  const ttps = thirdParties(ctx.deployment, model.nodes.map((n) => n.name));
  let started: NodeInfo[] = runnable;
  let startedTtps: string[] = ttps;
  if (ctx.node !== undefined && ttps.includes(ctx.node)) {
    started = [];
    startedTtps = [ctx.node];
  } else if (ctx.node !== undefined) {
    const one = model.nodes.find((n) => n.name === ctx.node);
    if (one === undefined || one.role === undefined) {
      say(`--node ${ctx.node}: not a node of ${model.program.name} that runs a role, nor a trusted third party (${[...runnable.map((n) => n.name), ...ttps].join(', ')})`);
      return EXIT.BAD_INPUT;
    }
    if (one.status !== 'correct') {
      say(`--node ${ctx.node}: ${ctx.node} is ${one.status} in model ${model.name}; only correct nodes run over TCP`);
      return EXIT.BAD_INPUT;
    }
    started = [one];
    startedTtps = [];
  }
  if (!ctx.json && model.byzantine.length > 0) say(`Byzantine nodes are not started over TCP (${model.byzantine.map((b) => model.nodes[b.node]!.name).join(', ')}); the simulated network plays them`);
  let traceDir = ctx.traceDir;
  try {
    if (traceDir === undefined) traceDir = mkdtempSync(join(tmpdir(), 'mommie-run-'));
    else mkdirSync(traceDir, { recursive: true });
  } catch (e) {
    say(`cannot create the trace directory: ${e instanceof Error ? e.message : String(e)}`);
    return EXIT.BAD_INPUT;
  }

  // Requests are split over every client of the run, started here or not, so that
  // `--node c2` gets c2's share of a run whose other nodes run elsewhere.
  const clients = runnable.filter(isClient);
  const share = new Map(clients.map((c, i) => [c.name, Math.floor(ctx.requests / clients.length) + (i < ctx.requests % clients.length ? 1 : 0)]));
  const constants = JSON.stringify(Object.fromEntries([...model.constants].map(([k, v]) => [k, valueToJson(v)])));
  const logMode = ctx.node === undefined ? 'new' : ctx.rejoin === true ? 'rejoin' : 'resume';
  const runId = `mommie-run-${process.pid}-${Date.now()}`;

  const latencies: number[] = [];
  let wake = (): void => undefined;
  const assertions = { checked: 0, violations: 0, reported: false };
  const sup = new Supervisor({
    changed: () => wake(),
    completions: (_node, ls) => {
      latencies.push(...ls);
      wake();
    },
    said: (node, line) => {
      // A node's tally of assertions (build/load.ts): a violation anywhere makes the run's exit 2.
      const m = /^assertions \(\w+\): (\d+) steps? .*, (\d+) violations?$/.exec(line);
      if (m !== null) {
        assertions.reported = true;
        assertions.checked += Number(m[1]);
        assertions.violations += Number(m[2]);
      }
      out.stderr(`[${node}] ${line}`);
    },
  });
  const wait = (ms: number): Promise<void> => new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    wake = () => {
      clearTimeout(t);
      resolve();
    };
  });

  let phase: Phase = { kind: 'running' };
  const onSignal = (): void => {
    if (phase.kind === 'running') phase = { kind: 'interrupted' };
    wake();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const startupMs = Math.min(STARTUP_MS, ctx.timeoutMs);
  const t0 = performance.now();
  let goAt = t0;
  let endAt = t0;
  let went = false;
  try {
    for (const n of [...started.map((x) => x.name), ...startedTtps]) {
      sup.start({
        node: n,
        args: [
          '--run', runId, '--program', ctx.programPath, '--deploy', ctx.deployPath, '--keys', ctx.keysDir, '--node', n,
          '--trace-dir', traceDir, '--constants', constants, '--requests', String(share.get(n) ?? 0),
          '--concurrency', String(ctx.concurrency), '--log', logMode,
          ...(model.decl.id !== -1 ? ['--model', model.name] : []), ...(ctx.clients !== undefined ? ['--clients', String(ctx.clients)] : []),
          ...(ctx.strict ? ['--strict'] : []),
          ...(ctx.build !== undefined ? ['--build', ctx.build.dir, ...(ctx.build.assertions !== undefined ? ['--assertions', ctx.build.assertions] : [])] : []),
        ],
      });
    }
    // Phase 1: every node listens.
    while (phase.kind === 'running') {
      const cs = [...sup.children.values()];
      const failed = cs.filter((c) => c.error !== undefined || (c.exited !== undefined && !c.listening));
      if (failed.length > 0) {
        phase = { kind: 'failed', message: failed.map((c) => `${c.node}: ${c.error ?? `exited (${c.exited?.signal ?? `code ${c.exited?.code}`}) before listening`}`).join('\n') };
      } else if (cs.every((c) => c.listening)) break;
      else if (performance.now() - t0 > startupMs) {
        phase = { kind: 'failed', message: `${cs.filter((c) => !c.listening).map((c) => c.node).join(', ')} did not start listening within ${startupMs / 1000} s` };
      } else await wait(100);
    }
    // A node started alone waits for its peers (a TTP serves whoever comes: it waits for nobody).
    if (phase.kind === 'running' && ctx.node !== undefined && startedTtps.length === 0) {
      const peers = [...runnable.map((n) => n.name), ...ttps].filter((n) => n !== ctx.node);
      const missing = await waitForPeers(ctx, peers, startupMs, () => phase.kind !== 'running', say);
      if (missing.length > 0 && phase.kind === 'running') phase = { kind: 'failed', message: `peers never came up within ${startupMs / 1000} s: ${missing.map((p) => `${p} (${addr(ctx, p)})`).join(', ')}` };
    }
    for (const c of sup.children.values()) {
      if (c.recovered !== undefined && !ctx.json) say(`${c.node} recovered from its log: ${c.recovered.events} events re-done, ${c.recovered.inFlight} requests in flight again`);
    }
    // Phase 2: the workload.
    goAt = performance.now();
    if (phase.kind === 'running') {
      went = true;
      sup.tellAll({ k: 'go' });
    }
    const startedClients = started.filter(isClient).map((n) => n.name);
    let lastProgress = goAt;
    while (phase.kind === 'running') {
      const now = performance.now();
      const cs = [...sup.children.values()];
      const clientsLeft = startedClients.filter((n) => {
        const c = sup.children.get(n)!;
        return c.finished === undefined && c.exited === undefined;
      });
      if (startedClients.length > 0 && clientsLeft.length === 0) {
        phase = { kind: 'done' };
        break;
      }
      if (cs.every((c) => c.exited !== undefined)) {
        phase = { kind: 'failed', message: 'every node process exited' };
        break;
      }
      if (now - t0 > ctx.timeoutMs) {
        phase = { kind: 'timeout' };
        break;
      }
      if (!ctx.json && now - lastProgress >= PROGRESS_EVERY_MS) {
        lastProgress = now;
        const secs = (now - goAt) / 1000;
        say(`${latencies.length} of ${ctx.requests} requests completed in ${secs.toFixed(1)} s (${(latencies.length / secs).toFixed(1)}/s); ${sup.running.length} of ${started.length + startedTtps.length} nodes up`);
      }
      await wait(Math.min(PROGRESS_EVERY_MS, 250));
    }
    endAt = performance.now();
    for (const c of sup.children.values()) {
      if (c.exited !== undefined && c.listening && !ctx.json) say(`${c.node} stopped during the run (${c.exited.signal ?? `exit code ${c.exited.code}`})`);
    }
    // Phase 3: let the last frames be acked, so that every node's final state is the run's.
    if (phase.kind === 'done') {
      const settleFrom = performance.now();
      while (performance.now() - settleFrom < SETTLE_MS && !settled(sup, settleFrom) && (phase as Phase).kind === 'done') await wait(100);
    }
  } finally {
    await sup.stopAll((phase as Phase).kind === 'interrupted' ? 'interrupted' : 'end of run', STOP_GRACE_MS);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }

  const final = phase as Phase;
  // A run that never started (a node could not listen, a peer never came up) has nothing to report but why.
  if (!went && final.kind === 'failed') {
    for (const line of final.message.split('\n')) say(line);
    return EXIT.BAD_INPUT;
  }
  const report = buildReport(ctx, sup, started, ctx.node === undefined ? ttps : startedTtps, latencies, endAt - goAt);
  if (final.kind === 'failed') say(final.message);
  if (final.kind === 'timeout') say(`--timeout: stopped after ${(ctx.timeoutMs / 1000).toFixed(1)} s with ${latencies.length} of ${ctx.requests} requests completed`);
  const unfinished = final.kind === 'done' ? started.filter(isClient).filter((n) => sup.children.get(n.name)?.finished === undefined).map((n) => n.name) : [];
  if (unfinished.length > 0) say(`${unfinished.join(', ')} stopped before finishing ${unfinished.length === 1 ? 'its' : 'their'} requests`);
  if (assertions.violations > 0) say(`assertions: ${assertions.violations} violation${assertions.violations === 1 ? '' : 's'} over the nodes`);
  // A node process that ended with an internal error is mommie failing, whatever the run did meanwhile.
  const internal = [...sup.children.values()].filter((c) => c.exited?.code === EXIT.INTERNAL).map((c) => c.node);
  const verdict = runVerdict({
    network: 'tcp',
    progressPromised: model.decl.id === -1 || model.properties.length > 0,
    ...(model.decl.id !== -1 ? { model: model.name } : {}),
    aborted: report.aborts.length,
    ...(assertions.reported ? { assertionsChecked: assertions.checked, assertionViolations: assertions.violations } : {}),
    requests: report.requests,
    ...(final.kind === 'timeout' ? { timedOut: ctx.timeoutMs } : {}),
    stoppedClients: unfinished,
    byzantine: model.byzantine.map((b) => ({ node: model.nodes[b.node]!.name, published: 0, budget: b.budget, notPlayed: true })),
    ...(final.kind === 'failed' ? { cutShort: final.message } : {}),
    ...(internal.length > 0 ? { failed: `internal error in the process of ${internal.join(', ')} (its stderr is above)` } : {}),
    ...(final.kind === 'interrupted' ? { interrupted: true } : {}),
  });
  if (ctx.json) out.stdout(JSON.stringify({ ...report, verdict, traceDir }, null, 2));
  else {
    out.stdout(formatRunReport({ ...report, verdict }).join('\n'));
    out.stdout(`traces: ${traceDir} ('mommie replay ${ctx.programPath} ${traceDir}' checks them)`);
  }
  return exitForRun(verdict.outcome);
}

/** Every live node has reported, since `since`, that nothing it sent waits for an ack. */
function settled(sup: Supervisor, since: number): boolean {
  return sup.running.every((c) => c.progress !== undefined && c.progress.at > since && c.progress.outstanding === 0);
}

function buildReport(ctx: RunContext, sup: Supervisor, started: readonly NodeInfo[], ttps: readonly string[], latencies: readonly number[], durationMs: number): RunReport {
  const { model } = ctx;
  const shown = ctx.node === undefined ? model.nodes.filter((n) => n.role !== undefined) : started;
  const nodes: NodeReport[] = shown.map((info) => {
    const c = sup.children.get(info.name);
    if (c === undefined) return silentNodeReport(info, info.status);
    // A node killed during the run has no report: it stopped.
    return c.report ?? silentNodeReport(info, 'stopped');
  });
  const cs = [...sup.children.values()];
  const startedRequests = cs.reduce((n, c) => n + (c.issued ?? 0), 0);
  const seconds = durationMs / 1000;
  return {
    program: model.program.name,
    network: 'tcp',
    requests: { asked: ctx.requests, started: startedRequests, completed: latencies.length, exhausted: cs.some((c) => c.finished?.exhausted === true) },
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
  };
}

/** In --node mode the other nodes run elsewhere: wait until each accepts connections. The names still missing. */
async function waitForPeers(ctx: RunContext, peers: readonly string[], startupMs: number, abandon: () => boolean, say: (s: string) => void): Promise<string[]> {
  const deadline = performance.now() + startupMs;
  let missing = [...peers];
  let told = false;
  while (missing.length > 0 && !abandon()) {
    const up = await Promise.all(missing.map((n) => reachable(ctx.deployment.nodes.get(n))));
    missing = missing.filter((_, i) => !up[i]);
    if (missing.length === 0 || performance.now() > deadline) break;
    if (!told && !ctx.json) {
      told = true;
      say(`waiting for ${missing.join(', ')} to listen`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return missing;
}

function addr(ctx: RunContext, node: string): string {
  const e = ctx.deployment.nodes.get(node);
  return e === undefined ? 'no address' : `${e.host}:${e.port}`;
}

function reachable(e: { host: string; port: number } | undefined): Promise<boolean> {
  if (e === undefined) return Promise.resolve(false);
  return new Promise((resolve) => {
    const s = connect({ host: e.host, port: e.port });
    const done = (ok: boolean): void => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(1000, () => done(false));
    s.on('connect', () => done(true));
    s.on('error', () => done(false));
  });
}
