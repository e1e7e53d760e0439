// The cost model's constants, measured on this machine when the tuner runs:
// the crypto floor (wire/floor.ts), the loopback network (probe.ts), and the
// CPU a node spends per statement beside crypto and transport, calibrated
// from a simulated run of a PLAINTEXT deployment of the program (its CPU
// time, less the time the wire spent in crypto, per statement handled, once
// the code is warm; the simulated network has no transport to take out).

import { availableParallelism } from 'node:os';
import type { CheckedDeployment } from '../deploy/resolve.js';
import { cryptoFloor, type CryptoFloor } from '../wire/floor.js';
import { probeLoopback } from './probe.js';
import { cpuOfRun, type SimSetup } from './simulate.js';
import type { CostConstants, NetworkCosts } from './types.js';

export interface MachineCosts {
  readonly cores: number;
  readonly crypto: CryptoFloor;
  readonly network: NetworkCosts;
}

export type MachineResult = { readonly ok: true; readonly machine: MachineCosts } | { readonly ok: false; readonly message: string };

/** Crypto and network costs: the same for every program, so a caller tuning several can measure once. */
export async function measureMachine(opts: { readonly cores?: number; readonly quick?: boolean } = {}): Promise<MachineResult> {
  const crypto = cryptoFloor({ minMs: opts.quick === true ? 20 : 100 });
  const probe = await probeLoopback(opts.quick === true ? { rounds: 60 } : {});
  if (!probe.ok) return { ok: false, message: probe.message };
  return { ok: true, machine: { cores: opts.cores ?? availableParallelism(), crypto, network: probe.costs } };
}

/**
 * µs of CPU per statement handled, crypto aside, from `deployment`'s runs
 * (a PLAINTEXT one: little crypto to take out). A process's first few
 * hundred requests run three to five times slower than the rest while V8
 * compiles the runtime, and a deployed node runs warm: runs of 40 requests
 * repeat until three in a row no longer beat the best by 10%, or `budgetMs`
 * of CPU is spent, and the best run is kept.
 */
export function calibrateProcessing(setup: SimSetup, deployment: CheckedDeployment, budgetMs = 3000): number | undefined {
  let best: number | undefined;
  let flat = 0;
  let spentUs = 0;
  while (spentUs < budgetMs * 1000 && flat < 3) {
    const r = cpuOfRun({ ...setup, requests: 40 }, deployment);
    if (r.statements === 0 || r.completed === 0) return undefined;
    spentUs += r.cpuUs;
    const us = Math.max(0, r.cpuUs - r.cryptoUs) / r.statements;
    flat = best !== undefined && us > 0.9 * best ? flat + 1 : 0;
    best = best === undefined ? us : Math.min(best, us);
  }
  return best;
}

export function costConstants(machine: MachineCosts, processingUs: number): CostConstants {
  return { cores: machine.cores, crypto: machine.crypto, network: machine.network, processingUs };
}
