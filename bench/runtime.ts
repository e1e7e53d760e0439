// The runtime on the simulated network (one process, virtual time, real
// crypto, real encoding): per-request cost over a long run (flatness), and
// each authentication mechanism against the crypto floor measured in the same
// run. Figures are real (wall-clock) time per request; the simulated network
// itself costs nothing but CPU, so this is the runtime's own cost.

import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { execa } from 'execa';
import { join } from 'node:path';
import { checkFile } from '../src/analysis/frontend.js';
import type { CheckedProgram } from '../src/analysis/program.js';
import type { Deployment, Mechanism } from '../src/deploy/deployment.js';
import { generateKeyRings } from '../src/keys/ring.js';
import { CPU_PROFILE_ENV } from '../src/runtime/cpu-profile.js';
import { runSimulation } from '../src/runtime/sim-run.js';
import { WireCodec } from '../src/runtime/wire-codec.js';
import { instantiateRun, withClients as keepClients, type ModelInstance } from '../src/semantics/model.js';
import { cryptoFloor, schemaFromModel } from '../src/wire/index.js';
import { addShares, formatShares, PARTS, profiled, sharesOfFile, type Shares } from './profile.js';
import { repoRoot, section } from './stats.js';

type Pair = 'PLAINTEXT' | 'HMAC' | 'ED25519' | 'RSA';

function deployment(model: ModelInstance, pair: Pair): Deployment {
  // Auditable statements need a signature whatever the pairs use: RSA when RSA is measured, else Ed25519.
  const signer: Mechanism = { kind: pair === 'RSA' ? 'RSA' : 'ED25519' };
  return {
    file: '<bench>',
    nodes: new Map(model.nodes.map((n, i) => [n.name, { host: '127.0.0.1', port: 20000 + i }])),
    mechanismFor: (_i, _v, auditors) => (auditors.length === 0 ? { kind: pair } : signer),
    timeoutMs: () => 60_000,
    constants: new Map(),
    dissemination: [],
  };
}

function program(name: string): CheckedProgram | undefined {
  const path = join(process.env.MOMMIE_BENCH_SPECS ?? join(repoRoot(), 'specs'), `${name}.mom`);
  if (!existsSync(path)) return undefined;
  const r = checkFile(path);
  return r.ok ? r.program : undefined;
}

/** Heap in use after a full collection (the bench exposes gc to itself: a figure with garbage in it says nothing). */
function settledHeap(): number {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as (() => void) | undefined;
  gc?.();
  return process.memoryUsage().heapUsed;
}

async function simRun(model: ModelInstance, pair: Pair, requests: number, concurrency: number, onProgress?: (done: number) => void) {
  const rings = await generateKeyRings(model.nodes.map((n) => n.name));
  const schema = schemaFromModel(model);
  if (!schema.ok) throw new Error(schema.detail);
  const dep = deployment(model, pair);
  const codecs = new Map<string, WireCodec>();
  const heap0 = settledHeap();
  const t0 = performance.now();
  const { result: r, shares } = await profiled(async () => runSimulation({
    model, seed: 1, requests, concurrency, invariants: false, maxTimeMs: 1e12, quiesceMs: 0,
    codecFor: (n) => {
      const c = new WireCodec(rings.get(n)!, dep, schema.schema);
      codecs.set(n, c);
      return c;
    },
    timeoutMs: () => 60_000,
    ...(onProgress !== undefined ? { onProgress } : {}),
  }));
  const wallMs = performance.now() - t0;
  // The run's nodes are still referenced (r): what they keep is in the heap.
  const heapDelta = settledHeap() - heap0;
  let macs = 0, signs = 0, verifies = 0, bytes = 0;
  for (const c of codecs.values()) {
    const s = c.wire.snapshot();
    macs += s.crypto.mac.count; signs += s.crypto.sign.count; verifies += s.crypto.verify.count;
  }
  for (const n of r.nodes) bytes += n.link.stats.bytesOut;
  return { r, wallMs, heapDelta, shares, macs, signs, verifies, bytes, statements: r.nodes.reduce((k, n) => k + n.stats.statementsSent, 0) };
}

/** The program's run instance with only the first `k` clients running. */
function withClients(p: CheckedProgram, k: number, constants: Map<string, number>): ModelInstance {
  const r = instantiateRun(p, constants);
  if (!r.ok) throw r.error;
  const m = keepClients(r.instance, k);
  if ('available' in m) throw new Error(`${p.name} has ${m.available} clients, not ${k}`);
  return m;
}

