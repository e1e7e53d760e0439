// A worker thread of the parallel search (parallel.ts). It runs the front
// end on the program text it is given and builds its own System from
// src/semantics (the one evaluator and matcher; nothing here re-implements
// a step), then answers the coordinator's requests one at a time:
//
//   seed     put the initial state in the table and in this worker's level
//   expand   expand this worker's part of the current level, claiming each
//            successor in the shared table; the states it claims form its
//            part of the next level. Stops early when the stop word is set
//            or the table is nearly full (the coordinator grows it and asks
//            again; the level resumes where it stopped).
//   table    use a grown table
//   steal    hand the last k unexpanded states of this level over (an idle
//            worker takes them: give)
//   advance  the next level becomes the current one (the current one's
//            spill file is removed)
//
// Every reply is a message; an exception becomes a 'fatal' reply, which the
// coordinator turns into a coded error (MOM507).

import { join } from 'node:path';
import { parentPort, threadId, workerData } from 'node:worker_threads';
import { checkText } from '../analysis/frontend.js';
import { EvalError, StepError } from '../semantics/errors.js';
import { instantiate } from '../semantics/model.js';
import { checkerSystemOptions, System, type Successor } from '../semantics/system.js';
import { ContentFingerprinter } from './content-fingerprint.js';
import { CoverageCounter } from './coverage.js';
import { Frontier } from './frontier.js';
import { StatePacker } from './packed.js';
import { decodeBatch, encodeBatch, type PortableBatch } from './portable.js';
import { PartialOrder } from './por.js';
import { StateEvaluator } from './properties.js';
import { CTRL, FingerprintTable, MAX_LOAD, type TableBuffers } from './shared-table.js';
import type { ToWorker, WorkerSetup, FromWorker, LevelReport } from './worker-protocol.js';

const setup = workerData as WorkerSetup;
const port = parentPort!;

function fatal(e: unknown): void {
  port.postMessage({ type: 'fatal', message: e instanceof Error ? e.message : String(e) } satisfies FromWorker);
}

