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

/** One frame of a sampled stack. */
export interface ProfileFrame {
  readonly functionName: string;
  readonly url: string;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: ProfileFrame;
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

function classifyFrame(f: ProfileFrame): Part | 'idle' | undefined {
  const { functionName, url } = f;
  if (functionName === '(garbage collector)') return 'gc';
  if (functionName === '(idle)') return 'idle';
  for (const [re, part] of RULES) if (re.test(url)) return part;
  return undefined;
}

/**
 * CPU milliseconds per category: each sample is charged to what `classify`
 * says of its stack (leaf first), worked out once per profile node; 'idle'
 * samples are not CPU time and are left out.
 */
export function timeByStack<K extends string>(p: CpuProfile, zero: Readonly<Record<K, number>>, classify: (stack: readonly ProfileFrame[]) => K | 'idle'): Record<K, number> {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const memo = new Map<number, K | 'idle'>();
  const out = { ...zero } as Record<K, number>;
  const deltas = p.timeDeltas ?? [];
  (p.samples ?? []).forEach((id, i) => {
    let k = memo.get(id);
    if (k === undefined) {
      const stack: ProfileFrame[] = [];
      for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) stack.push(byId.get(cur)!.callFrame);
      k = classify(stack);
      memo.set(id, k);
    }
    if (k !== 'idle') out[k] += (deltas[i] ?? 0) / 1000;
  });
  return out;
}

/** CPU milliseconds per part, from one profile: the first frame from the leaf up that a rule claims. */
export function sharesOf(p: CpuProfile): Shares {
  return timeByStack<Part>(p, { crypto: 0, encoding: 0, matching: 0, transport: 0, gc: 0, other: 0 }, (stack) => {
    for (const f of stack) {
      const c = classifyFrame(f);
      if (c !== undefined) return c;
    }
    return 'other';
  });
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
