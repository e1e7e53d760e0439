// `DOUBLING(p)` of a [Timeouts] entry (docs/deploy.md): a TIMEOUT instance's
// timer is the entry's duration times 2^k, where k counts the instances of
// the same transition this node has already fired that differ from it only
// in parameter p. For PBFT's view-change timer SuspectPrimary(v, n), armed
// when the replica is in view v having executed n requests, k is the number
// of view changes this replica timed out into since it last executed a
// request: the timer doubles on each consecutive view change and falls back
// to the entry's duration once a request executes (n changes). The count is
// the node's own and lives as long as the process (a node restarted from its
// log starts again from the entry's duration: timing only, not semantics).

import { keyOf, type Value } from '../semantics/value.js';

/** The longest a timer can wait (setTimeout's bound, the deploy file's MAX_DURATION_MS). */
const MAX_TIMER_MS = 2_147_483_647;

export class TimerDoubling {
  /** Per transition, per values of the other parameters: instances fired. */
  private readonly fired = new Map<string, Map<string, number>>();

  /** The timer for an instance with this binding: `baseMs` doubled once per such instance fired before. */
  ms(baseMs: number, transition: string, params: readonly string[], doubling: string, binding: readonly (readonly [string, Value])[]): number {
    const k = this.fired.get(transition)?.get(otherParams(params, doubling, binding)) ?? 0;
    return Math.min(MAX_TIMER_MS, baseMs * 2 ** Math.min(k, 31));
  }

  /** An instance of the transition fired (by its timer). */
  fire(transition: string, params: readonly string[], doubling: string, binding: readonly (readonly [string, Value])[]): void {
    let byKey = this.fired.get(transition);
    if (byKey === undefined) this.fired.set(transition, (byKey = new Map()));
    const key = otherParams(params, doubling, binding);
    byKey.set(key, (byKey.get(key) ?? 0) + 1);
  }
}

function otherParams(params: readonly string[], doubling: string, binding: readonly (readonly [string, Value])[]): string {
  const parts: string[] = [];
  for (const [name, v] of binding) if (name !== doubling && params.includes(name)) parts.push(`${name}=${keyOf(v)}`);
  return parts.join(',');
}
