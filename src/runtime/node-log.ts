// A node process's log, `<traceDir>/<node>.ndjson`: the trace `mommie replay`
// checks, and the node's write-ahead log. Events are gathered and written
// with one write(2) when the node flushes: before a step's statements are
// handed to the network, before a frame is acknowledged, and at the end of
// every event the node handles.
//
// Durability (docs/runtime.md, "Durability"): with the default policy
// (`fsync`) nothing the node sends leaves before what it logged is on disk.
// The transport holds every record written in one turn of the event loop
// (corked) and, before it lets them go, calls `sync`: one fdatasync(2) for
// whatever the turn logged (group commit). So a node that restarts after a
// crash of its machine, not only of its process, finds on disk every step
// whose statements or acks anyone could have seen, and cannot contradict
// them. With `none` the log reaches the kernel's page cache only: it
// survives the process, not the machine (a benchmark's choice).
//
// A restarted process rebuilds its state by re-doing its own log in the
// semantics (trace/rerun.ts) and then appends to it. A log that does not
// re-run, or that belongs to another node, program or set of constants, is
// refused: a node never rejoins with state it cannot account for.

import { closeSync, existsSync, fdatasync, fdatasyncSync, fsyncSync, openSync, readFileSync, renameSync, statSync, truncateSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { NodeInfo } from '../semantics/model.js';
import { NodeMachine } from '../semantics/node.js';
import type { System } from '../semantics/system.js';
import type { StartEvent, StatementJson, TraceEvent } from '../trace/events.js';
import { parseLog } from '../trace/read-log.js';
import { rerunOwnLog } from '../trace/rerun.js';
import { startingPoint, type ChainPoint } from './checkpoint-recover.js';
import { recordFromJson } from '../trace/value-json.js';
import type { OpenedStatement } from './codec.js';
import { resumedInput, type ResumePoint, type TraceSink } from './node.js';

export function logPath(traceDir: string, node: string): string {
  return join(traceDir, `${node}.ndjson`);
}

/** Past this many characters gathered, a flush happens at once (bounds memory, not safety). */
const MAX_PENDING_CHARS = 1 << 20;

/** When the log is forced to disk: before anything the node sends leaves (`fsync`), or never (`none`: the page cache only). */
export type LogSync = 'fsync' | 'none';

export interface LogSyncStats {
  /** fdatasync calls (one per turn of the event loop that logged something and sent something). */
  syncs: number;
  /** Their total wall time, ms. */
  syncMs: number;
}

export class LogFile implements TraceSink {
  private fd: number | undefined;
  /** Written since the last sync. */
  private dirty = false;
  /** Background syncs under way, and descriptors of replaced files they still use (closed when none is). */
  private syncing = 0;
  private retired: number[] = [];
  readonly syncStats: LogSyncStats = { syncs: 0, syncMs: 0 };

  private constructor(
    fd: number,
    readonly policy: LogSync,
    readonly path: string,
  ) {
    this.fd = fd;
  }

  /** A new log (an earlier one at `path` is replaced: the caller decided that); under `fsync` its directory entry is made durable too. */
  static create(path: string, start: StartEvent, policy: LogSync = 'fsync'): LogFile {
    const f = new LogFile(openSync(path, 'w', 0o644), policy, path);
    f.write(start);
    f.flush();
    f.sync();
    if (policy === 'fsync') syncDirectory(dirname(path));
    return f;
  }

  static append(path: string, policy: LogSync = 'fsync'): LogFile {
    return new LogFile(openSync(path, 'a'), policy, path);
  }

  /**
   * The log becomes `text` (a compacted log, runtime/checkpoint.ts): written
   * to a file beside it, made durable, renamed over it, and appended to
   * from then on. Call after `flush`. A crash at any point leaves the old
   * log or the new one, whole.
   */
  replaceWith(text: Uint8Array): void {
    if (this.fd === undefined) return;
    const tmp = `${this.path}.tmp`;
    const fd = openSync(tmp, 'w', 0o644);
    try {
      writeSync(fd, text);
      if (this.policy === 'fsync') fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
    if (this.policy === 'fsync') syncDirectory(dirname(this.path));
    // A background sync of the old file may be under way: its descriptor stays open until it ends.
    if (this.syncing > 0) this.retired.push(this.fd);
    else closeSync(this.fd);
    this.fd = openSync(this.path, 'a');
    this.dirty = false;
  }

  /** Lines not written yet (group commit: one write(2) per flush, not per event). */
  private pending = '';

  write(e: TraceEvent): void {
    if (this.fd === undefined) return;
    this.pending += JSON.stringify(e) + '\n';
    if (this.pending.length > MAX_PENDING_CHARS) this.flush();
  }

  flush(): void {
    if (this.fd === undefined || this.pending.length === 0) return;
    const text = this.pending;
    this.pending = '';
    writeSync(this.fd, text);
    this.dirty = true;
  }

  /** What was flushed, on disk now (under `fsync`; nothing under `none`). */
  sync(): void {
    if (this.fd === undefined || !this.dirty || this.policy === 'none') return;
    const t0 = performance.now();
    fdatasyncSync(this.fd);
    this.syncStats.syncs++;
    this.syncStats.syncMs += performance.now() - t0;
    this.dirty = false;
  }

  /**
   * `done` once what was flushed until now is on disk (at once when nothing
   * is dirty, or under `none`), without blocking the event loop: the
   * transport's group commit (transport/tcp.ts beforeRelease). What is
   * flushed meanwhile waits for the next call. `done` gets the error of a
   * failed sync: the log can no longer promise anything.
   */
  syncThen(done: (error?: Error) => void): void {
    if (this.fd === undefined || !this.dirty || this.policy === 'none') return done();
    this.dirty = false;
    const t0 = performance.now();
    this.syncing++;
    fdatasync(this.fd, (e) => {
      if (--this.syncing === 0) for (const old of this.retired.splice(0)) closeSync(old);
      // Closed meanwhile (the node stopped): close() synced what it had.
      if (this.fd === undefined) return done();
      this.syncStats.syncs++;
      this.syncStats.syncMs += performance.now() - t0;
      done(e ?? undefined);
    });
  }

  close(): void {
    if (this.fd === undefined) return;
    this.flush();
    this.sync();
    closeSync(this.fd);
    this.fd = undefined;
  }
}

/** A new file's name, durable: its directory fsynced (ignored where directories cannot be opened for it). */
export function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some platforms refuse fsync on a directory; the file's own data is still synced.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export interface Recovered {
  readonly machine: NodeMachine;
  readonly resume: ResumePoint;
  readonly events: number;
  readonly fires: number;
  readonly deliveries: number;
  /** The checkpoint the state was restored from before the log's events after it were re-done (undefined: none). */
  readonly checkpoint?: number;
  /** Checkpoints refused on the way, each with why (the node recovered from an older one). */
  readonly notes: readonly string[];
  /** Where the chain of checkpoints stands, for the next one. */
  readonly chain: ChainPoint;
}

/** Whether there is a log to recover from (an empty file is none). */
export function hasLog(path: string): boolean {
  return existsSync(path) && statSync(path).size > 0;
}

/** The node's state from its log at `path`, or why it must not rejoin. */
export function recoverFromLog(path: string, system: System, info: NodeInfo, start: StartEvent): { ok: true; recovered: Recovered } | { ok: false; message: string } {
  const refuse = (why: string): { ok: false; message: string } => ({ ok: false, message: `${info.name} refuses to rejoin: ${why}` });
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    return refuse(`cannot read its log ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const parsed = parseLog({ path, text });
  if ('rejection' in parsed) return refuse(`${path}:${parsed.rejection.line}: ${parsed.rejection.message}`);
  const s = parsed.start;
  if (s.node !== info.name) return refuse(`${path} is the log of ${s.node}`);
  if (s.program !== start.program) return refuse(`${path} is a log of program ${s.program}, not ${start.program}`);
  if (s.faulty !== 'correct') return refuse(`${path} is the log of a ${s.faulty} node`);
  if (JSON.stringify(s.constants) !== JSON.stringify(start.constants)) return refuse(`${path} was written under other constants than this run's`);
  // A recovering node keeps its run: joining another with this state could contradict what it sent.
  if (s.run !== undefined && start.run !== undefined && s.run !== start.run) return refuse(`${path} is a log of run ${s.run}, and this start is of run ${start.run}`);
  const point = startingPoint(path, text, parsed, system, info, start);
  if (!point.ok) return refuse(point.message);
  const p = point.point;
  const machine = p.machine;
  const r = rerunOwnLog(info.name, machine, p.events, p.inFlight);
  if (!r.ok) return refuse(`its log does not re-run in the semantics: ${path}:${r.line}: ${r.message}`);
  if (parsed.truncated) {
    // The partial last line of a killed process goes, so that appending starts on a line of its own.
    truncateSync(path, Buffer.byteLength(text.slice(0, text.lastIndexOf('\n') + 1), 'utf8'));
  }
  const published: OpenedStatement[] = [...p.published];
  const since: StatementJson[] = [];
  for (const { event: e } of p.events) {
    if (e.k !== 'fire') continue;
    for (const s of e.pub) {
      since.push(s);
      const record = recordFromJson(s.r);
      if (record !== undefined) published.push({ issuer: s.i, verifiers: s.v, auditors: s.a, record });
    }
  }
  const res = r.result;
  const atCheckpoint = res.lastEvent === 0 && p.checkpoint !== undefined;
  return {
    ok: true,
    recovered: {
      machine,
      resume: {
        events: atCheckpoint ? p.checkpoint!.n : res.lastEvent, vc: atCheckpoint ? p.checkpoint!.vc : res.vc,
        inputs: [...p.inFlight, ...res.inputs.map(resumedInput)], inputsMade: p.inputsBefore + res.inputs.length, answered: res.answered, published,
      },
      events: p.events.length,
      fires: res.rerun.fires,
      deliveries: res.rerun.deliveries,
      ...(p.checkpoint !== undefined ? { checkpoint: p.checkpoint.seq } : {}),
      notes: p.notes,
      chain: { ...p.chain, inputs: p.inputsBefore + res.inputs.length, publishedSince: since },
    },
  };
}
