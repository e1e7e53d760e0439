// Partial-order reduction over deliveries and fires (issue 27 item 3): the
// two models a designer writes first that were out of reach, checked with
// `--por` (every invariant and property, in process: properties need the
// whole graph), each against its target of 2 minutes of CPU; then the same
// models without reduction, stopped at a state limit, as a lower bound on
// the full state space. Every figure with the load average at its end (the
// machine is shared: CPU seconds are the comparable figure).
//
//   MOMMIE_BENCH_UNREDUCED_STATES=N   the state limit of the unreduced runs
//                                     (default 1000000; 0 skips them)

import { join } from 'node:path';
import { line, verify } from './checker.js';
import { repoRoot, section } from './stats.js';

const TARGETS: readonly { readonly file: string; readonly model: string; readonly what: string }[] = [
  { file: 'specs/all-correct/PBFTNormal.mom', model: 'TwoRequests', what: 'PBFT, 4 correct replicas, 1 client, 2 requests at 2 sequence numbers' },
  { file: 'specs/all-correct/PrimaryBackup.mom', model: 'TwoEach', what: 'primary-backup, 4 correct replicas, 2 clients with 2 requests each, SYMMETRY C' },
];

const CPU_TARGET_S = 120;

export async function runReductionBench(): Promise<void> {
  section('partial-order reduction over deliveries and fires (verify --por), issue 27 targets');
  const limit = Number(process.env['MOMMIE_BENCH_UNREDUCED_STATES'] ?? 1_000_000);
  for (const t of TARGETS) {
    const file = join(repoRoot(), t.file);
    console.log(`${t.file} ${t.model}: ${t.what}`);
    const r = await verify(file, t.model, ['--por', '--in-process']);
    console.log(line('  --por', r));
    console.log(`  verdicts: ${r.verdicts}`);
    const complete = r.verdicts.length > 0 && r.verdicts.split(', ').every((v) => v.endsWith(' holds'));
    const cpu = r.cpuSeconds;
    const within = cpu !== undefined && cpu < CPU_TARGET_S;
    const miss = cpu === undefined ? 'CPU not measured (no /usr/bin/time)' : within ? `${cpu.toFixed(1)} s CPU` : `${cpu.toFixed(1)} s CPU, ${(cpu - CPU_TARGET_S).toFixed(1)} s over`;
    console.log(`  target: every invariant and property checked in under ${CPU_TARGET_S} s of CPU: ${complete && within ? 'PASS' : 'FAIL'} (${complete ? 'all hold' : 'not all decided'}, ${miss}, ${r.distinct} distinct states, load ${r.load.toFixed(1)})`);
    if (limit > 0) {
      const full = await verify(file, t.model, ['--in-process', '--max-states', String(limit)]);
      console.log(line('  no reduction, state limit', full));
      const stopped = full.verdicts.includes('unknown');
      console.log(`  unreduced: ${stopped ? `more than ${full.distinct} distinct states (stopped at the limit, depth ${full.depth})` : `${full.distinct} distinct states (complete)`}; --por explored ${r.distinct}`);
    }
  }
}
