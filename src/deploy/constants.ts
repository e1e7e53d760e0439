// The program's constants as deploy-check sees them: the values written in
// the program, overridden by a model's CONSTANT items or by the deploy file's
// [Constants]. Principals evaluate to their names and principal sets to their
// members, so that verifier and auditor expressions such as `R MINUS
// {PRIMARY}` fold to the principals they name.

import type { CheckedProgram } from '../analysis/program.js';
import { constEval, type ConstEnv, type ConstValue } from '../analysis/consteval.js';
import type { Domain } from '../analysis/types.js';
import type * as A from '../syntax/ast.js';

/** An override: a value (from a deploy file) or an expression (a model's `CONSTANT X = e`). */
export type ConstOverride = { readonly value: ConstValue } | { readonly expr: A.Expr };

export function constEnv(program: CheckedProgram, overrides: ReadonlyMap<string, ConstOverride> = new Map()): ConstEnv {
  const memo = new Map<string, ConstValue | undefined>();
  const visiting = new Set<string>();
  const memberOf = new Map<string, string>();
  for (const [set, members] of program.principalSets) for (const m of members) memberOf.set(m, set);

  const compute = (name: string): ConstValue | undefined => {
    const o = overrides.get(name);
    if (o !== undefined) return 'value' in o ? o.value : constEval(o.expr, env);
    const c = program.constants.get(name);
    if (c !== undefined) return constEval(c.value, env);
    const set = program.principalSets.get(name);
    if (set !== undefined) return { set: [...set].sort() };
    if (memberOf.has(name)) return name;
    const dom = program.types.get(name);
    return dom === undefined ? undefined : domainValues(dom, env);
  };
  const env: ConstEnv = {
    lookup(name) {
      if (memo.has(name)) return memo.get(name);
      // A constant defined through itself has no value (the front end reports it).
      if (visiting.has(name)) return undefined;
      visiting.add(name);
      const v = compute(name);
      visiting.delete(name);
      memo.set(name, v);
      return v;
    },
  };
  return env;
}

const MAX_ENUMERATED = 100_000;

/** The values of a finite domain, when they are constant. */
export function domainValues(dom: Domain, env: ConstEnv): ConstValue | undefined {
  switch (dom.k) {
    case 'range': {
      const lo = constEval(dom.lo, env);
      const hi = constEval(dom.hi, env);
      if (typeof lo !== 'number' || typeof hi !== 'number' || hi - lo > MAX_ENUMERATED) return undefined;
      return { set: Array.from({ length: Math.max(0, hi - lo + 1) }, (_, i) => lo + i) };
    }
    case 'enum':
      return { set: [...dom.values] };
    default:
      return undefined;
  }
}

/** The bounds of a range domain under `env`, when constant. */
export function rangeBounds(dom: Domain, env: ConstEnv): { lo: number; hi: number } | undefined {
  if (dom.k !== 'range') return undefined;
  const lo = constEval(dom.lo, env);
  const hi = constEval(dom.hi, env);
  return typeof lo === 'number' && typeof hi === 'number' ? { lo, hi } : undefined;
}

/** Principal names in a constant value: a principal, or a set of them. */
export function principalsIn(v: ConstValue | undefined, principals: ReadonlySet<string>): string[] | undefined {
  if (typeof v === 'string') return principals.has(v) ? [v] : undefined;
  if (typeof v === 'object') {
    const names = v.set.filter((x): x is string => typeof x === 'string' && principals.has(x));
    return names.length === v.set.length ? names : undefined;
  }
  return undefined;
}