const PAIRS = ['PLAINTEXT', 'HMAC', 'ED25519', 'RSA'] as const;
const share = (part: number, all: Shares): string => `${((100 * part) / Math.max(1e-9, PARTS.reduce((n, k) => n + all[k], 0))).toFixed(0)}%`;
const SHARE_HEAD = 'crypto | encoding | matching | transport | GC | other';

export async function runRuntimeBench(): Promise<void> {
  section('runtime: simulated network (real crypto and encoding, virtual time)');
  const floor = cryptoFloor({ minMs: 300 });
  console.log(`crypto floor: HMAC ${floor.macUs.toFixed(1)} µs, Ed25519 sign ${floor.ed25519SignUs.toFixed(0)} µs / verify ${floor.ed25519VerifyUs.toFixed(0)} µs, RSA-2048 sign ${floor.rsaSignUs.toFixed(0)} µs / verify ${floor.rsaVerifyUs.toFixed(0)} µs`);

  const pb = program('PBCounter');
  if (pb === undefined) {
    console.log('specs/PBCounter.mom missing: flatness not measured');
  } else {
    const N = Number(process.env.MOMMIE_BENCH_FLAT_REQUESTS ?? 10_000);
    const model = withClients(pb, 1, new Map([['MaxSeq', N + 10], ['MaxReq', N + 10]]));
    const samples: { done: number; t: number }[] = [];
    const t0 = performance.now();
    const run = await simRun(model, 'HMAC', N, 1, (done) => samples.push({ done, t: performance.now() - t0 }));
    const at = (k: number): number => {
      const s = samples.find((x) => x.done >= k);
      return s === undefined ? NaN : s.t;
    };
    const k = Math.min(1000, Math.floor(N / 10));
    const first = at(k) - at(0);
    const last = at(N) - at(N - k);
    const ratio = last / first;
    console.log(`flatness (PBCounter, HMAC, 1 client, ${N} requests, ${run.r.completed} completed, run-time invariants off): first ${k} ${(first / k).toFixed(3)} ms/request, last ${k} ${(last / k).toFixed(3)} ms/request, ratio ${ratio.toFixed(2)} (target <= 1.5: ${ratio <= 1.5 ? 'PASS' : 'FAIL'})`);
    console.log(`memory: ${(run.heapDelta / N / 1024).toFixed(2)} KiB of live heap per request after ${N} requests, over 5 nodes (every node keeps the statements it knows and the instances it fired, as the semantics does)`);
    console.log(`time shares over the run: ${formatShares(run.shares)}`);
  }

  const rows: string[] = [
    `| program | clients | mechanism | requests/s (CPU-bound) | msgs/req | bytes/req | MACs/req | signs/req | verifies/req | ${SHARE_HEAD} |`,
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const name of ['PBCounter', 'PBFTCounter']) {
    const p = program(name);
    if (p === undefined) continue;
    for (const clients of [1, 4]) {
      for (const pair of PAIRS) {
        const N = pair === 'RSA' ? 100 : 400;
        const model = withClients(p, clients, new Map([['MaxSeq', N + 10], ['MaxReq', N + 10]]));
        const x = await simRun(model, pair, N, 1);
        const done = Math.max(1, x.r.completed);
        const s = x.shares;
        rows.push(`| ${name} | ${clients} | ${pair} | ${(done / (x.wallMs / 1000)).toFixed(0)} | ${(x.statements / done).toFixed(1)} | ${(x.bytes / done).toFixed(0)} | ${(x.macs / done).toFixed(1)} | ${(x.signs / done).toFixed(1)} | ${(x.verifies / done).toFixed(1)} | ${PARTS.map((k) => share(s[k], s)).join(' | ')} |`);
      }
    }
  }
  for (const r of rows) console.log(r);
  await runTcpBench();
}

/** The deploy file of `name` with every pair on `pair` (signatures for auditable statements) and ports moved to `base`. */
function benchDeploy(name: string, pair: Pair, base: number): string | undefined {
  const path = join(process.env.MOMMIE_BENCH_SPECS ?? join(repoRoot(), 'specs'), `${name}.deploy`);
  if (!existsSync(path)) return undefined;
  const nodes = [...readFileSync(path, 'utf8').matchAll(/^\s*([A-Za-z_]\w*)\s*=\s*127\.0\.0\.1:\d+/gm)].map((m) => m[1]!);
  const sets = [...new Set(nodes.map((n) => n.replace(/\d+$/, '').toUpperCase()))];
  const signer = pair === 'RSA' ? 'RSA' : 'ED25519';
  return [
    '[Nodes]', ...nodes.map((n, i) => `${n} = 127.0.0.1:${base + i}`), '',
    '[Authentication]', ...sets.flatMap((a, i) => sets.slice(i).map((b) => `${a} <-> ${b} : ${pair}`)), '',
    '[Non-repudiation]', ...sets.map((a) => `${a} -> * : ${signer}`), '',
  ].join('\n');
}

