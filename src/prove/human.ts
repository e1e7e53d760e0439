// `mommie prove`'s report for a person: per module, one line per obligation
// (status, prover, time, file:line:col); a failed one also lists what each
// backend said and the obligation as tlapm printed it.

import { aboutText, failureTextOf, listed, TIMED_OUT_TEXT, weakSteps, type WeakStep } from './about.js';
import type { AssumptionCheck, AssumptionRefResult, Attempt, ModuleResult, ObligationResult, ProveResult, TheoremRefResult, TheoremResult } from './result.js';

export interface ProveHumanOptions {
  readonly color?: boolean;
}

type Paint = (s: string) => string;
const sgr =
  (code: string): Paint =>
  (s) =>
    `\x1b[${code}m${s}\x1b[0m`;
const plain: Paint = (s) => s;

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;
const timedOutText = (n: number): string => (n > 0 ? ` (${n} timed out)` : '');

export function formatSeconds(s: number | null): string {
  if (s === null) return '';
  return s < 10 ? `${s.toFixed(1)} s` : `${Math.round(s)} s`;
}

const MARK: Record<ObligationResult['status'], string> = { proved: '✓', trivial: '✓', failed: '✗', interrupted: '?', omitted: '-', unfinished: '?' };

export function locationText(o: ObligationResult): string {
  return `${o.location.file}:${o.location.line}:${o.location.column}`;
}

function attemptText(a: Attempt): string {
  const what = a.status === 'failed' ? `failed${a.reason !== null ? ` (${a.reason})` : ''}` : a.status;
  const time = a.seconds !== null ? `, ${formatSeconds(a.seconds)}` : a.cached ? ', cached' : '';
  return `${a.prover} ${what}${time}`;
}

/** `✓ proved       smt      1.0 s   proofs/P.tla:8:3` */
export function obligationLine(o: ObligationResult, paint: { ok: Paint; bad: Paint; warn: Paint } = { ok: plain, bad: plain, warn: plain }): string {
  const p = o.status === 'proved' || o.status === 'trivial' ? paint.ok : o.status === 'failed' ? paint.bad : paint.warn;
  const time = o.seconds !== null ? formatSeconds(o.seconds) : o.cached ? 'cached' : '';
  // A failed obligation was tried by several backends: name those that ran.
  const ran = [...new Set(o.attempts.filter((a) => !/ is not installed$/.test(a.reason ?? '')).map((a) => a.prover))];
  const prover = o.status === 'failed' || o.status === 'interrupted' ? ran.join(',') : o.omission !== null ? omissionText(o.omission) : (o.prover ?? '');
  return `${p(`${MARK[o.status]} ${o.status.padEnd(11)}`)} ${prover.padEnd(8)} ${time.padEnd(7)} ${locationText(o)}`;
}

/** What an omitted obligation is: tlapm checked nothing there. */
function omissionText(o: NonNullable<ObligationResult['omission']>): string {
  return o === 'omitted' ? 'OMITTED' : 'no proof';
}

/** A generated proof's obligations carry what they are about. */
function isGeneratedProof(m: ModuleResult): boolean {
  return m.obligations.some((o) => o.about !== null);
}

function moduleHead(m: ModuleResult): string {
  const what = isGeneratedProof(m) ? `generated proof ${m.file}` : m.generated ? `generated module ${m.file}` : m.file;
  const n = m.obligations.length;
  const done = m.obligations.filter((o) => o.status === 'proved' || o.status === 'trivial').length;
  const failed = m.obligations.filter((o) => o.status === 'failed').length;
  const timedOut = m.obligations.filter((o) => o.failure === 'timeout').length;
  const omitted = m.obligations.filter((o) => o.status === 'omitted').length;
  switch (m.status) {
    case 'checked':
      return n === 0
        ? `${what}: no obligations (tlapm parsed it)`
        : `${what}: ${done} of ${plural(n, 'obligation', 'obligations')} proved${failed > 0 ? `, ${failed} failed${timedOutText(timedOut)}` : ''}${omitted > 0 ? `, ${omitted} omitted (not proved)` : ''} (${formatSeconds(m.seconds)})`;
    case 'rejected':
      return `${what}: rejected by tlapm${m.generated ? ' (a bug in mommie\'s translation)' : ''}`;
    case 'crashed':
      return `${what}: tlapm failed`;
    case 'interrupted':
      return `${what}: interrupted after ${done} of ${m.expected ?? n} obligations`;
  }
}

