// Issue 22 item 3, a peer that is down: its statements are not queued
// without bound but re-derived from the log. A live PBFTCounter run over
// TCP on loopback, with [Limits] MaxUnackedPerPeer = 8 and
// MaxBacklogPerPeer = 16: the replica r4 is SIGKILLed early and stays down
// while the others order about 200 requests (hundreds of statements
// meant for it), then rejoins (--node r4 --rejoin). Every sender held at
// most 8 + 16 frames for it (the report's heldPeak), did not hold the rest
// (notHeld) and re-derived them from its log (rederived); r4 executes at
// least every request ordered while it was down (it got every statement it
// needed); the run completes and the traces replay. Free ports, bounded in
// time, no process left.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { mommie, ROOT } from './helpers/cli.js';
import { fires, killAll, makeKeys, pids, startMommie, tempDeploy, until } from './helpers/tcp-run.js';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mommie-link-rederive-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface Report {
  readonly requests: { readonly asked: number; readonly completed: number };
  readonly nodes: readonly { readonly node: string; readonly status: string; readonly backpressure?: { readonly heldPeak: number; readonly notHeld: number; readonly rederived: number; readonly backlogPeak: number } }[];
}

const WINDOW = 8;
const BACKLOG = 16;
const REQUESTS = 400;

describe('a peer that is down', () => {
  it('costs its senders at most MaxUnackedPerPeer + MaxBacklogPerPeer frames; back, it gets the rest re-derived from their logs, and the run completes and replays', { timeout: 180_000 }, async () => {
    const d = await tempDeploy('PBFTCounter', dir);
    appendFileSync(d.path, `\n[Limits]\nMaxUnackedPerPeer = ${WINDOW}\nMaxBacklogPerPeer = ${BACKLOG}\n`);
    const keys = join(dir, 'keys');
    await makeKeys(d.path, keys);
    const program = join(ROOT, 'specs', 'PBFTCounter.mom');
    const traces = join(dir, 'traces');
    const common = ['run', program, '--deploy', d.path, '--keys', keys, '--trace', traces];
    const clientLogs = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8'].map((c) => join(traces, `${c}.ndjson`));
    const accepted = (): number => clientLogs.reduce((n, l) => n + fires(l, 'Accept'), 0);
    const r4log = join(traces, 'r4.ndjson');
    let rejoin: ReturnType<typeof startMommie> | undefined;
    const t0 = Date.now();
    try {
      const run = startMommie([...common, '--requests', String(REQUESTS), '--concurrency', '4', '--timeout', '120000', '--json'], 150_000);
      await until('10 accepted replies', () => accepted() >= 10, 60_000);
      const [r4] = await pids(`--node r4 --trace-dir ${traces}`);
      process.kill(r4!, 'SIGKILL');
      const atKill = accepted();
      // Down for a long stretch: half the run goes on without it; it comes back with as much left to do.
      await until('200 more accepted replies', () => accepted() >= atKill + 200, 90_000);
      const atRejoin = accepted();
      rejoin = startMommie([...common, '--node', 'r4', '--rejoin', '--timeout', '120000'], 150_000);
      const r = await run;
      const rep = JSON.parse(r.stdout) as Report;
      expect(r.exitCode, r.all?.slice(-3000)).toBe(0);
      expect(rep.requests.completed).toBe(REQUESTS);
      // r4 caught up: it executed at least every request ordered while it was down (each needs a
      // pre-prepare, prepares and commits published then, which the senders had not held for it).
      // What the others ordered after the run's last client finished may not reach it: they stop.
      await until(`r4 executes the ${atRejoin} requests ordered before it came back`, () => fires(r4log, 'Execute') >= atRejoin, 30_000);
      rejoin.kill('SIGINT');
      const j = await rejoin;
      expect(j.exitCode, j.all?.slice(-2000)).toBe(130);
      expect(j.all).toMatch(/r4 recovered from its log/);
      const senders = rep.nodes.filter((n) => ['r1', 'r2', 'r3'].includes(n.node));
      const bp = senders.map((n) => n.backpressure!);
      console.log(`peer down: ${rep.requests.completed} of ${REQUESTS} in ${((Date.now() - t0) / 1000).toFixed(1)} s; r4 down from ${atKill} to ${atRejoin} accepted, executed ${fires(r4log, 'Execute')}; ${senders.map((n) => `${n.node} held at most ${n.backpressure!.heldPeak} frames for one peer, did not hold ${n.backpressure!.notHeld}, re-derived ${n.backpressure!.rederived}`).join('; ')}; load ${loadavg()[0]!.toFixed(1)}`);
      // Every node that ran to the end, clients included, held at most the window and the backlog bound for one peer.
      for (const n of rep.nodes.filter((x) => x.backpressure !== undefined)) expect(n.backpressure!.heldPeak, n.node).toBeLessThanOrEqual(WINDOW + BACKLOG);
      // Hundreds of statements were meant for r4 while it was down: the senders held a bounded number and re-derived the rest.
      expect(bp.reduce((s, b) => s + b.notHeld, 0)).toBeGreaterThan(100);
      expect(bp.reduce((s, b) => s + b.rederived, 0)).toBeGreaterThan(100);
      const replay = await mommie(['replay', program, traces]);
      expect(replay.exitCode, replay.stdout + replay.stderr).toBe(0);
    } finally {
      rejoin?.kill('SIGKILL');
      expect(await killAll(traces)).toEqual([]);
    }
  });
});
