// Explicit-state breadth-first search over the abstract pool. BFS order gives
// the shortest counterexample to an invariant. The visited set holds one
// fingerprint per distinct state plus its parent and depth; full states live
// only in the queue. When liveness is checked, the successor lists and, per
// state, whether any fair step is enabled are kept too.

import { EvalError, StepError } from '../semantics/errors.js';
import { ANSWER_STABLE } from '../semantics/answer.js';
import { FORGET_STABLE, FORGET_UNOBSERVABLE } from '../semantics/forget.js';
import type { System } from '../semantics/system.js';
import type { State } from '../semantics/state.js';
import type * as A from '../syntax/ast.js';
import { Fingerprinter } from './fingerprint.js';
import type { StateFingerprinter } from './content-fingerprint.js';
import { StatePacker } from './packed.js';
import type { StateEvaluator } from './properties.js';
import type { PartialOrder } from './por.js';
import type { Value } from '../semantics/value.js';
import { Column, VisitedIndex } from './columns.js';
import { CoverageCounter } from './coverage.js';
import { Frontier } from './frontier.js';

export interface SearchLimits {
  readonly maxStates?: number;
  readonly maxDepth?: number;
  readonly timeoutMs?: number;
}

export interface Progress {
  readonly generated: number;
  readonly distinct: number;
  readonly queue: number;
  readonly depth: number;
  readonly seconds: number;
  readonly statesPerSecond: number;
  /**
   * Distinct states per BFS level, for the levels already complete (every
   * state of the level before has been expanded): how the frontier grows
   * tells whether a long run will end.
   */
  readonly levels?: readonly number[];
}

export interface SearchOptions extends SearchLimits {
  readonly deadlock: boolean;
  readonly symmetry: boolean;
  /** Keep exploring after an invariant violation (each invariant reports its first). */
  readonly continueAfterViolation: boolean;
  readonly invariants: readonly { readonly name: string; readonly body: A.Expr }[];
  /** State predicates liveness needs, evaluated once per distinct state. */
  readonly predicates: readonly StatePredicate[];
  readonly recordGraph: boolean;
  /** Check ForgetUnobservable in every state and ForgetStable on every step (the program forgets; forget.ts). */
  readonly forgetChecks?: boolean;
  /** Check AnswerStable on every step (the program declares an ANSWER; answer.ts). */
  readonly answerChecks?: boolean;
  /** Partial-order reduction: expand a state by its ample step alone when it has one (por.ts). */
  readonly partialOrder?: PartialOrder;
  readonly onProgress?: (p: Progress) => void;
  readonly progressEveryMs?: number;
  readonly isInterrupted?: () => boolean;
}

/** A state predicate: an expression of the program, or one the checker makes itself (CallsAnswered's, answer.ts). */
export type StatePredicate =
  | { readonly expr: A.Expr; readonly bound: ReadonlyMap<number, Value> }
  | { readonly test: (s: State) => boolean };

export type SearchStatus = 'complete' | 'violation' | 'limit' | 'error' | 'interrupted';

export interface SearchOutcome {
  readonly status: SearchStatus;
  readonly limitReason?: string;
  /** First violating state index of each violated invariant. */
  readonly invariantViolations: ReadonlyMap<string, number>;
  readonly deadlock?: number;
  /**
   * The built-in checks that failed (forgetting's, forget.ts; AnswerStable, answer.ts), by name: the path's last
   * state (`to`), for a step the state it left (`from`), and what went wrong.
   */
  readonly builtInViolations?: ReadonlyMap<string, { readonly from?: number; readonly to: number; readonly detail: string }>;
  readonly error?: { readonly error: EvalError; readonly at: number; readonly node?: string; readonly transition?: string };
  readonly generated: number;
  readonly distinct: number;
  readonly depth: number;
  readonly seconds: number;
  readonly graph: ExploredGraph;
  /** The steps generated, by kind (coverage.ts). */
  readonly coverage: CoverageCounter;
}

/** A column of numbers per state: a plain array, or a typed array (columns.ts). */
export interface NumberColumn extends ArrayLike<number> {
  indexOf(x: number): number;
  includes(x: number): boolean;
}

