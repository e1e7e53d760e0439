// `mommie refine`'s report as one self-contained HTML page (src/html/): the
// table of checks (kind, name, bounds, states, time, verdict), a table of
// what each check maps and assumes, and every counterexample as a sequence
// chart: principals as lifelines, items as arrows from the step that sent
// them to the step that received them, an item a Byzantine node made up
// drawn from the top of the chart.

import { renderPage, safeId, type ChartMessage, type ChartStep, type Lifeline, type SequenceChart, type Tone } from '../html/index.js';
import type { RefineCheck, RefineCounterexample, RefineReport, RefineStep } from './result.js';

export const REFINE_HTML_GENERATOR = 'mommie refine';

function tone(c: RefineCheck): Tone {
  return c.verdict === 'pass' ? 'ok' : c.verdict === 'too-large' ? 'warn' : 'bad';
}

function verdictText(c: RefineCheck): string {
  if (c.verdict === 'pass') return c.expectedFailure !== null ? 'fails as it must' : 'refines';
  return c.verdict;
}

function chartId(c: RefineCheck): string {
  return safeId(`cex-${c.kind}-${c.name}`);
}

const messageId = (a: { from: string; to: string; label: string }): string => `${a.from}>${a.to}:${a.label}`;

function message(a: { from: string; to: string; label: string; forged: boolean }): ChartMessage {
  return { id: messageId(a), label: a.label, title: `${a.from} → ${a.to}${a.forged ? ' (made up by a Byzantine node)' : ''}` };
}

function stepsOf(s: RefineStep): ChartStep[] {
  const notes = [...s.wire];
  const title = `${s.action}: ${s.mommie}`;
  const sends = s.arrows.filter((a) => a.kind === 'send');
  const deliver = s.arrows.find((a) => a.kind === 'deliver');
  const out: ChartStep[] = [];
  if (s.mommie.startsWith('Fire ') && s.actor !== null) {
    const label = s.mommie.replace(/^Fire /, '').replace(/ at .*$/, '');
    out.push({ kind: 'fire', lifeline: s.actor, label, sends: sends.map(message), notes, title });
    return out;
  }
  if (deliver !== undefined) {
    out.push({ kind: 'deliver', lifeline: deliver.to, message: messageId(deliver), label: s.mommie.startsWith('no step') ? 'accepts a forgery' : 'accepts', notes, title });
    // A relay passes the item on in the same step.
    if (sends.length > 0) out.push({ kind: 'publish', lifeline: deliver.to, sends: sends.map(message), label: 'relays' });
    return out;
  }
  if (s.mommie.startsWith('Byzantine publication') && s.actor !== null) {
    out.push({ kind: 'byzantine', lifeline: s.actor, sends: sends.map(message), label: s.mommie, notes, title });
    return out;
  }
  if (sends.length > 0 && s.actor !== null) {
    out.push({ kind: 'publish', lifeline: s.actor, sends: sends.map(message), label: s.action.replace(/^W_/, ''), notes, title });
    return out;
  }
  out.push({ kind: 'note', label: `${s.action}: ${s.mommie}`, notes, title });
  return out;
}

function chartOf(c: RefineCheck, cex: RefineCounterexample, principals: readonly string[]): SequenceChart {
  const names = new Set<string>(principals);
  for (const s of cex.steps) {
    if (s.actor !== null) names.add(s.actor);
    for (const a of s.arrows) {
      names.add(a.from);
      names.add(a.to);
    }
  }
  names.delete('?');
  const lifelines: Lifeline[] = [...names].map((n) => (n === 'Byzantine' ? { name: n, status: 'byzantine' as const, note: 'any Byzantine node' } : { name: n }));
  const steps: ChartStep[] = [];
  let loopStart: number | undefined;
  for (const s of cex.steps) {
    if (cex.loopsTo !== null && s.index === cex.loopsTo + 1 && loopStart === undefined) loopStart = steps.length;
    steps.push(...stepsOf(s));
  }
  return {
    id: chartId(c),
    title: `${c.kind} ${c.name}: ${c.violated ?? c.verdict}`,
    subtitle: c.message,
    lifelines,
    steps,
    firstNumber: 2,
    ...(loopStart !== undefined ? { loopStart } : {}),
  };
}

/** The page; `principals` are the program's, in declaration order (the composed charts' lifelines). */
export function refineToHtml(r: RefineReport, principals: readonly string[]): string {
  const failing = r.checks.filter((c) => c.verdict !== 'pass').length;
  const charts = r.checks
    .filter((c) => c.counterexample !== null && c.counterexample.steps.length > 0)
    .map((c) => chartOf(c, c.counterexample!, c.kind === 'composed' ? principals : []));
  const withChart = new Set(charts.map((ch) => ch.id));
  return renderPage({
    title: `refine ${r.program} with ${r.deploy}`,
    summary: [`${r.checks.length} checks, ${r.checks.length - failing} as expected; ${r.seconds.toFixed(1)} s`, r.tlc, ...r.notChecked.map((n) => `not checked: ${n}`)],
    status: failing === 0 ? 'ok' : r.checks.some((c) => c.verdict === 'fail' || c.verdict === 'error') ? 'bad' : 'warn',
    statusText: failing === 0 ? 'as expected' : `${failing} not as expected`,
    generator: REFINE_HTML_GENERATOR,
    tables: [
      {
        title: 'Checks',
        columns: ['kind', 'check', 'bounds', 'distinct states', 'time (s)', 'verdict'],
        rows: r.checks.map((c) => [
          c.kind,
          withChart.has(chartId(c)) ? { text: c.name, href: `#${chartId(c)}` } : c.name,
          c.bounds,
          c.distinct ?? '-',
          { text: c.seconds.toFixed(1), numeric: true },
          { text: verdictText(c), tone: tone(c), title: c.message },
        ]),
      },
      ...(r.checks.some((c) => c.coverage !== null)
        ? [
            {
              title: 'Coverage of the composed models (TLC -coverage)',
              columns: ['check', 'step', 'kind', 'fired', 'new states'],
              rows: r.checks.flatMap((c) => (c.coverage ?? []).map((x) => [c.name, x.name, x.kind === 'antecedent' ? 'antecedent held (states)' : x.kind, { text: String(x.fired), numeric: true, ...(x.fired === 0 && x.kind !== 'wire' ? { tone: 'warn' as const } : {}) }, { text: String(x.distinct), numeric: true }])),
            },
          ]
        : []),
      {
        title: 'Mappings and assumptions',
        columns: ['check', 'mapping', 'checked', 'assumes', 'message'],
        rows: r.checks.map((c) => [
          c.name,
          c.mapping,
          c.outcomes.length > 0 ? c.outcomes.map((o) => `${o.name}: ${o.status === 'not-checked' ? `not checked${o.note !== null ? ` (${o.note})` : ''}` : o.status}`).join('; ') : c.properties.join(', '),
          [...c.warnings.map((w) => `warning: ${w}`), ...c.assumptions, ...(c.expectedFailure !== null ? [`must fail: ${c.expectedFailure}`] : []), ...(c.suggestion !== null ? [`suggestion: ${c.suggestion}`] : [])].join('; '),
          c.message,
        ]),
      },
    ],
    charts,
  });
}
