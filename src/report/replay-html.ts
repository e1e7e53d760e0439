// `mommie replay --reporter html -o FILE`: the verdict, one row per log, and
// the merged events as a sequence chart — in the causal order both replay
// engines merge them (src/trace/merge.ts), each step with its file and line
// in the tooltip. When the logs are rejected, the first bad event is marked
// (a ✗ REJECTED note on its row, and a last row saying why) and the chart
// ends there; a delivery no node published, which never enters the merge,
// is drawn last, from the top of the chart.

import type { CheckedProgram } from '../analysis/program.js';
import { renderPage, type Lifeline, type SequenceChart, type Table } from '../html/index.js';
import { loadRun, mergeAsLogged, type ReplayOptions } from '../trace/merge.js';
import type { ReplayResult, TraceFile } from '../trace/replay.js';
import { eventsChart, type NodeEvent } from './events-chart.js';

export const REPLAY_HTML_GENERATOR = 'mommie replay';

/** At most this many events are drawn: the first ones, or those up to the rejected one. */
export const REPLAY_CHART_EVENTS = 2000;

export function replayHtml(program: CheckedProgram, files: readonly TraceFile[], r: ReplayResult, engine: string, opts: ReplayOptions = {}): string {
  const charts: SequenceChart[] = [];
  const tables: Table[] = [];
  const run = loadRun(program, files, opts);
  const summary = [`${files.length} log${files.length === 1 ? '' : 's'}, engine ${engine}`];
  if (r.ok) summary.push(`accepted: ${r.events} events (${r.fires} transitions fired, ${r.deliveries} deliveries, ${r.byzantine} Byzantine publications${r.countersigned > 0 ? `, ${r.countersigned} countersignatures` : ''}) are a behaviour of ${program.name} ${r.model === null ? 'with every principal correct' : `within the fault bounds of model ${r.model}`}; invariants ${r.invariants.length === 0 ? 'none' : r.invariants.join(', ')} hold on the merged run`);
  else summary.push(`rejected: ${r.rejection.file}${r.rejection.line > 0 ? `:${r.rejection.line}` : ''}${r.rejection.node !== '' ? ` (${r.rejection.node})` : ''}: ${r.rejection.message}`);
  if (!('rejection' in run)) {
    const { logs, model } = run;
    const bad = r.ok ? undefined : r.rejection;
    const isBad = (file: string, line: number): boolean => bad !== undefined && file === bad.file && line === bad.line;
    const merged = mergeAsLogged(run, (m) => isBad(m.log.file, m.line));
    const events: NodeEvent[] = merged.events.map((m) => ({ node: m.log.node, event: m.event, at: `${m.log.file}:${m.line}` }));
    let rejectedAt = merged.end.kind === 'failed' ? events.length - 1 : undefined;
    const end = merged.end;
    if (end.kind === 'stuck' && isBad(end.at.log.file, end.at.line)) {
      events.push({ node: end.at.log.node, event: end.at.event, at: `${end.at.log.file}:${end.at.line}` });
      rejectedAt = events.length - 1;
    }
    const statusOf = new Map(logs.map((l) => [l.node, l.status] as const));
    const lifelines: Lifeline[] = model.nodes.map((n) => {
      const st = statusOf.get(n.name);
      return {
        name: n.name,
        ...(st === 'crashed' || st === 'byzantine' ? { status: st } : {}),
        note: st === undefined ? 'no log' : n.role?.name ?? '',
      };
    });
    for (const l of logs) if (l.status === 'ttp') lifelines.push({ name: l.node, note: 'TTP' });
    // Long runs: the first events, or the window that ends at the rejected one.
    const from = rejectedAt !== undefined && rejectedAt >= REPLAY_CHART_EVENTS ? rejectedAt - REPLAY_CHART_EVENTS + 1 : 0;
    const shown = events.slice(from, from + REPLAY_CHART_EVENTS);
    const starts = events.slice(0, from).filter((ne) => ne.event.k === 'start').length;
    const title = bad === undefined ? 'the merged logs' : `the merged logs up to the first bad event`;
    charts.push(
      eventsChart(shown, {
        id: 'replay',
        title: shown.length < events.length ? `${title} (events ${from + 1}–${from + shown.length} of ${events.length})` : title,
        subtitle: 'every log\'s events in the causal order replay checks them: a node\'s own in order, a delivery after its publication',
        lifelines,
        show: (v) => model.evaluator.show(v),
        ...(rejectedAt !== undefined && bad !== undefined ? { rejected: { index: rejectedAt - from, message: bad.message } } : {}),
        firstNumber: from + 1 - starts,
      }),
    );
    tables.push({
      title: 'Logs',
      columns: ['Node', 'Status', 'File', 'Events'],
      rows: logs.map((l) => [l.node, { text: l.status, tone: l.status === 'correct' || l.status === 'ttp' ? 'ok' : l.status === 'byzantine' ? 'bad' : 'warn' }, l.file, l.events.length]),
    });
  }
  return renderPage(
    {
      title: `${program.name}: mommie replay`,
      summary,
      status: r.ok ? 'ok' : 'bad',
      statusText: r.ok ? 'accepted' : 'rejected',
      tables,
      charts,
      generator: REPLAY_HTML_GENERATOR,
    },
    { chartsTitle: 'The run' },
  );
}
