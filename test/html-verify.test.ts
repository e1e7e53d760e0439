// `mommie verify --reporter html -o FILE` end to end, and the pages in a real
// headless Chromium (found, never downloaded: test/helpers/browser.ts): every
// example's small models and every planted bug render with no console error
// and no request at all, show a table row per model and per property, and
// draw each counterexample with as many steps as the text report prints.
// Without a browser those checks skip with a message; the CLI's own
// behaviour (refusing to overwrite a file) is checked regardless.
// Runs the built CLI (dist/): `npx tsc -p .` first.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isLeft } from 'fp-ts/lib/Either.js';
import type { Browser, Page } from 'puppeteer-core';
import { resolveTlc } from '../src/tools/resolve.js';
import { renderPage, type ChartStep } from '../src/html/index.js';
import { findBrowser, launch, openReport as open } from './helpers/browser.js';
import { mommie, ROOT } from './helpers/cli.js';

const found = findBrowser();
if (!found.ok) console.log(`SKIPPED: HTML report tests in a browser did not run: ${found.reason}`);
const tlc = await resolveTlc();
if (found.ok && isLeft(tlc)) console.log(`SKIPPED: the HTML report of an --engine tlc counterexample was not checked: ${tlc.left.message}`);

const dir = mkdtempSync(join(tmpdir(), 'mommie-html-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The examples' cheapest models (about a second each); every example must have one here. */
const SMALL: Readonly<Record<string, readonly string[]>> = {
  'BrachaBroadcast.mom': ['CrashedProcess'],
  'PBCounter.mom': ['CrashedBackup'],
  'PBFTCheckpoint.mom': ['CrashedBackup'],
  'PBFTCounter.mom': ['CrashedBackup'],
  'PBFTNormal.mom': ['CrashedBackup'],
  'PBFTViewChange.mom': ['CrashedPrimary'],
  'PrimaryBackup.mom': ['AllCorrect', 'CrashedBackup'],
};
/**
 * The deliveries each step used, as the charts group them (src/report/html.ts
 * reconstructs them from the trace); each checked by hand against the
 * programs' triggers, e.g. PBFT's step 9: r3's SendCommit uses the PrePrepare
 * of step 7 and r2's Prepare of step 5, which with its own completes 2F.
 */
const GROUPS: Readonly<Record<string, readonly string[]>> = {
  // Forgetting (issue 23): the entry is forgotten on delivery (no fire uses a step); the reset fires after an Execute that used the delivery.
  'ForgetTooEarly.mom': [],
  'ForgetVariableGoesBack.mom': ['step 4 uses step 3'],
  'BrachaSmallAmplification.mom': ['step 4 uses step 3 (a quorum)', 'step 6 uses step 5 (a quorum)', 'step 8 uses steps 3, 7 (a quorum)'],
  'PBFTUnsignedRequest.mom': ['step 4 uses step 3', 'step 8 uses step 7', 'step 9 uses steps 5, 7 (a quorum)', 'step 11 uses steps 3, 10 (a quorum)', 'step 15 uses steps 12, 14 (a quorum)'],
  'PrimaryBackupCrashedPrimary.mom': ['step 4 uses step 3', 'step 6 uses step 5', 'step 8 uses step 7'],
  'PrimaryBackupSmallQuorum.mom': ['step 4 uses step 3 (a quorum)'],
};
const BUGGY = readdirSync(join(ROOT, 'specs', 'buggy')).filter((f) => f.endsWith('.mom')).sort();

/** What the text report (stdout) says: models, properties, and each counterexample's numbered steps. */
interface TextReport {
  readonly models: string[];
  readonly properties: { model: string; name: string }[];
  readonly traces: { title: string; steps: number }[];
}

function readText(stdout: string): TextReport {
  const r: TextReport = { models: [], properties: [], traces: [] };
  let model = '';
  let trace: { title: string; steps: number } | undefined;
  for (const line of stdout.split('\n')) {
    const m = /^model (\w+): /.exec(line);
    if (m !== null) {
      model = m[1]!;
      r.models.push(model);
      trace = undefined;
      continue;
    }
    const p = /^ {2}[✓✗?] (\S+) {2}/.exec(line);
    if (p !== null) r.properties.push({ model, name: p[1]! });
    const c = /^ {2}(counterexample to \S+|trace to the failing evaluation) \(/.exec(line);
    if (c !== null) {
      trace = { title: c[1]!, steps: 0 };
      r.traces.push(trace);
      continue;
    }
    if (trace !== undefined && /^ {4} *\d+\. /.test(line)) trace.steps++;
  }
  return r;
}

const reports = new Map<string, Awaited<ReturnType<typeof runReport>>>();

/** Each file's report once: the lasso test reads the one the buggy examples' test wrote. */
async function report(file: string, models: readonly string[], extra: readonly string[] = []) {
  const key = [file, ...models, ...extra].join(' ');
  const done = reports.get(key);
  if (done !== undefined) return done;
  const r = await runReport(file, models, extra);
  reports.set(key, r);
  return r;
}

async function runReport(file: string, models: readonly string[], extra: readonly string[]) {
  const out = join(dir, `${file.replace(/[/.]/g, '_')}${extra.join('')}.html`);
  const r = await mommie(['verify', file, ...models.flatMap((m) => ['-m', m]), '-q', '--reporter', 'html', '-o', out, ...extra], { timeoutMs: 120_000 });
  expect(r.stderr).toContain(`wrote ${out}`);
  return { run: r, out, text: readText(r.stdout) };
}

interface Shown {
  readonly modelRows: string[];
  readonly propertyRows: string[][];
  readonly charts: { id: string; title: string; steps: number; drawn: number; pages: number }[];
  readonly brokenLinks: string[];
}

async function shown(page: Page): Promise<Shown> {
  return page.evaluate(() => {
    const tables = [...document.querySelectorAll('table')];
    const rows = (t: Element | undefined): string[][] =>
      t === undefined ? [] : [...t.querySelectorAll('tbody tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => (td.textContent ?? '').trim()));
    const visible = (e: Element): boolean => {
      const r = e.getBoundingClientRect();
      return r.width > 0 && r.height > 0;
    };
    return {
      modelRows: rows(tables[0]).map((r) => r[0]!),
      propertyRows: rows(tables[1]),
      charts: [...document.querySelectorAll('section.chart')].map((c) => ({
        id: c.id,
        title: (c.querySelector('h3')?.textContent ?? '').trim(),
        steps: Number(c.getAttribute('data-steps')),
        drawn: [...c.querySelectorAll('g.step')].filter(visible).length,
        pages: Number(c.getAttribute('data-pages')),
      })),
      brokenLinks: [...document.querySelectorAll('a[href^="#"]')].map((a) => a.getAttribute('href')!).filter((h) => document.getElementById(h.slice(1)) === null),
    };
  });
}

describe('verify --reporter html: the command', () => {
  it('needs -o, names the reporters it knows', async () => {
    const r = await mommie(['verify', 'specs/buggy/PrimaryBackupSmallQuorum.mom', '--reporter', 'html']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('--reporter html needs --out FILE');
    const bad = await mommie(['verify', 'specs/buggy/PrimaryBackupSmallQuorum.mom', '--reporter', 'pdf', '-o', join(dir, 'x')]);
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toContain("unknown reporter 'pdf' (use junit or html, or --json)");
  });

  it('does not overwrite a file that is not an earlier HTML report without --force; replaces its own', async () => {
    const file = 'specs/buggy/PrimaryBackupSmallQuorum.mom';
    const mine = join(dir, 'notes.html');
    writeFileSync(mine, '<!DOCTYPE html><p>my notes</p>');
    const refused = await mommie(['verify', file, '-q', '--reporter', 'html', '-o', mine]);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain(`${mine} exists and is not an earlier mommie report; pass --force to overwrite it`);
    expect(readFileSync(mine, 'utf8')).toBe('<!DOCTYPE html><p>my notes</p>');
    // A JUnit report is not this kind of report either.
    const junit = join(dir, 'junit.xml');
    expect((await mommie(['verify', file, '-q', '--reporter', 'junit', '-o', junit])).exitCode).toBe(2);
    const overJunit = await mommie(['verify', file, '-q', '--reporter', 'html', '-o', junit]);
    expect(overJunit.exitCode).toBe(1);
    expect(readFileSync(junit, 'utf8')).toMatch(/^<\?xml/);

    const forced = await mommie(['verify', file, '-q', '--reporter', 'html', '-o', mine, '--force']);
    expect(forced.exitCode).toBe(2);
    expect(readFileSync(mine, 'utf8')).toMatch(/^<!DOCTYPE html>/);
    const again = await mommie(['verify', file, '-q', '--reporter', 'html', '-o', mine]);
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toContain(`wrote ${mine}`);
  });

  it('a file that cannot be written is an error, not a stack trace', async () => {
    const r = await mommie(['verify', 'specs/buggy/PrimaryBackupSmallQuorum.mom', '-q', '--reporter', 'html', '-o', join(dir, 'no', 'such', 'dir.html')]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('mommie verify: cannot write');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe.skipIf(!found.ok)('verify --reporter html in headless Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    if (found.ok) browser = await launch(found.path);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('has a small model for every example, and the groups of every planted bug', () => {
    expect(Object.keys(GROUPS).sort()).toEqual(BUGGY);
    const specs = readdirSync(join(ROOT, 'specs')).filter((f) => f.endsWith('.mom')).sort();
    expect(Object.keys(SMALL).sort()).toEqual(specs);
  });

  it.each(Object.entries(SMALL))('specs/%s: every model a row, every property a row, nothing fetched, no console error', async (spec, models) => {
    const { run, out, text } = await report(join('specs', spec), models);
    expect(run.exitCode).toBe(0);
    expect(text.models).toEqual(models);
    const { page, problems } = await open(browser, out);
    try {
      const s = await shown(page);
      expect(problems).toEqual([]);
      expect(s.modelRows).toEqual(models);
      expect(s.propertyRows.map((r) => `${r[0]}.${r[1]}`)).toEqual(text.properties.map((p) => `${p.model}.${p.name}`));
      expect(s.propertyRows.every((r) => r[3] === '✓ holds')).toBe(true);
      expect(s.charts).toEqual([]);
      expect(await page.$eval('h1 .badge', (e) => e.textContent)).toBe('all properties hold');
    } finally {
      await page.close();
    }
  });

  it.each(BUGGY)('specs/buggy/%s: the counterexample drawn with as many steps as the text report', async (bug) => {
    const { run, out, text } = await report(join('specs', 'buggy', bug), []);
    expect(run.exitCode).toBe(2);
    expect(text.traces.length).toBeGreaterThan(0);
    const { page, problems } = await open(browser, out);
    try {
      const s = await shown(page);
      expect(problems).toEqual([]);
      expect(s.modelRows).toEqual(text.models);
      expect(s.propertyRows.map((r) => `${r[0]}.${r[1]}`)).toEqual(text.properties.map((p) => `${p.model}.${p.name}`));
      expect(s.brokenLinks).toEqual([]);
      expect(s.charts.map((c) => [c.title, c.steps, c.drawn, c.pages])).toEqual(text.traces.map((t) => [t.title, t.steps, t.steps, 1]));
      // The chart is drawn: lifelines in the header, a box for each transition that fired.
      const fires = await page.$$eval('section.chart g.glyph rect.box', (xs) => xs.length);
      expect(fires).toBeGreaterThan(0);
      expect(await page.$$eval('section.chart g.group > title', (xs) => xs.map((x) => x.textContent))).toEqual(GROUPS[bug]);
      expect(await page.$eval('h1 .badge', (e) => e.textContent)).toBe('violated');
    } finally {
      await page.close();
    }
  });

  it('the liveness lasso is marked', async () => {
    const { out } = await report('specs/buggy/PrimaryBackupCrashedPrimary.mom', []);
    const { page, problems } = await open(browser, out);
    try {
      expect(problems).toEqual([]);
      const trailer = await page.$eval('section.chart text.trailer', (e) => e.textContent);
      expect(trailer).toBe('from step 8 on the behaviour stutters forever');
      expect(await page.$$eval('section.chart rect.loop', (xs) => xs.length)).toBe(1);
    } finally {
      await page.close();
    }
  });

  it.skipIf(isLeft(tlc))('an --engine tlc counterexample draws the same steps', async () => {
    const { run, out, text } = await report('specs/buggy/PrimaryBackupSmallQuorum.mom', [], ['--engine', 'tlc']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('engine: tlc');
    const { page, problems } = await open(browser, out);
    try {
      const s = await shown(page);
      expect(problems).toEqual([]);
      expect(s.charts.map((c) => [c.title, c.drawn])).toEqual(text.traces.map((t) => [t.title, t.steps]));
    } finally {
      await page.close();
    }
  }, 120_000);

  it('a 3,000-step chart: one page live at a time, paged by buttons and by step number', async () => {
    const steps: ChartStep[] = [{ kind: 'note', label: 'initial state' }];
    for (let k = 1; k < 3000; k++) {
      steps.push(
        k % 2 === 1
          ? { kind: 'fire', lifeline: `p${k % 4}`, label: 'Send', sends: [{ id: `m${k}`, label: `Msg(k: ${k}) <&>` }] }
          : { kind: 'deliver', lifeline: `p${(k + 1) % 4}`, message: `m${k - 1}` },
      );
    }
    const file = join(dir, 'long.html');
    writeFileSync(file, renderPage({ title: 'long', charts: [{ id: 'long', title: 'long', lifelines: [], steps }] }));
    const t0 = Date.now();
    const { page, problems } = await open(browser, file);
    try {
      const loadMs = Date.now() - t0;
      const live = (): Promise<number[]> => page.$$eval('section.chart g.step', (xs) => xs.filter((x) => x.getBoundingClientRect().height > 0).map((x) => Number(x.getAttribute('data-step'))));
      let rows = await live();
      expect(rows.length).toBe(200);
      expect([rows[0], rows[199]]).toEqual([1, 200]);
      await page.click('section.chart [data-go="next"]');
      rows = await live();
      expect([rows.length, rows[0], rows[199]]).toEqual([200, 201, 400]);
      expect(await page.$eval('section.chart .pageinfo', (e) => e.textContent)).toBe('steps 201–400 of 3000');
      await page.$eval('section.chart .pager input', (e) => {
        const input = e as HTMLInputElement;
        input.value = '2999';
        input.dispatchEvent(new Event('change'));
      });
      rows = await live();
      expect([rows.length, rows[0], rows[rows.length - 1]]).toEqual([200, 2801, 3000]);
      expect(await page.$eval('section.chart g.step.hl', (e) => e.getAttribute('data-step'))).toBe('2999');
      expect(problems).toEqual([]);
      expect(loadMs).toBeLessThan(10_000);
    } finally {
      await page.close();
    }
  });
});

