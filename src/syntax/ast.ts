// The parse tree. Every node carries a unique `id` (per parse) and its span;
// later stages keep what they learn about a node (its type, what a name
// resolves to) in side tables keyed by id, so the tree itself never changes.

import type { Span } from '../diagnostics/diagnostic.js';

export interface Node {
  readonly id: number;
  readonly span: Span;
}

export interface Ident extends Node {
  readonly name: string;
}

// ---------- types ----------

export type TypeExpr =
  | (Node & { readonly kind: 'boolType' })
  | (Node & { readonly kind: 'intType' })
  | (Node & { readonly kind: 'rangeType'; readonly lo: Expr; readonly hi: Expr })
  | (Node & { readonly kind: 'enumType'; readonly values: readonly Ident[] })
  | (Node & { readonly kind: 'namedType'; readonly name: Ident })
  /** `SET OF T`, or `SET OF T SIZE <= k` (at most k elements; k a constant). */
  | (Node & { readonly kind: 'setType'; readonly elem: TypeExpr; readonly max?: Expr })
  /**
   * `STATEMENT T AUDIT A`: an authenticated statement of record type T whose
   * auditors include A (A_f), carried as a value (a certificate, issue 25).
   */
  | (Node & { readonly kind: 'statementType'; readonly record: Ident; readonly auditor: PrincipalsPattern });

// ---------- expressions ----------

export type BinaryOp =
  | '+' | '-' | '*' | '/' | '%'
  | '==' | '!=' | '<' | '<=' | '>' | '>='
  | 'AND' | 'OR' | 'IMPLIES'
  | 'IN' | 'NOTIN' | 'SUBSETEQ' | 'UNION' | 'INTER' | 'MINUS'
  | '..' | '~>';

export type UnaryOp = 'NOT' | '-' | '[]' | '<>';

export interface Arg extends Node {
  /** Present for named arguments `field: expr`. */
  readonly name?: Ident;
  readonly value: Expr;
}

export type Expr =
  | (Node & { readonly kind: 'int'; readonly value: number })
  | (Node & { readonly kind: 'bool'; readonly value: boolean })
  | (Node & { readonly kind: 'name'; readonly name: string })
  | (Node & { readonly kind: 'me' })
  | (Node & { readonly kind: 'correct' })
  | (Node & { readonly kind: 'faulty' })
  | (Node & { readonly kind: 'unary'; readonly op: UnaryOp; readonly operand: Expr })
  | (Node & { readonly kind: 'binary'; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr })
  | (Node & { readonly kind: 'field'; readonly target: Expr; readonly field: Ident })
  | (Node & { readonly kind: 'call'; readonly callee: Ident; readonly args: readonly Arg[] })
  | (Node & { readonly kind: 'setLit'; readonly elems: readonly Expr[] })
  | (Node & { readonly kind: 'setFilter'; readonly binder: Ident; readonly domain: Expr; readonly predicate: Expr })
  | (Node & { readonly kind: 'setMap'; readonly element: Expr; readonly binder: Ident; readonly domain: Expr })
  | (Node & { readonly kind: 'quant'; readonly quantifier: 'FORALL' | 'EXISTS'; readonly binder: Ident; readonly domain: Expr; readonly body: Expr })
  | (Node & { readonly kind: 'ite'; readonly cond: Expr; readonly then: Expr; readonly else: Expr })
  /**
   * `KNOWN pattern`: does the node know a matching statement? With `collect`
   * (`STATEMENTS pattern`, issue 25), the set of known statements that match:
   * it reads the node's pool as KNOWN does, so every pass treats it as one.
   */
  | (Node & { readonly kind: 'known'; readonly pattern: Pattern; readonly collect?: true })
  | (Node & { readonly kind: 'error' });

// ---------- statement patterns ----------

export type IssuerPattern =
  /** A principal expression: `PRIMARY`, `c`, `ME`. */
  | (Node & { readonly kind: 'principal'; readonly expr: Expr })
  /** `c C == 1`: binds c to the single issuer, drawn from C. */
  | (Node & { readonly kind: 'single'; readonly binder: Ident; readonly set: Expr; readonly count: Expr })
  /** `R >= 3` or `Q R >= 3`: at least k distinct members of R issued the same record. */
  | (Node & { readonly kind: 'quorum'; readonly binder?: Ident; readonly set: Expr; readonly threshold: Expr });

/** Verifier or auditor position: `*` is everyone; `NOONE`, `NONE` only for auditors. */
export type PrincipalsPattern =
  | (Node & { readonly kind: 'everyone' })
  | (Node & { readonly kind: 'noone' })
  | (Node & { readonly kind: 'none' })
  | (Node & { readonly kind: 'expr'; readonly expr: Expr });

export type FieldConstraint =
  | (Node & { readonly kind: 'eq'; readonly field: Ident; readonly value: Expr })
  /** `f == _`: any value, the same in every statement of a quorum. */
  | (Node & { readonly kind: 'univalent'; readonly field: Ident })
  /** `f == *`: any value, which may differ between the statements of a quorum. */
  | (Node & { readonly kind: 'multivalent'; readonly field: Ident });

