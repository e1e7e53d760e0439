// `mommie refine`'s report as text: a table of every check (kind, name,
// bounds, distinct states, time, verdict), then each check's mapping,
// assumptions and, for a failure, its counterexample in wire terms and in
// MOMMIE terms.

import { formatCoverageRows } from './coverage.js';
import type { PropertyOutcome, RefineCheck, RefineReport } from './result.js';

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
    for (const line of outcomeLines(c.outcomes)) out.push(`    ${line}`);
    if (c.expectedFailure !== null) out.push(`    must fail:   ${c.expectedFailure} (a negative control)`);
    for (const a of c.assumptions) out.push(`    assumes:     ${a}`);
    if (c.suggestion !== null) out.push(`    suggestion:  ${c.suggestion}`);
    if (c.coverage !== null) {
      const transitions = c.coverage.filter((x) => x.kind === 'transition');
      const wire = c.coverage.filter((x) => x.kind === 'wire');
      const antecedents = c.coverage.filter((x) => x.kind === 'antecedent');
      out.push('    transitions fired (TLC -coverage, summed over the states explored):');
      out.push(...formatCoverageRows(transitions.map((x) => ({ label: x.name, fired: x.fired, distinct: x.distinct })), '      '));
      out.push('    wire steps:');
      out.push(...formatCoverageRows(wire.map((x) => ({ label: x.name, fired: x.fired, distinct: x.distinct })), '      '));
      if (antecedents.length > 0) {
        out.push('    states where a leads-to antecedent held:');
        out.push(...formatCoverageRows(antecedents.map((x) => ({ label: x.name, fired: x.fired })), '      '));
      }
    }
    for (const w of c.warnings) out.push(`    warning:     ${w}`);
    if (c.counterexample !== null && (c.verdict !== 'pass' || c.expectedFailure !== null)) {
      out.push(`    counterexample (${c.counterexample.steps.length} step${c.counterexample.steps.length === 1 ? '' : 's'}${loopText(c)}):`);
      for (const s of c.counterexample.steps) {
        out.push(`      ${String(s.index).padStart(3)}. ${s.mommie}`);
        for (const w of s.wire) out.push(`             wire: ${w}`);
      }
    }
  }
  const bad = r.checks.filter((c) => c.verdict !== 'pass').length;
  const warned = r.checks.filter((c) => c.warnings.length > 0).length;
  out.push('');
  for (const n of r.notChecked) out.push(`not checked: ${n}`);
  out.push(`${r.checks.length} checks: ${r.checks.length - bad} as expected${bad > 0 ? `, ${bad} not` : ''}${warned > 0 ? `; ${warned} with vacuity warnings` : ''}; ${r.seconds.toFixed(1)} s`);
  return out.join('\n') + '\n';
}

function loopText(c: RefineCheck): string {
  const cex = c.counterexample;
  if (cex === null || cex.loopsTo === null) return '';
  const last = cex.steps[cex.steps.length - 1]?.index;
  return cex.loopsTo === last ? ', then stuttering there forever' : `, then back to state ${cex.loopsTo} forever`;
}

/** `holds: A, B` / `violated: C` / `not checked: D (why)`, grouped. */
function outcomeLines(outcomes: readonly PropertyOutcome[]): string[] {
  const lines: string[] = [];
  const holds = outcomes.filter((o) => o.status === 'holds').map((o) => o.name);
  const violated = outcomes.filter((o) => o.status === 'violated').map((o) => o.name);
  if (holds.length > 0) lines.push(`holds:       ${holds.join(', ')}`);
  if (violated.length > 0) lines.push(`violated:    ${violated.join(', ')}`);
  const notChecked = new Map<string, string[]>();
  for (const o of outcomes.filter((x) => x.status === 'not-checked')) {
    const key = o.note ?? '';
    notChecked.set(key, [...(notChecked.get(key) ?? []), o.name]);
  }
  for (const [why, names] of notChecked) lines.push(`not checked: ${names.join(', ')}${why === '' ? '' : ` (${why})`}`);
  return lines;
}
