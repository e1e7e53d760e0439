// A TLC counterexample of a refinement check as steps a person can follow:
// in wire terms (which item went from whom to whom, who accepted what) and
// in MOMMIE terms (the abstract pool's step it is: a Fire, a Deliver, a
// Byzantine publication, or a stutter). States are diffed; the composed
// module's variables (w_wire items [to, stmt, mk, lnk, relay], known, pool,
// handled) say who acted. A module-level model's trace gets the action and
// the changed variables only.

import type { Trace, TraceState, TraceVariable } from '../tlc/result.js';
import type { TlaValue } from '../tlc/values.js';
import { canonTla } from '../tlc/trace-map.js';
import type { RefineCounterexample, RefineStep } from './result.js';

/** Each record type's fields in the order the program declares them (TLC prints a record's fields in an order of its own). */
export type FieldOrder = ReadonlyMap<string, readonly string[]>;

const NO_ORDER: FieldOrder = new Map();

/** TLA+ value as MOMMIE writes it: principals bare, sets in braces, records as Type(field = value), fields in `order`. */
export function showTla(v: TlaValue, order: FieldOrder = NO_ORDER): string {
  const show = (x: TlaValue): string => showTla(x, order);
  switch (v.kind) {
    case 'bool':
      return v.value ? 'TRUE' : 'FALSE';
    case 'int':
      return String(v.value);
    case 'string':
      return JSON.stringify(v.value);
    case 'model':
      return v.name;
    case 'set':
      return `{${v.elements.map(show).join(', ')}}`;
    case 'seq':
      return `<<${v.elements.map(show).join(', ')}>>`;
    case 'interval':
      return `${v.low}..${v.high}`;
    case 'raw':
      return v.text;
    case 'function':
      return `[${v.entries.map((e) => `${show(e.key)} |-> ${show(e.value)}`).join(', ')}]`;
    case 'record': {
      const type = field(v, 'type');
      if (type?.kind === 'string') {
        const declared = order.get(type.value) ?? [];
        const rank = (n: string): number => (declared.includes(n) ? declared.indexOf(n) : declared.length);
        const rest = v.fields.filter((f) => f.name !== 'type').sort((a, b) => rank(a.name) - rank(b.name));
        return `${type.value}(${rest.map((f) => `${f.name} = ${show(f.value)}`).join(', ')})`;
      }
      if (field(v, 'issuer') !== undefined && field(v, 'record') !== undefined) return showStatement(v, order);
      return `[${v.fields.map((f) => `${f.name} |-> ${show(f.value)}`).join(', ')}]`;
    }
  }
}

function field(v: TlaValue, name: string): TlaValue | undefined {
  return v.kind === 'record' ? v.fields.find((f) => f.name === name)?.value : undefined;
}

function principalsText(v: TlaValue | undefined): string {
  if (v === undefined) return '?';
  if (v.kind === 'set') return v.elements.length === 0 ? 'NOONE' : v.elements.length === 1 ? showTla(v.elements[0]!) : showTla(v);
  return showTla(v);
}

/** `[c1, {r1, r2}, NOONE] Request(op = 0)`. */
export function showStatement(v: TlaValue, order: FieldOrder = NO_ORDER): string {
  return showStatementIn(v, order);
}

function showStatementIn(v: TlaValue, order: FieldOrder): string {
  const rec = field(v, 'record');
  return `[${principalsText(field(v, 'issuer'))}, ${principalsText(field(v, 'verifiers'))}, ${principalsText(field(v, 'auditors'))}] ${rec === undefined ? '?' : showTla(rec, order)}`;
}

function name(v: TlaValue | undefined): string {
  return v === undefined ? '?' : v.kind === 'model' ? v.name : showTla(v);
}

function variable(s: TraceState, n: string): TraceVariable | undefined {
  return s.variables.find((x) => x.name === n);
}

function elements(v: TlaValue | undefined): readonly TlaValue[] {
  return v?.kind === 'set' ? v.elements : [];
}

/** Elements of set `n` in `after` and not in `before`. */
function added(before: TraceState, after: TraceState, n: string): TlaValue[] {
  const old = new Set(elements(variable(before, n)?.value).map(canonTla));
  return elements(variable(after, n)?.value).filter((e) => !old.has(canonTla(e)));
}

/** The entries of function variable `n` (known, handled) whose value grew, with what was added. */
function grownEntries(before: TraceState, after: TraceState, n: string): { key: string; added: TlaValue[] }[] {
  const b = variable(before, n)?.value;
  const a = variable(after, n)?.value;
  if (a?.kind !== 'function') return [];
  const out: { key: string; added: TlaValue[] }[] = [];
  for (const e of a.entries) {
    const old = b?.kind === 'function' ? b.entries.find((x) => canonTla(x.key) === canonTla(e.key))?.value : undefined;
    const oldSet = new Set(elements(old).map(canonTla));
    const grown = elements(e.value).filter((x) => !oldSet.has(canonTla(x)));
    if (grown.length > 0) out.push({ key: name(e.key), added: grown });
  }
  return out;
}

