// The result of `mommie verify` as a self-contained HTML page (src/html/):
// a table of models (status, bounds, statistics), a table of properties
// (verdicts, linked to their counterexamples), and each counterexample drawn
// as a sequence chart with the principals as lifelines.
//
// Which deliveries a step used is not in the trace (the checker keeps the
// steps, not the statements a trigger matched), so it is reconstructed here,
// and documented as such in docs/html-reports.md: for a step of node N firing
// transition T, the statements delivered to N since N last fired T whose
// record type T's trigger reads, narrowed to the bound record when the
// trigger binds one of that type. When T's trigger has a quorum pattern for
// one of those types, the group is marked as a quorum.

import type { CheckedProgram } from '../analysis/program.js';
import type { ModelResult, PropertyResult, StatementView, Trace, VarChange, VerifyResult } from '../check/result.js';
import { renderPage, safeId, type Cell, type ChartStep, type Lifeline, type SequenceChart, type Table, type Tone } from '../html/index.js';
import { formatBounds, formatEvaluationError, formatStatement, traceSummary } from './human.js';

/** `<meta name="generator">` of the page: how `verify -o` recognises its own earlier report. */
export const HTML_GENERATOR = 'mommie verify';

export interface TriggerReads {
  /** Record types of the trigger's patterns. */
  readonly types: readonly string[];
  /** The record types read by a quorum pattern (`[R >= 2*F+1, ME, NONE] Commit`). */
  readonly quorumTypes: readonly string[];
}

export interface VerifyPageContext {
  /** Every principal of the program in declaration order: the charts' lifelines. */
  readonly principals?: readonly string[];
  /** `Role.Transition` -> what its trigger reads. */
  readonly triggers?: ReadonlyMap<string, TriggerReads>;
}

/** What the page needs from the checked program besides the result. */
export function verifyPageContext(program: CheckedProgram): VerifyPageContext {
  const principals = [...new Set([...program.principalSets.values()].flat())];
  const triggers = new Map<string, TriggerReads>();
  for (const role of program.roles.values()) {
    for (const t of role.transitions) {
      const types = [...new Set(t.decl.patterns.map((p) => p.recordType.name))];
      const quorumTypes = [...new Set(t.decl.patterns.filter((p) => p.issuer.kind === 'quorum').map((p) => p.recordType.name))];
      triggers.set(`${role.name}.${t.name}`, { types, quorumTypes });
    }
  }
  return { principals, triggers };
}

function initialLines(changes: readonly VarChange[]): string[] {
  const byNode = new Map<string, string[]>();
  for (const c of changes) {
    const list = byNode.get(c.node) ?? [];
    list.push(`${c.variable} = ${c.after}`);
    byNode.set(c.node, list);
  }
  return [...byNode].map(([node, vars]) => `${node}: ${vars.join(', ')}`);
}

const statementId = (s: StatementView): string => formatStatement(s);

function lifelinesOf(trace: Trace, m: ModelResult, ctx: VerifyPageContext): Lifeline[] {
  const names: string[] = [...(ctx.principals ?? [])];
  const add = (n: string): void => {
    if (!names.includes(n)) names.push(n);
  };
  for (const s of trace.steps) {
    const a = s.action;
    if (a.kind !== 'init') add(a.node);
    for (const c of s.changes) add(c.node);
  }
  const crashed = new Set(m.bounds.crashed);
  const byz = new Set(m.bounds.byzantine.map((b) => b.principal));
  return names.map((name) => ({ name, ...(crashed.has(name) ? { status: 'crashed' as const } : byz.has(name) ? { status: 'byzantine' as const } : {}) }));
}