export function formatProveResult(r: ProveResult, opts: ProveHumanOptions = {}): string {
  const c = opts.color === true;
  const paint = { ok: c ? sgr('32') : plain, bad: c ? sgr('31') : plain, warn: c ? sgr('33') : plain };
  const bold = c ? sgr('1') : plain;
  const out: string[] = [`${r.program} (${r.file}), tlapm ${r.tlapm.version ?? '(version unknown)'}, ${plural(r.modules.length, 'module', 'modules')}`];
  for (const m of r.modules) {
    out.push('', bold(moduleHead(m)));
    for (const p of m.problems) {
      const at = p.location !== null ? `${p.location.file}:${p.location.line}:${p.location.column}: ` : '';
      out.push(`  ${at}${p.severity}: ${p.message}`);
    }
    if (isGeneratedProof(m)) {
      out.push(...generatedProofLines(m, paint));
      out.push(...restsOnLines(m, paint));
      continue;
    }
    for (const o of m.obligations) {
      out.push(`  ${obligationLine(o, paint)}`);
      if (o.status === 'failed' || o.status === 'interrupted') {
        if (o.attempts.length > 0) out.push(`      tried: ${o.attempts.map(attemptText).join('; ')}`);
        if (o.failure === 'timeout') out.push(`      ${TIMED_OUT_TEXT}`);
        if (o.obligation !== null) for (const l of o.obligation.split('\n')) out.push(`      ${l}`);
      }
    }
    out.push(...theoremLines(m, paint), ...restsOnLines(m, paint));
  }
  const weak = weakSteps(r.modules);
  if (weak.length > 0) {
    out.push('', bold('TypeOK is not shown inductive on its own; these steps need a stronger invariant (or help for the backends):'));
    for (const w of weak) out.push(`  ${weakStepText(w)}`);
  }
  const slow = weakSteps(r.modules, true);
  if (slow.length > 0) {
    out.push('', bold(`These steps ${TIMED_OUT_TEXT}:`));
    for (const w of slow) out.push(`  ${weakStepText(w)}`);
    // Measured with tlapm's Z3 and Zenon: neither refutes such a step, they run out of time on it, so "timed out" does not mean "holds".
    out.push('  (Z3 and Zenon seldom refute a step that does not hold: they time out on it too. A step that still times out with a larger --stretch likely needs a stronger invariant.)');
  }
  out.push(...coverageLines(r, bold));
  const k = r.counts;
  const parts = [`${k.proved + k.trivial} proved${k.trivial > 0 ? ` (${k.trivial} trivial)` : ''}`];
  if (k.failed > 0) parts.push(`${k.failed} failed${timedOutText(k.timedOut)}`);
  if (k.interrupted > 0) parts.push(`${k.interrupted} interrupted`);
  if (k.omitted > 0) parts.push(`${k.omitted} omitted`);
  if (k.unfinished > 0) parts.push(`${k.unfinished} unfinished`);
  out.push('', `${plural(k.obligations, 'obligation', 'obligations')}: ${parts.join(', ')}; ${formatSeconds(r.seconds)}`);
  const missing = [...new Set(r.modules.flatMap((m) => m.obligations.flatMap((o) => o.attempts.map((a) => a.reason ?? ''))).filter((s) => / is not installed$/.test(s)))];
  for (const s of missing) out.push(`note: ${s}, so tlapm could not try it ('mommie tools doctor' says what to do).`);
  return out.join('\n');
}

/** `Replica.Execute (specs/PrimaryBackup.mom:64): executeSeqNo — \`executeSeqNo + 1\`` */
function weakStepText(w: WeakStep): string {
  return `${w.action}${w.at !== null ? ` (${w.at})` : ''}: ${w.variable}${w.writes.length > 0 ? ` — ${w.writes.map((x) => `\`${x.text}\``).join(', ')}` : ''}`;
}

