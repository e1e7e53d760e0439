// Where everything of a sequence chart goes, before any SVG is written: the
// columns, each step's lines of text and height, which step sent what each
// delivery carries, the groups of deliveries a step consumed (drawn with a
// shared colour and bracket), and when a lifeline stops.

import type { ChartMessage, ChartStep, Lifeline, SequenceChart } from './model.js';

export const ROW = 24;
export const LINE = 14;
export const NUM_W = 48;
export const CHAR_W = 6.7;
export const MAX_CHARS = 200;
export const DEFAULT_PAGE = 200;

/** Distinct hues for the groups of deliveries; cycled. */
export const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#e6550d', '#17becf', '#8c564b', '#e377c2'];

export type LineKind = 'main' | 'send' | 'uses' | 'note';

export interface LaidStep {
  readonly step: ChartStep;
  readonly index: number;
  readonly lines: readonly { readonly text: string; readonly kind: LineKind }[];
  readonly height: number;
  /** Column of the step's lifeline, when it has one. */
  readonly col?: number;
  /** For deliveries: the step that sent the message, when one did. */
  readonly from?: number;
  /** For deliveries: the colour of the first group that used it. */
  readonly colour?: string;
}

export interface Group {
  readonly step: number;
  readonly col: number;
  readonly uses: readonly number[];
  readonly colour: string;
  readonly quorum: boolean;
  /** Horizontal slot left of the lifeline, so that overlapping brackets stay apart. */
  readonly slot: number;
}

export interface Layout {
  readonly lifelines: readonly Lifeline[];
  readonly colW: number;
  readonly steps: readonly LaidStep[];
  readonly groups: readonly Group[];
  /** The group a fire step opened, by step index. */
  readonly groupAt: ReadonlyMap<number, Group>;
  /** Per column: the first step from which the lifeline is down (0 when crashed from the start). */
  readonly downFrom: readonly (number | undefined)[];
  readonly descX: number;
  readonly width: number;
  readonly pageSize: number;
  readonly first: number;
}

export const colX = (l: Layout, col: number): number => NUM_W + col * l.colW + l.colW / 2;

function sendsOf(s: ChartStep): readonly ChartMessage[] {
  return s.kind === 'fire' ? (s.sends ?? []) : s.kind === 'publish' || s.kind === 'byzantine' ? s.sends : [];
}

function mainLine(s: ChartStep, messageLabel: (id: string) => string): string {
  switch (s.kind) {
    case 'fire':
      return `${s.lifeline} fires ${s.label}${s.detail !== undefined ? `(${s.detail})` : ''}${s.suffix !== undefined ? ` ${s.suffix}` : ''}`;
    case 'publish':
    case 'byzantine': {
      const who = s.kind === 'byzantine' ? `${s.lifeline} (Byzantine)` : s.lifeline;
      if (s.label !== undefined) return `${who} ${s.label}`;
      return s.sends.length === 1 ? `${who} publishes ${s.sends[0]!.label}` : `${who} publishes:`;
    }
    case 'deliver':
      return s.label === undefined ? `deliver ${messageLabel(s.message)} to ${s.lifeline}` : `${s.lifeline} ${s.label} ${messageLabel(s.message)}`;
    case 'crash':
      return s.label ?? `${s.lifeline} crashes`;
    case 'note':
      return s.label;
  }
}