/** The chart of one counterexample (or trace to an evaluation error). */
export function traceChart(trace: Trace, m: ModelResult, ctx: VerifyPageContext, id: string, title: string, subtitle?: string): SequenceChart {
  // Per node: its deliveries so far, and where it last fired each transition.
  const delivered = new Map<string, { step: number; type: string; record: string }[]>();
  const lastFired = new Map<string, number>();
  const steps: ChartStep[] = trace.steps.map((s, k): ChartStep => {
    const notes = s.changes.map((c) => (c.before === undefined ? `${c.node}.${c.variable} = ${c.after}` : `${c.node}.${c.variable}: ${c.before} → ${c.after}`));
    const a = s.action;
    switch (a.kind) {
      case 'init':
        // Every variable of every node: one line per node keeps the chart's first row short.
        return { kind: 'note', label: 'initial state', notes: initialLines(s.changes) };
      case 'deliver': {
        const list = delivered.get(a.node) ?? [];
        list.push({ step: k, type: a.statement.recordType, record: a.statement.record });
        delivered.set(a.node, list);
        return { kind: 'deliver', lifeline: a.node, message: statementId(a.statement), notes };
      }
      case 'byzantine':
        return { kind: 'byzantine', lifeline: a.node, sends: [{ id: statementId(a.statement), label: formatStatement(a.statement) }], notes };
      case 'fire': {
        const key = `${a.role}.${a.transition}`;
        const reads = ctx.triggers?.get(key);
        const since = lastFired.get(`${a.node}/${key}`) ?? -1;
        lastFired.set(`${a.node}/${key}`, k);
        const bound = Object.values(a.binding);
        const uses = (delivered.get(a.node) ?? [])
          .filter((d) => d.step > since && reads !== undefined && reads.types.includes(d.type))
          .filter((d) => {
            const boundOfType = bound.filter((v) => v.startsWith(`${d.type}(`));
            return boundOfType.length === 0 || boundOfType.includes(d.record);
          });
        const quorum = reads !== undefined && uses.some((d) => reads.quorumTypes.includes(d.type));
        return {
          kind: 'fire',
          lifeline: a.node,
          label: a.transition,
          detail: Object.entries(a.binding)
            .map(([k2, v]) => `${k2}=${v}`)
            .join(', '),
          ...(a.timeout ? { suffix: 'on timeout' } : {}),
          sends: a.published.map((p) => ({ id: statementId(p), label: formatStatement(p) })),
          ...(uses.length > 0 ? { uses: uses.map((d) => d.step), quorum } : {}),
          notes,
          title: `role ${a.role}, ${a.location}`,
        };
      }
    }
  });
  const loopStart = trace.loopsTo === undefined ? undefined : trace.loopsTo - (trace.steps[0]?.index ?? 1);
  return {
    id,
    title,
    ...(subtitle !== undefined ? { subtitle } : {}),
    lifelines: lifelinesOf(trace, m, ctx),
    steps,
    ...(loopStart !== undefined ? { loopStart } : {}),
    firstNumber: trace.steps[0]?.index ?? 1,
  };
}

export const chartId = (model: string, property: string): string => safeId(`cex-${model}-${property}`);
export const errorChartId = (model: string): string => safeId(`error-${model}`);

const STATUS: Record<ModelResult['status'], { text: string; tone: Tone }> = {
  complete: { text: 'complete', tone: 'ok' },
  violation: { text: 'violation', tone: 'bad' },
  limit: { text: 'limit reached, search incomplete', tone: 'warn' },
  error: { text: 'evaluation error', tone: 'bad' },
  interrupted: { text: 'interrupted, search incomplete', tone: 'warn' },
};

const VERDICT: Record<PropertyResult['verdict'], { text: string; tone: Tone }> = {
  holds: { text: '✓ holds', tone: 'ok' },
  violated: { text: '✗ violated', tone: 'bad' },
  unknown: { text: '? unknown', tone: 'warn' },
};