interface TcpReport {
  readonly requests: { readonly completed: number };
  readonly throughputPerS: number;
  readonly latencyMs: { readonly p50: number; readonly p99: number };
  readonly nodes: readonly { readonly statements: { readonly sent: number }; readonly frames: { readonly bytesOut: number }; readonly wire?: { readonly crypto: Record<'mac' | 'sign' | 'verify', { readonly count: number }> } }[];
}

/** 4 replicas over TCP loopback, one process per node, each writing its CPU profile (MOMMIE_CPU_PROFILE_DIR). */
async function runTcpBench(): Promise<void> {
  section('runtime: TCP loopback (one process per node, real time)');
  const cli = join(repoRoot(), 'dist', 'src', 'cli', 'main.js');
  const requests = Number(process.env.MOMMIE_BENCH_TCP_REQUESTS ?? 100);
  const rows: string[] = [
    `| program | clients | mechanism | requests/s | p50 ms | p99 ms | msgs/req | bytes/req | MACs/req | signs/req | verifies/req | ${SHARE_HEAD} |`,
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  let base = 27000;
  for (const name of ['PBCounter', 'PBFTCounter']) {
    const spec = join(process.env.MOMMIE_BENCH_SPECS ?? join(repoRoot(), 'specs'), `${name}.mom`);
    if (!existsSync(spec)) continue;
    for (const clients of [1, 4]) {
      for (const pair of PAIRS) {
        base += 100;
        const text = benchDeploy(name, pair, base);
        if (text === undefined) continue;
        const dir = mkdtempSync(join(tmpdir(), 'mommie-bench-tcp-'));
        try {
          const deploy = join(dir, `${name}.deploy`);
          writeFileSync(deploy, `${text}\n[Constants]\nMaxReq = ${requests + 10}\nMaxSeq = ${(requests + 10) * 8}\n`);
          const keys = await execa('node', [cli, 'keys', deploy, '-o', join(dir, 'keys')], { reject: false });
          if (keys.exitCode !== 0) {
            console.log(`${name} ${pair}: mommie keys failed: ${String(keys.stderr)}`);
            continue;
          }
          const prof = join(dir, 'prof');
          const proc = execa('node', [cli, 'run', spec, '--deploy', deploy, '--keys', join(dir, 'keys'), '--network', 'tcp', '--clients', String(clients), '--requests', String(requests), '--timeout', '180000', '--json'], {
            reject: false, env: { [CPU_PROFILE_ENV]: prof },
          });
          const run = await proc;
          if (run.exitCode !== 0) {
            console.log(`${name} ${clients} client(s) ${pair}: run exited ${run.exitCode}: ${String(run.stderr).split('\n').slice(-3).join(' ')}`);
            continue;
          }
          const r = JSON.parse(String(run.stdout)) as TcpReport;
          const done = Math.max(1, r.requests.completed);
          const sum = (f: (n: TcpReport['nodes'][number]) => number): number => r.nodes.reduce((k, n) => k + f(n), 0);
          const crypto = (op: 'mac' | 'sign' | 'verify'): number => sum((n) => n.wire?.crypto[op].count ?? 0) / done;
          const files = existsSync(prof) ? readdirSync(prof).filter((f) => f.endsWith('.cpuprofile')).sort() : [];
          let shares: Shares = { crypto: 0, encoding: 0, matching: 0, transport: 0, gc: 0, other: 0 };
          for (const f of files) shares = addShares(shares, sharesOfFile(join(prof, f)));
          rows.push(`| ${name} | ${clients} | ${pair} | ${r.throughputPerS.toFixed(1)} | ${r.latencyMs.p50.toFixed(1)} | ${r.latencyMs.p99.toFixed(1)} | ${(sum((n) => n.statements.sent) / done).toFixed(1)} | ${(sum((n) => n.frames.bytesOut) / done).toFixed(0)} | ${crypto('mac').toFixed(1)} | ${crypto('sign').toFixed(1)} | ${crypto('verify').toFixed(1)} | ${PARTS.map((k) => share(shares[k], shares)).join(' | ')} |`);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }
    }
  }
  for (const r of rows) console.log(r);
}
