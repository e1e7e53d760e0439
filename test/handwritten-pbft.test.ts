// The hand-written PBFT baseline of the bench (bench/handwritten/): a short
// run over TCP loopback completes in each mode, its own checks pass (the
// replicas agree, every request got f+1 matching replies), and no node
// process outlives it. The node processes run from the build (dist/), as the
// CLI tests do.

import { describe, expect, it } from 'vitest';
import { runHandwrittenPbft } from '../bench/handwritten/driver.js';
import { freePorts } from './helpers/tcp-run.js';

/** Whether a process with this id still exists (signal 0 only checks). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

describe('hand-written PBFT baseline', () => {
  for (const auth of ['ed25519', 'mac'] as const) {
    for (const batch of [1, 16]) {
      it(`1 client, 20 requests, ${auth}, batch ${batch}: completes, replicas agree, no process left`, async () => {
        const ports = await freePorts(5);
        const started: number[] = [];
        const r = await runHandwrittenPbft({
          clients: 1, outstanding: 16, requests: 20, batch, auth, basePort: ports[0]!, ports, timeoutMs: 20_000,
          onChild: (_node, pid) => started.push(pid),
        });
        expect(r.completed).toBe(20);
        // ops are 1 + id % 5: 4 rounds of 1..5.
        expect(r.counter).toBe(60);
        // Batched: the client's first 16 requests leave in one write and share a pre-prepare.
        if (batch === 1) expect(r.sequenceNumbers).toBe(20);
        else expect(r.sequenceNumbers).toBeLessThan(20);
        expect(r.throughputPerS).toBeGreaterThan(0);
        expect(r.cryptoOpsPerRequest).toBeGreaterThan(0);
        expect(started).toHaveLength(5);
        expect(r.pids).toEqual(started);
        expect(started.filter(alive)).toEqual([]);
      }, 30_000);
    }
  }

  it('reports a run that loses a node as an error, and leaves no process behind', async () => {
    const ports = await freePorts(5);
    const started: number[] = [];
    const run = runHandwrittenPbft({
      clients: 1, outstanding: 16, requests: 20, batch: 1, auth: 'mac', basePort: ports[0]!, ports, timeoutMs: 20_000,
      onChild: (node, pid) => {
        started.push(pid);
        if (node === 'r3') process.kill(pid, 'SIGKILL');
      },
    });
    await expect(run).rejects.toThrow(/r3 exited/);
    expect(started).toHaveLength(5);
    expect(started.filter(alive)).toEqual([]);
  }, 30_000);

  it('refuses a workload it cannot run, before starting any process', async () => {
    const started: number[] = [];
    await expect(runHandwrittenPbft({ clients: 2, outstanding: 16, requests: 1, batch: 1, auth: 'mac', basePort: 1, onChild: (_n, pid) => started.push(pid) })).rejects.toThrow(/at least one request per client/);
    expect(started).toEqual([]);
  });
});
