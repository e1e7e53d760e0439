// What `mommie refine` found, as data: one result per check (a module-level
// check of refinement/, or the program composed with the deployment under one
// model). The io-ts codec is the `--json` format, and what tests decode.

import * as t from 'io-ts';

const nullable = <C extends t.Mixed>(c: C) => t.union([c, t.null]);

/** One step of a counterexample, in wire terms and in MOMMIE terms. */
export const refineStepCodec = t.type({
  /** 1-based, as TLC numbers states (state 1 is the initial state, which has no step). */
  index: t.number,
  /** The composed (or module) action TLC names, e.g. `W_Receive`. */
  action: t.string,
  /** The principal that acts, when the step has one. */
  actor: nullable(t.string),
  /** The step in wire terms: who sent which item to whom, what was accepted. */
  wire: t.readonlyArray(t.string),
  /** The same step as a step of the abstract pool: `Fire Replica.Execute at r1`, `Deliver ... to r2`, `stutter`. */
  mommie: t.string,
  /** Items put on the network in this step (send), and the item a node received (deliver): from, to, statement. */
  arrows: t.readonlyArray(t.type({ kind: t.union([t.literal('send'), t.literal('deliver')]), from: t.string, to: t.string, label: t.string, forged: t.boolean })),
  /** Variables whose value changed, as TLC printed the new value. */
  changes: t.readonlyArray(t.type({ name: t.string, value: t.string })),
});
export type RefineStep = t.TypeOf<typeof refineStepCodec>;

export const refineCounterexampleCodec = t.type({
  steps: t.readonlyArray(refineStepCodec),
  /** For a liveness counterexample: the state the behaviour loops back to. */
  loopsTo: nullable(t.number),
});
export type RefineCounterexample = t.TypeOf<typeof refineCounterexampleCodec>;

/** What became of one invariant or property a check names. */
export const propertyOutcomeCodec = t.type({
  name: t.string,
  status: t.union([t.literal('holds'), t.literal('violated'), t.literal('not-checked')]),
  /** Why it was not checked (the search stopped at a violation, the model was too large, ...). */
  note: nullable(t.string),
});
export type PropertyOutcome = t.TypeOf<typeof propertyOutcomeCodec>;

/** How often one step of a composed model fired, from TLC's -coverage report. */
export const stepCoverageCodec = t.type({
  /** `transition`: a program transition (`Replica.Execute`); `wire`: a step of the deployment or the adversary; `antecedent`: the states in which a leads-to property's antecedent held. */
  kind: t.union([t.literal('transition'), t.literal('wire'), t.literal('antecedent')]),
  name: t.string,
  /** Times it fired (successors generated), summed over the states explored; for an antecedent, the states it held in. */
  fired: t.number,
  /** States it found first. */
  distinct: t.number,
});
export type StepCoverage = t.TypeOf<typeof stepCoverageCodec>;

export const refineVerdictCodec = t.union([
  /** TLC explored the whole state space and every property held (a negative control: it failed as expected). */
  t.literal('pass'),
  /** A property failed (a negative control: it did not fail as expected). */
  t.literal('fail'),
  /** Stopped at the state or time limit: the model is too large for the limit. */
  t.literal('too-large'),
  /** TLC could not run or check the model. */
  t.literal('error'),
]);
export type RefineVerdict = t.TypeOf<typeof refineVerdictCodec>;

export const refineCheckCodec = t.type({
  kind: t.union([t.literal('module'), t.literal('composed')]),
  /** `HmacImpl`, or `PrimaryBackup/ByzantineBackup`. */
  name: t.string,
  /** What the check is about, one sentence. */
  about: t.string,
  /** The refinement mapping, in words. */
  mapping: t.string,
  /** The bounds TLC checked under. */
  bounds: t.string,
  /** The properties checked. */
  properties: t.readonlyArray(t.string),
  /** What the check assumes (fairness, unforgeability, ...). */
  assumptions: t.readonlyArray(t.string),
  verdict: refineVerdictCodec,
  /** One sentence: what happened. */
  message: t.string,
  /** For a module's negative control: the failure it must show. */
  expectedFailure: nullable(t.string),
  distinct: nullable(t.number),
  generated: nullable(t.number),
  depth: nullable(t.number),
  seconds: t.number,
  /** The property TLC found violated, when one was. */
  violated: nullable(t.string),
  counterexample: nullable(refineCounterexampleCodec),
  /** For too-large: which bounds to make smaller. */
  suggestion: nullable(t.string),
  /** Each invariant and property: held, violated, or not checked (and why). */
  outcomes: t.readonlyArray(propertyOutcomeCodec),
  /** For a composed model TLC explored: how often each transition and wire step fired, and each antecedent held. */
  coverage: nullable(t.readonlyArray(stepCoverageCodec)),
  /** Vacuity: a transition never enabled, an antecedent that never held, Byzantine nodes that never acted. */
  warnings: t.readonlyArray(t.string),
});
export type RefineCheck = t.TypeOf<typeof refineCheckCodec>;

export const refineReportCodec = t.type({
  program: t.string,
  deploy: t.string,
  tlc: t.string,
  checks: t.readonlyArray(refineCheckCodec),
  /** What this run did not check at all (the part left out by --modules-only or --composed-only). */
  notChecked: t.readonlyArray(t.string),
  seconds: t.number,
});
export type RefineReport = t.TypeOf<typeof refineReportCodec>;

/** Whether every check gave what it should. */
export function reportPassed(r: RefineReport): boolean {
  return r.checks.every((c) => c.verdict === 'pass');
}
