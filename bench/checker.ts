// Built-in model checker figures: distinct states per second and peak memory
// on a model of specs/PrimaryBackup.mom scaled past 100,000 distinct states,
// and the distinct-state count of its symmetric model with and without
// symmetry reduction. Each run is a separate `mommie verify` process, so
// its peak RSS is its own.

import { execa } from 'execa';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, section } from './stats.js';

interface Run {
  readonly distinct: number;
  readonly generated: number;
  readonly depth: number;
  readonly seconds: number;
  readonly statesPerSecond: number;
  readonly peakRssMB: number;
  readonly verdicts: string;
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

export async function verify(file: string, model: string, extra: readonly string[] = [], env?: Record<string, string>): Promise<Run> {
  const cli = join(repoRoot(), 'dist', 'src', 'cli', 'main.js');
  const r = await execa('node', [cli, 'verify', file, '-m', model, '--json', '-q', ...extra], { reject: false, ...(env ? { env } : {}) });
  const json = JSON.parse(String(r.stdout)) as { models: { stats: Omit<Run, 'verdicts'>; properties: { name: string; verdict: string }[] }[] };
  const m = json.models[0]!;
  return { ...m.stats, verdicts: m.properties.map((p) => `${p.name} ${p.verdict}`).join(', ') };
}

export function line(label: string, r: Run): string {
  return `${label.padEnd(34)} ${String(r.distinct).padStart(9)} distinct  ${String(r.generated).padStart(10)} generated  depth ${String(r.depth).padStart(3)}  ${r.seconds.toFixed(2).padStart(7)} s  ${String(r.statesPerSecond).padStart(7)} states/s  peak RSS ${r.peakRssMB > 0 ? `${r.peakRssMB} MB` : 'n/a'}`;
}

export async function runCheckerBench(): Promise<void> {
  section('built-in model checker (mommie verify)');
  const dir = mkdtempSync(join(tmpdir(), 'mommie-bench-'));
  try {
    const spec = join(repoRoot(), 'specs', 'PrimaryBackup.mom');
    const scaled = join(dir, 'PrimaryBackupScaled.mom');
    writeFileSync(scaled, readFileSync(spec, 'utf8') + SCALED);
    const big = await verify(scaled, 'BenchScaled');
    console.log(line('PrimaryBackup BenchScaled', big));
    console.log(`  verdicts: ${big.verdicts}`);
    console.log(`  target: at least 100,000 distinct states: ${big.distinct >= 100_000 ? 'PASS' : 'FAIL'}`);
    const sym = await verify(spec, 'TwoClients');
    const noSym = await verify(spec, 'TwoClients', ['--no-symmetry']);
    console.log(line('PrimaryBackup TwoClients, SYMMETRY C', sym));
    console.log(line('PrimaryBackup TwoClients, no symmetry', noSym));
    console.log(`  symmetry reduction: ${noSym.distinct} -> ${sym.distinct} distinct states (x${(noSym.distinct / Math.max(1, sym.distinct)).toFixed(2)}); verdicts ${sym.verdicts === noSym.verdicts ? 'equal' : 'DIFFER'}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
