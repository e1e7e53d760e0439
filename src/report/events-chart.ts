// Node-log events (src/trace/events.ts) as a sequence chart (src/html/): the
// chart of `mommie run --reporter html` (the simulated run's events in the
// order they happened) and of `mommie replay --reporter html` (the logs in
// the causal order replay merged them). Values are shown in MOMMIE syntax by
// the program's evaluator; a statement's pool key identifies it, so a
// delivery is drawn from the step that published it.

import type { ChartMessage, ChartStep, Lifeline, SequenceChart } from '../html/index.js';
import type { StatementJson, TraceEvent } from '../trace/events.js';
import { jsonKey, showStatementJson } from '../trace/rerun.js';
import { valueFromJson, type ValueJson } from '../trace/value-json.js';
import type { Value } from '../semantics/value.js';

/** One event of one node, in the order the chart draws them. */
export interface NodeEvent {
  readonly node: string;
  readonly event: TraceEvent;
  /** Where it came from (replay: the log file and line), shown in the tooltip. */
  readonly at?: string;
}

export interface EventsChartOptions {
  readonly id: string;
  readonly title: string;
  readonly subtitle?: string;
  /** Principals (and TTPs) in the order their lifelines are drawn; nodes seen only in events are added after. */
  readonly lifelines: readonly Lifeline[];
  readonly show: (v: Value) => string;
  /** Index in `events` of the event to mark as rejected, and why. */
  readonly rejected?: { readonly index: number; readonly message: string };
  /** The number shown for the first step (when the chart starts mid-run). */
  readonly firstNumber?: number;
}

function message(s: StatementJson, show: (v: Value) => string): ChartMessage {
  return { id: jsonKey(s), label: showStatementJson(s, show) };
}

/** One chart step per event (a start event is the lifeline, not a step). */
export function eventStep(ne: NodeEvent, show: (v: Value) => string): ChartStep | undefined {
  const e = ne.event;
  const sv = (j: ValueJson): string => show(valueFromJson(j));
  const title = ne.at !== undefined ? { title: ne.at } : {};
  switch (e.k) {
    case 'start':
      return undefined;
    case 'fire':
      return {
        kind: 'fire',
        lifeline: ne.node,
        label: e.t,
        detail: e.b.map(([k, v]) => `${k}=${sv(v)}`).join(', '),
        ...(e.via !== 'auto' ? { suffix: e.via === 'input' ? 'on a request' : 'on timeout' } : {}),
        sends: e.pub.map((s) => message(s, show)),
        notes: e.ch.map(([name, before, after]) => `${ne.node}.${name}: ${sv(before)} → ${sv(after)}`),
        ...title,
      };
    case 'abort':
      return { kind: 'note', lifeline: ne.node, label: `${e.t} aborted: ${e.code} ${e.message}`, ...title };
    case 'deliver':
      return { kind: 'deliver', lifeline: ne.node, message: jsonKey(e.s), ...title };
    case 'byz':
      return { kind: 'byzantine', lifeline: ne.node, sends: [message(e.s, show)], ...title };
    case 'countersign':
      return { kind: 'note', lifeline: ne.node, label: `countersigns for ${e.from}: ${showStatementJson(e.s, show)}`, ...title };
    case 'refuse':
      return { kind: 'note', lifeline: ne.node, label: `refuses ${e.from}: ${e.reason} (${e.detail})`, ...title };
    case 'stop':
      return { kind: 'note', lifeline: ne.node, label: `stops: ${e.reason}`, ...title };
  }
}

export function eventsChart(events: readonly NodeEvent[], o: EventsChartOptions): SequenceChart {
  const names = o.lifelines.map((l) => l.name);
  const extra: Lifeline[] = [];
  const steps: ChartStep[] = [];
  let rejectedStep: number | undefined;
  events.forEach((ne, i) => {
    if (!names.includes(ne.node) && !extra.some((l) => l.name === ne.node)) extra.push({ name: ne.node });
    const s = eventStep(ne, o.show);
    if (s === undefined) return;
    if (o.rejected?.index === i) {
      rejectedStep = steps.length;
      steps.push({ ...s, notes: [`✗ REJECTED: ${o.rejected.message}`, ...(s.notes ?? [])] });
    } else steps.push(s);
  });
  // A rejected event that is not among the steps (a delivery nothing published never enters the merge).
  if (o.rejected !== undefined && rejectedStep === undefined) {
    const ne = events[o.rejected.index];
    steps.push({ kind: 'note', ...(ne !== undefined ? { lifeline: ne.node } : {}), label: `✗ REJECTED: ${o.rejected.message}` });
  } else if (o.rejected !== undefined) {
    steps.push({ kind: 'note', label: `✗ replay stops here: ${o.rejected.message}` });
  }
  return {
    id: o.id,
    title: o.title,
    ...(o.subtitle !== undefined ? { subtitle: o.subtitle } : {}),
    lifelines: [...o.lifelines, ...extra],
    steps,
    ...(o.firstNumber !== undefined ? { firstNumber: o.firstNumber } : {}),
  };
}
