// The HTML renderer on its own (no browser): every string escaped, every SVG
// well-formed XML, the chart model's arrows, groups and loops drawn where
// they belong, and a 3,000-step chart cut into pages of which only the first
// is live.
import { describe, expect, it } from 'vitest';
import { XMLValidator } from 'fast-xml-parser';
import { renderChart, renderPage, type ChartStep, type SequenceChart } from '../src/html/index.js';
import { verifyHtml } from '../src/report/html.js';

const NASTY = `Reply(x: "<script>alert('x')</script>" & 'y' </svg> ]]> \u0000)`;

function svgs(html: string): string[] {
  return [...html.matchAll(/<svg[\s\S]*?<\/svg>/g)].map((m) => m[0]);
}

function wellFormed(html: string): void {
  for (const svg of svgs(html)) {
    const v = XMLValidator.validate(svg);
    if (v !== true) throw new Error(`${JSON.stringify(v.err)}\n${svg.slice(0, 400)}`);
  }
}

const small: SequenceChart = {
  id: 'cex <1>',
  title: `counterexample to ${NASTY}`,
  subtitle: 'model "M" & <N>',
  lifelines: [{ name: 'c1' }, { name: '<r1>', status: 'byzantine' }, { name: 'r2', status: 'crashed' }, { name: 'r3', note: 'site "a"' }],
  steps: [
    { kind: 'note', label: 'initial state', notes: ['c1: x = {}', `r3: y = "<&>"`] },
    { kind: 'byzantine', lifeline: '<r1>', sends: [{ id: 'm1', label: NASTY }] },
    { kind: 'deliver', lifeline: 'r3', message: 'm1' },
    { kind: 'fire', lifeline: 'c1', label: 'Submit<&>', detail: `op="0"`, sends: [{ id: 'm2', label: '[c1 → r3, NOONE] Request(op: 0)' }], notes: ['c1.x: {} → {0}'] },
    { kind: 'deliver', lifeline: 'r3', message: 'm2', label: 'accepts' },
    { kind: 'fire', lifeline: 'r3', label: 'Accept', uses: [2, 4], quorum: true, sends: [] },
    { kind: 'deliver', lifeline: 'c1', message: 'never-sent' },
    { kind: 'crash', lifeline: 'c1' },
    { kind: 'publish', lifeline: 'x9', sends: [{ id: 'm3', label: 'wire item <mac>' }] },
  ],
  loopStart: 6,
};

