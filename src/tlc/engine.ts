// `verify --engine tlc`: translates one model to TLA+, runs TLC as a managed
// subprocess (temporary metadir, timeout, Ctrl-C kills the JVM), and reports
// in the same result shape as the built-in checker, with TLC's traces
// replayed as MOMMIE steps.

import { isLeft } from 'fp-ts/lib/Either.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CheckedProgram } from '../analysis/program.js';
import type { SourceText } from '../diagnostics/source.js';
import type { EvaluationError, ModelResult, PropertyResult, SearchStats, Trace } from '../check/result.js';
import { describeFailure, reproduceFailure } from '../check/failure.js';
import { StateEvaluator } from '../check/properties.js';
import { FORGET_STABLE, FORGET_UNOBSERVABLE } from '../semantics/forget.js';
import { ANSWER_STABLE, CALLS_ANSWERED } from '../semantics/answer.js';
import { TraceRenderer } from '../check/trace.js';
import { callsUnansweredOn, propertiesViolatedBy } from '../check/behaviour.js';
import { boundsOf, checksCallsAnswered } from '../check/verify.js';
import { EvalError } from '../semantics/errors.js';
import { instantiate } from '../semantics/model.js';
import type { State } from '../semantics/state.js';
import { System, type Action } from '../semantics/system.js';
import { translate } from '../tla/module.js';
import { tlaName } from '../tla/names.js';
import { runTlcProcess, type TlcTools } from './run.js';
import { runDistributedTlc, type DistributedOptions } from './distributed.js';
import { attributeUnnamed, type Attributed } from './unnamed.js';
import type { Finding, TlcResult, Trace as TlcTrace } from './result.js';
import { mapTrace } from './trace-map.js';

export type { TlcTools } from './run.js';

export interface TlcRunOptions {
  readonly deadlock: boolean;
  readonly symmetry: boolean;
  readonly continueAfterViolation: boolean;
  readonly workers?: number;
  readonly heapMB?: number;
  readonly timeoutMs?: number;
  readonly onProgress?: (model: string, p: { generated: number; distinct: number; queue: number; depth: number; seconds: number; statesPerSecond: number }) => void;
  readonly isInterrupted?: () => boolean;
  /** TLC's server and workers over RMI (distributed.ts) instead of one TLC process. */
  readonly distributed?: DistributedOptions & { readonly onServerReady?: (workerCommand: string) => void };
}

/** Why a distributed run leaves temporal properties unknown. */
export const DISTRIBUTED_NO_LIVENESS = 'not checked: distributed TLC checks no temporal properties (use TLC on one machine or the built-in engine)';

export class TlcFailure extends Error {}

export async function verifyModelWithTlc(program: CheckedProgram, source: SourceText | undefined, modelName: string, tools: TlcTools, opts: TlcRunOptions): Promise<ModelResult> {
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'mommie-tlc-'));
  // A second Ctrl-C exits at once (process.exit), skipping `finally`.
  const removeDir = (): void => rmSync(dir, { recursive: true, force: true });
  process.once('exit', removeDir);
  try {
    const files = translate(program, source, { models: [modelName], deadlock: opts.deadlock, symmetry: opts.symmetry });
    for (const [name, text] of files.files) writeFileSync(join(dir, name), text);
    const mc = `MC_${files.moduleName}_${modelName}`;
    const onEvent = (e: Parameters<NonNullable<Parameters<typeof runTlcProcess>[1]['onEvent']>>[0]): void => {
      if (e.kind === 'progress' && opts.onProgress !== undefined) {
        const seconds = (Date.now() - started) / 1000;
        const d = e.progress.distinct ?? 0;
        opts.onProgress(modelName, { generated: e.progress.generated, distinct: d, queue: e.progress.queue ?? 0, depth: e.progress.depth, seconds, statesPerSecond: d / Math.max(seconds, 1e-3) });
      }
    };
    const common = {
      cwd: dir,
      module: mc,
      config: `${mc}.cfg`,
      metadir: join(dir, 'meta'),
      ...(opts.heapMB !== undefined ? { heapMB: opts.heapMB } : {}),
      ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
      ...(opts.isInterrupted !== undefined ? { isInterrupted: opts.isInterrupted } : {}),
      onEvent,
    };
    const d = opts.distributed;
    let workerFailure: string | undefined;
    const r =
      d !== undefined
        ? await runDistributedTlc(tools, { ...common, ...d, deadlock: opts.deadlock }).then((x) => ((workerFailure = x.workerFailure), x))
        : await runTlcProcess(tools, { ...common, ...(opts.workers !== undefined ? { workers: opts.workers } : {}), continueAfterViolation: opts.continueAfterViolation });
    if (workerFailure !== undefined) throw new TlcFailure(workerFailure);
    const { parsed, stderr } = r;
    const peakMiB = r.peakRssMiB;
    const seconds = (Date.now() - started) / 1000;
    if (isLeft(parsed)) {
      if (opts.isInterrupted?.() === true) return stoppedResult(program, modelName, opts, 'interrupted', 'interrupted', parsed.left.partial, seconds, Math.round(peakMiB));
      if (r.timedOut) return stoppedResult(program, modelName, opts, 'limit', `time limit ${(opts.timeoutMs ?? 0) / 1000} s reached`, parsed.left.partial, seconds, Math.round(peakMiB));
      throw new TlcFailure(`could not read TLC's output: ${parsed.left.message}${stderr.trim() ? `\n${stderr.trim()}` : ''}`);
    }
    return modelResultFromTlc(program, source, modelName, parsed.right, seconds, opts, r.timedOut === true, Math.round(peakMiB));
  } finally {
    process.off('exit', removeDir);
    removeDir();
  }
}

