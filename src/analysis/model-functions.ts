// A model's definitions of the functions the program leaves to its
// implementation (`FUNCTION execute(req: Request): Result` with no body). The
// model checker and the TLA+ translation need a meaning for each, and a model
// gives it as an ordinary MOMMIE function body over the declaration's
// parameter types: deterministic, so the two engines count the same states as
// if the program had defined it, and every node sees the same function.

import type * as A from '../syntax/ast.js';
import { bind } from './binding.js';
import type { Analysis } from './context.js';
import { expect, expr } from './expressions.js';
import { ANY, tyOfDomain } from './types.js';

/**
 * Checks the model's FUNCTION items, then that every function left to the
 * program has one. Returns the principals the definitions name, which the
 * model's SYMMETRY must respect as it respects the program's.
 */
export function checkModelFunctions(an: Analysis, model: A.Decl & { kind: 'model' }): Set<string> {
  const named = new Set<string>();
  const defined = new Map<string, Set<string>>();
  for (const item of model.items) if (item.kind === 'function') checkDefinition(an, model, item, defined, named);
  for (const f of an.functions.values()) {
    if (f.body !== undefined || defined.has(f.name.name)) continue;
    const params = f.params.map((p) => p.name.name).join(', ');
    an.err('MOM421', `model ${model.name.name} does not define function ${f.name.name}, which the program leaves to its implementation; the checker needs its meaning: FUNCTION ${f.name.name}(${params}) = ... in the model`, model.name.span);
  }
  checkRecursionUnder(an, model, defined);
  return named;
}

function checkDefinition(an: Analysis, model: A.Decl & { kind: 'model' }, item: A.ModelItem & { kind: 'function' }, defined: Map<string, Set<string>>, named: Set<string>): void {
  const name = item.name.name;
  const s = an.global.lookup(name);
  const f = s?.k === 'function' ? an.functions.get(s.name) : undefined;
  if (f === undefined || f.body !== undefined) {
    an.err('MOM420', f === undefined
      ? `model ${model.name.name} defines ${name}, which is not a FUNCTION of the program${s === undefined ? '' : ` (it is ${s.k === 'record' ? 'a record type' : `a ${s.k}`})`}; declare it in the program: FUNCTION ${name}(...): Type`
      : `function ${name} is defined by the program; a model defines only functions the program leaves to its implementation (declared without '= ...')`, item.name.span);
    return;
  }
  an.resolution.set(item.name.id, s!);
  if (defined.has(name)) {
    an.err('MOM201', `function ${name} is defined twice in model ${model.name.name}`, item.name.span);
    return;
  }
  if (item.params.length !== f.params.length) {
    an.err('MOM204', `${name} takes ${f.params.length} argument${f.params.length === 1 ? '' : 's'}, but model ${model.name.name}'s definition names ${item.params.length}`, item.name.span);
  }
  const scope = an.global.child();
  item.params.forEach((p, i) => {
    const decl = f.params[i];
    const dom = decl === undefined ? undefined : an.domainOf.get(decl.id);
    if (dom !== undefined) an.domainOf.set(p.id, dom);
    bind(an, p, scope, dom === undefined ? ANY : tyOfDomain(dom), 'function-param');
  });
  const calls = new Set<string>();
  defined.set(name, calls);
  an.callSink = calls;
  const sink = an.principalSink;
  an.principalSink = named;
  const ty = expr(an, item.body, scope, { where: 'function' });
  an.principalSink = sink;
  an.callSink = undefined;
  const result = an.domainOf.get(f.id);
  if (result !== undefined) expect(an, ty, tyOfDomain(result), item.body, 'MOM300', `the result of function ${name} under model ${model.name.name}`);
}

/**
 * A definition that reaches itself through the program's functions (the
 * program's `g` calls `execute`, the model's `execute` calls `g`). Cycles
 * among the program's own functions are reported once, at the program.
 */
function checkRecursionUnder(an: Analysis, model: A.Decl & { kind: 'model' }, defined: ReadonlyMap<string, ReadonlySet<string>>): void {
  const callees = (f: string): ReadonlySet<string> => defined.get(f) ?? an.calls.get(f) ?? new Set();
  for (const item of model.items) {
    if (item.kind !== 'function' || defined.get(item.name.name) === undefined) continue;
    const start = item.name.name;
    const seen = new Set<string>();
    const path: string[] = [];
    const reaches = (f: string): boolean => {
      for (const g of callees(f)) {
        if (g === start) return true;
        if (seen.has(g)) continue;
        seen.add(g);
        path.push(g);
        if (reaches(g)) return true;
        path.pop();
      }
      return false;
    };
    if (reaches(start)) {
      const through = path.length === 0 ? '' : ` (through ${path.join(', ')})`;
      an.err('MOM405', `under model ${model.name.name}, function ${start} calls itself${through}; MOMMIE functions are not recursive, so that every evaluation ends`, item.name.span);
    }
  }
}
