// Linearizability of real histories (issue 26 item 5) of the key-value store
// on PBFT (specs/PBFTKV.mom, item 4), recorded through the client API on the
// simulated network under faults: loss and duplication (with the replicas'
// Execute run by its body program over a Map, built with --assert and
// checked against the body spec at every step), partitions, and a Byzantine
// replica replying made-up values. Each history has the workload's figures
// the issue names (four clients, two calls in flight each, three keys, at
// least 40% put or cas, at least 30% overlapping another client's call) and
// is checked linearizable. The planted bug (specs/buggy/lincheck/: Gets
// answered on receipt, F+1 matching replies accepted) is caught on five fixed
// seeds under loss, and the store without it is linearizable on the same
// seeds and faults.
//
// Workload size: OPS completed calls per history (200 here, to keep `npm
// test` within its budget; the issue's 1,000 is `MOMMIE_KV_OPERATIONS=1000
// npx vitest run test/kv-lincheck.test.ts`, docs/lincheck.md).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkHistory, verdictLines, type History } from 'mommie';
import { mommie } from './helpers/cli.js';
import { expectIssueWorkload, KV, KV_BUGGY, recordKv, type Recorded } from './helpers/kv-history.js';

const OPS = Number(process.env['MOMMIE_KV_OPERATIONS'] ?? 200);
const dir = mkdtempSync(join(tmpdir(), 'mommie-kv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function expectWorkload(r: Recorded, ops = OPS): void {
  const f = r.figures;
  // Calls still in flight when the workload stopped starting new ones complete too; a few may time out.
  expectIssueWorkload(f, ops);
  expect(r.violation).toBeUndefined();
}

function expectLinearizable(h: History): void {
  const t0 = Date.now();
  const v = checkHistory(h, { timeoutMs: 30_000 });
  expect(v.kind, verdictLines(v).join('\n')).toBe('linearizable');
  expect(Date.now() - t0).toBeLessThan(30_000);
}

describe('histories of the key-value store on the simulated network are linearizable', () => {
  const build = join(dir, 'build');
  beforeAll(async () => {
    const r = await mommie(['build', `${KV}.mom`, '--deploy', `${KV}.deploy`, '--bodies', join(KV, '..', 'bodies', 'PBFTKV'), '-o', build, '--assert']);
    expect(r.exitCode, r.stderr).toBe(0);
  });

  it('under loss, duplication and delay, with Execute run by its body program (--assert)', async () => {
    const r = await recordKv(KV, { seed: 11, faults: 'drop=0.1,dup=0.05,delay=1-30', operations: OPS, build });
    expectWorkload(r);
    expect(r.assertions?.checked).toBeGreaterThan(OPS * 3);
    expect(r.assertions?.violations).toEqual([]);
    expectLinearizable(r.history);
  });

  it('under partitions: the primary cut off, a backup cut off, the replicas split two and two', async () => {
    const all = ['r1', 'r2', 'r3', 'r4', 'c1', 'c2', 'c3', 'c4'];
    const cut = (alone: string[]): string => `${alone.join('+')}|${all.filter((n) => !alone.includes(n)).join('+')}`;
    const faults = [
      'delay=1-30',
      `partition=${cut(['r1'])}@400-1200`,
      `partition=${cut(['r4'])}@1800-2600`,
      `partition=${cut(['r1', 'r2', 'c1', 'c2'])}@3200-3800`,
    ].join(',');
    const r = await recordKv(KV, { seed: 12, faults, operations: OPS });
    expectWorkload(r);
    expect(r.virtualMs).toBeGreaterThan(3800);
    expectLinearizable(r.history);
  });

  it('with a Byzantine replica replying made-up values (and replaying, mutating, forging frames)', async () => {
    const r = await recordKv(KV, { seed: 13, faults: 'delay=1-30', operations: OPS, model: 'LyingReplica' });
    expectWorkload(r);
    expectLinearizable(r.history);
  });
});

// Loss keeps replicas behind (a lost commit waits for its retransmission),
// now and then two of them behind the same write; their replies to a Get on
// receipt then agree on the value before it, and the client takes that stale
// value after the write completed. Whether a run shows it depends on the
// seed: at 150 operations under these faults, seeds 1-24 catch it on 6, 7,
// 11, 12, 13 and 16 (scanned 2026-12-08 after the link's per-peer
// retransmission timer, 02fd200, which keeps replicas behind less often; the
// first scan, seeds 1-10 before it, caught 1, 3, 4, 5, 7 and 8). The five
// fixed seeds are the first five of the new scan. Detection per seed is a
// property of the schedule, not of the checker: a fault schedule that holds
// two replicas behind by design would not depend on it (not done yet).
const BUG_FAULTS = 'drop=0.3,delay=1-20';
const BUG_SEEDS = [6, 7, 11, 12, 13];
const BUG_OPS = 150;

describe('the planted bug (Gets answered on receipt, F+1 matching replies accepted) is caught', () => {
  for (const seed of BUG_SEEDS) {
    it(`seed ${seed}: not linearizable with the bug, linearizable without it`, async () => {
      const buggy = await recordKv(KV_BUGGY, { seed, faults: BUG_FAULTS, operations: BUG_OPS });
      expect(buggy.figures.clients).toBe(4);
      // Every invariant holds (each reply is the store's value at the number it names): the bug is real-time order.
      expect(buggy.violation).toBeUndefined();
      const v = checkHistory(buggy.history, { timeoutMs: 30_000 });
      expect(v.kind).toBe('not-linearizable');
      if (v.kind !== 'not-linearizable') return;
      expect(v.minimal).toBe(true);
      console.log(`seed ${seed}: ${verdictLines(v).join('\n')}`);
      // The witness: each operation with its client, times, call and result; a get among them.
      const lines = verdictLines(v).join('\n');
      expect(lines).toMatch(/c\d op \d+: \[\d+, \d+\] get\("k\d"\) -> /);
      expect(v.witness.some((o) => o.call.op === 'get')).toBe(true);

      const correct = await recordKv(KV, { seed, faults: BUG_FAULTS, operations: BUG_OPS });
      expectWorkload(correct, BUG_OPS);
      expectLinearizable(correct.history);
    });
  }
});