function modelsTable(r: VerifyResult): Table {
  return {
    title: 'Models',
    columns: ['Model', 'Status', 'Verdicts', 'Bounds', 'Distinct states', 'Generated', 'Depth', 'Time (s)', 'States/s'],
    rows: r.models.map((m) => {
      const count = (v: PropertyResult['verdict']): number => m.properties.filter((p) => p.verdict === v).length;
      const verdicts = `${count('holds')} hold, ${count('violated')} violated, ${count('unknown')} unknown`;
      return [
        m.model,
        { text: STATUS[m.status].text, tone: STATUS[m.status].tone },
        { text: verdicts, tone: count('violated') > 0 ? 'bad' : count('unknown') > 0 ? 'warn' : 'ok' },
        formatBounds(m.bounds),
        m.stats.distinct,
        m.stats.generated,
        m.stats.depth,
        { text: m.stats.seconds.toFixed(2), numeric: true },
        Math.round(m.stats.statesPerSecond),
      ];
    }),
  };
}

function propertiesTable(r: VerifyResult): Table {
  const rows: (string | Cell)[][] = [];
  for (const m of r.models) {
    for (const p of m.properties) {
      const cex: Cell = p.trace !== undefined && p.verdict === 'violated' ? { text: `counterexample (${traceSummary(p.trace)})`, href: `#${chartId(m.model, p.name)}` } : { text: '' };
      rows.push([m.model, p.name, p.kind, { text: VERDICT[p.verdict].text, tone: VERDICT[p.verdict].tone }, p.detail ?? '', cex]);
    }
    if (m.error !== undefined) {
      const trace: Cell = m.error.trace !== undefined ? { text: `trace (${traceSummary(m.error.trace)})`, href: `#${errorChartId(m.model)}` } : { text: '' };
      rows.push([m.model, m.error.code, 'evaluation error', { text: '✗ error', tone: 'bad' }, formatEvaluationError(m.error), trace]);
    }
  }
  return { title: 'Properties', columns: ['Model', 'Property', 'Kind', 'Verdict', 'Detail', 'Counterexample'], rows };
}

function overall(r: VerifyResult): { tone: Tone; text: string } {
  const ms = r.models;
  if (ms.some((m) => m.status === 'violation' || m.status === 'error' || m.properties.some((p) => p.verdict === 'violated'))) return { tone: 'bad', text: 'violated' };
  if (ms.some((m) => m.status === 'interrupted')) return { tone: 'warn', text: 'interrupted' };
  if (ms.some((m) => m.status === 'limit' || m.properties.some((p) => p.verdict === 'unknown'))) return { tone: 'warn', text: 'incomplete' };
  return { tone: 'ok', text: 'all properties hold' };
}

/** The whole report. */
export function verifyHtml(r: VerifyResult, ctx: VerifyPageContext = {}): string {
  const charts: SequenceChart[] = [];
  for (const m of r.models) {
    for (const p of m.properties) {
      if (p.verdict !== 'violated' || p.trace === undefined) continue;
      const sub = `model ${m.model}, ${traceSummary(p.trace)}${p.detail !== undefined && p.detail !== '' ? ` · ${p.detail}` : ''}`;
      charts.push(traceChart(p.trace, m, ctx, chartId(m.model, p.name), `counterexample to ${p.name}`, sub));
    }
    if (m.error?.trace !== undefined) {
      charts.push(traceChart(m.error.trace, m, ctx, errorChartId(m.model), `trace to ${formatEvaluationError(m.error)}`, `model ${m.model}, ${traceSummary(m.error.trace)}`));
    }
  }
  const status = overall(r);
  return renderPage(
    {
      title: `${r.program}: mommie verify`,
      summary: [`${r.file}, engine ${r.engine}, ${r.models.length} model${r.models.length === 1 ? '' : 's'}`],
      status: status.tone,
      statusText: status.text,
      tables: [modelsTable(r), propertiesTable(r)],
      charts,
      generator: HTML_GENERATOR,
    },
    { chartsTitle: 'Counterexamples' },
  );
}
