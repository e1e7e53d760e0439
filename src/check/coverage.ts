// How often each step of the abstract pool was generated during a search, and
// the warnings that follow from it: a transition that never fired, a Byzantine
// node that never published, a liveness property whose antecedent never held.
// An "ok" over a search that never exercised the protocol is vacuous; these
// counts are what tells a designer so (issue 21 item 20).
//
// A count is the number of successors of that kind the search generated, as
// TLC's coverage counts an action's generated states: both the in-process
// search and the parallel workers count every successor of every expanded
// state, so the figures agree between them (with --por, only the steps of the
// reduced graph are generated and counted).

import type { TransitionInfo } from '../analysis/program.js';
import type { Action } from '../semantics/system.js';
import type { ModelInstance } from '../semantics/model.js';
import type { Coverage } from './result.js';

/** Plain counts, as a worker thread posts them: `Role.Transition` → fires, node index → Byzantine publications. */
export interface PortableCoverage {
  readonly fires: readonly (readonly [string, number])[];
  readonly byzantine: readonly (readonly [number, number])[];
  readonly deliveries: number;
}

export class CoverageCounter {
  private readonly fires = new Map<TransitionInfo, number>();
  private readonly byzantine = new Map<number, number>();
  private deliveries = 0;
  /** Counts merged from other threads, by `Role.Transition`. */
  private readonly firesByName = new Map<string, number>();

  count(a: Action): void {
    if (a.kind === 'fire') this.fires.set(a.transition, (this.fires.get(a.transition) ?? 0) + 1);
    else if (a.kind === 'deliver') this.deliveries++;
    else this.byzantine.set(a.node, (this.byzantine.get(a.node) ?? 0) + 1);
  }

  /** The counts so far, as plain data, and zeroes this counter (a worker posts what it counted since its last report). */
  drain(): PortableCoverage {
    const out: PortableCoverage = {
      fires: [...this.fires].map(([t, k]) => [`${t.role}.${t.name}`, k] as const),
      byzantine: [...this.byzantine],
      deliveries: this.deliveries,
    };
    this.fires.clear();
    this.byzantine.clear();
    this.deliveries = 0;
    return out;
  }

  add(p: PortableCoverage): void {
    for (const [name, k] of p.fires) this.firesByName.set(name, (this.firesByName.get(name) ?? 0) + k);
    for (const [node, k] of p.byzantine) this.byzantine.set(node, (this.byzantine.get(node) ?? 0) + k);
    this.deliveries += p.deliveries;
  }

  firesOf(t: TransitionInfo): number {
    return (this.fires.get(t) ?? 0) + (this.firesByName.get(`${t.role}.${t.name}`) ?? 0);
  }

  byzantineOf(node: number): number {
    return this.byzantine.get(node) ?? 0;
  }

  get delivered(): number {
    return this.deliveries;
  }
}

/** A liveness obligation `P ~> Q` and whether P held in some explored state. */
export interface Antecedent {
  readonly label: string;
  readonly everHeld: boolean;
}

/**
 * The coverage of a finished search: every transition of a role that some
 * correct node runs, with its count and location, each Byzantine node's
 * publications, and the warnings. `where` says what was explored ("34082
 * states", or "the 1000 states explored before the state limit").
 */
export function coverageOf(
  model: ModelInstance,
  counter: CoverageCounter,
  antecedents: readonly Antecedent[],
  where: string,
  locate: (t: TransitionInfo) => string,
): Coverage {
  const warnings: string[] = [];
  const transitions: Coverage['transitions'][number][] = [];
  for (const role of model.program.roles.values()) {
    const runners = model.nodes.filter((n) => n.role?.name === role.name && n.status === 'correct').length;
    if (runners === 0) continue;
    for (const t of role.transitions) {
      const fired = counter.firesOf(t);
      const location = locate(t);
      transitions.push({ role: role.name, transition: t.name, location, fired });
      if (fired === 0) warnings.push(`${role.name}.${t.name} (${location}) never fired in ${where}: no correct ${role.name} ever had it enabled`);
    }
  }
  const byzantine = model.byzantine.map((b) => {
    const node = model.nodes[b.node]!.name;
    const published = counter.byzantineOf(b.node);
    if (published === 0) warnings.push(`Byzantine ${node} never published in ${where}: the model's Byzantine behaviour was not exercised`);
    return { node, published };
  });
  for (const a of antecedents) {
    if (!a.everHeld) warnings.push(`${a.label} holds vacuously: its antecedent never held in ${where}`);
  }
  return { transitions, byzantine, deliveries: counter.delivered, warnings };
}
