// Issue 21, item 14: each node has its own instance of the body modules on
// the simulated network, as each TCP node process has, so a body program
// that keeps state in module variables (in its role module, and in a helper
// it imports) behaves alike on both networks. With one instance shared by all
// simulated nodes, the replicas' counts and the clients' lists would mix, and
// --assert would report them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { mommie } from './helpers/cli.js';
import { PB, Scratch } from './helpers/body-fixtures.js';
import { makeKeys, tempDeploy } from './helpers/tcp-run.js';

let s: Scratch;
beforeAll(() => {
  s = new Scratch();
});
afterAll(() => s.remove());

describe('module state in body programs', () => {
  it('on the simulated network every node has its own modules: no violation, and the logs replay', async () => {
    const dir = s.fixture('PBModuleState');
    expect((await s.build(dir, ['--assert'])).exitCode).toBe(0);
    for (const seed of ['1', '2']) {
      const r = await s.runSim(dir, ['--assertions', 'stop', '--seed', seed, '--trace', `trace-sim-${seed}`]);
      expect(r.stderr).toMatch(/assertions \(stop\): [1-9]\d* steps of body programs compared with their body specs, 0 violations/);
      expect(r.stderr).not.toContain('MOM702');
      expect(r.stdout).toContain('requests: 2 of 2 completed');
      expect(r.stdout).toMatch(/r4 \(Replica\): fired Execute×2\n\s+state: nextSeqNo = 0, executeSeqNo = 2,/);
      expect(r.exitCode).toBe(0);
      const rep = await mommie(['replay', PB, `trace-sim-${seed}`], { cwd: s.dir });
      expect(rep.exitCode, rep.stderr).toBe(0);
    }
  });

  it('over TCP (one process per node) the same build gives the same outcome', async () => {
    const dir = s.fixture('PBModuleState');
    expect((await s.build(dir, ['--assert'])).exitCode).toBe(0);
    const deploy = await tempDeploy('PrimaryBackup', s.dir);
    await makeKeys(deploy.path, join(s.dir, 'keys'));
    const r = await mommie(['run', PB, '--deploy', deploy.path, '--keys', 'keys', '--build', `out-${dir}`, '--assertions', 'stop', '--requests', '2', '--timeout', '60000', '--trace', 'trace-tcp'], { cwd: s.dir, timeoutMs: 90_000 });
    expect(r.stdout).toContain('requests: 2 of 2 completed');
    expect(r.stdout).toMatch(/r4 \(Replica\): fired Execute×2\n\s+state: nextSeqNo = 0, executeSeqNo = 2,/);
    expect(r.stderr).not.toContain('MOM702');
    expect(r.exitCode).toBe(0);
  });
});
