// MOMMIE values and pool states in the Informal Trace Format (ITF, the JSON
// traces Apalache and Quint read and write:
// https://apalache-mc.org/docs/adr/015adr-trace.html), shaped as the
// generated TLA+ module (docs/tla.md) holds them, so a trace means the same
// thing whichever engine found it:
//   integer          {"#bigint": "n"}
//   Boolean          true / false
//   enumeration value, principal   a string (TLA+ strings and model values)
//   set              {"#set": [...]}
//   record           an object with `type` and the fields ([type: {"Order"}, m: ..., ...])
//   statement        {issuer, verifiers: #set, auditors: #set, record}
//   role variable x  {"#map": [[node, value], ...]} over the role's principals
//   pool             {"#set": [statement, ...]}
//   known, handled   {"#map": [[principal, {"#set": [...]}], ...]} over every principal
//   trigger instance {"#tup": ["Transition", params..., record, issuer, ...]}

import type { CheckedProgram } from '../analysis/program.js';
import { programForgets } from '../semantics/forget.js';
import type { State } from '../semantics/state.js';
import type { System } from '../semantics/system.js';
import type { StatementValue, Value } from '../semantics/value.js';
import { roleVarName } from '../tla/names.js';

export type ItfValue =
  | boolean
  | string
  | { readonly '#bigint': string }
  | { readonly '#set': readonly ItfValue[] }
  | { readonly '#tup': readonly ItfValue[] }
  | { readonly '#map': readonly (readonly [ItfValue, ItfValue])[] }
  | { readonly [field: string]: ItfValue };

export function itfValue(program: CheckedProgram, v: Value): ItfValue {
  if (typeof v === 'number') return { '#bigint': String(v) };
  if (typeof v === 'boolean' || typeof v === 'string') return v;
  if (v.kind === 'set') return { '#set': v.elems.map((e) => itfValue(program, e)) };
  if (v.kind === 'statement') return statement(program, v);
  const fields = program.records.get(v.type)?.fields ?? [];
  const out: Record<string, ItfValue> = { type: v.type };
  v.fields.forEach((f, i) => {
    out[fields[i]?.name ?? `f${i}`] = itfValue(program, f);
  });
  return out;
}

function statement(program: CheckedProgram, s: StatementValue): ItfValue {
  return { issuer: s.issuer, verifiers: { '#set': [...s.verifiers] }, auditors: { '#set': [...s.auditors] }, record: itfValue(program, s.record) };
}

/** The module's variables, in its VARIABLES order: role variables, then pool, known, handled (and forgotten when a role forgets). */
export function itfVariables(program: CheckedProgram): string[] {
  const vs: string[] = [];
  for (const r of program.roles.values()) for (const v of r.vars) vs.push(roleVarName(program, r.name, v.name));
  return [...vs, 'pool', 'known', 'handled', ...(programForgets(program.roles.values()) ? ['forgotten'] : [])];
}

export function itfState(system: System, s: State): Record<string, ItfValue> {
  const model = system.model;
  const program = model.program;
  const out: Record<string, ItfValue> = {};
  for (const r of program.roles.values()) {
    const holders = model.nodes.filter((n) => n.role?.name === r.name);
    r.vars.forEach((v, i) => {
      out[roleVarName(program, r.name, v.name)] = { '#map': holders.map((n) => [n.name, itfValue(program, s.vars[n.index]![i]!)] as const) };
    });
  }
  const stmt = (id: number): ItfValue => statement(program, system.interner.stmt(id));
  out['pool'] = { '#set': s.pool.map(stmt) };
  out['known'] = { '#map': model.nodes.map((n) => [n.name, { '#set': (s.known[n.index] ?? []).map(stmt) }] as const) };
  out['handled'] = {
    '#map': model.nodes.map((n) => [n.name, { '#set': (s.handled[n.index] ?? []).map((id) => {
      const inst = system.interner.inst(id);
      return { '#tup': [inst.transition, ...inst.values.map((x) => itfValue(program, x))] };
    }) }] as const),
  };
  if (system.forgets) out['forgotten'] = { '#map': model.nodes.map((n) => [n.name, { '#set': (s.forgotten[n.index] ?? []).map(stmt) }] as const) };
  if (system.forgets) out['forgotten'] = { '#map': model.nodes.map((n) => [n.name, { '#set': (s.forgotten[n.index] ?? []).map(stmt) }] as const) };
  return out;
}
