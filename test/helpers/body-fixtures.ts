// Body-program fixtures (test/fixtures/bodies/NAME) built and run as a user
// would: copied to a scratch directory (the build writes mommie.ts beside
// them), `mommie build` on specs/PrimaryBackup.mom, `mommie run` on it.
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mommie, ROOT, type CliRun } from './cli.js';

export const PB = join(ROOT, 'specs', 'PrimaryBackup.mom');
export const PB_DEPLOY = join(ROOT, 'specs', 'PrimaryBackup.deploy');

export class Scratch {
  readonly dir = mkdtempSync(join(tmpdir(), 'mommie-bodies-'));

  /** A copy of test/fixtures/bodies/NAME (the body programs are shown as NAME/...). */
  fixture(name: string): string {
    cpSync(join(ROOT, 'test', 'fixtures', 'bodies', name), join(this.dir, name), { recursive: true });
    return name;
  }

  /** `file:line:` of the first line of NAME/FILE containing `needle` (the column is V8's: an operator's, a call's). */
  line(name: string, file: string, needle: string): string {
    const lines = readFileSync(join(this.dir, name, file), 'utf8').split('\n');
    const i = lines.findIndex((l) => l.includes(needle));
    if (i < 0) throw new Error(`${needle} is not in ${name}/${file}`);
    return `${name}/${file}:${i + 1}:`;
  }

  /** Where NAME/FILE's body program for `transition` starts, as the run names it. */
  method(name: string, file: string, transition: string): string {
    return `${this.line(name, file, `${transition}(ctx)`)}3`;
  }

  build(name: string, extra: readonly string[] = []): Promise<CliRun> {
    return mommie(['build', PB, '--bodies', name, '-o', `out-${name}`, ...extra], { cwd: this.dir });
  }

  /** `mommie run` of the build of NAME on the simulated network, 2 requests. */
  runSim(name: string, extra: readonly string[] = []): Promise<CliRun> {
    return mommie(['run', PB, '--deploy', PB_DEPLOY, '--network', 'sim', '--requests', '2', '--stall', '5000', '--build', `out-${name}`, ...extra], { cwd: this.dir });
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