/**
 * A generated proof, per theorem then per step: each step's line names the
 * MOMMIE action and variable; a failed one says which expression may leave
 * its type. tlapm's trivial checks of the facts a step cites are counted, not
 * listed, and the obligation's text is left to --json.
 */
function generatedProofLines(m: ModuleResult, paint: { ok: Paint; bad: Paint; warn: Paint }): string[] {
  const out: string[] = [];
  const theorems = new Map<string, ObligationResult[]>();
  for (const o of m.obligations) {
    const key = o.about?.theorem ?? '(other)';
    theorems.set(key, [...(theorems.get(key) ?? []), o]);
  }
  for (const [theorem, obs] of theorems) {
    const failed = obs.filter((o) => o.status === 'failed').length;
    const timedOut = obs.filter((o) => o.failure === 'timeout').length;
    const open = obs.filter((o) => o.status !== 'proved' && o.status !== 'trivial').length;
    const time = obs.reduce((a, o) => a + (o.seconds ?? 0), 0);
    const status = open === 0 ? paint.ok('proved') : failed > 0 ? paint.bad(`${failed} failed${timedOutText(timedOut)}`) : paint.warn(`${open} not proved`);
    out.push(`  ${theorem}: ${status} (${plural(obs.length, 'obligation', 'obligations')}, ${formatSeconds(time) || '0 s'})`);
    for (const o of obs) {
      if (!listed(o)) continue;
      out.push(`    ${obligationLine(o, paint)}  ${o.about !== null ? aboutText(o.about) : ''}`);
      if (o.status === 'failed' || o.status === 'interrupted') {
        const why = failureTextOf(o);
        if (why !== null) out.push(`        ${why}`);
        if (o.attempts.length > 0) out.push(`        tried: ${o.attempts.map(attemptText).join('; ')}`);
      }
    }
  }
  return out;
}

const assumptionText = (a: AssumptionRefResult): string => `${a.name !== null ? `ASSUME ${a.name}` : 'an unnamed ASSUME'} (${a.file}:${a.line})`;
const citedText = (t: TheoremRefResult): string => `${t.name} (${t.file}:${t.line})`;

/** One line per theorem: its status, what it assumes, what it cites and what of that this run did not check. */
function theoremLines(m: ModuleResult, paint: { ok: Paint; bad: Paint; warn: Paint }): string[] {
  if (m.theorems.length === 0) return [];
  const out = ['  theorems:'];
  for (const t of m.theorems) {
    const p = t.status === 'proved' ? (t.unchecked.length > 0 ? paint.warn : paint.ok) : t.status === 'failed' ? paint.bad : paint.warn;
    const mark = t.status === 'proved' ? (t.unchecked.length > 0 ? '!' : '✓') : t.status === 'failed' ? '✗' : t.status === 'omitted' ? '-' : '?';
    out.push(`    ${p(`${mark} ${t.name}`)} (line ${t.line}): ${theoremStatusText(t)}`);
    // What a proved theorem rests on is the point; a theorem not proved rests on nothing yet.
    if (t.status === 'proved') out.push(`        assumes: ${t.assumptions.length > 0 ? t.assumptions.map(assumptionText).join(', ') : 'nothing (no ASSUME cited or in scope)'}`);
    const cites = t.cites.filter((c) => c.checked !== 'library');
    const library = t.cites.filter((c) => c.checked === 'library');
    if (cites.length > 0) out.push(`        cites: ${cites.map((c) => `${c.name}${c.module !== m.module ? ` (${c.file})` : ''}`).join(', ')}`);
    if (library.length > 0) out.push(`        cites tlapm's library: ${library.map((c) => c.name).join(', ')}`);
    if (t.unchecked.length > 0) {
      out.push(`        ${p(`rests on theorems this run did not check: ${t.unchecked.map((u) => `${citedText(u)}${u.omitted ? ', whose proof is OMITTED or missing' : ''}`).join(', ')}`)}`);
      out.push(`        (tlapm takes an EXTENDed module's theorems as proved: give ${[...new Set(t.unchecked.map((u) => u.file))].join(', ')} to mommie prove too)`);
    }
  }
  return out;
}

