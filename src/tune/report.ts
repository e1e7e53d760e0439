// What the tuner shows: the measured constants, the ranking table (best
// first), the comment block at the top of the deploy file it writes, and the
// JSON form of all of it.

import type { CostConstants, Objective, ScoredCandidate, TuneResult } from './types.js';

const f1 = (x: number): string => x.toFixed(1);
const f0 = (x: number): string => x.toFixed(0);

/** One paragraph, the constants as measured. */
export function constantsText(c: CostConstants): string {
  const k = c.crypto;
  const n = c.network;
  return [
    `HMAC ${f1(k.macUs)} µs; Ed25519 sign ${f1(k.ed25519SignUs)} µs, verify ${f1(k.ed25519VerifyUs)} µs; RSA-2048 sign ${f0(k.rsaSignUs)} µs, verify ${f1(k.rsaVerifyUs)} µs`,
    `TCP loopback: a frame costs ${f1(n.frameCpu.fixedUs)} µs + ${n.frameCpu.perByteUs.toFixed(4)} µs/byte of CPU, a hop takes ${f1(n.hop.fixedUs)} µs + ${n.hop.perByteUs.toFixed(4)} µs/byte`,
    `processing ${f1(c.processingUs)} µs of CPU per statement; ${c.cores} core${c.cores === 1 ? '' : 's'}`,
    ...(c.tcp === undefined ? [] : [
      `calibrated over TCP (${c.tcp.measured.completed} requests: ${f1(c.tcp.measured.throughputPerS)} req/s, ${f0(c.tcp.measured.cpuUsPerRequest)} µs CPU per request): processing ${f1(c.tcp.simProcessingUs)} µs in simulation, efficiency ${c.tcp.efficiency.toFixed(2)}`,
    ]),
  ].join('; ');
}

export const OBJECTIVE_WORDS: Readonly<Record<Objective, string>> = {
  throughput: 'requests/s, higher is better',
  latency: 'ms per request, lower is better',
  bytes: 'bytes on the wire per request, lower is better',
};

/** The ranking as a table; the objective's column in brackets. */
export function rankingTable(r: TuneResult): string[] {
  const head = (name: string, o: Objective): string => (r.objective === o ? `[${name}]` : name);
  const cols = ['rank', head('requests/s', 'throughput'), head('latency ms', 'latency'), head('bytes/req', 'bytes'), 'CPU µs/req', 'bound'];
  const rows = r.ranked.map((c, i) => [
    String(i + 1), f0(c.prediction.throughputPerS), f1(c.prediction.latencyMs), f0(c.prediction.bytesPerRequest), f0(c.prediction.cpuUsPerRequest), c.prediction.bound,
  ]);
  const widths = cols.map((h, j) => Math.max(h.length, ...rows.map((row) => row[j]!.length)));
  const line = (cells: readonly string[], last: string): string => `${cells.map((c, j) => (j === cells.length - 1 ? c.padEnd(widths[j]!) : c.padStart(widths[j]!))).join('  ')}  ${last}`;
  return [line(cols, 'candidate'), ...rows.map((row, i) => line(row, r.ranked[i]!.description))];
}

function predicted(c: ScoredCandidate): string {
  const p = c.prediction;
  return `${f0(p.throughputPerS)} requests/s, latency ${f1(p.latencyMs)} ms, ${f0(p.bytesPerRequest)} bytes/request, ${f0(p.cpuUsPerRequest)} µs of CPU per request (bound: ${p.bound})`;
}

/** `//` lines for the top of the written deploy file. */
export function deployHeader(r: TuneResult, chosen: ScoredCandidate, program: string, base: string): string {
  const o = chosen.observation;
  const lines = [
    `Chosen by \`mommie deploy-tune ${program} --nodes ${base} --objective ${r.objective}\` on ${new Date().toISOString()}`,
    `from ${r.ranked.length} candidates that passed deploy-check and ran in simulation (docs/optimizations.md, "deploy-tune").`,
    `Candidate: ${chosen.description}`,
    `Predicted: ${predicted(chosen)}.`,
    `Counted per request in simulation: ${f1(o.perRequest.frames)} frames, ${f1(o.perRequest.macs)} MACs, ${f1(o.perRequest.ed25519Signs + o.perRequest.rsaSigns)} signatures, ${f1(o.perRequest.ed25519Verifies + o.perRequest.rsaVerifies)} verifications, ${f1(o.perRequest.statements)} statements, ${f1(o.hops)} hops, ${f1(o.waitsMs)} ms waiting.`,
    `Measured on this machine: ${constantsText(r.constants)}.`,
    ...r.notes.map((n) => `Note: ${n}.`),
  ];
  return lines.map((l) => `// ${l}`).join('\n') + '\n\n';
}

export function candidateJson(c: ScoredCandidate, rank: number): object {
  const o = c.observation;
  return {
    rank, origin: c.origin, description: c.description, predicted: c.prediction,
    counts: { completed: o.completed, perRequest: o.perRequest, hops: o.hops, waitsMs: o.waitsMs, outstanding: o.outstanding, processes: o.processes },
    text: c.text,
  };
}

export function resultJson(r: TuneResult): object {
  return {
    objective: r.objective,
    constants: r.constants,
    ranked: r.ranked.map((c, i) => candidateJson(c, i + 1)),
    rejected: r.rejected.map((c) => ({ origin: c.origin, description: c.description, reasons: c.reasons, text: c.text })),
    base: r.base,
    notes: r.notes,
  };
}
