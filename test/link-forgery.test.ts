// Issue 22, attack 4 (PLAINTEXT over TCP let any local process impersonate any
// node) and statements of an earlier run arriving inside this run's session,
// each against a live TCP run of PBCounter on loopback, from a separate
// process that holds c8's own key file (test/fixtures/attack/forge-as-c8.mjs).
// Each is refused and counted in the run report while every request
// completes, no client accepts a reply no replica published, and the traces
// replay. Every process is killed by its id; `pgrep -f DIR` finds none after.
// A third run (PBFTCounter, DIGEST) has the earlier run's statements arrive
// as fetch answers (test/fixtures/attack/fetch-old-run.mjs).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { mommie, ROOT } from './helpers/cli.js';
import { attackTotals, deployOnFreePorts, killAll, makeKeys, startMommie } from './helpers/tcp-run.js';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mommie-link-forgery-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface Report {
  requests: { asked: number; completed: number };
  nodes: { node: string; wire?: { itemsDropped: Record<string, number>; framesDropped: Record<string, number> } }[];
}

/** PBCounter's deploy file with `mech` for every pair and no dissemination optimizer (a PLAINTEXT statement cannot be relayed: MOM617). */
function deployText(mech: 'PLAINTEXT' | 'HMAC'): string {
  const text = readFileSync(join(ROOT, 'specs', 'PBCounter.deploy'), 'utf8');
  return text.replace(/: HMAC/g, `: ${mech}`).replace(/\[Dissemination\][\s\S]*$/, '');
}

async function attackedRun(name: string, mech: 'PLAINTEXT' | 'HMAC', mode: 'plaintext' | 'old-run', targetsOf: (node: string) => boolean) {
  const sub = mkdtempSync(join(dir, `${name}-`));
  const { path: deploy, ports } = await deployOnFreePorts(deployText(mech), join(sub, 'PBCounter.deploy'));
  const keys = join(sub, 'keys');
  await makeKeys(deploy, keys);
  const traces = join(sub, 'traces');
  const targets = Object.fromEntries([...ports].filter(([n]) => targetsOf(n)));
  const attacker = execa('node', [join(ROOT, 'test', 'fixtures', 'attack', 'forge-as-c8.mjs'), join(ROOT, 'dist'), keys, join(traces, 'run-id'), JSON.stringify(targets), mode, traces], { reject: false, buffer: true });
  try {
    // c8 is not run: the attacker is c8, with its key file.
    const r = await startMommie(['run', join(ROOT, 'specs', 'PBCounter.mom'), '--deploy', deploy, '--keys', keys, '--clients', '7', '--requests', '70', '--concurrency', '2', '--trace', traces, '--timeout', '120000', '--json'], 170_000);
    attacker.kill('SIGKILL');
    const a = await attacker;
    const totals = attackTotals<{ sessions: number; frames: number; forgedReplies: number; oldRunRequests: number; claimedR1: number }>(a.stdout);
    const rep = JSON.parse(r.stdout) as Report;
    const replay = await mommie(['replay', join(ROOT, 'specs', 'PBCounter.mom'), traces]);
    return { r, rep, totals, traces, replay, attackerErr: String(a.stderr) };
  } finally {
    attacker.kill('SIGKILL');
    await attacker;
    expect(await killAll(traces)).toEqual([]);
  }
}

const sum = (rep: Report, pick: (n: Report['nodes'][number]) => number, which: (n: string) => boolean): number =>
  rep.nodes.filter((n) => which(n.node)).reduce((k, n) => k + pick(n), 0);

