// Built-in checker vs TLC on the same safety-only models in one run (issue 13
// item 5, issue 27 item 8): distinct states/s of the built-in checker in
// process, with one worker thread and with two, and of TLC with one worker
// and with two (its heap capped at the same -Xmx in every run), the ratios at
// equal workers against the x3 target, and memory per distinct state of
// both. Then TLC on the module this commit generates against TLC on the
// module a pinned earlier commit generated (bench/fixtures/tlc-pinned/), same
// jar, same flags: TLC's states/s must not fall from one commit to the next
// (this project writes TLC's input). Every row carries the load average when
// it ended; a target is NOT JUDGED when the 1-minute load at the start is
// above 1.5 (compare ratios within one run). Runs only where TLC is
// installed (TLA2TOOLS_JAR or `mommie tools install`); says so otherwise.
//
//   MOMMIE_BENCH_TLC_LIVENESS=1   also PrimaryBackup TwoClients (liveness),
//                                 in process against TLC

import { isLeft } from 'fp-ts/lib/Either.js';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { runTlcProcess, type TlcTools } from '../src/tlc/run.js';
import { resolveTlc } from '../src/tools/resolve.js';
import { line, scaledSpec, verify, type Run } from './checker.js';
import { repoRoot, section } from './stats.js';

const QUIET_LOAD = 1.5;
/** Issue 27 item 8: the built-in checker's distinct states/s over TLC's, at equal workers. */
const TARGET = 3;
/** TLC's heap in every TLC run of this section, so that TLC's memory and speed compare run to run. */
const TLC_HEAP_MB = 2048;
/** TLC on today's module over TLC on the pinned module: below this, the translation made TLC slower. */
const PINNED_FLOOR = 0.9;
/** The commit whose translation bench/fixtures/tlc-pinned/ holds (README.md there). */
const PINNED_COMMIT = '1ec4cf9';

