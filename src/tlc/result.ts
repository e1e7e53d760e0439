// What a TLC run reported, as data: the io-ts codecs and the types derived
// from them. The parser (output.ts) validates what it builds against
// `tlcResultCodec` before handing it out, and anything that reads a result
// back from JSON decodes it with `decodeTlcResult`.

import * as t from 'io-ts';
import { isLeft, left, right, type Either } from 'fp-ts/lib/Either.js';
import type { TlaValue } from './values.js';

/** A whole number >= 0 (not branded, so plain numbers construct it). */
const count = new t.Type<number, number, unknown>(
  'count',
  (u): u is number => typeof u === 'number' && Number.isSafeInteger(u) && u >= 0,
  (u, c) => (typeof u === 'number' && Number.isSafeInteger(u) && u >= 0 ? t.success(u) : t.failure(u, c)),
  t.identity,
);

const nullable = <C extends t.Mixed>(c: C) => t.union([c, t.null]);

export const tlaValueCodec: t.Type<TlaValue> = t.recursion('TlaValue', () =>
  t.union([
    t.type({ kind: t.literal('bool'), value: t.boolean }),
    t.type({ kind: t.literal('int'), value: t.number }),
    t.type({ kind: t.literal('string'), value: t.string }),
    t.type({ kind: t.literal('set'), elements: t.readonlyArray(tlaValueCodec) }),
    t.type({ kind: t.literal('seq'), elements: t.readonlyArray(tlaValueCodec) }),
    t.type({ kind: t.literal('record'), fields: t.readonlyArray(t.type({ name: t.string, value: tlaValueCodec })) }),
    t.type({ kind: t.literal('function'), entries: t.readonlyArray(t.type({ key: tlaValueCodec, value: tlaValueCodec })) }),
    t.type({ kind: t.literal('interval'), low: t.number, high: t.number }),
    t.type({ kind: t.literal('model'), name: t.string }),
    t.type({ kind: t.literal('raw'), text: t.string }),
  ]),
);

/** A span in a TLA+ module; lines and columns are 1-based as TLC prints them. */
export const locationCodec = t.type({
  module: t.string,
  startLine: count,
  startColumn: count,
  endLine: count,
  endColumn: count,
});
export type Location = t.TypeOf<typeof locationCodec>;

export const versionCodec = t.type({
  /** The whole line, e.g. `TLC2 Version 2.19 of 08 August 2024 (rev: 5a47802)`. */
  raw: t.string,
  /** `2.19`, or a build stamp such as `2026.11.25.032050`. */
  version: t.string,
  /** The git revision in `(rev: ...)`, when printed. */
  revision: nullable(t.string),
});
export type TlcVersion = t.TypeOf<typeof versionCodec>;

/** How a state of a trace was reached. */
export const stepActionCodec = t.union([
  t.type({ kind: t.literal('initial') }),
  /** `<Next line 5, col 9 to line 5, col 27 of module M>` or `<Send("a") line ...>`; older TLCs print `<Action line ...>`. */
  t.type({ kind: t.literal('action'), name: t.string, location: nullable(locationCodec), raw: t.string }),
  /** A header the parser does not recognise, kept verbatim. */
  t.type({ kind: t.literal('other'), raw: t.string }),
]);
export type StepAction = t.TypeOf<typeof stepActionCodec>;

export const variableCodec = t.type({
  name: t.string,
  /** The value exactly as TLC printed it (continuation lines joined with newlines). */
  text: t.string,
  /** The parsed value; `{ kind: 'raw' }` when the value parser does not cover it. */
  value: tlaValueCodec,
});
export type TraceVariable = t.TypeOf<typeof variableCodec>;

export const traceStateCodec = t.type({
  /** TLC's 1-based state number. */
  number: count,
  action: stepActionCodec,
  variables: t.readonlyArray(variableCodec),
});
export type TraceState = t.TypeOf<typeof traceStateCodec>;

/** How a liveness counterexample ends. */
export const lassoCodec = t.union([
  /** The behaviour loops back to state `state` (`N: Back to state: <Action ...>`). */
  t.type({ kind: t.literal('back-to-state'), state: count, action: nullable(stepActionCodec) }),
  /** The behaviour stutters forever; `state` is the number TLC gives the stuttering step. */
  t.type({ kind: t.literal('stuttering'), state: count }),
]);
export type Lasso = t.TypeOf<typeof lassoCodec>;

export const traceCodec = t.type({
  states: t.readonlyArray(traceStateCodec),
  lasso: nullable(lassoCodec),
});
export type Trace = t.TypeOf<typeof traceCodec>;

export const tlcMessageCodec = t.type({ code: t.number, text: t.string });
export type TlcMessageText = t.TypeOf<typeof tlcMessageCodec>;

/** What TLC found: a violated property, a deadlock, or a failure while evaluating. */
export const findingCodec = t.union([
  t.type({ kind: t.literal('invariant'), name: t.string, initial: t.boolean, message: t.string, trace: nullable(traceCodec) }),
  t.type({ kind: t.literal('property'), names: t.readonlyArray(t.string), temporal: t.boolean, initial: t.boolean, message: t.string, trace: nullable(traceCodec) }),
  t.type({ kind: t.literal('deadlock'), message: t.string, trace: nullable(traceCodec) }),
  /**
   * A trace TLC printed without saying what it shows. Distributed TLC's server
   * does this for every error its workers raise (an invariant, a deadlock, an
   * evaluation failure): the worker's message is lost and only the trace is
   * printed. The reader must find out what the last state or step violates.
   */
  t.type({ kind: t.literal('unnamed'), message: t.string, trace: traceCodec }),
  t.type({
    kind: t.literal('assertion'),
    /** The second argument of Assert, as TLC printed it. */
    assertion: t.string,
    message: t.string,
    location: nullable(locationCodec),
    nested: t.readonlyArray(locationCodec),
    trace: nullable(traceCodec),
  }),
  t.type({ kind: t.literal('assumption'), name: nullable(t.string), evaluationFailed: t.boolean, message: t.string }),
  t.type({
    kind: t.literal('evaluation-error'),
    code: t.number,
    message: t.string,
    /** The most specific place TLC names: the message's own location, else the innermost nested position. */
    location: nullable(locationCodec),
    /** TLC's "nested expressions" positions (message 2103), outermost first. */
    nested: t.readonlyArray(locationCodec),
    trace: nullable(traceCodec),
  }),
]);
export type Finding = t.TypeOf<typeof findingCodec>;

