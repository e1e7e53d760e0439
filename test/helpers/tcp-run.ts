// What the TCP run tests need around the built CLI: free loopback ports, a
// deploy file rewritten to use them, key files, and ways to watch and stop
// the processes of a run.

import { execa, type ResultPromise } from 'execa';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { CLI, mommie, ROOT } from './cli.js';

/** Ports that were free a moment ago: each bound to port 0 by the kernel, then released. */
export async function freePorts(n: number): Promise<number[]> {
  const servers: Server[] = [];
  const ports: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = createServer();
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve()));
    servers.push(s);
    const a = s.address();
    if (typeof a === 'object' && a !== null) ports.push(a.port);
  }
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  return ports;
}

/** specs/NAME.deploy with every address replaced by a free loopback port; the nodes' ports by name. */
export async function tempDeploy(spec: string, dir: string): Promise<{ path: string; ports: Map<string, number> }> {
  return deployOnFreePorts(readFileSync(join(ROOT, 'specs', `${spec}.deploy`), 'utf8'), join(dir, `${spec}.deploy`));
}

/** Writes deploy-file `text` to `path` with every node's address replaced by a free loopback port; the nodes' ports by name. */
export async function deployOnFreePorts(text: string, path: string): Promise<{ path: string; ports: Map<string, number> }> {
  const lines = [...text.matchAll(/^(\w+)\s*=\s*127\.0\.0\.1:\d+/gm)];
  const ports = await freePorts(lines.length);
  const byNode = new Map<string, number>();
  let i = 0;
  const out = text.replace(/^(\w+)(\s*=\s*)127\.0\.0\.1:\d+/gm, (_m, node: string, eq: string) => {
    const p = ports[i++]!;
    byNode.set(node, p);
    return `${node}${eq}127.0.0.1:${p}`;
  });
  writeFileSync(path, out);
  return { path, ports: byNode };
}

export async function makeKeys(deploy: string, dir: string): Promise<void> {
  const r = await mommie(['keys', deploy, '-o', dir]);
  if (r.exitCode !== 0) throw new Error(`mommie keys failed: ${r.stderr}`);
}

export type Run = ResultPromise<{ cwd: string; reject: false; env: Record<string, string>; all: true; timeout: number; killSignal: 'SIGKILL' }>;

/** `mommie ARGS` in the background (the caller awaits it, or signals it). */
export function startMommie(args: readonly string[], timeoutMs = 90_000): Run {
  return execa('node', [CLI, ...args], { cwd: ROOT, reject: false, env: { NO_COLOR: '1' }, all: true, timeout: timeoutMs, killSignal: 'SIGKILL' });
}

/** Processes whose command line contains `marker` (pgrep -f), other than pgrep itself. */
export async function pids(marker: string): Promise<number[]> {
  const r = await execa('pgrep', ['-f', '--', marker], { reject: false });
  return String(r.stdout).split('\n').filter((l) => l.trim() !== '').map(Number);
}

/** Lines of a node's log that are fires of `transition` (0 while the log does not exist). */
export function fires(log: string, transition: string): number {
  if (!existsSync(log)) return 0;
  return readFileSync(log, 'utf8').split('\n').filter((l) => l.includes('"k":"fire"') && l.includes(`"t":"${transition}"`)).length;
}

export async function until(what: string, cond: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
