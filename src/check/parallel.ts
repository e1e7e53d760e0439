// Parallel breadth-first search over worker threads (`mommie verify
// --workers N`), for safety properties: invariants, deadlock, evaluation
// errors. Level-synchronous: each BFS level is split among the workers
// (worker.ts), which expand their part and claim new states in a shared
// fingerprint table (shared-table.ts); the states a worker claims form its
// part of the next level. A worker that runs out of states takes half of
// what another has left (portable.ts), so the parts need no evening out
// between levels. Fingerprints do not depend on any thread's interning
// (content-fingerprint.ts), so every worker agrees on them.
//
// A violation is reported at the first level where one appears, after that
// level is complete, as the violating state with the least fingerprint: the
// counterexample is a shortest one and does not depend on the number of
// workers or their timing. The coordinator rebuilds it from the table's
// parent fingerprints and replays it in its own System (trace.ts).
//
// Each worker's levels spill to files in a temporary directory past their
// share of --level-memory (frontier.ts); the directory is removed at the end.
//
// Liveness needs the whole state graph, which this search does not keep:
// verify.ts runs such models in process, with one worker, and says so.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { EvalError, StepError } from '../semantics/errors.js';
import type { System } from '../semantics/system.js';
import type { State } from '../semantics/state.js';
import type * as A from '../syntax/ast.js';
import { ContentFingerprinter } from './content-fingerprint.js';
import { CoverageCounter } from './coverage.js';
import { CHUNK_WORDS } from './frontier.js';
import type { PartialOrder } from './por.js';
import type { StateEvaluator } from './properties.js';
import type { ExploredGraph, Progress, SearchLimits, SearchOutcome, SearchStatus } from './search.js';
import { controlWords, CTRL, FingerprintTable, MAX_LOAD } from './shared-table.js';
import { replay } from './trace.js';
import type { FromWorker, LevelReport, ToWorker, WorkerSetup } from './worker-protocol.js';

/** A worker thread failed (crashed, exited, or could not start): code MOM507. */
export class WorkerFailure extends Error {
  readonly code = 'MOM507';
}

export interface ParallelOptions extends SearchLimits {
  readonly workers: number;
  /** The program text and model, which each worker checks and instantiates again. */
  readonly file: string;
  readonly text: string;
  readonly model: string;
  readonly deadlock: boolean;
  readonly symmetry: boolean;
  readonly continueAfterViolation: boolean;
  readonly invariants: readonly { readonly name: string; readonly body: A.Expr }[];
  readonly partialOrder?: PartialOrder;
  readonly onProgress?: (p: Progress) => void;
  readonly progressEveryMs?: number;
  readonly isInterrupted?: () => boolean;
  /** Sizes of the search's own structures at the end, for the memory figures. */
  readonly onMemory?: (m: ParallelMemory) => void;
  /** Memory for the levels' packed states, shared by the workers; past it, levels spill to disk (default 256 MiB). */
  readonly levelMemoryBytes?: number;
}

export interface ParallelMemory {
  readonly tableBytes: number;
  readonly tableSlots: number;
  /** The largest sum over workers of two levels' packed states in memory. */
  readonly peakFrontierBytes: number;
  /** Bytes the levels wrote to their spill files. */
  readonly spilledBytes: number;
  readonly levelMemoryBytes: number;
}

const INITIAL_SLOTS = 1 << 16;
const NO_COVERAGE = { fires: [], byzantine: [], deliveries: 0 } as const;
export const DEFAULT_LEVEL_MEMORY_BYTES = 256 * 2 ** 20;

/**
 * Each worker holds two levels (the one it expands and the one it fills), so
 * each level gets a 2N-th of the budget, in chunks small enough that a level
 * keeps at least four of them in memory.
 */
export function spillShape(levelMemoryBytes: number, workers: number): { maxChunksInMemory: number; chunkWords: number } {
  const perLevelWords = Math.floor(levelMemoryBytes / 4 / (2 * workers));
  const chunkWords = Math.max(256, Math.min(CHUNK_WORDS, Math.floor(perLevelWords / 4)));
  return { chunkWords, maxChunksInMemory: Math.max(2, Math.floor(perLevelWords / chunkWords)) };
}