describe('forgeries from a node with keys of its own (issue 22)', () => {
  it('attack 4: under PLAINTEXT, replies of r1..r4 made up by c8 inside its own session are refused as forged (and frames claiming r1 as wrong-sender); 70 of 70 requests complete, the traces replay (a reply accepted that its replica did not publish would fail replay)', { timeout: 240_000 }, async () => {
    const isClient = (n: string): boolean => n.startsWith('c') && n !== 'c8';
    const { r, rep, totals, replay, attackerErr } = await attackedRun('plaintext', 'PLAINTEXT', 'plaintext', isClient);
    const forged = sum(rep, (n) => n.wire?.itemsDropped['forged'] ?? 0, isClient);
    const wrongSender = sum(rep, (n) => n.wire?.framesDropped['wrong-sender'] ?? 0, isClient);
    console.log(`attack 4: ${JSON.stringify(totals)}${attackerErr === '' ? '' : ` (attacker: ${attackerErr.slice(-300)})`}; exit ${r.exitCode}, ${rep.requests.completed} of ${rep.requests.asked}; clients refused ${forged} forged replies, ${wrongSender} frames claiming r1; load ${loadavg()[0]!.toFixed(1)}`);
    expect(r.exitCode, r.all?.slice(-3000)).toBe(0);
    expect(rep.requests.completed).toBe(70);
    expect(totals.sessions).toBeGreaterThan(0);
    expect(totals.forgedReplies).toBeGreaterThan(50);
    expect(forged).toBeGreaterThan(0);
    expect(wrongSender).toBeGreaterThan(0);
    // Nothing else refused them: they are well-formed, in their types, and only the channel's word tells them apart.
    expect(sum(rep, (n) => n.wire?.itemsDropped['malformed'] ?? 0, isClient)).toBe(0);
    expect(replay.exitCode, replay.stdout + replay.stderr).toBe(0);
  });

  it('statements of an earlier run: c8\'s requests tagged for another run identity, sent inside this run\'s session, are refused as forged at every replica; 70 of 70 requests complete, the traces replay', { timeout: 240_000 }, async () => {
    const isReplica = (n: string): boolean => n.startsWith('r');
    const { r, rep, totals, traces, replay, attackerErr } = await attackedRun('old-run', 'HMAC', 'old-run', isReplica);
    const forged = sum(rep, (n) => n.wire?.itemsDropped['forged'] ?? 0, isReplica);
    console.log(`old-run statements: ${JSON.stringify(totals)}${attackerErr === '' ? '' : ` (attacker: ${attackerErr.slice(-300)})`}; exit ${r.exitCode}, ${rep.requests.completed} of ${rep.requests.asked}; replicas refused ${forged} as forged; load ${loadavg()[0]!.toFixed(1)}`);
    expect(r.exitCode, r.all?.slice(-3000)).toBe(0);
    expect(rep.requests.completed).toBe(70);
    expect(totals.oldRunRequests).toBeGreaterThan(50);
    expect(forged).toBeGreaterThan(0);
    // No replica learned a request of c8: every one was another run's.
    for (const rn of ['r1', 'r2', 'r3', 'r4']) expect(readFileSync(join(traces, `${rn}.ndjson`), 'utf8')).not.toMatch(/"i":"c8"/);
    expect(replay.exitCode, replay.stdout + replay.stderr).toBe(0);
  });

  it('statements of an earlier run arriving as a fetch answer: r2\'s PREPAREs of another run, sent by c8 in digest form and completed by c8\'s answers to the replicas\' fetches, are refused as forged; 70 of 70 requests complete, the traces replay', { timeout: 240_000 }, async () => {
    const sub = mkdtempSync(join(dir, 'fetch-old-run-'));
    const { path: deploy, ports } = await deployOnFreePorts(readFileSync(join(ROOT, 'specs', 'PBFTCounter.deploy'), 'utf8'), join(sub, 'PBFTCounter.deploy'));
    const keys = join(sub, 'keys');
    await makeKeys(deploy, keys);
    const traces = join(sub, 'traces');
    const spec = join(ROOT, 'specs', 'PBFTCounter.mom');
    const targets = Object.fromEntries([...ports].filter(([n]) => n === 'r1' || n === 'r3' || n === 'r4'));
    const attacker = execa('node', [join(ROOT, 'test', 'fixtures', 'attack', 'fetch-old-run.mjs'), join(ROOT, 'dist'), keys, join(traces, 'run-id'), spec, deploy, String(ports.get('c8')), JSON.stringify(targets), traces], { reject: false, buffer: true });
    try {
      // c8 is not run: the attacker is c8, with its key file, on c8's address.
      const r = await startMommie(['run', spec, '--deploy', deploy, '--keys', keys, '--clients', '7', '--requests', '70', '--concurrency', '2', '--trace', traces, '--timeout', '120000', '--json'], 170_000);
      attacker.kill('SIGKILL');
      const a = await attacker;
      const totals = attackTotals<{ sessions: number; oldRunPrepares: number; fetchesIn: number; recordsAnswered: number }>(a.stdout);
      const rep = JSON.parse(r.stdout) as Report;
      const targeted = (n: string): boolean => n in targets;
      const forged = sum(rep, (n) => n.wire?.itemsDropped['forged'] ?? 0, targeted);
      console.log(`old-run statements by fetch: ${JSON.stringify(totals)}${String(a.stderr) === '' ? '' : ` (attacker: ${String(a.stderr).slice(-300)})`}; exit ${r.exitCode}, ${rep.requests.completed} of ${rep.requests.asked}; replicas refused ${forged} as forged; load ${loadavg()[0]!.toFixed(1)}`);
      expect(r.exitCode, r.all?.slice(-3000)).toBe(0);
      expect(rep.requests.completed).toBe(70);
      // The records came as fetch answers from c8, and the statements they completed were refused.
      expect(totals.fetchesIn).toBeGreaterThan(0);
      expect(totals.recordsAnswered).toBeGreaterThan(0);
      expect(forged).toBeGreaterThan(0);
      // No replica learned a PREPARE of a request of c8: every one was another run's.
      for (const rn of ['r1', 'r2', 'r3', 'r4']) expect(readFileSync(join(traces, `${rn}.ndjson`), 'utf8').split('\n').filter((l) => l.includes('"k":"deliver"') && l.includes('{"rec":"Request","f":["c8"'))).toEqual([]);
      const replay = await mommie(['replay', spec, traces]);
      expect(replay.exitCode, replay.stdout + replay.stderr).toBe(0);
    } finally {
      attacker.kill('SIGKILL');
      await attacker;
      expect(await killAll(traces)).toEqual([]);
    }
  });
});
