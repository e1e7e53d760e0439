// The state the analysis passes share: the global scope, the side tables of the
// checked program being built, and the diagnostics in the order they are found.
// Each pass is a module of functions over one `Analysis`; none keeps state of
// its own, so the order in which passes run is the only coupling between them.

import { diag, type Diagnostic, type Span } from '../diagnostics/diagnostic.js';
import type { Code } from '../diagnostics/codes.js';
import type * as A from '../syntax/ast.js';
import type { RecordInfo, RoleInfo } from './program.js';
import { Scope, type Symbol } from './symbols.js';
import type { Domain, Ty } from './types.js';

/** Where an expression stands decides what it may read. */
export type Where = 'constant' | 'function' | 'init' | 'trigger' | 'body' | 'invariant' | 'property' | 'model';

export interface Ctx {
  readonly where: Where;
  readonly role?: { readonly name: string; readonly set: string };
}

/**
 * The passes that the expression and type checks call back into. The grammar
 * nests (an expression holds patterns, record constructors and bound names;
 * a type holds constant expressions and enumerations), so the checks recurse
 * across passes; passes import each other only downward, and these calls go
 * up through the Analysis (filled by the checker), which keeps the modules
 * free of import cycles.
 */
export interface Recursion {
  readonly bind: typeof import('./binding.js').bind;
  readonly bindPattern: typeof import('./binding.js').bindPattern;
  readonly constant: typeof import('./constants.js').constant;
  readonly constantTypeOf: typeof import('./constants.js').constantTypeOf;
  readonly declareEnum: typeof import('./declare.js').declareEnum;
  readonly domain: typeof import('./domains.js').domain;
  readonly checkPatternBody: typeof import('./patterns.js').checkPatternBody;
  readonly checkConstructorArgs: typeof import('./roles.js').checkConstructorArgs;
}

export class Analysis {
  readonly diagnostics: Diagnostic[] = [];
  readonly global = new Scope();
  readonly resolution = new Map<number, Symbol>();
  readonly typeOf = new Map<number, Ty>();
  readonly domainOf = new Map<number, Domain>();

  readonly principalSets = new Map<string, string[]>();
  readonly constants = new Map<string, A.Decl & { kind: 'constant' }>();
  /** Constant types are computed on first use, so a cycle shows as 'pending'. */
  readonly constantTy = new Map<string, Ty | 'pending'>();
  readonly types = new Map<string, Domain>();
  readonly records = new Map<string, RecordInfo>();
  readonly functions = new Map<string, A.Decl & { kind: 'function' }>();
  readonly roles = new Map<string, RoleInfo>();
  readonly invariants = new Map<string, A.Decl & { kind: 'invariant' }>();
  readonly properties = new Map<string, A.Decl & { kind: 'property' }>();
  readonly models = new Map<string, A.Decl & { kind: 'model' }>();
  /** Role name by principal set, to resolve `p.var` in properties. */
  readonly roleOfSet = new Map<string, string>();
  /** Multivalent fields of each quorum pattern's record binder (by binder id). */
  readonly multivalent = new Map<number, Set<string>>();
  /** Calls between functions, for the recursion check. */
  readonly calls = new Map<string, Set<string>>();
  /** Where calls found now are recorded: the function (or model definition) being checked. */
  callSink: Set<string> | undefined;
  /** Principal names the program mentions outside PRINCIPALS and models (symmetry soundness). */
  readonly namedPrincipals = new Set<string>();
  /** What `CheckedProgram.symmetryMembers` says, filled by the model checks. */
  readonly symmetryMembers = new Map<number, readonly string[]>();
  /**
   * Where principal names found now are recorded: `namedPrincipals` in the
   * program, nowhere in a model's own items, the model's set in its function
   * definitions (which a model's SYMMETRY must respect too).
   */
  principalSink: Set<string> | undefined = this.namedPrincipals;

  constructor(
    readonly ast: A.Program,
    /** Turns an offset into a 1-based line, for naming unnamed transitions. */
    readonly lineAt: (offset: number) => number,
    /** The passes called back into (see Recursion). */
    readonly up: Recursion,
  ) {}

  err(code: Code, message: string, span: Span): void {
    this.diagnostics.push(diag(code, this.ast.file, message, span));
  }
}
