// `mommie lincheck`'s verdict on a history: key by key (kv-spec.ts says why
// that is exact), each with a budget, and for a key that is not linearizable
// a 1-minimal part of its operations to show.

import type { History, Operation, Scalar } from './history.js';
import { byKey, KV_KEY_SPEC } from './kv-spec.js';
import { shrinkNonLinearizable } from './minimize.js';
import { searchLinearization } from './search.js';

export interface LincheckOptions {
  /** Wall-clock budget for the whole check, in ms (default 60 s). */
  readonly timeoutMs?: number;
  /** Search steps per key before giving up (default unbounded). */
  readonly maxSteps?: number;
}

export interface HistoryFigures {
  readonly operations: number;
  readonly unknownOutcome: number;
  readonly clients: number;
  readonly keys: number;
}

export type LincheckVerdict =
  | { readonly kind: 'linearizable'; readonly figures: HistoryFigures }
  | {
      readonly kind: 'not-linearizable';
      readonly figures: HistoryFigures;
      readonly key: string;
      /** A part of the key's operations that is not linearizable; removing any one makes it so (when `minimal`). */
      readonly witness: readonly Operation[];
      /** Values the key's other operations may write: in the witness they may be written at any time, or never. */
      readonly floating: readonly Scalar[];
      readonly minimal: boolean;
    }
  | { readonly kind: 'unknown'; readonly figures: HistoryFigures; readonly undecidedKeys: readonly string[]; readonly reason: string };

export function figuresOf(h: History): HistoryFigures {
  return {
    operations: h.operations.length,
    unknownOutcome: h.operations.filter((o) => o.complete === undefined).length,
    clients: new Set(h.operations.map((o) => o.client)).size,
    keys: new Set(h.operations.map((o) => o.call.key)).size,
  };
}

export function checkHistory(h: History, options: LincheckOptions = {}): LincheckVerdict {
  const figures = figuresOf(h);
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  const budget = () => ({ deadline, ...(options.maxSteps === undefined ? {} : { maxSteps: options.maxSteps }) });
  const undecided: string[] = [];
  let reason = '';
  for (const [key, ops] of byKey(h.operations)) {
    const v = searchLinearization(ops, KV_KEY_SPEC, budget());
    if (v.kind === 'not-linearizable') {
      const shrunk = shrinkNonLinearizable(ops, budget);
      return { kind: 'not-linearizable', figures, key, witness: shrunk.operations, floating: shrunk.floating, minimal: shrunk.minimal };
    }
    if (v.kind === 'unknown') {
      undecided.push(key);
      reason = v.reason;
    }
  }
  return undecided.length === 0 ? { kind: 'linearizable', figures } : { kind: 'unknown', figures, undecidedKeys: undecided, reason };
}
