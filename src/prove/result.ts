// What `mommie prove` found, with io-ts codecs: the types are read off the
// codecs, so `--json` and any reader that decodes it agree on one shape.
// Objects are exact (t.strict): decoding drops nothing silently because the
// writer is this module.

import * as t from 'io-ts';

const nullable = <C extends t.Mixed>(c: C) => t.union([c, t.null]);

export const locationCodec = t.strict({
  /** The module's file as the user named it (`proofs/P.tla`), or `<Program>.tla (generated)`. */
  file: t.string,
  line: t.number,
  column: t.number,
  endLine: t.number,
  endColumn: t.number,
});
export type Location = t.TypeOf<typeof locationCodec>;

export const ATTEMPT_STATUSES = ['proved', 'failed', 'interrupted', 'trivial'] as const;

/** One backend's answer about one obligation. */
export const attemptCodec = t.strict({
  prover: t.string,
  status: t.keyof({ proved: null, failed: null, interrupted: null, trivial: null }),
  seconds: nullable(t.number),
  /** Why it failed: `false` (refuted), `timeout`, `isabelle is not installed`, or the backend's words. */
  reason: nullable(t.string),
  /** The answer came from tlapm's fingerprint cache (an earlier run). */
  cached: t.boolean,
});
export type Attempt = t.TypeOf<typeof attemptCodec>;

/**
 * proved / trivial: done. failed: every backend tlapm tried failed.
 * interrupted: the run was stopped (Ctrl-C) or tlapm interrupted the backend
 * before an answer. omitted: an OMITTED step. unfinished: tlapm ended without
 * an answer (it crashed).
 */
export const obligationStatusCodec = t.keyof({ proved: null, trivial: null, failed: null, interrupted: null, omitted: null, unfinished: null });
export type ObligationStatus = t.TypeOf<typeof obligationStatusCodec>;

/**
 * Why a failed obligation failed, from its backends' answers (backends that
 * are not installed do not count). timeout: every backend that ran ran out
 * of time; nothing said the obligation does not hold, so more time, or a
 * smaller step, may prove it. refuted: a backend answered `false` (Zenon
 * does when its search ends without a proof). other: a backend's error, or
 * no backend ran.
 */
export const failureKindCodec = t.keyof({ timeout: null, refuted: null, other: null });
export type FailureKind = t.TypeOf<typeof failureKindCodec>;

/** A MOMMIE expression a generated proof step is about, and where it is written. */
export const writeCodec = t.strict({ text: t.string, at: t.string });

/**
 * What a step of a generated proof is about, in MOMMIE terms: the theorem,
 * the action (`Init`, `Replica.Execute`, `Deliver`, `ByzantinePublish`, or
 * the `Next`/`Spec` steps and lemmas), the transition's source line, the
 * variable whose type the step proves, that variable's declared type, and the
 * MOMMIE expressions that write it.
 */
export const stepAboutCodec = t.strict({
  theorem: t.string,
  kind: t.keyof({ init: null, fire: null, deliver: null, byzantine: null, next: null, spec: null, lemma: null }),
  action: t.string,
  at: nullable(t.string),
  variable: nullable(t.string),
  domain: nullable(t.string),
  writes: t.array(writeCodec),
});
export type StepAbout = t.TypeOf<typeof stepAboutCodec>;

/**
 * Why an obligation is omitted: omitted, an OMITTED proof (or PROOF OMITTED);
 * missing, a theorem or step with no proof at all. tlapm generates no
 * obligation for either and reports neither in its toolbox messages: mommie
 * finds them in the module (proof-facts.ts) and, where tlapm has `--strict`,
 * from tlapm's own list.
 */
export const omissionCodec = t.keyof({ omitted: null, missing: null });
export type Omission = t.TypeOf<typeof omissionCodec>;

export const obligationCodec = t.strict({
  /** tlapm's obligation number within its module; null for an omitted proof, to which tlapm gives none. */
  id: nullable(t.number),
  location: locationCodec,
  status: obligationStatusCodec,
  /** The backend that proved it, or the last one tried. */
  prover: nullable(t.string),
  /** The prover's time when proved; the sum of the attempts' times otherwise; null when none was reported. */
  seconds: nullable(t.number),
  cached: t.boolean,
  attempts: t.array(attemptCodec),
  /** For a failed obligation, why (timed out, refuted, other); null otherwise. */
  failure: nullable(failureKindCodec),
  /** The obligation's text, as tlapm prints it for one that failed. */
  obligation: nullable(t.string),
  /** For an obligation of a generated proof: what it is about in MOMMIE terms. */
  about: nullable(stepAboutCodec),
  /** For an omitted one: an OMITTED proof, or no proof at all; null otherwise. */
  omission: nullable(omissionCodec),
});
export type ObligationResult = t.TypeOf<typeof obligationCodec>;

export const problemCodec = t.strict({
  severity: t.keyof({ error: null, warning: null }),
  message: t.string,
  location: nullable(t.strict({ file: t.string, line: t.number, column: t.number })),
});
export type ProveProblem = t.TypeOf<typeof problemCodec>;

/**
 * checked: tlapm read the module and reported on its obligations.
 * rejected: tlapm could not parse or resolve it (problems say where).
 * crashed: tlapm stopped without saying why in its messages.
 * interrupted: stopped by Ctrl-C.
 */
