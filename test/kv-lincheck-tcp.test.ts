// Linearizability of the key-value store's histories over TCP (issue 26 item
// 5): the four replicas of specs/PBFTKV.mom run as `mommie run --network tcp
// --node rN` processes on loopback, the four clients are opened with openNode
// in this process, and the history is recorded by this process's clock. A
// backup killed (SIGKILL) a third of the way through: the three others go on
// and every call completes. The primary killed: this store has no view change
// (docs/decisions.md), so the calls then in flight and after get no answer;
// they are kept as unknown outcomes, and the history is still linearizable.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, describe, expect, it } from 'vitest';
import { checkHistory, openNode, runKvWorkload, verdictLines, workloadFigures, type History, type OpenedNode } from 'mommie';
import { freshRunId } from '../src/runtime/run-id.js';
import { expectIssueWorkload, KV } from './helpers/kv-history.js';
import { makeKeys, startMommie, tempDeploy, type Run } from './helpers/tcp-run.js';

const OPS = 150;
const dir = mkdtempSync(join(tmpdir(), 'mommie-kv-tcp-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function withDeployment(kill: string, opts: { timeoutMs: number; maxUnknown?: number }): Promise<{ history: History; killedAt: number }> {
  const work = mkdtempSync(join(dir, `${kill}-`));
  const { path: deploy } = await tempDeploy('PBFTKV', work);
  const keys = join(work, 'keys');
  await makeKeys(deploy, keys);
  const runIdFile = join(work, 'run-id');
  writeFileSync(runIdFile, freshRunId());
  const replicas = new Map<string, Run>();
  const clients: OpenedNode[] = [];
  try {
    for (const r of ['r1', 'r2', 'r3', 'r4']) {
      replicas.set(r, startMommie(['run', `${KV}.mom`, '--deploy', deploy, '--keys', keys, '--network', 'tcp', '--node', r,
        '--run-id', runIdFile, '--trace', join(work, 'logs'), '--log-sync', 'none', '--timeout', '80000'], 90_000));
    }
    for (const c of ['c1', 'c2', 'c3', 'c4']) {
      clients.push(await openNode({ program: `${KV}.mom`, deploy, keys, node: c, logDir: join(work, c), runId: readFileSync(runIdFile, 'utf8').trim(), logSync: 'none', timeoutMs: opts.timeoutMs }));
    }
    // The replicas are up once a call is answered: one Get from each client, before the
    // history starts (a Get changes nothing, so leaving it out of the history is sound).
    await Promise.all(clients.map((c) => c.submit('Get', { key: 0 }, { timeoutMs: 60_000 })));
    const t0 = performance.now();
    let killedAt = -1;
    const run = await runKvWorkload({
      clients: clients.map((c, i) => ({ name: `c${i + 1}`, submit: (t, a, o) => c.submit(t, a, o) })),
      operations: OPS, window: 2, keys: 3, values: 3, seed: 5, now: () => Math.round((performance.now() - t0) * 1000) / 1000,
      timeoutMs: opts.timeoutMs, ...(opts.maxUnknown !== undefined ? { maxUnknown: opts.maxUnknown } : {}),
      onCompleted: (n) => {
        if (n === Math.floor(OPS / 3) && killedAt < 0) {
          killedAt = performance.now() - t0;
          replicas.get(kill)!.kill('SIGKILL');
        }
      },
    });
    return { history: run.recorder.history(), killedAt };
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    for (const p of replicas.values()) p.kill('SIGKILL');
    await Promise.all([...replicas.values()]);
  }
}

describe('histories of the key-value store over TCP are linearizable', () => {
  it('with a backup killed a third of the way through: every call completes', { timeout: 150_000 }, async () => {
    const { history, killedAt } = await withDeployment('r4', { timeoutMs: 20_000 });
    const f = workloadFigures(history);
    expect(killedAt).toBeGreaterThan(0);
    console.log(`backup killed at ${Math.round(killedAt)} ms: ${JSON.stringify(f)}, last completion at ${Math.round(Math.max(...history.operations.map((o) => o.complete ?? 0)))} ms`);
    expectIssueWorkload(f, OPS);
    const later = history.operations.filter((o) => o.complete !== undefined && o.invoke > killedAt);
    expect(later.length).toBeGreaterThan(OPS / 3);
    const v = checkHistory(history, { timeoutMs: 30_000 });
    expect(v.kind, verdictLines(v).join('\n')).toBe('linearizable');
  });

  it('with the primary killed a third of the way through: the calls after it have unknown outcomes, and the history is linearizable', { timeout: 150_000 }, async () => {
    const { history, killedAt } = await withDeployment('r1', { timeoutMs: 5_000, maxUnknown: 1 });
    const f = workloadFigures(history);
    expect(killedAt).toBeGreaterThan(0);
    console.log(`primary killed at ${Math.round(killedAt)} ms: ${JSON.stringify(f)}`);
    expect(f.completed).toBeGreaterThanOrEqual(Math.floor(OPS / 3));
    expect(f.unknown).toBeGreaterThan(0);
    expect(f.clients).toBe(4);
    const v = checkHistory(history, { timeoutMs: 30_000 });
    expect(v.kind, verdictLines(v).join('\n')).toBe('linearizable');
  });
});