export function modelResultFromTlc(program: CheckedProgram, source: SourceText | undefined, modelName: string, t: TlcResult, seconds: number, opts: TlcRunOptions, timedOut: boolean, peakRssMB = 0): ModelResult {
  if (t.verdict === 'parse-error' || t.verdict === 'config-error') {
    // SANY or TLC rejected what mommie generated: a translation bug, not the user's.
    const first = t.sany.errors[0]?.message ?? t.errors[0]?.text ?? 'no message';
    throw new TlcFailure(`TLC rejected the generated TLA+ (a bug in mommie's translation): ${first}`);
  }
  const inst = instantiate(program, modelName);
  if (!inst.ok) throw new TlcFailure(inst.error.message);
  const model = inst.instance;
  const system = new System(model);
  const renderer = new TraceRenderer(system, source);
  // A violated temporal property's trace is replayed to attribute it and again to show it: once is enough.
  const replayed = new Map<TlcTrace, ReturnType<typeof replayOnce>>();
  const replay = (tr: TlcTrace): ReturnType<typeof replayOnce> => {
    let m = replayed.get(tr);
    if (m === undefined) replayed.set(tr, (m = replayOnce(tr)));
    return m;
  };
  const replayOnce = (tr: TlcTrace) => {
    const m = mapTrace(system, tr.states);
    if (!m.ok) throw new TlcFailure(`could not show TLC's counterexample as MOMMIE steps (state ${m.at}: ${m.reason})`);
    // 1-based, as TLC numbers states and as the renderer shows them.
    const loopsTo = tr.lasso === null ? undefined : tr.lasso.kind === 'stuttering' ? m.states.length : tr.lasso.state;
    return { ...m, loopsTo };
  };
  const traceOf = (tr: TlcTrace | null): Trace | undefined => {
    if (tr === null) return undefined;
    const m = replay(tr);
    return renderer.trace({ states: m.states, actions: m.actions }, m.loopsTo);
  };
  const findings = t.findings;
  const bare = findings.find((f) => f.kind === 'unnamed');
  let attributed: Extract<Attributed, { ok: true }> | undefined;
  if (bare !== undefined && bare.kind === 'unnamed') {
    const a = attributeUnnamed(program, system, bare.trace, opts.deadlock);
    if (!a.ok) throw new TlcFailure(`${a.reason}; TLC printed a trace of ${bare.trace.states.length} state(s) without naming what it violates`);
    attributed = a;
  }
  /** The violation a bare trace was found to show, as a result for `name` of `kind`. */
  const fromBare = (name: string, kind: PropertyResult['kind']): PropertyResult | undefined => {
    const w = attributed?.what;
    if (attributed === undefined || w === undefined || w.kind === 'evaluation') return undefined;
    const matchesName = w.kind === 'deadlock' ? kind === 'deadlock' : w.name === name && (w.kind === 'invariant') === (kind === 'invariant');
    if (!matchesName) return undefined;
    const rebuilt = attributed.rebuilt ? 'TLC printed only the last step; the behaviour before it was rebuilt by the built-in semantics' : undefined;
    const detail = [w.kind === 'deadlock' ? 'a state with no enabled step' : w.detail, rebuilt].filter((x) => x !== undefined).join('; ');
    return { name, kind, verdict: 'violated', ...(detail !== '' ? { detail } : {}), trace: renderer.trace({ states: attributed.states, actions: attributed.actions }) };
  };
  const typeViolation = findings.find((f) => f.kind === 'invariant' && f.name === 'TypeOK');
  if (typeViolation !== undefined) {
    // Every value the semantics writes is checked against its type, so TypeOK failing means the translation wrote something else.
    throw new TlcFailure(`TLC found the generated TypeOK violated (a bug in mommie's translation): ${typeViolation.message.split('\n')[0] ?? ''}`);
  }
  // TLC names properties by their TLA+ names, which differ from MOMMIE's where TLA+ reserves the name.
  const invariantOf = (name: string): Finding | undefined => findings.find((f) => f.kind === 'invariant' && f.name === tlaName(name));
  const violatedBy = new Map<Finding, readonly string[]>();
  // ForgetStable and AnswerStable are action properties of the module itself (issues 23, 26), not the model's.
  const isStep = (name: string) => (f: Finding): boolean => f.kind === 'property' && f.names.length === 1 && f.names[0] === name;
  const isForgetStable = isStep(FORGET_STABLE);
  const isAnswerStable = isStep(ANSWER_STABLE);
  // CallsAnswered is the module's too, listed in the configuration of a model with liveness (issue 26).
  const callsChecked = checksCallsAnswered(system);
  const temporalNames = [...model.properties, ...(callsChecked ? [CALLS_ANSWERED] : [])];
  for (const f of findings) if (f.kind === 'property' && !isForgetStable(f) && !isAnswerStable(f)) violatedBy.set(f, propertiesOf(f));
  const propertyOf = (name: string): Finding | undefined => findings.find((f) => violatedBy.get(f)?.includes(name) === true);
  /** The MOMMIE properties a temporal finding is about: those TLC names, or (TLC 2.19 names none) those its behaviour violates. */
  function propertiesOf(f: Extract<Finding, { kind: 'property' }>): readonly string[] {
    if (f.names.length > 0) {
      const named = temporalNames.filter((n) => f.names.includes(tlaName(n)));
      if (named.length === 0) throw new TlcFailure(`TLC reported a violation of ${f.names.join(', ')}, which is not a property of model ${modelName}`);
      return named;
    }
    if (f.trace === null && !f.initial) throw new TlcFailure(`TLC reported a temporal violation without naming the property or giving a behaviour: ${f.message.split('\n')[0] ?? ''}`);
    const lasso = f.trace === null ? { states: [system.initialState()], loopStart: 0 } : (() => {
      const m = replay(f.trace);
      return { states: m.states, loopStart: (m.loopsTo ?? m.states.length) - 1 };
    })();
    const names = [...propertiesViolatedBy(system, lasso, model.properties, f.initial), ...(callsChecked && !f.initial && callsUnansweredOn(system, lasso) ? [CALLS_ANSWERED] : [])];
    // TLC's behaviour violates a property, so the same semantics must find one: else the two disagree.
    if (names.length === 0) throw new TlcFailure(`TLC's counterexample to a temporal property violates none of the model's properties in mommie's semantics (a bug in mommie's translation): ${f.message.split('\n')[0] ?? ''}`);
    return names;
  }
  // TLC checks all temporal properties together and stops at the first
  // behaviour that violates one, so the others are not known to hold.
  const temporalStop = findings.some((f) => f.kind === 'property');
  // With -lncheck final a temporal violation is reported after the search;
  // if it explored the whole graph (queue empty) the invariants were checked
  // in every state.
  const onlyTemporal = findings.length > 0 && findings.every((f) => f.kind === 'property' && f.temporal);
  const explored = t.statistics?.queue === 0;
  const complete = t.verdict === 'success' || (t.verdict === 'violation' && explored && (opts.continueAfterViolation || onlyTemporal));
  const stopped = timedOut
    ? 'time limit reached'
    : t.verdict === 'violation'
      ? 'the search stopped at the first violation'
      : t.verdict === 'evaluation-error'
        ? 'the search stopped at an evaluation error'
        : 'TLC stopped before the end';
  const props: PropertyResult[] = [];
  for (const name of model.invariants) {
    const f = invariantOf(name);
    const b = fromBare(name, 'invariant');
    if (b !== undefined) props.push(b);
    else if (f !== undefined && f.kind === 'invariant') props.push({ name, kind: 'invariant', verdict: 'violated', ...traceField(traceOf(f.trace)) });
    else props.push(complete ? { name, kind: 'invariant', verdict: 'holds' } : { name, kind: 'invariant', verdict: 'unknown', detail: stopped });
  }
  for (const name of model.properties) {
    const f = propertyOf(name);
    if (opts.distributed !== undefined) props.push({ name, kind: 'property', verdict: 'unknown', detail: DISTRIBUTED_NO_LIVENESS });
    else if (f !== undefined && f.kind === 'property') props.push({ name, kind: 'property', verdict: 'violated', ...traceField(traceOf(f.trace)) });
    else if (complete && temporalStop) props.push({ name, kind: 'property', verdict: 'unknown', detail: 'TLC stops checking temporal properties at the first behaviour that violates one' });
    else props.push(complete ? { name, kind: 'property', verdict: 'holds' } : { name, kind: 'property', verdict: 'unknown', detail: stopped });
  }
  if (system.forgets) {
    const u = invariantOf(FORGET_UNOBSERVABLE);
    const bu = fromBare(FORGET_UNOBSERVABLE, 'invariant');
    const bs = fromBare(FORGET_STABLE, 'property');
    if (bu !== undefined) props.push(bu);
    else if (u !== undefined && u.kind === 'invariant') props.push({ name: FORGET_UNOBSERVABLE, kind: 'invariant', verdict: 'violated', ...traceField(traceOf(u.trace)) });
    else props.push(complete ? { name: FORGET_UNOBSERVABLE, kind: 'invariant', verdict: 'holds' } : { name: FORGET_UNOBSERVABLE, kind: 'invariant', verdict: 'unknown', detail: stopped });
    const st = findings.find(isForgetStable);
    if (bs !== undefined) props.push(bs);
    else if (st !== undefined && st.kind === 'property') props.push({ name: FORGET_STABLE, kind: 'property', verdict: 'violated', ...traceField(traceOf(st.trace)) });
    else props.push(complete ? { name: FORGET_STABLE, kind: 'property', verdict: 'holds' } : { name: FORGET_STABLE, kind: 'property', verdict: 'unknown', detail: stopped });
  }
  if (system.answers) {
    const st = findings.find(isAnswerStable);
    const b = fromBare(ANSWER_STABLE, 'property');
    if (b !== undefined) props.push(b);
    else if (st !== undefined && st.kind === 'property') props.push({ name: ANSWER_STABLE, kind: 'property', verdict: 'violated', ...traceField(traceOf(st.trace)) });
    else props.push(complete ? { name: ANSWER_STABLE, kind: 'property', verdict: 'holds' } : { name: ANSWER_STABLE, kind: 'property', verdict: 'unknown', detail: stopped });
  }
  if (callsChecked) {
    const f = propertyOf(CALLS_ANSWERED);
    if (opts.distributed !== undefined) props.push({ name: CALLS_ANSWERED, kind: 'property', verdict: 'unknown', detail: DISTRIBUTED_NO_LIVENESS });
    else if (f !== undefined && f.kind === 'property') props.push({ name: CALLS_ANSWERED, kind: 'property', verdict: 'violated', ...traceField(traceOf(f.trace)) });
    else if (complete && temporalStop) props.push({ name: CALLS_ANSWERED, kind: 'property', verdict: 'unknown', detail: 'TLC stops checking temporal properties at the first behaviour that violates one' });
    else props.push(complete ? { name: CALLS_ANSWERED, kind: 'property', verdict: 'holds' } : { name: CALLS_ANSWERED, kind: 'property', verdict: 'unknown', detail: stopped });
  }
  if (opts.deadlock) {
    const f = findings.find((x) => x.kind === 'deadlock');
    const b = fromBare('Deadlock', 'deadlock');
    if (b !== undefined) props.push(b);
    else if (f !== undefined && f.kind === 'deadlock') props.push({ name: 'Deadlock', kind: 'deadlock', verdict: 'violated', detail: 'a state with no enabled step', ...traceField(traceOf(f.trace)) });
    else props.push(complete ? { name: 'Deadlock', kind: 'deadlock', verdict: 'holds' } : { name: 'Deadlock', kind: 'deadlock', verdict: 'unknown', detail: stopped });
  }
  let error: EvaluationError | undefined;
  const evalErr = findings.find((f) => f.kind === 'evaluation-error');
  if (evalErr !== undefined && evalErr.kind === 'evaluation-error') error = evaluationError(program, source, system, evalErr, renderer);
  if (attributed?.what.kind === 'evaluation') error = { ...describeFailure(program, source, attributed.what.failure), trace: renderer.trace({ states: attributed.states, actions: attributed.actions }) };
  const status = error !== undefined ? 'error' : props.some((p) => p.verdict === 'violated') ? 'violation' : timedOut ? 'limit' : t.verdict === 'success' ? 'complete' : 'limit';
  return {
    model: modelName,
    status,
    bounds: boundsOf(model, opts),
    properties: props,
    stats: {
      ...statsOf(t, seconds, peakRssMB),
      ...(t.collisionProbability !== null ? { collisionProbability: t.collisionProbability.actual ?? t.collisionProbability.calculated } : {}),
    },
    ...(error !== undefined ? { error } : {}),
  };
}

