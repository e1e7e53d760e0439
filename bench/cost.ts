// Where a delivered statement's CPU goes (issue 24 item 1): the price of
// abstraction split into the columns of cost-columns.ts, per delivered
// statement, on the simulated network and on one TCP replica, beside the
// hand-written PBFT's CPU per message and the start-up cost.
//
// The figure of the issue's target: PBFTCounter, HMAC + BATCH(16, 2ms), 8
// clients x 16 in flight, 800 requests, simulated network, run-time
// invariants off; CPU (user + system) of this process from the first input
// to the last completion, divided by deliveries of distinct statements to
// their verifiers (no duplicates, retransmissions, or a node's own
// statements). Start-up is excluded by differencing a short run (16 requests)
// from the long one, both after key generation. The columns come from a third,
// profiled, run (sampling costs CPU of its own, so the profiled run's shares
// are applied to the unprofiled marginal figure).
//
// Beside it, the batched PBFT (specs/PBFTBatched.mom, B = 16, its best
// deployment): the same marginal CPU on the simulated network, and its CPU
// per request over TCP against the hand-written PBFT with MACs and batch 16,
// the issue's first target (within 2x).
//
//   MOMMIE_BENCH_COST_REQUESTS   the long run's requests (default 800)
//   MOMMIE_BENCH_COST_PROFILE    write the simulated run's CPU profile to this file (Chrome DevTools reads it)

import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { execa } from 'execa';
import { checkFile } from '../src/analysis/frontend.js';
import type { CheckedProgram } from '../src/analysis/program.js';
import { CPU_PROFILE_ENV } from '../src/runtime/cpu-profile.js';
import type { SimRunResult } from '../src/runtime/sim-run.js';
import { runHandwrittenPbft } from './handwritten/driver.js';
import { columnTimes, COLUMNS, totalOf, type ColumnTimes, type CpuProfile } from './cost-columns.js';
import { configs, deployText, tcpRow, type Config } from './optimizations.js';
import { cpuProfile } from './profile.js';
import { simSetup, type SimSetup } from './sim-setup.js';
import { repoRoot, section } from './stats.js';

/** The issue's target for CPU per delivered statement on the simulated network. */
const TARGET_US = 40;
/** A comparison is judged only on a machine this quiet (1-minute load at its start). */
const QUIET_LOAD = 1.5;

const delivered = (r: SimRunResult): number => r.nodes.reduce((k, n) => k + n.stats.delivered, 0);

function cpuOf<T>(f: () => T): { result: T; cpuMs: number } {
  const c0 = process.cpuUsage();
  const result = f();
  const c = process.cpuUsage(c0);
  return { result, cpuMs: (c.user + c.system) / 1000 };
}

async function profiledColumns(f: () => void): Promise<ColumnTimes> {
  const { profile } = await cpuProfile(async () => f());
  const keep = process.env['MOMMIE_BENCH_COST_PROFILE'];
  if (keep !== undefined && keep !== '') writeFileSync(keep, JSON.stringify(profile));
  return columnTimes(profile);
}

/** `decode 3.1 | check 4.0 | ...`: µs per delivered statement per column, from shares applied to `perStatementUs`. */
function columnRow(times: ColumnTimes, perStatementUs: number): string {
  const total = Math.max(1e-9, totalOf(times));
  return COLUMNS.map((c) => ((times[c] / total) * perStatementUs).toFixed(1)).join(' | ');
}

const HEAD = `| run | µs/statement | ${COLUMNS.join(' | ')} |`;
const RULE = `|---|---|${COLUMNS.map(() => '---').join('|')}|`;

