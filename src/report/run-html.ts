// `mommie run --reporter html -o FILE`: the run report (src/runtime/report.ts)
// as one self-contained page: a summary, a table of per-node statistics
// (and of trusted third parties), throughput and latency over (virtual) time
// as inline SVG plots, and the first steps of the run — every node's log
// events in the order the simulation did them — as a sequence chart.
//
// Over time: the simulation runs in 50 ms slices of virtual time and reports
// the completed requests after each (sim-run.ts `onProgress`); the latencies
// come in completion order. A completion is placed at the end of its slice,
// so the plots' time is exact to a slice.

import { renderPage, type Cell, type Lifeline, type Table } from '../html/index.js';
import type { RunReport } from '../runtime/report.js';
import { percentile } from '../runtime/report.js';
import type { Value } from '../semantics/value.js';
import { eventsChart, type NodeEvent } from './events-chart.js';
import { renderPlot, type Plot } from './svg-plot.js';

export const RUN_HTML_GENERATOR = 'mommie run';

/** Virtual ms per slice of the simulation's main loop (sim-run.ts). */
export const SLICE_MS = 50;

export interface RunTimeline {
  /** Completed requests (cumulative) after each slice. */
  readonly completedAfterSlice: readonly number[];
  /** Each completed request's latency (ms), in completion order. */
  readonly latencies: readonly number[];
}

export interface RunPageInput {
  readonly report: RunReport;
  readonly timeline?: RunTimeline;
  /** The first events of the run, in the order they happened. */
  readonly events: readonly NodeEvent[];
  /** The last events of a run longer than `events` (drawn too when it violated an invariant or stalled). */
  readonly lastEvents?: readonly NodeEvent[];
  /** Events in the whole run (more than `events.length` when the chart shows only the first). */
  readonly totalEvents: number;
  readonly lifelines: readonly Lifeline[];
  readonly show: (v: Value) => string;
  /** Where --trace wrote the node logs, if it did. */
  readonly traceDir?: string;
}

/** At most this many points per plot: slices are grouped into buckets of equal width. */
const MAX_POINTS = 80;

export function timelinePlots(t: RunTimeline, durationMs: number): Plot[] {
  const n = t.completedAfterSlice.length;
  if (n === 0) return [];
  const per = Math.max(1, Math.ceil(n / MAX_POINTS));
  const widthMs = per * SLICE_MS;
  const thr: [number, number][] = [];
  const p50: [number, number][] = [];
  const max: [number, number][] = [];
  let before = 0;
  for (let b = 0; b * per < n; b++) {
    const last = Math.min(n, (b + 1) * per) - 1;
    const upto = t.completedAfterSlice[last]!;
    const lat = t.latencies.slice(before, upto);
    const end = Math.min(durationMs, (last + 1) * SLICE_MS);
    const span = Math.max(1, end - b * widthMs);
    const x = end / 1000;
    thr.push([x, (lat.length * 1000) / span]);
    if (lat.length > 0) {
      p50.push([x, percentile(lat, 50)]);
      max.push([x, Math.max(...lat)]);
    }
    before = upto;
  }
  return [
    { id: 'plot-throughput', title: `Throughput (completed requests per second, per ${widthMs} ms of virtual time)`, xLabel: 'virtual time (s)', yLabel: 'requests/s', series: [{ name: 'throughput', colour: '#1d4e89', points: thr }] },
    {
      id: 'plot-latency',
      title: `Latency of the requests completed in each ${widthMs} ms`,
      xLabel: 'virtual time (s)',
      yLabel: 'latency (ms)',
      series: [
        { name: 'median', colour: '#1d7a35', points: p50 },
        { name: 'max', colour: '#b00020', points: max },
      ],
    },
  ];
}

