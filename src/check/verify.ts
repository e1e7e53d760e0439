// Runs the built-in model checker on one model of a checked program and
// reports in the shared result shape (result.ts).

import { resourceUsage } from 'node:process';
import type { CheckedProgram } from '../analysis/program.js';
import type { SourceText } from '../diagnostics/source.js';
import { instantiate, type ModelInstance } from '../semantics/model.js';
import { checkerSystemOptions, System } from '../semantics/system.js';
import { FORGET_STABLE, FORGET_UNOBSERVABLE } from '../semantics/forget.js';
import { ANSWER_STABLE, CALLS_ANSWERED, findLiveness } from '../semantics/answer.js';
import type { EvalError } from '../semantics/errors.js';
import type { Span } from '../diagnostics/diagnostic.js';
import { coverageOf } from './coverage.js';
import { describeFailure } from './failure.js';
import { collisionProbability } from './fingerprint.js';
import { findLivenessViolation, pathTo } from './liveness.js';
import { PartialOrder } from './por.js';
import { obligations, StateEvaluator, UnsupportedProperty, type Obligation } from './properties.js';
import type { EvaluationError, ModelBounds, ModelResult, PropertyResult, SearchStats } from './result.js';
import { exploreParallel } from './parallel.js';
import { explore, type Progress, type SearchLimits, type SearchOutcome, type StatePredicate } from './search.js';
import { replay, TraceRenderer } from './trace.js';

export interface VerifyOptions extends SearchLimits {
  readonly deadlock: boolean;
  /** Apply the model's SYMMETRY declarations (default true). */
  readonly symmetry: boolean;
  readonly continueAfterViolation: boolean;
  /** Partial-order reduction (docs/checker.md); off by default. */
  readonly partialOrder?: boolean;
  /** The checker's steps with the interpreter rather than the compiled core (`--reference`). */
  readonly reference?: boolean;
  readonly onProgress?: (model: string, p: Progress) => void;
  readonly isInterrupted?: () => boolean;
  /**
   * Worker threads for the parallel search (parallel.ts); undefined runs the
   * search in this process; `{ cores }` (the CLI's default) runs a safety
   * model in process while it is small and on `cores` workers once it has
   * more than AUTO_PARALLEL_AT states. Models with liveness obligations
   * always run in process (given a number, the note says so).
   */
  readonly workers?: number | { readonly cores: number };
  /** With workers: memory for the BFS levels' packed states before they spill to disk (parallel.ts). */
  readonly levelMemoryBytes?: number;
  /** What the engine chose or measured, for stderr (e.g. a fallback to one worker). */
  readonly onNote?: (model: string, note: string) => void;
}

/**
 * Distinct states past which the default search moves to worker threads: the
 * in-process search finishes such a model in about a second, before worker
 * threads (each checking the program again) would have paid for themselves.
 * MOMMIE_VERIFY_PARALLEL_AT overrides it, so tests see the hand-over on small models.
 */
export const AUTO_PARALLEL_AT = positiveFromEnv('MOMMIE_VERIFY_PARALLEL_AT') ?? 20_000;

function positiveFromEnv(name: string): number | undefined {
  const v = Number(process.env[name]);
  return Number.isInteger(v) && v > 0 ? v : undefined;
}