/** One error from SANY, TLA+'s parser and semantic analyser. */
export const sanyErrorCodec = t.type({
  kind: t.union([t.literal('lexical'), t.literal('parse'), t.literal('semantic'), t.literal('other')]),
  severity: t.union([t.literal('error'), t.literal('warning')]),
  message: t.string,
  module: nullable(t.string),
  location: nullable(
    t.type({ line: count, column: count, endLine: nullable(count), endColumn: nullable(count) }),
  ),
});
export type SanyError = t.TypeOf<typeof sanyErrorCodec>;

export const progressCodec = t.type({
  /** The search depth (BFS level) reached. */
  depth: count,
  /** yyyy-MM-dd HH:mm:ss in TLC's local time zone. */
  at: t.string,
  generated: count,
  distinct: nullable(count),
  queue: nullable(count),
  generatedPerMinute: nullable(count),
  distinctPerMinute: nullable(count),
});
export type Progress = t.TypeOf<typeof progressCodec>;

export const statisticsCodec = t.type({
  generated: count,
  distinct: count,
  queue: nullable(count),
  depth: nullable(count),
});
export type Statistics = t.TypeOf<typeof statisticsCodec>;

export const exitCodec = t.type({
  code: t.number,
  name: t.string,
  kind: t.union([t.literal('success'), t.literal('violation'), t.literal('failure'), t.literal('error'), t.literal('signal'), t.literal('unknown')]),
  meaning: t.string,
});

export const verdictCodec = t.union([
  t.literal('success'),
  t.literal('violation'),
  t.literal('evaluation-error'),
  t.literal('parse-error'),
  t.literal('config-error'),
  t.literal('error'),
  t.literal('no-verdict'),
]);
export type TlcVerdict = t.TypeOf<typeof verdictCodec>;

export const tlcResultCodec = t.type({
  /**
   * success: "Model checking completed. No error has been found."
   * violation: an invariant, property, deadlock, assertion or assumption finding.
   * evaluation-error: TLC could not evaluate the spec (a type error, CHOOSE without witness, ...).
   * parse-error: SANY rejected the spec (see `sany.errors`).
   * config-error: the .cfg is wrong (see `errors`).
   * error: any other error message (see `errors`).
   * no-verdict: TLC finished without saying either way.
   */
  verdict: verdictCodec,
  version: nullable(versionCodec),
  /** The "Running breadth-first search Model-Checking ..." line. */
  mode: nullable(t.string),
  sany: t.type({
    /** Files SANY read, in order (`Parsing file ...`). */
    files: t.readonlyArray(t.string),
    errors: t.readonlyArray(sanyErrorCodec),
    /** SANY's output verbatim (the raw lines between "Starting SANY..." and "SANY finished."). */
    output: t.readonlyArray(t.string),
  }),
  findings: t.readonlyArray(findingCodec),
  /**
   * Findings that repeat an earlier one (same kind and name) and were dropped,
   * traces included, because the parser keeps the first of each (`firstFindingOnly`).
   * TLC's -continue prints one per violating state.
   */
  repeatedFindings: count,
  /** Every error-class message, in order, with its text (at most MAX_ERROR_MESSAGES). */
  errors: t.readonlyArray(tlcMessageCodec),
  warnings: t.readonlyArray(tlcMessageCodec),
  initialStates: nullable(t.type({ generated: nullable(count), distinct: count })),
  progress: t.readonlyArray(progressCodec),
  statistics: nullable(statisticsCodec),
  /** TLC's fingerprint-collision estimates (optimistic, and from the actual fingerprints when computed). */
  collisionProbability: nullable(t.type({ calculated: t.number, actual: nullable(t.number) })),
  /** Raw lines outside every message after SANY ran: the spec's Print/PrintT output. */
  prints: t.readonlyArray(t.string),
  durationMs: nullable(count),
  /** The process exit code and its meaning, when the caller passed it. */
  exit: nullable(exitCodec),
});
export type TlcResult = t.TypeOf<typeof tlcResultCodec>;

/** Why a transcript could not be read as TLC output. */
export interface TlcOutputError {
  readonly kind: 'empty' | 'not-tlc' | 'truncated' | 'malformed' | 'invalid';
  /** One sentence for the user. */
  readonly message: string;
  /** What was understood before the problem, when anything was. */
  readonly partial: TlcResult | null;
}

function pathOf(e: t.ValidationError): string {
  return e.context
    .map((c) => c.key)
    .filter((k) => k !== '')
    .join('.');
}

/** Validates a TLC result read from elsewhere (JSON). Left lists the bad paths. */
export function decodeTlcResult(u: unknown): Either<string[], TlcResult> {
  const r = tlcResultCodec.decode(u);
  if (isLeft(r)) return left([...new Set(r.left.map((e) => pathOf(e) || '(root)'))]);
  return right(r.right);
}
