// A whole report as one self-contained HTML file: inline CSS, inline SVG, a
// few lines of inline script for paging long charts, system fonts only. A
// Content-Security-Policy forbids the page any fetch at all, so a report
// opened from a CI artefact store shows the same thing offline.

import type { Cell, CellInput, Page, Table, Tone } from './model.js';
import { renderChart } from './chart.js';
import { esc, safeId } from './escape.js';

const CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:";

const CSS = `
:root{color-scheme:light}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:1.5em 2em;color:#222;background:#fff}
h1{font-size:1.45em;margin:0 0 .2em}h2{font-size:1.2em;margin:1.6em 0 .4em}h3{font-size:1.05em;margin:1.4em 0 .1em}
.badge{font-size:.7em;padding:.1em .5em;border-radius:.6em;vertical-align:middle;color:#fff;background:#666}
.badge.ok{background:#1d7a35}.badge.bad{background:#b00020}.badge.warn{background:#9a7400}
p.summary{margin:.1em 0;color:#444}
table{border-collapse:collapse;margin:.4em 0 1.2em}
th,td{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f3f3f3}td.ok{color:#1d7a35}td.bad{color:#b00020;font-weight:600}td.warn{color:#8a6d00}
td.num{text-align:right;font-variant-numeric:tabular-nums}
p.sub{margin:0 0 .4em;color:#666}
.pager{margin:.3em 0}.pager input{width:6em}
.chart .scroll{overflow:auto;max-height:85vh;border:1px solid #ddd}
.chart svg{display:block}.chart svg.head{position:sticky;top:0;z-index:1}
svg text{font:11px ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;white-space:pre}
.num{text-anchor:end;fill:#888}
.lname{text-anchor:middle;font-weight:bold;fill:#222}.lname.left{text-anchor:start;fill:#666}
.lname.byz{fill:#b00020}.lname.down{fill:#888}.lsub{text-anchor:middle;fill:#666;font-size:10px}
.headbg{fill:#fafafa;stroke:#ddd}
.life{stroke:#bbb;stroke-width:1.2}.life.down{stroke-dasharray:2 4}.life.byz{stroke:#e8a0a8}
.row.r0{fill:rgba(0,0,0,0)}.row.r1{fill:rgba(0,0,0,.03)}
g.step:hover .row,g.step.hl .row{fill:rgba(255,210,0,.2)}
.box{stroke:#456;fill:#eef4fb}.box.byz{stroke:#b00020;fill:#fdecef}
.boxl{text-anchor:middle;fill:#123}.boxb{text-anchor:middle;fill:#456;font-size:9px}.q{fill:#b00020;font-weight:bold}
.pub{fill:#456}.crash{stroke:#b00020;stroke-width:2.5}.notemark{fill:#999}
.d.main{fill:#222}.d.send{fill:#1d4e89}.d.note{fill:#777}
.group{stroke-width:2;fill:none}.group.quorum{stroke-width:3.5}
.loop{fill:rgba(255,200,0,.13)}.loopback path{stroke:#b8860b;stroke-width:1.5;stroke-dasharray:4 3}
.trailer{fill:#8a6d00;font-style:italic}.from{fill:#888;font-size:9px}
.arrow line,.arrow path{stroke-width:1.4}
.legend{color:#555;font-size:.9em}.legend svg{vertical-align:middle;margin:0 .2em 0 .8em}
`;

// Pages after the first are <template>s: instantiated on first view, kept after.
const SCRIPT = `
(function () {
  function setup(c) {
    var pages = Number(c.getAttribute('data-pages'));
    if (!(pages > 1)) return;
    var size = Number(c.getAttribute('data-page-size'));
    var steps = Number(c.getAttribute('data-steps'));
    var first = Number(c.getAttribute('data-first'));
    var holder = c.querySelector('.pages');
    var info = c.querySelector('.pageinfo');
    var input = c.querySelector('.pager input');
    var current = 0;
    function pageEl(p) {
      var el = holder.querySelector('div.page[data-page="' + p + '"]');
      if (el) return el;
      var t = holder.querySelector('template[data-page="' + p + '"]');
      el = document.createElement('div');
      el.className = 'page';
      el.setAttribute('data-page', String(p));
      el.appendChild(document.importNode(t.content, true));
      holder.appendChild(el);
      return el;
    }
    function show(p) {
      p = Math.max(0, Math.min(pages - 1, p));
      var el = pageEl(p);
      var all = holder.querySelectorAll('div.page');
      for (var i = 0; i < all.length; i++) all[i].hidden = all[i] !== el;
      current = p;
      var lo = p * size + first, hi = Math.min(steps, (p + 1) * size) + first - 1;
      info.textContent = 'steps ' + lo + '\\u2013' + hi + ' of ' + steps;
      return el;
    }
    var scroller = c.querySelector('.scroll');
    c.querySelector('[data-go="prev"]').addEventListener('click', function () { show(current - 1); scroller.scrollTop = 0; });
    c.querySelector('[data-go="next"]').addEventListener('click', function () { show(current + 1); scroller.scrollTop = 0; });
    input.addEventListener('change', function () {
      var n = Math.round(Number(input.value));
      if (!(n >= first && n < first + steps)) return;
      var el = show(Math.floor((n - first) / size));
      var g = el.querySelector('g.step[data-step="' + n + '"]');
      var old = c.querySelectorAll('g.step.hl');
      for (var i = 0; i < old.length; i++) old[i].classList.remove('hl');
      if (g) { g.classList.add('hl'); g.scrollIntoView({ block: 'center' }); }
    });
  }
  var charts = document.querySelectorAll('section.chart');
  for (var i = 0; i < charts.length; i++) setup(charts[i]);
})();
`;

