// deploy-tune's predictions against measurement (issue 24 item 6): for
// PBCounter and PBFTCounter with 8 clients × 16 in flight over TCP, the
// candidates deploy-tune ranks first, second and third, and its last, each
// run RUNS times over TCP. Targets: each prediction within 2× of the median
// measured throughput, and the predicted top three in the measured order
// (two whose measured ranges overlap count as tied). Calibrated over TCP as
// `deploy-tune --calibrate-tcp` is. NOT JUDGED when the 1-minute load at the
// start is above 1.5.
//
//   MOMMIE_BENCH_TUNE_REQUESTS   requests per run (default 400)
//   MOMMIE_BENCH_TUNE_RUNS       runs per candidate (default 3)

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkFile } from '../src/analysis/frontend.js';
import { tcpMeasurer } from '../src/cli/tune-tcp.js';
import { tune } from '../src/tune/index.js';
import { tcpRow } from './optimizations.js';
import { repoRoot, section } from './stats.js';

const QUIET_LOAD = 1.5;

interface Measured {
  readonly rank: number;
  readonly description: string;
  readonly predicted: number;
  readonly runs: readonly number[];
  readonly median: number;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const k = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[k]! : (s[k - 1]! + s[k]!) / 2;
};

/** The predicted top three in the measured order, a pair whose measured ranges overlap counting as tied. */
export function topThreeInOrder(top: readonly Measured[]): boolean {
  for (let i = 0; i < top.length; i++) {
    for (let j = i + 1; j < top.length; j++) {
      const a = top[i]!;
      const b = top[j]!;
      const tied = Math.min(...a.runs) <= Math.max(...b.runs) && Math.min(...b.runs) <= Math.max(...a.runs);
      if (!tied && a.median < b.median) return false;
    }
  }
  return true;
}

export async function runTuneBench(): Promise<void> {
  const cli = join(repoRoot(), 'dist', 'src', 'cli', 'main.js');
  const requests = Number(process.env['MOMMIE_BENCH_TUNE_REQUESTS'] ?? 400);
  const runs = Math.max(1, Number(process.env['MOMMIE_BENCH_TUNE_RUNS'] ?? 3));
  const judged = loadavg()[0]! <= QUIET_LOAD;
  const judge = (ok: boolean): string => (!judged ? 'NOT JUDGED' : ok ? 'PASS' : 'FAIL');
  const dir = mkdtempSync(join(tmpdir(), 'mommie-bench-tune-'));
  let port = 31000;
  try {
    for (const name of ['PBCounter', 'PBFTCounter']) {
      const specPath = join(repoRoot(), 'specs', `${name}.mom`);
      const basePath = join(repoRoot(), 'specs', `${name}.deploy`);
      if (!existsSync(specPath) || !existsSync(basePath)) continue;
      section(`deploy-tune's predictions against TCP (issue 24 item 6): ${name}, 8 clients × 16 in flight, ${requests} requests, ${runs} runs each, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}${judged ? '' : ` -- NOT JUDGED: 1-minute load above ${QUIET_LOAD}`}`);
      const fe = checkFile(specPath);
      if (!fe.ok || fe.program === undefined) continue;
      const t = await tune({
        program: fe.program,
        ...(fe.source !== undefined ? { programSource: fe.source } : {}),
        base: { file: basePath, text: readFileSync(basePath, 'utf8') },
        objective: 'throughput',
        options: { clients: 8, concurrency: 16 },
        measureTcp: tcpMeasurer({ programPath: specPath, requests, concurrency: 16, clients: 8, timeoutMs: 240_000 }),
      });
      if (!t.ok) {
        console.log(`deploy-tune failed: ${t.error.message}`);
        continue;
      }
      const picks = [...new Set([0, 1, 2, t.ranked.length - 1])].filter((i) => i < t.ranked.length);
      const measured: Measured[] = [];
      console.log('| rank | candidate | predicted req/s | measured req/s (runs) | median / predicted | within 2× |');
      console.log('|---|---|---|---|---|---|');
      for (const i of picks) {
        const c = t.ranked[i]!;
        const xs: number[] = [];
        for (let k = 0; k < runs; k++) {
          const sub = mkdtempSync(join(dir, 'run-'));
          try {
            let n = 0;
            const path = join(sub, `${name}.deploy`);
            writeFileSync(path, c.text.replace(/127\.0\.0\.1:\d+/g, () => `127.0.0.1:${port + n++}`));
            port += 20;
            xs.push((await tcpRow(cli, specPath, path, sub, 8, requests)).reqPerS);
          } catch (e) {
            console.log(`  ${c.description}, run ${k + 1}: failed: ${e instanceof Error ? e.message : String(e)}`);
          } finally {
            rmSync(sub, { recursive: true, force: true });
          }
        }
        if (xs.length === 0) continue;
        const m: Measured = { rank: i + 1, description: c.description, predicted: c.prediction.throughputPerS, runs: xs, median: median(xs) };
        measured.push(m);
        const ratio = m.median / Math.max(1e-9, m.predicted);
        console.log(`| ${i + 1} of ${t.ranked.length} | ${c.description} | ${m.predicted.toFixed(0)} | ${m.median.toFixed(1)} (${xs.map((x) => x.toFixed(1)).join(', ')}) | ${ratio.toFixed(2)} | ${judge(ratio >= 0.5 && ratio <= 2)} |`);
      }
      const top = measured.filter((m) => m.rank <= 3);
      const allWithin = measured.length === picks.length && measured.every((m) => m.median / m.predicted >= 0.5 && m.median / m.predicted <= 2);
      console.log(`${name}: every prediction within 2× of its median ${judge(allWithin)}; the predicted top three in the measured order (overlapping ranges tie) ${top.length === 3 ? judge(topThreeInOrder(top)) : 'FAIL (fewer than three measured)'}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
