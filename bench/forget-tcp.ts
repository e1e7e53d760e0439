// The `forget` bench section's TCP run (issue 23 item 7): a program that
// forgets, over TCP (12 processes, its deploy file on free ports, [Limits]
// CheckpointEvery), FORGET_TCP_REQUESTS requests (default 20,000) with 16 in
// flight per client; r4 is killed (SIGKILL) at 30% of the run and stays down
// (F = 1: the other three are every quorum), r2 is killed at 50% and
// restarted at once with --rejoin (it recovers from its newest checkpoint and
// the log after it). Sampled once a second from outside the processes: each
// replica's resident set and CPU time (/proc), its log's size, and the
// primary's event number, which is the run's progress (the run reports
// requests only at the end; the primary's events per request are constant).
//
// What it cannot give over TCP: the live heap after a forced collection (a
// node process has no gc() with the shipped Node flags; the simulated run
// gives it) and the runtime's counts mid-run (each node reports them as it
// stops: known statements at the end, forgotten, absorbed).

import { execa } from 'execa';
import { closeSync, existsSync, fstatSync, mkdtempSync, openSync, readFileSync, readSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts } from '../src/transport/free-ports.js';
import { repoRoot } from './stats.js';

const ROOT = repoRoot();
const CLI = join(ROOT, 'dist', 'src', 'cli', 'main.js');
const REPLICAS = ['r1', 'r2', 'r3', 'r4'] as const;

interface Sample {
  /** The primary's last logged event number. */
  readonly progress: number;
  readonly rssKb: Readonly<Record<string, number>>;
  readonly cpuMs: Readonly<Record<string, number>>;
  readonly logBytes: Readonly<Record<string, number>>;
  readonly checkpointBytes: Readonly<Record<string, number>>;
}

interface RunReport {
  readonly requests: { readonly completed: number };
  readonly nodes: readonly { readonly node: string; readonly forgetting?: { readonly forgotten: number; readonly absorbed: number; readonly known: number } }[];
}

function verdict(ok: boolean | undefined): string {
  return ok === undefined ? 'NOT JUDGED' : ok ? 'PASS' : 'FAIL';
}

/** The deploy file on free ports, with enough requests per client and sequence numbers for the run, and its checkpoint interval. */
async function deployOnFreePorts(base: string, dir: string, checkpointEvery: number, requests: number): Promise<string> {
  const perClient = Math.ceil(requests / 8);
  const text = readFileSync(`${base}.deploy`, 'utf8').replace(/^MaxReq\s*=.*$/m, `MaxReq = ${perClient}`).replace(/^MaxSeq\s*=.*$/m, `MaxSeq = ${perClient * 8}`);
  const count = [...text.matchAll(/^\w+\s*=\s*127\.0\.0\.1:\d+/gm)].length;
  const ports = await freePorts(count);
  let i = 0;
  const path = join(dir, `deploy-${Date.now()}.deploy`);
  const moved = text.replace(/^(\w+)(\s*=\s*)127\.0\.0\.1:\d+/gm, (_m, node: string, eq: string) => `${node}${eq}127.0.0.1:${ports[i++]!}`);
  writeFileSync(path, `${moved}\n[Limits]\nCheckpointEvery = ${checkpointEvery}\n`);
  return path;
}

/** The node processes of this run: pid by node name (their command lines name the run's trace directory). */
async function nodePids(traces: string): Promise<Map<string, number>> {
  const r = await execa('pgrep', ['-af', '--', `--trace-dir ${traces}`], { reject: false });
  const out = new Map<string, number>();
  for (const line of String(r.stdout).split('\n')) {
    const m = /^(\d+) .*--node (\w+)/.exec(line);
    if (m !== null) out.set(m[2]!, Number(m[1]));
  }
  return out;
}

function procStats(pid: number): { rssKb: number; cpuMs: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    // Fields 14 and 15 of /proc/pid/stat, after the command's closing parenthesis: utime, stime in clock ticks (100 a second).
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { rssKb: rss, cpuMs: (Number(f[11]) + Number(f[12])) * 10 };
  } catch {
    return undefined;
  }
}

