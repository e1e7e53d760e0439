// A small line plot as inline SVG (no script, no fetch): the run report's
// throughput and latency over time. Axes start at zero; ticks are round
// numbers; each series is a polyline with a dot per point and a tooltip.

import { esc } from '../html/index.js';

export interface Series {
  readonly name: string;
  readonly colour: string;
  readonly points: readonly (readonly [number, number])[];
}

export interface Plot {
  readonly id: string;
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly Series[];
}

const W = 640;
const H = 240;
const L = 56;
const R = 16;
const T = 16;
const B = 40;

const r1 = (x: number): string => (Math.round(x * 10) / 10).toString();

/** A round step giving about `n` ticks up to `max`. */
function tickStep(max: number, n = 5): number {
  if (!(max > 0)) return 1;
  const raw = max / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

const fmt = (x: number): string => (Number.isInteger(x) ? String(x) : x.toPrecision(3).replace(/\.?0+$/, ''));

export function renderPlot(p: Plot): string {
  const all = p.series.flatMap((s) => s.points);
  const xMax0 = Math.max(0, ...all.map((q) => q[0]));
  const yMax0 = Math.max(0, ...all.map((q) => q[1]));
  const xs = tickStep(xMax0);
  const ys = tickStep(yMax0);
  const xMax = Math.max(xs, Math.ceil(xMax0 / xs) * xs);
  const yMax = Math.max(ys, Math.ceil(yMax0 / ys) * ys);
  const px = (x: number): number => L + (x / xMax) * (W - L - R);
  const py = (y: number): number => H - B - (y / yMax) * (H - T - B);
  const out: string[] = [];
  out.push(`<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="#888"/><line x1="${L}" y1="${T}" x2="${L}" y2="${H - B}" stroke="#888"/>`);
  for (let x = 0; x <= xMax + xs / 2; x += xs) {
    out.push(`<line x1="${r1(px(x))}" y1="${H - B}" x2="${r1(px(x))}" y2="${H - B + 4}" stroke="#888"/><text x="${r1(px(x))}" y="${H - B + 16}" text-anchor="middle" fill="#444">${esc(fmt(x))}</text>`);
  }
  for (let y = 0; y <= yMax + ys / 2; y += ys) {
    out.push(`<line x1="${L}" y1="${r1(py(y))}" x2="${W - R}" y2="${r1(py(y))}" stroke="#eee"/><text x="${L - 6}" y="${r1(py(y) + 4)}" text-anchor="end" fill="#444">${esc(fmt(y))}</text>`);
  }
  out.push(`<text x="${(L + W - R) / 2}" y="${H - 6}" text-anchor="middle" fill="#222">${esc(p.xLabel)}</text>`);
  out.push(`<text x="12" y="${(T + H - B) / 2}" text-anchor="middle" fill="#222" transform="rotate(-90 12 ${(T + H - B) / 2})">${esc(p.yLabel)}</text>`);
  for (const s of p.series) {
    if (s.points.length === 0) continue;
    const pts = s.points.map(([x, y]) => `${r1(px(x))},${r1(py(y))}`).join(' ');
    out.push(`<g class="series" data-series="${esc(s.name)}"><polyline points="${pts}" fill="none" stroke="${esc(s.colour)}" stroke-width="1.6"/>`);
    // Dots only while they stay apart; the line alone reads better for long runs.
    if (s.points.length <= 200) {
      for (const [x, y] of s.points) out.push(`<circle cx="${r1(px(x))}" cy="${r1(py(y))}" r="2.2" fill="${esc(s.colour)}"><title>${esc(`${s.name}: ${fmt(y)} at ${fmt(x)}`)}</title></circle>`);
    }
    out.push('</g>');
  }
  const legend = p.series.map((s) => `<span style="color:${esc(s.colour)}">━</span> ${esc(s.name)}`).join(' &nbsp; ');
  return [
    `<section class="plot" id="${esc(p.id)}"><h3>${esc(p.title)}</h3>`,
    `<svg width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(p.title)}">${out.join('')}</svg>`,
    `<p class="legend">${legend}</p></section>`,
  ].join('\n');
}