export async function runCostBench(): Promise<void> {
  const load = loadavg()[0]!;
  const judged = load <= QUIET_LOAD;
  section(`cost: where a delivered statement's CPU goes (issue 24 item 1), load ${loadavg().map((l) => l.toFixed(2)).join(' ')}${judged ? '' : ` -- NOT JUDGED: 1-minute load above ${QUIET_LOAD}`}`);
  const dir = join(process.env.MOMMIE_BENCH_SPECS ?? join(repoRoot(), 'specs'));
  const requests = Number(process.env.MOMMIE_BENCH_COST_REQUESTS ?? 800);
  const tmp = mkdtempSync(join(tmpdir(), 'mommie-bench-cost-'));
  try {
    const counter = bestDeployment(dir, 'PBFTCounter', tmp, 31000, requests);
    if (counter === undefined) return;
    const { spec, best, deployPath } = counter;

    // Start-up: what a simulated run spends before its first input (program, deployment, keys).
    const s0 = process.cpuUsage();
    const setup = await simSetup(counter.program, deployPath, 8);
    const startup = process.cpuUsage(s0);
    console.log(`start-up before the first input (check the deploy file, instantiate, make every node's keys): ${((startup.user + startup.system) / 1000).toFixed(0)} ms CPU (target < 1000 ms: ${(startup.user + startup.system) / 1000 < 1000 ? 'PASS' : 'FAIL'})`);

    // The target's figure is the first long run of the process (cold): the
    // issue counts process CPU from the first input to the last completion,
    // and that includes V8 compiling the hot code (its background threads
    // count in process CPU). The same measured again once the code is warm
    // is printed beside it, with its own verdict, so that both the runtime's
    // own cost and what a fresh process pays are visible (docs/decisions.md,
    // issue 24 item 1, "cold and warm").
    const { perStatementUs, perRequestMs, deliveriesPerRequest } = marginal(setup, requests);
    // The same with the interpreter (--reference): what the compiled core (issue 24 item 2) saves, column by column.
    const ref = marginal(setup, requests, true);
    const warm = marginal(setup, requests);
    const warmRef = marginal(setup, requests, true);
    const verdictOf = (us: number): string => (judged ? (us <= TARGET_US ? 'PASS' : 'FAIL') : 'NOT JUDGED');
    console.log(`simulated network, PBFTCounter, ${best.name}, 8 clients x 16, ${requests} requests minus 16, invariants off: ${perStatementUs.toFixed(1)} µs CPU per delivered statement, cold (the first long run of this process, the issue's figure; target <= ${TARGET_US} µs: ${verdictOf(perStatementUs)}); warm ${warm.perStatementUs.toFixed(1)} µs (the same run again, JIT done; target <= ${TARGET_US} µs: ${verdictOf(warm.perStatementUs)}); ${perRequestMs.toFixed(2)} ms per request cold, ${warm.perRequestMs.toFixed(2)} warm; ${deliveriesPerRequest.toFixed(1)} deliveries per request`);
    console.log(`the same with --reference (the interpreter), measured second: ${ref.perStatementUs.toFixed(1)} µs CPU per delivered statement; compiled/reference ${(perStatementUs / ref.perStatementUs).toFixed(2)}; fallbacks to the interpreter in a compiled run of 16 requests: ${setup.run(16).fallbacks ?? 'n/a'}`);
    console.log(`again, both warm (JIT done): compiled ${warm.perStatementUs.toFixed(1)} µs, reference ${warmRef.perStatementUs.toFixed(1)} µs per delivered statement; compiled/reference ${(warm.perStatementUs / warmRef.perStatementUs).toFixed(2)}`);
    await withoutForgetting(counter.program.file, spec, deployPath, tmp, requests);
    console.log(`compiled core, fallbacks to the interpreter (8 requests each, seed 1): ${(await fallbacksPerExample(dir)).join(', ')}`);
    const simTimes = await profiledColumns(() => setup.run(requests));
    const refTimes = await profiledColumns(() => setup.run(requests, undefined, true));
    const rows = [HEAD, RULE, `| simulated, all nodes | ${perStatementUs.toFixed(1)} | ${columnRow(simTimes, perStatementUs)} |`, `| simulated, all nodes, --reference | ${ref.perStatementUs.toFixed(1)} | ${columnRow(refTimes, ref.perStatementUs)} |`];

    // One TCP replica: its own process's profile, over its own deliveries.
    const tcp = await tcpReplica(spec, deployPath, tmp, Math.min(requests, 400));
    if (typeof tcp === 'string') console.log(`TCP replica: not measured: ${tcp}`);
    else rows.push(`| TCP, backup r2 (own process) | ${tcp.perStatementUs.toFixed(1)} | ${columnRow(tcp.times, tcp.perStatementUs)} |`);
    for (const r of rows) console.log(r);
    if (typeof tcp !== 'string') console.log(`TCP r2 over simulated (per statement, whole process): ×${(tcp.perStatementUs / perStatementUs).toFixed(1)}; columns are this run's shares applied to its CPU per delivered statement`);

    // The hand-written PBFT, same transport and crypto, per message.
    let hwCpuMsPerRequest: number | undefined;
    try {
      const hw = await runHandwrittenPbft({ clients: 8, outstanding: 16, requests, batch: 16, auth: 'mac', basePort: 31500 });
      const perMessageUs = (hw.cpuMsPerRequest * 1000) / hw.messagesPerRequest;
      hwCpuMsPerRequest = hw.cpuMsPerRequest;
      console.log(`hand-written PBFT (MACs, batch 16, 8 clients x 16, TCP): ${perMessageUs.toFixed(1)} µs CPU per message sent (${hw.cpuMsPerRequest.toFixed(2)} ms and ${hw.messagesPerRequest.toFixed(1)} messages per request, mean batch ${(hw.completed / Math.max(1, hw.sequenceNumbers)).toFixed(1)}), all processes, sockets included`);
    } catch (e) {
      console.log(`hand-written PBFT: not measured: ${e instanceof Error ? e.message : String(e)}`);
    }
    await batchedPbft(dir, tmp, requests, hwCpuMsPerRequest, judged);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** specs/NAME.mom, checked, and its best deployment written to `tmp` for a run of `requests` (undefined, said, when the spec is missing). */
function bestDeployment(dir: string, name: string, tmp: string, port: number, requests: number): { spec: string; program: CheckedProgram; best: Config; deployPath: string } | undefined {
  const spec = join(dir, `${name}.mom`);
  if (!existsSync(spec)) {
    console.log(`specs/${name}.mom missing: not measured`);
    return undefined;
  }
  const checked = checkFile(spec);
  if (!checked.ok || checked.program === undefined) throw new Error(`specs/${name}.mom does not check`);
  const best = configs(name).find((c) => c.name.startsWith('best'))!;
  const deployPath = join(tmp, `${name}.deploy`);
  writeFileSync(deployPath, deployText(name, best, port, requests)!);
  return { spec, program: checked.program, best, deployPath };
}

/**
 * CPU per request and per delivered statement at the margin: a short run
 * (16 requests) differenced from a long one, after a warm-up, so that
 * start-up and key generation are excluded. `batches`: the primary r1's
 * pre-prepares in the long run minus the short one's (its StartBatch count).
 */
function marginal(setup: SimSetup, requests: number, reference = false): { perStatementUs: number; perRequestMs: number; deliveriesPerRequest: number; meanBatch: number } {
  setup.run(16, undefined, reference); // warm-up: JIT, caches
  const short = cpuOf(() => setup.run(16, undefined, reference));
  const long = cpuOf(() => setup.run(requests, undefined, reference));
  if (long.result.completed < requests) throw new Error(`${long.result.completed} of ${requests} requests completed`);
  const dStatements = delivered(long.result) - delivered(short.result);
  const dRequests = long.result.completed - short.result.completed;
  const batches = (r: SimRunResult): number => r.nodes.find((n) => n.name === 'r1')?.stats.firedBy['StartBatch'] ?? 0;
  return {
    perStatementUs: ((long.cpuMs - short.cpuMs) * 1000) / Math.max(1, dStatements),
    perRequestMs: (long.cpuMs - short.cpuMs) / dRequests,
    deliveriesPerRequest: dStatements / dRequests,
    meanBatch: long.result.completed / Math.max(1, batches(long.result)),
  };
}

/**
 * The batched PBFT with B = 16 and the best deployment (HMAC + BATCH(16,
 * 2ms)), 8 clients x 16 in flight: its marginal CPU on the simulated network,
 * and over TCP its CPU per request (every node process, as the optimizations
 * section measures it, logs replayed) against the hand-written PBFT with MACs
 * and batch 16 measured above. The target: within 2x.
 */
async function batchedPbft(dir: string, tmp: string, requests: number, hwCpuMsPerRequest: number | undefined, judged: boolean): Promise<void> {
  const batched = bestDeployment(dir, 'PBFTBatched', tmp, 31100, requests);
  if (batched === undefined) return;
  const { spec, best, deployPath } = batched;
  const setup = await simSetup(batched.program, deployPath, 8);
  const m = marginal(setup, requests);
  console.log(`simulated network, PBFTBatched (B = 16), ${best.name}, 8 clients x 16, ${requests} requests minus 16, invariants off: ${m.perStatementUs.toFixed(1)} µs CPU per delivered statement, ${m.perRequestMs.toFixed(2)} ms per request, ${m.deliveriesPerRequest.toFixed(1)} deliveries per request, mean batch ${m.meanBatch.toFixed(1)}`);
  const sub = join(tmp, 'batched-tcp');
  const cli = join(repoRoot(), 'dist', 'src', 'cli', 'main.js');
  const tcpRequests = Math.min(requests, 400);
  try {
    const r = await tcpRow(cli, spec, deployPath, mkdtempSync(sub), 8, tcpRequests);
    const vs = hwCpuMsPerRequest === undefined ? 'the hand-written PBFT was not measured' : (() => {
      const ratio = r.cpuMs / hwCpuMsPerRequest;
      return `×${ratio.toFixed(2)} the hand-written PBFT's ${hwCpuMsPerRequest.toFixed(2)} ms (MACs, batch 16; target <= 2×: ${judged ? (ratio <= 2 ? 'PASS' : 'FAIL') : 'NOT JUDGED'})`;
    })();
    console.log(`TCP, PBFTBatched (B = 16), ${best.name}, 8 clients x 16, ${tcpRequests} requests: ${r.cpuMs.toFixed(2)} ms CPU per request over the node processes, ${vs}; ${r.reqPerS.toFixed(1)} req/s, p50 ${r.p50.toFixed(0)} ms, p99 ${r.p99.toFixed(0)} ms, logs ${r.replay ?? 'not replayed'}`);
  } catch (e) {
    console.log(`TCP, PBFTBatched: not measured: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/**
 * The same workload on the program with its FORGET members stripped (the
 * rule of test/helpers/keep-all.ts): the same behaviours, every statement
 * kept. Since PBFTCounter forgets (issue 23), the target's figure includes
 * judging FORGET conditions; this line shows the statement path alone beside
 * it (docs/decisions.md, issue 24, seventh session).
 */
async function withoutForgetting(file: string, spec: string, deployPath: string, tmp: string, requests: number): Promise<void> {
  const text = readFileSync(spec, 'utf8');
  const stripped = text.replace(/\n {2}FORGET [^\n]*(\n {4,}[^\n]*)*/g, '');
  if (stripped === text) return;
  const copy = join(mkdtempSync(join(tmp, 'keep-all-')), basename(file));
  writeFileSync(copy, stripped);
  const checked = checkFile(copy);
  if (!checked.ok || checked.program === undefined) {
    console.log(`without FORGET: not measured (the stripped copy does not check)`);
    return;
  }
  const setup = await simSetup(checked.program, deployPath, 8);
  const cold = marginal(setup, requests);
  const warm = marginal(setup, requests);
  console.log(`the same program without its FORGET members (every statement kept; measured after the figures above, so not cold for the process): ${cold.perStatementUs.toFixed(1)} µs per delivered statement, again ${warm.perStatementUs.toFixed(1)} µs; ${cold.perRequestMs.toFixed(2)} / ${warm.perRequestMs.toFixed(2)} ms per request; ${cold.deliveriesPerRequest.toFixed(1)} deliveries per request`);
}

/** Each example of specs/ with a deploy file, run briefly on the compiled core: how many evaluations it handed to the interpreter. */
async function fallbacksPerExample(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.mom')).sort()) {
    const deploy = join(dir, f.replace(/\.mom$/, '.deploy'));
    const checked = checkFile(join(dir, f));
    if (!existsSync(deploy) || !checked.ok || checked.program === undefined) continue;
    try {
      const r = (await simSetup(checked.program, deploy, 1)).run(8);
      out.push(`${f.replace(/\.mom$/, '')} ${r.fallbacks ?? 'n/a'}`);
    } catch (e) {
      out.push(`${f.replace(/\.mom$/, '')} not run (${e instanceof Error ? e.message : String(e)})`);
    }
  }
  return out;
}

interface TcpReport {
  readonly requests: { readonly completed: number };
  readonly nodes: readonly { readonly node: string; readonly statements: { readonly received: number }; readonly cpu?: { readonly userMs: number; readonly systemMs: number } }[];
}

async function tcpReplica(spec: string, deployPath: string, dir: string, requests: number): Promise<{ perStatementUs: number; times: ColumnTimes } | string> {
  const cli = join(repoRoot(), 'dist', 'src', 'cli', 'main.js');
  const keys = await execa('node', [cli, 'keys', deployPath, '-o', join(dir, 'keys')], { reject: false });
  if (keys.exitCode !== 0) return `mommie keys: ${String(keys.stderr)}`;
  const prof = join(dir, 'prof');
  const run = await execa('node', [cli, 'run', spec, '--deploy', deployPath, '--keys', join(dir, 'keys'), '--network', 'tcp', '--clients', '8', '--concurrency', '16', '--requests', String(requests), '--timeout', '240000', '--json'], {
    reject: false,
    env: { [CPU_PROFILE_ENV]: prof },
  });
  if (run.exitCode !== 0) return `run exited ${run.exitCode}: ${String(run.stderr).split('\n').slice(-2).join(' ')}`;
  const r = JSON.parse(String(run.stdout)) as TcpReport;
  const node = r.nodes.find((n) => n.node === 'r2');
  const file = join(prof, 'r2.cpuprofile');
  if (node === undefined || node.cpu === undefined || !existsSync(file)) return `no report or profile for r2 (${existsSync(prof) ? readdirSync(prof).join(', ') : 'no profiles'})`;
  const times = columnTimes(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile);
  return { perStatementUs: ((node.cpu.userMs + node.cpu.systemMs) * 1000) / Math.max(1, node.statements.received), times };
}
