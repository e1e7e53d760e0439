// Shows TLC's counterexamples as MOMMIE steps. TLC prints states; the
// built-in semantics knows steps. Both use the same variables, so each TLC
// state is matched to the built-in successor whose TLA+ value is the same
// (compared in a canonical text of TLA+ values: sets and record fields sorted,
// functions as sorted maplets), and the matched steps are rendered as the
// built-in checker renders its own traces.

import type { System, Action } from '../semantics/system.js';
import type { State } from '../semantics/state.js';
import type { StatementValue, Value } from '../semantics/value.js';
import type { TlaValue } from './values.js';
import type { TraceState } from './result.js';
import { roleVarName, stepOperator } from '../tla/names.js';

function sortJoin(xs: string[]): string {
  return xs.sort().join(',');
}

/** Canonical text of a value TLC printed. */
export function canonTla(v: TlaValue): string {
  switch (v.kind) {
    case 'bool':
      return v.value ? 'T' : 'F';
    case 'int':
      return String(v.value);
    case 'string':
      return `s${JSON.stringify(v.value)}`;
    case 'model':
      return `m:${v.name}`;
    case 'set':
      return `{${sortJoin(v.elements.map(canonTla))}}`;
    case 'seq':
      return `<<${v.elements.map(canonTla).join(',')}>>`;
    case 'record':
      return `[${sortJoin(v.fields.map((f) => `${f.name}=${canonTla(f.value)}`))}]`;
    case 'function':
      // A function whose domain is strings is a record; TLC prints records as [a |-> 1].
      if (v.entries.length > 0 && v.entries.every((e) => e.key.kind === 'string')) {
        return `[${sortJoin(v.entries.map((e) => `${(e.key as { value: string }).value}=${canonTla(e.value)}`))}]`;
      }
      return `fn{${sortJoin(v.entries.map((e) => `${canonTla(e.key)}:${canonTla(e.value)}`))}}`;
    case 'interval': {
      const xs: string[] = [];
      for (let i = v.low; i <= v.high; i++) xs.push(String(i));
      return `{${sortJoin(xs)}}`;
    }
    case 'raw':
      return `raw:${v.text}`;
  }
}

/** Canonical text of the built-in state's variables, as the TLA+ translation encodes them. */
export class StateCanon {
  private readonly principals: ReadonlySet<string>;

  constructor(private readonly system: System) {
    this.principals = new Set(system.model.everyone);
  }

  value(v: Value): string {
    switch (typeof v) {
      case 'boolean':
        return v ? 'T' : 'F';
      case 'number':
        return String(v);
      case 'string':
        return this.principals.has(v) ? `m:${v}` : `s${JSON.stringify(v)}`;
      default:
        if (v.kind === 'set') return `{${sortJoin(v.elems.map((e) => this.value(e)))}}`;
        if (v.kind === 'statement') return this.statementOf(v);
        {
          const names = this.system.model.program.records.get(v.type)?.fields.map((f) => f.name) ?? [];
          return `[${sortJoin([`type=s${JSON.stringify(v.type)}`, ...v.fields.map((f, i) => `${names[i] ?? i}=${this.value(f)}`)])}]`;
        }
    }
  }

  /** Canonical text of the interned statement `id`, as an element of pool or known. */
  statement(id: number): string {
    return this.statementOf(this.system.interner.stmt(id));
  }

  private statementOf(s: StatementValue): string {
    const set = (xs: readonly string[]): string => `{${sortJoin(xs.map((x) => `m:${x}`))}}`;
    return `[${sortJoin([`issuer=m:${s.issuer}`, `verifiers=${set(s.verifiers)}`, `auditors=${set(s.auditors)}`, `record=${this.value(s.record)}`])}]`;
  }

  /** Canonical text of the interned trigger instance `id`, as an element of handled. */
  instance(id: number): string {
    const i = this.system.interner.inst(id);
    return `<<${[`s${JSON.stringify(i.transition)}`, ...i.values.map((v) => this.value(v))].join(',')}>>`;
  }

