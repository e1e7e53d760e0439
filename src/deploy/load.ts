// A deploy file from disk to a checked Deployment in one call: read safely,
// parse, then check against the program. Syntax errors are reported alone,
// as the front end does: a half-read file would make every check after it
// report names and principals that are only missing because a line broke.

import type { CheckedProgram } from '../analysis/program.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { SourceText } from '../diagnostics/source.js';
import { readSource } from '../input/read.js';
import { checkDeploy } from './check.js';
import { parseDeploy } from './parse.js';
import { readDeployFile } from './read.js';
import type { CheckedDeployment } from './resolve.js';
import type { DeploySyntax } from './syntax.js';

export interface DeployLoadResult {
  readonly file: string;
  /** Present once the file was read. */
  readonly source?: SourceText;
  /** Present once the file parsed without errors. */
  readonly syntax?: DeploySyntax;
  /** Present when the file is a valid deployment of the program. */
  readonly deployment?: CheckedDeployment;
  readonly diagnostics: readonly Diagnostic[];
  readonly ok: boolean;
}

/** Reads and parses a deploy file without a program (what `mommie keys` needs). */
export function readDeploySyntax(path: string): DeployLoadResult {
  const read = readDeployFile(path);
  if (!read.ok) return { file: path, diagnostics: [read.diagnostic], ok: false };
  const parsed = parseDeploy(path, read.text);
  if (!parsed.ok) return { file: path, source: parsed.source, diagnostics: parsed.diagnostics, ok: false };
  return { file: path, source: parsed.source, syntax: parsed.syntax, diagnostics: parsed.diagnostics, ok: true };
}

/**
 * `programSource`: the program's text (the front end's), to name PUBLISH
 * sites by line in [Dissemination] messages; read again from program.file when absent.
 */
export function loadDeployment(path: string, program: CheckedProgram, programSource?: SourceText): DeployLoadResult {
  const r = readDeploySyntax(path);
  if (!r.ok || r.syntax === undefined) return r;
  // Only [Dissemination] messages quote the program.
  const source = programSource ?? (r.syntax.dissemination.length > 0 ? reread(program) : undefined);
  const checked = checkDeploy(r.syntax, program, source);
  const diagnostics = [...r.diagnostics, ...checked.diagnostics];
  return checked.deployment === undefined
    ? { ...r, diagnostics, ok: false }
    : { ...r, deployment: checked.deployment, diagnostics, ok: checked.ok };
}

function reread(program: CheckedProgram): SourceText | undefined {
  const r = readSource(program.file);
  return r.ok ? new SourceText(program.file, r.text) : undefined;
}
