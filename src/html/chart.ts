// A sequence chart as HTML with inline SVG. The steps are cut into pages
// (200 by default): the first is drawn, the others are inert <template>s that
// the page's script instantiates when asked, so that a trace of thousands of
// steps costs the browser one page of layout at a time.

import type { SequenceChart } from './model.js';
import { clip, esc, safeId } from './escape.js';
import { colX, LINE, MAX_CHARS, NUM_W, ROW, type LaidStep, type Layout, layout } from './layout.js';

const TOP = 8;
const HEAD_H = 44;

const f1 = (x: number): string => (Math.round(x * 10) / 10).toString();

function arrowHead(x1: number, y1: number, x2: number, y2: number, colour: string): string {
  const len = Math.hypot(x2 - x1, y2 - y1) || 1;
  const dx = (x2 - x1) / len;
  const dy = (y2 - y1) / len;
  const tx = x2 - dx * 3;
  const ty = y2 - dy * 3;
  const bx = tx - dx * 9;
  const by = ty - dy * 9;
  const pts = [
    [tx, ty],
    [bx - dy * 4, by + dx * 4],
    [bx + dy * 4, by - dx * 4],
  ];
  return `<polygon points="${pts.map(([x, y]) => `${f1(x!)},${f1(y!)}`).join(' ')}" fill="${colour}"/>`;
}

interface PageGeom {
  readonly a: number;
  readonly b: number;
  readonly tops: ReadonlyMap<number, number>;
  readonly rowsEnd: number;
  readonly height: number;
}

function geometry(l: Layout, a: number, b: number, trailer: boolean): PageGeom {
  const tops = new Map<number, number>();
  let y = TOP;
  for (let k = a; k < b; k++) {
    tops.set(k, y);
    y += l.steps[k]!.height;
  }
  return { a, b, tops, rowsEnd: y, height: y + (trailer ? LINE + 16 : 0) + TOP };
}

function lifelines(l: Layout, g: PageGeom): string {
  const out: string[] = [];
  l.lifelines.forEach((line, c) => {
    const x = f1(colX(l, c));
    const down = l.downFrom[c];
    const cls = line.status === 'byzantine' ? 'life byz' : 'life';
    const downY = down === undefined ? undefined : down < g.a ? 0 : down >= g.b ? undefined : g.tops.get(down)! + ROW / 2;
    if (downY === undefined) out.push(`<line class="${cls}" x1="${x}" y1="0" x2="${x}" y2="${g.height}"/>`);
    else {
      if (downY > 0) out.push(`<line class="${cls}" x1="${x}" y1="0" x2="${x}" y2="${f1(downY)}"/>`);
      out.push(`<line class="${cls} down" x1="${x}" y1="${f1(downY)}" x2="${x}" y2="${g.height}"/>`);
    }
  });
  return out.join('');
}

function delivery(l: Layout, g: PageGeom, s: LaidStep): string {
  if (s.step.kind !== 'deliver' || s.col === undefined) return '';
  const colour = s.colour ?? '#666';
  const x2 = colX(l, s.col);
  const y2 = g.tops.get(s.index)! + ROW / 2;
  const from = s.from;
  const fromCol = from === undefined ? undefined : l.steps[from]!.col;
  const title = `<title>${esc(s.lines[0]!.text)}${from !== undefined ? esc(`\nsent at step ${from + l.first}`) : esc('\nnot sent by any step of this chart')}</title>`;
  if (from === undefined || fromCol === undefined) {
    // Nothing in the chart sent it: a short dashed arrow from above.
    return `<g class="arrow orphan" data-step="${s.index + l.first}">${title}<line x1="${f1(x2 - 26)}" y1="${f1(y2 - 14)}" x2="${f1(x2)}" y2="${f1(y2)}" stroke="${colour}" stroke-dasharray="3 3"/>${arrowHead(x2 - 26, y2 - 14, x2, y2, colour)}</g>`;
  }
  const x1 = colX(l, fromCol);
  const onPage = from >= g.a;
  const y1 = onPage ? g.tops.get(from)! + ROW / 2 : 0;
  const dash = onPage ? '' : ' stroke-dasharray="5 3"';
  const carried = onPage ? '' : `<text class="from" x="${f1(x1 + 4)}" y="10">from step ${from + l.first}</text>`;
  if (fromCol === s.col) {
    const d = `M${f1(x1)},${f1(y1)} C${f1(x1 + 34)},${f1(y1)} ${f1(x2 + 34)},${f1(y2)} ${f1(x2)},${f1(y2)}`;
    return `<g class="arrow" data-step="${s.index + l.first}">${title}<path d="${d}" fill="none" stroke="${colour}"${dash}/>${arrowHead(x2 + 20, y2, x2, y2, colour)}${carried}</g>`;
  }
  return `<g class="arrow" data-step="${s.index + l.first}">${title}<line x1="${f1(x1)}" y1="${f1(y1)}" x2="${f1(x2)}" y2="${f1(y2)}" stroke="${colour}"${dash}/>${arrowHead(x1, y1, x2, y2, colour)}${carried}</g>`;
}

