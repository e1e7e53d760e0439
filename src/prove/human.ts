// `mommie prove`'s report for a person: per module, one line per obligation
// (status, prover, time, file:line:col); a failed one also lists what each
// backend said and the obligation as tlapm printed it.

import { aboutText, failureTextOf, listed, TIMED_OUT_TEXT, weakSteps, type WeakStep } from './about.js';
import type { Attempt, ModuleResult, ObligationResult, ProveResult } from './result.js';

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
  const prover = o.status === 'failed' || o.status === 'interrupted' ? ran.join(',') : (o.prover ?? '');
  return `${p(`${MARK[o.status]} ${o.status.padEnd(11)}`)} ${prover.padEnd(8)} ${time.padEnd(7)} ${locationText(o)}`;
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
  switch (m.status) {
    case 'checked':
      return n === 0 ? `${what}: no obligations (tlapm parsed it)` : `${what}: ${done} of ${plural(n, 'obligation', 'obligations')} proved${failed > 0 ? `, ${failed} failed${timedOutText(timedOut)}` : ''} (${formatSeconds(m.seconds)})`;
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