export const moduleStatusCodec = t.keyof({ checked: null, rejected: null, crashed: null, interrupted: null });
export type ModuleStatus = t.TypeOf<typeof moduleStatusCodec>;

/** An assumption a theorem rests on: `ASSUME Consts == ...` (name null for an unnamed one). */
export const assumptionRefCodec = t.strict({
  name: nullable(t.string),
  module: t.string,
  /** The module's file as reports name it (the user's spelling, or the generated module's name). */
  file: t.string,
  line: t.number,
});
export type AssumptionRefResult = t.TypeOf<typeof assumptionRefCodec>;

/**
 * Where a cited theorem was checked. this-run: its module is one this run
 * checked (its own status is in that module's theorems). library: tlapm's
 * library (TLAPS, FiniteSetTheorems...), trusted. not-checked: a module this
 * run did not give tlapm, which takes an EXTENDed module's theorems as proved.
 */
export const checkedWhereCodec = t.keyof({ 'this-run': null, library: null, 'not-checked': null });

export const theoremRefCodec = t.strict({
  name: t.string,
  module: t.string,
  file: t.string,
  line: t.number,
  checked: checkedWhereCodec,
  /** Its proof, or a step of it, is OMITTED or missing (as far as mommie reads the module). */
  omitted: t.boolean,
});
export type TheoremRefResult = t.TypeOf<typeof theoremRefCodec>;

/**
 * A theorem of a checked module, from its obligations: proved (every one
 * proved or trivial), failed, omitted (an omitted or missing proof in it),
 * interrupted or unfinished.
 */
export const theoremStatusCodec = t.keyof({ proved: null, failed: null, omitted: null, interrupted: null, unfinished: null });
export type TheoremStatus = t.TypeOf<typeof theoremStatusCodec>;

export const theoremResultCodec = t.strict({
  /** Its name, or `THEOREM at line N` for an unnamed one. */
  name: t.string,
  keyword: t.string,
  line: t.number,
  status: theoremStatusCodec,
  obligations: t.number,
  /** The assumptions it rests on: unnamed ones in scope, named ones cited, and those of the theorems it cites, transitively. */
  assumptions: t.array(assumptionRefCodec),
  /** The theorems its proof cites. */
  cites: t.array(theoremRefCodec),
  /** Theorems it rests on, directly or not, whose proofs this run did not check. */
  unchecked: t.array(theoremRefCodec),
});
export type TheoremResult = t.TypeOf<typeof theoremResultCodec>;

/**
 * Whether the module's assumptions can hold together, tried with TLC on the
 * constants of the program's models. holds: every assumption in scope is true
 * for `model`'s constants. fails: on every model one is false (`falseOn`):
 * the assumptions may be contradictory, and a proof under them shows nothing
 * about any model. unchecked: not decided (no TLC, no model, or TLC could not
 * evaluate them; `detail` says why).
 */
export const assumptionCheckCodec = t.strict({
  status: t.keyof({ holds: null, fails: null, unchecked: null }),
  model: nullable(t.string),
  falseOn: t.array(t.strict({ model: t.string, assumption: nullable(assumptionRefCodec), message: t.string })),
  detail: nullable(t.string),
});
export type AssumptionCheck = t.TypeOf<typeof assumptionCheckCodec>;

export const moduleResultCodec = t.strict({
  module: t.string,
  file: t.string,
  /** The module mommie generated from the program (its obligations are mommie's to prove). */
  generated: t.boolean,
  status: moduleStatusCodec,
  /** How many obligations tlapm said it would check; null when it did not get that far. */
  expected: nullable(t.number),
  obligations: t.array(obligationCodec),
  problems: t.array(problemCodec),
  exitCode: nullable(t.number),
  seconds: t.number,
  /** Its theorems, with what each rests on (a generated module without theorems has none). */
  theorems: t.array(theoremResultCodec),
  /** Whether its theorems' assumptions hold on a model's constants; null when they rest on none. */
  assumptionCheck: nullable(assumptionCheckCodec),
});
export type ModuleResult = t.TypeOf<typeof moduleResultCodec>;

export const countsCodec = t.strict({
  obligations: t.number,
  proved: t.number,
  trivial: t.number,
  failed: t.number,
  /** Of the failed ones, those every backend gave up on for lack of time (not refuted). */
  timedOut: t.number,
  interrupted: t.number,
  omitted: t.number,
  unfinished: t.number,
});
export type Counts = t.TypeOf<typeof countsCodec>;

export const proveResultCodec = t.strict({
  format: t.literal('mommie-prove/1'),
  program: t.string,
  file: t.string,
  tlapm: t.strict({ path: t.string, version: nullable(t.string) }),
  /** Where tlapm keeps its fingerprints for this program. */
  cacheDir: t.string,
  modules: t.array(moduleResultCodec),
  counts: countsCodec,
  seconds: t.number,
});
export type ProveResult = t.TypeOf<typeof proveResultCodec>;

export function countObligations(modules: readonly ModuleResult[]): Counts {
  const c: Counts = { obligations: 0, proved: 0, trivial: 0, failed: 0, timedOut: 0, interrupted: 0, omitted: 0, unfinished: 0 };
  for (const m of modules) {
    for (const o of m.obligations) {
      c.obligations++;
      c[o.status]++;
      if (o.failure === 'timeout') c.timedOut++;
    }
  }
  return c;
}
