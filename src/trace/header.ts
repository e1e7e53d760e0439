// The run header: what every log of a run says about the run as a whole
// (since trace version 2) — the model whose faults it took, `--clients`, and
// the deploy file with the SHA-256 of its text. `mommie run` writes it into
// each start event; `mommie replay` takes the model and the deployment from it
// by default, so that the fault bounds and the dissemination plan a run is
// checked against come from the program and the deploy file, not from what
// each log says about itself.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CheckedProgram } from '../analysis/program.js';
import type { Deployment } from '../deploy/deployment.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { SourceText } from '../diagnostics/source.js';
import { loadDeployment } from '../deploy/load.js';
import type { RunHeader } from './events.js';
import { parseStart, type ReplayRejection, type TraceFile } from './read-log.js';

export type { RunHeader };

/** The SHA-256 of a file's bytes, hex; undefined when it cannot be read. */
export function fileSha256(path: string): string | undefined {
  try {
    return createHash('sha256').update(readFileSync(path)).digest('hex');
  } catch {
    return undefined;
  }
}

/** The header of a run under `model` (none: no --model) and `clients`, deployed by `deployFile` (already read once by the run). */
export function runHeader(o: { readonly model?: string; readonly clients?: number; readonly deployFile: string; readonly run?: string }): RunHeader {
  const sha256 = fileSha256(o.deployFile);
  return {
    ...(o.model !== undefined ? { model: o.model } : {}),
    ...(o.clients !== undefined ? { clients: o.clients } : {}),
    ...(sha256 !== undefined ? { deploy: { file: resolve(o.deployFile), sha256 } } : {}),
    ...(o.run !== undefined ? { run: o.run } : {}),
  };
}

export interface RunHeaderOfLogs {
  /** The logs' trace version: 1 has no header (model and deployment unknown). */
  readonly version: 1 | 2;
  readonly header: RunHeader;
  /** The log the header was read from, for messages. */
  readonly file: string;
}

const shown = (h: RunHeader): string => JSON.stringify({ model: h.model ?? null, clients: h.clients ?? null, deploy: h.deploy ?? null, run: h.run ?? null });

/** The header every log gives (they must agree: the logs of one run). */
export function runHeaderOf(files: readonly TraceFile[]): RunHeaderOfLogs | { readonly rejection: ReplayRejection } {
  let first: (RunHeaderOfLogs & { node: string }) | undefined;
  for (const f of files) {
    const s = parseStart(f);
    if ('rejection' in s) return s;
    const h: RunHeader = {
      ...(s.model !== undefined ? { model: s.model } : {}),
      ...(s.clients !== undefined ? { clients: s.clients } : {}),
      ...(s.deploy !== undefined ? { deploy: s.deploy } : {}),
      ...(s.run !== undefined ? { run: s.run } : {}),
    };
    if (first === undefined) {
      first = { version: s.version, header: h, file: f.path, node: s.node };
      continue;
    }
    if (s.version !== first.version) return { rejection: { file: f.path, line: 1, node: s.node, message: `a log of trace version ${s.version}, but ${first.file} is of version ${first.version}: replay takes the logs of one run` } };
    if (shown(h) !== shown(first.header)) return { rejection: { file: f.path, line: 1, node: s.node, message: `this log's run header ${shown(h)} differs from ${first.file}'s ${shown(first.header)}: replay takes the logs of one run` } };
  }
  if (first === undefined) return { rejection: { file: '', line: 0, node: '', message: 'no logs' } };
  return { version: first.version, header: first.header, file: first.file };
}

export type RunDeployment =
  | { readonly ok: true; readonly deployment?: Deployment }
  | { readonly ok: false; readonly message: string; readonly diagnostics: readonly Diagnostic[]; readonly source?: SourceText };

/**
 * The deployment a run's relays are checked against: `given` (replay
 * --deploy), else the deploy file the header records; none when neither
 * names one (logs of trace version 1). The file must be the one the run used:
 * the SHA-256 the header records, when it records one.
 */
export function runDeployment(program: CheckedProgram, header: RunHeader, given?: string): RunDeployment {
  const recorded = header.deploy;
  const path = given ?? recorded?.file;
  if (path === undefined) return { ok: true };
  const dep = loadDeployment(path, program);
  const from = given !== undefined ? '' : ' (the deploy file the run\'s logs record; give --deploy FILE if it moved)';
  if (!dep.ok || dep.deployment === undefined) return { ok: false, message: `cannot use ${path} as the run's deployment${from}`, diagnostics: dep.diagnostics, ...(dep.source !== undefined ? { source: dep.source } : {}) };
  const sha256 = fileSha256(path);
  if (recorded !== undefined && sha256 !== recorded.sha256) {
    return { ok: false, message: `${path} is not the deploy file the run used: its SHA-256 is ${sha256 ?? '(unreadable)'}, the logs record ${recorded.sha256} (${recorded.file})`, diagnostics: [] };
  }
  return { ok: true, deployment: dep.deployment };
}
