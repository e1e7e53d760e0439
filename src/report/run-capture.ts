// What `mommie run --reporter html` gathers while the simulation runs: every
// node's log events (the same events --trace writes) in the order they were
// written — one process runs every node, so that order is the run's — kept
// up to CHART_EVENTS, and the completed requests after each slice.

import type { RunReport } from '../runtime/report.js';
import type { ModelInstance } from '../semantics/model.js';
import type { TraceEvent } from '../trace/events.js';
import type { Lifeline } from '../html/index.js';
import type { NodeEvent } from './events-chart.js';
import { runHtml, type RunTimeline } from './run-html.js';

/** Events drawn in the run's chart (five pages of the chart's paging). */
export const CHART_EVENTS = 1000;

export class HtmlCapture {
  private readonly events: NodeEvent[] = [];
  /** The latest CHART_EVENTS events (a ring): a violation or stall late in a long run is drawn from them. */
  private readonly tail: NodeEvent[] = [];
  private total = 0;
  private readonly completed: number[] = [];
  private latencies: readonly number[] = [];

  /** A trace sink for node `n`: records, writes nothing. */
  sink(n: string): { write(e: TraceEvent): void } {
    return {
      write: (e) => {
        if (e.k === 'start') return;
        this.total++;
        const ne = { node: n, event: e };
        if (this.events.length < CHART_EVENTS) this.events.push(ne);
        this.tail[(this.total - 1) % CHART_EVENTS] = ne;
      },
    };
  }

  readonly onProgress = (completed: number): void => {
    this.completed.push(completed);
  };

  finish(latencies: readonly number[]): void {
    this.latencies = latencies;
  }

  page(report: RunReport, model: ModelInstance, traceDir?: string): string {
    const timeline: RunTimeline = { completedAfterSlice: this.completed, latencies: this.latencies };
    const lifelines: Lifeline[] = model.nodes.map((n) => ({
      name: n.name,
      ...(n.status !== 'correct' ? { status: n.status } : {}),
      ...(n.role !== undefined ? { note: n.role.name } : {}),
    }));
    for (const t of report.ttps ?? []) lifelines.push({ name: t.node, note: 'TTP' });
    // The ring in order, oldest first, when it holds events the first ones do not.
    const cut = this.total % CHART_EVENTS;
    const last = this.total > CHART_EVENTS ? [...this.tail.slice(cut), ...this.tail.slice(0, cut)] : [];
    return runHtml({
      report, timeline, events: this.events, lastEvents: last, totalEvents: this.total, lifelines,
      show: (v) => model.evaluator.show(v), ...(traceDir !== undefined ? { traceDir } : {}),
    });
  }
}