function brackets(l: Layout, g: PageGeom): string {
  const out: string[] = [];
  for (const gr of l.groups) {
    if (gr.step < g.a || gr.uses[0]! >= g.b) continue;
    const x = colX(l, gr.col) - 9 - gr.slot * 8;
    const lx = colX(l, gr.col);
    const yEnd = gr.step < g.b ? g.tops.get(gr.step)! + ROW / 2 : g.rowsEnd;
    const y0 = gr.uses[0]! < g.a ? 0 : g.tops.get(gr.uses[0]!)! + ROW / 2;
    const ticks = gr.uses
      .filter((u) => u >= g.a && u < g.b)
      .map((u) => `<line x1="${f1(x)}" y1="${f1(g.tops.get(u)! + ROW / 2)}" x2="${f1(lx)}" y2="${f1(g.tops.get(u)! + ROW / 2)}"/>`)
      .join('');
    const end = gr.step < g.b ? `<line x1="${f1(x)}" y1="${f1(yEnd)}" x2="${f1(lx - 4)}" y2="${f1(yEnd)}"/>` : '';
    const shown = gr.uses.map((u) => u + l.first).join(', ');
    const title = `step ${gr.step + l.first} uses step${gr.uses.length === 1 ? '' : 's'} ${shown}${gr.quorum ? ' (a quorum)' : ''}`;
    out.push(
      `<g class="group${gr.quorum ? ' quorum' : ''}" stroke="${gr.colour}" data-step="${gr.step + l.first}"><title>${esc(title)}</title><line x1="${f1(x)}" y1="${f1(y0)}" x2="${f1(x)}" y2="${f1(yEnd)}"/>${ticks}${end}</g>`,
    );
  }
  return out.join('');
}

function glyph(l: Layout, s: LaidStep, top: number): string {
  if (s.col === undefined) return '';
  const x = colX(l, s.col);
  const cy = top + ROW / 2;
  const w = l.colW - 14;
  const fits = Math.max(3, Math.floor((w - 8) / 6.6));
  const st = s.step;
  switch (st.kind) {
    case 'fire': {
      const group = l.groupAt.get(s.index);
      const stroke = group !== undefined ? ` style="stroke:${group.colour}"` : '';
      const q = group?.quorum === true ? '<tspan class="q"> Q</tspan>' : '';
      // The binding goes under the name when the row has room for a second line.
      const binding = st.detail !== undefined && st.detail !== '' && s.height >= ROW + LINE ? st.detail : undefined;
      const h = binding === undefined ? ROW - 6 : ROW + LINE - 8;
      const second = binding === undefined ? '' : `<text class="boxb" x="${f1(x)}" y="${f1(top + ROW + LINE - 9)}">${esc(clip(binding, Math.floor((w - 6) / 5.5)))}</text>`;
      return `<rect class="box fire" x="${f1(x - w / 2)}" y="${f1(top + 3)}" width="${f1(w)}" height="${h}" rx="3"${stroke}/><text class="boxl" x="${f1(x)}" y="${f1(cy + 4)}">${esc(clip(st.label, fits - (q === '' ? 0 : 2)))}${q}</text>${second}`;
    }
    case 'byzantine':
      return `<rect class="box byz" x="${f1(x - w / 2)}" y="${f1(top + 3)}" width="${f1(w)}" height="${ROW - 6}" rx="3"/><text class="boxl" x="${f1(x)}" y="${f1(cy + 4)}">${esc(clip(st.label ?? 'Byzantine', fits))}</text>`;
    case 'publish':
      return `<circle class="pub" cx="${f1(x)}" cy="${f1(cy)}" r="4.5"/>`;
    case 'deliver':
      return `<circle cx="${f1(x)}" cy="${f1(cy)}" r="3" fill="${s.colour ?? '#666'}"/>`;
    case 'crash':
      return `<path class="crash" d="M${f1(x - 6)},${f1(cy - 6)} L${f1(x + 6)},${f1(cy + 6)} M${f1(x + 6)},${f1(cy - 6)} L${f1(x - 6)},${f1(cy + 6)}"/>`;
    case 'note':
      return `<rect class="notemark" x="${f1(x - 4)}" y="${f1(cy - 4)}" width="8" height="8"/>`;
  }
}

