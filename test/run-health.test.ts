// The run report's health section (issue 24 item 5): a run that completes
// every request can still be sick, and the report says what looks wrong and
// what to change. Real runs of the shipped PBCounter deployment, healthy and
// with a timer set too short, plus the findings only a TCP run on a busy
// machine shows, from a constructed report.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatHealth, runHealth, type HealthFinding, type HealthInputs } from '../src/runtime/health.js';
import type { NodeReport, RunReport } from '../src/runtime/report.js';
import { mommie, ROOT } from './helpers/cli.js';

interface Report {
  requests: { completed: number };
  health: HealthFinding[];
}

/** specs/PBCounter.deploy with one line changed, in a fresh directory. */
function deployWith(from: string, to: string): string {
  const text = readFileSync(join(ROOT, 'specs', 'PBCounter.deploy'), 'utf8');
  expect(text).toContain(from);
  const file = join(mkdtempSync(join(tmpdir(), 'mommie-health-')), 'PBCounter.deploy');
  writeFileSync(file, text.replace(from, to));
  return file;
}

async function simRun(deploy: string): Promise<{ report: Report; text: string }> {
  const args = ['run', 'specs/PBCounter.mom', '--deploy', deploy, '--network', 'sim', '--concurrency', '16', '--requests', '100'];
  const json = await mommie([...args, '--json']);
  expect(json.exitCode, json.stderr).toBe(0);
  const text = await mommie(args);
  expect(text.exitCode, text.stderr).toBe(0);
  return { report: JSON.parse(json.stdout) as Report, text: text.stdout };
}

describe('run report: health', () => {
  it('says nothing looks wrong for the shipped deployment', async () => {
    const { report, text } = await simRun('specs/PBCounter.deploy');
    expect(report.requests.completed).toBe(100);
    expect(report.health).toEqual([]);
    expect(text).toContain('health: nothing looks wrong');
  });

  it('names an escalation timeout below the p50 latency, and what to raise', async () => {
    const { report, text } = await simRun(deployWith('OPTIMISTIC(PRIMARY) 200ms', 'OPTIMISTIC(PRIMARY) 1ms'));
    // Every request still completes: health is about cost, not the verdict.
    expect(report.requests.completed).toBe(100);
    expect(report.health.map((f) => f.code)).toEqual(['escalated']);
    expect(report.health[0]!.advice).toMatch(/^the escalation timeout \(1\.0 ms\) is below the p50 latency \(\d+ ms\): raise it above the p99 latency/);
    expect(text).toContain('warning (escalated): 100 optimistic steps ran out of time without progress');
  });

  it('stretches escalation timers to the progress delay a node measures: only the first window escalates', async () => {
    // 150-300 ms per message puts every request's progress past the shipped 200 ms; each client's first
    // window (4 requests × 8 clients) escalates before a sample exists, later ones wait what the node measured.
    const r = await mommie(['run', 'specs/PBCounter.mom', '--deploy', 'specs/PBCounter.deploy', '--network', 'sim', '--concurrency', '4', '--requests', '200', '--faults', 'delay=150-300', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as Report & { latencyMs: { p50: number }; nodes: { dissemination?: { escalations: number } }[] };
    expect(report.requests.completed).toBe(200);
    expect(report.latencyMs.p50).toBeGreaterThan(200);
    const escalations = report.nodes.reduce((k, n) => k + (n.dissemination?.escalations ?? 0), 0);
    expect(escalations).toBeGreaterThan(0);
    expect(escalations).toBeLessThanOrEqual(32);
  });

  it('notes a TIMEOUT that fired while every node was correct', async () => {
    const { report } = await simRun(deployWith('Replica.SuspectPrimary = 500ms', 'Replica.SuspectPrimary = 5ms'));
    const f = report.health.find((x) => x.code === 'timeout-without-fault');
    expect(f?.severity).toBe('note');
    expect(f?.message).toMatch(/^TIMEOUT Replica\.SuspectPrimary fired \(r\d ×\d+.*\) although every node was correct; its timer is 5\.0 ms/);
    expect(f?.advice).toContain('raise Replica.SuspectPrimary in the deploy file\'s [Timeouts] above the p99 latency');
  });
});

describe('runHealth on a TCP run', () => {
  const node = (name: string, out: number, retransmitted: number, status: NodeReport['status'] = 'correct'): NodeReport => ({
    node: name, role: 'Replica', status, fired: {}, aborted: 0, state: {},
    statements: { published: 0, sent: 0, received: 0, duplicates: 0 },
    frames: { out, in: out, retransmitted, bytesOut: 0, bytesIn: 0, dropped: {} },
  });
  const report = (nodes: NodeReport[]): RunReport => ({
    program: 'P', network: 'tcp', requests: { asked: 10, started: 10, completed: 10, exhausted: false }, durationMs: 1000, clock: 'real',
    throughputPerS: 10, latencyMs: { p50: 50, p99: 90, max: 100 }, nodes, aborts: [],
  });
  const quiet: HealthInputs = { timeouts: [], escalationMs: [], faultsInjected: false, load: { start: 0.3, end: 0.5, cores: 2 } };

  it('flags a node whose frames were mostly retransmissions, and blames the load when the machine was busy', () => {
    const r = report([node('r1', 5943, 4298), node('r2', 1000, 50)]);
    const calm = runHealth(r, quiet);
    expect(calm.map((f) => f.message)).toEqual(['r1: 4298 of its 5943 frames were retransmissions (72%, more than 5%)']);
    expect(calm[0]!.advice).toContain('a peer was slow to answer');
    const busy = runHealth(r, { ...quiet, load: { start: 5.9, end: 3, cores: 2 } });
    expect(busy[0]!.advice).toContain('the machine was busy (1-minute load 5.9 at the start, 3.0 at the end, on 2 cores)');
    // A load the run raised itself (13 node processes on 2 cores) is not a busy machine.
    const own = runHealth(r, { ...quiet, load: { start: 0.6, end: 2.6, cores: 2 } });
    expect(own[0]!.advice).toContain('a peer was slow to answer');
  });

  it('expects retransmissions when a node was down', () => {
    expect(runHealth(report([node('r1', 5943, 4298), node('r2', 10, 0, 'stopped')]), quiet)).toEqual([]);
  });

  it('says when only the load looks wrong', () => {
    const f = runHealth(report([node('r1', 100, 0)]), { ...quiet, load: { start: 4, end: 4, cores: 2 } });
    expect(f.map((x) => x.code)).toEqual(['busy-machine']);
    expect(formatHealth(f)).toEqual([
      'health:',
      '  note (busy-machine): the machine was busy during the run (1-minute load 4.0 at the start, 4.0 at the end, on 2 cores)',
      '    latency and throughput reflect the load as much as the protocol: measure on a quieter machine',
    ]);
  });
});
