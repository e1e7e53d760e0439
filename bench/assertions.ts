// Assertion-instrumented builds, what they cost (issue 11, item 5): the
// replicated counter with its body programs (specs/bodies/PBCounter) on the
// simulated network, run with the body specs (no build), with the body
// programs, and with the body programs under --assert, in rounds that
// alternate the three so that a shared machine's load falls on each alike.
// Each run is its own `mommie run` process; the figure is its CPU time (user
// and system, from the child's rusage), and the ratio is of medians.
//
// Issue 21, item 13: every build counts loop iterations and calls of the
// user's code (build/bound-transform.ts), so the three runs include it; its
// own cost is measured first, in this process: a loop and a recursion
// compiled with and without the counting, ns per iteration and per call.
// MOMMIE_BENCH_ASSERT_ROUNDS=0 runs that part alone.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import ts from 'typescript';
import { workBoundTransformer } from '../src/build/bound-transform.js';
import { WorkBound } from '../src/build/work.js';
import { repoRoot, section } from './stats.js';

const REQUESTS = Number(process.env.MOMMIE_BENCH_ASSERT_REQUESTS ?? 800);
const ROUNDS = Number(process.env.MOMMIE_BENCH_ASSERT_ROUNDS ?? 3);
const TARGET = 1.2;

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
};

/** CPU seconds of one `mommie run`, read from GNU time's report on stderr. */
async function cpuOfRun(cli: string, args: readonly string[]): Promise<{ cpuS: number; violations: string }> {
  const r = await execa('/usr/bin/time', ['-f', 'MOMMIE-CPU %U %S', process.execPath, cli, ...args], { reject: false, cwd: repoRoot() });
  const m = /MOMMIE-CPU ([\d.]+) ([\d.]+)/.exec(String(r.stderr));
  if (r.exitCode !== 0 || m === null) throw new Error(`mommie run exited ${String(r.exitCode)}: ${String(r.stderr).trim().split('\n').slice(-2).join(' ')}`);
  const tally = /assertions?:[^\n]*/i.exec(String(r.stderr));
  return { cpuS: Number(m[1]) + Number(m[2]), violations: tally?.[0] ?? '' };
}

const WORK_SNIPPET = `
function loop(n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s = (s + i * 7) % 1000003;
  return s;
}
function fib(n: number): number {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}
`;

/** The snippet's functions compiled as mommie build compiles body programs, with or without the work bound. */
function compiled(counted: boolean): { loop(n: number): number; fib(n: number): number } {
  const out = ts.transpileModule(WORK_SNIPPET, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.None },
    fileName: 'snippet.ts',
    transformers: counted ? { before: [workBoundTransformer('', () => 'snippet.ts')] } : {},
  });
  return new Function(`${out.outputText}\nreturn { loop, fib };`)() as { loop(n: number): number; fib(n: number): number };
}

/** Median ns per unit of `run` over `reps` repetitions of `units` units. */
function nsPer(run: () => unknown, units: number, reps = 7): number {
  const t: number[] = [];
  for (let r = 0; r < reps; r++) {
    const start = process.hrtime.bigint();
    run();
    t.push(Number(process.hrtime.bigint() - start) / units);
  }
  return median(t);
}

function workBoundCost(): void {
  const bound = new WorkBound(Number.MAX_SAFE_INTEGER);
  bound.enter();
  const plain = compiled(false);
  const counted = compiled(true);
  const N = 10_000_000;
  const FIB = 27; // 317,811 calls
  const calls = 317_811 * 2 - 1;
  // Warm both up before timing.
  plain.loop(N / 10), counted.loop(N / 10), plain.fib(20), counted.fib(20);
  const rows = [
    ['loop iteration', nsPer(() => plain.loop(N), N), nsPer(() => counted.loop(N), N)],
    ['call', nsPer(() => plain.fib(FIB), calls), nsPer(() => counted.fib(FIB), calls)],
  ] as const;
  bound.leave();
  console.log('| work bound (issue 21, item 13) | plain ns | counted ns | added ns |');
  console.log('|---|---|---|---|');
  for (const [what, p, c] of rows) console.log(`| per ${what} | ${p.toFixed(2)} | ${c.toFixed(2)} | ${(c - p).toFixed(2)} |`);
  console.log('(a tight loop and fib(27), median of 7; the PBCounter runs below include the counting: one call per step there)\n');
}

export async function runAssertionsBench(): Promise<void> {
  section('assertions: the cost of the work bound every build adds (loops and calls counted)');
  workBoundCost();
  if (ROUNDS === 0) return;
  section(`assertions: PBCounter with body programs, ${REQUESTS} requests (8 clients × 4 in flight), simulated network; CPU of each run, ${ROUNDS} rounds`);
  const cli = join(repoRoot(), 'dist', 'src', 'cli', 'main.js');
  const dir = mkdtempSync(join(tmpdir(), 'mommie-bench-assert-'));
  try {
    const spec = join('specs', 'PBCounter.mom');
    const bodies = join('specs', 'bodies', 'PBCounter');
    for (const [out, extra] of [['plain', []], ['assert', ['--assert']]] as const) {
      const b = await execa(process.execPath, [cli, 'build', spec, '--bodies', bodies, '-o', join(dir, out), ...extra], { reject: false, cwd: repoRoot() });
      if (b.exitCode !== 0) throw new Error(`mommie build ${extra.join(' ')} exited ${String(b.exitCode)}: ${String(b.stderr).trim()}`);
    }
    const common = ['run', spec, '--deploy', join('specs', 'PBCounter.deploy'), '--network', 'sim', '--requests', String(REQUESTS), '--concurrency', '4'];
    const kinds = [
      { name: 'body specs (no build)', args: common },
      { name: 'body programs', args: [...common, '--build', join(dir, 'plain')] },
      { name: 'body programs with --assert', args: [...common, '--build', join(dir, 'assert')] },
    ];
    const cpu = kinds.map(() => [] as number[]);
    let tally = '';
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, k] of kinds.entries()) {
        const r = await cpuOfRun(cli, k.args);
        cpu[i]!.push(r.cpuS);
        if (i === 2) tally = r.violations;
      }
    }
    console.log('| bodies | CPU s per run | median | vs body programs |');
    console.log('|---|---|---|---|');
    const plain = median(cpu[1]!);
    kinds.forEach((k, i) => console.log(`| ${k.name} | ${cpu[i]!.map((x) => x.toFixed(2)).join(', ')} | ${median(cpu[i]!).toFixed(2)} | ${(median(cpu[i]!) / plain).toFixed(2)}× |`));
    const ratio = median(cpu[2]!) / plain;
    console.log(`\n--assert costs ${ratio.toFixed(2)}× the body programs' CPU (target <= ${TARGET}×: ${ratio <= TARGET ? 'PASS' : 'FAIL'})${tally === '' ? '' : `; ${tally.trim()}`}`);
    console.log('Each run includes loading and checking the program (the same in all three); the assertions run each body spec a second time on a copy of the pre-state and compare.');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
