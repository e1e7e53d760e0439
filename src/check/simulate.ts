// Simulation for models too large to exhaust (`mommie verify --simulate N`):
// N random behaviours of the abstract pool, each from the initial state.
//
// The choice at each state is made in three draws: the kind of step (fire,
// deliver, Byzantine publication), then the node, then the step. A uniform
// choice among all enabled steps would be drowned by Byzantine publications
// (one node can have hundreds) and by deliveries; the three draws give every
// node's transitions a fair share of the walk.
//
// Every state of every walk is checked against the invariants and the `[]P`
// parts of properties. Liveness is decided exactly on some walks: the state
// graph is acyclic (docs/checker.md: every step adds to pool, known or
// handled), so a walk continued until no fair step is enabled has reached a
// fair end, and that finite walk followed by stuttering is a complete fair
// behaviour, on which `<>P`, `P ~> Q`, `[]<>P` and `<>[]P` have a definite
// truth value (behaviour.ts). Walks cut by `--depth` decide safety only, and
// the result says so. Nothing here proves a property: without a violation
// every verdict is `unknown`, with the number of walks in its detail.

import type { CheckedProgram } from '../analysis/program.js';
import type { Span } from '../diagnostics/diagnostic.js';
import type { SourceText } from '../diagnostics/source.js';
import { ANSWER_STABLE, CALLS_ANSWERED } from '../semantics/answer.js';
import { FORGET_STABLE, FORGET_UNOBSERVABLE } from '../semantics/forget.js';
import { EvalError, StepError } from '../semantics/errors.js';
import { instantiate } from '../semantics/model.js';
import type { State } from '../semantics/state.js';
import { checkerSystemOptions, System, type Action, type Successor } from '../semantics/system.js';
import { obligationHolds } from './behaviour.js';
import { CoverageCounter, coverageOf } from './coverage.js';
import { describeFailure } from './failure.js';
import { Fingerprinter } from './fingerprint.js';
import { StatePacker } from './packed.js';
import { obligations, StateEvaluator, UnsupportedProperty, type Obligation } from './properties.js';
import type { ModelResult, PropertyResult } from './result.js';
import { TraceRenderer } from './trace.js';
import { boundsOf, checksCallsAnswered, statsOf } from './verify.js';

export interface SimulateOptions {
  /** How many walks. */
  readonly walks: number;
  /** Cut a walk after this many steps (it then decides safety only). */
  readonly depth?: number;
  /** The seed of the first walk; walk k uses a generator seeded from (seed, k). */
  readonly seed: number;
  readonly deadlock: boolean;
  readonly symmetry: boolean;
  readonly timeoutMs?: number;
  readonly isInterrupted?: () => boolean;
  /** The steps with the interpreter rather than the compiled core (`--reference`). */
  readonly reference?: boolean;
}

/** A small seedable generator (mulberry32): a walk is reproduced by its seed. The tests draw from it too. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The generator of walk `k` under `seed`: independent of the walks before it. */
function walkGenerator(seed: number, k: number): () => number {
  return mulberry32(Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(k + 1, 0xc2b2ae35));
}

/** Three draws: a kind of step, a node with a step of that kind, one of that node's steps of that kind. */
export function chooseStep(steps: readonly Successor[], random: () => number): Successor {
  const byKind = new Map<Action['kind'], Map<number, Successor[]>>();
  for (const s of steps) {
    let nodes = byKind.get(s.action.kind);
    if (nodes === undefined) byKind.set(s.action.kind, (nodes = new Map()));
    let list = nodes.get(s.action.node);
    if (list === undefined) nodes.set(s.action.node, (list = []));
    list.push(s);
  }
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const nodes = pick([...byKind.values()]);
  return pick(pick([...nodes.values()]));
}

type WalkEnd =
  | { readonly kind: 'fair-end' }
  | { readonly kind: 'cut' }
  | { readonly kind: 'deadlock' }
  | { readonly kind: 'violation'; readonly name: string; readonly detail?: string; readonly isProperty: boolean }
  | { readonly kind: 'error'; readonly error: EvalError; readonly node?: string; readonly transition?: string };

interface Walk {
  readonly states: State[];
  readonly actions: (Action | undefined)[];
  end: WalkEnd;
}

