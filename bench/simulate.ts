// `verify --simulate` on every planted bug of specs/buggy (issue 27 item 5):
// seeds 1-5, at most 10,000 walks each; the target is that every bug is found
// under every seed. Prints walks and CPU to the first violation.

import { join } from 'node:path';
import { cpuUsage } from 'node:process';
import { loadavg } from 'node:os';
import { checkFile } from '../src/analysis/frontend.js';
import { simulateModel } from '../src/check/simulate.js';
import { repoRoot, section } from './stats.js';

const PLANTED: readonly { readonly file: string; readonly model: string }[] = [
  { file: 'specs/buggy/BrachaSmallAmplification.mom', model: 'ByzantineProcess' },
  { file: 'specs/buggy/PBFTUnsignedRequest.mom', model: 'ByzantinePrimary' },
  { file: 'specs/buggy/PrimaryBackupCrashedPrimary.mom', model: 'CrashedPrimary' },
  { file: 'specs/buggy/PrimaryBackupSmallQuorum.mom', model: 'ByzantineBackup' },
];
const SEEDS = [1, 2, 3, 4, 5];
const MAX_WALKS = 10_000;

export async function runSimulateBench(): Promise<void> {
  section(`simulation: planted bugs found by --simulate (seeds ${SEEDS[0]}-${SEEDS[SEEDS.length - 1]}, at most ${MAX_WALKS} walks each), load ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  console.log('| program | model | seed | found | walks | CPU s |');
  console.log('|---|---|---|---|---|---|');
  let missed = 0;
  for (const p of PLANTED) {
    const fe = checkFile(join(repoRoot(), p.file));
    if (!fe.ok || fe.program === undefined) throw new Error(`${p.file} does not check`);
    for (const seed of SEEDS) {
      const before = cpuUsage();
      const r = await simulateModel(fe.program, fe.source, p.model, { walks: MAX_WALKS, seed, deadlock: false, symmetry: true });
      const used = cpuUsage(before);
      const v = r.properties.find((x) => x.verdict === 'violated');
      const walk = /walk (\d+) of seed/.exec(v?.detail ?? '')?.[1] ?? '-';
      if (v === undefined) missed++;
      console.log(`| ${p.file.replace('specs/buggy/', '')} | ${p.model} | ${seed} | ${v?.name ?? 'NOTHING'} | ${walk} | ${((used.user + used.system) / 1e6).toFixed(2)} |`);
    }
  }
  console.log(`target: every planted bug found under every seed: ${missed === 0 ? 'PASS' : `FAIL (${missed} missed)`}`);
}
