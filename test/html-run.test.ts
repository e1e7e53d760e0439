// `mommie run --reporter html` and `mommie replay --reporter html` end to end,
// and their pages in headless Chromium (found, never downloaded:
// test/helpers/browser.ts): a short simulated run shows a row per node, the
// two plots, and a chart with one step per event its node logs hold; a
// rejected replay marks the event the text report names. No console error,
// no request. The -o rules (generator meta, --force) are checked without a
// browser. Runs the built CLI (dist/): `npx tsc -p .` first.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'puppeteer-core';
import { findBrowser, launch, openReport } from './helpers/browser.js';
import { mommie } from './helpers/cli.js';

const found = findBrowser();
if (!found.ok) console.log(`SKIPPED: run and replay HTML reports in a browser did not run: ${found.reason}`);

const dir = mkdtempSync(join(tmpdir(), 'mommie-html-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PROGRAM = 'specs/PrimaryBackup.mom';
const RUN = ['run', PROGRAM, '--deploy', 'specs/PrimaryBackup.deploy', '--network', 'sim', '--requests', '4'];
const logs = join(dir, 'logs');
const page = join(dir, 'run.html');

/** The run with its logs and its page, once. */
let ran: Promise<Awaited<ReturnType<typeof mommie>>> | undefined;
const runOnce = (): Promise<Awaited<ReturnType<typeof mommie>>> => (ran ??= mommie([...RUN, '--trace', logs, '--reporter', 'html', '-o', page], { timeoutMs: 60_000 }));

/** Events (other than start) in every log of the directory. */
function loggedEvents(d: string): number {
  return readdirSync(d).reduce((n, f) => n + readFileSync(join(d, f), 'utf8').split('\n').filter((l) => l !== '' && !l.includes('"k":"start"')).length, 0);
}

describe('run and replay --reporter html: the commands', () => {
  it('need -o, know only html, run needs the simulated network', async () => {
    const noOut = await mommie([...RUN, '--reporter', 'html']);
    expect([noOut.exitCode, noOut.stderr]).toEqual([1, expect.stringContaining('--reporter html needs --out FILE')]);
    const tcp = await mommie(['run', PROGRAM, '--deploy', 'specs/PrimaryBackup.deploy', '--reporter', 'html', '-o', join(dir, 'x.html')]);
    expect([tcp.exitCode, tcp.stderr]).toEqual([1, expect.stringContaining('--reporter html is for the simulated network')]);
    const pdf = await mommie(['replay', PROGRAM, dir, '--reporter', 'pdf', '-o', join(dir, 'x.pdf')]);
    expect([pdf.exitCode, pdf.stderr]).toEqual([1, expect.stringContaining("unknown reporter 'pdf' (use html, or --json)")]);
  });

  it('do not overwrite a file that is not their own earlier report without --force', async () => {
    const r = await runOnce();
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain(`wrote ${page}`);
    const mine = join(dir, 'notes.html');
    writeFileSync(mine, '<!DOCTYPE html><p>my notes</p>');
    const refused = await mommie([...RUN, '--reporter', 'html', '-o', mine]);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain(`${mine} exists and is not an earlier 'mommie run' report; pass --force to overwrite it`);
    expect(readFileSync(mine, 'utf8')).toBe('<!DOCTYPE html><p>my notes</p>');
    // A run's page is not a replay's.
    const replayOver = await mommie(['replay', PROGRAM, logs, '--reporter', 'html', '-o', page]);
    expect(replayOver.exitCode).toBe(1);
    expect(replayOver.stderr).toContain("is not an earlier 'mommie replay' report");
    const again = await mommie([...RUN, '--reporter', 'html', '-o', page]);
    expect(again.exitCode).toBe(0);
    const forced = await mommie(['replay', PROGRAM, logs, '--reporter', 'html', '-o', mine, '--force']);
    expect(forced.exitCode).toBe(0);
    expect(readFileSync(mine, 'utf8')).toContain('<meta name="generator" content="mommie replay">');
  });
});

describe.skipIf(!found.ok)('run and replay --reporter html in headless Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    if (found.ok) browser = await launch(found.path);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('a short simulated run: a row per node, the plots, a step per logged event', async () => {
    const r = await runOnce();
    expect(r.exitCode).toBe(0);
    const events = loggedEvents(logs);
    const { page: p, problems } = await openReport(browser, page);
    try {
      const seen = await p.evaluate(() => ({
        nodes: [...document.querySelectorAll('table tbody tr')].map((tr) => tr.querySelector('td')?.textContent),
        plots: [...document.querySelectorAll('section.plot')].map((s) => [s.id, s.querySelectorAll('polyline').length]),
        steps: Number(document.querySelector('section.chart')?.getAttribute('data-steps')),
        boxes: document.querySelectorAll('section.chart rect.box').length,
        badge: document.querySelector('h1 .badge')?.textContent,
      }));
      expect(problems).toEqual([]);
      expect(seen.nodes).toEqual(['c1', 'c2', 'r1', 'r2', 'r3', 'r4']);
      expect(seen.plots).toEqual([['plot-throughput', 1], ['plot-latency', 2]]);
      expect(seen.steps).toBe(events);
      expect(seen.boxes).toBeGreaterThan(0);
      expect(seen.badge).toBe('completed');
    } finally {
      await p.close();
    }
  }, 60_000);

  it('a rejected replay: the first bad event marked, the chart ends there', async () => {
    expect((await runOnce()).exitCode).toBe(0);
    const bad = join(dir, 'bad');
    cpSync(logs, bad, { recursive: true });
    // r2's first Execute claims a change its body does not make.
    const file = join(bad, 'r2.ndjson');
    const lines = readFileSync(file, 'utf8').split('\n');
    const at = lines.findIndex((l) => l.includes('"t":"Execute"'));
    lines[at] = lines[at]!.replace('["executeSeqNo",0,1]', '["executeSeqNo",0,5]');
    writeFileSync(file, lines.join('\n'));
    const out = join(dir, 'replay.html');
    const r = await mommie(['replay', PROGRAM, bad, '--reporter', 'html', '-o', out]);
    expect(r.exitCode).toBe(2);
    const message = /error: (.*)$/m.exec(r.stderr)?.[1];
    expect(r.stderr).toContain(`${file}:${at + 1}: error: `);
    const { page: p, problems } = await openReport(browser, out);
    try {
      const steps = await p.$$eval('section.chart g.step', (xs) => xs.map((x) => x.textContent ?? ''));
      expect(problems).toEqual([]);
      const marked = steps.filter((s) => s.includes('✗ REJECTED: '));
      expect(marked.length).toBe(1);
      expect(marked[0]).toContain('r2 fires Execute');
      expect(marked[0]).toContain(message);
      expect(steps.indexOf(marked[0]!)).toBe(steps.length - 2);
      expect(steps[steps.length - 1]).toContain('replay stops here');
      const tip = await p.$$eval('section.chart g.step title', (xs) => xs.map((x) => x.textContent ?? ''));
      expect(tip.some((t) => t.includes(`${file}:${at + 1}`))).toBe(true);
      expect(await p.$eval('h1 .badge', (e) => e.textContent)).toBe('rejected');
    } finally {
      await p.close();
    }
  }, 60_000);
});