/**
 * TLC's evaluation error in MOMMIE terms. TLC's trace ends in the state where
 * evaluation failed; the built-in semantics evaluates the same things there and
 * fails the same way, which gives the MOMMIE code, location and transition.
 * If it does not fail, the two semantics differ: a translation bug.
 */
function evaluationError(program: CheckedProgram, source: SourceText | undefined, system: System, f: Extract<Finding, { kind: 'evaluation-error' }>, renderer: TraceRenderer): EvaluationError {
  const tlcSays = f.message.split('\n')[0] ?? 'no message';
  let mapped: { states: State[]; actions: (Action | undefined)[] };
  if (f.trace === null) {
    // No trace: TLC failed computing the initial states, or checking one.
    try {
      mapped = { states: [system.initialState()], actions: [undefined] };
    } catch (e) {
      if (e instanceof EvalError) return describeFailure(program, source, { error: e });
      throw e;
    }
  } else {
    const m = mapTrace(system, f.trace.states);
    if (!m.ok) throw new TlcFailure(`could not show TLC's trace to its evaluation error as MOMMIE steps (state ${m.at}: ${m.reason}); TLC said: ${tlcSays}`);
    mapped = m;
  }
  const last = mapped.states[mapped.states.length - 1]!;
  const invariants = system.model.invariants.map((name) => ({ body: program.invariants.get(name)!.body }));
  const failure = reproduceFailure(system, new StateEvaluator(system), invariants, last);
  if (failure === undefined) throw new TlcFailure(`TLC failed to evaluate a state that mommie's semantics evaluates without error (a bug in mommie's translation); TLC said: ${tlcSays}`);
  return { ...describeFailure(program, source, failure), trace: renderer.trace({ states: mapped.states, actions: mapped.actions }) };
}

