// The search. When every combination of the options fits the candidate
// budget, each is tried. Otherwise, coordinate descent over the dimensions
// (space.ts): from the
// start (the base's own choices), each dimension in turn tries each of its
// options with every other dimension held, and moves to the best one the
// objective prefers; rounds repeat until one changes nothing, the rounds run
// out, or the candidate budget does. The product of the options is far too
// large to simulate (PBCounter: 2 × 2 × 6 × 6 × 4 = 576); a round costs their
// sum. Candidates deploy-check refuses are skipped and cost no budget.

import { compare } from './cost.js';
import type { Choice, Space } from './space.js';
import type { Objective, Prediction } from './types.js';

export interface SearchHooks {
  /** The prediction of a choice, or undefined when the choice is no candidate; called once per distinct choice. */
  score(choice: Choice): Prediction | undefined;
  /** Whether another choice may be simulated. */
  budgetLeft(): boolean;
}

/** Every combination of the options, when there are at most `limit` of them; undefined otherwise. */
export function everyChoice(space: Space, limit: number): Choice[] | undefined {
  const product = space.dimensions.reduce((n, d) => n * d.options.length, 1);
  if (product > limit) return undefined;
  let all: Choice[] = [[]];
  for (const d of space.dimensions) all = all.flatMap((c) => d.options.map((o) => [...c, o]));
  return all;
}

export function coordinateDescent(space: Space, start: Choice, objective: Objective, rounds: number, hooks: SearchHooks): Choice {
  const seen = new Map<string, Prediction | undefined>();
  const score = (c: Choice): Prediction | undefined => {
    const key = c.join('\u0000');
    if (!seen.has(key)) {
      if (!hooks.budgetLeft()) return undefined;
      seen.set(key, hooks.score(c));
    }
    return seen.get(key);
  };
  let current = start;
  let best = score(start);
  for (let round = 0; round < rounds; round++) {
    let moved = false;
    for (let i = 0; i < space.dimensions.length; i++) {
      let pick: { choice: Choice; p: Prediction } | undefined;
      for (const option of space.dimensions[i]!.options) {
        if (option === current[i]) continue;
        const next = current.map((o, j) => (j === i ? option : o));
        const p = score(next);
        if (p !== undefined && (pick === undefined || compare(p, pick.p, objective) < 0)) pick = { choice: next, p };
      }
      if (pick !== undefined && (best === undefined || compare(pick.p, best, objective) < 0)) {
        current = pick.choice;
        best = pick.p;
        moved = true;
      }
    }
    if (!moved) break;
  }
  return current;
}