function stepGroup(l: Layout, s: LaidStep, top: number): string {
  const n = s.index + l.first;
  const full = s.lines.map((x) => x.text).join('\n') + (s.step.title !== undefined ? `\n${s.step.title}` : '');
  const group = l.groupAt.get(s.index);
  const text = s.lines
    .map((line, i) => {
      const fill = line.kind === 'uses' && group !== undefined ? ` fill="${group.colour}"` : '';
      return `<text class="d ${line.kind}" x="${f1(l.descX)}" y="${f1(top + 16 + i * LINE)}"${fill}>${esc(clip(line.text, MAX_CHARS))}</text>`;
    })
    .join('');
  return (
    `<g class="step ${s.step.kind}" data-step="${n}" data-kind="${s.step.kind}"><title>${esc(`${n}. ${full}`)}</title>` +
    `<rect class="row r${s.index % 2}" x="0" y="${f1(top)}" width="${l.width}" height="${s.height}"/>` +
    `<text class="num" x="${NUM_W - 8}" y="${f1(top + 16)}">${n}</text>${text}</g>`
  );
}

function loopMarks(l: Layout, g: PageGeom, loopStart: number | undefined, last: boolean): { under: string; over: string } {
  const n = l.steps.length;
  if (loopStart === undefined || loopStart < 0 || loopStart >= n) return { under: '', over: '' };
  const stutter = loopStart === n - 1;
  const trailerY = g.rowsEnd + LINE;
  const trailer = last
    ? `<text class="trailer" x="${f1(l.descX)}" y="${f1(trailerY)}">${esc(stutter ? `from step ${loopStart + l.first} on the behaviour stutters forever` : `↺ back to step ${loopStart + l.first}: steps ${loopStart + l.first}–${n - 1 + l.first} repeat forever`)}</text>`
    : '';
  if (loopStart >= g.b) return { under: '', over: trailer };
  if (stutter) {
    const y = g.tops.get(loopStart)!;
    return { under: `<rect class="loop" x="0" y="${f1(y)}" width="${l.width}" height="${f1(g.rowsEnd - y)}"/>`, over: trailer };
  }
  const from = Math.max(loopStart, g.a);
  const y0 = g.tops.get(from)!;
  const band = `<rect class="loop" x="0" y="${f1(y0)}" width="${l.width}" height="${f1(g.rowsEnd - y0)}"/>`;
  const startY = loopStart >= g.a ? g.tops.get(loopStart)! + ROW / 2 : 0;
  const endY = last ? trailerY - 4 : g.height;
  const back =
    `<g class="loopback"><title>${esc(`the loop returns to step ${loopStart + l.first}`)}</title>` +
    `<path d="M${f1(l.descX - 6)},${f1(endY)} H8 V${f1(startY)} H${f1(NUM_W - 30)}" fill="none"/>${loopStart >= g.a ? arrowHead(8, startY, NUM_W - 30, startY, '#b8860b') : ''}</g>`;
  return { under: band, over: back + trailer };
}

