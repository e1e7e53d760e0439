// The attacks of issue 22 against live TCP runs on loopback, each from a
// separate process (or an earlier run), through the built CLI: each is now
// refused and counted in the run report, while every request completes and
// the traces replay. Every process started here is killed by its id, and
// `pgrep -f DIR` finds none of the run's afterwards.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mommie, ROOT } from './helpers/cli.js';
import { attackTotals, fires, killAll, makeKeys, pids, refusals, startMommie, tempDeploy, until } from './helpers/tcp-run.js';

let dir: string;
let keys: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mommie-link-attacks-'));
  keys = join(dir, 'keys');
  const d = await tempDeploy('PBFTCounter', dir);
  await makeKeys(d.path, keys);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface Report {
  run?: string;
  requests: { asked: number; started: number; completed: number };
  nodes: { node: string; tcp?: { refused: Record<string, number>; firstRefusal: Record<string, string>; sessionsIn: number } }[];
}

describe('link attacks (issue 22)', () => {
  it('attack 2: a process claiming to be r2 and r3 that acknowledges every sequence number is refused and counted; all requests complete and replay', { timeout: 180_000 }, async () => {
    const sub = mkdtempSync(join(dir, 'spoof-'));
    const { path: deploy, ports } = await tempDeploy('PBFTCounter', sub);
    const traces = join(sub, 'traces');
    const attacker = execa('node', [join(ROOT, 'test', 'fixtures', 'attack', 'spoof-acks.mjs'), join(ROOT, 'dist'), JSON.stringify(Object.fromEntries(ports)), 'r2,r3', traces], { reject: false, buffer: true });
    try {
      const run = startMommie(['run', join(ROOT, 'specs', 'PBFTCounter.mom'), '--deploy', deploy, '--keys', keys, '--requests', '200', '--concurrency', '4', '--trace', traces, '--timeout', '90000', '--json'], 150_000);
      const r = await run;
      attacker.kill('SIGKILL');
      const totals = attackTotals<{ connections: number; acks: number; hellos: number; auths: number }>((await attacker).stdout);
      const rep = JSON.parse(r.stdout) as Report;
      console.log(`attack 2: ${JSON.stringify(totals)}; exit ${r.exitCode}, ${rep.requests.completed} of ${rep.requests.asked} completed; refused: ${['garbage', 'bad-handshake', 'too-many', 'no-handshake', 'no-hello'].map((k) => `${k} ${refusals(rep, k)}`).join(', ')}`);
      expect(r.exitCode, r.all?.slice(-3000)).toBe(0);
      expect(rep.requests.completed).toBe(200);
      // The attack ran: connections, hellos and made-up auths, each followed by 3,000 acks.
      expect(totals.hellos).toBeGreaterThan(10);
      expect(totals.auths).toBeGreaterThan(10);
      // And was refused: the old-style hello is no handshake (garbage), the made-up auth fails its tag.
      expect(refusals(rep, 'garbage')).toBeGreaterThan(0);
      expect(refusals(rep, 'bad-handshake')).toBeGreaterThan(0);
      const replay = await mommie(['replay', join(ROOT, 'specs', 'PBFTCounter.mom'), traces]);
      expect(replay.exitCode, replay.stdout + replay.stderr).toBe(0);
    } finally {
      attacker.kill('SIGKILL');
      await attacker;
      expect(await killAll(traces)).toEqual([]);
    }
  });

  it('attack 1: a node of an earlier run with the same keys, still running, is refused as foreign-run (both runs named); the new run completes and replays', { timeout: 240_000 }, async () => {
    const sub = mkdtempSync(join(dir, 'earlier-'));
    const { path: deploy } = await tempDeploy('PBCounter', sub);
    const program = join(ROOT, 'specs', 'PBCounter.mom');
    const earlier = join(sub, 'earlier');
    const now = join(sub, 'now');
    const common = ['--deploy', deploy, '--keys', keys, '--concurrency', '2'];
    try {
      // The earlier run, complete: its c8 has a log and a run identity to come back with.
      const first = await mommie(['run', program, ...common, '--requests', '80', '--trace', earlier, '--timeout', '90000'], { timeoutMs: 120_000 });
      expect(first.exitCode, first.stderr).toBe(0);
      const earlierRun = readFileSync(join(earlier, 'run-id'), 'utf8').trim();
      // This run, on the same addresses with the same keys, without c8 (--clients 7).
      const run = startMommie(['run', program, ...common, '--clients', '7', '--requests', '280', '--trace', now, '--timeout', '120000', '--json'], 180_000);
      await until('this run under way', () => fires(join(now, 'c1.ndjson'), 'Accept') >= 3, 90_000);
      // The earlier run's c8 starts again, as that run's node, and submits requests to this run's replicas.
      const old = startMommie(['run', program, ...common, '--node', 'c8', '--requests', '1600', '--trace', earlier, '--timeout', '120000'], 180_000);
      const r = await run;
      old.kill('SIGINT');
      const o = await old;
      const rep = JSON.parse(r.stdout) as Report;
      const foreign = refusals(rep, 'foreign-run');
      console.log(`attack 1: exit ${r.exitCode}, ${rep.requests.completed} of ${rep.requests.asked} completed; foreign-run ${foreign}; the earlier c8 ${o.exitCode}: ${o.all?.split('\n').slice(-3).join(' | ')}`);
      expect(r.exitCode, r.all?.slice(-3000)).toBe(0);
      expect(rep.requests.completed).toBe(280);
      expect(foreign).toBeGreaterThan(0);
      const words = rep.nodes.map((n) => n.tcp?.firstRefusal['foreign-run']).find((w) => w !== undefined) ?? '';
      expect(words).toContain(earlierRun);
      expect(words).toContain(rep.run);
      // Nothing of c8 got in: no replica delivered a statement of it in this run.
      for (const rn of ['r1', 'r2', 'r3', 'r4']) expect(readFileSync(join(now, `${rn}.ndjson`), 'utf8')).not.toMatch(/"i":"c8"/);
      const replay = await mommie(['replay', program, now]);
      expect(replay.exitCode, replay.stdout + replay.stderr).toBe(0);
    } finally {
      expect(await killAll(earlier)).toEqual([]);
      expect(await killAll(now)).toEqual([]);
    }
  });

  it('a crashed primary rejoins (--node --rejoin) while unauthenticated connections loop against every node; the run completes and replays', { timeout: 240_000 }, async () => {
    const sub = mkdtempSync(join(dir, 'rejoin-'));
    const { path: deploy, ports } = await tempDeploy('PBCounter', sub);
    const program = join(ROOT, 'specs', 'PBCounter.mom');
    const traces = join(sub, 'traces');
    const common = ['run', program, '--deploy', deploy, '--keys', keys, '--model', 'AllCorrect', '--trace', traces];
    const attacker = execa('node', [join(ROOT, 'test', 'fixtures', 'attack', 'spoof-acks.mjs'), join(ROOT, 'dist'), JSON.stringify(Object.fromEntries(ports)), 'r1,r2', traces], { reject: false, buffer: true });
    let rejoin: ReturnType<typeof startMommie> | undefined;
    try {
      const run = startMommie([...common, '--requests', '60', '--concurrency', '2', '--timeout', '120000', '--json'], 180_000);
      await until('20 accepted replies', () => fires(join(traces, 'c1.ndjson'), 'Accept') >= 20, 90_000);
      const [r1] = await pids(`--node r1 --trace-dir ${traces}`);
      expect(r1).toBeDefined();
      process.kill(r1!, 'SIGKILL');
      await new Promise((resolve) => setTimeout(resolve, 500));
      rejoin = startMommie([...common, '--node', 'r1', '--rejoin', '--timeout', '120000'], 180_000);
      const r = await run;
      rejoin.kill('SIGINT');
      const j = await rejoin;
      attacker.kill('SIGKILL');
      const rep = JSON.parse(r.stdout) as Report;
      console.log(`rejoin under a connection loop: exit ${r.exitCode}, ${rep.requests.completed} of ${rep.requests.asked}; refused: ${['garbage', 'bad-handshake', 'too-many', 'no-handshake'].map((k) => `${k} ${refusals(rep, k)}`).join(', ')}`);
      expect(r.exitCode, r.all?.slice(-3000)).toBe(0);
      expect(rep.requests.completed).toBe(60);
      expect(j.exitCode, j.all?.slice(-2000)).toBe(130);
      expect(j.all).toMatch(/r1 recovered from its log: \d+ events re-done/);
      expect(refusals(rep, 'garbage') + refusals(rep, 'bad-handshake')).toBeGreaterThan(0);
      const replay = await mommie(['replay', program, traces]);
      expect(replay.exitCode, replay.stdout + replay.stderr).toBe(0);
    } finally {
      rejoin?.kill('SIGKILL');
      attacker.kill('SIGKILL');
      await attacker;
      expect(await killAll(traces)).toEqual([]);
    }
  });
  it('attack 6: a crashed replica rejoins (--node --rejoin) while another replica the protocol tolerates stays down; the run completes and replays', { timeout: 240_000 }, async () => {
    const sub = mkdtempSync(join(dir, 'peer-down-'));
    const { path: deploy } = await tempDeploy('PBFTCounter', sub);
    const program = join(ROOT, 'specs', 'PBFTCounter.mom');
    const traces = join(sub, 'traces');
    const common = ['run', program, '--deploy', deploy, '--keys', keys, '--trace', traces];
    const clientLogs = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8'].map((c) => join(traces, `${c}.ndjson`));
    const accepted = (): number => clientLogs.reduce((n, l) => n + fires(l, 'Accept'), 0);
    let rejoin: ReturnType<typeof startMommie> | undefined;
    try {
      const run = startMommie([...common, '--requests', '480', '--concurrency', '2', '--timeout', '150000', '--json'], 200_000);
      await until('20 accepted replies', () => accepted() >= 20, 90_000);
      // r4 goes down for good (f = 1 tolerates it); then r3 crashes: no quorum until r3 is back.
      // The work left after the rejoin takes longer than the 30 s a node started alone used to
      // wait for its peers before giving up (and stopping r3 again, which stalled the run).
      const [r4] = await pids(`--node r4 --trace-dir ${traces}`);
      process.kill(r4!, 'SIGKILL');
      await until('40 accepted replies', () => accepted() >= 40, 90_000);
      const [r3] = await pids(`--node r3 --trace-dir ${traces}`);
      process.kill(r3!, 'SIGKILL');
      await new Promise((resolve) => setTimeout(resolve, 500));
      rejoin = startMommie([...common, '--node', 'r3', '--rejoin', '--timeout', '150000'], 200_000);
      const r = await run;
      rejoin.kill('SIGINT');
      const j = await rejoin;
      const rep = JSON.parse(r.stdout) as Report;
      console.log(`attack 6: exit ${r.exitCode}, ${rep.requests.completed} of ${rep.requests.asked}; rejoined r3: exit ${j.exitCode}`);
      expect(r.exitCode, r.all?.slice(-3000)).toBe(0);
      expect(rep.requests.completed).toBe(480);
      expect(j.exitCode, j.all?.slice(-2000)).toBe(130);
      expect(j.all).toMatch(/r3 starts with r4 \(127\.0\.0\.1:\d+\) not reachable yet/);
      expect(j.all).toMatch(/r3 recovered from its log/);
      const replay = await mommie(['replay', program, traces]);
      expect(replay.exitCode, replay.stdout + replay.stderr).toBe(0);
    } finally {
      rejoin?.kill('SIGKILL');
      expect(await killAll(traces)).toEqual([]);
    }
  });
});
