// Function definitions, and the one rule over all of them together: no
// recursion, so that every evaluation ends (MOM405).

import type * as A from '../syntax/ast.js';
import { bindParam } from './binding.js';
import type { Analysis } from './context.js';
import { domain, requireNoStatements } from './domains.js';
import { expect, expr } from './expressions.js';
import { tyOfDomain } from './types.js';

export function checkFunction(an: Analysis, d: A.Decl & { kind: 'function' }): void {
  const scope = an.global.child();
  for (const p of d.params) bindParam(an, p, scope, 'function-param');
  const result = domain(an, d.result, an.global, `${d.name.name}.result`);
  an.domainOf.set(d.id, result);
  requireNoStatements(an, result, d.result.span, `the result of function ${d.name.name}`);
  const calls = new Set<string>();
  an.calls.set(d.name.name, calls);
  // Left to the program: each model defines it (models.ts).
  if (d.body === undefined) return;
  an.callSink = calls;
  const ty = expr(an, d.body, scope, { where: 'function' });
  an.callSink = undefined;
  expect(an, ty, tyOfDomain(result), d.body, 'MOM300', `the result of function ${d.name.name}`);
}

export function checkRecursion(an: Analysis): void {
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (f: string): boolean => {
    if (state.get(f) === 'done') return false;
    if (state.get(f) === 'visiting') return true;
    state.set(f, 'visiting');
    for (const g of an.calls.get(f) ?? []) {
      if (visit(g)) {
        state.set(f, 'done');
        const d = an.functions.get(f);
        if (d !== undefined) an.err('MOM405', `function ${f} calls itself (through ${g}); MOMMIE functions are not recursive, so that every evaluation ends`, d.name.span);
        return false;
      }
    }
    state.set(f, 'done');
    return false;
  };
  for (const f of an.calls.keys()) visit(f);
}
