// Timing helpers shared by the bench sections: run a function after a
// warm-up, collect per-run wall times, summarise them.

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Stats {
  readonly runs: number;
  readonly minMs: number;
  readonly medianMs: number;
  readonly p95Ms: number;
  readonly meanMs: number;
  readonly maxMs: number;
}

/**
 * Calls `fn` untimed `warmup` times and for at least `warmupMs` (so the JIT
 * has optimised it), then `runs` times, timing each call with hrtime.
 */
export function measure(fn: () => unknown, warmup: number, runs: number, warmupMs = 500): Stats {
  const until = process.hrtime.bigint() + BigInt(Math.round(warmupMs * 1e6));
  for (let i = 0; i < warmup || process.hrtime.bigint() < until; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return summarise(times);
}

export function summarise(times: readonly number[]): Stats {
  const s = [...times].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? NaN;
  const sum = s.reduce((a, b) => a + b, 0);
  return { runs: s.length, minMs: s[0] ?? NaN, medianMs: at(0.5), p95Ms: at(0.95), meanMs: sum / Math.max(1, s.length), maxMs: s[s.length - 1] ?? NaN };
}

export function ms(x: number): string {
  return x < 10 ? x.toFixed(3) : x < 100 ? x.toFixed(2) : x.toFixed(1);
}

export function formatStats(s: Stats): string {
  return `min ${ms(s.minMs)}  median ${ms(s.medianMs)}  p95 ${ms(s.p95Ms)}  mean ${ms(s.meanMs)}  max ${ms(s.maxMs)} ms  (${s.runs} runs)`;
}

/** The repository root: the nearest ancestor of this file holding package.json and specs/. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'specs'))) return dir;
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
}

export function section(title: string): void {
  console.log(`\n== ${title} ${'='.repeat(Math.max(0, 72 - title.length))}`);
}

export function peakRss(): string {
  const maxRssMiB = process.resourceUsage().maxRSS / 1024; // maxRSS is in KiB
  const rssMiB = process.memoryUsage().rss / 1024 / 1024;
  return `peak RSS ${maxRssMiB.toFixed(1)} MiB (resourceUsage().maxRSS); current RSS ${rssMiB.toFixed(1)} MiB`;
}
