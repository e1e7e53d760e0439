// What the models did not cover: a deployment constant whose value no model
// checked. `mommie verify` proves properties for the models' values only; a
// run with MaxSeq = 100000 relies on the protocol behaving the same beyond
// them, which is worth saying out loud.

import type { ConstValue } from '../analysis/consteval.js';
import { constEval } from '../analysis/consteval.js';
import type { CheckedProgram } from '../analysis/program.js';
import { diag, type Diagnostic } from '../diagnostics/diagnostic.js';
import { constEnv, type ConstOverride } from './constants.js';
import type { Deployment } from './deployment.js';
import type { DeploySyntax } from './syntax.js';

/** The value of constant `name` in each model of the program. */
function modelValues(program: CheckedProgram, name: string): Map<string, ConstValue | undefined> {
  const out = new Map<string, ConstValue | undefined>();
  const decl = program.constants.get(name);
  if (decl === undefined) return out;
  for (const [model, m] of program.models) {
    const overrides = new Map<string, ConstOverride>();
    for (const item of m.items) if (item.kind === 'constant') overrides.set(item.name.name, { expr: item.value });
    const env = constEnv(program, overrides);
    out.set(model, env.lookup(name) ?? constEval(decl.value, env));
  }
  return out;
}

function show(v: ConstValue | undefined): string {
  if (v === undefined) return '?';
  if (typeof v === 'object') return `{${v.set.join(', ')}}`;
  return typeof v === 'boolean' ? (v ? 'TRUE' : 'FALSE') : String(v);
}

export function coverageWarnings(program: CheckedProgram, syntax: DeploySyntax, d: Deployment): Diagnostic[] {
  // Without models nothing was checked; the front end already warns (MOM419).
  if (program.models.size === 0) return [];
  const out: Diagnostic[] = [];
  for (const e of syntax.constants) {
    const v = d.constants.get(e.name.name);
    if (v === undefined) continue;
    const checked = modelValues(program, e.name.name);
    const values = [...checked.values()];
    if (typeof v === 'number') {
      const numbers = values.filter((x): x is number => typeof x === 'number');
      const max = numbers.length === 0 ? undefined : Math.max(...numbers);
      if (max !== undefined && v > max) {
        const where = [...checked].filter(([, x]) => x === max).map(([m]) => m).join(', ');
        out.push(diag('MOM630', syntax.file, `${e.name.name} = ${v} is larger than any model checked (at most ${max}, in ${where}): the verdicts of mommie verify do not cover it`, e.span));
      }
      continue;
    }
    if (!values.some((x) => x === v)) {
      out.push(diag('MOM630', syntax.file, `${e.name.name} = ${show(v)} is a value no model checked (the models have ${[...new Set(values.map(show))].join(', ')})`, e.span));
    }
  }
  return out;
}
