// A counterexample (src/check/result.ts Trace: steps rendered as text, from
// either engine) as an ITF trace. The text cannot be parsed back into values,
// so the trace is re-done in the semantics: from the model's initial state,
// each step is the successor (System.successors, the one step relation every
// engine is checked against) whose rendered action is the step's, and, where
// several are, whose variable changes are too.

import type { CheckedProgram } from '../analysis/program.js';
import type { Trace, TraceStep } from '../check/result.js';
import { TraceRenderer } from '../check/trace.js';
import type { SourceText } from '../diagnostics/source.js';
import { instantiate } from '../semantics/model.js';
import type { State } from '../semantics/state.js';
import { System } from '../semantics/system.js';
import { itfState, itfVariables, type ItfValue } from './value.js';

export interface ItfTrace {
  readonly '#meta': { readonly format: 'ITF'; readonly 'format-description': string; readonly source: string; readonly description: string };
  readonly vars: readonly string[];
  readonly states: readonly ({ readonly '#meta': { readonly index: number } } & Record<string, ItfValue | { readonly index: number }>)[];
  readonly loop?: number;
}

export type ItfResult = { readonly ok: true; readonly itf: ItfTrace } | { readonly ok: false; readonly message: string };

const actionKey = (a: TraceStep['action']): string => JSON.stringify(a.kind === 'fire' ? { ...a, location: '' } : a);
const changesKey = (s: Pick<TraceStep, 'changes'>): string => JSON.stringify([...s.changes].map((c) => `${c.node}.${c.variable}=${c.after}`).sort());

export class ItfWriter {
  private readonly systems = new Map<string, System>();

  constructor(
    private readonly program: CheckedProgram,
    private readonly source: SourceText | undefined,
  ) {}

  private system(model: string): System | string {
    const known = this.systems.get(model);
    if (known !== undefined) return known;
    const inst = instantiate(this.program, model);
    if (!inst.ok) return inst.error.message;
    const s = new System(inst.instance);
    this.systems.set(model, s);
    return s;
  }

  trace(model: string, trace: Trace, description: string): ItfResult {
    const system = this.system(model);
    if (typeof system === 'string') return { ok: false, message: system };
    const render = new TraceRenderer(system, this.source);
    const states: State[] = [system.initialState()];
    for (let k = 1; k < trace.steps.length; k++) {
      const want = trace.steps[k]!;
      const prev = states[k - 1]!;
      const same = system.successors(prev).filter((s) => actionKey(render.action(s.action)) === actionKey(want.action));
      const chosen = same.length <= 1 ? same[0] : same.find((s) => changesKey({ changes: render.changes(prev, s.state) }) === changesKey(want));
      if (chosen === undefined) return { ok: false, message: `step ${want.index} of the counterexample is no step of the semantics from the state before it` };
      states.push(chosen.state);
    }
    const first = trace.steps[0]?.index ?? 1;
    return {
      ok: true,
      itf: {
        '#meta': {
          format: 'ITF',
          'format-description': 'https://apalache-mc.org/docs/adr/015adr-trace.html',
          source: this.program.file,
          description,
        },
        vars: itfVariables(this.program),
        states: states.map((s, i) => ({ '#meta': { index: i }, ...itfState(system, s) })),
        ...(trace.loopsTo !== undefined ? { loop: trace.loopsTo - first } : {}),
      },
    };
  }
}
