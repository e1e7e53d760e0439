// Built-in model checker figures: distinct states per second and peak memory
// on a model of specs/PrimaryBackup.mom scaled past 100,000 distinct states,
// the distinct-state count of its symmetric model with and without symmetry
// reduction, the parallel search (`--workers N`, issue 13 item 3) against
// one worker, and bytes per distinct state (item 4). Each run is a separate
// `mommie verify` process, so its peak RSS is its own; every figure is
// printed with the load average at the time (the machine is shared).
//
//   MOMMIE_BENCH_ROUNDS=N   rounds of the in-process / 1 worker / 2 workers
//                           comparison (default 2), run alternately
//   MOMMIE_BENCH_STATES=N   also run PrimaryBackup with four correct replicas
//                           and two clients, MaxOp = 1 (BenchBig) to N distinct states
//                           with 2 workers, and print its peak RSS against
//                           the 2 GB target (item 4; 10000000 takes about ten
//                           minutes on two quiet cores)

import { execa } from 'execa';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, section } from './stats.js';

export interface Run {
  readonly distinct: number;
  readonly generated: number;
  readonly depth: number;
  readonly seconds: number;
  readonly statesPerSecond: number;
  readonly peakRssMB: number;
  readonly verdicts: string;
  /** User + system CPU seconds of the process (GNU time), when /usr/bin/time exists. */
  readonly cpuSeconds?: number;
  /** The load average (1 min) when the run ended. */
  readonly load: number;
  readonly stderr: string;
}

export const SCALED = `
// Added by the bench: one client asking for two operations, one ordering slot.
MODEL BenchScaled {
  CRASH c2
  CONSTANT MaxOp = 1
  CONSTANT MaxSeq = 1
  CHECK ValidReplies, InOrder
}
`;

const TIME = '/usr/bin/time';

export async function verify(file: string, model: string, extra: readonly string[] = [], env?: Record<string, string>): Promise<Run> {
  const cli = join(repoRoot(), 'dist', 'src', 'cli', 'main.js');
  const args = [cli, 'verify', file, '-m', model, '--json', '-q', ...extra];
  const timed = existsSync(TIME);
  const r = timed
    ? await execa(TIME, ['-f', 'MOMMIE-CPU %U %S', process.execPath, ...args], { reject: false, ...(env ? { env } : {}) })
    : await execa(process.execPath, args, { reject: false, ...(env ? { env } : {}) });
  let json: { models: { stats: Omit<Run, 'verdicts' | 'load' | 'stderr'>; properties: { name: string; verdict: string }[] }[] };
  try {
    json = JSON.parse(String(r.stdout)) as typeof json;
  } catch {
    throw new Error(`mommie verify ${model} ${extra.join(' ')} printed no JSON (exit ${r.exitCode}): ${String(r.stderr).slice(-400)}`);
  }
  const m = json.models[0]!;
  const cpu = /MOMMIE-CPU ([\d.]+) ([\d.]+)/.exec(String(r.stderr));
  return {
    ...m.stats,
    verdicts: m.properties.map((p) => `${p.name} ${p.verdict}`).join(', '),
    ...(cpu !== null ? { cpuSeconds: Number(cpu[1]) + Number(cpu[2]) } : {}),
    load: loadavg()[0]!,
    stderr: String(r.stderr),
  };
}

export function line(label: string, r: Run): string {
  const cpu = r.cpuSeconds !== undefined ? `  CPU ${r.cpuSeconds.toFixed(1).padStart(6)} s` : '';
  return `${label.padEnd(34)} ${String(r.distinct).padStart(9)} distinct  ${String(r.generated).padStart(10)} generated  depth ${String(r.depth).padStart(3)}  ${r.seconds.toFixed(2).padStart(7)} s  ${String(r.statesPerSecond).padStart(7)} states/s  peak RSS ${r.peakRssMB > 0 ? `${r.peakRssMB} MB` : 'n/a'}${cpu}  load ${r.load.toFixed(1)}`;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const k = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[k]! : (s[k - 1]! + s[k]!) / 2;
};

export function scaledSpec(dir: string): string {
  const scaled = join(dir, 'PrimaryBackupScaled.mom');
  writeFileSync(scaled, readFileSync(join(repoRoot(), 'specs', 'PrimaryBackup.mom'), 'utf8') + SCALED);
  return scaled;
}