export async function verifyModel(program: CheckedProgram, source: SourceText | undefined, modelName: string, opts: VerifyOptions): Promise<ModelResult> {
  const started = Date.now();
  const loc = (span: Span): string => {
    const p = source?.position(span.start);
    return `${program.file}:${p?.line ?? 0}:${p?.column ?? 0}`;
  };
  const evalError = (e: EvalError): EvaluationError => describeFailure(program, source, { error: e });
  const inst = instantiate(program, modelName);
  if (!inst.ok) {
    return errorResult(modelName, emptyBounds(opts), evalError(inst.error), started);
  }
  const model = inst.instance;
  const system = new System(model, checkerSystemOptions(opts.reference));
  if (opts.partialOrder === true && system.forgets) {
    // ForgetUnobservable reads every correct node's known and forgotten sets, which every delivery
    // changes: no delivery is invisible to it, so the reduction has nothing sound to drop.
    opts.onNote?.(modelName, 'partial-order reduction is off: the program forgets, and ForgetUnobservable reads the known and forgotten sets every delivery changes (docs/checker.md)');
    opts = { ...opts, partialOrder: false };
  }
  const bounds = boundsOf(model, opts);
  const evaluator = new StateEvaluator(system);
  const callsChecked = checksCallsAnswered(system);
  if (opts.partialOrder === true && callsChecked) {
    // "Fired" reads handled, which every fire changes: the reduction has no invisible fire to drop.
    opts.onNote?.(modelName, `partial-order reduction is off: ${CALLS_ANSWERED} reads which calls fired, which every fire changes (docs/checker.md)`);
    opts = { ...opts, partialOrder: false };
  }

  let obls: Obligation[] = [];
  try {
    for (const name of model.properties) obls.push(...obligations(name, program.properties.get(name)!.body, system));
  } catch (e) {
    if (e instanceof UnsupportedProperty) return errorResult(modelName, bounds, { code: 'MOM504', message: e.message, location: loc(e.span) }, started);
    if (isEvalError(e)) return errorResult(modelName, bounds, evalError(e), started);
    throw e;
  }
  // `[]P` obligations are invariants in disguise; the rest need the graph.
  const alwaysObls = obls.filter((o) => o.form === 'always');
  const initObls = obls.filter((o) => o.form === 'init');
  const liveObls = obls.filter((o) => o.form !== 'always' && o.form !== 'init');
  const predicates: StatePredicate[] = [];
  const predIndex = (expr: import('../syntax/ast.js').Expr, bound: ReadonlyMap<number, import('../semantics/value.js').Value>): number => {
    predicates.push({ expr, bound });
    return predicates.length - 1;
  };
  const liveQueries = liveObls.map((o) => ({ o, p: predIndex(o.p, o.bound), ...(o.q ? { q: predIndex(o.q, o.bound) } : {}) }));
  // CallsAnswered (answer.ts): a leads-to per call, over predicates the checker makes itself.
  const callQueries = callsChecked && liveObls.length > 0 ? system.answerCalls().map((c) => {
    predicates.push({ test: (s) => system.callFired(s, c) }, { test: (s) => system.callAnswered(s, c) });
    return { label: c.label, p: predicates.length - 2, q: predicates.length - 1 };
  }) : [];
  const invariants = [
    ...model.invariants.map((name) => ({ name, body: program.invariants.get(name)!.body })),
  ];
  // An `always` obligation with bound names is checked through its own predicate.
  const alwaysQueries = alwaysObls.map((o) => ({ o, p: predIndex(o.p, o.bound) }));
  const initQueries = initObls.map((o) => ({ o, p: predIndex(o.p, o.bound) }));

  let outcome: SearchOutcome;
  try {
    const { onProgress, partialOrder, workers, onNote, levelMemoryBytes, reference: _reference, ...limits } = opts;
    // The variables AnswerStable watches are visible to the reduction: a step that moves one back is never dropped.
    const checked = [...invariants.map((i) => i.body), ...predicates.flatMap((p) => ('expr' in p ? [p.expr] : [])), ...answerConditions(system)];
    const note = (text: string): void => onNote?.(modelName, text);
    // Forgetting's checks and AnswerStable (step properties among them) run in the in-process search only.
    const parallelPossible = predicates.length === 0 && source !== undefined && !system.forgets && !system.answers;
    // What the reduction over fires cannot use, and why (issue 27: `--por` says which transitions it never reduces).
    if (partialOrder === true) for (const line of new PartialOrder(system, checked).report()) note(`--por: ${line}`);
    const inProcess = (stopAt?: number): Promise<SearchOutcome> =>
      explore(system, evaluator, {
        ...limits,
        ...(stopAt !== undefined ? { maxStates: stopAt } : {}),
        invariants,
        predicates,
        recordGraph: liveQueries.length > 0,
        forgetChecks: system.forgets,
        answerChecks: system.answers,
        ...(partialOrder === true ? { partialOrder: new PartialOrder(system, checked) } : {}),
        ...(onProgress !== undefined ? { onProgress: (p: Progress) => onProgress(modelName, p) } : {}),
      });
    const inParallel = (n: number, elapsedMs: number): Promise<SearchOutcome> =>
      exploreParallel(system, evaluator, {
        ...limits,
        ...(limits.timeoutMs !== undefined ? { timeoutMs: Math.max(1, limits.timeoutMs - elapsedMs) } : {}),
        workers: n,
        file: program.file,
        text: source!.text,
        model: modelName,
        invariants,
        ...(levelMemoryBytes !== undefined ? { levelMemoryBytes } : {}),
        ...(partialOrder === true ? { partialOrder: new PartialOrder(system, checked, true) } : {}),
        ...(onProgress !== undefined ? { onProgress: (p: Progress) => onProgress(modelName, p) } : {}),
        onMemory: (m) => note(`${n} worker${n === 1 ? '' : 's'}: fingerprint table ${(m.tableBytes / 2 ** 20).toFixed(1)} MiB (${m.tableSlots} slots), levels' packed states at most ${mib(m.peakFrontierBytes)} MiB in memory (--level-memory ${mib(m.levelMemoryBytes)} MiB)${m.spilledBytes > 0 ? `, ${mib(m.spilledBytes)} MiB spilled to disk` : ''}`),
      });
    if (typeof workers === 'number') {
      if (!parallelPossible) note(`checked in process with one worker, not ${workers}: ${predicates.length > 0 ? 'its PROPERTY obligations need the whole state graph, which the parallel search does not keep' : system.forgets ? 'forgetting\'s checks (ForgetStable, ForgetUnobservable) run in the in-process search only' : system.answers ? `${ANSWER_STABLE} runs in the in-process search only` : 'the program text is not at hand for the workers'}`);
      outcome = parallelPossible ? await inParallel(workers, 0) : await inProcess();
    } else if (workers === undefined || !parallelPossible) {
      outcome = await inProcess();
    } else {
      // 'auto': a small model is done in process before worker threads would
      // have started; past AUTO_PARALLEL_AT states the search starts again on
      // every core, and the states explored so far are the price (docs/checker.md).
      const userLimit = limits.maxStates;
      const small = userLimit !== undefined && userLimit <= AUTO_PARALLEL_AT;
      const first = await inProcess(small ? undefined : AUTO_PARALLEL_AT);
      const outgrew = !small && first.status === 'limit' && first.distinct >= AUTO_PARALLEL_AT && (limits.timeoutMs === undefined || first.seconds * 1000 < limits.timeoutMs);
      if (!outgrew || opts.isInterrupted?.() === true) outcome = first;
      else {
        note(`more than ${AUTO_PARALLEL_AT} states: searching again on ${workers.cores} worker thread${workers.cores === 1 ? '' : 's'}, the parallel search (--in-process or --workers N to choose)`);
        outcome = await inParallel(workers.cores, first.seconds * 1000);
      }
    }
  } catch (e) {
    if (isEvalError(e)) return errorResult(modelName, bounds, evalError(e), started);
    throw e;
  }
  const renderer = new TraceRenderer(system, source);
  const g = outcome.graph;
  const traceTo = (i: number, loopsTo?: number) => renderer.trace(replay(system, g, pathTo(g, i)), loopsTo);
  const complete = outcome.status === 'complete' || (outcome.status === 'violation' && opts.continueAfterViolation);
  const unknownReason = outcome.status === 'limit' ? outcome.limitReason ?? 'a limit was reached' : outcome.status === 'interrupted' ? 'interrupted' : outcome.status === 'error' ? 'the search stopped at an evaluation error' : 'the search stopped at the first violation';

  const props: PropertyResult[] = [];
  for (const name of model.invariants) {
    const at = outcome.invariantViolations.get(name);
    if (at !== undefined) props.push({ name, kind: 'invariant', verdict: 'violated', trace: traceTo(at) });
    else props.push(complete ? { name, kind: 'invariant', verdict: 'holds' } : { name, kind: 'invariant', verdict: 'unknown', detail: unknownReason });
  }
  for (const name of model.properties) {
    let violated: PropertyResult | undefined;
    for (const q of initQueries.filter((x) => x.o.property === name)) {
      const initIdx = 0;
      if (g.predicateValues[q.p]?.[initIdx] === 0) violated ??= { name, kind: 'property', verdict: 'violated', detail: `${q.o.label} is false in the initial state`, trace: traceTo(initIdx) };
    }
    for (const q of alwaysQueries.filter((x) => x.o.property === name)) {
      const vals = g.predicateValues[q.p] ?? ([] as number[]);
      const at = vals.indexOf(0);
      if (at >= 0) {
        // BFS numbering: the first false state is one of the shallowest.
        violated ??= { name, kind: 'property', verdict: 'violated', detail: `${q.o.label}: []P fails`, trace: traceTo(at) };
      }
    }
    if (violated === undefined && complete) {
      for (const q of liveQueries.filter((x) => x.o.property === name)) {
        const path = findLivenessViolation(g, { form: q.o.form as 'leadsTo', p: q.p, ...(q.q !== undefined ? { q: q.q } : {}) });
        if (path !== undefined) {
          const r = replay(system, g, path);
          violated = { name, kind: 'property', verdict: 'violated', detail: `${q.o.label}: a fair behaviour that never satisfies it`, trace: renderer.trace(r, r.states.length) };
          break;
        }
      }
    }
    if (violated !== undefined) props.push(violated);
    else props.push(complete ? { name, kind: 'property', verdict: 'holds' } : { name, kind: 'property', verdict: 'unknown', detail: unknownReason });
  }
  if (system.forgets) {
    // Forgetting's two checks (semantics/forget.ts): the invariant, then the step property.
    for (const [name, kind] of [[FORGET_UNOBSERVABLE, 'invariant'], [FORGET_STABLE, 'property']] as const) {
      const v = outcome.builtInViolations?.get(name);
      if (v !== undefined) {
        const path = v.from === undefined ? pathTo(g, v.to) : [...pathTo(g, v.from), v.to];
        props.push({ name, kind, verdict: 'violated', detail: v.detail, trace: renderer.trace(replay(system, g, path)) });
      } else props.push(complete ? { name, kind, verdict: 'holds' } : { name, kind, verdict: 'unknown', detail: unknownReason });
    }
  }
  if (system.answers) {
    const v = outcome.builtInViolations?.get(ANSWER_STABLE);
    if (v !== undefined) props.push({ name: ANSWER_STABLE, kind: 'property', verdict: 'violated', detail: v.detail, trace: renderer.trace(replay(system, g, [...pathTo(g, v.from!), v.to])) });
    else props.push(complete ? { name: ANSWER_STABLE, kind: 'property', verdict: 'holds' } : { name: ANSWER_STABLE, kind: 'property', verdict: 'unknown', detail: unknownReason });
  }
  if (callQueries.length > 0) {
    let violated: PropertyResult | undefined;
    if (complete) {
      for (const q of callQueries) {
        const path = findLivenessViolation(g, { form: 'leadsTo', p: q.p, q: q.q });
        if (path === undefined) continue;
        const r = replay(system, g, path);
        violated = { name: CALLS_ANSWERED, kind: 'property', verdict: 'violated', detail: `${q.label} fired and a fair behaviour never answers it`, trace: renderer.trace(r, r.states.length) };
        break;
      }
    }
    props.push(violated ?? (complete ? { name: CALLS_ANSWERED, kind: 'property', verdict: 'holds' } : { name: CALLS_ANSWERED, kind: 'property', verdict: 'unknown', detail: unknownReason }));
  }
  if (opts.deadlock) {
    if (outcome.deadlock !== undefined) props.push({ name: 'Deadlock', kind: 'deadlock', verdict: 'violated', detail: 'a state with no enabled step', trace: traceTo(outcome.deadlock) });
    else props.push(complete ? { name: 'Deadlock', kind: 'deadlock', verdict: 'holds' } : { name: 'Deadlock', kind: 'deadlock', verdict: 'unknown', detail: unknownReason });
  }

  const stats = statsOf(outcome, started);
  let error: EvaluationError | undefined;
  if (outcome.error !== undefined) {
    const e = outcome.error;
    error = { ...describeFailure(program, source, e), ...(e.at >= 0 ? { trace: traceTo(e.at) } : {}) };
  }
  const anyViolated = props.some((p) => p.verdict === 'violated');
  const status = outcome.status === 'error' ? 'error' : anyViolated ? 'violation' : outcome.status === 'violation' ? 'violation' : outcome.status;
  // Vacuity warnings only where the search ran its course (or to a limit): after a
  // violation the verdict already says what matters, and the counts stop early.
  const warn = status === 'complete' || status === 'limit';
  const where = status === 'complete' ? `the ${outcome.distinct} reachable states` : `the ${outcome.distinct} states explored before the search stopped (${unknownReason})`;
  const antecedents = warn
    ? liveQueries.filter((q) => q.o.form === 'leadsTo').map((q) => ({ label: `${q.o.label} (P ~> Q)`, everHeld: (g.predicateValues[q.p] ?? ([] as number[])).includes(1) }))
    : [];
  const cov = coverageOf(model, outcome.coverage, antecedents, where, (t) => loc(t.decl.span));
  const coverage = warn ? cov : { ...cov, warnings: [] };
  return { model: modelName, status, bounds, properties: props, stats, coverage, ...(error !== undefined ? { error } : {}) };
}

