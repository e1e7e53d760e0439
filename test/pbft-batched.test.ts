// specs/PBFTBatched.mom runs as PBFT's batching does (issue 24 item 3): with
// requests waiting, the primary orders many per sequence number (B = 16 in
// the shipped deploy file); a lone request is not held for a full batch but
// flushed by the timer the deploy file gives, and that duration is what a
// closed-loop client waits. The simulated network, from the shipped files.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mommie, ROOT } from './helpers/cli.js';

const SPEC = 'specs/PBFTBatched.mom';
const DEPLOY = join(ROOT, 'specs', 'PBFTBatched.deploy');

interface Report {
  readonly requests: { readonly started: number; readonly completed: number };
  readonly latencyMs: { readonly p50: number };
  readonly verdict: { readonly outcome: string };
  readonly nodes: readonly { readonly node: string; readonly fired: Readonly<Record<string, number>> }[];
}

async function run(deploy: string, args: readonly string[]): Promise<Report> {
  const r = await mommie(['run', SPEC, '--deploy', deploy, '--network', 'sim', '--json', ...args], { timeoutMs: 120_000 });
  expect(r.exitCode, r.stderr).toBe(0);
  const rep = JSON.parse(r.stdout) as Report;
  expect(rep.verdict.outcome).toBe('ok');
  expect(rep.requests.completed).toBe(rep.requests.started);
  return rep;
}

const fired = (rep: Report, node: string, t: string): number => rep.nodes.find((n) => n.node === node)?.fired[t] ?? 0;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mommie-batched-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('PBFTBatched on the simulated network', () => {
  it('8 clients x 16 in flight: the primary orders batches of up to B = 16, and every replica executes each request once', async () => {
    const rep = await run(DEPLOY, ['--clients', '8', '--concurrency', '16', '--requests', '256']);
    const batches = fired(rep, 'r1', 'StartBatch');
    expect(rep.requests.completed).toBe(256);
    // 256 requests in batches of at most 16: at least 16 sequence numbers, and
    // with 128 requests waiting most batches fill (one agreement per request would be 256).
    expect(batches).toBeGreaterThanOrEqual(16);
    expect(batches).toBeLessThanOrEqual(64);
    for (const r of ['r1', 'r2', 'r3', 'r4']) {
      expect(fired(rep, r, 'Execute'), r).toBe(256);
      expect(fired(rep, r, 'StartBatch'), r).toBe(batches);
    }
    // Backups prepare once per batch, not per request.
    expect(fired(rep, 'r2', 'SendPrepare')).toBe(batches);
  });

  it('a closed loop (1 client, 1 in flight) never fills a batch: every batch is flushed, after the deploy file\'s duration', async () => {
    const quick = await run(DEPLOY, ['--clients', '1', '--concurrency', '1', '--requests', '3']);
    expect(fired(quick, 'r1', 'FlushFirst')).toBe(1);
    expect(fired(quick, 'r1', 'Flush')).toBe(2);
    expect(fired(quick, 'r1', 'StartBatch')).toBe(3);
    // The same run with the flush timers at 2 s: each request waits for its batch's timer.
    const slow = join(dir, 'slow.deploy');
    writeFileSync(slow, readFileSync(DEPLOY, 'utf8').replace('Replica.FlushFirst = 1ms', 'Replica.FlushFirst = 2s').replace('Replica.Flush = 1ms', 'Replica.Flush = 2s'));
    const waited = await run(slow, ['--clients', '1', '--concurrency', '1', '--requests', '3']);
    expect(quick.latencyMs.p50).toBeLessThan(1000);
    expect(waited.latencyMs.p50).toBeGreaterThanOrEqual(2000);
    expect(waited.latencyMs.p50 - quick.latencyMs.p50).toBeGreaterThanOrEqual(1900);
  });
});