function nodesTable(r: RunReport): Table {
  const rows: (string | number | Cell)[][] = r.nodes.map((n) => [
    n.node,
    n.role,
    { text: n.status, tone: n.status === 'correct' ? 'ok' : n.status === 'byzantine' ? 'bad' : 'warn' },
    Object.entries(n.fired).map(([t, k]) => `${t}×${k}`).join(', ') || 'nothing',
    n.aborted,
    n.statements.published,
    n.statements.sent,
    n.statements.received,
    n.statements.duplicates,
    n.frames.out,
    n.frames.retransmitted,
    n.frames.in,
    n.frames.bytesOut,
    n.frames.bytesIn,
    Object.entries(n.state).map(([k, v]) => `${k} = ${v}`).join(', '),
  ]);
  for (const t of r.ttps ?? []) {
    rows.push([t.node, 'trusted third party', { text: t.status, tone: t.status === 'correct' ? 'ok' : 'warn' }, `countersigned ${t.countersigned} in ${t.requests} requests`, 0, 0, 0, 0, 0, t.frames.out, t.frames.retransmitted, t.frames.in, t.frames.bytesOut, t.frames.bytesIn, '']);
  }
  return {
    title: 'Nodes',
    columns: ['Node', 'Role', 'Status', 'Fired', 'Aborted', 'Published', 'Sent', 'Received', 'Duplicates', 'Frames out', 'Retransmitted', 'Frames in', 'Bytes out', 'Bytes in', 'Final state'],
    rows,
  };
}

function summaryLines(r: RunReport, input: RunPageInput): string[] {
  const q = r.requests;
  const lines = [
    `${r.network === 'sim' ? `simulated network, seed ${r.seed ?? 0}` : 'TCP loopback'}; ${(r.durationMs / 1000).toFixed(2)} s of ${r.clock} time`,
    `requests: ${q.completed} of ${q.started} completed (${q.asked} asked${q.exhausted && q.started < q.asked ? '; the program admits no more' : ''}); throughput ${r.throughputPerS.toFixed(1)}/s; latency p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms, max ${r.latencyMs.max} ms`,
  ];
  for (const a of r.aborts) lines.push(`${a.at}: ${a.code} at ${a.node}: ${a.message}`);
  if (r.violation !== undefined) lines.push(`invariant ${r.violation.invariant} violated (the text report prints its trace)`);
  if (r.stalled !== undefined) lines.push(`request ${r.stalled.request} stalled (outstanding since ${r.stalled.sinceMs} ms)`);
  const v = r.verdict;
  if (v !== undefined) for (const x of [...v.findings, ...v.failed, ...v.unfinished, ...v.notes]) lines.push(x);
  if (input.traceDir !== undefined) lines.push(`node logs in ${input.traceDir} ('mommie replay' checks them)`);
  return lines;
}

export function runHtml(input: RunPageInput): string {
  const r = input.report;
  const bad = r.violation !== undefined || r.stalled !== undefined;
  const shown = input.events.length;
  const chart = eventsChart(input.events, {
    id: 'run-steps',
    title: shown < input.totalEvents ? `the first ${shown} of ${input.totalEvents} events` : `all ${shown} events`,
    subtitle: 'every node\'s log events in the order the simulation did them (what --trace writes to <node>.ndjson)',
    lifelines: input.lifelines,
    show: input.show,
  });
  const last = input.lastEvents ?? [];
  const tail =
    bad && last.length > 0
      ? [
          eventsChart(last, {
            id: 'run-last-steps',
            title: `the last ${last.length} of ${input.totalEvents} events, up to the ${r.violation !== undefined ? 'violation' : 'stall'}`,
            subtitle: 'the same events, at the end of the run',
            lifelines: input.lifelines,
            show: input.show,
            firstNumber: input.totalEvents - last.length + 1,
          }),
        ]
      : [];
  const plots = input.timeline === undefined ? [] : timelinePlots(input.timeline, r.durationMs);
  return renderPage(
    {
      title: `${r.program}: mommie run`,
      summary: summaryLines(r, input),
      // The run's verdict decides the badge: a run that aborted steps or was cut short did not complete.
      status: bad || (r.verdict !== undefined && r.verdict.outcome !== 'ok') ? 'bad' : 'ok',
      statusText: r.violation !== undefined ? 'invariant violated' : r.stalled !== undefined ? 'stalled' : r.verdict === undefined || r.verdict.outcome === 'ok' ? 'completed' : r.verdict.outcome,
      figures: plots.map(renderPlot),
      figuresTitle: 'Over time',
      tables: [nodesTable(r)],
      charts: [chart, ...tail],
      generator: RUN_HTML_GENERATOR,
    },
    { chartsTitle: 'The run' },
  );
}
