// One simulated run of the cost bench's workload (PBFTCounter, HMAC +
// BATCH(16, 2ms), 8 clients x 16, invariants off) in a fresh process, for
// instruction counting under valgrind (bench/instructions.ts): prints
// `delivered N completed M` on stdout. The deploy file's constants are those
// of an 800-request run whatever N is, so that runs of different lengths
// differ only in their requests.
//
//   node dist/bench/instructions-child.js REQUESTS [--reference]

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkFile } from '../src/analysis/frontend.js';
import { configs, deployText } from './optimizations.js';
import { simSetup } from './sim-setup.js';
import { repoRoot } from './stats.js';

async function main(): Promise<void> {
  const requests = Number(process.argv[2] ?? 100);
  const reference = process.argv.includes('--reference');
  const dir = process.env.MOMMIE_BENCH_SPECS ?? join(repoRoot(), 'specs');
  const checked = checkFile(join(dir, 'PBFTCounter.mom'));
  if (!checked.ok || checked.program === undefined) throw new Error('specs/PBFTCounter.mom does not check');
  const best = configs('PBFTCounter').find((c) => c.name.startsWith('best'))!;
  const tmp = mkdtempSync(join(tmpdir(), 'mommie-bench-instr-'));
  try {
    const deployPath = join(tmp, 'PBFTCounter.deploy');
    writeFileSync(deployPath, deployText('PBFTCounter', best, 31000, 800)!);
    const setup = await simSetup(checked.program, deployPath, 8);
    const r = setup.run(requests, undefined, reference);
    const delivered = r.nodes.reduce((k, n) => k + n.stats.delivered, 0);
    console.log(`delivered ${delivered} completed ${r.completed}`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
