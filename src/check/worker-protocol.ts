// Messages between the parallel search's coordinator (parallel.ts) and its
// worker threads (worker.ts). Both ends are this package's own code in one
// process, so the shapes are types, not decoded input.

import type { PortableCoverage } from './coverage.js';
import type { PortableBatch } from './portable.js';
import type { TableBuffers } from './shared-table.js';

export interface WorkerSetup {
  readonly file: string;
  readonly text: string;
  readonly model: string;
  readonly symmetry: boolean;
  readonly partialOrder: boolean;
  /** The checker's steps with the interpreter (verify --reference), as the coordinator's. */
  readonly reference: boolean;
  readonly deadlock: boolean;
  readonly maxStates?: number;
  readonly ctrl: SharedArrayBuffer;
  /** This worker's place among the workers (its yield word in ctrl). */
  readonly index: number;
  readonly table: TableBuffers;
  /** Where each level spills its packed states past its share of memory (frontier.ts). */
  readonly spill: { readonly dir: string; readonly maxChunksInMemory: number; readonly chunkWords: number };
}

export type ToWorker =
  | { readonly type: 'seed' }
  | { readonly type: 'expand'; readonly skip: readonly string[]; readonly sliceMs: number }
  | { readonly type: 'steal'; readonly count: number }
  | { readonly type: 'give'; readonly batch: PortableBatch }
  | { readonly type: 'table'; readonly table: TableBuffers }
  | { readonly type: 'advance' };

export interface LevelReport {
  readonly type: 'expanded';
  /** Every state of this worker's part of the level was expanded. */
  readonly complete: boolean;
  /** Stopped because the table is nearly full: grow it and ask again. */
  readonly tableFull: boolean;
  readonly generated: number;
  /** The successors generated in this slice, by kind (coverage.ts). */
  readonly coverage: PortableCoverage;
  readonly expanded: number;
  /** Per invariant, the least fingerprint among the new states that violate it. */
  readonly violations: readonly (readonly [string, number])[];
  /** The least fingerprint of an expanded state with no successor (with --deadlock). */
  readonly deadlock?: number;
  /** A state whose expansion ('step') or invariant check ('invariant') failed. */
  readonly error?: { readonly fp: number; readonly kind: 'step' | 'invariant' };
  readonly nextSize: number;
  /** States of the current level not yet expanded. */
  readonly remaining: number;
  readonly frontierBytes: number;
  /** Bytes this worker's levels have written to their spill files so far. */
  readonly spilledBytes: number;
}

export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'ok' }
  | { readonly type: 'seeded'; readonly fp: number }
  | LevelReport
  | { readonly type: 'batch'; readonly batch: PortableBatch }
  | { readonly type: 'fatal'; readonly message: string };