const LEGEND =
  '<p class="legend">' +
  '<svg width="34" height="14"><rect x="1" y="1" width="32" height="12" rx="3" fill="#eef4fb" stroke="#456"/></svg>a transition fires' +
  '<svg width="14" height="14"><circle cx="7" cy="7" r="4.5" fill="#456"/></svg>publication' +
  '<svg width="34" height="14"><line x1="2" y1="3" x2="28" y2="11" stroke="#666" stroke-width="1.4"/><polygon points="32,12 22,12 26,6" fill="#666"/></svg>delivery, from the step that published it' +
  '<svg width="14" height="20"><path d="M10,2 H4 V18 H10" fill="none" stroke="#1f77b4" stroke-width="3"/></svg>the deliveries a step used, in its colour (thick, with Q: they completed a quorum)' +
  '<svg width="14" height="14"><path d="M2,2 L12,12 M12,2 L2,12" stroke="#b00020" stroke-width="2.5"/></svg>crash' +
  '<svg width="30" height="14"><rect x="0" y="0" width="30" height="14" fill="rgba(255,200,0,.3)"/></svg>a loop that repeats forever' +
  ' · hover a row for its full text</p>';

function cell(c: CellInput, header = false): string {
  const tag = header ? 'th' : 'td';
  const v: Cell = typeof c === 'string' ? { text: c } : typeof c === 'number' ? { text: String(c) } : c;
  const classes = [v.tone !== undefined && v.tone !== 'plain' ? v.tone : '', typeof c === 'number' || v.numeric === true ? 'num' : ''].filter((x) => x !== '');
  const cls = classes.length > 0 ? ` class="${classes.join(' ')}"` : '';
  const title = v.title !== undefined ? ` title="${esc(v.title)}"` : '';
  const body = v.href !== undefined ? `<a href="${esc(v.href)}">${esc(v.text)}</a>` : esc(v.text);
  return `<${tag}${cls}${title}>${body}</${tag}>`;
}

export function renderTable(t: Table): string {
  const head = `<tr>${t.columns.map((c) => cell(c, true)).join('')}</tr>`;
  const rows = t.rows.map((r) => `<tr>${r.map((c) => cell(c)).join('')}</tr>`).join('\n');
  return `${t.title !== undefined ? `<h2>${esc(t.title)}</h2>\n` : ''}<table>\n<thead>${head}</thead>\n<tbody>\n${rows}\n</tbody>\n</table>`;
}

const badge = (tone: Tone | undefined, text: string | undefined): string =>
  text === undefined ? '' : ` <span class="badge ${tone ?? 'plain'}">${esc(text)}</span>`;

/** The report: a complete HTML document as one string. */
export function renderPage(page: Page, opts: { readonly chartsTitle?: string } = {}): string {
  // Two charts with one id would leave the second unreachable by its link: later ones get a suffix.
  const seen = new Map<string, number>();
  const charts = (page.charts ?? []).map((c) => {
    const id = safeId(c.id);
    const n = (seen.get(id) ?? 0) + 1;
    seen.set(id, n);
    return n === 1 ? c : { ...c, id: `${id}-${n}` };
  });
  const body = [
    `<header><h1>${esc(page.title)}${badge(page.status, page.statusText)}</h1>`,
    ...(page.summary ?? []).map((s) => `<p class="summary">${esc(s)}</p>`),
    '</header><main>',
    ...(page.figures !== undefined && page.figures.length > 0 ? [`<h2>${esc(page.figuresTitle ?? 'Figures')}</h2>`, ...page.figures] : []),
    ...(page.tables ?? []).map(renderTable),
    ...(charts.length > 0 ? [`<h2>${esc(opts.chartsTitle ?? 'Sequence charts')}</h2>`, LEGEND, ...charts.map(renderChart)] : []),
    '</main>',
  ];
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${esc(CSP)}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    ...(page.generator !== undefined ? [`<meta name="generator" content="${esc(page.generator)}">`] : []),
    `<title>${esc(page.title)}</title>`,
    `<style>${CSS}</style></head><body>`,
    ...body,
    `<script>${SCRIPT}</script>`,
    '</body></html>',
    '',
  ].join('\n');
}