/**
 * How long a worker expands before it reports (so the coordinator sees
 * progress and limits); a worker asked to yield (CTRL.yieldBase) ends its
 * slice within a few states, so idle workers do not wait for a slice's end.
 */
const SLICE_MS = 25;
/** A worker with fewer unexpanded states than this is left to finish them. */
const STEAL_AT_LEAST = 16;
/**
 * Successor generation allocates many short-lived objects; a worker's young
 * generation is sized like the main thread's or larger so that scavenges stay
 * rare (MOMMIE_WORKER_YOUNG_MB overrides it, for measuring).
 */
const YOUNG_GENERATION_MB = Number(process.env['MOMMIE_WORKER_YOUNG_MB'] ?? 64);

class WorkerHandle {
  /** Calls awaiting their reply, in order: a worker answers its messages one by one, in order. */
  private readonly pending: { resolve: (m: FromWorker) => void; reject: (e: Error) => void }[] = [];
  private failed: Error | undefined;
  private ended = false;
  /** A message that came before anyone asked for it (a worker's 'ready'). */
  private readonly inbox: FromWorker[] = [];

  constructor(
    readonly index: number,
    private readonly worker: Worker,
  ) {
    worker.on('message', (m: FromWorker) => {
      if (m.type === 'fatal') this.fail(new WorkerFailure(`MOM507 checker worker ${index} failed: ${m.message}`));
      else {
        const p = this.pending.shift();
        if (p !== undefined) p.resolve(m);
        else this.inbox.push(m);
      }
    });
    worker.on('error', (e) => this.fail(new WorkerFailure(`MOM507 checker worker ${index} crashed: ${e.message}`)));
    worker.on('messageerror', (e) => this.fail(new WorkerFailure(`MOM507 checker worker ${index} sent a message that could not be read: ${e.message}`)));
    worker.on('exit', (code) => {
      if (!this.ended) this.fail(new WorkerFailure(`MOM507 checker worker ${index} exited (code ${code})`));
    });
  }

  private fail(e: Error): void {
    this.failed ??= e;
    for (const p of this.pending.splice(0)) p.reject(e);
  }

  /** The worker's next message: its 'ready', or the reply to `m`. */
  call(m?: ToWorker, transfer: ArrayBuffer[] = []): Promise<FromWorker> {
    if (this.failed !== undefined) return Promise.reject(this.failed);
    const early = m === undefined ? this.inbox.shift() : undefined;
    if (early !== undefined) return Promise.resolve(early);
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      if (m !== undefined) this.worker.postMessage(m, transfer);
    });
  }

  async terminate(): Promise<void> {
    this.ended = true;
    await this.worker.terminate();
  }
}

function expect<T extends FromWorker['type']>(m: FromWorker, type: T): Extract<FromWorker, { type: T }> {
  if (m.type !== type) throw new WorkerFailure(`MOM507 a checker worker answered '${m.type}' where '${type}' was expected`);
  return m as Extract<FromWorker, { type: T }>;
}