describe('escaping', () => {
  const html = renderPage({
    title: `T <i>&</i> "q"`,
    summary: [NASTY],
    statusText: '<b>',
    tables: [{ title: 'Rows <x>', columns: ['a<', 'b&'], rows: [[NASTY, { text: '<x>', href: '#"><script>', title: `"'<>` }, 3]] }],
    charts: [small],
    generator: 'g"<>',
  });

  it('no markup survives from the data: the page script is the only script', () => {
    expect(html.match(/<script/g)?.length).toBe(1);
    expect(html).not.toContain('<i>');
    expect(html).not.toContain('<b>');
    expect(html).not.toContain('<r1>');
    expect(html).not.toContain('<mac>');
    expect(html).not.toContain('\u0000');
    expect(html).toContain('&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;');
    expect(html).toContain('T &lt;i&gt;&amp;&lt;/i&gt; &quot;q&quot;');
    expect(html).toContain('<meta name="generator" content="g&quot;&lt;&gt;">');
  });

  it('every SVG is well-formed XML', () => {
    expect(svgs(html).length).toBeGreaterThan(2);
    wellFormed(html);
  });

  it('ids become safe anchors, unique in the page', () => {
    expect(html).toContain('<section class="chart" id="cex-1"');
    const twice = renderPage({ title: 't', charts: [small, small, { ...small, id: 'cex-1' }] });
    expect([...twice.matchAll(/<section class="chart" id="([^"]+)"/g)].map((m) => m[1])).toEqual(['cex-1', 'cex-1-2', 'cex-1-3']);
  });

  it('self-contained: no URL but the SVG namespace, a CSP that forbids fetching', () => {
    const urls = [...html.matchAll(/(?:https?:|\/\/)[^\s"')]*/g)].map((m) => m[0]);
    expect(new Set(urls)).toEqual(new Set(['http://www.w3.org/2000/svg']));
    expect(html).toContain('content="default-src &#39;none&#39;;');
    expect(html).not.toMatch(/<link|@import|url\(|src=/);
  });
});

describe('the chart', () => {
  const html = renderChart(small);

  it('one row per step, numbered from 1, with its lines beside it', () => {
    const rows = [...html.matchAll(/<g class="step (\w+)" data-step="(\d+)"/g)].map((m) => [m[1], Number(m[2])]);
    expect(rows).toEqual([
      ['note', 1],
      ['byzantine', 2],
      ['deliver', 3],
      ['fire', 4],
      ['deliver', 5],
      ['fire', 6],
      ['deliver', 7],
      ['crash', 8],
      ['publish', 9],
    ]);
    expect(html).toContain('c1 fires Submit&lt;&amp;&gt;(op=&quot;0&quot;)');
    expect(html).toContain('c1.x: {} → {0}');
  });

  it('deliveries are arrows from the step that sent them; an unsent message from above', () => {
    expect(html).toMatch(/<g class="arrow" data-step="3"><title>deliver Reply[^<]*sent at step 2<\/title>/);
    expect(html).toMatch(/<g class="arrow" data-step="5"><title>r3 accepts \[c1 → r3, NOONE\] Request\(op: 0\)\nsent at step 4<\/title>/);
    expect(html).toMatch(/<g class="arrow orphan" data-step="7"><title>deliver never-sent to c1\nnot sent by any step/);
  });

  it('the deliveries a step used share a bracket, marked as a quorum', () => {
    expect(html).toMatch(/<g class="group quorum" stroke="#[0-9a-f]+" data-step="6"><title>step 6 uses steps 3, 5 \(a quorum\)<\/title>/);
    expect(html).toContain('uses steps 3, 5 (they complete a quorum)');
  });

  it('a lasso: the loop shaded from its first step, with the way back', () => {
    expect(html).toContain('<rect class="loop"');
    expect(html).toContain('↺ back to step 7: steps 7–9 repeat forever');
    expect(html).toContain('loops back to step 7');
  });

  it('a stutter is said as such', () => {
    const s = renderChart({ ...small, loopStart: small.steps.length - 1 });
    expect(s).toContain('from step 9 on the behaviour stutters forever');
  });

  it('a lifeline no step declared still gets a column; faulty ones are marked', () => {
    expect(html).toContain('data-name="x9"');
    expect(html).toContain('<text class="lname byz"');
    expect(html).toContain('<line class="life down"');
    expect(html).toMatch(/<title>r3 \(site &quot;a&quot;\)<\/title>/);
  });
});

describe('a 3,000-step chart', () => {
  const N = 3000;
  const steps: ChartStep[] = [{ kind: 'note', label: 'initial state' }];
  for (let k = 1; k < N; k++) {
    if (k % 3 === 1) steps.push({ kind: 'fire', lifeline: `p${k % 5}`, label: 'Send', detail: `k=${k}`, sends: [{ id: `m${k}`, label: `[p${k % 5} → *, NOONE] Msg(k: ${k})` }] });
    else if (k % 3 === 2) steps.push({ kind: 'deliver', lifeline: `p${(k + 1) % 5}`, message: `m${k < 400 ? k - 1 : 1}` });
    else steps.push({ kind: 'fire', lifeline: `p${(k - 2) % 5}`, label: 'Recv', uses: [k - 1], notes: [`p.x: ${k - 1} → ${k}`] });
  }
  const chart: SequenceChart = { id: 'long', title: 'long', lifelines: [], steps, loopStart: 2990 };

  it('renders in well under a second per thousand steps, one live page of 200 and 14 inert templates', () => {
    const t0 = performance.now();
    const html = renderChart(chart);
    const ms = performance.now() - t0;
    expect(ms).toBeLessThan(5000);
    expect(html).toContain(`data-steps="${N}" data-pages="15" data-page-size="200"`);
    expect(html.match(/<template data-page=/g)?.length).toBe(14);
    const live = html.slice(0, html.indexOf('<template'));
    expect(live.match(/<g class="step /g)?.length).toBe(200);
    expect(html.match(/<g class="step /g)?.length).toBe(N);
    expect(html).toContain('steps 1–200 of 3000');
    // A delivery on a later page of something sent on the first: drawn from the top, saying where from.
    expect(html).toContain('>from step 2</text>');
    wellFormed(html);
    expect(html.length).toBeLessThan(6_000_000);
  });
});

describe('the verify page (src/report/html.ts) on a made-up result', () => {
  const stmt = { issuer: 'r4', verifiers: ['c1', 'c2'], auditors: [], record: 'Reply(req: "<x>" & 1, res: 0)', recordType: 'Reply' };
  const trace = {
    steps: [
      { index: 1, action: { kind: 'init' as const }, changes: [{ node: 'c1', variable: 'accepted', after: '{}' }, { node: 'c1', variable: 'n', after: '0' }] },
      { index: 2, action: { kind: 'byzantine' as const, node: 'r4', statement: stmt }, changes: [] },
      { index: 3, action: { kind: 'deliver' as const, node: 'c1', statement: stmt }, changes: [] },
      {
        index: 4,
        action: { kind: 'fire' as const, node: 'c1', role: 'Client', transition: 'Accept', timeout: true, binding: { r: stmt.record }, published: [], location: 'x.mom:3:1' },
        changes: [{ node: 'c1', variable: 'accepted', before: '{}', after: `{${stmt.record}}` }],
      },
    ],
    loopsTo: 3,
  };
  const bounds = { crashed: ['c2'], byzantine: [{ principal: 'r4', sends: ['Reply'], budget: 1 }], symmetry: [], constants: {}, deadlock: false };
  const stats = { generated: 10, distinct: 7, depth: 3, seconds: 0.5, statesPerSecond: 20, peakRssMB: 50 };
  const html = verifyHtml(
    {
      format: 'mommie-verify/1',
      program: 'P<1>',
      file: 'p.mom',
      engine: 'builtin',
      models: [
        { model: 'A', status: 'violation', bounds, stats, properties: [{ name: 'Served', kind: 'property', verdict: 'violated', detail: 'never <served>', trace }] },
        { model: 'B', status: 'error', bounds, stats, properties: [], error: { code: 'MOM701', message: 'division by zero', location: 'p.mom:9:5', trace: { steps: trace.steps.slice(0, 2) } } },
        { model: 'C', status: 'limit', bounds, stats, properties: [{ name: 'Inv', kind: 'invariant', verdict: 'unknown', detail: 'limit' }] },
      ],
    },
    { principals: ['c1', 'c2', 'r4'], triggers: new Map([['Client.Accept', { types: ['Reply'], quorumTypes: ['Reply'] }]]) },
  );

  it('a row per model and per property or error, linked to their charts', () => {
    expect(html).toContain('<a href="#cex-A-Served">counterexample (4 states, then a loop)</a>');
    expect(html).toContain('<a href="#error-B">trace (2 states)</a>');
    expect(html).toContain('p.mom:9:5: error MOM701: division by zero');
    expect(html).toContain('<td class="warn">? unknown</td>');
    expect(html).toContain('<span class="badge bad">violated</span>');
    expect(html).toContain('never &lt;served&gt;');
    wellFormed(html);
  });

  it('the counterexample: faulty lifelines, the lasso, the timeout, the quorum, the variables', () => {
    const chart = html.slice(html.indexOf('<section class="chart" id="cex-A-Served"'), html.indexOf('<section class="chart" id="error-B"'));
    expect(chart).toContain('data-steps="4"');
    expect(chart).toContain('<text class="lname down" x="');
    expect(chart).toContain('<text class="lname byz" x="');
    expect(chart).toContain('c1: accepted = {}, n = 0');
    expect(chart).toContain('c1 fires Accept(r=Reply(req: &quot;&lt;x&gt;&quot; &amp; 1, res: 0)) on timeout');
    expect(chart).toContain('uses step 3 (they complete a quorum)');
    expect(chart).toContain('↺ back to step 3: steps 3–4 repeat forever');
    expect(chart).toContain('role Client, x.mom:3:1');
  });
});
