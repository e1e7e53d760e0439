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
  ) {}

  err(code: Code, message: string, span: Span): void {
    this.diagnostics.push(diag(code, this.ast.file, message, span));
  }
}
