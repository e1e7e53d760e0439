// Issue 22 item 5: a deployment on several hosts, started node by node with a
// shared run identity, each node with its own key file and nothing else
// (`--keys FILE`). Two hosts on this machine: two network namespaces joined
// by a veth pair, made without root (`unshare -rn`); where the kernel does
// not allow that, the test says SKIPPED and why. Every process is killed by
// its id, found by the work directory in its command line.

import { afterAll, describe, expect, it } from 'vitest';
import { execa, execaSync } from 'execa';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, mommie, ROOT } from './helpers/cli.js';
import { fires, killAll } from './helpers/tcp-run.js';

const HOST_A = ['c1', 'r1', 'r2'];
const HOST_B = ['r3', 'r4'];

/** Why two network namespaces cannot be made here, or undefined when they can. */
function namespacesUnavailable(): string | undefined {
  const u = execaSync('unshare', ['-rn', 'true'], { reject: false });
  if (u.exitCode !== 0) return `unshare -rn (a network namespace without root) is not allowed here: ${String(u.stderr).trim() || `exit ${u.exitCode}`}`;
  const ip = execaSync('unshare', ['-rn', 'ip', 'link', 'add', 'va', 'type', 'veth', 'peer', 'name', 'vb'], { reject: false });
  if (ip.exitCode !== 0) return `no veth pair in a user network namespace (ip link add ... type veth): ${String(ip.stderr).trim() || `exit ${ip.exitCode}`}`;
  return undefined;
}

const unavailable = namespacesUnavailable();
if (unavailable !== undefined) console.log(`SKIPPED multi-host test: ${unavailable}`);

const dir = mkdtempSync(join(tmpdir(), 'mommie-multi-host-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a deployment on two hosts (network namespaces)', () => {
  it.skipIf(unavailable !== undefined)('started node by node with one run identity, each node holding only its own key file: the client completes its requests, every log names the run, the logs replay together', { timeout: 240_000 }, async () => {
    const program = join(ROOT, 'specs', 'PBCounter.mom');
    // The deploy file of both hosts: A at 10.77.0.1, B at 10.77.0.2 (fixed ports: each namespace has its own).
    const base = readFileSync(join(ROOT, 'specs', 'PBCounter.deploy'), 'utf8');
    const deploy = join(dir, 'two-hosts.deploy');
    writeFileSync(deploy, base.replace(/^(\w+)(\s*=\s*)127\.0\.0\.1:(\d+)/gm, (_m, n: string, eq: string, port: string) => `${n}${eq}10.77.0.${HOST_B.includes(n) ? 2 : 1}:${port}`));
    const keys = join(dir, 'keys');
    expect((await mommie(['keys', deploy, '-o', keys])).exitCode).toBe(0);
    const runId = join(dir, 'run-id');
    expect((await mommie(['run-id', deploy, '-o', runId])).exitCode).toBe(0);
    // Each node gets its own key file, and the directory of all of them is gone before anything starts.
    for (const n of [...HOST_A, ...HOST_B]) {
      mkdirSync(join(dir, `${n}-keys`));
      copyFileSync(join(keys, `${n}.keys.json`), join(dir, `${n}-keys`, `${n}.keys.json`));
      chmodSync(join(dir, `${n}-keys`, `${n}.keys.json`), 0o600);
    }
    rmSync(keys, { recursive: true });
    try {
      const r = await execa('unshare', ['-rn', 'bash', join(ROOT, 'test', 'fixtures', 'multi-host', 'two-hosts.sh'), CLI, program, deploy, runId, dir, '20'], { reject: false, all: true, timeout: 200_000, killSignal: 'SIGKILL' });
      const said = (n: string): string => readFileSync(join(dir, `${n}.out`), 'utf8');
      console.log(`two hosts: ${String(r.all).trim().split('\n').join('; ')}; c1: ${said('c1').trim().split('\n').slice(-2).join(' | ')}`);
      expect(r.exitCode, `${r.all}\n${said('c1')}`).toBe(0);
      for (const n of ['r1', 'r2', 'r3', 'r4']) expect(r.all, said(n)).toContain(`${n} exit 130`);
      expect(fires(join(dir, 'c1', 'c1.ndjson'), 'Accept')).toBeGreaterThan(0);
      // Host B's replicas took part: they delivered statements from host A.
      for (const n of HOST_B) expect(readFileSync(join(dir, n, `${n}.ndjson`), 'utf8')).toMatch(/"k":"deliver"/);
      const id = readFileSync(runId, 'utf8').trim();
      const all = join(dir, 'all');
      mkdirSync(all);
      for (const n of [...HOST_A, ...HOST_B]) {
        expect(readFileSync(join(dir, n, `${n}.ndjson`), 'utf8')).toContain(`"run":"${id}"`);
        copyFileSync(join(dir, n, `${n}.ndjson`), join(all, `${n}.ndjson`));
      }
      const replay = await mommie(['replay', program, all]);
      expect(replay.exitCode, replay.stdout + replay.stderr).toBe(0);
    } finally {
      expect(await killAll(dir)).toEqual([]);
    }
  });

  it('a full start refuses --keys FILE (it needs every node\'s key file); a node started alone with another node\'s file is refused', { timeout: 60_000 }, async () => {
    const { path } = { path: join(dir, 'loopback.deploy') };
    writeFileSync(path, readFileSync(join(ROOT, 'specs', 'PBCounter.deploy'), 'utf8'));
    const keys = join(dir, 'keys-loopback');
    expect((await mommie(['keys', path, '-o', keys])).exitCode).toBe(0);
    const full = await mommie(['run', join(ROOT, 'specs', 'PBCounter.mom'), '--deploy', path, '--keys', join(keys, 'r1.keys.json'), '--network', 'tcp', '--trace', join(dir, 'full')]);
    expect(full.exitCode).toBe(1);
    expect(full.stderr).toMatch(/is one key file: that is for a node started alone \(--node NAME\)/);
    const other = await mommie(['run', join(ROOT, 'specs', 'PBCounter.mom'), '--deploy', path, '--keys', join(keys, 'r1.keys.json'), '--network', 'tcp', '--node', 'r2', '--trace', join(dir, 'other'), '--timeout', '20000']);
    expect(other.exitCode).toBe(1);
    expect(other.stderr).toMatch(/r1/);
    expect(await killAll(join(dir, 'other'))).toEqual([]);
  });
});
