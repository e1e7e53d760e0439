// The checked program: what every later stage (built-in checker, TLA+
// translation, runtime, assertions) consumes. It is the parse tree plus side
// tables keyed by node id; the tree is never rewritten.

import type * as A from '../syntax/ast.js';
import type { Symbol } from './symbols.js';
import type { Domain, Ty } from './types.js';

export interface RecordInfo {
  readonly name: string;
  readonly fields: readonly { readonly name: string; readonly domain: Domain }[];
  readonly decl: A.Decl & { kind: 'record' };
}

export interface RoleInfo {
  readonly name: string;
  /** The PRINCIPALS declaration whose members run this role. */
  readonly set: string;
  readonly vars: readonly { readonly name: string; readonly domain: Domain; readonly decl: A.VarDecl }[];
  readonly transitions: readonly TransitionInfo[];
  /** FORGET members (issue 23), in source order; empty when the role forgets nothing. */
  readonly forgets: readonly ForgetInfo[];
  readonly decl: A.Decl & { kind: 'role' };
}

/**
 * A role variable a FORGET condition relies on never going back: an integer
 * never decreases and a set never loses a member (`grows`), a boolean never
 * goes from TRUE to FALSE (`true-stays`), or a set of records used as a
 * table keeps, for every entry it had, an entry with the same `keys` fields
 * and `ups` fields at least as large (`keyed`: a map monotone pointwise,
 * e.g. one entry per client whose id only grows). Both engines check it on
 * every step.
 */
export type MonotoneVar = MonotoneBase & ({ readonly sense: 'grows' } | { readonly sense: 'true-stays' } | { readonly sense: 'keyed'; readonly keys: readonly TableField[]; readonly ups: readonly TableField[] });

interface MonotoneBase {
  readonly name: string;
  /** Its index among the role's variables. */
  readonly index: number;
}

/** A field of a table's records: its name and its position. */
export interface TableField {
  readonly name: string;
  readonly index: number;
}

/** What a monotone variable must do, in words (for ForgetStable's and AnswerStable's messages). */
export function monotoneWords(m: MonotoneVar): string {
  if (m.sense === 'grows') return 'never going back';
  if (m.sense === 'true-stays') return 'never going from TRUE to FALSE';
  return `keeping, for every entry, one with the same ${m.keys.map((k) => k.name).join(', ')} and ${m.ups.map((k) => k.name).join(', ')} never smaller`;
}

export interface ForgetInfo {
  readonly decl: A.Forget;
  /** The variables whose monotonicity makes the condition stable. */
  readonly monotone: readonly MonotoneVar[];
}

export interface TransitionInfo {
  /** The written name, or `Role_L<line>` for an unnamed transition as the paper writes them. */
  readonly name: string;
  readonly role: string;
  readonly decl: A.Transition;
  /** An input's declared answer (issue 26): the role variables its condition relies on must be monotone. */
  readonly answer?: AnswerInfo;
}

export interface AnswerInfo {
  readonly decl: A.Answer;
  readonly monotone: readonly MonotoneVar[];
}

export interface CheckedProgram {
  readonly name: string;
  readonly file: string;
  readonly ast: A.Program;
  readonly principalSets: ReadonlyMap<string, readonly string[]>;
  readonly constants: ReadonlyMap<string, A.Decl & { kind: 'constant' }>;
  readonly types: ReadonlyMap<string, Domain>;
  readonly records: ReadonlyMap<string, RecordInfo>;
  readonly functions: ReadonlyMap<string, A.Decl & { kind: 'function' }>;
  readonly roles: ReadonlyMap<string, RoleInfo>;
  readonly invariants: ReadonlyMap<string, A.Decl & { kind: 'invariant' }>;
  readonly properties: ReadonlyMap<string, A.Decl & { kind: 'property' }>;
  readonly models: ReadonlyMap<string, A.Decl & { kind: 'model' }>;
  /** What each `name` expression, binder and declared name resolved to. */
  readonly resolution: ReadonlyMap<number, Symbol>;
  /**
   * Per SYMMETRY item of a model (by the id of its set name): the members
   * that are interchangeable in that model, the set minus the principals the
   * program, the model's constants or its function definitions name one by
   * one. Both engines permute only these.
   */
  readonly symmetryMembers: ReadonlyMap<number, readonly string[]>;
  /** The type of each expression node. */
  readonly typeOf: ReadonlyMap<number, Ty>;
  /** The declared domain of each local, parameter and field-typed node. */
  readonly domainOf: ReadonlyMap<number, Domain>;
}