try {
  const fe = checkText(setup.file, setup.text);
  if (!fe.ok || fe.program === undefined) throw new Error(`the worker could not check ${setup.file} again`);
  const program = fe.program;
  const inst = instantiate(program, setup.model);
  if (!inst.ok) throw new Error(`the worker could not instantiate model ${setup.model}`);
  // The coordinator's engine: the compiled core unless it runs the reference.
  const system = new System(inst.instance, checkerSystemOptions(setup.reference));
  const evaluator = new StateEvaluator(system);
  const packer = new StatePacker(system.model);
  const fper = new ContentFingerprinter(system.model, system.interner, setup.symmetry);
  const coverage = new CoverageCounter();
  const invariants = inst.instance.invariants.map((name) => ({ name, body: program.invariants.get(name)!.body }));
  const partialOrder = setup.partialOrder ? new PartialOrder(system, invariants.map((i) => i.body), true) : undefined;
  const ctrl = new Int32Array(setup.ctrl);
  const yieldWord = CTRL.yieldBase + setup.index;
  let table = new FingerprintTable(setup.table, ctrl);
  let levels = 0;
  let spilledBefore = 0;
  const level = (): Frontier =>
    new Frontier({ path: join(setup.spill.dir, `w${threadId}-${levels++}.bin`), maxChunksInMemory: setup.spill.maxChunksInMemory, chunkWords: setup.spill.chunkWords });
  let current = level();
  let next = level();

  const expand = (skip: ReadonlySet<string>, sliceMs: number): LevelReport => {
    const until = Date.now() + sliceMs;
    const violations = new Map<string, number>();
    let generated = 0;
    let expanded = 0;
    let deadlock: number | undefined;
    let error: LevelReport['error'];
    let complete = false;
    let tableFull = false;
    const limit = MAX_LOAD * table.capacity;
    for (;;) {
      if (Atomics.load(ctrl, CTRL.stop) !== 0) break;
      if (Atomics.load(ctrl, CTRL.count) > limit) {
        tableFull = true;
        break;
      }
      // A slice ends after sliceMs, or at once when an idle worker wants part of this level.
      if ((expanded & 3) === 3 && (Atomics.load(ctrl, yieldWord) !== 0 || Date.now() > until)) break;
      const e = current.next();
      if (e === undefined) {
        complete = true;
        break;
      }
      const state = packer.unpack(e.packed);
      let succs: Successor[];
      try {
        succs = partialOrder !== undefined ? partialOrder.reduce(state) : system.successors(state);
      } catch (x) {
        if (x instanceof StepError || x instanceof EvalError) {
          error = { fp: e.fp, kind: 'step' };
          Atomics.store(ctrl, CTRL.stop, 3);
          break;
        }
        throw x;
      }
      expanded++;
      generated += succs.length;
      for (const succ of succs) coverage.count(succ.action);
      if (succs.length === 0 && setup.deadlock && (deadlock === undefined || e.fp < deadlock)) deadlock = e.fp;
      for (const succ of succs) {
        const fp = fper.fingerprint(succ.state);
        const r = table.insert(fp, e.fp);
        if (r === 'seen') continue;
        if (r === 'full') throw new Error('the fingerprint table is full');
        try {
          for (const inv of invariants) {
            if (skip.has(inv.name)) continue;
            if (!evaluator.holds(inv.body, succ.state)) {
              const was = violations.get(inv.name);
              if (was === undefined || fp < was) violations.set(inv.name, fp);
            }
          }
        } catch (x) {
          if (x instanceof EvalError) {
            error = { fp, kind: 'invariant' };
            Atomics.store(ctrl, CTRL.stop, 3);
            break;
          }
          throw x;
        }
        next.push(fp, packer.pack(succ.state));
        if (setup.maxStates !== undefined && Atomics.load(ctrl, CTRL.count) >= setup.maxStates) Atomics.store(ctrl, CTRL.stop, 2);
      }
      if (error !== undefined) break;
    }
    return {
      type: 'expanded',
      complete,
      tableFull,
      generated,
      coverage: coverage.drain(),
      expanded,
      violations: [...violations.entries()],
      ...(deadlock !== undefined ? { deadlock } : {}),
      ...(error !== undefined ? { error } : {}),
      nextSize: next.size,
      remaining: current.remaining,
      frontierBytes: current.bytes + next.bytes,
      spilledBytes: spilledBefore + current.spilledBytes + next.spilledBytes,
    };
  };

  port.on('message', (m: ToWorker) => {
    try {
      switch (m.type) {
        case 'seed': {
          const init = system.initialState();
          const fp = fper.fingerprint(init);
          table.insert(fp, -1);
          current.push(fp, packer.pack(init));
          port.postMessage({ type: 'seeded', fp } satisfies FromWorker);
          return;
        }
        case 'expand':
          // For the tests of what a failing worker becomes (test/workers.test.ts).
          if (process.env['MOMMIE_WORKER_FAULT'] === 'exit') process.exit(7);
          if (process.env['MOMMIE_WORKER_FAULT'] === 'throw') throw new Error('a fault injected by MOMMIE_WORKER_FAULT');
          port.postMessage(expand(new Set(m.skip), m.sliceMs) satisfies FromWorker);
          return;
        case 'table':
          table = new FingerprintTable(m.table as TableBuffers, ctrl);
          port.postMessage({ type: 'ok' } satisfies FromWorker);
          return;
        case 'steal': {
          // Asked to yield for this steal; the next slice runs its full length.
          Atomics.store(ctrl, yieldWord, 0);
          const batch = encodeBatch(system, packer, current.takeLast(m.count));
          port.postMessage({ type: 'batch', batch } satisfies FromWorker, [batch.words.buffer as ArrayBuffer]);
          return;
        }
        case 'give':
          if (current.remaining === 0) current.clear();
          decodeBatch(system, m.batch as PortableBatch, (fp, s) => current.push(fp, packer.pack(s)));
          port.postMessage({ type: 'ok' } satisfies FromWorker);
          return;
        case 'advance':
          spilledBefore += current.spilledBytes;
          current.dispose();
          current = next;
          next = level();
          port.postMessage({ type: 'ok' } satisfies FromWorker);
          return;
      }
    } catch (e) {
      fatal(e);
    }
  });
  port.postMessage({ type: 'ready' } satisfies FromWorker);
} catch (e) {
  fatal(e);
}