export async function runTlcBench(): Promise<void> {
  section('built-in checker vs TLC');
  const tlc = await resolveTlc();
  if (isLeft(tlc)) {
    console.log(`skipped: TLC is not available (${tlc.left.message.replace(/\.$/, '')}); set TLA2TOOLS_JAR or run 'mommie tools install'`);
    return;
  }
  console.log(`TLC: ${tlc.right.jar}`);
  const judged = loadavg()[0]! <= QUIET_LOAD;
  const judge = (ok: boolean): string => (!judged ? 'NOT JUDGED' : ok ? 'PASS' : 'FAIL');
  console.log(`load at the start ${loadavg().map((l) => l.toFixed(2)).join(' ')}${judged ? '' : ` -- NOT JUDGED: 1-minute load above ${QUIET_LOAD}`}`);
  const tools: TlcTools = { java: tlc.right.java, jar: tlc.right.jar };
  const dir = mkdtempSync(join(tmpdir(), 'mommie-bench-tlc-'));
  try {
    const models: [string, string][] = [
      [scaledSpec(dir), 'BenchScaled'],
      [join(repoRoot(), 'specs', 'PBFTNormal.mom'), 'ByzantinePrimary'],
    ];
    const summary: string[] = [];
    for (const [file, model] of models) {
      const r = {
        inProcess: await verify(file, model),
        w1: await verify(file, model, ['--workers', '1']),
        w2: await verify(file, model, ['--workers', '2']),
        tlc1: await verify(file, model, ['--engine', 'tlc', '--workers', '1', '--heap', String(TLC_HEAP_MB)]),
        tlc2: await verify(file, model, ['--engine', 'tlc', '--workers', '2', '--heap', String(TLC_HEAP_MB)]),
      };
      console.log(line(`${model}: built-in, in process`, r.inProcess));
      console.log(line(`${model}: built-in, 1 worker`, r.w1));
      console.log(line(`${model}: built-in, 2 workers`, r.w2));
      console.log(line(`${model}: TLC, 1 worker`, r.tlc1));
      console.log(line(`${model}: TLC, 2 workers`, r.tlc2));
      const same = new Set(Object.values(r).map((x: Run) => `${x.distinct} ${x.verdicts}`)).size === 1;
      if (!same) console.log('  DIFFER: the engines did not count the same states or give the same verdicts');
      const ratio = (a: Run, b: Run): number => a.statesPerSecond / Math.max(1, b.statesPerSecond);
      const verdict = (x: number): string => judge(x >= TARGET);
      const one = ratio(r.w1, r.tlc1);
      const best1 = Math.max(one, ratio(r.inProcess, r.tlc1));
      const two = ratio(r.w2, r.tlc2);
      const text = `${model}: built-in/TLC distinct states/s, 1 worker x${one.toFixed(2)} (in process x${ratio(r.inProcess, r.tlc1).toFixed(2)}) ${verdict(best1)}; 2 workers x${two.toFixed(2)} ${verdict(two)}; target x${TARGET}`;
      summary.push(text);
      console.log(`  ${text}`);
      // Wall time on a loaded machine measures the neighbours; CPU seconds for the same state space do not.
      const cpu = (a: Run, b: Run): string => (a.cpuSeconds !== undefined && b.cpuSeconds !== undefined ? `x${(b.cpuSeconds / Math.max(a.cpuSeconds, 1e-3)).toFixed(2)}` : 'n/a');
      console.log(`  ${model}: TLC's CPU over the built-in checker's for the same states: 1 worker ${cpu(r.w1, r.tlc1)} (in process ${cpu(r.inProcess, r.tlc1)}), 2 workers ${cpu(r.w2, r.tlc2)}`);
      const perState = (x: Run): string => (x.peakRssMB > 0 ? `${((x.peakRssMB * 1024) / Math.max(1, x.distinct)).toFixed(2)} KiB` : 'n/a');
      console.log(`  ${model}: peak RSS per distinct state: built-in in process ${perState(r.inProcess)}, 1 worker ${perState(r.w1)}, 2 workers ${perState(r.w2)}; TLC (-Xmx${TLC_HEAP_MB}m) 1 worker ${perState(r.tlc1)}, 2 workers ${perState(r.tlc2)}`);
    }
    for (const [file, model] of models) summary.push(await pinnedComparison(tools, dir, file, model, judge));
    if (process.env['MOMMIE_BENCH_TLC_LIVENESS'] === '1') {
      const spec = join(repoRoot(), 'specs', 'PrimaryBackup.mom');
      console.log(line('TwoClients (liveness): built-in, in process', await verify(spec, 'TwoClients')));
      console.log(line('TwoClients (liveness): TLC, 1 worker', await verify(spec, 'TwoClients', ['--engine', 'tlc', '--workers', '1'])));
      console.log(line('TwoClients (liveness): TLC, 2 workers', await verify(spec, 'TwoClients', ['--engine', 'tlc', '--workers', '2'])));
    }
    console.log(`summary (load now ${loadavg()[0]!.toFixed(2)}):`);
    for (const t of summary) console.log(`  ${t}`);
    console.log('  (wall time of each process: TLC\'s includes the JVM start-up and the translation to TLA+; the built-in checker\'s with workers includes starting them; TLC\'s peak RSS is the JVM\'s, sampled from /proc every 0.1 s)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * TLC on the module this commit writes for `model` and on the one the pinned
 * commit wrote, alternately, twice each (the median of two), 1 worker, the
 * same heap; TLC's own count of distinct states over its own reported time.
 */
async function pinnedComparison(tools: TlcTools, dir: string, file: string, model: string, judge: (ok: boolean) => string): Promise<string> {
  const current = join(dir, `current-${model}`);
  mkdirSync(current, { recursive: true });
  const cli = join(repoRoot(), 'dist', 'src', 'cli', 'main.js');
  const w = await execa(process.execPath, [cli, 'tla', file, '-m', model, '-o', current, '--no-sany', '--force'], { reject: false });
  if (w.exitCode !== 0) return `${model}: TLC on today's module vs pinned: could not write today's module (${String(w.stderr).slice(-200)})`;
  const pinned = join(dir, `pinned-${model}`);
  cpSync(join(repoRoot(), 'bench', 'fixtures', 'tlc-pinned'), pinned, { recursive: true });
  /** The MC module of `model` in `d` (its name carries the program's, which the scaled spec changes). */
  const mc = (d: string): string => readdirSync(d).find((f) => f.startsWith('MC_') && f.endsWith(`_${model}.tla`))?.replace(/\.tla$/, '') ?? '';
  const once = async (d: string): Promise<{ distinct: number; perSecond: number } | string> => {
    const module = mc(d);
    if (module === '') return `no MC module for ${model} in ${d}`;
    const t0 = performance.now();
    const r = await runTlcProcess(tools, { cwd: d, module, config: `${module}.cfg`, metadir: join(d, `meta-${Math.random().toString(36).slice(2)}`), workers: 1, heapMB: TLC_HEAP_MB });
    const seconds = (performance.now() - t0) / 1000;
    if (isLeft(r.parsed)) return r.parsed.left.message;
    const distinct = r.parsed.right.statistics?.distinct ?? 0;
    return { distinct, perSecond: distinct / seconds };
  };
  const runs: { today: number[]; pinned: number[]; distinct: Set<number> } = { today: [], pinned: [], distinct: new Set() };
  for (let i = 0; i < 2; i++) {
    for (const [which, d] of [['today', current], ['pinned', pinned]] as const) {
      const r = await once(d);
      if (typeof r === 'string') return `${model}: TLC on today's module vs pinned: ${r}`;
      runs[which].push(r.perSecond);
      runs.distinct.add(r.distinct);
    }
  }
  const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const ratio = med(runs.today) / Math.max(1e-9, med(runs.pinned));
  const same = runs.distinct.size === 1 ? '' : ' (DIFFER: the two modules gave different distinct states)';
  const text = `${model}: TLC's distinct states/s on today's module over the module of ${PINNED_COMMIT}: x${ratio.toFixed(2)} (${Math.round(med(runs.today))} vs ${Math.round(med(runs.pinned))} states/s, wall, JVM start included) ${judge(ratio >= PINNED_FLOOR && same === '')}; floor x${PINNED_FLOOR}${same}`;
  console.log(`  ${text}`);
  return text;
}

