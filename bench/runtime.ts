// The runtime on the simulated network (one process, virtual time, real
// crypto, real encoding): per-request cost over a long run (flatness), and
// each authentication mechanism against the crypto floor measured in the same
// run. Figures are real (wall-clock) time per request; the simulated network
// itself costs nothing but CPU, so this is the runtime's own cost.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { checkFile } from '../src/analysis/frontend.js';
import type { CheckedProgram } from '../src/analysis/program.js';
import type { Deployment, Mechanism } from '../src/deploy/deployment.js';
import { generateKeyRings } from '../src/keys/ring.js';
import { runSimulation } from '../src/runtime/sim-run.js';
import { WireCodec } from '../src/runtime/wire-codec.js';
import { instantiateRun, type ModelInstance } from '../src/semantics/model.js';
import { cryptoFloor, schemaFromModel } from '../src/wire/index.js';
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

async function simRun(model: ModelInstance, pair: Pair, requests: number, concurrency: number, onProgress?: (done: number) => void) {
  const rings = await generateKeyRings(model.nodes.map((n) => n.name));
  const schema = schemaFromModel(model);
  if (!schema.ok) throw new Error(schema.detail);
  const dep = deployment(model, pair);
  const codecs = new Map<string, WireCodec>();
  const t0 = performance.now();
  const heap0 = process.memoryUsage().heapUsed;
  const r = runSimulation({
    model, seed: 1, requests, concurrency, invariants: false, maxTimeMs: 1e12, quiesceMs: 0,
    codecFor: (n) => {
      const c = new WireCodec(rings.get(n)!, dep, schema.schema);
      codecs.set(n, c);
      return c;
    },
    timeoutMs: () => 60_000,
    ...(onProgress !== undefined ? { onProgress } : {}),
  });
  const wallMs = performance.now() - t0;
  let macs = 0, signs = 0, verifies = 0, cryptoMs = 0, bytes = 0, frames = 0;
  for (const c of codecs.values()) {
    const s = c.wire.snapshot();
    macs += s.crypto.mac.count; signs += s.crypto.sign.count; verifies += s.crypto.verify.count;
    cryptoMs += s.crypto.mac.ms + s.crypto.sign.ms + s.crypto.verify.ms;
  }
  for (const n of r.nodes) {
    bytes += n.link.stats.bytesOut;
    frames += n.link.stats.framesOut;
  }
  return { r, wallMs, heapDelta: process.memoryUsage().heapUsed - heap0, macs, signs, verifies, cryptoMs, bytes, frames, statements: r.nodes.reduce((k, n) => k + n.stats.statementsSent, 0) };
}

/** The clients the run uses: the first `k`, the rest crashed from the start. */
function withClients(p: CheckedProgram, k: number, constants: Map<string, number>): ModelInstance {
  const r = instantiateRun(p, constants);
  if (!r.ok) throw r.error;
  const m = r.instance;
  const clients = m.nodes.filter((n) => n.role?.transitions.some((t) => t.decl.params.length > 0 && t.decl.patterns.length === 0));
  const off = new Set(clients.slice(k).map((n) => n.name));
  return { ...m, nodes: m.nodes.map((n) => (off.has(n.name) ? { ...n, status: 'crashed' as const } : n)) };
}

export async function runRuntimeBench(): Promise<void> {
  section('runtime: simulated network (real crypto and encoding, virtual time)');
  const floor = cryptoFloor({ minMs: 300 });
  console.log(`crypto floor: HMAC ${floor.macUs.toFixed(1)} µs, Ed25519 sign ${floor.ed25519SignUs.toFixed(0)} µs / verify ${floor.ed25519VerifyUs.toFixed(0)} µs, RSA-2048 sign ${floor.rsaSignUs.toFixed(0)} µs / verify ${floor.rsaVerifyUs.toFixed(0)} µs`);

  const pb = program('PBCounter');
  if (pb === undefined) {
    console.log('specs/PBCounter.mom missing: flatness not measured');
  } else {
    const N = 10_000;
    const model = withClients(pb, 1, new Map([['MaxSeq', N + 10], ['MaxReq', N + 10]]));
    const samples: { done: number; t: number }[] = [];
    const t0 = performance.now();
    const run = await simRun(model, 'HMAC', N, 1, (done) => samples.push({ done, t: performance.now() - t0 }));
    const at = (k: number): number => {
      const s = samples.find((x) => x.done >= k);
      return s === undefined ? NaN : s.t;
    };
    const first = at(1000) - at(0);
    const last = at(N) - at(N - 1000);
    const ratio = last / first;
    console.log(`flatness (PBCounter, HMAC, 1 client, ${N} requests, ${run.r.completed} completed): first 1,000 ${(first / 1000).toFixed(3)} ms/request, last 1,000 ${(last / 1000).toFixed(3)} ms/request, ratio ${ratio.toFixed(2)} (target <= 1.5: ${ratio <= 1.5 ? 'PASS' : 'FAIL'})`);
    console.log(`memory: ${(run.heapDelta / N / 1024).toFixed(2)} KiB of heap per request after ${N} requests (known statements and fired instances are kept for the run)`);
  }

  const rows: string[] = ['| program | clients | mechanism | requests/s | p50 ms (virtual) | msgs/req | bytes/req | MAC+sign+verify per req | crypto share |', '|---|---|---|---|---|---|---|---|---|'];
  for (const name of ['PBCounter', 'PBFTCounter']) {
    const p = program(name);
    if (p === undefined) continue;
    for (const clients of [1, 4]) {
      for (const pair of ['PLAINTEXT', 'HMAC', 'ED25519', 'RSA'] as const) {
        const N = pair === 'RSA' ? 100 : 400;
        const model = withClients(p, clients, new Map([['MaxSeq', N + 10], ['MaxReq', N + 10]]));
        const x = await simRun(model, pair, N, 1);
        const done = Math.max(1, x.r.completed);
        const lat = [...x.r.latencies].sort((a, b) => a - b);
        rows.push(`| ${name} | ${clients} | ${pair} | ${(done / (x.wallMs / 1000)).toFixed(0)} | ${(lat[Math.floor(lat.length / 2)] ?? 0).toFixed(0)} | ${(x.statements / done).toFixed(1)} | ${(x.bytes / done).toFixed(0)} | ${((x.macs + x.signs + x.verifies) / done).toFixed(1)} | ${((100 * x.cryptoMs) / x.wallMs).toFixed(0)}% |`);
      }
    }
  }
  for (const r of rows) console.log(r);
}

