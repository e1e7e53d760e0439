// A deployment configuration after parsing and checking (`NAME.deploy`): what
// every later stage (keys, wire, transports, runtime, deploy-check) reads.
// The parser (deploy/parse.ts) produces it; nothing else builds one except
// tests.

import type { Span } from '../diagnostics/diagnostic.js';

/** An authentication mechanism as the deploy file names it. */
export type Mechanism =
  | { readonly kind: 'PLAINTEXT' }
  | { readonly kind: 'HMAC' }
  | { readonly kind: 'ED25519' }
  | { readonly kind: 'RSA' }
  /** An online third party that countersigns what an issuer sends it. */
  | { readonly kind: 'TTP'; readonly principal: string };

export type MechanismKind = Mechanism['kind'];

export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

/** One optimizer of a `[Dissemination]` rule (acted on by the dissemination issue). */
export interface Optimizer {
  /** `OPTIMISTIC`, `BATCH`, `DIGEST`, ... as written. */
  readonly name: string;
  /** Arguments as written: principal names, set names, integers. */
  readonly args: readonly (string | number)[];
  /** Escalation timeout in ms, when given. */
  readonly escalationMs?: number;
  readonly span: Span;
}

/** `publishers -> verifiers [RecordType, ...] : optimizer; optimizer; ...` */
export interface DisseminationRule {
  readonly publishers: readonly string[];
  readonly verifiers: readonly string[];
  /** Record types the rule applies to; empty means every type. */
  readonly recordTypes: readonly string[];
  readonly optimizers: readonly Optimizer[];
  readonly span: Span;
}

/** A constant override for runs: integers, booleans and principal names. */
export type DeployConstant = number | boolean | string;

export interface Deployment {
  /** The deploy file's path as given. */
  readonly file: string;
  /** Every principal that runs as a node (program principals and TTPs), with its address. */
  readonly nodes: ReadonlyMap<string, Endpoint>;
  /**
   * How `issuer` authenticates a statement to `verifier` when the statement's
   * auditor set is `auditors` (empty: NOONE). Undefined when nothing in the
   * deployment can give that statement. The one resolution rule shared by
   * deploy-check, keys, wire and runtime.
   */
  mechanismFor(issuer: string, verifier: string, auditors: readonly string[]): Mechanism | undefined;
  /** Timer duration of a TIMEOUT transition, in ms (the [Timeouts] entry or the default). */
  timeoutMs(role: string, transition: string): number;
  readonly constants: ReadonlyMap<string, DeployConstant>;
  readonly dissemination: readonly DisseminationRule[];
}