function actionName(s: TraceState): string {
  return s.action.kind === 'action' ? s.action.name : s.action.kind === 'initial' ? 'Init' : s.action.raw;
}

/** `W_Fire_Replica_Execute` → `Replica.Execute`, using the program's operator names. */
function transitionOf(action: string, transitions: ReadonlyMap<string, string>): string | undefined {
  return action.startsWith('W_Fire_') ? (transitions.get(action.slice('W_Fire_'.length)) ?? action.slice('W_Fire_'.length)) : undefined;
}

function composedStep(index: number, before: TraceState, after: TraceState, transitions: ReadonlyMap<string, string>, order: FieldOrder): Omit<RefineStep, 'changes'> {
  const statement = (v: TlaValue): string => showStatement(v, order);
  const action = actionName(after);
  const items = added(before, after, 'w_wire');
  const arrows = items.map((m) => ({ kind: 'send' as const, from: name(field(m, 'lnk')), to: name(field(m, 'to')), label: statement(field(m, 'stmt') ?? m), forged: false }));
  const wire = items.map((m) => {
    const relay = elements(field(m, 'relay'));
    return `${name(field(m, 'lnk'))} → ${name(field(m, 'to'))}: ${statement(field(m, 'stmt') ?? m)} (authenticator by ${name(field(m, 'mk'))}${relay.length > 0 ? `; relay to ${relay.map(name).join(', ')}` : ''})`;
  });
  const learned = grownEntries(before, after, 'known');
  const issued = added(before, after, 'pool');
  const fired = grownEntries(before, after, 'handled');
  const transition = transitionOf(action, transitions);
  if (transition !== undefined) {
    const actor = fired[0]?.key ?? null;
    const pubs = issued.map(statement);
    return { index, action, actor, wire, arrows, mommie: `Fire ${transition} at ${actor ?? '?'}${pubs.length > 0 ? `, publishing ${pubs.join('; ')}` : ''}` };
  }
  if (learned.length > 0) {
    const l = learned[0]!;
    const stmt = l.added[0]!;
    const stmtText = statement(stmt);
    const via = elements(variable(before, 'w_wire')?.value).find((m) => name(field(m, 'to')) === l.key && canonTla(field(m, 'stmt') ?? m) === canonTla(stmt));
    // No item on the wire carried it to this node: the adversary sent it.
    if (action.startsWith('W_Adv') || via === undefined) {
      const inPool = elements(variable(before, 'pool')?.value).some((p) => canonTla(p) === canonTla(stmt));
      wire.unshift(`a Byzantine node → ${l.key}: ${stmtText}, accepted`);
      return { index, action, actor: null, wire, arrows: [{ kind: 'deliver' as const, from: 'Byzantine', to: l.key, label: stmtText, forged: !inPool }, ...arrows], mommie: inPool ? `Deliver ${stmtText} to ${l.key}` : `no step: ${l.key} accepts ${stmtText}, which nobody published` };
    }
    const from = name(field(via, 'lnk'));
    wire.unshift(`${l.key} accepts ${stmtText} from ${from}`);
    return { index, action, actor: l.key, wire, arrows: [{ kind: 'deliver' as const, from, to: l.key, label: stmtText, forged: false }, ...arrows], mommie: `Deliver ${stmtText} to ${l.key}` };
  }
  if (issued.length > 0) {
    const s = issued[0]!;
    return { index, action, actor: name(field(s, 'issuer')), wire, arrows, mommie: `Byzantine publication of ${statement(s)}` };
  }
  return { index, action, actor: arrows[0]?.from ?? null, wire, arrows, mommie: 'stutter (the wire only)' };
}

/**
 * The steps of a trace. `transitions` maps the program's action operators
 * (`Replica_Execute`) to MOMMIE names (`Replica.Execute`); composed traces
 * only, for a module's trace give `undefined`. `order` prints records'
 * fields as the program declares them.
 */
export function counterexampleOf(trace: Trace, transitions: ReadonlyMap<string, string> | undefined, order: FieldOrder = NO_ORDER): RefineCounterexample {
  const steps: RefineStep[] = [];
  const states = trace.states;
  for (let i = 1; i < states.length; i++) {
    const before = states[i - 1]!;
    const after = states[i]!;
    const changes = after.variables
      .filter((v) => variable(before, v.name)?.text !== v.text)
      .map((v) => ({ name: v.name, value: v.text }));
    if (transitions !== undefined) {
      steps.push({ ...composedStep(after.number, before, after, transitions, order), changes });
    } else {
      steps.push({ index: after.number, action: actionName(after), actor: null, wire: changes.map((c) => `${c.name}' = ${oneLine(c.value)}`), arrows: [], mommie: 'a step of the module (see the changed variables)', changes });
    }
  }
  const lasso = trace.lasso;
  // Stuttering forever is a loop on the last state.
  const loopsTo = lasso === null ? null : lasso.kind === 'back-to-state' ? lasso.state : (states[states.length - 1]?.number ?? null);
  return { steps, loopsTo };
}

function oneLine(s: string): string {
  const t = s.replace(/\s+/g, ' ');
  return t.length > 200 ? `${t.slice(0, 197)}...` : t;
}
