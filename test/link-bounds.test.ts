// Issue 22, item 3: what a process that can connect to a node's port, or a
// peer with keys of its own, can make a node hold. Attacks 3 and 5 against
// live TCP runs on loopback, each from a separate process, through the built
// CLI: refused and counted in the run report, while every request completes
// and the traces replay. Every process started here is killed by its id, and
// `pgrep -f DIR` finds none of the run's afterwards.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { mommie, ROOT } from './helpers/cli.js';
import { attackTotals, killAll, makeKeys, refusals, startMommie, tempDeploy } from './helpers/tcp-run.js';

let dir: string;
let keys: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mommie-link-bounds-'));
  keys = join(dir, 'keys');
  const d = await tempDeploy('PBFTCounter', dir);
  await makeKeys(d.path, keys);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface BoundsReport {
  requests: { asked: number; started: number; completed: number };
  nodes: { node: string; tcp?: { refused: Record<string, number>; firstRefusal: Record<string, string>; sessionsIn: number; connectFailures: number }; digest?: Record<string, number>; backpressure?: Record<string, number>; wire?: { framesDropped: Record<string, number> } }[];
}

describe('link bounds (issue 22 item 3)', () => {
  it('attack 3: 48 connections held open to every replica (hello then silence, silence, a slow auth), re-opened as they close, shut no node off: 200 of 200 requests complete, the closed ones are counted, the traces replay', { timeout: 240_000 }, async () => {
    const sub = mkdtempSync(join(dir, 'held-'));
    const { path: deploy, ports } = await tempDeploy('PBFTCounter', sub);
    // The deploy file's bounds reach the transport: tighter than the defaults (16, 3 s).
    appendFileSync(deploy, '\n[Limits]\nMaxHandshaking = 8\nHandshakeTimeout = 1500ms\n');
    const traces = join(sub, 'traces');
    const replicas = Object.fromEntries([...ports].filter(([n]) => n.startsWith('r')));
    const attacker = execa('node', [join(ROOT, 'test', 'fixtures', 'attack', 'hold-connections.mjs'), join(ROOT, 'dist'), JSON.stringify(replicas), '48', traces], { reject: false, buffer: true });
    try {
      const started = Date.now();
      const r = await startMommie(['run', join(ROOT, 'specs', 'PBFTCounter.mom'), '--deploy', deploy, '--keys', keys, '--requests', '200', '--concurrency', '4', '--trace', traces, '--timeout', '150000', '--json'], 190_000);
      const seconds = (Date.now() - started) / 1000;
      attacker.kill('SIGKILL');
      const totals = attackTotals<{ connections: number; hellos: number; slow: number; closedByPeer: number }>((await attacker).stdout);
      const rep = JSON.parse(r.stdout) as BoundsReport;
      const counted = ['garbage', 'no-handshake', 'too-many', 'oversized'].map((k) => [k, refusals(rep, k)] as const);
      console.log(`attack 3: ${JSON.stringify(totals)}; exit ${r.exitCode} after ${seconds.toFixed(1)} s, ${rep.requests.completed} of ${rep.requests.asked} completed; refused: ${counted.map(([k, n]) => `${k} ${n}`).join(', ')}; failed connection attempts of the run's own nodes ${rep.nodes.reduce((k, n) => k + (n.tcp?.connectFailures ?? 0), 0)}; backpressure ${JSON.stringify(rep.nodes.map((n) => n.backpressure?.backlogged ?? 0))}; load ${loadavg()[0]!.toFixed(1)}`);
      expect(r.exitCode, r.all?.slice(-3000)).toBe(0);
      expect(rep.requests.completed).toBe(200);
      // The attack ran, in all three forms, and kept connections coming.
      expect(totals.hellos).toBeGreaterThan(10);
      expect(totals.slow).toBeGreaterThan(10);
      expect(totals.connections).toBeGreaterThan(4 * 48);
      // Each kind was closed and counted: the hello is no handshake, silence and the slow auth run out of time, or out of room.
      expect(refusals(rep, 'garbage')).toBeGreaterThan(0);
      expect(refusals(rep, 'no-handshake') + refusals(rep, 'too-many')).toBeGreaterThan(0);
      const words = rep.nodes.flatMap((n) => Object.values(n.tcp?.firstRefusal ?? {})).join('\n');
      expect(words).toMatch(/more than 8 connections in their handshake|no handshake within 1500 ms/);
      const replay = await mommie(['replay', join(ROOT, 'specs', 'PBFTCounter.mom'), traces]);
      expect(replay.exitCode, replay.stdout + replay.stderr).toBe(0);
    } finally {
      attacker.kill('SIGKILL');
      await attacker;
      expect(await killAll(traces)).toEqual([]);
    }
  });

  it('attack 5: a digest flood from c8 (its own keys, a real session) fills only c8\'s held-item quota: frames claiming r2 inside it and sessions claiming r2 are refused and counted; 200 of 200 requests complete, the traces replay', { timeout: 240_000 }, async () => {
    const sub = mkdtempSync(join(dir, 'flood-'));
    const { path: deploy, ports } = await tempDeploy('PBFTCounter', sub);
    const traces = join(sub, 'traces');
    const replicas = Object.fromEntries([...ports].filter(([n]) => n.startsWith('r')));
    const attacker = execa('node', [join(ROOT, 'test', 'fixtures', 'attack', 'digest-flood.mjs'), join(ROOT, 'dist'), keys, join(traces, 'run-id'), JSON.stringify(replicas), traces], { reject: false, buffer: true });
    try {
      // c8 is not run: the attacker is c8, with its key file.
      const r = await startMommie(['run', join(ROOT, 'specs', 'PBFTCounter.mom'), '--deploy', deploy, '--keys', keys, '--clients', '7', '--requests', '200', '--concurrency', '4', '--trace', traces, '--timeout', '150000', '--json'], 190_000);
      attacker.kill('SIGKILL');
      const a = await attacker;
      const totals = attackTotals<{ sessions: number; frames: number; items: number; spoofedFrames: number; claimedR2: number }>(a.stdout);
      const rep = JSON.parse(r.stdout) as BoundsReport;
      const rs = rep.nodes.filter((n) => n.node.startsWith('r'));
      const sum = (f: (n: (typeof rs)[number]) => number): number => rs.reduce((k, n) => k + f(n), 0);
      const heldFull = sum((n) => n.backpressure?.heldFull ?? 0);
      const held = sum((n) => n.digest?.held ?? 0);
      const wrongSender = sum((n) => n.wire?.framesDropped['wrong-sender'] ?? 0);
      console.log(`attack 5: ${JSON.stringify(totals)}${a.stderr === '' ? '' : ` (attacker: ${String(a.stderr).slice(-300)})`}; exit ${r.exitCode}, ${rep.requests.completed} of ${rep.requests.asked}; replicas held ${held} items, left ${heldFull} frames unacked at c8's quota, dropped ${wrongSender} frames claiming r2, refused bad-handshake ${refusals(rep, 'bad-handshake')}; load ${loadavg()[0]!.toFixed(1)}`);
      expect(r.exitCode, r.all?.slice(-3000)).toBe(0);
      expect(rep.requests.completed).toBe(200);
      // The flood ran through real sessions, and filled c8's quota at every replica it reached.
      expect(totals.sessions).toBeGreaterThan(0);
      expect(totals.frames).toBeGreaterThan(20);
      expect(heldFull).toBeGreaterThan(0);
      // Counted per authenticated peer: what claims r2 is refused, as a frame (wrong-sender) or a session (bad-handshake).
      expect(wrongSender).toBeGreaterThan(0);
      expect(refusals(rep, 'bad-handshake')).toBeGreaterThan(0);
      const replay = await mommie(['replay', join(ROOT, 'specs', 'PBFTCounter.mom'), traces]);
      expect(replay.exitCode, replay.stdout + replay.stderr).toBe(0);
    } finally {
      attacker.kill('SIGKILL');
      await attacker;
      expect(await killAll(traces)).toEqual([]);
    }
  });
});
