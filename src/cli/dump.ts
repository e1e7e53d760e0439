// The checked program as JSON, for debugging and golden tests: the parse
// tree as it is, and the side tables keyed by node id.

import type { CheckedProgram } from '../analysis/program.js';
import { showDomain, showTy, type Domain } from '../analysis/types.js';
import type { Symbol } from '../analysis/symbols.js';

export interface ProgramDump {
  readonly format: 'mommie-checked-program/1';
  readonly program: string;
  readonly file: string;
  readonly principalSets: Record<string, readonly string[]>;
  readonly records: Record<string, Record<string, string>>;
  readonly roles: Record<string, { set: string; vars: Record<string, string>; transitions: string[] }>;
  readonly invariants: string[];
  readonly properties: string[];
  readonly models: string[];
  readonly ast: unknown;
  readonly resolution: Record<string, Symbol>;
  readonly types: Record<string, string>;
}

function domainText(d: Domain): string {
  return showDomain(d, () => 'range');
}

export function dumpProgram(p: CheckedProgram): ProgramDump {
  const byId = <V, W>(m: ReadonlyMap<number, V>, f: (v: V) => W): Record<string, W> =>
    Object.fromEntries([...m.entries()].sort((a, b) => a[0] - b[0]).map(([k, v]) => [String(k), f(v)]));
  return {
    format: 'mommie-checked-program/1',
    program: p.name,
    file: p.file,
    principalSets: Object.fromEntries(p.principalSets),
    records: Object.fromEntries([...p.records].map(([n, r]) => [n, Object.fromEntries(r.fields.map((f) => [f.name, domainText(f.domain)]))])),
    roles: Object.fromEntries(
      [...p.roles].map(([n, r]) => [
        n,
        { set: r.set, vars: Object.fromEntries(r.vars.map((v) => [v.name, domainText(v.domain)])), transitions: r.transitions.map((t) => t.name) },
      ]),
    ),
    invariants: [...p.invariants.keys()],
    properties: [...p.properties.keys()],
    models: [...p.models.keys()],
    ast: p.ast,
    resolution: byId(p.resolution, (s) => s),
    types: byId(p.typeOf, showTy),
  };
}
