// Checkpoints and the compacted log of a TCP node process (issue 23 item 5;
// docs/runtime.md, "Checkpoints"). The node's trace sink is wrapped: every
// `every` events (the deploy file's [Limits] CheckpointEvery), when the node
// is at rest (the end of a drain, its log flushed), it
//   1. writes checkpoint K (trace/checkpoint.ts: its state, retained
//      statements, fire-once entries, requests in flight, what to send
//      again, and the digests chaining it to checkpoint K-1 and to the log
//      lines it replaces) to `<node>.ckpt-K.json` beside a temporary file,
//      fsynced, renamed, the directory fsynced;
//   2. only then compacts the log: it is rewritten (the same way) to start
//      at checkpoint K-1, so that it always reaches back to the previous
//      checkpoint: a damaged checkpoint K leaves K-1 and the log after it;
//   3. removes the files of checkpoints before K-1.
// The log holds at most two intervals of events, whatever the run's length.
// Recovery (checkpoint-recover.ts) takes the newest checkpoint that reads
// and matches the log, and re-does the log's events after it.

import { readFileSync, rmSync, writeFileSync, openSync, fsyncSync, closeSync, renameSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { NodeMachine } from '../semantics/node.js';
import type { StartEvent, StatementJson, TraceEvent } from '../trace/events.js';
import { checkpointFileName, machineState, sealCheckpoint, sha256, CHECKPOINT_VERSION, type Checkpoint, type InFlightJson } from '../trace/checkpoint.js';
import { jsonKey } from '../trace/rerun.js';
import { valueToJson } from '../trace/value-json.js';
import { syncDirectory, type LogFile } from './node-log.js';
import type { ChainPoint } from './checkpoint-recover.js';
import type { ResumedInput, TraceSink } from './node.js';

export interface CheckpointOptions {
  readonly every: number;
  /** The log's start event as the run wrote it (a compacted log's names its checkpoint). */
  readonly start: StartEvent;
  readonly machine: NodeMachine;
  /** The requests in flight and the log's position, asked at the moment of the checkpoint. */
  readonly inFlight: () => readonly ResumedInput[];
  readonly position: () => { readonly events: number; readonly vc: Readonly<Record<string, number>> };
  /** A checkpoint was taken (the node notes each function call again). */
  readonly taken?: (c: Checkpoint) => void;
}

/** The start point of a fresh log. */
export function freshChain(log: LogFile): ChainPoint {
  const text = readFileSync(log.path);
  const end = text.indexOf(10);
  const first = end < 0 ? text : text.subarray(0, end);
  return { seq: 0, n: 0, digest: sha256(first), cut: end < 0 ? text.length : end + 1, inputs: 0, publishedBefore: [], publishedSince: [] };
}

export class CheckpointingLog implements TraceSink {
  private since = 0;
  private chain: ChainPoint;
  private inputs: number;
  private publishedSince: StatementJson[];
  private publishedBefore: readonly StatementJson[];
  private opts: CheckpointOptions | undefined;
  readonly stats = { checkpoints: 0, lastBytes: 0, ms: 0 };

  constructor(
    readonly log: LogFile,
    chain: ChainPoint,
  ) {
    this.chain = chain;
    this.inputs = chain.inputs;
    this.publishedSince = [...chain.publishedSince];
    this.publishedBefore = chain.publishedBefore;
  }

  /** Set once the node exists (it is made with this sink). */
  attach(opts: CheckpointOptions): void {
    this.opts = opts;
  }

  write(e: TraceEvent): void {
    this.log.write(e);
    if ('n' in e) this.since++;
    if (e.k === 'fire') {
      for (const p of e.pub) this.publishedSince.push(p);
      if (e.via === 'input') this.inputs++;
    }
  }

  flush(): void {
    this.log.flush();
  }

  /** At rest: a checkpoint when an interval's events have been logged since the last. */
  atRest(): void {
    const o = this.opts;
    if (o === undefined || o.every <= 0 || this.since < o.every) return;
    this.take(o);
  }

  private take(o: CheckpointOptions): void {
    const t0 = performance.now();
    this.log.flush();
    const dir = dirname(this.log.path);
    const node = o.start.node;
    const bytes = readFileSync(this.log.path);
    const c = this.chain;
    const { events, vc } = o.position();
    const seq = c.seq + 1;
    const published = dedup([...this.publishedBefore, ...this.publishedSince]);
    const cp = sealCheckpoint({
      k: 'checkpoint', version: CHECKPOINT_VERSION, node, program: o.start.program, constants: o.start.constants,
      ...(o.start.run !== undefined ? { run: o.start.run } : {}),
      seq, n: events, vc, prev: c.digest, prevN: c.n, history: sha256(bytes.subarray(c.cut)),
      state: machineState(o.machine),
      resume: { inputs: this.inputs, inFlight: o.inFlight().map(inFlightJson), published },
    });
    const text = JSON.stringify(cp);
    writeDurably(join(dir, checkpointFileName(node, seq)), text, this.log.policy === 'fsync');
    // Checkpoint `seq` is durable: the log may now start at the one before it.
    let cut = bytes.length;
    if (c.seq >= 1) {
      const start: StartEvent = { ...o.start, from: { file: checkpointFileName(node, c.seq), seq: c.seq, n: c.n, digest: c.digest } };
      const head = Buffer.from(JSON.stringify(start) + '\n', 'utf8');
      const rest = bytes.subarray(c.cut);
      this.log.replaceWith(Buffer.concat([head, rest]));
      cut = head.length + rest.length;
      for (let k = c.seq - 1; k >= 1; k--) {
        const old = join(dir, checkpointFileName(node, k));
        if (!existsSync(old)) break;
        rmSync(old, { force: true });
      }
    }
    this.chain = { seq, n: events, digest: cp.digest, cut, inputs: this.inputs, publishedBefore: [], publishedSince: [] };
    this.publishedBefore = this.publishedSince;
    this.publishedSince = [];
    this.since = 0;
    this.stats.checkpoints++;
    this.stats.lastBytes = text.length;
    this.stats.ms += performance.now() - t0;
    o.taken?.(cp);
  }

  close(): void {
    this.log.close();
  }
}

/** A file written beside its place, synced, renamed into it, its directory synced: whole or absent after a crash. */
export function writeDurably(path: string, text: string, sync: boolean): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, text, { mode: 0o644 });
  if (sync) {
    const fd = openSync(tmp, 'r+');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
  renameSync(tmp, path);
  if (sync) syncDirectory(dirname(path));
}

function inFlightJson(i: ResumedInput): InFlightJson {
  return { t: i.transition.name, inst: i.instance, bound: [...i.bound].map(([k, v]) => [k, valueToJson(v)] as const), progress: i.progress.map((p) => p.span.start) };
}

function dedup(list: readonly StatementJson[]): StatementJson[] {
  const seen = new Set<string>();
  return list.filter((s) => {
    const k = jsonKey(s);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