export async function runCheckerBench(): Promise<void> {
  section('built-in model checker (mommie verify)');
  const dir = mkdtempSync(join(tmpdir(), 'mommie-bench-'));
  try {
    const spec = join(repoRoot(), 'specs', 'PrimaryBackup.mom');
    const scaled = scaledSpec(dir);
    const big = await verify(scaled, 'BenchScaled');
    console.log(line('PrimaryBackup BenchScaled', big));
    console.log(`  verdicts: ${big.verdicts}`);
    console.log(`  target: at least 100,000 distinct states: ${big.distinct >= 100_000 ? 'PASS' : 'FAIL'}`);
    const sym = await verify(spec, 'TwoClients');
    const noSym = await verify(spec, 'TwoClients', ['--no-symmetry']);
    console.log(line('PrimaryBackup TwoClients, SYMMETRY C', sym));
    console.log(line('PrimaryBackup TwoClients, no symmetry', noSym));
    console.log(`  symmetry reduction: ${noSym.distinct} -> ${sym.distinct} distinct states (x${(noSym.distinct / Math.max(1, sym.distinct)).toFixed(2)}); verdicts ${sym.verdicts === noSym.verdicts ? 'equal' : 'DIFFER'}`);
    const runs = await parallelBench(scaled);
    await memoryBench(scaled, spec, runs);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

type Engine = 'in process' | '1 worker' | '2 workers';
const ENGINES: readonly { readonly name: Engine; readonly args: readonly string[] }[] = [
  { name: 'in process', args: [] },
  { name: '1 worker', args: ['--workers', '1'] },
  { name: '2 workers', args: ['--workers', '2'] },
];

/** Item 3: BenchScaled in process, with one worker thread and with two, in alternating rounds. */
async function parallelBench(scaled: string): Promise<Map<Engine, Run[]>> {
  const rounds = Math.max(1, Number(process.env['MOMMIE_BENCH_ROUNDS'] ?? 2));
  console.log(`\nparallel search (--workers), BenchScaled, safety only, ${rounds} alternating round(s):`);
  const runs = new Map<Engine, Run[]>(ENGINES.map((e) => [e.name, []]));
  const pairs: number[] = [];
  for (let k = 0; k < rounds; k++) {
    for (const e of ENGINES) {
      const r = await verify(scaled, 'BenchScaled', e.args);
      runs.get(e.name)!.push(r);
      console.log(line(`  round ${k + 1}, ${e.name}`, r));
    }
    // What two cores give at best: two independent one-worker searches at once, against one alone.
    const started = Date.now();
    const pair = await Promise.all([verify(scaled, 'BenchScaled', ['--workers', '1']), verify(scaled, 'BenchScaled', ['--workers', '1'])]);
    const pairSeconds = (Date.now() - started) / 1000;
    pairs.push(pairSeconds);
    console.log(`  round ${k + 1}, two 1-worker searches at once: ${pairSeconds.toFixed(2)} s for both (${pair.map((r) => r.seconds.toFixed(2)).join(' s and ')} s each)  load ${pair[1]!.load.toFixed(1)}`);
  }
  const counts = new Set(ENGINES.flatMap((e) => runs.get(e.name)!.map((r) => `${r.distinct}/${r.generated}/${r.verdicts}`)));
  console.log(`  distinct, generated and verdicts ${counts.size === 1 ? 'equal in every run' : `DIFFER: ${[...counts].join(' | ')}`}`);
  const med = (e: Engine, f: (r: Run) => number): number => median(runs.get(e)!.map(f));
  for (const e of ENGINES) {
    const cpu = runs.get(e.name)!.every((r) => r.cpuSeconds !== undefined) ? `, CPU ${med(e.name, (r) => r.cpuSeconds!).toFixed(1)} s` : '';
    console.log(`  median ${e.name.padEnd(10)} ${med(e.name, (r) => r.seconds).toFixed(2)} s wall, ${Math.round(med(e.name, (r) => r.statesPerSecond))} states/s${cpu}, load ${med(e.name, (r) => r.load).toFixed(1)}`);
  }
  const speedup = med('1 worker', (r) => r.seconds) / med('2 workers', (r) => r.seconds);
  const loads = [...runs.values()].flat().map((r) => r.load);
  console.log(`  speedup, 2 workers over 1 (median wall): x${speedup.toFixed(2)}; target x1.7 on two idle cores: ${speedup >= 1.7 ? 'PASS' : 'FAIL'} (load average ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)} on ${2} cores during the runs)`);
  // Two searches that share nothing bound what any parallel search gets from this machine's two cores.
  const ceiling = (2 * med('1 worker', (r) => r.seconds)) / median(pairs);
  console.log(`  this machine's ceiling: two independent 1-worker searches at once do x${ceiling.toFixed(2)} the work of one in the same time; 2 workers reach ${((100 * speedup) / ceiling).toFixed(0)}% of it`);
  if (ENGINES.every((e) => runs.get(e.name)!.every((r) => r.cpuSeconds !== undefined))) {
    // On two idle cores the wall time of 2 workers is at least their CPU time / 2: the CPU they add bounds the speedup.
    const extra = med('2 workers', (r) => r.cpuSeconds!) / med('1 worker', (r) => r.cpuSeconds!);
    console.log(`  CPU of 2 workers over 1: x${extra.toFixed(2)}, so on two idle cores the speedup is at most x${(2 / extra).toFixed(2)}`);
  }
  console.log(`  2 workers over in process: x${(med('in process', (r) => r.seconds) / med('2 workers', (r) => r.seconds)).toFixed(2)}`);
  return runs;
}

/** Item 4: bytes per distinct state, from peak RSS above a baseline run of the same engine that stops at one state. */
async function memoryBench(scaled: string, spec: string, runs: Map<Engine, Run[]>): Promise<void> {
  console.log('\nmemory per distinct state ((peak RSS - the same engine\'s peak RSS at --max-states 1) / distinct):');
  const target = 10_000_000;
  const rows: { label: string; run: Run; base: Run }[] = [];
  for (const e of ENGINES) {
    const run = runs.get(e.name)!.reduce((a, b) => (b.peakRssMB > a.peakRssMB ? b : a));
    rows.push({ label: `BenchScaled, safety, ${e.name}`, run, base: await verify(scaled, 'BenchScaled', [...e.args, '--max-states', '1']) });
  }
  // The liveness graph (successor lists and predicate values) is kept only in process.
  rows.push({ label: 'TwoClients, liveness graph, in process', run: await verify(spec, 'TwoClients'), base: await verify(spec, 'TwoClients', ['--max-states', '1']) });
  for (const { label, run, base } of rows) {
    const perState = ((run.peakRssMB - base.peakRssMB) * 2 ** 20) / Math.max(1, run.distinct);
    const extrapolated = (base.peakRssMB * 2 ** 20 + perState * target) / 2 ** 30;
    const table = /fingerprint table ([\d.]+) MiB \((\d+) slots\), levels' packed states at most ([\d.]+) MiB/.exec(run.stderr);
    const parts = table !== null ? `; table ${table[1]} MiB, levels ${table[3]} MiB` : '';
    console.log(`  ${label.padEnd(40)} ${String(run.distinct).padStart(8)} distinct, peak RSS ${run.peakRssMB} MB (baseline ${base.peakRssMB} MB): ${Math.round(perState)} bytes/state${parts}; linear extrapolation to 10M states: ${extrapolated.toFixed(2)} GiB  load ${run.load.toFixed(1)}`);
  }
  console.log('  (an upper bound, not the target\'s verdict: per state, these small runs are mostly fixed costs, the table\'s share falls as it fills, and past --level-memory the levels spill to disk)');
  const states = Number(process.env['MOMMIE_BENCH_STATES'] ?? 0);
  if (Number.isInteger(states) && states > 0) await largeRun(spec, states);
  else console.log('  target 10M states within 2 GiB: decided by a real run, MOMMIE_BENCH_STATES=10000000 (about ten minutes on two quiet cores; last result in docs/benchmarks.md)');
}

export const BIG = `
// Added by the bench: four correct replicas, two clients that may each ask
// for operation 0 or 1, safety only (far more than 10M states).
MODEL BenchBig {
  CONSTANT MaxOp = 1
  SYMMETRY C
  CHECK ValidReplies, InOrder
}
`;

/** Item 4 as a real run: BenchBig to `states` distinct states, 2 workers, the default --level-memory. */
async function largeRun(spec: string, states: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mommie-bench-big-'));
  try {
    const big = join(dir, 'PrimaryBackupBig.mom');
    writeFileSync(big, readFileSync(spec, 'utf8') + BIG);
    const r = await verify(big, 'BenchBig', ['--workers', '2', '--max-states', String(states)]);
    console.log(line(`BenchBig, 2 workers, to ${states} states`, r));
    const note = /fingerprint table .*/.exec(r.stderr);
    if (note !== null) console.log(`  ${note[0]}`);
    const targetMB = 2 * 2 ** 10;
    const verdict = r.distinct < 10_000_000 ? 'not decided (fewer than 10M states)' : r.peakRssMB <= targetMB ? 'PASS' : 'FAIL';
    console.log(`  peak RSS ${r.peakRssMB} MB for ${r.distinct} distinct states (${Math.round((r.peakRssMB * 2 ** 20) / Math.max(1, r.distinct))} bytes/state, everything included); target 10M states within 2 GiB: ${verdict}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