/** Whether the model checks CallsAnswered: the program declares an ANSWER and the model checks a liveness property (answer.ts). */
export function checksCallsAnswered(system: System): boolean {
  if (!system.answers) return false;
  const program = system.model.program;
  return system.model.properties.some((n) => findLiveness(program.properties.get(n)!.body) !== undefined);
}

/** The ANSWER conditions of the program's inputs. */
function answerConditions(system: System): import('../syntax/ast.js').Expr[] {
  return [...system.model.program.roles.values()].flatMap((r) => r.transitions.flatMap((t) => (t.answer !== undefined ? [t.answer.decl.when] : [])));
}

function isEvalError(e: unknown): e is EvalError {
  return typeof e === 'object' && e !== null && (e as { constructor: { name: string } }).constructor.name === 'EvalError';
}

export function statsOf(o: { generated: number; distinct: number; depth: number }, started: number): SearchStats {
  const seconds = (Date.now() - started) / 1000;
  return {
    generated: o.generated,
    distinct: o.distinct,
    depth: o.depth,
    seconds,
    statesPerSecond: Math.round(o.distinct / Math.max(seconds, 1e-3)),
    // maxRSS is in KiB: the process's peak so far, not its current size.
    peakRssMB: Math.round(resourceUsage().maxRSS / 1024),
    collisionProbability: collisionProbability(o.distinct),
  };
}

