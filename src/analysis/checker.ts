// The analysis of a parsed program, as passes over one shared `Analysis`:
//
//   1. declare (declare.ts): every global name, type alias and record domain;
//   2. check declarations, in source order: constants (constants.ts),
//      functions (functions.ts), roles with their transitions and body specs
//      (roles.ts), invariants and properties; each resolves names and types its
//      expressions through expressions.ts, binding.ts and patterns.ts;
//   3. models (models.ts), which name everything else;
//   4. whole-program rules: no recursion among functions, at least one model.
//
// Names and types are resolved in one walk of each declaration rather than in
// two passes, because resolution depends on types here (`p.x` is a record
// field or another role's variable according to the type of `p`), and because
// diagnostics at one position are reported in the order this walk finds them.

import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type * as A from '../syntax/ast.js';
import { bind, bindPattern } from './binding.js';
import { constant, constantTypeOf } from './constants.js';
import { Analysis, type Ctx } from './context.js';
import { declareEnum, declareGlobals } from './declare.js';
import { domain } from './domains.js';
import { expect, expr } from './expressions.js';
import { checkFunction, checkRecursion } from './functions.js';
import { checkModel } from './models.js';
import type { CheckedProgram } from './program.js';
import { checkPatternBody } from './patterns.js';
import { checkConstructorArgs, checkRole } from './roles.js';
import { BOOL } from './types.js';

// Later stages import these from here.
export { children, exprText, findTemporal } from './walk.js';

export interface AnalysisResult {
  readonly program: CheckedProgram;
  readonly diagnostics: Diagnostic[];
}

/** `lineAt` turns an offset into a 1-based line, for naming unnamed transitions. */
export function analyze(ast: A.Program, lineAt: (offset: number) => number): AnalysisResult {
  const an = new Analysis(ast, lineAt, { bind, bindPattern, constant, constantTypeOf, declareEnum, domain, checkPatternBody, checkConstructorArgs });
  declareGlobals(an);
  checkDeclarations(an);
  checkRecursion(an);
  if (an.models.size === 0) {
    an.err('MOM419', `program ${ast.name.name} declares no MODEL, so nothing can be model-checked`, ast.name.span);
  }
  const program: CheckedProgram = {
    name: ast.name.name,
    file: ast.file,
    ast,
    principalSets: an.principalSets,
    constants: an.constants,
    types: an.types,
    records: an.records,
    functions: an.functions,
    roles: an.roles,
    invariants: an.invariants,
    properties: an.properties,
    models: an.models,
    resolution: an.resolution,
    symmetryMembers: an.symmetryMembers,
    typeOf: an.typeOf,
    domainOf: an.domainOf,
  };
  return { program, diagnostics: an.diagnostics };
}

function checkDeclarations(an: Analysis): void {
  for (const d of an.ast.decls) {
    switch (d.kind) {
      case 'constant':
        constantTypeOf(an, d.name.name, d);
        break;
      case 'function':
        checkFunction(an, d);
        break;
      case 'role':
        checkRole(an, d);
        break;
      case 'invariant':
      case 'property': {
        const ctx: Ctx = { where: d.kind };
        const ty = expr(an, d.body, an.global, ctx);
        expect(an, ty, BOOL, d.body, 'MOM303', `${d.kind} ${d.name.name}`);
        break;
      }
      default:
        break;
    }
  }
  // Models last: they refer to properties, constants and principals.
  an.principalSink = undefined;
  for (const d of an.ast.decls) if (d.kind === 'model') checkModel(an, d);
}
