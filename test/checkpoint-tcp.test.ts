// A node process that checkpoints (issue 23 item 5) over TCP: PBCounter with
// [Limits] CheckpointEvery = 25, its primary SIGKILLed once its log has been
// compacted, restarted with --rejoin: it restores its newest checkpoint,
// re-does the events after it, and the run completes; the run's logs (the
// primary's compacted, with its checkpoint beside it) replay. Free ports,
// bounded in time, no process left behind.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkFile } from '../src/analysis/frontend.js';
import { replayTraces } from '../src/trace/replay.js';
import { ROOT } from './helpers/cli.js';
import { makeKeys, pids, startMommie, tempDeploy, until } from './helpers/tcp-run.js';

const spec = join(ROOT, 'specs', 'PBCounter.mom');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mommie-checkpoint-tcp-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('checkpoints over TCP', () => {
  it('a killed primary recovers from its newest checkpoint and the log after it; the run completes and its compacted logs replay', async () => {
    const d = await tempDeploy('PBCounter', dir);
    appendFileSync(d.path, '\n[Limits]\nCheckpointEvery = 25\n');
    const keys = join(dir, 'keys');
    await makeKeys(d.path, keys);
    const traces = join(dir, 'traces');
    const common = ['--deploy', d.path, '--keys', keys, '--network', 'tcp', '--model', 'AllCorrect', '--trace', traces];
    const run = startMommie(['run', spec, ...common, '--requests', '60', '--timeout', '80000', '--json']);
    const r1log = join(traces, 'r1.ndjson');
    // Compacted at least once: the log starts from a checkpoint.
    // (Counting replies in c1's log would not do: c1 compacts its log too.)
    await until('r1 has compacted its log', () => existsSync(r1log) && readFileSync(r1log, 'utf8').split('\n')[0]!.includes('"from"'), 60_000);
    const [r1] = await pids(`--node r1 --trace-dir ${traces}`);
    process.kill(r1!, 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const rejoin = startMommie(['run', spec, ...common, '--node', 'r1', '--rejoin', '--timeout', '80000']);
    const r = await run;
    expect(r.exitCode, r.all).toBe(0);
    expect((JSON.parse(r.stdout) as { requests: { completed: number } }).requests.completed).toBe(60);
    rejoin.kill('SIGINT');
    const j = await rejoin;
    expect(j.exitCode, j.all).toBe(130);
    expect(j.all).toMatch(/r1 recovered from its log: checkpoint \d+ restored, then \d+ events re-done/);
    // The log holds at most two intervals (and what the last one's step added); the history before is gone.
    const first = JSON.parse(readFileSync(r1log, 'utf8').split('\n')[0]!) as { from?: { n: number } };
    expect(first.from?.n).toBeGreaterThan(0);
    expect(readdirSync(traces).filter((f) => f.startsWith('r1.ckpt-')).length).toBeLessThanOrEqual(3);
    const fe = checkFile(spec);
    const files = readdirSync(traces).filter((f) => f.endsWith('.ndjson')).map((f) => ({ path: join(traces, f), text: readFileSync(join(traces, f), 'utf8') }));
    const rp = replayTraces(fe.program!, files);
    expect(rp.ok, JSON.stringify(rp)).toBe(true);
    if (rp.ok) expect(rp.checkpoints?.some((c) => c.node === 'r1')).toBe(true);
    // Every Assign of the run, before the kill and after, is accounted for: 60 requests ordered once each.
    expect(await pids(traces)).toEqual([]);
  }, 150_000);
});
