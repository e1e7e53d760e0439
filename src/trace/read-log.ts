// Reading one node's NDJSON log: a start event, then the node's events, each
// line decoded with io-ts. Used by `mommie replay` (every log of a run) and by
// a restarted node process (its own log, to recover from).

import { isLeft } from 'fp-ts/lib/Either.js';
import { TraceEventCodec, type StartEvent, type TraceEvent } from './events.js';

export interface TraceFile {
  readonly path: string;
  readonly text: string;
}

export interface Located {
  readonly event: TraceEvent;
  /** 1-based line in the file. */
  readonly line: number;
}

export interface ReplayRejection {
  readonly file: string;
  readonly line: number;
  readonly node: string;
  readonly message: string;
}

export interface ParsedLog {
  readonly start: StartEvent;
  readonly events: readonly Located[];
  /** The file ended in a partial line (a process killed mid-write): it was left out. */
  readonly truncated: boolean;
}

/** Every line longer than this is refused before it is parsed. */
const MAX_LINE = 4 * 1024 * 1024;

/**
 * Only a log's start event (its first line), for what the run header says
 * before the logs are read in full.
 */
export function parseStart(f: TraceFile): StartEvent | { readonly rejection: ReplayRejection } {
  const end = f.text.indexOf('\n');
  const first = (end < 0 ? f.text : f.text.slice(0, end)).trim();
  const bad = (message: string): { rejection: ReplayRejection } => ({ rejection: { file: f.path, line: 1, node: '', message } });
  if (first === '') return bad('an empty trace: no start event');
  if (first.length > MAX_LINE) return bad(`a line of ${first.length} characters, more than a trace event can be`);
  let json: unknown;
  try {
    json = JSON.parse(first);
  } catch {
    return bad('not JSON: each line of a trace is one JSON event');
  }
  const d = TraceEventCodec.decode(json);
  if (isLeft(d) || d.right.k !== 'start') return bad('a trace starts with a start event (node, role, program, constants, faulty, version 1 or 2)');
  return d.right;
}

export function parseLog(f: TraceFile): ParsedLog | { readonly rejection: ReplayRejection } {
  const lines = f.text.split('\n');
  const events: Located[] = [];
  let start: StartEvent | undefined;
  let truncated = false;
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!;
    if (text.trim() === '') continue;
    // The last line of a log cut short (Ctrl-C, a crash) may be partial: everything before it stands.
    const last = lines.slice(i + 1).every((x) => x.trim() === '');
    if (text.length > MAX_LINE) return { rejection: { file: f.path, line: i + 1, node: start?.node ?? '', message: `a line of ${text.length} characters, more than a trace event can be` } };
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      if (last && !f.text.endsWith('\n')) {
        truncated = true;
        break;
      }
      return { rejection: { file: f.path, line: i + 1, node: start?.node ?? '', message: 'not JSON: each line of a trace is one JSON event' } };
    }
    const d = TraceEventCodec.decode(json);
    if (isLeft(d)) return { rejection: { file: f.path, line: i + 1, node: start?.node ?? '', message: `not a trace event (expected start, fire, abort, deliver, byz, countersign, refuse or stop with their fields)` } };
    const e = d.right;
    if (start === undefined) {
      if (e.k !== 'start') return { rejection: { file: f.path, line: i + 1, node: '', message: 'a trace starts with a start event' } };
      start = e;
      continue;
    }
    events.push({ event: e, line: i + 1 });
  }
  if (start === undefined) return { rejection: { file: f.path, line: 1, node: '', message: 'an empty trace: no start event' } };
  return { start, events, truncated };
}
