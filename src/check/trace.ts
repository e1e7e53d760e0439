// Turns a path of state indices into MOMMIE steps: the search keeps only
// fingerprints, so the trace is rebuilt by replaying from the initial state
// and choosing, at each step, the successor with the recorded fingerprint.

import type { Action, System } from '../semantics/system.js';
import type { State } from '../semantics/state.js';
import type { StatementView, Trace, TraceStep, VarChange, StepAction } from './result.js';
import type { ExploredGraph } from './search.js';
import { SourceText } from '../diagnostics/source.js';

export interface Replayed {
  readonly states: readonly State[];
  readonly actions: readonly (Action | undefined)[];
}

export function replay(system: System, g: ExploredGraph, path: readonly number[]): Replayed {
  const states: State[] = [system.initialState()];
  const actions: (Action | undefined)[] = [undefined];
  for (let k = 1; k < path.length; k++) {
    const want = g.fingerprints[path[k]!]!;
    const succ = system.successors(states[k - 1]!).find((s) => g.fingerprinter.fingerprint(s.state) === want);
    if (succ === undefined) throw new Error(`trace replay lost the path at step ${k + 1}`);
    states.push(succ.state);
    actions.push(succ.action);
  }
  return { states, actions };
}

export class TraceRenderer {
  constructor(
    private readonly system: System,
    private readonly source: SourceText | undefined,
  ) {}

  statement(id: number): StatementView {
    const s = this.system.interner.stmt(id);
    return { issuer: s.issuer, verifiers: s.verifiers, auditors: s.auditors, record: this.system.ev.show(s.record), recordType: s.record.type };
  }

  action(a: Action | undefined): StepAction {
    if (a === undefined) return { kind: 'init' };
    const node = this.system.model.nodes[a.node]!.name;
    switch (a.kind) {
      case 'fire': {
        const pos = this.source?.position(a.transition.decl.span.start);
        return {
          kind: 'fire',
          node,
          role: a.transition.role,
          transition: a.transition.name,
          timeout: a.transition.decl.kind === 'timeout',
          binding: Object.fromEntries(a.binding.map(([k, v]) => [k, this.system.ev.show(v)])),
          published: a.published.map((id) => this.statement(id)),
          location: `${this.system.model.program.file}:${pos?.line ?? 0}:${pos?.column ?? 0}`,
        };
      }
      case 'deliver':
        return { kind: 'deliver', node, statement: this.statement(a.statement) };
      case 'byzantine':
        return { kind: 'byzantine', node, statement: this.statement(a.statement) };
    }
  }

  changes(before: State | undefined, after: State): VarChange[] {
    const out: VarChange[] = [];
    for (const n of this.system.model.nodes) {
      // Faulty nodes never run their role: their variables stay initial and say nothing.
      if (n.role === undefined || n.status !== 'correct') continue;
      n.role.vars.forEach((v, i) => {
        const a = after.vars[n.index]![i]!;
        const b = before?.vars[n.index]![i];
        const shownA = this.system.ev.show(a);
        if (b === undefined) out.push({ node: n.name, variable: v.name, after: shownA });
        else {
          const shownB = this.system.ev.show(b);
          if (shownA !== shownB) out.push({ node: n.name, variable: v.name, before: shownB, after: shownA });
        }
      });
    }
    return out;
  }

  trace(r: Replayed, loopsTo?: number): Trace {
    const steps: TraceStep[] = r.states.map((s, k) => ({
      index: k + 1,
      action: this.action(r.actions[k]),
      changes: this.changes(k === 0 ? undefined : r.states[k - 1], s),
    }));
    return loopsTo === undefined ? { steps } : { steps, loopsTo };
  }
}