function traceField(t: Trace | undefined): { trace?: Trace } {
  return t === undefined ? {} : { trace: t };
}

/**
 * A run stopped from outside (Ctrl-C, --timeout): every property unknown,
 * with the model's bounds and the last statistics TLC printed (TLC prints
 * progress once a minute, so a short run may have none).
 */
function stoppedResult(program: CheckedProgram, modelName: string, opts: TlcRunOptions, status: 'interrupted' | 'limit', reason: string, partial: TlcResult | null, seconds: number, peakRssMB: number): ModelResult {
  const inst = instantiate(program, modelName);
  if (!inst.ok) throw new TlcFailure(inst.error.message);
  const model = inst.instance;
  const unknown = (name: string, kind: PropertyResult['kind']): PropertyResult => ({ name, kind, verdict: 'unknown', detail: reason });
  return {
    model: modelName,
    status,
    bounds: boundsOf(model, opts),
    properties: [
      ...model.invariants.map((n) => unknown(n, 'invariant')),
      ...model.properties.map((n) => unknown(n, 'property')),
      ...(opts.deadlock ? [unknown('Deadlock', 'deadlock')] : []),
    ],
    stats: statsOf(partial, seconds, peakRssMB),
  };
}

/**
 * TLC's final statistics, else its last progress line (TLC 2.19 prints no
 * depth after a temporal violation; a stopped run may have only progress).
 * TLC's depth counts the states of the longest path; ours counts its steps.
 */
function statsOf(t: TlcResult | null, seconds: number, peakRssMB: number): SearchStats {
  const last = t?.progress[t.progress.length - 1];
  const distinct = t?.statistics?.distinct ?? last?.distinct ?? 0;
  return {
    generated: t?.statistics?.generated ?? last?.generated ?? 0,
    distinct,
    depth: Math.max(0, (t?.statistics?.depth ?? last?.depth ?? 1) - 1),
    seconds,
    statesPerSecond: Math.round(distinct / Math.max(seconds, 1e-3)),
    // The JVM's, sampled while it ran; 0 where it could not be measured.
    peakRssMB,
  };
}
