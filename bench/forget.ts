// `node dist/bench/run.js forget` (issue 23 item 7, first part): long
// simulated runs of the programs that forget, each in a child process started
// with --expose-gc (bench/forget-child.ts), and what they hold as they go:
// live heap after a forced collection at 10%, 50% and 100% of the requests,
// the runtime's own counts, and the CPU per request of the last tenth
// against the second. Each figure beside its target, PASS / FAIL / NOT JUDGED;
// then the same run of the program with its FORGET members taken out (the
// runtime keeps everything), for scale (runs of at most 10,000 requests:
// longer ones would only show the history filling memory). Then each
// program over TCP (bench/forget-tcp.ts): a replica crashed at 30%, another
// killed and restarted at 50%, resident sets, CPU per event and log sizes.
//
// FORGET_REQUESTS (default 100000) sets the simulated run's length,
// FORGET_TCP_REQUESTS (default 20000; 0: no TCP run) the TCP run's,
// FORGET_CHECKPOINT_EVERY (default 5000) its checkpoint interval in logged
// events; FORGET_PROGRAMS (default PBFTCounter,PBFTCheckpoint,PBCounter) the
// programs, comma-separated: an example's name, or a path without `.mom` to
// a program with a deploy file beside it. The judged figures need a quiet
// machine; the load is printed with each run.

import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { ForgetCounts, ForgetRun, ForgetSample } from './forget-child.js';
import { runForgetTcp } from './forget-tcp.js';
import { repoRoot, section } from './stats.js';

/** Counts may grow from the middle of the run to its end by at most this factor plus one window (16 requests x 8 clients). */
const GROWTH = 1.2;
const WINDOW = 16 * 8;

const COUNTS: readonly (readonly [keyof ForgetCounts, string])[] = [
  ['known', 'known statements (all nodes)'],
  ['clientKnown', 'known statements (busiest client)'],
  ['replicaKnown', 'known statements (busiest replica)'],
  ['indexEntries', 'index entries'],
  ['handled', 'handled instances'],
  ['pending', 'pending candidates'],
  ['outbox', 'outbox and link entries'],
  ['watermarks', 'forgetting\'s own (filed, droppable)'],
  ['heldDigests', 'held digests, kept authenticators, awaited countersignatures'],
  ['digestIndex', 'records indexed by digest (DIGEST; capped at 65,536 a node, not by the window)'],
];

function verdict(ok: boolean | undefined): string {
  return ok === undefined ? 'NOT JUDGED' : ok ? 'PASS' : 'FAIL';
}

function at(run: ForgetRun, p: number): ForgetSample | undefined {
  return run.samples.find((s) => s.at === p);
}

/**
 * CPU ms per request completed between the slices where `from` and `to` of
 * the requests were done (the last slice at or below `from`, the first at or
 * above `to`); undefined when those are the same slice.
 */
function perRequest(run: ForgetRun, from: number, to: number): number | undefined {
  const lo = [...run.cpu].reverse().find(([c]) => c <= from * run.requests) ?? run.cpu[0];
  const hi = run.cpu.find(([c]) => c >= to * run.requests);
  if (lo === undefined || hi === undefined || hi[0] <= lo[0]) return undefined;
  return (hi[1] - lo[1]) / (hi[0] - lo[0]);
}