export interface Pattern extends Node {
  readonly issuer: IssuerPattern;
  readonly verifier: PrincipalsPattern;
  readonly auditor: PrincipalsPattern;
  readonly recordType: Ident;
  readonly binder?: Ident;
  readonly constraints: readonly FieldConstraint[];
  /** `AS vcs`: binds the set of known statements that match (a certificate's contents). */
  readonly statements?: Ident;
}

// ---------- body specs ----------

export type Stmt =
  | (Node & { readonly kind: 'local'; readonly type: TypeExpr; readonly name: Ident; readonly value: Expr })
  | (Node & { readonly kind: 'assign'; readonly target: Ident; readonly value: Expr })
  | (Node & { readonly kind: 'if'; readonly cond: Expr; readonly then: readonly Stmt[]; readonly else: readonly Stmt[] })
  | (Node & {
      readonly kind: 'publish';
      readonly issuer: Expr;
      readonly verifier: PrincipalsPattern;
      readonly auditor: PrincipalsPattern;
      readonly recordType: Ident;
      readonly args: readonly Arg[];
      readonly progress?: Pattern;
    });

// ---------- declarations ----------

export interface Param extends Node {
  readonly name: Ident;
  readonly type: TypeExpr;
}

export interface Transition extends Node {
  readonly kind: 'transition' | 'timeout';
  /** Absent when written as in the paper, without `TRANSITION Name`. */
  readonly name?: Ident;
  readonly params: readonly Param[];
  readonly patterns: readonly Pattern[];
  readonly guard?: Expr;
  readonly unless?: Pattern;
  /** What a call of this input transition answers, and when (issue 26): `ANSWER WHEN cond VALUE expr`. */
  readonly answer?: Answer;
  readonly body: readonly Stmt[];
}

export interface Answer extends Node {
  /** After which of the node's steps the call is answered: a stable condition over role variables, parameters and constants. */
  readonly when: Expr;
  /** The answer, evaluated in the state after that step. */
  readonly value: Expr;
}

export interface VarDecl extends Node {
  readonly name: Ident;
  readonly type: TypeExpr;
  readonly init: Expr;
}

/**
 * `FORGET pattern WHEN condition` (issue 23): a statement of the node's known
 * set that matches the pattern, and for which the condition holds in the
 * node's state, may be forgotten. The condition must be stable (analysis
 * accepts only a monotone shape; both engines check its variables never go back).
 */
export interface Forget extends Node {
  readonly pattern: Pattern;
  readonly condition: Expr;
}

export type ByzantineSend = Node & {
  readonly recordType: Ident;
  readonly to: PrincipalsPattern;
  readonly audit: PrincipalsPattern;
  /**
   * `SENDS PrePrepare pp TO ... WHERE pp.view == 0`: only records for which
   * the condition holds (a pure predicate over the record, the constants and
   * the functions), named by `binder`.
   */
  readonly where?: { readonly binder: Ident; readonly cond: Expr };
};

export type ModelItem =
  | (Node & { readonly kind: 'constant'; readonly name: Ident; readonly value: Expr })
  | (Node & { readonly kind: 'crash'; readonly who: Expr })
  | (Node & { readonly kind: 'byzantine'; readonly who: Expr; readonly sends: readonly ByzantineSend[]; readonly budget?: Expr })
  | (Node & { readonly kind: 'symmetry'; readonly set: Ident })
  | (Node & { readonly kind: 'check'; readonly properties: readonly Ident[] })
  /**
   * The model's definition of a function the program leaves to its
   * implementation: parameter names only, since the types are the declaration's.
   */
  | (Node & { readonly kind: 'function'; readonly name: Ident; readonly params: readonly Ident[]; readonly body: Expr });

export type Decl =
  | (Node & { readonly kind: 'principals'; readonly name: Ident; readonly members: readonly Ident[] })
  | (Node & { readonly kind: 'constant'; readonly name: Ident; readonly type?: TypeExpr; readonly value: Expr })
  | (Node & { readonly kind: 'type'; readonly name: Ident; readonly type: TypeExpr })
  | (Node & { readonly kind: 'record'; readonly name: Ident; readonly fields: readonly Param[] })
  /** Without a body, the function is left to the program (body programs supply it; each model defines it). */
  | (Node & { readonly kind: 'function'; readonly name: Ident; readonly params: readonly Param[]; readonly result: TypeExpr; readonly body?: Expr })
  | (Node & { readonly kind: 'role'; readonly name: Ident; readonly at: Expr; readonly vars: readonly VarDecl[]; readonly transitions: readonly Transition[]; readonly forgets: readonly Forget[] })
  | (Node & { readonly kind: 'invariant'; readonly name: Ident; readonly body: Expr })
  | (Node & { readonly kind: 'property'; readonly name: Ident; readonly body: Expr })
  | (Node & { readonly kind: 'model'; readonly name: Ident; readonly items: readonly ModelItem[] });

export interface Program extends Node {
  readonly file: string;
  readonly name: Ident;
  readonly decls: readonly Decl[];
}
