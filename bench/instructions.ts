// Instructions per delivered statement (issue 24 item 1), the measure that
// stays repeatable on a loaded machine: the cost bench's workload run in a
// fresh process under `valgrind --tool=callgrind node --single-threaded`
// (single-threaded so that V8's compiler and collector work on the main
// thread and are counted the same way every time), once with a short run and
// once with a long one; the difference of their instruction counts over the
// difference of their deliveries is the marginal cost of a delivered
// statement, cold (compilation included), as a fresh process pays it. Two
// runs of one build differ by about 0.2%.
//
//   MOMMIE_BENCH_INSTR_REQUESTS   the long run's requests (default 100; the short one is 16)
//   MOMMIE_BENCH_INSTR_REFERENCE  also measure the interpreter (--reference) when set to 1
//   MOMMIE_BENCH_INSTR_KEEP       keep the callgrind.out files in this directory (callgrind_annotate reads them)

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { repoRoot, section } from './stats.js';

interface Counted {
  readonly instructions: number;
  readonly delivered: number;
}

async function counted(requests: number, outDir: string, reference: boolean): Promise<Counted | string> {
  const child = join(repoRoot(), 'dist', 'bench', 'instructions-child.js');
  const out = join(outDir, `callgrind.out.${reference ? 'reference.' : ''}${requests}`);
  const r = await execa('valgrind', ['--tool=callgrind', `--callgrind-out-file=${out}`, 'node', '--single-threaded', '--hash-seed=1', '--random-seed=1', child, String(requests), ...(reference ? ['--reference'] : [])], { reject: false });
  if (r.exitCode !== 0) return `valgrind exited ${r.exitCode}: ${String(r.stderr).split('\n').slice(-3).join(' ')}`;
  const ir = /Collected : (\d+)/.exec(String(r.stderr));
  const d = /delivered (\d+)/.exec(String(r.stdout));
  if (ir === null || d === null) return 'no instruction count or delivery count in the output';
  return { instructions: Number(ir[1]), delivered: Number(d[1]) };
}

export async function runInstructionsBench(): Promise<void> {
  section(`instructions: callgrind instructions per delivered statement (issue 24 item 1; repeatable under load), load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const which = await execa('valgrind', ['--version'], { reject: false });
  if (which.exitCode !== 0) {
    console.log('valgrind is not installed: not measured');
    return;
  }
  const long = Number(process.env.MOMMIE_BENCH_INSTR_REQUESTS ?? 100);
  const keep = process.env.MOMMIE_BENCH_INSTR_KEEP;
  const dir = keep !== undefined && keep !== '' ? keep : mkdtempSync(join(tmpdir(), 'mommie-bench-instr-'));
  mkdirSync(dir, { recursive: true });
  try {
    for (const reference of process.env.MOMMIE_BENCH_INSTR_REFERENCE === '1' ? [false, true] : [false]) {
      const a = await counted(16, dir, reference);
      const b = await counted(long, dir, reference);
      if (typeof a === 'string' || typeof b === 'string') {
        console.log(`${reference ? '--reference' : 'compiled'}: not measured: ${typeof a === 'string' ? a : b}`);
        continue;
      }
      const per = (b.instructions - a.instructions) / Math.max(1, b.delivered - a.delivered);
      console.log(`PBFTCounter, HMAC + BATCH(16, 2ms), simulated, ${long} requests minus 16, ${reference ? '--reference' : 'compiled core'}: ${(per / 1e6).toFixed(3)} M instructions per delivered statement (${b.delivered - a.delivered} deliveries; ${(a.instructions / 1e9).toFixed(2)} and ${(b.instructions / 1e9).toFixed(2)} G in all)`);
    }
  } finally {
    if (keep === undefined || keep === '') rmSync(dir, { recursive: true, force: true });
  }
}
