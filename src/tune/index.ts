// `tune`: the deployment tuner as a function (the CLI's `mommie deploy-tune`
// and the bench's `optimizations` section call it). Given a program and a
// base deploy file, it measures this machine, generates candidate
// deployments (the base's own file first), keeps those deploy-check
// accepts, simulates each to count what a request costs, and ranks them by
// the cost model's prediction for the objective. docs/optimizations.md,
// "deploy-tune", describes each step.

import { basename } from 'node:path';
import type { CheckedProgram } from '../analysis/program.js';
import { diag, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { SourceText } from '../diagnostics/source.js';
import { formatDiagnostic } from '../diagnostics/format.js';
import type { CheckedDeployment } from '../deploy/resolve.js';
import { thirdParties } from '../runtime/ttp-node.js';
import { EvalError } from '../semantics/errors.js';
import { instantiateRun, withClients } from '../semantics/model.js';
import { runnable } from '../semantics/node.js';
import { System } from '../semantics/system.js';
import type { Value } from '../semantics/value.js';
import { schemaFromModel } from '../wire/index.js';
import { admit } from './admit.js';
import { readBase, type Base } from './base.js';
import { compare, predict } from './cost.js';
import { sameRoutes } from './equivalent.js';
import { tuningKeyRings } from './keys.js';
import { calibrateProcessing, costConstants, measureMachine, type MachineCosts } from './measure.js';
import { describeChoice, renderChoice } from './render.js';
import { coordinateDescent, everyChoice } from './search.js';
import { buildSpace, startChoice, UNICAST, type Choice, type Space } from './space.js';
import { signatureAlgs, simulate, type SimSetup } from './simulate.js';
import {
  DEFAULT_TUNE_OPTIONS,
  type CostConstants, type Objective, type Prediction, type RejectedCandidate, type ScoredCandidate, type TcpMeasurement, type TuneError, type TuneErrorCode, type TuneOptions, type TuneOutcome,
} from './types.js';

export * from './types.js';
export { compare, figure, nodeCpuUs, predict } from './cost.js';
export { measureMachine, calibrateProcessing, type MachineCosts } from './measure.js';
export { probeLoopback, fitLine } from './probe.js';

export interface TuneInput {
  readonly program: CheckedProgram;
  /** The program's text (to name PUBLISH sites in deploy-check's messages); read from program.file when absent. */
  readonly programSource?: SourceText;
  /** The base deploy file: its path (as diagnostics name it) and its text. */
  readonly base: { readonly file: string; readonly text: string };
  readonly objective: Objective;
  readonly options?: Partial<TuneOptions>;
  /** Crypto and network costs measured before (a caller tuning several programs measures once); measured now when absent. */
  readonly machine?: MachineCosts;
  /** Told what the tuner is doing, one line at a time. */
  readonly onProgress?: (line: string) => void;
  /**
   * Runs a deploy file's text over TCP loopback (one process per node) and
   * says what it measured. When given, the calibration deployment runs
   * there too, and the model takes its processing cost per statement and
   * its efficiency from that run (the CLI's --calibrate-tcp; the tuner
   * itself starts no processes).
   */
  readonly measureTcp?: (deployText: string) => Promise<TcpMeasurement | { readonly error: string }>;
}

function fail(code: TuneErrorCode, message: string, diagnostics: readonly Diagnostic[] = [], sources: ReadonlyMap<string, SourceText> = new Map()): TuneOutcome {
  const error: TuneError = { code, message, diagnostics, sources };
  return { ok: false, error };
}

/** The reasons a deploy-check refusal gives, one line each, `file:line:col: code: message`. */
function reasonsOf(diagnostics: readonly Diagnostic[], sources: ReadonlyMap<string, SourceText | undefined>): string[] {
  return diagnostics.filter((d) => d.severity === 'error').map((d) => formatDiagnostic(d, sources.get(d.file)).split('\n')[0]!);
}

/** The calibration's deployment: every pair PLAINTEXT (HMAC if the program's statements cannot travel so), signatures where auditors are asked for, unicast. */
function calibrationChoices(space: Space): Choice[] {
  const with_ = (pair: string): Choice => space.dimensions.map((d) => (d.kind === 'auth' ? pair : d.kind === 'nonrep' ? 'ED25519' : UNICAST));
  return [with_('PLAINTEXT'), with_('HMAC')];
}

/**
 * The model's constants corrected by a real run of the calibration
 * deployment over TCP: the CPU the node processes spent per request beyond
 * what the simulation-calibrated model says is charged to the statements
 * they handled (logging, system calls, each process's cold code), and the
 * ratio of the measured throughput to the model's then gives the
 * efficiency every prediction is scaled by.
 */
async function calibrateOverTcp(
  measure: NonNullable<TuneInput['measureTcp']>, calibration: { readonly text: string; readonly deployment: CheckedDeployment },
  setup: SimSetup, machine: MachineCosts, sim: CostConstants,
): Promise<CostConstants | { readonly error: string }> {
  const counted = simulate(setup, calibration.deployment, sim.crypto);
  if (!counted.ok) return { error: `the calibration deployment does not run in simulation: ${counted.reason}` };
  const m = await measure(calibration.text);
  if ('error' in m) return { error: `the TCP calibration run failed: ${m.error}` };
  if (m.completed === 0 || m.cpuUsPerRequest <= 0) return { error: 'the TCP calibration run completed no request or reported no CPU time' };
  const o = counted.observation;
  const handled = o.nodes.reduce((k, n) => k + n.statements, 0) / Math.max(1, o.completed);
  const modelled = predict(o, sim);
  const processingUs = handled > 0 ? Math.max(sim.processingUs, sim.processingUs + (m.cpuUsPerRequest - modelled.cpuUsPerRequest) / handled) : sim.processingUs;
  const corrected = costConstants(machine, processingUs);
  const p = predict(o, corrected);
  const efficiency = p.throughputPerS > 0 ? m.throughputPerS / p.throughputPerS : 1;
  return { ...corrected, tcp: { measured: m, simProcessingUs: sim.processingUs, efficiency } };
}

export async function tune(input: TuneInput): Promise<TuneOutcome> {
  const opts: TuneOptions = { ...DEFAULT_TUNE_OPTIONS, ...input.options };
  const { program, objective } = input;
  const progress = input.onProgress ?? ((): void => undefined);
  const programSources = new Map<string, SourceText>(input.programSource !== undefined ? [[program.file, input.programSource]] : []);

  const read = readBase(input.base.file, input.base.text, program, input.programSource);
  if (!read.ok) {
    const sources = new Map(programSources);
    if (read.source !== undefined) sources.set(input.base.file, read.source);
    return fail('bad-base', `${input.base.file} is not a deployment of ${program.name}: its [Nodes], [Timeouts] or [Constants] do not check`, read.diagnostics, sources);
  }
  const base: Base = read.base;

  // The system the candidates run: every principal correct, the base's constants, --clients.
  const evalFailure = (e: EvalError): TuneOutcome =>
    fail('not-runnable', `${program.name} cannot run as ${input.base.file} deploys it: ${e.message}`, [diag(e.code, program.file, e.message, e.span)], programSources);
  const inst = instantiateRun(program, new Map<string, Value>(base.skeleton.constants));
  if (!inst.ok) return evalFailure(inst.error);
  const narrowed = opts.clients === undefined ? inst.instance : withClients(inst.instance, opts.clients);
  if ('available' in narrowed) return fail('not-runnable', `--clients ${opts.clients}: ${program.name} has ${narrowed.available} client${narrowed.available === 1 ? '' : 's'}`);
  const model = narrowed;
  const cannot = runnable(new System(model));
  if (cannot !== undefined) return evalFailure(cannot);
  const schema = schemaFromModel(model);
  if (!schema.ok) return fail('not-runnable', `${program.name} cannot run: ${schema.detail}`);

  // The base's own file is a candidate; what it chose is where the search starts.
  const baseAdmitted = admit(base.file, base.text, program, input.programSource);
  const baseDeployment = baseAdmitted.ok ? baseAdmitted.deployment : undefined;
  const space = buildSpace(program, base.skeleton, baseDeployment, opts);

  progress('measuring this machine: crypto operations, TCP loopback');
  const measured = input.machine === undefined ? await measureMachine({ quick: opts.quick, ...(opts.cores !== undefined ? { cores: opts.cores } : {}) }) : { ok: true as const, machine: input.machine };
  if (!measured.ok) return fail('measure-failed', `cannot measure the network: ${measured.message}`);
  const machine: MachineCosts = opts.cores !== undefined ? { ...measured.machine, cores: opts.cores } : measured.machine;

  const principals = model.nodes.map((n) => n.name);
  const usesRsa = opts.allowRsa || (baseDeployment !== undefined && signatureAlgs(baseDeployment).rsa);
  const rings = await tuningKeyRings([...principals, ...base.ttps], usesRsa);
  const setupFor = (d: CheckedDeployment): SimSetup => ({
    model, ...(input.programSource !== undefined ? { source: input.programSource } : {}), rings, schema: schema.schema,
    ttps: thirdParties(d, principals), requests: opts.requests, concurrency: opts.concurrency, seed: opts.seed,
  });

  progress('calibrating the processing cost per statement (a PLAINTEXT run)');
  let processingUs: number | undefined;
  let calibration: { readonly text: string; readonly deployment: CheckedDeployment } | undefined;
  for (const c of calibrationChoices(space)) {
    const text = renderChoice(base, space, c);
    const a = admit(`${base.file} (calibration)`, text, program, input.programSource);
    if (!a.ok) continue;
    processingUs = calibrateProcessing(setupFor(a.deployment), a.deployment, opts.quick ? 500 : 3000);
    calibration = { text, deployment: a.deployment };
    if (processingUs !== undefined) break;
  }
  // A run with plain mechanisms that completes nothing: no candidate would, whatever it chose.
  if (processingUs === undefined) {
    return fail('no-candidate', `no simulated run of ${program.name} completes a request as ${input.base.file} deploys it (does the program have clients, and do the constants in [Constants] admit requests?); nothing to tune`);
  }
  let constants: CostConstants = costConstants(machine, processingUs);
  if (input.measureTcp !== undefined && calibration !== undefined) {
    progress('calibrating over TCP loopback: the calibration deployment, one process per node');
    const tcp = await calibrateOverTcp(input.measureTcp, calibration, setupFor(calibration.deployment), machine, constants);
    if ('error' in tcp) return fail('measure-failed', tcp.error);
    constants = tcp;
  }

  const scored: ScoredCandidate[] = [];
  const rejected: RejectedCandidate[] = [];
  let simulated = 0;
  const consider = (text: string, origin: 'base' | 'generated', description: string, admitted: ReturnType<typeof admit>): Prediction | undefined => {
    if (!admitted.ok) {
      const sources = new Map<string, SourceText | undefined>([...programSources, [admitted.source.file, admitted.source]]);
      rejected.push({ text, origin, description, reasons: reasonsOf(admitted.diagnostics, sources), diagnostics: admitted.diagnostics, source: admitted.source });
      return undefined;
    }
    simulated++;
    const sim = simulate(setupFor(admitted.deployment), admitted.deployment, constants.crypto);
    if (!sim.ok) {
      rejected.push({ text, origin, description, reasons: [sim.reason], diagnostics: [] });
      return undefined;
    }
    const prediction = predict(sim.observation, constants);
    scored.push({ text, origin, description, deployment: admitted.deployment, observation: sim.observation, prediction });
    progress(`candidate ${simulated}: ${description}`);
    return prediction;
  };

  const start = (() => {
    const own = space.dimensions.map((d) => d.baseOption);
    return own.every((o) => o !== undefined) ? (own as Choice) : undefined;
  })();
  const baseName = basename(base.file);
  const basePrediction = consider(base.text, 'base', `${baseName} as written${start === undefined ? '' : `: ${describeChoice(space, start)}`}`, baseAdmitted);
  const score = (choice: Choice): Prediction | undefined => {
    const text = renderChoice(base, space, choice);
    const admitted = admit(`${baseName} (candidate)`, text, program, input.programSource);
    // The base in the search's own words: the same candidate, already simulated.
    if (admitted.ok && baseDeployment !== undefined && basePrediction !== undefined && sameRoutes(admitted.deployment, baseDeployment, space.sites)) return basePrediction;
    return consider(text, 'generated', describeChoice(space, choice), admitted);
  };
  const all = everyChoice(space, opts.maxCandidates - simulated);
  if (all !== undefined) for (const c of all) score(c);
  else coordinateDescent(space, startChoice(space), objective, opts.rounds, { budgetLeft: () => simulated < opts.maxCandidates, score });

  // Equal predictions: the base file first (a change must pay for itself), then the fewest optimizers.
  const steps = (c: ScoredCandidate): number => c.deployment.dissemination.reduce((n, r) => n + r.optimizers.length, 0);
  const ranked = [...scored].sort(
    (a, b) => compare(a.prediction, b.prediction, objective) || Number(b.origin === 'base') - Number(a.origin === 'base') || steps(a) - steps(b) || a.description.localeCompare(b.description),
  );
  const baseRank = ranked.findIndex((c) => c.origin === 'base');
  const baseRejected = rejected.find((c) => c.origin === 'base');
  if (ranked.length === 0) {
    const sources = new Map<string, SourceText>([...programSources, [base.file, base.source]]);
    const why = baseRejected === undefined ? '' : `; the base file itself: ${baseRejected.reasons.join('; ')}`;
    return fail('no-candidate', `no candidate deployment passes deploy-check and completes a request in simulation (${rejected.length} refused)${why}`, baseAdmitted.ok ? [] : baseAdmitted.diagnostics, sources);
  }
  const fewest = Math.min(...ranked.map((c) => c.observation.requested));
  const notes = fewest < opts.requests
    ? [`${program.name} admits only ${fewest} of the ${opts.requests} requests asked under ${baseName}'s constants (raise them in [Constants]): the counts per request are over those`]
    : [];
  return {
    ok: true, ranked, rejected, constants, objective, notes,
    base: baseRank >= 0 ? { scored: true, rank: baseRank + 1 } : { scored: false, reasons: baseRejected?.reasons ?? [] },
  };
}