export async function exploreParallel(system: System, evaluator: StateEvaluator, opts: ParallelOptions): Promise<SearchOutcome> {
  const start = Date.now();
  const fper = new ContentFingerprinter(system.model, system.interner, opts.symmetry);
  const ctrl = new Int32Array(new SharedArrayBuffer(4 * controlWords(opts.workers)));
  let table = new FingerprintTable(FingerprintTable.allocate(INITIAL_SLOTS), ctrl);
  const violations = new Map<string, number>(); // invariant -> fingerprint
  const levelSizes: number[] = [1];
  let generated = 1;
  const coverage = new CoverageCounter();
  /** Successors generated in the level being expanded, so far: progress lines count them before the level ends. */
  let levelGenerated = 0;
  let status: SearchStatus = 'complete';
  let limitReason: string | undefined;
  let deadlockFp: number | undefined;
  let errorAt: { fp: number; kind: 'step' | 'invariant' | 'init' } | undefined;
  let peakFrontierBytes = 0;
  const spilledBytes: number[] = [];
  const levelMemoryBytes = opts.levelMemoryBytes ?? DEFAULT_LEVEL_MEMORY_BYTES;

  // The initial state is checked here first, so that a failure to compute
  // it is reported as the in-process search reports it.
  let init: State;
  try {
    init = system.initialState();
  } catch (e) {
    if (e instanceof EvalError) return outcome(0, { error: e, at: -1 });
    throw e;
  }
  const initFp = fper.fingerprint(init);
  try {
    for (const inv of opts.invariants) if (!evaluator.holds(inv.body, init)) violations.set(inv.name, initFp);
  } catch (e) {
    if (e instanceof EvalError) errorAt = { fp: initFp, kind: 'init' };
    else throw e;
  }

  const setup: Omit<WorkerSetup, 'table' | 'spill' | 'index'> = {
    file: opts.file,
    text: opts.text,
    model: opts.model,
    symmetry: opts.symmetry,
    partialOrder: opts.partialOrder !== undefined,
    reference: system.options.compiledChecker !== true || system.core === undefined,
    deadlock: opts.deadlock,
    ...(opts.maxStates !== undefined ? { maxStates: opts.maxStates } : {}),
    ctrl: ctrl.buffer as SharedArrayBuffer,
  };
  const workers: WorkerHandle[] = [];
  let spillDir: string | undefined;
  const every = opts.progressEveryMs ?? 2000;
  let lastProgress = Date.now();
  let timedOut = false;
  const ticker = setInterval(() => {
    if (opts.isInterrupted?.() === true) Atomics.store(ctrl, CTRL.stop, 1);
    if (opts.timeoutMs !== undefined && Date.now() - start > opts.timeoutMs && Atomics.load(ctrl, CTRL.stop) === 0) {
      timedOut = true;
      Atomics.store(ctrl, CTRL.stop, 1);
    }
    if (opts.onProgress !== undefined && Date.now() - lastProgress >= every) {
      lastProgress = Date.now();
      const seconds = (lastProgress - start) / 1000;
      const distinct = Atomics.load(ctrl, CTRL.count);
      opts.onProgress({ generated: generated + levelGenerated, distinct, queue: levelSizes[levelSizes.length - 1]!, depth: levelSizes.length - 1, seconds, statesPerSecond: distinct / Math.max(seconds, 1e-3), levels: levelSizes.slice() });
    }
  }, 50);
  try {
    if (errorAt === undefined && !(violations.size > 0 && !opts.continueAfterViolation)) {
      spillDir = mkdtempSync(join(tmpdir(), 'mommie-levels-'));
      const spill = { dir: spillDir, ...spillShape(levelMemoryBytes, opts.workers) };
      for (let i = 0; i < opts.workers; i++) {
        const w = new Worker(new URL('./worker.js', import.meta.url), { workerData: { ...setup, index: i, spill, table: table.buffers } satisfies WorkerSetup, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
        workers.push(new WorkerHandle(i, w));
      }
      for (const w of workers) expect(await w.call(), 'ready');
      expect(await workers[0]!.call({ type: 'seed' }), 'seeded');
      await search();
    }
  } finally {
    clearInterval(ticker);
    await Promise.all(workers.map((w) => w.terminate()));
    if (spillDir !== undefined) rmSync(spillDir, { recursive: true, force: true });
  }
  opts.onMemory?.({ tableBytes: table.bytes, tableSlots: table.capacity, peakFrontierBytes, spilledBytes: spilledBytes.reduce((a, b) => a + b, 0), levelMemoryBytes });

  if (errorAt !== undefined) status = 'error';
  else if (status === 'complete' && limitReason !== undefined) status = 'limit';
  else if (status === 'complete' && (violations.size > 0 || deadlockFp !== undefined)) status = 'violation';
  return outcome(Atomics.load(ctrl, CTRL.count));

  async function search(): Promise<void> {
    let sizes = [1, ...workers.slice(1).map(() => 0)];
    for (let d = 0; ; d++) {
      if (sizes.every((s) => s === 0)) return;
      if (opts.maxDepth !== undefined && d >= opts.maxDepth) {
        limitReason = `depth limit ${opts.maxDepth} reached`;
        return;
      }
      const skip = [...violations.keys()];
      const reports = await expandLevel(skip, sizes);
      const levelViolations = new Map<string, number>();
      let levelDeadlock: number | undefined;
      levelGenerated = 0;
      for (const r of reports) {
        generated += r.generated;
        for (const [name, fp] of r.violations) {
          const was = levelViolations.get(name);
          if (was === undefined || fp < was) levelViolations.set(name, fp);
        }
        if (r.deadlock !== undefined && (levelDeadlock === undefined || r.deadlock < levelDeadlock)) levelDeadlock = r.deadlock;
        if (r.error !== undefined && (errorAt === undefined || r.error.fp < errorAt.fp)) errorAt = r.error;
        peakFrontierBytes = Math.max(peakFrontierBytes, reports.reduce((b, x) => b + x.frontierBytes, 0));
      }
      sizes = reports.map((r) => r.nextSize);
      const total = sizes.reduce((a, b) => a + b, 0);
      if (total > 0) levelSizes[d + 1] = total;
      if (errorAt !== undefined) return;
      if (levelDeadlock !== undefined && deadlockFp === undefined) {
        deadlockFp = levelDeadlock;
        // The deadlocked state is a level shallower than this level's new violations.
        if (!opts.continueAfterViolation) return;
      }
      for (const [name, fp] of levelViolations) if (!violations.has(name)) violations.set(name, fp);
      if (levelViolations.size > 0 && !opts.continueAfterViolation) return;
      const stop = Atomics.load(ctrl, CTRL.stop);
      if (stop !== 0) {
        if (stop === 2) {
          status = 'limit';
          limitReason = `state limit ${opts.maxStates} reached`;
        } else if (timedOut) {
          status = 'limit';
          limitReason = `time limit ${(opts.timeoutMs ?? 0) / 1000} s reached`;
        } else status = 'interrupted';
        return;
      }
      for (const m of await Promise.all(workers.map((w) => w.call({ type: 'advance' })))) expect(m, 'ok');
    }
  }

  /**
   * Expands the current level on every worker, in slices of SLICE_MS: a
   * worker that has finished its part takes half of the unexpanded states of
   * the worker with most left, so that no core idles while a level ends.
   * When a worker finds the table 70% full, the others finish their slice,
   * the table is doubled, and every worker goes on.
   */
  async function expandLevel(skip: readonly string[], sizes: readonly number[]): Promise<LevelReport[]> {
    const merged: LevelReport[] = workers.map(() => ({ type: 'expanded', complete: false, tableFull: false, generated: 0, coverage: NO_COVERAGE, expanded: 0, violations: [], nextSize: 0, remaining: 0, frontierBytes: 0, spilledBytes: 0 }));
    const remaining = sizes.slice();
    let expanding = 0;
    let needGrow = false;
    let growing: Promise<void> | undefined;
    const grow = async (): Promise<void> => {
      while (Atomics.load(ctrl, CTRL.count) > (MAX_LOAD * table.capacity) / 2) table = table.rehash(table.capacity * 2);
      for (const w of workers) expect(await w.call({ type: 'table', table: table.buffers }), 'ok');
      needGrow = false;
    };
    const waitForGrowth = async (): Promise<void> => {
      while (needGrow) {
        if (expanding === 0) {
          growing ??= grow().finally(() => (growing = undefined));
          await growing;
        } else await new Promise((r) => setTimeout(r, 1));
      }
    };
    const merge = (w: WorkerHandle, r: LevelReport): void => {
      spilledBytes[w.index] = r.spilledBytes;
      levelGenerated += r.generated;
      coverage.add(r.coverage);
      const m = merged[w.index]!;
      const violations = new Map(m.violations);
      for (const [name, fp] of r.violations) if (!violations.has(name) || fp < violations.get(name)!) violations.set(name, fp);
      const deadlock = m.deadlock === undefined ? r.deadlock : r.deadlock === undefined ? m.deadlock : Math.min(m.deadlock, r.deadlock);
      const error = r.error ?? m.error;
      merged[w.index] = { ...r, generated: m.generated + r.generated, expanded: m.expanded + r.expanded, violations: [...violations], ...(deadlock !== undefined ? { deadlock } : {}), ...(error !== undefined ? { error } : {}) };
      remaining[w.index] = r.remaining;
    };
    const run = async (w: WorkerHandle): Promise<void> => {
      for (;;) {
        await waitForGrowth();
        expanding++;
        let r: LevelReport;
        try {
          r = expect(await w.call({ type: 'expand', skip, sliceMs: SLICE_MS }), 'expanded');
        } finally {
          expanding--;
        }
        merge(w, r);
        if (Atomics.load(ctrl, CTRL.stop) !== 0) return;
        if (r.tableFull) {
          needGrow = true;
          continue;
        }
        if (!r.complete) continue;
        let victim = -1;
        remaining.forEach((k, i) => {
          if (i !== w.index && k >= STEAL_AT_LEAST && (victim < 0 || k > remaining[victim]!)) victim = i;
        });
        if (victim < 0) return;
        const count = Math.floor(remaining[victim]! / 2);
        remaining[victim] = remaining[victim]! - count;
        // The victim answers between slices: ask it to end the one it is in, so that this worker waits a few states, not a slice.
        Atomics.store(ctrl, CTRL.yieldBase + victim, 1);
        const batch = expect(await workers[victim]!.call({ type: 'steal', count }), 'batch').batch;
        if (batch.fps.length === 0) continue;
        expect(await w.call({ type: 'give', batch }, [batch.words.buffer as ArrayBuffer]), 'ok');
      }
    };
    await Promise.all(workers.map(run));
    return merged;
  }

  function outcome(distinct: number, initError?: SearchOutcome['error']): SearchOutcome {
    const g = { fingerprints: [] as number[], parent: [] as number[], depth: [] as number[] };
    const indexOf = (fp: number): number => {
      const path: number[] = [];
      for (let cur: number | undefined = fp; cur !== undefined && cur !== -1; cur = cur === initFp ? -1 : table.parentOf(cur)) path.push(cur);
      path.reverse();
      const base = g.fingerprints.length;
      path.forEach((f, k) => {
        g.fingerprints.push(f);
        g.parent.push(k === 0 ? -1 : base + k - 1);
        g.depth.push(k);
      });
      return g.fingerprints.length - 1;
    };
    const invariantViolations = new Map<string, number>();
    for (const [name, fp] of violations) invariantViolations.set(name, indexOf(fp));
    const deadlock = deadlockFp === undefined ? undefined : indexOf(deadlockFp);
    const graph: ExploredGraph = { ...g, edgeStart: [], edgeTargets: [], stutterFair: [], predicateValues: [], fingerprinter: fper };
    let error = initError;
    if (error === undefined && errorAt !== undefined) error = rebuildError(indexOf(errorAt.fp), errorAt.kind, graph);
    return {
      status,
      ...(limitReason !== undefined ? { limitReason } : {}),
      invariantViolations,
      ...(deadlock !== undefined ? { deadlock } : {}),
      ...(error !== undefined ? { error } : {}),
      generated,
      distinct,
      depth: levelSizes.length - 1,
      seconds: (Date.now() - start) / 1000,
      graph,
      coverage,
    };
  }

  /** The worker only said where evaluation failed; the error itself is recomputed here, in the same semantics. */
  function rebuildError(at: number, kind: 'step' | 'invariant' | 'init', graph: ExploredGraph): SearchOutcome['error'] {
    const path: number[] = [];
    for (let cur = at; cur !== -1; cur = graph.parent[cur]!) path.push(cur);
    const states = replay(system, graph, path.reverse()).states;
    const s = states[states.length - 1]!;
    try {
      if (kind === 'step') {
        if (opts.partialOrder !== undefined) opts.partialOrder.reduce(s);
        else system.successors(s);
      } else for (const inv of opts.invariants) evaluator.holds(inv.body, s);
    } catch (e) {
      if (e instanceof StepError) return { error: e.evalError, at, node: e.node, transition: e.transition };
      if (e instanceof EvalError) return { error: e, at };
      throw e;
    }
    throw new WorkerFailure(`MOM507 a checker worker reported an evaluation error that the coordinator could not reproduce`);
  }
}
