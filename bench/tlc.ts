// Built-in checker vs TLC on the same safety-only models in one run (issue 13
// item 5): distinct states/s of the built-in checker in process, with one
// worker thread and with two, and of TLC with one worker and with two, and
// the ratios at equal workers against the 2x target. Every row carries the
// load average when it ended (the machine is shared; compare ratios within
// one run). Runs only where TLC is installed (TLA2TOOLS_JAR or `mommie tools
// install`); says so otherwise.
//
//   MOMMIE_BENCH_TLC_LIVENESS=1   also PrimaryBackup TwoClients (liveness),
//                                 in process against TLC

import { isLeft } from 'fp-ts/lib/Either.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveTlc } from '../src/tools/resolve.js';
import { line, scaledSpec, verify, type Run } from './checker.js';
import { repoRoot, section } from './stats.js';

export async function runTlcBench(): Promise<void> {
  section('built-in checker vs TLC');
  const tlc = await resolveTlc();
  if (isLeft(tlc)) {
    console.log(`skipped: TLC is not available (${tlc.left.message.replace(/\.$/, '')}); set TLA2TOOLS_JAR or run 'mommie tools install'`);
    return;
  }
  console.log(`TLC: ${tlc.right.jar}`);
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
        tlc1: await verify(file, model, ['--engine', 'tlc', '--workers', '1']),
        tlc2: await verify(file, model, ['--engine', 'tlc', '--workers', '2']),
      };
      console.log(line(`${model}: built-in, in process`, r.inProcess));
      console.log(line(`${model}: built-in, 1 worker`, r.w1));
      console.log(line(`${model}: built-in, 2 workers`, r.w2));
      console.log(line(`${model}: TLC, 1 worker`, r.tlc1));
      console.log(line(`${model}: TLC, 2 workers`, r.tlc2));
      const same = new Set(Object.values(r).map((x: Run) => `${x.distinct} ${x.verdicts}`)).size === 1;
      if (!same) console.log('  DIFFER: the engines did not count the same states or give the same verdicts');
      const ratio = (a: Run, b: Run): number => a.statesPerSecond / Math.max(1, b.statesPerSecond);
      const verdict = (x: number): string => (x >= 2 ? 'PASS' : 'FAIL');
      const one = ratio(r.w1, r.tlc1);
      const best1 = Math.max(one, ratio(r.inProcess, r.tlc1));
      const two = ratio(r.w2, r.tlc2);
      const text = `${model}: built-in/TLC distinct states/s, 1 worker x${one.toFixed(2)} (in process x${ratio(r.inProcess, r.tlc1).toFixed(2)}) ${verdict(best1)}; 2 workers x${two.toFixed(2)} ${verdict(two)}; target x2`;
      summary.push(text);
      console.log(`  ${text}`);
      // Wall time on a loaded machine measures the neighbours; CPU seconds for the same state space do not.
      const cpu = (a: Run, b: Run): string => (a.cpuSeconds !== undefined && b.cpuSeconds !== undefined ? `x${(b.cpuSeconds / Math.max(a.cpuSeconds, 1e-3)).toFixed(2)}` : 'n/a');
      console.log(`  ${model}: TLC's CPU over the built-in checker's for the same states: 1 worker ${cpu(r.w1, r.tlc1)} (in process ${cpu(r.inProcess, r.tlc1)}), 2 workers ${cpu(r.w2, r.tlc2)}`);
    }
    if (process.env['MOMMIE_BENCH_TLC_LIVENESS'] === '1') {
      const spec = join(repoRoot(), 'specs', 'PrimaryBackup.mom');
      console.log(line('TwoClients (liveness): built-in, in process', await verify(spec, 'TwoClients')));
      console.log(line('TwoClients (liveness): TLC, 1 worker', await verify(spec, 'TwoClients', ['--engine', 'tlc', '--workers', '1'])));
      console.log(line('TwoClients (liveness): TLC, 2 workers', await verify(spec, 'TwoClients', ['--engine', 'tlc', '--workers', '2'])));
    }
    console.log('  (wall time of each process: TLC\'s includes the JVM start-up and the translation to TLA+; the built-in checker\'s with workers includes starting them; TLC\'s peak RSS is the JVM\'s, sampled from /proc every 0.1 s)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
