// `mommie refine`'s report as text: a table of every check (kind, name,
// bounds, distinct states, time, verdict), then each check's mapping,
// assumptions and, for a failure, its counterexample in wire terms and in
// MOMMIE terms.

import type { RefineCheck, RefineReport } from './result.js';

const MARK: Readonly<Record<RefineCheck['verdict'], string>> = { pass: '✓', fail: '✗', 'too-large': '…', error: '!' };

function count(n: number | null): string {
  return n === null ? '-' : n.toLocaleString('en-US');
}

function verdictText(c: RefineCheck): string {
  if (c.verdict === 'pass') return c.expectedFailure !== null ? 'fails as it must' : 'refines';
  return c.verdict;
}

export function formatRefineReport(r: RefineReport): string {
  const out: string[] = [];
  out.push(`refine ${r.program} with ${r.deploy} (${r.tlc})`);
  out.push('');
  const rows = r.checks.map((c) => [MARK[c.verdict], c.kind, c.name, count(c.distinct), `${c.seconds.toFixed(1)} s`, verdictText(c)]);
  const head = ['', 'kind', 'check', 'distinct states', 'time', 'verdict'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]): string => cells.map((x, i) => (i === 3 || i === 4 ? x.padStart(widths[i]!) : x.padEnd(widths[i]!))).join('  ').trimEnd();
  out.push(line(head));
  for (const row of rows) out.push(line(row));
  for (const c of r.checks) {
    out.push('');
    out.push(`${MARK[c.verdict]} ${c.kind} ${c.name}: ${c.message}`);
    if (c.about !== '') out.push(`    about:       ${c.about}`);
    if (c.bounds !== '') out.push(`    bounds:      ${c.bounds}`);
    if (c.mapping !== '') out.push(`    mapping:     ${c.mapping}`);
    if (c.properties.length > 0) out.push(`    checked:     ${c.properties.join(', ')}`);
    if (c.expectedFailure !== null) out.push(`    must fail:   ${c.expectedFailure} (a negative control)`);
    for (const a of c.assumptions) out.push(`    assumes:     ${a}`);
    if (c.suggestion !== null) out.push(`    suggestion:  ${c.suggestion}`);
    if (c.counterexample !== null && (c.verdict !== 'pass' || c.expectedFailure !== null)) {
      out.push(`    counterexample (${c.counterexample.steps.length} step${c.counterexample.steps.length === 1 ? '' : 's'}${loopText(c)}):`);
      for (const s of c.counterexample.steps) {
        out.push(`      ${String(s.index).padStart(3)}. ${s.mommie}`);
        for (const w of s.wire) out.push(`             wire: ${w}`);
      }
    }
  }
  const bad = r.checks.filter((c) => c.verdict !== 'pass').length;
  out.push('');
  out.push(`${r.checks.length} checks: ${r.checks.length - bad} as expected${bad > 0 ? `, ${bad} not` : ''}; ${r.seconds.toFixed(1)} s`);
  return out.join('\n') + '\n';
}

function loopText(c: RefineCheck): string {
  const cex = c.counterexample;
  if (cex === null || cex.loopsTo === null) return '';
  const last = cex.steps[cex.steps.length - 1]?.index;
  return cex.loopsTo === last ? ', then stuttering there forever' : `, then back to state ${cex.loopsTo} forever`;
}
