// What a verification run produces, whichever engine ran (the built-in checker
// now, TLC later). Every reporter (human, JSON, JUnit) reads only this, and
// `resultCodec` (src/report/codec.ts) validates it.

/** A statement shown to a designer: `[r2 → c1, NOONE] Reply{req: ..., res: 1}`. */
export interface StatementView {
  readonly issuer: string;
  readonly verifiers: readonly string[];
  /** `[]` is NOONE. */
  readonly auditors: readonly string[];
  /** The record, rendered in MOMMIE syntax: `Reply(req: Request(client: c1, op: 0), res: 1)`. */
  readonly record: string;
  readonly recordType: string;
}

export type StepAction =
  | { readonly kind: 'init' }
  | {
      readonly kind: 'fire';
      readonly node: string;
      readonly role: string;
      readonly transition: string;
      readonly timeout: boolean;
      /** Parameters and binders of the trigger instance, rendered: name -> value. */
      readonly binding: Readonly<Record<string, string>>;
      readonly published: readonly StatementView[];
      /** `file:line:col` of the transition in the MOMMIE source. */
      readonly location: string;
    }
  | { readonly kind: 'deliver'; readonly node: string; readonly statement: StatementView }
  | { readonly kind: 'byzantine'; readonly node: string; readonly statement: StatementView };

export interface VarChange {
  readonly node: string;
  readonly variable: string;
  /** Absent in the initial state. */
  readonly before?: string;
  readonly after: string;
}

export interface TraceStep {
  /** 1-based, as shown to the user. Step 1 is the initial state. */
  readonly index: number;
  readonly action: StepAction;
  readonly changes: readonly VarChange[];
}

export interface Trace {
  readonly steps: readonly TraceStep[];
  /**
   * For liveness counterexamples (lassos): the 1-based index of the step the
   * behaviour returns to forever. When it equals the last step's index the
   * loop is stuttering: the system stays in that state forever.
   */
  readonly loopsTo?: number;
}

export type Verdict = 'holds' | 'violated' | 'unknown';

export interface PropertyResult {
  readonly name: string;
  readonly kind: 'invariant' | 'property' | 'deadlock';
  readonly verdict: Verdict;
  /** Why the verdict is `unknown` (a limit was hit before the search ended), or a short explanation of a violation. */
  readonly detail?: string;
  readonly trace?: Trace;
}

export interface SearchStats {
  readonly generated: number;
  readonly distinct: number;
  readonly depth: number;
  readonly seconds: number;
  readonly statesPerSecond: number;
  readonly peakRssMB: number;
  /** The chance that two distinct states shared a fingerprint in this run (docs/checker.md). */
  readonly collisionProbability?: number;
}

export interface ModelBounds {
  readonly crashed: readonly string[];
  readonly byzantine: readonly { readonly principal: string; readonly sends: readonly string[]; readonly budget: number }[];
  readonly symmetry: readonly string[];
  readonly constants: Readonly<Record<string, string>>;
  readonly maxStates?: number;
  readonly maxDepth?: number;
  readonly timeoutSeconds?: number;
  readonly deadlock: boolean;
  /** Explored with partial-order reduction (`--por`): fewer states, the same verdicts. */
  readonly partialOrder?: boolean;
  /** Random walks (`--simulate`) rather than an exhaustive search: verdicts are violations or unknown, never holds. */
  readonly simulation?: { readonly walks: number; readonly seed: number; readonly depth?: number };
}

export interface EvaluationError {
  readonly code: string;
  readonly message: string;
  /** `file:line:col` in the MOMMIE source. */
  readonly location: string;
  readonly trace?: Trace;
}

/**
 * What the search exercised (check/coverage.ts): per transition of a role
 * some correct node runs, the Fire steps generated; per Byzantine node, its
 * publications; deliveries; and the warnings a vacuous "ok" deserves.
 */
export interface Coverage {
  readonly transitions: readonly { readonly role: string; readonly transition: string; readonly location: string; readonly fired: number }[];
  readonly byzantine: readonly { readonly node: string; readonly published: number }[];
  readonly deliveries: number;
  readonly warnings: readonly string[];
}

export type ModelStatus = 'complete' | 'violation' | 'limit' | 'error' | 'interrupted';

export interface ModelResult {
  readonly model: string;
  readonly status: ModelStatus;
  readonly bounds: ModelBounds;
  readonly properties: readonly PropertyResult[];
  readonly stats: SearchStats;
  readonly error?: EvaluationError;
  /** Absent when the engine does not count steps (TLC). */
  readonly coverage?: Coverage;
}

export interface VerifyResult {
  readonly format: 'mommie-verify/1';
  readonly program: string;
  readonly file: string;
  readonly engine: 'builtin' | 'tlc';
  readonly models: readonly ModelResult[];
}
