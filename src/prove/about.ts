// A step of a generated proof in MOMMIE terms, for the report: which action
// it is about, which variable, and, when it failed, which MOMMIE expression
// may leave its type.

import type { ModuleResult, ObligationResult, StepAbout } from './result.js';

/** `TypeOK after Replica.Execute (specs/PrimaryBackup.mom:64)`. */
export function actionText(a: StepAbout): string {
  switch (a.kind) {
    case 'init':
      return 'TypeOK at Init';
    case 'fire':
      return `TypeOK after ${a.action}${a.at !== null ? ` (${a.at})` : ''}`;
    case 'deliver':
      return 'TypeOK after Deliver';
    case 'byzantine':
      return 'TypeOK after a Byzantine publication';
    case 'next':
      return a.action === 'Next' ? 'TypeOK after every step (Next)' : `TypeOK after every step, case ${a.action}`;
    case 'spec':
      return 'Spec => []TypeOK';
    case 'lemma':
      return `lemma ${a.action}`;
  }
}

/** `TypeOK after Replica.Execute (specs/PrimaryBackup.mom:64): executeSeqNo`. */
export function aboutText(a: StepAbout): string {
  return a.variable === null ? actionText(a) : `${actionText(a)}: ${a.variable}`;
}

/** What a timed-out obligation calls for: no backend refuted it, it ran out of time. */
export const TIMED_OUT_TEXT = 'timed out (not refuted): re-run with a larger --stretch, or split the step';

/**
 * Why a failed step matters, in MOMMIE terms; null when there is nothing to
 * add. A step every backend gave up on for lack of time is not evidence that
 * TypeOK needs strengthening, so it is reported as timed out instead.
 */
export function failureText(a: StepAbout, failure: ObligationResult['failure'] = null): string | null {
  if (failure === 'timeout') return TIMED_OUT_TEXT;
  if (a.variable === null) return null;
  const w = a.writes.map((x) => `\`${x.text}\` (${x.at})`);
  if (a.kind === 'init') {
    return w.length > 0 ? `the initial value ${w.join(', ')} may lie outside \`${a.domain ?? 'its type'}\` for some values of the constants` : null;
  }
  if (a.kind !== 'fire' && a.kind !== 'deliver' && a.kind !== 'byzantine') return null;
  const tail = 'TypeOK alone does not keep it there: a stronger invariant is needed (or the backends need help)';
  if (a.variable === 'pool' || a.variable === 'known') {
    return w.length > 0 ? `a statement it publishes, ${w.join(', ')}, may not be a Statement (a field may leave its type); ${tail}` : `a statement may not be a Statement; ${tail}`;
  }
  if (a.variable === 'handled') return `the trigger instance it records may leave TriggerInstances; ${tail}`;
  return w.length > 0 ? `${w.join(', ')} may leave \`${a.domain ?? 'its type'}\`; ${tail}` : null;
}

/** Why a failed obligation matters: in MOMMIE terms for a generated proof's step, else only whether it timed out. */
export function failureTextOf(o: Pick<ObligationResult, 'about' | 'failure'>): string | null {
  return o.about !== null ? failureText(o.about, o.failure) : o.failure === 'timeout' ? TIMED_OUT_TEXT : null;
}

export interface WeakStep {
  readonly action: string;
  readonly at: string | null;
  readonly variable: string;
  readonly writes: StepAbout['writes'];
}

/**
 * The transitions and variables whose step of a generated TypeOK proof
 * failed: refuted or failed for another reason (`timedOut: false`, these need
 * a stronger invariant or help for the backends), or timed out in every
 * backend (`timedOut: true`: not refuted).
 */
export function weakSteps(modules: readonly ModuleResult[], timedOut = false): WeakStep[] {
  const out: WeakStep[] = [];
  for (const m of modules) {
    for (const o of m.obligations) {
      const a = o.about;
      if (o.status !== 'failed' || a === null || a.variable === null || a.kind === 'lemma' || a.kind === 'next' || a.kind === 'spec') continue;
      if ((o.failure === 'timeout') !== timedOut) continue;
      if (out.some((x) => x.action === a.action && x.variable === a.variable)) continue;
      out.push({ action: a.action, at: a.at, variable: a.variable, writes: a.writes });
    }
  }
  // A step split into several obligations, one refuted and one timed out, is listed once: as refuted.
  if (timedOut) {
    const refuted = weakSteps(modules, false);
    return out.filter((w) => !refuted.some((x) => x.action === w.action && x.variable === w.variable));
  }
  return out;
}

/** Whether an obligation is worth a line of its own (tlapm's trivial checks of cited facts are not). */
export function listed(o: ObligationResult): boolean {
  return o.about === null || o.status !== 'trivial';
}