/** The last event number in a node's log (its tail read only). */
function lastEvent(path: string): number {
  if (!existsSync(path)) return 0;
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const len = Math.min(size, 8192);
    const buf = Buffer.alloc(len);
    readSync(fd, buf, 0, len, size - len);
    const all = [...buf.toString('utf8').matchAll(/"n":(\d+)/g)];
    return all.length === 0 ? 0 : Number(all[all.length - 1]![1]);
  } finally {
    closeSync(fd);
  }
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** One TCP run of `base` (a path without .mom); prints its figures. */
export async function runForgetTcp(base: string, requests: number, checkpointEvery: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mommie-forget-tcp-'));
  try {
    const deploy = await deployOnFreePorts(base, dir, checkpointEvery, requests);
    const keys = join(dir, 'keys');
    const k = await execa('node', [CLI, 'keys', deploy, '-o', keys], { reject: false });
    if (k.exitCode !== 0) return void console.log(`  TCP: not run: mommie keys: ${String(k.stderr)}`);
    const traces = join(dir, 'traces');
    const common = ['--deploy', deploy, '--keys', keys, '--network', 'tcp', '--trace', traces, '--timeout', String(Math.max(600_000, requests * 100))];
    const load = loadavg()[0]!.toFixed(1);
    const started = Date.now();
    const run = execa('node', [CLI, 'run', `${base}.mom`, ...common, '--requests', String(requests), '--concurrency', '16', '--json'], { reject: false });
    const samples: Sample[] = [];
    let crashed = false;
    let restarted = false;
    let rejoin: ReturnType<typeof execa> | undefined;
    let expected = 0;
    const done = { v: false };
    void run.finally(() => (done.v = true));
    // The primary's events per request, learned on a short stretch, tell when 30% and 50% are reached.
    while (!done.v) {
      await new Promise((r) => setTimeout(r, 1000));
      const pids = await nodePids(traces);
      const rssKb: Record<string, number> = {};
      const cpuMs: Record<string, number> = {};
      const logBytes: Record<string, number> = {};
      const checkpointBytes: Record<string, number> = {};
      for (const r of REPLICAS) {
        const p = pids.get(r);
        const s = p === undefined ? undefined : procStats(p);
        if (s !== undefined) {
          rssKb[r] = s.rssKb;
          cpuMs[r] = s.cpuMs;
        }
        logBytes[r] = sizeOf(join(traces, `${r}.ndjson`));
        checkpointBytes[r] = existsSync(traces) ? readdirSync(traces).filter((f) => f.startsWith(`${r}.ckpt-`)).reduce((a, f) => a + sizeOf(join(traces, f)), 0) : 0;
      }
      const progress = lastEvent(join(traces, 'r1.ndjson'));
      samples.push({ progress, rssKb, cpuMs, logBytes, checkpointBytes });
      // The primary's events for the whole run, estimated from the clients' share so far: c1's log says how many of its requests were answered.
      if (expected === 0 && samples.length >= 5 && existsSync(join(traces, 'c1.ndjson'))) {
        const c1 = readFileSync(join(traces, 'c1.ndjson'), 'utf8');
        const answered = (c1.match(/"t":"Accept"/g) ?? []).length;
        if (answered >= 20) expected = (progress / (answered * 8)) * requests;
      }
      if (expected > 0 && !crashed && progress >= 0.3 * expected) {
        const p = pids.get('r4');
        if (p !== undefined) process.kill(p, 'SIGKILL');
        crashed = true;
        console.log(`  r4 killed at event ${progress} of the primary (about 30%), left down`);
      }
      if (expected > 0 && crashed && !restarted && progress >= 0.5 * expected) {
        const p = pids.get('r2');
        if (p !== undefined) process.kill(p, 'SIGKILL');
        await new Promise((r) => setTimeout(r, 300));
        rejoin = execa('node', [CLI, 'run', `${base}.mom`, ...common, '--node', 'r2', '--rejoin'], { reject: false, all: true });
        restarted = true;
        console.log(`  r2 killed at event ${progress} of the primary (about 50%) and restarted with --rejoin`);
      }
    }
    const r = await run;
    const wall = ((Date.now() - started) / 1000).toFixed(0);
    rejoin?.kill('SIGINT');
    const j = rejoin === undefined ? undefined : await rejoin;
    if (r.exitCode !== 0 && r.exitCode !== 4) console.log(`  TCP run: exit ${r.exitCode}: ${String(r.stderr).trim().split('\n').slice(-3).join(' | ')}`);
    let report: RunReport | undefined;
    try {
      report = JSON.parse(String(r.stdout)) as RunReport;
    } catch {
      report = undefined;
    }
    console.log(`  TCP: ${report?.requests.completed ?? '?'} of ${requests} requests completed in ${wall} s wall (load ${load} at start, ${loadavg()[0]!.toFixed(1)} at end), CheckpointEvery = ${checkpointEvery}, exit ${r.exitCode}`);
    const recovered = j === undefined ? undefined : /r2 recovered from its log: [^\n]*/.exec(String(j.all))?.[0];
    if (restarted) console.log(`  ${recovered ?? 'r2 did not say it recovered: FAIL'}`);
    for (const n of report?.nodes ?? []) {
      if (n.forgetting !== undefined && n.node.startsWith('r')) console.log(`  ${n.node} at the end: ${n.forgetting.known} statements known, ${n.forgetting.forgotten} forgotten, ${n.forgetting.absorbed} late copies absorbed`);
    }
    const last = samples[samples.length - 1]?.progress ?? 0;
    const near = (p: number): Sample | undefined => samples.find((s) => s.progress >= p * last);
    const points = [0.1, 0.5, 1].map(near);
    if (points.some((p) => p === undefined) || last === 0) return void console.log('  too few samples: NOT JUDGED');
    const [p10, p50, p100] = points as [Sample, Sample, Sample];
    for (const r of ['r1', 'r3'] as const) {
      // At 100% the processes may have stopped: the last sample that still saw this one.
      const end = [...samples].reverse().find((s) => s.rssKb[r] !== undefined) ?? p100;
      const rss = [p10, p50, end].map((s) => s.rssKb[r] ?? 0);
      const ratio = Math.max(...rss) / Math.max(1, Math.min(...rss));
      console.log(`  ${r} resident set at 10% / 50% / 100%: ${rss.map((x) => (x / 1024).toFixed(0)).join(' / ')} MiB, max/min ${ratio.toFixed(2)} (RSS, not live heap; target <= 1.2: ${verdict(ratio <= 1.2)})`);
    }
    // CPU per primary event, second tenth against last tenth (the primary's events per request are constant).
    const slice = (a: number, b: number): number | undefined => {
      const lo = near(a);
      const hi = near(b);
      if (lo === undefined || hi === undefined || hi.progress <= lo.progress) return undefined;
      return ((hi.cpuMs['r1'] ?? 0) - (lo.cpuMs['r1'] ?? 0)) / (hi.progress - lo.progress);
    };
    const second = slice(0.1, 0.2);
    const tenth = slice(0.9, 0.99);
    if (second === undefined || tenth === undefined) console.log('  r1 CPU per event: too few samples: NOT JUDGED');
    else console.log(`  r1 CPU per event, second tenth ${second.toFixed(3)} ms, last tenth ${tenth.toFixed(3)} ms, ratio ${(tenth / second).toFixed(2)} (target <= 1.2: ${verdict(tenth / second <= 1.2)})`);
    for (const r of ['r1', 'r2', 'r3'] as const) {
      const logs = samples.map((s) => s.logBytes[r] ?? 0);
      const ckpts = samples.map((s) => s.checkpointBytes[r] ?? 0);
      const mid = Math.max(...samples.filter((s) => s.progress <= 0.5 * last).map((s) => s.logBytes[r] ?? 0), 1);
      const max = Math.max(...logs);
      console.log(`  ${r} log: at most ${(max / 1024).toFixed(0)} KiB over the run (${(mid / 1024).toFixed(0)} KiB by the middle), checkpoints at most ${(Math.max(...ckpts) / 1024).toFixed(0)} KiB (target: bounded by the checkpoint interval, the run's max <= 1.2 x the first half's: ${verdict(max <= 1.2 * mid)})`);
    }
  } finally {
    // Any node process still up (a failed run): by id, never by name.
    for (const p of (await nodePids(join(dir, 'traces'))).values()) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
