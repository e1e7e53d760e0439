// The simulated network's faults as `mommie run --faults` and the client
// API's openSimulation take them: `drop=0.1,dup=0.05,delay=1-40,crash=r2@500,
// partition=r1+c1|r2+r3+r4@100-900`.

import type { SimFaults } from '../transport/sim.js';

export type ParsedFaults = { faults: SimFaults; crashAt: Map<string, number> } | { error: string };

/** `drop=0.1,dup=0.05,delay=1-40,crash=r2@500,partition=r1+c1|r2+r3+r4@100-900` */
export function parseFaults(spec: string): ParsedFaults {
  let faults: SimFaults = { drop: 0, duplicate: 0, minDelayMs: 1, maxDelayMs: 10, partitions: [] };
  const crashAt = new Map<string, number>();
  for (const part of spec.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const eq = part.indexOf('=');
    const key = eq < 0 ? part : part.slice(0, eq);
    const val = eq < 0 ? '' : part.slice(eq + 1);
    const prob = (): number | undefined => {
      const p = Number(val);
      return val !== '' && Number.isFinite(p) && p >= 0 && p < 1 ? p : undefined;
    };
    switch (key) {
      case 'drop':
      case 'dup': {
        const p = prob();
        if (p === undefined) return { error: `--faults: ${key} takes a probability in [0, 1), not '${val}'` };
        faults = key === 'drop' ? { ...faults, drop: p } : { ...faults, duplicate: p };
        break;
      }
      case 'delay': {
        const m = /^(\d+)-(\d+)$/.exec(val);
        if (m === null || Number(m[1]) > Number(m[2])) return { error: `--faults: delay takes MIN-MAX in ms, not '${val}'` };
        faults = { ...faults, minDelayMs: Number(m[1]), maxDelayMs: Number(m[2]) };
        break;
      }
      case 'crash': {
        const m = /^([A-Za-z_][\w]*)@(\d+)$/.exec(val);
        if (m === null) return { error: `--faults: crash takes NODE@MS, not '${val}'` };
        crashAt.set(m[1]!, Number(m[2]));
        break;
      }
      case 'partition': {
        const m = /^([\w+|]+)@(\d+)-(\d+)$/.exec(val);
        if (m === null) return { error: `--faults: partition takes A+B|C+D@FROM-TO, not '${val}'` };
        const groups = m[1]!.split('|').map((g) => g.split('+').filter((x) => x !== ''));
        faults = { ...faults, partitions: [...faults.partitions, { fromMs: Number(m[2]), toMs: Number(m[3]), groups }] };
        break;
      }
      default:
        return { error: `--faults: unknown fault '${key}' (drop, dup, delay, crash, partition)` };
    }
  }
  return { faults, crashAt };
}

