// `mommie prove`'s report for a person: per module, one line per obligation
// (status, prover, time, file:line:col); a failed one also lists what each
// backend said and the obligation as tlapm printed it.

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

function moduleHead(m: ModuleResult): string {
  const what = m.generated ? `generated module ${m.file}` : m.file;
  const n = m.obligations.length;
  const done = m.obligations.filter((o) => o.status === 'proved' || o.status === 'trivial').length;
  const failed = m.obligations.filter((o) => o.status === 'failed').length;
  switch (m.status) {
    case 'checked':
      return n === 0 ? `${what}: no obligations (tlapm parsed it)` : `${what}: ${done} of ${plural(n, 'obligation', 'obligations')} proved${failed > 0 ? `, ${failed} failed` : ''} (${formatSeconds(m.seconds)})`;
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
    for (const o of m.obligations) {
      out.push(`  ${obligationLine(o, paint)}`);
      if (o.status === 'failed' || o.status === 'interrupted') {
        if (o.attempts.length > 0) out.push(`      tried: ${o.attempts.map(attemptText).join('; ')}`);
        if (o.obligation !== null) for (const l of o.obligation.split('\n')) out.push(`      ${l}`);
      }
    }
  }
  const k = r.counts;
  const parts = [`${k.proved + k.trivial} proved${k.trivial > 0 ? ` (${k.trivial} trivial)` : ''}`];
  if (k.failed > 0) parts.push(`${k.failed} failed`);
  if (k.interrupted > 0) parts.push(`${k.interrupted} interrupted`);
  if (k.omitted > 0) parts.push(`${k.omitted} omitted`);
  if (k.unfinished > 0) parts.push(`${k.unfinished} unfinished`);
  out.push('', `${plural(k.obligations, 'obligation', 'obligations')}: ${parts.join(', ')}; ${formatSeconds(r.seconds)}`);
  const missing = [...new Set(r.modules.flatMap((m) => m.obligations.flatMap((o) => o.attempts.map((a) => a.reason ?? ''))).filter((s) => / is not installed$/.test(s)))];
  for (const s of missing) out.push(`note: ${s}, so tlapm could not try it ('mommie tools doctor' says what to do).`);
  return out.join('\n');
}