function pageSvg(l: Layout, chart: SequenceChart, a: number, b: number): string {
  const last = b === l.steps.length;
  const hasLoop = chart.loopStart !== undefined && chart.loopStart >= 0 && chart.loopStart < l.steps.length;
  const g = geometry(l, a, b, last && hasLoop);
  const loop = loopMarks(l, g, chart.loopStart, last);
  const rows: string[] = [];
  for (let k = a; k < b; k++) rows.push(stepGroup(l, l.steps[k]!, g.tops.get(k)!));
  const arrows: string[] = [];
  for (let k = a; k < b; k++) arrows.push(delivery(l, g, l.steps[k]!));
  const glyphs: string[] = [];
  for (let k = a; k < b; k++) {
    const s = l.steps[k]!;
    const drawn = glyph(l, s, g.tops.get(k)!);
    if (drawn !== '') glyphs.push(`<g class="glyph" data-step="${k + l.first}"><title>${esc(`${k + l.first}. ${s.lines[0]!.text}`)}</title>${drawn}</g>`);
  }
  // Lifelines under the rows (whose backgrounds are nearly transparent and
  // catch the hover for the row's tooltip), brackets and arrows over them,
  // and the boxes on top so that no line crosses a transition's name.
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="seq" width="${l.width}" height="${f1(g.height)}" viewBox="0 0 ${l.width} ${f1(g.height)}">` +
    `${loop.under}${lifelines(l, g)}${rows.join('')}${brackets(l, g)}${arrows.join('')}${glyphs.join('')}${loop.over}</svg>`
  );
}

function header(l: Layout): string {
  const names = l.lifelines
    .map((line, c) => {
      const x = f1(colX(l, c));
      const sub = [line.status === 'crashed' ? 'crashed' : line.status === 'byzantine' ? 'Byzantine' : undefined, line.note].filter((s) => s !== undefined).join(', ');
      const cls = line.status === 'byzantine' ? 'lname byz' : line.status === 'crashed' ? 'lname down' : 'lname';
      const fits = Math.floor((l.colW - 6) / 6.6);
      return (
        `<g class="lifeline" data-name="${esc(line.name)}"><title>${esc(sub === '' ? line.name : `${line.name} (${sub})`)}</title>` +
        `<text class="${cls}" x="${x}" y="18">${esc(clip(line.name, fits))}</text>` +
        (sub !== '' ? `<text class="lsub" x="${x}" y="33">${esc(clip(sub, fits + 2))}</text>` : '') +
        `</g>`
      );
    })
    .join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="head" width="${l.width}" height="${HEAD_H}" viewBox="0 0 ${l.width} ${HEAD_H}">` +
    `<rect class="headbg" x="0" y="0" width="${l.width}" height="${HEAD_H}"/><text class="num" x="${NUM_W - 8}" y="18">step</text>${names}` +
    `<text class="lname left" x="${f1(l.descX)}" y="18">what happens</text></svg>`
  );
}

/** One chart: its heading, pager (when it has several pages), header row and pages. */
export function renderChart(chart: SequenceChart): string {
  const l = layout(chart);
  const id = safeId(chart.id);
  const n = l.steps.length;
  const pages = Math.max(1, Math.ceil(n / l.pageSize));
  const parts: string[] = [];
  for (let p = 0; p < pages; p++) {
    const svg = pageSvg(l, chart, p * l.pageSize, Math.min(n, (p + 1) * l.pageSize));
    parts.push(p === 0 ? `<div class="page" data-page="0">${svg}</div>` : `<template data-page="${p}">${svg}</template>`);
  }
  const pager =
    pages > 1
      ? `<div class="pager"><button type="button" data-go="prev">◀ earlier</button> <span class="pageinfo">steps ${l.first}–${Math.min(n, l.pageSize) + l.first - 1} of ${n}</span> <button type="button" data-go="next">later ▶</button> <label>go to step <input type="number" min="${l.first}" max="${n + l.first - 1}" step="1"></label><noscript> (the other pages need JavaScript)</noscript></div>`
      : '';
  const loopNote =
    chart.loopStart !== undefined && chart.loopStart >= 0 && chart.loopStart < n
      ? chart.loopStart === n - 1
        ? ` · stutters at step ${chart.loopStart + l.first}`
        : ` · loops back to step ${chart.loopStart + l.first}`
      : '';
  return (
    `<section class="chart" id="${id}" data-steps="${n}" data-pages="${pages}" data-page-size="${l.pageSize}" data-first="${l.first}">` +
    `<h3>${esc(chart.title)}</h3>` +
    `<p class="sub">${chart.subtitle !== undefined ? `${esc(chart.subtitle)} · ` : ''}${n} step${n === 1 ? '' : 's'}${loopNote}</p>` +
    `${pager}<div class="scroll">${header(l)}<div class="pages">${parts.join('')}</div></div></section>`
  );
}
