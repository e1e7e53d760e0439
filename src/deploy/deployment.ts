// A deployment configuration after parsing and checking (`NAME.deploy`): what
// every later stage (keys, wire, transports, runtime, deploy-check) reads.
// The parser (deploy/parse.ts) produces it; nothing else builds one except
// tests.

import type { Span } from '../diagnostics/diagnostic.js';
import type { LinkLimits } from './limits.js';

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

/** One optimizer of a `[Dissemination]` rule, as written and checked. */
export interface Optimizer {
  /** `OPTIMISTIC`, `BATCH`, `DIGEST`, upper case. */
  readonly name: string;
  /** Arguments as written: names (`PRIMARY`, `QUORUM`, a set), counts, and durations in ms. */
  readonly args: readonly (string | number)[];
  /** Where each argument is written. */
  readonly argSpans: readonly Span[];
  /** Escalation timeout in ms, when written (OPTIMISTIC only). */
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

/**
 * One step of a resolved dissemination plan, in the rule's order.
 *
 * - `OPTIMISTIC`: send the statement only to `targets` (principals; the
 *   issuer itself may be among them, holding its statement already), which
 *   relay it to the plan's other verifiers; or, with `targets` 'QUORUM', to
 *   `quorum` verifiers chosen among `quorumFrom`, the issuer counting as one
 *   when it is among them (as a pattern counts a node's own statement). When
 *   the statement's progress has not come `escalationMs` after the step
 *   began, the next step begins; after the last, the fallback.
 * - `BATCH`: statements to the same verifier share a frame: it is sent when
 *   `count` statements wait or `windowMs` after the first. It frames every
 *   step's sends, the fallback's included; it is not escalated.
 * - `DIGEST`: a field holding a record is sent as the record's digest. Also
 *   for every step; it is left out of the plans of record types without such a field.
 */
export type DisseminationStep =
  | {
      readonly kind: 'OPTIMISTIC';
      readonly targets: readonly string[];
      readonly quorum?: undefined;
      readonly quorumFrom?: undefined;
      readonly escalationMs: number;
    }
  | {
      readonly kind: 'OPTIMISTIC';
      readonly targets: 'QUORUM';
      /** How many verifiers must hold the statement for its progress (the threshold of the program's pattern). */
      readonly quorum: number;
      /** The verifiers the threshold counts: the quorum is chosen among them. */
      readonly quorumFrom: readonly string[];
      readonly escalationMs: number;
    }
  | { readonly kind: 'BATCH'; readonly count: number; readonly windowMs: number }
  | { readonly kind: 'DIGEST' };

/** What the first matching [Dissemination] rule says for one issuer's statements of one record type. */
export interface DisseminationPlan {
  /** The rule, as checked (its span is in the deploy file). */
  readonly rule: DisseminationRule;
  /**
   * The verifiers the steps apply to (the rule's verifiers). A statement's
   * other verifiers get it by the fallback at once, as without a rule.
   */
  readonly verifiers: readonly string[];
  /** In the rule's order; the fallback (unicast to every intended verifier until acknowledged) follows and is not listed. */
  readonly steps: readonly DisseminationStep[];
  /** The steps as deploy-check prints them: `OPTIMISTIC(r1) 200ms → BATCH(16, 2ms) → fallback`. */
  readonly text: string;
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
  /**
   * `DOUBLING(p)` of the transition's [Timeouts] entry: the parameter whose
   * consecutive values double the timer (runtime/timer-doubling.ts).
   * Deployments written by hand in tests may leave it out: no timer doubles.
   */
  timerDoubling?(role: string, transition: string): string | undefined;
  readonly constants: ReadonlyMap<string, DeployConstant>;
  readonly dissemination: readonly DisseminationRule[];
  /** The link's bounds ([Limits], deploy/limits.ts); deployments written by hand in tests may leave them out: the defaults. */
  readonly limits?: LinkLimits;
  /**
   * The plan for `issuer`'s statements of `recordType`: from the first rule,
   * in file order, whose publishers include the issuer and whose record types
   * include the type (a rule without types: every type). Undefined when no
   * rule applies: plain unicast. Every deployment loadDeployment returns has
   * it; deployments written by hand in tests and benches may leave it out,
   * which means no rule applies.
   */
  disseminationFor?(issuer: string, recordType: string): DisseminationPlan | undefined;
}