/** What the search learnt about the state graph, for traces and liveness. */
export interface ExploredGraph {
  readonly fingerprints: NumberColumn;
  readonly parent: NumberColumn;
  readonly depth: NumberColumn;
  /** Successor indices of state i: targets[start[i] .. start[i+1]). */
  readonly edgeStart: NumberColumn;
  readonly edgeTargets: NumberColumn;
  /** 1 when no fair step is enabled in the state (it may stutter forever). */
  readonly stutterFair: NumberColumn;
  /** predicateValues[k][i]: predicate k in state i. */
  readonly predicateValues: readonly NumberColumn[];
  /** How the fingerprints were computed, for replaying traces. */
  readonly fingerprinter: StateFingerprinter;
}

export async function explore(system: System, evaluator: StateEvaluator, opts: SearchOptions): Promise<SearchOutcome> {
  const start = Date.now();
  const packer = new StatePacker(system.model);
  const fp = new Fingerprinter(system.model, system.interner, packer, opts.symmetry);
  const index = new VisitedIndex();
  const fingerprints = new Column(Float64Array);
  const parent = new Column(Int32Array);
  const depthOf = new Column(Int32Array);
  const edgeStart = new Column(Int32Array);
  const edgeTargets = new Column(Int32Array);
  const stutterFair = new Column(Uint8Array);
  const predicateValues = opts.predicates.map(() => new Column(Uint8Array));
  const violations = new Map<string, number>();
  const builtInViolations = new Map<string, { from?: number; to: number; detail: string }>();
  const levelSizes: number[] = [];
  let generated = 0;
  let maxDepth = 0;
  let deadlock: number | undefined;
  let status: SearchStatus = 'complete';
  let limitReason: string | undefined;
  let error: SearchOutcome['error'];
  const coverage = new CoverageCounter();

  // The BFS queue, packed back to back; an entry's `fp` field holds the state's number.
  const queue = new Frontier();
  const graph = (): ExploredGraph => ({
    fingerprints: fingerprints.view(),
    parent: parent.view(),
    depth: depthOf.view(),
    edgeStart: edgeStart.view(),
    edgeTargets: edgeTargets.view(),
    stutterFair: stutterFair.view(),
    predicateValues: predicateValues.map((c) => c.view()),
    fingerprinter: fp,
  });
  const finish = (): SearchOutcome => ({
    status,
    ...(limitReason !== undefined ? { limitReason } : {}),
    invariantViolations: violations,
    ...(builtInViolations.size > 0 ? { builtInViolations } : {}),
    ...(deadlock !== undefined ? { deadlock } : {}),
    ...(error !== undefined ? { error } : {}),
    generated,
    distinct: fingerprints.length,
    depth: maxDepth,
    seconds: (Date.now() - start) / 1000,
    graph: graph(),
    coverage,
  });

  /** Adds a state if new; returns its index and whether it was new. Sets `status` on violation. */
  const visit = (s: State, from: number): { index: number; fresh: boolean } => {
    const f = fp.fingerprint(s);
    const known = index.get(f);
    if (known !== undefined) return { index: known, fresh: false };
    const i = fingerprints.length;
    index.add(f, i);
    fingerprints.push(f);
    parent.push(from);
    const d = from < 0 ? 0 : depthOf.get(from) + 1;
    depthOf.push(d);
    levelSizes[d] = (levelSizes[d] ?? 0) + 1;
    if (d > maxDepth) maxDepth = d;
    for (const inv of opts.invariants) {
      if (violations.has(inv.name)) continue;
      if (!evaluator.holds(inv.body, s)) {
        violations.set(inv.name, i);
        if (!opts.continueAfterViolation) status = 'violation';
      }
    }
    if (opts.forgetChecks === true && !builtInViolations.has(FORGET_UNOBSERVABLE)) {
      const detail = system.unobservableViolation(s);
      if (detail !== undefined) {
        builtInViolations.set(FORGET_UNOBSERVABLE, { to: i, detail });
        if (!opts.continueAfterViolation) status = 'violation';
      }
    }
    opts.predicates.forEach((p, k) => predicateValues[k]!.push(('test' in p ? p.test(s) : evaluator.holds(p.expr, s, p.bound)) ? 1 : 0));
    return { index: i, fresh: true };
  };

  try {
    const init = system.initialState();
    generated++;
    const v = visit(init, -1);
    queue.push(v.index, packer.pack(init));
  } catch (e) {
    if (e instanceof EvalError) {
      // -1 when the initial state itself could not be computed; else the state whose check failed.
      return { ...finish(), status: 'error', error: { error: e, at: fingerprints.length - 1 } };
    }
    throw e;
  }

  let lastProgress = Date.now();
  let lastYield = Date.now();
  const every = opts.progressEveryMs ?? 2000;
  while (status === 'complete') {
    const entry = queue.next();
    if (entry === undefined) break;
    const i = entry.fp;
    const state = packer.unpack(entry.packed);
    if (opts.maxDepth !== undefined && depthOf.get(i) >= opts.maxDepth) {
      limitReason = `depth limit ${opts.maxDepth} reached`;
      edgeStart.set(i, edgeTargets.length);
      stutterFair.set(i, 0);
      continue;
    }
    let succs;
    try {
      succs = opts.partialOrder !== undefined ? opts.partialOrder.reduce(state) : system.successors(state);
    } catch (e) {
      if (e instanceof StepError) {
        status = 'error';
        error = { error: e.evalError, at: i, node: e.node, transition: e.transition };
        break;
      }
      if (e instanceof EvalError) {
        status = 'error';
        error = { error: e, at: i };
        break;
      }
      throw e;
    }
    edgeStart.set(i, edgeTargets.length);
    let fairEnabled = false;
    for (const succ of succs) {
      generated++;
      coverage.count(succ.action);
      if (succ.fairness !== undefined) fairEnabled = true;
      let r;
      try {
        r = visit(succ.state, i);
      } catch (e) {
        if (e instanceof EvalError) {
          // visit() failed checking the new state, which it had already numbered:
          // the trace ends in the state where the invariant could not be evaluated.
          status = 'error';
          error = { error: e, at: fingerprints.length - 1 };
          break;
        }
        throw e;
      }
      if (opts.recordGraph) edgeTargets.push(r.index);
      if (opts.forgetChecks === true && !builtInViolations.has(FORGET_STABLE)) {
        const detail = system.stableViolation(state, succ.state);
        if (detail !== undefined) {
          builtInViolations.set(FORGET_STABLE, { from: i, to: r.index, detail });
          if (!opts.continueAfterViolation) {
            status = 'violation';
            break;
          }
        }
      }
      if (opts.answerChecks === true && !builtInViolations.has(ANSWER_STABLE)) {
        const detail = system.answerStableViolation(state, succ.state);
        if (detail !== undefined) {
          builtInViolations.set(ANSWER_STABLE, { from: i, to: r.index, detail });
          if (!opts.continueAfterViolation) {
            status = 'violation';
            break;
          }
        }
      }
      if (r.fresh) {
        if (status !== 'complete') break;
        queue.push(r.index, packer.pack(succ.state));
        if (opts.maxStates !== undefined && fingerprints.length >= opts.maxStates) {
          status = 'limit';
          limitReason = `state limit ${opts.maxStates} reached`;
          break;
        }
      }
    }
    stutterFair.set(i, fairEnabled ? 0 : 1);
    if (succs.length === 0 && opts.deadlock && deadlock === undefined) {
      deadlock = i;
      if (!opts.continueAfterViolation) status = 'violation';
    }
    const now = Date.now();
    if (now - lastYield > 50) {
      // Let signals (Ctrl-C) and timers run.
      await new Promise((resolve) => setImmediate(resolve));
      lastYield = Date.now();
      if (opts.isInterrupted?.() === true) status = 'interrupted';
      if (opts.timeoutMs !== undefined && lastYield - start > opts.timeoutMs && status === 'complete') {
        status = 'limit';
        limitReason = `time limit ${opts.timeoutMs / 1000} s reached`;
      }
    }
    if (opts.onProgress !== undefined && now - lastProgress >= every) {
      lastProgress = now;
      const seconds = (now - start) / 1000;
      // Expanding a state at depth d means every state at depth d is known.
      const levels = levelSizes.slice(0, depthOf.get(i) + 1);
      opts.onProgress({ generated, distinct: fingerprints.length, queue: queue.remaining, depth: maxDepth, seconds, statesPerSecond: fingerprints.length / Math.max(seconds, 1e-3), levels });
    }
  }
  if (status === 'complete' && limitReason !== undefined) status = 'limit';
  if (status === 'complete' && (violations.size > 0 || builtInViolations.size > 0)) status = 'violation';
  if (status === 'complete' && deadlock !== undefined) status = 'violation';
  return finish();
}
