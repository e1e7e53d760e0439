// The price of the log's durability policy (issue 22 item 6; docs/runtime.md
// "Durability"): PBFTCounter over TCP, 12 processes, with the default policy
// (fsync: one fdatasync per turn of a node's event loop that logged and
// sends, before what it sends leaves) and with `--log-sync none` (the page
// cache only), alternated so that both see the same machine. Not judged: it
// is a cost to know, not a target.

import { execa } from 'execa';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts } from '../src/transport/free-ports.js';
import { repoRoot, section } from './stats.js';

interface Report {
  readonly requests: { readonly completed: number };
  readonly throughputPerS: number;
  readonly latencyMs: { readonly p50: number; readonly p99: number };
  readonly nodes: readonly { readonly cpu?: { readonly userMs: number; readonly systemMs: number } }[];
}

const ROOT = repoRoot();
const CLI = join(ROOT, 'dist', 'src', 'cli', 'main.js');
const SPEC = join(ROOT, 'specs', 'PBFTCounter.mom');
const REQUESTS = 240;

async function deployOnFreePorts(dir: string): Promise<string> {
  const text = readFileSync(join(ROOT, 'specs', 'PBFTCounter.deploy'), 'utf8');
  const count = [...text.matchAll(/^\w+\s*=\s*127\.0\.0\.1:\d+/gm)].length;
  const ports = await freePorts(count);
  let i = 0;
  const path = join(dir, `PBFTCounter-${Date.now()}.deploy`);
  writeFileSync(path, text.replace(/^(\w+)(\s*=\s*)127\.0\.0\.1:\d+/gm, (_m, node: string, eq: string) => `${node}${eq}127.0.0.1:${ports[i++]!}`));
  return path;
}

async function once(dir: string, keys: string, policy: 'fsync' | 'none'): Promise<{ reqPerS: number; p50: number; p99: number; cpuMs: number } | string> {
  const deploy = await deployOnFreePorts(dir);
  const run = await execa('node', [CLI, 'run', SPEC, '--deploy', deploy, '--keys', keys, '--concurrency', '4', '--requests', String(REQUESTS), '--log-sync', policy, '--trace', mkdtempSync(join(dir, 'traces-')), '--timeout', '240000', '--json'], { reject: false });
  if (run.exitCode !== 0) return `exit ${run.exitCode}: ${String(run.stderr).split('\n').slice(-2).join(' ')}`;
  const r = JSON.parse(String(run.stdout)) as Report;
  const done = Math.max(1, r.requests.completed);
  const cpu = r.nodes.reduce((k, n) => k + (n.cpu === undefined ? 0 : n.cpu.userMs + n.cpu.systemMs), 0);
  return { reqPerS: r.throughputPerS, p50: r.latencyMs.p50, p99: r.latencyMs.p99, cpuMs: cpu / done };
}

export async function runDurabilityBench(): Promise<void> {
  section('durability of the log (node-log.ts, --log-sync)');
  const load = loadavg()[0]!;
  const dir = mkdtempSync(join(tmpdir(), 'mommie-bench-durability-'));
  try {
    const first = await deployOnFreePorts(dir);
    const keys = join(dir, 'keys');
    const k = await execa('node', [CLI, 'keys', first, '-o', keys], { reject: false });
    if (k.exitCode !== 0) return void console.log(`not measured: mommie keys: ${String(k.stderr)}`);
    console.log(`PBFTCounter over TCP (its deploy file: Ed25519 + HMAC, DIGEST), 8 clients x 4 in flight, ${REQUESTS} requests, logs on ${tmpdir()}; the two policies alternated, two runs each`);
    console.log('| log sync | run | req/s | p50 ms | p99 ms | CPU ms per request (node processes) |');
    console.log('|---|---|---|---|---|---|');
    const cpu: Record<string, number[]> = { fsync: [], none: [] };
    for (let round = 1; round <= 2; round++) {
      for (const policy of ['fsync', 'none'] as const) {
        const r = await once(dir, keys, policy);
        if (typeof r === 'string') {
          console.log(`| ${policy} | ${round} | not measured: ${r} | | | |`);
          continue;
        }
        cpu[policy]!.push(r.cpuMs);
        console.log(`| ${policy} | ${round} | ${r.reqPerS.toFixed(1)} | ${r.p50.toFixed(0)} | ${r.p99.toFixed(0)} | ${r.cpuMs.toFixed(2)} |`);
      }
    }
    const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
    if (cpu.fsync!.length > 0 && cpu.none!.length > 0) {
      console.log(`fsync costs ${(mean(cpu.fsync!) - mean(cpu.none!)).toFixed(2)} ms CPU per request over none (${((100 * (mean(cpu.fsync!) - mean(cpu.none!))) / mean(cpu.none!)).toFixed(0)}%)`);
    }
    console.log(`1-minute load ${load.toFixed(1)} at the start (${load <= 1.5 ? 'judged: the machine was quiet' : 'above 1.5: NOT JUDGED'})`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
