// One long simulated run for the `forget` bench section, in a process of its
// own started with --expose-gc: the live heap after a forced collection and
// the runtime's own counts at 10%, 50% and 100% of the requests completed,
// and the CPU so far after every slice of the run. Prints one JSON line
// (ForgetRun) on stdout.
//
//   node --expose-gc dist/bench/forget-child.js PBCounter 10000

import { join } from 'node:path';
import { checkFile } from '../src/analysis/frontend.js';
import type { RuntimeNode } from '../src/runtime/node.js';
import type { WireCodec } from '../src/runtime/wire-codec.js';
import { simSetup } from './sim-setup.js';

/** What the runtime holds at one point of the run, summed over the correct nodes. */
export interface ForgetCounts {
  readonly known: number;
  readonly indexEntries: number;
  readonly handled: number;
  readonly pending: number;
  /** Link frames not acknowledged and outbox entries not sent. */
  readonly outbox: number;
  /** Forgetting's own: statements filed under what blocks them, fire-once entries waiting for their record to be forgotten. */
  readonly watermarks: number;
  /** Digested items held, authenticators kept, statements awaiting a countersignature. */
  readonly heldDigests: number;
  /** Records indexed by digest for DIGEST (capped per node at MAX_INDEXED_RECORDS, not by the window). */
  readonly digestIndex: number;
  /** The most statements one client, and one replica, knows. */
  readonly clientKnown: number;
  readonly replicaKnown: number;
}

export interface ForgetSample {
  readonly at: number;
  readonly completed: number;
  readonly heapBytes: number;
  readonly counts: ForgetCounts;
}

export interface ForgetRun {
  readonly program: string;
  readonly requests: number;
  readonly completed: number;
  readonly forgotten: number;
  readonly absorbed: number;
  /** Heap and counts at 10%, 50% and 100%. */
  readonly samples: readonly ForgetSample[];
  /** After every slice of the run: requests completed and CPU ms so far, the forced collections' CPU left out. */
  readonly cpu: readonly (readonly [number, number])[];
  /** The child's peak resident set, KiB. */
  readonly maxRssKb: number;
}

export const FORGET_POINTS = [0.1, 0.5, 1] as const;

function counts(nodes: readonly RuntimeNode[], codecs: readonly WireCodec[]): ForgetCounts {
  let known = 0, indexEntries = 0, handled = 0, pending = 0, outbox = 0, watermarks = 0, heldDigests = 0, digestIndex = 0, clientKnown = 0, replicaKnown = 0;
  for (const n of nodes) {
    const m = n.machine;
    known += m.known.size;
    indexEntries += m.known.indexEntries();
    handled += m.handledCount;
    pending += m.pendingCount;
    outbox += n.link.outstanding + n.outbox.held;
    const f = m.forgetCounts;
    if (f !== undefined) watermarks += f.watching + f.droppable;
    if (m.node.role?.name === 'Client') clientKnown = Math.max(clientKnown, m.known.size);
    else replicaKnown = Math.max(replicaKnown, m.known.size);
  }
  for (const c of codecs) {
    const r = c.retained;
    heldDigests += r.held + r.kept + r.awaiting;
    digestIndex += r.records;
  }
  return { known, indexEntries, handled, pending, outbox, watermarks, heldDigests, digestIndex, clientKnown, replicaKnown };
}

async function main(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with node --expose-gc');
  const name = process.argv[2] ?? 'PBCounter';
  const requests = Number(process.argv[3] ?? 10_000);
  // A name is an example of specs/; a path (with a slash) names a .mom and .deploy elsewhere.
  const base = name.includes('/') ? name : join('specs', name);
  const program = checkFile(`${base}.mom`).program;
  if (program === undefined) throw new Error(`${base}.mom does not check`);
  // Enough requests per client and sequence numbers for the run (the deploy files give 1,000 a client).
  const perClient = Math.ceil(requests / 8);
  const setup = await simSetup(program, `${base}.deploy`, 8, new Map([['MaxReq', perClient], ['MaxSeq', perClient * 8]]));
  const codecs: WireCodec[] = [];
  let nodes: readonly RuntimeNode[] = [];
  const samples: ForgetSample[] = [];
  const cpu: [number, number][] = [];
  const start = process.cpuUsage();
  const cpuMs = (): number => {
    const c = process.cpuUsage(start);
    return (c.user + c.system) / 1000;
  };
  let gcMs = 0;
  let next = 0;
  const sample = (completed: number): void => {
    cpu.push([completed, cpuMs() - gcMs]);
    while (next < FORGET_POINTS.length && completed >= FORGET_POINTS[next]! * requests) {
      const before = cpuMs();
      gc();
      samples.push({ at: FORGET_POINTS[next]!, completed, heapBytes: process.memoryUsage().heapUsed, counts: counts(nodes, codecs) });
      gcMs += cpuMs() - before;
      next++;
    }
  };
  const r = setup.run(requests, (c) => codecs.push(c), false, { onNodes: (ns) => (nodes = ns), onProgress: sample });
  let forgotten = 0;
  let absorbed = 0;
  for (const n of r.nodes) {
    forgotten += n.machine.forgetCounts?.forgotten ?? 0;
    absorbed += n.stats.absorbed;
  }
  const out: ForgetRun = { program: name, requests, completed: r.completed, forgotten, absorbed, samples, cpu, maxRssKb: process.resourceUsage().maxRSS };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

await main();
