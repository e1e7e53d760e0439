// A node process's log, `<traceDir>/<node>.ndjson`: the trace `mommie replay`
// checks, and the node's write-ahead log. Events are gathered and written
// with one write(2) when the node flushes: before a step's statements are
// handed to the network, before a frame is acknowledged, and at the end of
// every event the node handles. So a process killed at any point leaves on
// record every step whose effects anyone else could have seen (in the
// kernel's page cache: it survives the process, not the machine); what it
// loses is only what it did since it last spoke, as if it had crashed before.
//
// A restarted process rebuilds its state by re-doing its own log in the
// semantics (trace/rerun.ts) and then appends to it. A log that does not
// re-run, or that belongs to another node, program or set of constants, is
// refused: a node never rejoins with state it cannot account for.

import { closeSync, existsSync, openSync, readFileSync, statSync, truncateSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { NodeInfo } from '../semantics/model.js';
import { NodeMachine } from '../semantics/node.js';
import type { System } from '../semantics/system.js';
import type { StartEvent, TraceEvent } from '../trace/events.js';
import { parseLog } from '../trace/read-log.js';
import { rerunOwnLog } from '../trace/rerun.js';
import { recordFromJson } from '../trace/value-json.js';
import type { OpenedStatement } from './codec.js';
import type { ResumePoint, TraceSink } from './node.js';

export function logPath(traceDir: string, node: string): string {
  return join(traceDir, `${node}.ndjson`);
}

/** Past this many characters gathered, a flush happens at once (bounds memory, not safety). */
const MAX_PENDING_CHARS = 1 << 20;

export class LogFile implements TraceSink {
  private fd: number | undefined;

  private constructor(fd: number) {
    this.fd = fd;
  }

  /** A new log (an earlier one at `path` is replaced: the caller decided that). */
  static create(path: string, start: StartEvent): LogFile {
    const f = new LogFile(openSync(path, 'w', 0o644));
    f.write(start);
    return f;
  }

  static append(path: string): LogFile {
    return new LogFile(openSync(path, 'a'));
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
  }

  close(): void {
    if (this.fd === undefined) return;
    this.flush();
    closeSync(this.fd);
    this.fd = undefined;
  }
}

export interface Recovered {
  readonly machine: NodeMachine;
  readonly resume: ResumePoint;
  readonly events: number;
  readonly fires: number;
  readonly deliveries: number;
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
  const machine = new NodeMachine(system, info);
  const r = rerunOwnLog(info.name, machine, parsed.events);
  if (!r.ok) return refuse(`its log does not re-run in the semantics: ${path}:${r.line}: ${r.message}`);
  if (parsed.truncated) {
    // The partial last line of a killed process goes, so that appending starts on a line of its own.
    truncateSync(path, Buffer.byteLength(text.slice(0, text.lastIndexOf('\n') + 1), 'utf8'));
  }
  const published: OpenedStatement[] = [];
  for (const { event: e } of parsed.events) {
    if (e.k !== 'fire') continue;
    for (const p of e.pub) {
      const record = recordFromJson(p.r);
      if (record !== undefined) published.push({ issuer: p.i, verifiers: p.v, auditors: p.a, record });
    }
  }
  const res = r.result;
  return {
    ok: true,
    recovered: {
      machine,
      resume: { events: res.lastEvent, vc: res.vc, inputs: res.inputs, published },
      events: parsed.events.length,
      fires: res.rerun.fires,
      deliveries: res.rerun.deliveries,
    },
  };
}
