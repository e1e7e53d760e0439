// `mommie prove` stopped by SIGTERM (a CI job cancelled, `timeout`, a
// container stopping) cleans up as on Ctrl-C: tlapm's process group is
// stopped, the mommie-prove-* work directory is removed, the results so far
// are reported (exit 130). Run with a stand-in tlapm that answers --version
// and then sleeps with a child of its own, as tlapm does with its backends,
// so this runs wherever node does.

import { execa } from 'execa';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, ROOT } from './helpers/cli.js';

const STAND_IN = `#!/bin/sh
case "$1" in
  --version) echo "1.6.0-pre (stand-in)"; exit 0 ;;
  --where|--help) exit 0 ;;
esac
sleep 600 &
echo "$$ $!" > "$PIDS"
wait
`;

/** Alive and not a zombie waiting to be reaped. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('mommie prove and SIGTERM', () => {
  it('removes its work directory and stops tlapm and its children; exit 130', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'mommie-prove-sigterm-'));
    const tlapm = join(tmp, 'tlapm');
    const pidFile = join(tmp, 'pids');
    writeFileSync(tlapm, STAND_IN);
    chmodSync(tlapm, 0o755);
    let pids: number[] = [];
    try {
      const child = execa('node', [CLI, 'prove', 'specs/PrimaryBackup.mom', '--tlapm', tlapm, '--no-typeok'], {
        cwd: ROOT,
        reject: false,
        timeout: 60_000,
        env: { TMPDIR: tmp, XDG_CACHE_HOME: tmp, PIDS: pidFile, NO_COLOR: '1' },
      });
      for (let i = 0; i < 300 && !existsSync(pidFile); i++) await sleep(100);
      pids = readFileSync(pidFile, 'utf8').trim().split(/\s+/).map(Number);
      expect(pids).toHaveLength(2);
      expect(readdirSync(tmp).filter((f) => f.startsWith('mommie-prove-'))).toHaveLength(1);

      child.kill('SIGTERM');
      const r = await child;
      expect(r.exitCode).toBe(130);
      expect(String(r.stderr)).toContain('SIGTERM received: stopping tlapm');
      expect(String(r.stdout)).toContain('interrupted');
      expect(readdirSync(tmp).filter((f) => f.startsWith('mommie-prove-'))).toEqual([]);
      // The group was sent SIGTERM, then SIGKILL after its grace period: give the kernel a moment.
      for (let i = 0; i < 50 && pids.some(alive); i++) await sleep(100);
      expect(pids.filter(alive)).toEqual([]);
    } finally {
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Gone, as it should be.
        }
      }
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 90_000);
});
