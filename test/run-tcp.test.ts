// mommie run --network tcp: one OS process per node on loopback, run through
// the built CLI as a user would. Every run uses ports that were free a moment
// before (a temporary deploy file) and its own trace directory, whose path is
// on every process's command line: `pgrep -f DIR` finding nothing after a run
// means no process of it was left behind.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkFile } from '../src/analysis/frontend.js';
import { replayTraces } from '../src/trace/replay.js';
import { mommie, ROOT } from './helpers/cli.js';
import { fires, makeKeys, pids, startMommie, tempDeploy, until } from './helpers/tcp-run.js';

let dir: string;
let keys: string;
const specs = { PBCounter: join(ROOT, 'specs', 'PBCounter.mom'), PBFTCounter: join(ROOT, 'specs', 'PBFTCounter.mom') } as const;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mommie-tcp-test-'));
  keys = join(dir, 'keys');
  // Both deployments name the same nodes, so one set of key files serves both.
  const d = await tempDeploy('PBCounter', dir);
  await makeKeys(d.path, keys);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface Report {
  requests: { asked: number; started: number; completed: number };
  throughputPerS: number;
  latencyMs: { p50: number; p99: number };
  nodes: { node: string; status: string; fired: Record<string, number>; state: Record<string, string>; recovered?: unknown; cpu?: { userMs: number; systemMs: number } }[];
  stops?: { node: string; atMs: number; completedBefore: number; firsts: { transition: string; node: string; afterMs: number }[]; completedAfter: number; pause?: { ms: number; endedAfterMs: number } }[];
  traceDir: string;
}

function replay(spec: string, traceDir: string): ReturnType<typeof replayTraces> {
  const fe = checkFile(spec);
  if (fe.program === undefined) throw new Error(`${spec} does not check`);
  const files = readdirSync(traceDir).filter((f) => f.endsWith('.ndjson')).map((f) => ({ path: join(traceDir, f), text: readFileSync(join(traceDir, f), 'utf8') }));
  return replayTraces(fe.program, files);
}

async function fresh(spec: 'PBCounter' | 'PBFTCounter', name: string): Promise<{ deploy: string; traces: string; ports: Map<string, number> }> {
  const sub = mkdtempSync(join(dir, `${name}-`));
  const d = await tempDeploy(spec, sub);
  return { deploy: d.path, traces: join(sub, 'traces'), ports: d.ports };
}

function parse(stdout: string): Report {
  return JSON.parse(stdout) as Report;
}