export function layout(chart: SequenceChart): Layout {
  const lifelines: Lifeline[] = [...chart.lifelines];
  const cols = new Map<string, number>();
  lifelines.forEach((l, i) => {
    if (!cols.has(l.name)) cols.set(l.name, i);
  });
  // A step on a lifeline the chart did not declare still gets a column.
  const colOf = (name: string): number => {
    let c = cols.get(name);
    if (c === undefined) {
      c = lifelines.length;
      lifelines.push({ name });
      cols.set(name, c);
    }
    return c;
  };
  const labels = new Map<string, string>();
  const lastSender = new Map<string, number>();
  const firstGroupOf = new Map<number, string>();
  const groups: Group[] = [];
  const openBrackets = new Map<number, { from: number; to: number; slot: number }[]>();
  const steps: LaidStep[] = [];
  chart.steps.forEach((s, k) => {
    const col = s.kind === 'note' ? (s.lifeline !== undefined ? colOf(s.lifeline) : undefined) : colOf(s.lifeline);
    const sends = sendsOf(s);
    const lines: { text: string; kind: LineKind }[] = [{ text: mainLine(s, (id) => labels.get(id) ?? id), kind: 'main' }];
    const oneLinePublish = (s.kind === 'publish' || s.kind === 'byzantine') && s.label === undefined && sends.length === 1;
    if (!oneLinePublish) for (const m of sends) lines.push({ text: `${s.kind === 'fire' ? 'publishes ' : '  '}${m.label}`, kind: 'send' });
    let from: number | undefined;
    if (s.kind === 'deliver') from = lastSender.get(s.message);
    if (s.kind === 'fire' && s.uses !== undefined && col !== undefined) {
      const uses = [...new Set(s.uses)].filter((u) => Number.isInteger(u) && u >= 0 && u < k).sort((a, b) => a - b);
      if (uses.length > 0) {
        const colour = PALETTE[groups.length % PALETTE.length]!;
        for (const u of uses) if (!firstGroupOf.has(u)) firstGroupOf.set(u, colour);
        const open = openBrackets.get(col) ?? [];
        const lo = uses[0]!;
        let slot = 0;
        while (open.some((b) => b.slot === slot && b.to >= lo)) slot++;
        open.push({ from: lo, to: k, slot });
        openBrackets.set(col, open);
        groups.push({ step: k, col, uses, colour, quorum: s.quorum === true, slot });
        const shown = uses.map((u) => String(u + (chart.firstNumber ?? 1))).join(', ');
        lines.push({ text: `uses step${uses.length === 1 ? '' : 's'} ${shown}${s.quorum === true ? ' (they complete a quorum)' : ''}`, kind: 'uses' });
      }
    }
    for (const note of s.notes ?? []) lines.push({ text: note, kind: 'note' });
    for (const m of sends) {
      labels.set(m.id, m.label);
      lastSender.set(m.id, k);
    }
    steps.push({
      step: s,
      index: k,
      lines,
      height: ROW + LINE * (lines.length - 1),
      ...(col !== undefined ? { col } : {}),
      ...(from !== undefined ? { from } : {}),
    });
  });
  // Colours are known only once every later step has claimed its deliveries.
  const coloured = steps.map((l) => {
    const c = firstGroupOf.get(l.index);
    return c === undefined ? l : { ...l, colour: c };
  });
  const downFrom: (number | undefined)[] = lifelines.map((l) => (l.status === 'crashed' ? 0 : undefined));
  for (const l of coloured) {
    if (l.step.kind === 'crash' && l.col !== undefined && downFrom[l.col] === undefined) downFrom[l.col] = l.index;
  }
  const longestName = Math.max(6, ...lifelines.map((l) => Math.max(l.name.length, (l.note ?? '').length)));
  // Wide enough for a lifeline's name and, within reason, the transitions drawn on it.
  const longestBox = Math.max(0, ...chart.steps.map((s) => (s.kind === 'fire' ? [...s.label].length + (s.quorum === true ? 2 : 0) : 0)));
  const colW = Math.min(180, Math.max(88, Math.round(longestName * 7.5 + 28), Math.round(longestBox * 6.6 + 30)));
  const descX = NUM_W + lifelines.length * colW + 16;
  const longest = Math.max(40, ...coloured.flatMap((l) => l.lines.map((x) => Math.min(MAX_CHARS, [...x.text].length) + 2)));
  const pageSize = chart.pageSize !== undefined && chart.pageSize > 0 ? Math.floor(chart.pageSize) : DEFAULT_PAGE;
  return {
    lifelines,
    colW,
    steps: coloured,
    groups,
    groupAt: new Map(groups.map((gr) => [gr.step, gr])),
    downFrom,
    descX,
    width: Math.ceil(descX + longest * CHAR_W + 16),
    pageSize,
    first: chart.firstNumber ?? 1,
  };
}