export async function simulateModel(program: CheckedProgram, source: SourceText | undefined, modelName: string, opts: SimulateOptions): Promise<ModelResult> {
  const started = Date.now();
  const loc = (span: Span): string => {
    const p = source?.position(span.start);
    return `${program.file}:${p?.line ?? 0}:${p?.column ?? 0}`;
  };
  const bounds = (m: Parameters<typeof boundsOf>[0]) => ({ ...boundsOf(m, { deadlock: opts.deadlock, symmetry: opts.symmetry, ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}) }), simulation: { walks: opts.walks, seed: opts.seed, ...(opts.depth !== undefined ? { depth: opts.depth } : {}) } });
  const inst = instantiate(program, modelName);
  if (!inst.ok) {
    const error = describeFailure(program, source, { error: inst.error });
    return { model: modelName, status: 'error', bounds: { crashed: [], byzantine: [], symmetry: [], constants: {}, deadlock: opts.deadlock }, properties: [], stats: statsOf({ generated: 0, distinct: 0, depth: 0 }, started), error };
  }
  const model = inst.instance;
  const system = new System(model, checkerSystemOptions(opts.reference));
  const evaluator = new StateEvaluator(system);
  let obls: Obligation[] = [];
  try {
    for (const name of model.properties) obls.push(...obligations(name, program.properties.get(name)!.body, system));
  } catch (e) {
    const error = e instanceof UnsupportedProperty ? { code: 'MOM504', message: e.message, location: loc(e.span) } : e instanceof EvalError ? describeFailure(program, source, { error: e }) : undefined;
    if (error === undefined) throw e;
    return { model: modelName, status: 'error', bounds: bounds(model), properties: [], stats: statsOf({ generated: 0, distinct: 0, depth: 0 }, started), error };
  }
  const safetyObls = obls.filter((o) => o.form === 'always' || o.form === 'init');
  const liveObls = obls.filter((o) => o.form !== 'always' && o.form !== 'init');
  const invariants = model.invariants.map((name) => ({ name, body: program.invariants.get(name)!.body }));
  // CallsAnswered (answer.ts): fired and answered only grow, so at a fair end every fired call must be answered.
  const calls = checksCallsAnswered(system) && liveObls.length > 0 ? system.answerCalls() : [];
  const fingerprinter = new Fingerprinter(model, system.interner, new StatePacker(model), opts.symmetry);
  const seen = new Set<number>();
  const coverage = new CoverageCounter();
  let generated = 0;
  let maxDepth = 0;

  /** The first invariant or `[]P` part that fails in `s` (the initial state also for `init` parts). */
  const unsafe = (s: State, initial: boolean): WalkEnd | undefined => {
    for (const inv of invariants) if (!evaluator.holds(inv.body, s)) return { kind: 'violation', name: inv.name, isProperty: false };
    const hidden = system.unobservableViolation(s);
    if (hidden !== undefined) return { kind: 'violation', name: FORGET_UNOBSERVABLE, isProperty: false, detail: hidden };
    for (const o of safetyObls) {
      if (o.form === 'init' && !initial) continue;
      if (!evaluator.holds(o.p, s, o.bound)) return { kind: 'violation', name: o.property, isProperty: true, detail: o.form === 'init' ? `${o.label} is false in the initial state` : `${o.label}: []P fails` };
    }
    return undefined;
  };

  const walk = (random: () => number): Walk => {
    const w: Walk = { states: [system.initialState()], actions: [undefined], end: { kind: 'cut' } };
    const note = (s: State): void => {
      seen.add(fingerprinter.fingerprint(s));
    };
    try {
      note(w.states[0]!);
      const bad = unsafe(w.states[0]!, true);
      if (bad !== undefined) return { ...w, end: bad };
      for (;;) {
        if (opts.depth !== undefined && w.states.length > opts.depth) return { ...w, end: { kind: 'cut' } };
        const s = w.states[w.states.length - 1]!;
        const steps = system.successors(s);
        generated += steps.length;
        if (steps.length === 0) return { ...w, end: { kind: opts.deadlock ? 'deadlock' : 'fair-end' } };
        const fair = steps.filter((x) => x.fairness !== undefined);
        // At a fair end a Byzantine node may still act (and enable more): half the time it does.
        if (fair.length === 0 && random() < 0.5) return { ...w, end: { kind: 'fair-end' } };
        const next = chooseStep(steps, random);
        coverage.count(next.action);
        w.states.push(next.state);
        w.actions.push(next.action);
        note(next.state);
        maxDepth = Math.max(maxDepth, w.states.length - 1);
        const back = system.stableViolation(s, next.state);
        if (back !== undefined) return { ...w, end: { kind: 'violation', name: FORGET_STABLE, isProperty: true, detail: back } };
        const moved = system.answerStableViolation(s, next.state);
        if (moved !== undefined) return { ...w, end: { kind: 'violation', name: ANSWER_STABLE, isProperty: true, detail: moved } };
        const broken = unsafe(next.state, false);
        if (broken !== undefined) return { ...w, end: broken };
      }
    } catch (e) {
      if (e instanceof StepError) return { ...w, end: { kind: 'error', error: e.evalError, node: e.node, transition: e.transition } };
      if (e instanceof EvalError) return { ...w, end: { kind: 'error', error: e } };
      throw e;
    }
  };

  const renderer = new TraceRenderer(system, source);
  const violated = new Map<string, PropertyResult>();
  let failure: ModelResult['error'];
  let walks = 0;
  let fairEnds = 0;
  let cut = 0;
  let stopped: 'timeout' | 'interrupted' | undefined;
  for (let k = 0; k < opts.walks; k++) {
    if (opts.isInterrupted?.() === true) {
      stopped = 'interrupted';
      break;
    }
    if (opts.timeoutMs !== undefined && Date.now() - started > opts.timeoutMs) {
      stopped = 'timeout';
      break;
    }
    // Yield to the event loop between walks, so Ctrl-C is seen.
    if (k % 64 === 63) await new Promise((r) => setImmediate(r));
    const w = walk(walkGenerator(opts.seed, k));
    walks++;
    const where = `walk ${k + 1} of seed ${opts.seed}: --simulate ${k + 1} --seed ${opts.seed} repeats it`;
    const trace = (loopsTo?: number) => renderer.trace({ states: w.states, actions: w.actions }, loopsTo);
    const end = w.end;
    if (end.kind === 'error') {
      failure = { ...describeFailure(program, source, { error: end.error, ...(end.node !== undefined ? { node: end.node } : {}), ...(end.transition !== undefined ? { transition: end.transition } : {}) }), trace: trace() };
      break;
    }
    if (end.kind === 'violation') {
      violated.set(end.name, { name: end.name, kind: end.isProperty ? 'property' : 'invariant', verdict: 'violated', detail: `${end.detail === undefined ? '' : `${end.detail}; `}${where}`, trace: trace() });
      break;
    }
    if (end.kind === 'deadlock') {
      violated.set('Deadlock', { name: 'Deadlock', kind: 'deadlock', verdict: 'violated', detail: `a state with no enabled step; ${where}`, trace: trace() });
      break;
    }
    if (end.kind === 'cut') {
      cut++;
      continue;
    }
    fairEnds++;
    const lasso = { states: w.states, loopStart: w.states.length - 1 };
    const broken = liveObls.find((o) => !obligationHolds(evaluator, o, lasso));
    const last = w.states[w.states.length - 1]!;
    const unanswered = broken === undefined ? calls.find((c) => system.callFired(last, c) && !system.callAnswered(last, c)) : undefined;
    if (unanswered !== undefined) {
      violated.set(CALLS_ANSWERED, { name: CALLS_ANSWERED, kind: 'property', verdict: 'violated', detail: `${unanswered.label} fired and this fair behaviour never answers it; ${where}`, trace: trace(w.states.length) });
      break;
    }
    if (broken !== undefined) {
      violated.set(broken.property, { name: broken.property, kind: 'property', verdict: 'violated', detail: `${broken.label}: a fair behaviour that never satisfies it; ${where}`, trace: trace(w.states.length) });
      break;
    }
  }

  const summary = `${walks} random walk${walks === 1 ? '' : 's'} from seed ${opts.seed}${stopped === undefined ? '' : ` (stopped early: ${stopped === 'timeout' ? 'the timeout' : 'interrupted'})`}`;
  const endsText = `${fairEnds} ran to a fair end${cut > 0 ? `, ${cut} cut at depth ${opts.depth}` : ''}`;
  const unknown = (kind: PropertyResult['kind'], name: string, live: boolean): PropertyResult => ({
    name, kind, verdict: 'unknown',
    detail: violated.size > 0
      ? `the simulation stopped at the first violation (${walks} walk${walks === 1 ? '' : 's'} from seed ${opts.seed})`
      : live && fairEnds === 0
      ? `not decided: no walk of the ${summary} ran to a fair end (every one was cut at depth ${opts.depth}); simulation checks safety only on cut walks`
      : `not violated in ${summary}; ${endsText}; simulation does not prove it`,
  });
  const properties: PropertyResult[] = [];
  for (const name of model.invariants) properties.push(violated.get(name) ?? unknown('invariant', name, false));
  for (const name of model.properties) properties.push(violated.get(name) ?? unknown('property', name, liveObls.some((o) => o.property === name)));
  if (system.forgets) {
    properties.push(violated.get(FORGET_UNOBSERVABLE) ?? unknown('invariant', FORGET_UNOBSERVABLE, false));
    properties.push(violated.get(FORGET_STABLE) ?? unknown('property', FORGET_STABLE, false));
  }
  if (system.answers) properties.push(violated.get(ANSWER_STABLE) ?? unknown('property', ANSWER_STABLE, false));
  if (calls.length > 0) properties.push(violated.get(CALLS_ANSWERED) ?? unknown('property', CALLS_ANSWERED, true));
  if (opts.deadlock) properties.push(violated.get('Deadlock') ?? unknown('deadlock', 'Deadlock', false));

  const status: ModelResult['status'] = failure !== undefined ? 'error' : violated.size > 0 ? 'violation' : stopped === 'interrupted' ? 'interrupted' : 'limit';
  const cov = coverageOf(model, coverage, [], `the ${seen.size} distinct states the walks visited`, (t) => loc(t.decl.span));
  return {
    model: modelName, status, bounds: bounds(model), properties,
    stats: statsOf({ generated, distinct: seen.size, depth: maxDepth }, started),
    coverage: status === 'limit' ? cov : { ...cov, warnings: [] },
    ...(failure !== undefined ? { error: failure } : {}),
  };
}