function emptyBounds(opts: VerifyOptions): ModelBounds {
  return { crashed: [], byzantine: [], symmetry: [], constants: {}, deadlock: opts.deadlock, ...(opts.partialOrder === true ? { partialOrder: true } : {}), ...limitsOf(opts) };
}

function limitsOf(opts: Pick<VerifyOptions, 'maxStates' | 'maxDepth' | 'timeoutMs'>): Pick<ModelBounds, 'maxStates' | 'maxDepth' | 'timeoutSeconds'> {
  return {
    ...(opts.maxStates !== undefined ? { maxStates: opts.maxStates } : {}),
    ...(opts.maxDepth !== undefined ? { maxDepth: opts.maxDepth } : {}),
    ...(opts.timeoutMs !== undefined ? { timeoutSeconds: opts.timeoutMs / 1000 } : {}),
  };
}

/** MiB with one decimal, or two below 1 MiB (a small --level-memory). */
const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(bytes < 2 ** 20 ? 2 : 1);

/** What a result says about the model it checked; the TLC engine reports the same. */
export function boundsOf(m: ModelInstance, opts: Pick<VerifyOptions, 'deadlock' | 'symmetry' | 'partialOrder' | 'maxStates' | 'maxDepth' | 'timeoutMs'>): ModelBounds {
  const constants: Record<string, string> = {};
  for (const item of m.decl.items) if (item.kind === 'constant') constants[item.name.name] = m.evaluator.show(m.constants.get(item.name.name)!);
  return {
    crashed: m.nodes.filter((n) => n.status === 'crashed').map((n) => n.name),
    byzantine: m.byzantine.map((b) => ({ principal: m.nodes[b.node]!.name, sends: b.sends.map((s) => s.recordType), budget: b.budget })),
    symmetry: opts.symmetry ? m.symmetry.map((s) => `{${s.join(', ')}}`) : [],
    constants,
    deadlock: opts.deadlock,
    ...(opts.partialOrder === true ? { partialOrder: true } : {}),
    ...limitsOf(opts),
  };
}

function errorResult(model: string, bounds: ModelBounds, error: EvaluationError, started: number): ModelResult {
  return { model, status: 'error', bounds, properties: [], stats: statsOf({ generated: 0, distinct: 0, depth: 0 }, started), error };
}
