// A path from the initial state to a state TLC printed, found by the built-in
// semantics. Distributed TLC (2.19) prints only the last step of a
// counterexample, its first state labelled "Initial predicate"; a MOMMIE user
// needs the whole behaviour. Knowledge only grows (pool, known ∪ forgotten,
// forgotten, handled), so every state on a path to the target has each of
// these sets within the target's: the search follows only such successors. That is the
// interleavings of the target's own events, usually far fewer states than the
// model's, but still a search: it is bounded, and says so when it gives up.

import type { Action, System } from '../semantics/system.js';
import type { State } from '../semantics/state.js';
import type { TlaValue } from './values.js';
import type { TraceState } from './result.js';
import { canonTla, matches, StateCanon } from './trace-map.js';

export type PathSearch =
  | { readonly ok: true; readonly states: State[]; readonly actions: (Action | undefined)[]; readonly explored: number }
  | { readonly ok: false; readonly reason: string; readonly explored: number };

type Part = 'pool' | 'known' | 'handled' | 'forgotten';

/** The elements of a set TLC printed, as canonical text. */
function elementsOf(v: TlaValue | undefined): Set<string> | undefined {
  if (v === undefined) return undefined;
  if (v.kind === 'set') return new Set(v.elements.map(canonTla));
  if (v.kind === 'interval') return new Set(canonTla(v).slice(1, -1).split(',').filter((x) => x !== ''));
  return undefined;
}

/** node name -> the elements of its set, for a function TLC printed as `c1 :> {...} @@ ...`. */
function perNode(v: TlaValue | undefined): Map<string, Set<string>> | undefined {
  if (v === undefined || v.kind !== 'function') return undefined;
  const out = new Map<string, Set<string>>();
  for (const e of v.entries) {
    const name = e.key.kind === 'model' ? e.key.name : e.key.kind === 'string' ? e.key.value : undefined;
    const set = elementsOf(e.value);
    if (name === undefined || set === undefined) return undefined;
    out.set(name, set);
  }
  return out;
}

/** The target's monotone sets, and a test of an id against them (cached: ids are interned once). */
class Bound {
  private readonly pool: Set<string>;
  private readonly byNode = new Map<Part, (Set<string> | undefined)[]>();
  private readonly verdicts = new Map<string, boolean>();
  readonly sizes: Record<Part, number[]>;

  constructor(private readonly system: System, private readonly canon: StateCanon, target: TraceState) {
    const vars = new Map(target.variables.map((v) => [v.name, v.value]));
    this.pool = elementsOf(vars.get('pool')) ?? new Set();
    const names = system.model.nodes.map((n) => n.name);
    this.sizes = { pool: [this.pool.size], known: [], handled: [], forgotten: [] };
    for (const part of ['known', 'handled', 'forgotten'] as const) {
      const m = perNode(vars.get(part));
      // A module without `forgotten` (a program that never forgets): every node's is empty.
      const sets = names.map((n) => (m === undefined ? (part === 'forgotten' ? new Set<string>() : undefined) : (m.get(n) ?? new Set<string>())));
      this.byNode.set(part, sets);
      this.sizes[part] = sets.map((x) => x?.size ?? -1);
    }
  }

  /** Whether TLC printed the sets this search needs. */
  complete(): boolean {
    return (['known', 'handled'] as const).every((p) => this.byNode.get(p)!.every((x) => x !== undefined));
  }

  private has(part: Part, node: number, id: number): boolean {
    const key = `${part}|${node}|${id}`;
    let v = this.verdicts.get(key);
    if (v === undefined) {
      const text = part === 'handled' ? this.canon.instance(id) : this.canon.statement(id);
      v = part === 'pool' ? this.pool.has(text) : this.byNode.get(part)![node]?.has(text) === true;
      this.verdicts.set(key, v);
    }
    return v;
  }

  /** Whether `s`'s monotone sets are each within the target's. */
  within(s: State): boolean {
    if (!s.pool.every((id) => this.has('pool', 0, id))) return false;
    for (let n = 0; n < this.system.model.nodes.length; n++) {
      // known ∪ forgotten grows, not known: a statement known on the way may be forgotten at the target.
      if (!s.known[n]!.every((id) => this.has('known', n, id) || this.has('forgotten', n, id))) return false;
      if (!s.handled[n]!.every((id) => this.has('handled', n, id))) return false;
      if (!s.forgotten[n]!.every((id) => this.has('forgotten', n, id))) return false;
    }
    return true;
  }

  /** Whether `s` has as many elements in each set as the target (then it is compared whole). */
  sameSizes(s: State): boolean {
    if (s.pool.length !== this.sizes.pool[0]) return false;
    for (let n = 0; n < this.system.model.nodes.length; n++) {
      if (s.known[n]!.length !== this.sizes.known[n] || s.handled[n]!.length !== this.sizes.handled[n]) return false;
      if (s.forgotten[n]!.length !== this.sizes.forgotten[n]) return false;
    }
    return true;
  }
}

function keyOf(canon: StateCanon, s: State): string {
  return [...canon.state(s).values()].join('|');
}

/**
 * A path from the initial state to `target`, depth first through states
 * within the target's knowledge, exploring at most `limit` states.
 */
export function pathTo(system: System, target: TraceState, limit: number): PathSearch {
  const canon = new StateCanon(system);
  const bound = new Bound(system, canon, target);
  if (!bound.complete()) return { ok: false, reason: 'the state TLC printed lacks known or handled', explored: 0 };
  const init = system.initialState();
  interface Frame { readonly state: State; readonly action: Action | undefined; readonly next: { action: Action; state: State }[] }
  const seen = new Set<string>([keyOf(canon, init)]);
  const isTarget = (s: State): boolean => bound.sameSizes(s) && matches(canon.state(s), target);
  if (isTarget(init)) return { ok: true, states: [init], actions: [undefined], explored: 1 };
  const expand = (s: State): { action: Action; state: State }[] =>
    system
      .successors(s)
      .filter((x) => bound.within(x.state))
      .reverse();
  const stack: Frame[] = [{ state: init, action: undefined, next: expand(init) }];
  let explored = 1;
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const step = top.next.pop();
    if (step === undefined) {
      stack.pop();
      continue;
    }
    const key = keyOf(canon, step.state);
    if (seen.has(key)) continue;
    seen.add(key);
    explored++;
    if (isTarget(step.state)) {
      const states = [...stack.map((f) => f.state), step.state];
      const actions = [...stack.map((f) => f.action), step.action];
      return { ok: true, states, actions, explored };
    }
    if (explored >= limit) return { ok: false, reason: `no path found within ${limit} states`, explored };
    stack.push({ state: step.state, action: step.action, next: expand(step.state) });
  }
  return { ok: false, reason: 'no behaviour of the built-in semantics reaches the state TLC printed (the two semantics disagree)', explored };
}
