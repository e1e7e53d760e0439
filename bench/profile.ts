// Where a run's CPU time goes, from V8 CPU profiles (the inspector's for the
// simulated network, `--cpu-prof` files for TCP node processes). Each sample
// is charged to the first frame, from the leaf up, that belongs to one of
// the runtime's parts: crypto (node:crypto), encoding (canonical CBOR,
// frames, trace values), matching and evaluation (src/semantics), transport
// and I/O (the link, the simulated network, sockets), or garbage collection;
// what none claims is the runtime's own bookkeeping ("other"). Idle time is
// not CPU time and is left out.

import { Session } from 'node:inspector/promises';
import { readFileSync } from 'node:fs';

export const PARTS = ['crypto', 'encoding', 'matching', 'transport', 'gc', 'other'] as const;
export type Part = (typeof PARTS)[number];
export type Shares = Record<Part, number>;

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string };
  readonly children?: readonly number[];
}

export interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples?: readonly number[];
  readonly timeDeltas?: readonly number[];
}

const RULES: readonly (readonly [RegExp, Part])[] = [
  [/^node:internal\/crypto|\/src\/wire\/(auth|floor)\./, 'crypto'],
  [/\/src\/wire\/(cbor|frame|statement|schema)\.|\/src\/trace\/value-json\.|\/src\/runtime\/(codec|wire-codec)\./, 'encoding'],
  [/\/src\/semantics\//, 'matching'],
  [/\/src\/transport\/|\/src\/runtime\/link\.|^node:(net|dgram)$|^node:internal\/(net|stream_base_commons|streams\/|child_process)/, 'transport'],
];

function classifyFrame(n: ProfileNode): Part | 'idle' | undefined {
  const { functionName, url } = n.callFrame;
  if (functionName === '(garbage collector)') return 'gc';
  if (functionName === '(idle)') return 'idle';
  for (const [re, part] of RULES) if (re.test(url)) return part;
  return undefined;
}

/** CPU milliseconds per part, from one profile. */
export function sharesOf(p: CpuProfile): Shares {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const memo = new Map<number, Part | 'idle'>();
  const partOf = (id: number): Part | 'idle' => {
    const known = memo.get(id);
    if (known !== undefined) return known;
    let cur: number | undefined = id;
    let part: Part | 'idle' = 'other';
    while (cur !== undefined) {
      const c = classifyFrame(byId.get(cur)!);
      if (c !== undefined) {
        part = c;
        break;
      }
      cur = parent.get(cur);
    }
    memo.set(id, part);
    return part;
  };
  const out: Shares = { crypto: 0, encoding: 0, matching: 0, transport: 0, gc: 0, other: 0 };
  const samples = p.samples ?? [];
  const deltas = p.timeDeltas ?? [];
  samples.forEach((id, i) => {
    const part = partOf(id);
    if (part !== 'idle') out[part] += (deltas[i] ?? 0) / 1000;
  });
  return out;
}

export function addShares(a: Shares, b: Shares): Shares {
  const out = { ...a };
  for (const k of PARTS) out[k] += b[k];
  return out;
}

export function sharesOfFile(path: string): Shares {
  return sharesOf(JSON.parse(readFileSync(path, 'utf8')) as CpuProfile);
}

export function formatShares(s: Shares): string {
  const total = PARTS.reduce((n, k) => n + s[k], 0);
  if (total === 0) return 'no samples';
  return PARTS.map((k) => `${k} ${((100 * s[k]) / total).toFixed(0)}%`).join(', ');
}

/** Profiles `fn` in this process (sampling every 200 µs): its result and V8's CPU profile. */
export async function cpuProfile<T>(fn: () => Promise<T>): Promise<{ result: T; profile: CpuProfile }> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 200 });
    await session.post('Profiler.start');
    const result = await fn();
    const { profile } = (await session.post('Profiler.stop')) as { profile: CpuProfile };
    return { result, profile };
  } finally {
    session.disconnect();
  }
}

/** Profiles `fn` in this process and returns its result with the shares. */
export async function profiled<T>(fn: () => Promise<T>): Promise<{ result: T; shares: Shares }> {
  const { result, profile } = await cpuProfile(fn);
  return { result, shares: sharesOf(profile) };
}
