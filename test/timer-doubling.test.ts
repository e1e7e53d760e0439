// [Timeouts] Role.Transition = D DOUBLING(p) (issue 25 item 5: PBFT's
// view-change timer doubles on each consecutive view change). On the
// simulated network's virtual clock a request of test/fixtures/timers/
// DoublingTimer.mom waits for four timeouts Tick(e, 0..3) in a row: 100 +
// 200 + 400 + 800 ms with DOUBLING(k), 4 x 100 ms without; the second
// request (e = 1) starts again from 100 ms, since the count is per value of
// the other parameters. A DOUBLING that names no parameter is MOM612
// (test/fixtures/deploy/bad/MOM612-doubling-not-a-parameter.deploy, run by
// test/deploy.test.ts).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mommie, ROOT } from './helpers/cli.js';

const SPEC = join(ROOT, 'test', 'fixtures', 'timers', 'DoublingTimer.mom');
const DEPLOY = join(ROOT, 'test', 'fixtures', 'timers', 'DoublingTimer.deploy');

interface Report {
  readonly requests: { readonly completed: number };
  readonly latencyMs: { readonly p50: number; readonly max: number };
  readonly nodes: readonly { readonly node: string; readonly fired: Readonly<Record<string, number>> }[];
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mommie-doubling-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(deploy: string): Promise<Report> {
  const r = await mommie(['run', SPEC, '--deploy', deploy, '--network', 'sim', '--requests', '2', '--concurrency', '1', '--json'], { timeoutMs: 60_000 });
  expect(r.exitCode, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Report;
}

describe('[Timeouts] DOUBLING(p)', () => {
  it('doubles the timer for each instance fired that differs only in p, and starts again when another parameter changes', async () => {
    const doubled = await run(DEPLOY);
    const fixedPath = join(dir, 'fixed.deploy');
    writeFileSync(fixedPath, readFileSync(DEPLOY, 'utf8').replace(' DOUBLING(k)', ''));
    const fixed = await run(fixedPath);
    for (const r of [doubled, fixed]) {
      expect(r.requests.completed).toBe(2);
      expect(r.nodes.find((n) => n.node === 's1')?.fired['Tick']).toBe(8);
    }
    // Each request's latency is its four timers plus the (virtual) network's few milliseconds.
    expect(fixed.latencyMs.max).toBeGreaterThanOrEqual(400);
    expect(fixed.latencyMs.max).toBeLessThan(500);
    expect(doubled.latencyMs.max).toBeGreaterThanOrEqual(1500);
    expect(doubled.latencyMs.max).toBeLessThan(1600);
    // The second request did not inherit the first one's count (else 1600 + 3200 + ... ms).
    expect(doubled.latencyMs.p50).toBeGreaterThanOrEqual(1500);
    expect(doubled.latencyMs.p50).toBeLessThan(1600);
  });
});