  /** TLA+ variable name -> canonical text, for every variable of the module. */
  state(s: State): Map<string, string> {
    const m = this.system.model;
    const out = new Map<string, string>();
    for (const role of m.program.roles.values()) {
      role.vars.forEach((v, vi) => {
        const entries = m.nodes.filter((n) => n.role?.name === role.name).map((n) => `m:${n.name}:${this.value(s.vars[n.index]![vi]!)}`);
        out.set(roleVarName(m.program, role.name, v.name), `fn{${sortJoin(entries)}}`);
      });
    }
    out.set('pool', `{${sortJoin(s.pool.map((id) => this.statement(id)))}}`);
    out.set('known', `fn{${sortJoin(m.nodes.map((n) => `m:${n.name}:{${sortJoin(s.known[n.index]!.map((id) => this.statement(id)))}}`))}}`);
    out.set('handled', `fn{${sortJoin(m.nodes.map((n) => `m:${n.name}:{${sortJoin(s.handled[n.index]!.map((id) => this.instance(id)))}}`))}}`);
    // Only a module of a program that forgets has this variable; matches() compares the variables TLC printed.
    out.set('forgotten', `fn{${sortJoin(m.nodes.map((n) => `m:${n.name}:{${sortJoin(s.forgotten[n.index]!.map((id) => this.statement(id)))}}`))}}`);
    return out;
  }
}

export function matches(ours: Map<string, string>, tlc: TraceState): boolean {
  for (const v of tlc.variables) {
    const mine = ours.get(v.name);
    if (mine === undefined || mine !== canonTla(v.value)) return false;
  }
  return true;
}

export type Mapped = { ok: true; states: State[]; actions: (Action | undefined)[] } | { ok: false; at: number; reason: string };

/** How TLC names a built-in step in a trace header: the operator applied to the node, `Client_Accept(c1)`. */
function stepCall(system: System, a: Action): string {
  const op = a.kind === 'fire' ? stepOperator({ kind: 'fire', role: a.transition.role, transition: a.transition.name }) : stepOperator(a);
  return `${op}(${system.model.nodes[a.node]?.name ?? '?'})`;
}

/** A TLC version that prints the operator without its arguments is matched on the operator. */
function sameStep(ours: string, tlc: string): boolean {
  return tlc.includes('(') ? ours === tlc : ours.startsWith(`${tlc}(`);
}

function tlcCall(s: TraceState): string | undefined {
  return s.action.kind === 'action' ? s.action.name.replace(/\s+/g, '') : undefined;
}

/**
 * Replays TLC's trace in the built-in semantics. When several MOMMIE steps
 * lead to TLC's next state, the one performed by the operator TLC names in
 * that step's header, applied to the node it names, is shown.
 */
export function mapTrace(system: System, states: readonly TraceState[]): Mapped {
  const canon = new StateCanon(system);
  const first = states[0];
  if (first === undefined) return { ok: false, at: 0, reason: 'TLC printed no states' };
  let cur = system.initialState();
  if (!matches(canon.state(cur), first)) return { ok: false, at: 1, reason: "TLC's initial state is not the built-in initial state" };
  const out: State[] = [cur];
  const actions: (Action | undefined)[] = [undefined];
  for (let k = 1; k < states.length; k++) {
    const want = states[k]!;
    const candidates = system.successors(cur).filter((s) => matches(canon.state(s.state), want));
    if (candidates.length === 0) return { ok: false, at: k + 1, reason: `no MOMMIE step leads to TLC's state ${k + 1}` };
    const named = tlcCall(want);
    const next = named === undefined ? candidates[0] : candidates.find((s) => sameStep(stepCall(system, s.action), named));
    if (next === undefined) {
      return { ok: false, at: k + 1, reason: `TLC took ${named}, but the MOMMIE steps that lead to its state are ${candidates.map((c) => stepCall(system, c.action)).join(', ')}` };
    }
    cur = next.state;
    out.push(cur);
    actions.push(next.action);
  }
  return { ok: true, states: out, actions };
}
