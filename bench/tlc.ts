// Built-in checker vs TLC on the same models: wall time and distinct states/s,
// TLC with one worker and with every core. Runs only where TLC is installed
// (TLA2TOOLS_JAR or `mommie tools install`); says so otherwise.

import { isLeft } from 'fp-ts/lib/Either.js';
import { cpus, tmpdir } from 'node:os';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveTlc } from '../src/tools/resolve.js';
import { line, SCALED, verify } from './checker.js';
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
    const spec = join(repoRoot(), 'specs', 'PrimaryBackup.mom');
    const scaled = join(dir, 'PrimaryBackupScaled.mom');
    writeFileSync(scaled, readFileSync(spec, 'utf8') + SCALED);
    const all = String(cpus().length);
    for (const [file, model] of [[spec, 'TwoClients'], [scaled, 'BenchScaled']] as const) {
      console.log(line(`${model}: built-in`, await verify(file, model)));
      console.log(line(`${model}: TLC, 1 worker`, await verify(file, model, ['--engine', 'tlc', '--workers', '1'])));
      console.log(line(`${model}: TLC, ${all} workers`, await verify(file, model, ['--engine', 'tlc', '--workers', all])));
    }
    console.log('  (TLC times include JVM start-up and, for TwoClients, liveness checking; TLC\'s peak RSS is the JVM\'s, sampled from /proc every 0.1 s)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