/** One child run; undefined (and a line saying why) when it failed. */
function child(base: string, requests: number): ForgetRun | undefined {
  const r = spawnSync(process.execPath, ['--expose-gc', join('dist', 'bench', 'forget-child.js'), base, String(requests)], {
    cwd: repoRoot(), encoding: 'utf8', maxBuffer: 1 << 24,
  });
  if (r.status !== 0) {
    console.log(`${base}: the run failed (exit ${r.status}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    return undefined;
  }
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as ForgetRun;
}

/** A copy of the program without its FORGET members (the same deploy file): the runtime then keeps everything. */
function keepingEverything(base: string, dir: string): string {
  const path = base.includes('/') ? base : join(repoRoot(), 'specs', base);
  const name = basename(path);
  writeFileSync(join(dir, `${name}.mom`), readFileSync(`${path}.mom`, 'utf8').replace(/\n {2}FORGET [^\n]*(\n {4,}[^\n]*)*/g, ''));
  copyFileSync(`${path}.deploy`, join(dir, `${name}.deploy`));
  return join(dir, name);
}

export async function runForgetBench(): Promise<void> {
  const requests = Number(process.env['FORGET_REQUESTS'] ?? 100_000);
  const tcpRequests = Number(process.env['FORGET_TCP_REQUESTS'] ?? 20_000);
  const checkpointEvery = Number(process.env['FORGET_CHECKPOINT_EVERY'] ?? 5000);
  const programs = (process.env['FORGET_PROGRAMS'] ?? 'PBFTCounter,PBFTCheckpoint,PBCounter').split(',').map((p) => p.trim()).filter((p) => p !== '');
  section(`forget: long simulated runs of programs that forget, ${requests} requests (8 clients x 16 in flight), live heap after a forced GC`);
  const dir = mkdtempSync(join(tmpdir(), 'mommie-forget-bench-'));
  try {
    for (const program of programs) {
      const load = loadavg()[0]!.toFixed(1);
      const started = Date.now();
      const run = child(program, requests);
      if (run === undefined) continue;
      const wall = ((Date.now() - started) / 1000).toFixed(0);
      console.log(`\n${program}: ${run.completed} of ${run.requests} requests completed in ${wall} s wall (load ${load} at start, ${loadavg()[0]!.toFixed(1)} at end); ${run.forgotten} statements forgotten, ${run.absorbed} late copies absorbed; peak RSS ${(run.maxRssKb / 1024).toFixed(0)} MiB`);
      report(run);
      if (tcpRequests > 0) {
        console.log(`${program} over TCP, ${tcpRequests} requests:`);
        await runForgetTcp(program.includes('/') ? program : join(repoRoot(), 'specs', program), tcpRequests, checkpointEvery);
      }
      // The same run with the FORGET members taken out, for scale (not judged).
      if (requests > 10_000) continue;
      const kept = child(keepingEverything(program, dir), requests);
      const a = at(run, 1);
      const b = kept === undefined ? undefined : at(kept, 1);
      if (kept !== undefined && a !== undefined && b !== undefined) {
        console.log(`  without its FORGET members (the runtime keeps everything): live heap at 100% ${(b.heapBytes / 2 ** 20).toFixed(1)} MiB (with: ${(a.heapBytes / 2 ** 20).toFixed(1)}), known statements ${b.counts.known} (with: ${a.counts.known}), handled ${b.counts.handled} (with: ${a.counts.handled}), peak RSS ${(kept.maxRssKb / 1024).toFixed(0)} MiB: NOT JUDGED`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function report(run: ForgetRun): void {
  const p10 = at(run, 0.1);
  const p50 = at(run, 0.5);
  const p100 = at(run, 1);
  if (p10 === undefined || p50 === undefined || p100 === undefined) {
    console.log('  the run did not reach every sampling point: NOT JUDGED');
    return;
  }
  const mib = (b: number): string => (b / 2 ** 20).toFixed(1);
  const heaps = [p10, p50, p100].map((s) => s.heapBytes);
  const heapRatio = Math.max(...heaps) / Math.min(...heaps);
  console.log(`  live heap after GC at 10% / 50% / 100%: ${heaps.map(mib).join(' / ')} MiB, max/min ${heapRatio.toFixed(2)} (target <= 1.2: ${verdict(heapRatio <= 1.2)})`);
  const second = perRequest(run, 0.1, 0.2);
  const last = perRequest(run, 0.9, 1);
  if (second === undefined || last === undefined) console.log('  CPU per request: too few slices to tell tenths apart: NOT JUDGED');
  else {
    const cpuRatio = last / second;
    console.log(`  CPU per request, second tenth ${second.toFixed(3)} ms, last tenth ${last.toFixed(3)} ms, ratio ${cpuRatio.toFixed(2)} (target <= 1.2: ${verdict(cpuRatio <= 1.2)})`);
  }
  console.log(`  counts at 10% / 50% / 100% (target: bounded, the end <= ${GROWTH} x the middle + ${WINDOW}):`);
  for (const [k, label] of COUNTS) {
    const v = [p10, p50, p100].map((s) => s.counts[k]);
    const ok = v[2]! <= GROWTH * v[1]! + WINDOW;
    console.log(`    ${label}: ${v.join(' / ')} ${verdict(ok)}`);
  }
}