function theoremStatusText(t: TheoremResult): string {
  const n = plural(t.obligations, 'obligation', 'obligations');
  switch (t.status) {
    case 'proved':
      return t.unchecked.length > 0 ? `proved (${n}), but not shown: it rests on a theorem this run did not check` : `proved (${n})`;
    case 'failed':
      return `not proved: an obligation failed (${n})`;
    case 'omitted':
      return `not proved: its proof, or a step of it, is OMITTED or missing (${n} checked)`;
    case 'interrupted':
      return `not proved: interrupted (${n})`;
    case 'unfinished':
      return `not proved: tlapm did not finish it (${n})`;
  }
}

/** For a generated proof, the assumptions its theorems rest on; for every module, whether TLC found its assumptions satisfiable. */
function restsOnLines(m: ModuleResult, paint: { ok: Paint; bad: Paint; warn: Paint }): string[] {
  const out: string[] = [];
  if (isGeneratedProof(m)) {
    const shared = [...new Map(m.theorems.flatMap((t) => t.assumptions).map((a) => [`${a.file}:${a.line}`, a])).values()];
    // The lemmas assume nothing; the theorems about the actions rest on the constants' types.
    if (shared.length > 0) out.push(`  its theorems assume: ${shared.map(assumptionText).join(', ')} (the constants' types)`);
  }
  const c = m.assumptionCheck;
  if (c !== null) out.push(`  assumptions: ${assumptionCheckText(c, paint)}`);
  return out;
}

export function assumptionCheckText(c: AssumptionCheck, paint: { ok: Paint; bad: Paint; warn: Paint } = { ok: plain, bad: plain, warn: plain }): string {
  const falseOn = c.falseOn.map((f) => `on ${f.model}, ${f.assumption !== null ? assumptionText(f.assumption) : f.message} is false`);
  switch (c.status) {
    case 'holds':
      return paint.ok(`all hold on the constants of model ${c.model ?? '?'} (TLC): they are not contradictory`) + (falseOn.length > 0 ? ` (${falseOn.join('; ')})` : '');
    case 'fails':
      return paint.bad(`no model's constants satisfy them (TLC: ${falseOn.join('; ')}). They may contradict each other; a theorem resting on them shows nothing about any model of the program`);
    case 'unchecked':
      return paint.warn(`not checked for contradiction (${c.detail ?? 'no reason given'}${falseOn.length > 0 ? `; ${falseOn.join('; ')}` : ''}): under contradictory assumptions anything can be proved`);
  }
}

/**
 * What the proved theorems cover, at the end of the report: the assumptions
 * they rest on, and every way the run falls short of "proved" even where no
 * obligation failed.
 */
function coverageLines(r: ProveResult, bold: Paint): string[] {
  const out: string[] = [];
  const proved = r.modules.flatMap((m) => m.theorems.filter((t) => t.status === 'proved'));
  const assumptions = [...new Map(proved.flatMap((t) => t.assumptions).map((a) => [`${a.file}:${a.line}`, a])).values()];
  if (assumptions.length > 0) out.push('', `The proved theorems hold under: ${assumptions.map(assumptionText).join(', ')}.`);
  const omitted = r.modules.flatMap((m) => m.obligations.filter((o) => o.status === 'omitted'));
  if (omitted.length > 0) out.push('', bold(`Not proved: ${plural(omitted.length, 'proof is', 'proofs are')} OMITTED or missing, and tlapm checks nothing there: ${omitted.map(locationText).join(', ')}`));
  const unchecked = r.modules.flatMap((m) => m.theorems.filter((t) => t.unchecked.length > 0));
  if (unchecked.length > 0) out.push('', bold(`Not shown: ${unchecked.map((t) => t.name).join(', ')} rest${unchecked.length === 1 ? 's' : ''} on theorems this run did not check.`));
  const fails = r.modules.filter((m) => m.assumptionCheck?.status === 'fails');
  if (fails.length > 0) out.push('', bold(`Not shown: the assumptions of ${fails.map((m) => m.file).join(', ')} hold on none of the program's models.`));
  return out;
}