describe('mommie run --network tcp', () => {
  it('primary-backup: a client and 4 replica processes complete 100 requests; the traces replay', async () => {
    const r0 = await fresh('PBCounter', 'pb');
    const r = await mommie(['run', specs.PBCounter, '--deploy', r0.deploy, '--keys', keys, '--network', 'tcp', '--model', 'AllCorrect', '--requests', '100', '--trace', r0.traces, '--timeout', '60000', '--json'], { timeoutMs: 90_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    const rep = parse(r.stdout);
    expect(rep.requests.completed).toBe(100);
    expect(rep.nodes.find((n) => n.node === 'r1')?.state['lastExec']).toBe('100');
    // Each process's CPU over the workload: a replica that handled 100 requests spent some.
    for (const n of rep.nodes.filter((x) => x.status === 'correct')) expect(n.cpu?.userMs, n.node).toBeGreaterThan(0);
    console.log(`PBCounter over TCP: ${rep.throughputPerS.toFixed(1)} requests/s, p50 ${rep.latencyMs.p50.toFixed(1)} ms, p99 ${rep.latencyMs.p99.toFixed(1)} ms`);
    const rp = replay(specs.PBCounter, r0.traces);
    expect(rp.ok, JSON.stringify(rp)).toBe(true);
    expect(await pids(r0.traces)).toEqual([]);
  });

  it('PBFT: 100 requests complete although a backup process is killed mid-run; the traces replay', async () => {
    const r0 = await fresh('PBFTCounter', 'pbft');
    const run = startMommie(['run', specs.PBFTCounter, '--deploy', r0.deploy, '--keys', keys, '--network', 'tcp', '--requests', '100', '--trace', r0.traces, '--timeout', '80000', '--json']);
    const clientLogs = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8'].map((c) => join(r0.traces, `${c}.ndjson`));
    await until('30 accepted replies', () => clientLogs.reduce((n, l) => n + fires(l, 'Accept'), 0) >= 30, 60_000);
    const [r4] = await pids(`--node r4 --trace-dir ${r0.traces}`);
    expect(r4).toBeDefined();
    process.kill(r4!, 'SIGKILL');
    const r = await run;
    expect(r.exitCode, r.all).toBe(0);
    const rep = parse(r.stdout);
    expect(rep.requests.completed).toBe(100);
    expect(rep.nodes.find((n) => n.node === 'r4')?.status).toBe('stopped');
    console.log(`PBFTCounter over TCP, a backup killed: ${rep.throughputPerS.toFixed(1)} requests/s, p50 ${rep.latencyMs.p50.toFixed(1)} ms, p99 ${rep.latencyMs.p99.toFixed(1)} ms`);
    const rp = replay(specs.PBFTCounter, r0.traces);
    expect(rp.ok, JSON.stringify(rp)).toBe(true);
    expect(await pids(r0.traces)).toEqual([]);
  });

  it('PBFT with view change, 3 clients x 8 requests: the primary killed after the 8th answer, the backups change view, all 24 complete, the report times the view change; the traces replay', async () => {
    const sub = mkdtempSync(join(dir, 'viewchange-'));
    const d = await tempDeploy('PBFTViewChange', sub);
    const vcKeys = join(sub, 'keys');
    await makeKeys(d.path, vcKeys);
    const traces = join(sub, 'traces');
    const spec = join(ROOT, 'specs', 'PBFTViewChange.mom');
    const run = startMommie(['run', spec, '--deploy', d.path, '--keys', vcKeys, '--network', 'tcp', '--clients', '3', '--requests', '24', '--trace', traces, '--timeout', '80000', '--json']);
    const clientLogs = ['c1', 'c2', 'c3'].map((c) => join(traces, `${c}.ndjson`));
    await until('8 accepted replies', () => clientLogs.reduce((n, l) => n + fires(l, 'Accept'), 0) >= 8, 60_000);
    const [r1] = await pids(`--node r1 --trace-dir ${traces}`);
    expect(r1).toBeDefined();
    process.kill(r1!, 'SIGKILL');
    const r = await run;
    expect(r.exitCode, r.all).toBe(0);
    const rep = parse(r.stdout);
    // All 24 at the three clients: Repropose and ExecuteNull have patterns, so the replicas are not clients taking a share of the requests.
    expect(rep.requests.started).toBe(24);
    expect(rep.requests.completed).toBe(24);
    for (const c of ['c1', 'c2', 'c3']) expect(rep.nodes.find((x) => x.node === c)?.fired['Accept'], c).toBe(8);
    for (const n of ['r2', 'r3', 'r4']) expect(rep.nodes.find((x) => x.node === n)?.state['view'], n).toBe('1');
    // The report's account of the kill: r1 stopped after at least 8 completions, then the view change fired for
    // the first time (the timer, NEW-VIEW at r2, its acceptance), and the longest pause in completions ended after it:
    // that completion is the first in the new view.
    expect(rep.stops?.length).toBe(1);
    const stop = rep.stops![0]!;
    expect(stop.node).toBe('r1');
    expect(stop.completedBefore).toBeGreaterThanOrEqual(8);
    const first = (t: string): number | undefined => stop.firsts.find((f) => f.transition === t)?.afterMs;
    expect(first('SuspectPrimary')).toBeDefined();
    expect(stop.firsts.find((f) => f.transition === 'SendNewView')?.node).toBe('r2');
    const accepted = first('AcceptNewView');
    expect(accepted).toBeDefined();
    expect(stop.pause).toBeDefined();
    expect(stop.pause!.endedAfterMs).toBeGreaterThanOrEqual(accepted!);
    console.log(`PBFTViewChange over TCP, 3 clients, r1 killed after ${stop.completedBefore} completions: view change fired +${first('SuspectPrimary')?.toFixed(0)} ms, NEW-VIEW accepted +${accepted!.toFixed(0)} ms, first completion in the new view +${stop.pause!.endedAfterMs.toFixed(0)} ms after the kill`);
    // The view change came after the kill: a correct primary is not suspected while requests progress (the timer restarts on each execution).
    const executedBefore = (log: string): number => {
      let n = 0;
      for (const line of readFileSync(log, 'utf8').split('\n')) {
        if (line.includes('"t":"SuspectPrimary"')) return n;
        if (line.includes('"t":"Execute"') || line.includes('"t":"ExecuteNull"')) n++;
      }
      return n;
    };
    expect(executedBefore(join(traces, 'r2.ndjson'))).toBeGreaterThanOrEqual(8);
    const rp = replay(spec, traces);
    expect(rp.ok, JSON.stringify(rp)).toBe(true);
    expect(await pids(traces)).toEqual([]);
  });

  it('a killed primary restarted with --node --rejoin recovers from its log and the run completes; Ctrl-C then stops it (exit 130)', async () => {
    const r0 = await fresh('PBCounter', 'recover');
    const common = ['--deploy', r0.deploy, '--keys', keys, '--network', 'tcp', '--model', 'AllCorrect', '--trace', r0.traces];
    const run = startMommie(['run', specs.PBCounter, ...common, '--requests', '60', '--timeout', '80000', '--json']);
    const c1 = join(r0.traces, 'c1.ndjson');
    await until('20 accepted replies', () => fires(c1, 'Accept') >= 20, 60_000);
    const [r1] = await pids(`--node r1 --trace-dir ${r0.traces}`);
    process.kill(r1!, 'SIGKILL');
    // Without its primary the run cannot go on; the restarted r1 must carry on from the sequence number it had reached.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const rejoin = startMommie(['run', specs.PBCounter, ...common, '--node', 'r1', '--rejoin', '--timeout', '80000']);
    const r = await run;
    expect(r.exitCode, r.all).toBe(0);
    expect(parse(r.stdout).requests.completed).toBe(60);
    rejoin.kill('SIGINT');
    const j = await rejoin;
    expect(j.exitCode, j.all).toBe(130);
    expect(j.all).toMatch(/r1 recovered from its log: \d+ events re-done/);
    const rp = replay(specs.PBCounter, r0.traces);
    expect(rp.ok, JSON.stringify(rp)).toBe(true);
    const r1log = readFileSync(join(r0.traces, 'r1.ndjson'), 'utf8');
    expect(r1log.match(/"t":"Assign"/g)?.length).toBe(60);
    expect(await pids(r0.traces)).toEqual([]);
  });

  it('nodes started one by one (--node); a killed client restarted with --rejoin finishes its requests', async () => {
    const r0 = await fresh('PBCounter', 'client');
    const common = ['run', specs.PBCounter, '--deploy', r0.deploy, '--keys', keys, '--network', 'tcp', '--model', 'AllCorrect', '--trace', r0.traces, '--timeout', '80000'];
    const replicas = ['r1', 'r2', 'r3', 'r4'].map((r) => startMommie([...common, '--node', r]));
    try {
      const first = startMommie([...common, '--node', 'c1', '--requests', '30']);
      const c1 = join(r0.traces, 'c1.ndjson');
      await until('10 accepted replies', () => fires(c1, 'Accept') >= 10, 60_000);
      const [pid] = await pids(`--node c1 --trace-dir ${r0.traces}`);
      process.kill(pid!, 'SIGKILL');
      const f = await first;
      expect(f.exitCode, f.all).toBe(4);
      expect(f.all).toMatch(/c1 stopped before finishing its requests/);
      const again = await mommie([...common, '--node', 'c1', '--rejoin', '--requests', '30'], { timeoutMs: 80_000 });
      expect(again.exitCode, again.stderr).toBe(0);
      expect(again.stderr).toMatch(/c1 recovered from its log/);
      expect(fires(c1, 'Submit')).toBe(30);
      expect(fires(c1, 'Accept')).toBe(30);
    } finally {
      for (const r of replicas) r.kill('SIGINT');
    }
    for (const r of replicas) expect((await r).exitCode).toBe(130);
    const rp = replay(specs.PBCounter, r0.traces);
    expect(rp.ok, JSON.stringify(rp)).toBe(true);
    expect(await pids(r0.traces)).toEqual([]);
  });

  it('nodes started one by one with their own trace directories share a run through mommie run-id; the logs name it and replay together', { timeout: 150_000 }, async () => {
    const r0 = await fresh('PBCounter', 'runid');
    const runId = join(r0.traces, '..', 'the-run');
    const made = await mommie(['run-id', r0.deploy, '-o', runId]);
    expect(made.exitCode, made.stderr).toBe(0);
    const again = await mommie(['run-id', r0.deploy, '-o', runId]);
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toMatch(/already exists: a run identity is never overwritten/);
    const id = readFileSync(runId, 'utf8').trim();
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    // One trace directory per node, as on separate hosts.
    const dirOf = (n: string): string => join(r0.traces, n);
    const common = ['run', specs.PBCounter, '--deploy', r0.deploy, '--keys', keys, '--network', 'tcp', '--model', 'AllCorrect', '--run-id', runId, '--timeout', '80000'];
    const replicas = ['r1', 'r2', 'r3', 'r4'].map((r) => startMommie([...common, '--node', r, '--trace', dirOf(r)]));
    try {
      const c1 = await mommie([...common, '--node', 'c1', '--trace', dirOf('c1'), '--requests', '20'], { timeoutMs: 100_000 });
      expect(c1.exitCode, c1.stderr).toBe(0);
    } finally {
      for (const r of replicas) r.kill('SIGINT');
    }
    for (const r of replicas) expect((await r).exitCode).toBe(130);
    const all = join(r0.traces, 'all');
    mkdirSync(all);
    for (const n of ['c1', 'r1', 'r2', 'r3', 'r4']) {
      expect(readFileSync(join(dirOf(n), `${n}.ndjson`), 'utf8')).toContain(`"run":"${id}"`);
      copyFileSync(join(dirOf(n), `${n}.ndjson`), join(all, `${n}.ndjson`));
    }
    const rp = replay(specs.PBCounter, all);
    expect(rp.ok, JSON.stringify(rp)).toBe(true);
    // A log of another run among them is refused by replay.
    const c1log = join(all, 'c1.ndjson');
    writeFileSync(c1log, readFileSync(c1log, 'utf8').replace(`"run":"${id}"`, `"run":"${'0'.repeat(32)}"`));
    const mixed = replay(specs.PBCounter, all);
    expect(JSON.stringify(mixed)).toMatch(/differs from .*: replay takes the logs of one run/);
    expect(await pids(r0.traces)).toEqual([]);
  });

  it('--rejoin without a log refuses to start the node', async () => {
    const r0 = await fresh('PBCounter', 'nolog');
    const r = await mommie(['run', specs.PBCounter, '--deploy', r0.deploy, '--keys', keys, '--network', 'tcp', '--model', 'AllCorrect', '--trace', r0.traces, '--node', 'r2', '--rejoin']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/r2 refuses to rejoin: it has no log at .*r2\.ndjson/);
  });

  it('a port in use is a clear error (exit 1), and no process is left', async () => {
    const r0 = await fresh('PBCounter', 'inuse');
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(r0.ports.get('r3'), '127.0.0.1', () => resolve()));
    try {
      const r = await mommie(['run', specs.PBCounter, '--deploy', r0.deploy, '--keys', keys, '--network', 'tcp', '--model', 'AllCorrect', '--trace', r0.traces]);
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`r3: r3 cannot listen on 127\\.0\\.0\\.1:${r0.ports.get('r3')}: the port is already in use`));
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(await pids(r0.traces)).toEqual([]);
    } finally {
      blocker.close();
    }
  });

  it('a node started alone does not wait for peers that are down: it starts, names them, and runs until its timeout', async () => {
    const r0 = await fresh('PBCounter', 'nopeer');
    const r = await mommie(['run', specs.PBCounter, '--deploy', r0.deploy, '--keys', keys, '--network', 'tcp', '--model', 'AllCorrect', '--trace', r0.traces, '--node', 'r2', '--timeout', '2000']);
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toMatch(/r2 starts with c1 \(127\.0\.0\.1:\d+\), r1 \(127\.0\.0\.1:\d+\).* not reachable yet; it catches up with each when it comes up/);
    expect(r.stderr).toMatch(/--timeout: stopped after 2\.0 s/);
    expect(readFileSync(join(r0.traces, 'r2.ndjson'), 'utf8')).toMatch(/"k":"start"/);
    expect(await pids(r0.traces)).toEqual([]);
  });

  it('Ctrl-C stops every process (exit 130) and leaves traces that replay', async () => {
    const r0 = await fresh('PBCounter', 'sigint');
    const run = startMommie(['run', specs.PBCounter, '--deploy', r0.deploy, '--keys', keys, '--network', 'tcp', '--model', 'AllCorrect', '--requests', '100000', '--trace', r0.traces, '--timeout', '80000']);
    await until('requests under way', () => fires(join(r0.traces, 'c1.ndjson'), 'Accept') >= 5, 60_000);
    run.kill('SIGINT');
    const r = await run;
    expect(r.exitCode, r.all).toBe(130);
    expect(await pids(r0.traces)).toEqual([]);
    const rp = replay(specs.PBCounter, r0.traces);
    expect(rp.ok, JSON.stringify(rp)).toBe(true);
    for (const n of ['c1', 'r1', 'r2', 'r3', 'r4']) expect(readFileSync(join(r0.traces, `${n}.ndjson`), 'utf8')).toMatch(/"k":"stop","n":\d+,"reason":"interrupted"\}\n$/);

    // A log that does not re-run in the semantics keeps its node out.
    const r2log = join(r0.traces, 'r2.ndjson');
    writeFileSync(r2log, readFileSync(r2log, 'utf8').replace(/\["state",(\d+),(\d+)\]/, (_m, a: string, b: string) => `["state",${a},${(Number(b) + 1) % 4}]`));
    const j = await mommie(['run', specs.PBCounter, '--deploy', r0.deploy, '--keys', keys, '--network', 'tcp', '--model', 'AllCorrect', '--trace', r0.traces, '--node', 'r2', '--rejoin']);
    expect(j.exitCode).toBe(1);
    expect(j.stderr).toMatch(/r2 refuses to rejoin: its log does not re-run in the semantics: .*r2\.ndjson:\d+: event \d+ of r2: Execute sets state to \d here, but the log says \d/);
  });
});
