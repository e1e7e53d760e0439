// What the TCP run tests need around the built CLI: free loopback ports, a
// deploy file rewritten to use them, key files, ways to watch and stop the
// processes of a run, and a whole checked run (runOverTcp).

import { expect } from 'vitest';
import { execa, type ResultPromise } from 'execa';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePorts } from '../../src/transport/free-ports.js';
import { CLI, mommie, ROOT, type CliRun } from './cli.js';

// The tests' ports come from the same place deploy-tune's do.
export { freePorts };

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

/** Kills (SIGKILL, by id) every process whose command line contains `marker`; the ids it found. */
export async function killAll(marker: string): Promise<number[]> {
  const left = await pids(marker);
  for (const p of left) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
  return left;
}

/** Connections the run's nodes refused for `reason`, summed over the report's nodes. */
export function refusals(rep: { readonly nodes: readonly { readonly tcp?: { readonly refused: Readonly<Record<string, number>> } }[] }, reason: string): number {
  return rep.nodes.reduce((sum, n) => sum + (n.tcp?.refused[reason] ?? 0), 0);
}

/** Lines of a node's log that are fires of `transition` (0 while the log does not exist). */
/** An attack process's totals: the JSON of the last line it printed. */
export function attackTotals<T>(stdout: unknown): T {
  const said = String(stdout).trim().split('\n');
  return JSON.parse(said[said.length - 1] ?? '{}') as T;
}

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

/** What the TCP run tests read of `mommie run --json`'s report. */
export interface TcpReport {
  readonly requests: { readonly asked: number; readonly started: number; readonly completed: number };
  readonly throughputPerS: number;
  readonly latencyMs: { readonly p50: number; readonly p99: number };
  readonly nodes: readonly {
    readonly node: string;
    readonly status: string;
    readonly dissemination?: { readonly relayRequests: number; readonly relayed: number; readonly escalations: number; readonly lazy: number; readonly batchWindows: number };
    readonly digest?: Readonly<Record<string, number>>;
  }[];
}

export interface TcpRunOptions {
  /** Key files for the deployment's nodes (`makeKeys`); they do not depend on the addresses. */
  readonly keys: string;
  readonly requests: number;
  /** `--clients K`: only the first K clients run. */
  readonly clients?: number;
  /** Requests each client keeps in flight (2). */
  readonly concurrency?: number;
  /** `--timeout` of the run (60 s); the command itself is killed 30 s later. */
  readonly timeoutMs?: number;
}

/**
 * `specs/SPEC.mom` over TCP, one process per node, with deploy-file `text`
 * put on free loopback ports in `dir`: the run exits 0 with every request it
 * started completed, every node that ran left a log, `mommie replay` accepts
 * the logs, and no process of the run is left (any found is killed, by its
 * id, and the test fails). A run that could not start because a port was
 * taken meanwhile, or because its nodes were not listening within the
 * supervisor's 30 s (twelve processes loading at a load average of 25 on
 * two cores), is tried once more, on other ports. The report.
 */
export async function runOverTcp(spec: string, text: string, dir: string, opts: TcpRunOptions): Promise<TcpReport> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  for (let attempt = 1; ; attempt++) {
    const sub = join(dir, `tcp-${attempt}`);
    const { path: deploy } = await deployOnFreePorts(text, `${sub}.deploy`);
    const traces = join(sub, 'traces');
    let r: CliRun;
    try {
      r = await mommie(
        ['run', `specs/${spec}.mom`, '--deploy', deploy, '--keys', opts.keys, '--requests', String(opts.requests), ...(opts.clients === undefined ? [] : ['--clients', String(opts.clients)]), '--concurrency', String(opts.concurrency ?? 2), '--trace', traces, '--timeout', String(timeoutMs), '--json'],
        { timeoutMs: timeoutMs + 30_000 },
      );
    } finally {
      const left = await pids(traces);
      for (const p of left) {
        try {
          process.kill(p, 'SIGKILL');
        } catch {
          // gone meanwhile
        }
      }
      expect(left, `${spec}: processes of the run left behind`).toEqual([]);
    }
    if (r.exitCode === 1 && attempt === 1 && /the port is already in use|did not start listening within/.test(r.stderr)) continue;
    expect(r.exitCode, `${spec} over TCP: ${r.stderr.slice(-3000)}`).toBe(0);
    const rep = JSON.parse(r.stdout) as TcpReport;
    expect(rep.requests.started, spec).toBeGreaterThan(0);
    expect(rep.requests.completed, spec).toBe(rep.requests.started);
    for (const n of rep.nodes.filter((x) => x.status === 'correct')) expect(existsSync(join(traces, `${n.node}.ndjson`)), `${spec}: ${n.node}'s log`).toBe(true);
    const replay = await mommie(['replay', `specs/${spec}.mom`, traces]);
    expect(replay.exitCode, `${spec} replay: ${replay.stdout}${replay.stderr}`).toBe(0);
    return rep;
  }
}

/**
 * At most `n` of the functions given run at once; the others wait their
 * turn. Lets a file run a few TCP runs side by side (much of a run is
 * waiting: processes starting, acks settling, stopping) without starting
 * every process at once on a small machine.
 */
export function limiter(n: number): <T>(f: () => Promise<T>) => Promise<T> {
  let free = n;
  const waiting: (() => void)[] = [];
  return async <T>(f: () => Promise<T>): Promise<T> => {
    if (free === 0) await new Promise<void>((resolve) => waiting.push(resolve));
    else free--;
    try {
      return await f();
    } finally {
      const next = waiting.shift();
      if (next === undefined) free++;
      else next();
    }
  };
}
