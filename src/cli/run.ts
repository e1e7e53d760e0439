// `mommie run PROGRAM --deploy D`: the program as a running system, over the
// simulated network (one process, deterministic by seed, every invariant
// checked after every step) or over TCP (one process per node).

import { closeSync, existsSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { checkFile } from '../analysis/frontend.js';
import type { Deployment } from '../deploy/deployment.js';
import { loadDeployment } from '../deploy/load.js';
import { diag } from '../diagnostics/diagnostic.js';
import { formatDiagnostic } from '../diagnostics/format.js';
import { loadKeyRing } from '../keys/load.js';
import { generateKeyRings } from '../keys/ring.js';
import type { KeyRing } from '../keys/keyring.js';
import { formatTrace } from '../report/human.js';
import { healthInputs, runHealth } from '../runtime/health.js';
import { formatRunReport, type RunReport } from '../runtime/report.js';
import { runSimulation, simFacts, simReport } from '../runtime/sim-run.js';
import { runVerdict } from '../runtime/verdict.js';
import { thirdParties } from '../runtime/ttp-node.js';
import { WireCodec } from '../runtime/wire-codec.js';
import { EvalError } from '../semantics/errors.js';
import { instantiateForRun, withClients, type ModelInstance } from '../semantics/model.js';
import { runnable } from '../semantics/node.js';
import { System } from '../semantics/system.js';
import type { Value } from '../semantics/value.js';
import type { SimFaults } from '../transport/sim.js';
import { schemaFromModel } from '../wire/index.js';
import { commandLine, positiveInt } from './args.js';
import type { Command } from './commands.js';
import { EXIT, exitForRun } from './exit-codes.js';
import { printDiagnostics, summary } from './output.js';
import type { RunContext } from './run-context.js';
import type { CheckedProgram } from '../analysis/program.js';
import type { SourceText } from '../diagnostics/source.js';
import { formatViolation, type AssertSink } from '../build/assertions.js';
import { loadBuild, peekAssert, type LoadedBuild } from '../build/load.js';
import type { Out } from './output.js';
import { htmlOutProblem, writeHtml } from '../report/html-out.js';
import { RUN_HTML_GENERATOR } from '../report/run-html.js';
import { HtmlCapture } from '../report/run-capture.js';
import { runHeader } from '../trace/header.js';
import { parseFaults } from '../runtime/sim-faults.js';

export { parseFaults } from '../runtime/sim-faults.js';

const RUN_HELP = `Usage: mommie run PROGRAM --deploy DEPLOY [--keys DIR] [options]

Runs the program as a system: every node of the deployment executes the
checked program (the same matcher and body evaluator as the model checker),
statements travel authenticated as the deployment prescribes, delivery is
fair (retransmitted until acknowledged), and the application's requests
drive the input transitions. Prints per node what fired, its final state,
its traffic and crypto, and the requests' throughput and latency.

Options:
  --deploy FILE        the deployment (nodes, mechanisms, timeouts, constants)
  --keys DIR           key files from 'mommie keys' (required over TCP; the
                       simulated network makes fresh keys in memory without it);
                       with --node, also FILE: that node's own key file, all
                       a node on a host of its own needs
  --network sim|tcp    sim: one process, virtual time, deterministic by seed,
                       every INVARIANT checked after every step;
                       tcp: one process per node on the deployment's addresses
                       (default tcp)
  --model NAME         take crashed and Byzantine principals (and constants)
                       from a model of the program
  --requests N         requests to drive through the input transitions (10)
  --clients K          run only the first K clients (nodes with input
                       transitions); the others are crashed from the start,
                       as a model crashes the clients it does not need
  --concurrency K      requests each client keeps in flight (1)
  --seed S             the simulated network's seed (1)
  --seeds N            try seeds S, S+1, ... S+N-1 and stop at the first run that
                       is not ok (see the exit codes below)
  --faults SPEC        simulated faults, comma-separated: drop=P, dup=P,
                       delay=MIN-MAX (ms), crash=NODE@MS, partition=A+B|C+D@FROM-TO
  --stall MS           end the run at a request not answered within MS (sim;
                       60000): a finding, unless the --model checks no
                       temporal property (it promises no progress)
  --timeout MS         give up after MS (virtual on sim: 600000; real on tcp)
  --trace DIR          write each node's log to DIR/<node>.ndjson ('mommie replay')
  --force              overwrite logs already in the trace directory
  --node NAME          (tcp) start only this node; with its log already in
                       --trace, it recovers its state from the log and rejoins
                       (a trusted third party of the deployment is a node too:
                       it keeps no state, and appends to its log)
  --rejoin             (tcp, with --node) the node must recover from its log:
                       refuse to start without one
  --run-id FILE        (tcp) the run identity to use ('mommie run-id' writes
                       one): nodes of a deployment started one by one on
                       several hosts share it; default: a fresh one for a
                       full start, the --trace directory's run-id with --node
  --no-invariants      (sim) do not evaluate invariants after each step
  --build OUT          run the body programs of a 'mommie build' instead of
                       their transitions' body specs (and its functions for
                       those the program leaves open)
  --assertions MODE    with a build made with --assert: what a step that
                       differs from its body spec does: stop (the node),
                       log (report and go on: the default), count
  --strict             stop a node at its first failing body
  --log-sync POLICY    (tcp) when each node's log is forced to disk: fsync (the
                       default: before anything the node sends leaves, one
                       fdatasync per turn of its event loop) or none (the page
                       cache only: a crash of the machine may lose what was
                       sent; for measuring the cost)
  --reference          run the transitions with the interpreter (the reference
                       semantics) instead of the compiled core; the two take
                       the same steps, the reference is slower
  --json               print the report as JSON on stdout
  --reporter html      (sim) also write a self-contained HTML report (needs
                       --out): per-node statistics, throughput and latency
                       over time, the first steps as a sequence chart
                       (docs/html-reports.md)
  -o, --out FILE       where the report goes; an existing file is replaced
                       only if it is an earlier 'mommie run' report, or with --force
  -h, --help           show this help

Exit codes, the same on both networks (the first that applies; the report's
last lines say why, and what an ok covers):
  130 interrupted;
  1   bad input, or (tcp) a node could not start, e.g. its port is in use;
  2   a finding: an invariant violated (sim), a step aborted (a body failed),
      a body program's step differing from its body spec (--assert), a
      request never answered where the model promises progress;
  3   internal error;
  4   unfinished: --timeout came first, a Byzantine node of the model never
      acted (over TCP, which does not play them: always), or (tcp) a
      client process died;
  0   ok.`;

export const runCommand: Command = {
  name: 'run',
  help: RUN_HELP,
  async run(args, out) {
    const parsed = commandLine('run', args, {
      deploy: { type: 'string' }, keys: { type: 'string' }, network: { type: 'string' }, model: { type: 'string' },
      requests: { type: 'string' }, clients: { type: 'string' }, concurrency: { type: 'string' }, seed: { type: 'string' }, seeds: { type: 'string' },
      faults: { type: 'string' }, stall: { type: 'string' }, timeout: { type: 'string' }, trace: { type: 'string' },
      force: { type: 'boolean' }, node: { type: 'string' }, rejoin: { type: 'boolean' }, 'run-id': { type: 'string' }, 'no-invariants': { type: 'boolean' }, strict: { type: 'boolean' }, reference: { type: 'boolean' }, 'log-sync': { type: 'string' }, json: { type: 'boolean' },
      build: { type: 'string' }, assertions: { type: 'string' }, reporter: { type: 'string' }, out: { type: 'string', short: 'o' },
    }, { min: 1, max: 1, expected: 'give exactly one program' }, RUN_HELP, out);
    if (!parsed.ok) return parsed.exitCode;
    const v = parsed.values;
    const bad = (msg: string): number => {
      out.stderr(`mommie run: ${msg}`);
      return EXIT.BAD_INPUT;
    };
    if (v.deploy === undefined) return bad('--deploy FILE is required (the nodes and their mechanisms)');
    const network = v.network ?? 'tcp';
    if (network !== 'sim' && network !== 'tcp') return bad(`--network takes sim or tcp, not '${network}'`);
    const nums: Record<string, number | undefined> = {};
    for (const [name, raw] of [['requests', v.requests], ['clients', v.clients], ['concurrency', v.concurrency], ['seeds', v.seeds], ['stall', v.stall], ['timeout', v.timeout]] as const) {
      const n = positiveInt('run', `--${name}`, raw, out);
      if (n === 'bad') return EXIT.BAD_INPUT;
      nums[name] = n;
    }
    const seed = v.seed === undefined ? 1 : Number(v.seed);
    if (!Number.isInteger(seed) || seed < 0) return bad(`--seed takes a whole number, not '${v.seed}'`);
    const faults = parseFaults(v.faults ?? '');
    if ('error' in faults) return bad(faults.error);
    if (v.reporter !== undefined && v.reporter !== 'html') return bad(`unknown reporter '${v.reporter}' (use html, or --json)`);
    if (v.reporter === 'html' && v.out === undefined) return bad('--reporter html needs --out FILE');
    if (v.reporter === 'html' && network !== 'sim') return bad('--reporter html is for the simulated network (--network sim); over TCP use --trace DIR and \'mommie replay --reporter html\'');
    if (v.out !== undefined && v.reporter === undefined) return bad('--out FILE goes with --reporter html');
    const outProblem = v.out === undefined ? undefined : htmlOutProblem(v.out, RUN_HTML_GENERATOR, v.force === true);
    if (outProblem !== undefined) return bad(outProblem);

    const fe = checkFile(parsed.positionals[0]!);
    printDiagnostics(out, fe);
    if (!fe.ok || fe.program === undefined || fe.source === undefined) {
      out.stderr(summary([fe]));
      return EXIT.BAD_INPUT;
    }
    const program = fe.program;
    const dep = loadDeployment(v.deploy, program);
    for (const d of dep.diagnostics) out.stderr(formatDiagnostic(d, d.file === v.deploy ? dep.source : fe.source));
    if (!dep.ok || dep.deployment === undefined) return bad(`${v.deploy} is not a deployment of ${program.name}`);
    const deployment = dep.deployment;
    const constants = new Map<string, Value>(deployment.constants);
    const built = v.build === undefined ? undefined : await loadRunBuild(v.build, v.assertions, fe.source, program, out);
    if (built === 'bad') return EXIT.BAD_INPUT;
    const host = built?.loaded.host ?? new Map();
    const loaded = instantiateForRun(program, v.model, constants, host);
    const inst: typeof loaded = loaded.ok && built !== undefined ? { ok: true, instance: { ...loaded.instance, bodies: built.loaded.bodies } } : loaded;
    const evalDiagnostic = (e: EvalError): number => {
      out.stderr(formatDiagnostic(diag(e.code, fe.source!.file, e.message, e.span), fe.source));
      return EXIT.BAD_INPUT;
    };
    if (!inst.ok) return evalDiagnostic(inst.error);
    const narrowed = nums.clients === undefined ? inst.instance : withClients(inst.instance, nums.clients);
    if ('available' in narrowed) return bad(`--clients ${nums.clients}: ${v.model === undefined ? program.name : `model ${v.model}`} has ${narrowed.available} correct client${narrowed.available === 1 ? '' : 's'}`);
    const model = narrowed;
    const cannot = runnable(new System(model));
    if (cannot !== undefined) return evalDiagnostic(cannot);
    const unplaced = model.nodes.filter((n) => n.role !== undefined && !deployment.nodes.has(n.name)).map((n) => n.name);
    if (unplaced.length > 0) return bad(`${v.deploy} gives no address to ${unplaced.join(', ')}`);

    const ctx: RunContext = {
      programPath: parsed.positionals[0]!, program, source: fe.source, deployPath: v.deploy, deployment,
      ...(v.keys !== undefined ? { keysDir: v.keys } : {}), model,
      requests: nums.requests ?? 10, concurrency: nums.concurrency ?? 1,
      ...(v.trace !== undefined ? { traceDir: v.trace } : {}), ...(v.node !== undefined ? { node: v.node } : {}),
      ...(v.rejoin === true ? { rejoin: true } : {}), ...(v['run-id'] !== undefined ? { runIdFile: v['run-id'] } : {}), ...(nums.clients !== undefined ? { clients: nums.clients } : {}),
      json: v.json === true, strict: v.strict === true, ...(v.reference === true ? { reference: true } : {}), ...(v['log-sync'] === 'none' ? { logSync: 'none' as const } : {}), timeoutMs: nums.timeout ?? (network === 'sim' ? 600_000 : 120_000), out,
    };
    if (v['log-sync'] !== undefined && v['log-sync'] !== 'fsync' && v['log-sync'] !== 'none') return bad(`--log-sync takes fsync or none, not '${v['log-sync']}'`);
    if (v['log-sync'] !== undefined && network !== 'tcp') return bad('--log-sync is for runs over TCP (the simulated network keeps no logs on disk)');
    if (v.rejoin === true && (network !== 'tcp' || v.node === undefined)) return bad('--rejoin is for one node over TCP: give --network tcp --node NAME');
    if (v['run-id'] !== undefined && network !== 'tcp') return bad('--run-id is for runs over TCP (the simulated network has one run)');
    // A single TCP node finds its own log there on purpose: it recovers from it.
    const rejoining = network === 'tcp' && v.node !== undefined;
    if (ctx.traceDir !== undefined && !rejoining) {
      const clash = existingLogs(ctx.traceDir, model, deployment);
      if (clash.length > 0 && v.force !== true) return bad(`${ctx.traceDir} already holds ${clash.join(', ')}; pass --force to overwrite them, or choose another --trace directory`);
    }
    if (network === 'tcp') {
      // Each node process loads the build and reports its own assertions.
      // Loaded here: the TCP path (node processes, execa) costs a simulated run's start-up nothing.
      const { runTcpCommand } = await import('./run-tcp.js');
      return runTcpCommand(v.build === undefined ? ctx : { ...ctx, build: { dir: resolve(v.build), ...(v.assertions !== undefined ? { assertions: v.assertions } : {}) } });
    }
    // A model that checks no temporal property promises no progress (e.g. a
    // Byzantine primary without a view change): a stalled request is not a finding there.
    const progressPromised = v.model === undefined || model.properties.length > 0;
    return runSim(ctx, {
      seed, seeds: nums.seeds ?? 1, faults: faults.faults, crashAt: faults.crashAt, stallMs: nums.stall ?? 60_000, progressPromised,
      invariants: v['no-invariants'] !== true, ...(v.out !== undefined ? { htmlOut: v.out } : {}), ...(built?.sink !== undefined ? { assertions: built.sink } : {}),
    });
  },
};

async function loadRunBuild(dir: string, mode: string | undefined, source: SourceText, program: CheckedProgram, out: Out): Promise<{ loaded: LoadedBuild; sink?: AssertSink } | 'bad'> {
  if (mode !== undefined && mode !== 'stop' && mode !== 'log' && mode !== 'count') {
    out.stderr(`mommie run: --assertions takes stop, log or count, not '${mode}'`);
    return 'bad';
  }
  const manifest = peekAssert(dir);
  const sink: AssertSink | undefined = manifest ? { mode: mode ?? 'log', checked: 0, violations: 0, report: (v) => out.stderr(formatViolation(v)) } : undefined;
  if (mode !== undefined && sink === undefined) {
    out.stderr(`mommie run: --assertions ${mode}: ${dir} was built without --assert`);
    return 'bad';
  }
  const loaded = await loadBuild(dir, program, source, sink);
  if ('error' in loaded) {
    out.stderr(`mommie run: error MOM704: ${loaded.error}`);
    return 'bad';
  }
  return sink === undefined ? { loaded } : { loaded, sink };
}

interface SimChoices {
  readonly seed: number;
  readonly seeds: number;
  readonly faults: SimFaults;
  readonly crashAt: ReadonlyMap<string, number>;
  readonly stallMs: number;
  readonly progressPromised: boolean;
  readonly invariants: boolean;
  /** --reporter html -o FILE: where the page goes. */
  readonly htmlOut?: string;
  /** A build made with --assert: its tally of compared steps (over every seed run). */
  readonly assertions?: AssertSink;
}

async function runSim(ctx: RunContext, c: SimChoices): Promise<number> {
  const { out, model } = ctx;
  const ttps = thirdParties(ctx.deployment, model.nodes.map((n) => n.name));
  const downed = [...c.crashAt.keys()].filter((n) => ttps.includes(n));
  if (downed.length > 0) {
    out.stderr(`mommie run: --faults crash=${downed[0]}: ${downed[0]} is a trusted third party, correct by assumption (the models cannot crash it); a partition can cut it off for a while`);
    return EXIT.BAD_INPUT;
  }
  const rings = await keyRings(ctx);
  if ('error' in rings) {
    out.stderr(`mommie run: ${rings.error}`);
    return EXIT.BAD_INPUT;
  }
  const schema = schemaFromModel(model);
  if (!schema.ok) {
    out.stderr(`mommie run: ${schema.detail}`);
    return EXIT.BAD_INPUT;
  }
  let report: RunReport | undefined;
  let html: HtmlCapture | undefined;
  for (let seed = c.seed; seed < c.seed + c.seeds; seed++) {
    const codecs = new Map<string, WireCodec>();
    const files = new Map<string, number>();
    // Only the run whose report is printed is drawn: each seed starts afresh.
    html = c.htmlOut === undefined ? undefined : new HtmlCapture();
    try {
      const r = runSimulation({
        model, source: ctx.source, seed, faults: c.faults, crashAt: c.crashAt, requests: ctx.requests, concurrency: ctx.concurrency, ttps,
        maxTimeMs: ctx.timeoutMs, stallMs: c.stallMs, progressPromised: c.progressPromised, invariants: c.invariants, strict: ctx.strict, reference: ctx.reference === true,
        timeoutMs: (role, t) => ctx.deployment.timeoutMs(role, t),
        timerDoubling: (role, t) => ctx.deployment.timerDoubling?.(role, t),
        dissemination: (issuer, type) => ctx.deployment.disseminationFor?.(issuer, type),
        codecFor: (n) => {
          const codec = new WireCodec(rings.rings.get(n)!, ctx.deployment, schema.schema);
          codecs.set(n, codec);
          return codec;
        },
        ...(html !== undefined ? { onProgress: html.onProgress } : {}),
        header: runHeader({ ...(model.decl.id !== -1 ? { model: model.name } : {}), ...(ctx.clients !== undefined ? { clients: ctx.clients } : {}), deployFile: ctx.deployment.file }),
        traceFor: (n) => {
          if (ctx.traceDir === undefined) return html?.sink(n);
          mkdirSync(ctx.traceDir, { recursive: true });
          const fd = openSync(join(ctx.traceDir, `${n}.ndjson`), 'w', 0o644);
          files.set(n, fd);
          // One write per event: a run cut short leaves every line before it whole.
          const seen = html?.sink(n);
          return { write: (e) => {
            writeSync(fd, JSON.stringify(e) + '\n');
            seen?.write(e);
          } };
        },
      });
      html?.finish(r.latencies);
      const verdict = runVerdict(simFacts(r, model, {
        asked: ctx.requests, timeoutMs: ctx.timeoutMs, invariants: c.invariants, progressPromised: c.progressPromised,
        ...(c.assertions !== undefined ? { assertions: { checked: c.assertions.checked, violations: c.assertions.violations } } : {}),
      }));
      const simulated = simReport(r, model, seed, ctx.requests, (n) => codecs.get(n)?.wire.snapshot(), (n) => codecs.get(n)?.local.countersign, (n) => codecs.get(n)?.local.digest);
      const faultsInjected = c.crashAt.size > 0 || c.faults.drop > 0 || c.faults.partitions.length > 0;
      report = { ...simulated, health: runHealth(simulated, healthInputs(model, ctx.deployment, faultsInjected)), verdict };
    } finally {
      for (const fd of files.values()) closeSync(fd);
    }
    // The first seed whose run is not ok is the one reported.
    if (report.verdict?.outcome !== 'ok') break;
    if (c.seeds > 1 && !ctx.json) out.stderr(`seed ${seed}: ${report.requests.completed} of ${report.requests.started} requests completed, ok`);
  }
  if (report === undefined) return EXIT.INTERNAL;
  if (html !== undefined && c.htmlOut !== undefined) {
    const problem = writeHtml(c.htmlOut, html.page(report, model, ctx.traceDir));
    if (problem !== undefined) {
      out.stderr(`mommie run: ${problem}`);
      return EXIT.BAD_INPUT;
    }
    out.stderr(`wrote ${c.htmlOut}`);
  }
  if (c.assertions !== undefined) {
    const s = c.assertions;
    out.stderr(`assertions (${s.mode}): ${s.checked} step${s.checked === 1 ? '' : 's'} of body programs compared with their body specs, ${s.violations} violation${s.violations === 1 ? '' : 's'}`);
  }
  if (ctx.json) out.stdout(JSON.stringify(report, null, 2));
  else {
    out.stdout(formatRunReport(report).join('\n'));
    if (report.violation !== undefined) {
      out.stdout(`invariant ${report.violation.invariant} violated at seed ${report.seed ?? 0}${report.violation.omitted > 0 ? ` (the first ${report.violation.omitted} steps are not shown)` : ''}:`);
      out.stdout(formatTrace(report.violation.trace).join('\n'));
    }
  }
  return exitForRun(report.verdict?.outcome ?? 'failed');
}

async function keyRings(ctx: RunContext): Promise<{ rings: ReadonlyMap<string, KeyRing> } | { error: string }> {
  const principals = ctx.model.nodes.map((n) => n.name);
  // The deployment's trusted third parties hold keys like any node.
  const names = [...principals, ...thirdParties(ctx.deployment, principals)];
  if (ctx.keysDir === undefined) return { rings: await generateKeyRings(names) };
  const rings = new Map<string, KeyRing>();
  for (const n of names) {
    const r = loadKeyRing(ctx.keysDir, n);
    if (!r.ok) return { error: r.diagnostic.message };
    rings.set(n, r.ring);
  }
  return { rings };
}

function existingLogs(dir: string, model: ModelInstance, deployment: Deployment): string[] {
  const principals = model.nodes.map((n) => n.name);
  return [...principals, ...thirdParties(deployment, principals)].map((n) => `${n}.ndjson`).filter((f) => existsSync(join(dir, f)));
}
